#!/usr/bin/env python3
"""The bulk dashboard in headless Chromium: file size, time to a usable page, and the table's actions.

  measure.py DASHBOARD.html [--runs R]
Prints, as the median of R fresh loads (default 3): the page's size; the time from navigation to the load
event (HTML parsed, chart drawn, the inline JSON parsed and the first page of rows rendered: the page's
script runs before the load event); the script's own part of it (data-render-ms); and, on the loaded page,
a sort by domain (a click on the header), a filter (typing 6 characters) and opening a domain's findings.
Run inside a lab namespace (tests/lab/lab exec): the browser must have no network.
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
from browser import Browser  # noqa: E402

path = os.path.abspath(sys.argv[1])
runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
timed = {"load": [], "script": [], "sort": [], "filter": [], "open": []}


def ms(page, action):
    return page.eval("(() => { const t = performance.now(); " + action + "; return performance.now() - t; })()")


with Browser(timeout=120) as b:
    for _ in range(runs):
        page = b.open("file://" + path)
        timed["load"].append(page.eval("performance.getEntriesByType('navigation')[0].loadEventStart"))
        problems = page.problems()
        if problems:
            sys.exit(f"measure: console problems: {problems}")
        rows = page.eval("+document.getElementById('domains').dataset.total")
        timed["script"].append(float(page.eval("document.body.dataset.renderMs")))
        timed["sort"].append(ms(page, "document.querySelector('th[data-sort=domain] button').click()"))
        timed["filter"].append(ms(page, "{ const q = document.getElementById('q'); q.value = 'stale-';"
                                        "q.dispatchEvent(new Event('input')) }"))
        timed["open"].append(ms(page, "document.querySelector('#tbody tr a').click()"))
        page.close()
size = os.path.getsize(path)
print(f"{path}: {rows} rows, {size / 1e6:.1f} MB ({size / max(rows, 1):.0f} bytes per row), median of {runs} loads:")
print(f"  navigation to load event (usable): {statistics.median(timed['load']):.0f} ms "
      f"(the page's script: {statistics.median(timed['script']):.0f} ms)")
print(f"  sort by domain: {statistics.median(timed['sort']):.0f} ms; filter: {statistics.median(timed['filter']):.0f} ms; "
      f"open a domain: {statistics.median(timed['open']):.0f} ms")
