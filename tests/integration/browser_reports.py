#!/usr/bin/env python3
"""The HTML reports in a real browser: headless Chromium, driven over the DevTools protocol (browser.py).

check --html of lab scenarios (the healthy one, a stale secondary, a lame server, a private-address NS,
underscores stripped, a hostile TXT value):
  - the page loads with nothing on the console (no exception, no CSP violation, no failed load);
  - in the DOM the browser built, the picture has one node per NS name and per address of the delegation
    (the manifest's servers) and one cell per (record x server), with the states of check --json's "cells";
  - the hostile TXT value (markup and script, tests/lab/labgen.py HOSTILE_TXT) is shown as text, and
    nothing ran: no script element, no <img>, the title is unchanged.
bulk --html of every lab identity plus two hostile input lines:
  - loads with nothing on the console; the chart's bars say the counts of the JSON lines;
  - the table sorts by a click on a header (both ways) and filters by typing, by the verdict and the code
    selects, and by a link (#code=...); a domain's link opens its findings;
  - hostile text (the TXT value, an input line with <script>) is shown as text and runs nothing: the only
    script elements are the page's own three (rows, shared texts, the script).
Usage: browser_reports.py PATH/TO/dkimdoctor   (inside the lab namespace, DKIMDOCTOR_LAB set)"""
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Browser  # noqa: E402

BIN = sys.argv[1]
LAB = os.environ.get("DKIMDOCTOR_LAB")
if not LAB or not os.path.exists(os.path.join(LAB, "manifest.json")):
    print("DKIMDOCTOR_LAB is not set or the lab is not up (tests/lab/lab up)")
    sys.exit(1)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab"))
from labgen import HOSTILE_TXT  # noqa: E402

COMMON = ["--root-hints", os.path.join(LAB, "root.hints"), "--allow-loopback",
          "--trust-anchor", os.path.join(LAB, "trust-anchor")]  # validating, as on the real internet
with open(os.path.join(LAB, "manifest.json")) as f:
    MANIFEST = json.load(f)
by_scenario = {}
for d in MANIFEST["domains"]:
    by_scenario.setdefault(d["scenario"], d)

failures = []
passed = 0


def expect(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)
        print("FAIL:", what)


def args_for(identity):
    a = [identity["domain"]]
    tokens = [t + (":" + identity["region"] if identity["region"] else "") for t in identity["easy_dkim_tokens"]]
    if tokens:
        a += ["--easy-dkim", ",".join(tokens)]
    if identity["byodkim_selector"]:
        a += ["--byodkim", identity["byodkim_selector"]]
    if identity["byodkim_public_key_file"]:
        a += ["--public-key", identity["byodkim_public_key_file"]]
    if identity["verification_token"]:
        a += ["--verification-token", identity["verification_token"]]
    return a


work = tempfile.mkdtemp(prefix="dkimdoctor-browser-")
started = time.monotonic()
with Browser() as browser:
    # --- check --html -----------------------------------------------------------------------------------
    for scenario in ("easy-dkim-ok", "stale-secondary", "lame-server", "private-ns", "underscore-stripped",
                     "hostile-txt"):
        d = by_scenario.get(scenario)
        if d is None:
            expect(False, f"the lab has no {scenario} domain (lab up --domains 60 covers every scenario)")
            continue
        html = os.path.join(work, scenario + ".html")
        r = subprocess.run([BIN, "check"] + args_for(d["identity"]) + COMMON + ["--json", "--html", html],
                           capture_output=True, text=True, timeout=120)
        j = json.loads(r.stdout)
        page = browser.open("file://" + html)
        expect(page.problems() == [], f"{scenario}: nothing on the console: {page.problems()}")
        expect(page.eval("document.getElementById('verdict').dataset.verdict") == j["verdict"],
               f"{scenario}: the page's verdict is the JSON's")
        ns_names = {s["name"] for s in d["servers"]}
        addresses = [a for s in d["servers"] for a in s["addresses"]]
        nodes = page.eval("[...document.querySelectorAll('g.ns-node > title')].map(t => t.textContent)")
        expect(sorted(nodes) == sorted(n.rstrip(".") for n in ns_names) or
               sorted(n.rstrip(".") for n in nodes) == sorted(n.rstrip(".") for n in ns_names),
               f"{scenario}: one node per NS name of the delegation: {nodes} vs {sorted(ns_names)}")
        expect(page.eval("document.querySelectorAll('g.addr-node').length") == len(addresses),
               f"{scenario}: one node per address ({len(addresses)})")
        states = page.eval("[...document.querySelectorAll('g.cell')].map(g => g.dataset.state)")
        expect(len(states) == len(j["cells"]) and len(states) > 0,
               f"{scenario}: one cell per (record x server): {len(states)} vs {len(j['cells'])}")
        expect(collections.Counter(states) == collections.Counter(c["state"] for c in j["cells"]),
               f"{scenario}: the cells' states are the JSON's")
        if scenario == "stale-secondary":
            expect(states.count("missing") == 1, "stale-secondary: the stale server's one missing cell")
        expect(page.eval("document.scripts.length") == 0, f"{scenario}: no script element")
        if scenario == "hostile-txt":
            text = page.eval("document.body.textContent")
            expect(HOSTILE_TXT in text, "hostile-txt: the TXT value is shown as text")
            expect(page.eval("document.title").find("pwned") < 0, "hostile-txt: its script did not run")
            expect(page.eval("document.querySelectorAll('img').length") == 0, "hostile-txt: no <img> made of it")
        page.close()

    # --- bulk --html ------------------------------------------------------------------------------------
    identities = os.path.join(work, "identities.jsonl")
    hostile_line = '{"domain": "<script>document.title=\'pwned\'</script>.example"}'
    # One identity per scenario (the first of each), whatever the lab's size: every row fits on the
    # dashboard's first page (200 rows) and each scenario's name filters to one row.
    first_of_scenario = {d["domain"] for d in by_scenario.values()}
    with open(os.path.join(LAB, "identities.jsonl")) as f, open(identities, "w") as out:
        for line in f:
            if json.loads(line)["domain"] in first_of_scenario:
                out.write(line)
        out.write(hostile_line + "\n")
        out.write("<img src=x onerror=document.title='pwned'>\n")
    results, dashboard = os.path.join(work, "results.jsonl"), os.path.join(work, "dashboard.html")
    r = subprocess.run([BIN, "bulk", identities, "--output", results, "--html", dashboard, "--progress", "never",
                        "--key-dir", os.path.join(LAB, "keys")] + COMMON, capture_output=True, text=True, timeout=300)
    expect(r.returncode == 1, f"bulk exit status 1 (some will not verify): {r.returncode} {r.stderr[-300:]}")
    lines = [json.loads(x) for x in open(results)]
    page = browser.open("file://" + dashboard)
    expect(page.problems() == [], f"bulk: nothing on the console: {page.problems()}")
    expect(page.eval("document.body.dataset.ready") == "1", "bulk: the script rendered the table")
    n = len(lines)
    expect(page.eval("document.getElementById('domains').dataset.total") == str(n), f"bulk: {n} rows")
    expect(page.eval("document.querySelectorAll('#tbody tr').length") == n, "bulk: every row on the first page")

    verdicts = collections.Counter(x["verdict"] for x in lines)
    bars = page.eval("Object.fromEntries([...document.querySelectorAll('#chart-verdicts g.bar')]"
                     ".map(g => [g.dataset.label.split(' (')[1].slice(0, -1), +g.dataset.count]))")
    expect(bars == {"ok": verdicts["ok"], "problems": verdicts["problems"], "incomplete": verdicts["incomplete"]},
           f"bulk: the verdict bars: {bars} vs {dict(verdicts)}")
    per_code = collections.Counter()
    for x in lines:
        per_code.update({f["code"] for f in x.get("findings", []) if f.get("class") != "passed"})
    bars = page.eval("Object.fromEntries([...document.querySelectorAll('#chart-codes g.bar')]"
                     ".map(g => [g.dataset.label, +g.dataset.count]))")
    expect(bars == dict(per_code), f"bulk: one bar per code, in domains: {bars} vs {dict(per_code)}")

    def column(i):
        return page.eval(f"[...document.querySelectorAll('#tbody tr')].map(tr => tr.cells[{i}].textContent)")

    def click(selector):
        page.eval(f"document.querySelector({json.dumps(selector)}).click()")

    def select(which, value):
        page.eval(f"{{ const s = document.getElementById({json.dumps(which)}); s.value = {json.dumps(value)}; "
                  "s.dispatchEvent(new Event('change')) }")

    click("th[data-sort=domain] button")
    domains = column(1)
    expect(domains == sorted(domains) and len(domains) == n, "bulk: a click on Domain sorts ascending")
    click("th[data-sort=domain] button")
    domains = column(1)
    expect(domains == sorted(domains, reverse=True), "bulk: a second click sorts descending")
    expect(page.eval("document.querySelector('th[data-sort=domain]').getAttribute('aria-sort')") == "descending",
           "bulk: the header says the order")
    click("th[data-sort=verdict] button")
    rank = {"OK": 0, "Problems": 1, "Could not tell": 2}
    v = [rank[x] for x in column(2)]
    expect(v == sorted(v), "bulk: sorted by verdict")

    page.eval("document.getElementById('q').focus()")
    page.type_text("hostile-txt")
    shown = column(1)
    expect(len(shown) == 1 and shown[0].startswith("hostile-txt-"), f"bulk: typing filters: {shown}")
    expect(HOSTILE_TXT in column(4)[0], "bulk: the hostile TXT in the headline, as text")
    click("#tbody tr a")
    detail = page.eval("document.getElementById('detail').hidden ? '' : document.getElementById('detail').textContent")
    expect("VERIFICATION_TOKEN_WRONG_VALUE" in detail and HOSTILE_TXT in detail,
           "bulk: the domain's link opens its findings, the hostile value as text")
    page.eval("{ const q = document.getElementById('q'); q.value = ''; q.dispatchEvent(new Event('input')) }")
    expect(len(column(1)) == n, "bulk: clearing the filter shows every row")

    select("verdict", "ok")
    expect(column(2) == ["OK"] * verdicts["ok"], "bulk: the verdict select filters")
    select("verdict", "")
    select("code", "DKIM_RECORD_MISSING")
    expect(len(column(1)) == per_code["DKIM_RECORD_MISSING"] > 0 and
           all("DKIM_RECORD_MISSING" in c for c in column(3)), "bulk: the code select filters")
    page.eval("location.hash = '#code=DKIM_UNDERSCORE_STRIPPED&sort=domain&desc=1'")
    page.eval("new Promise(r => setTimeout(r, 50))")
    shown = column(1)
    expect(len(shown) == per_code["DKIM_UNDERSCORE_STRIPPED"] and shown == sorted(shown, reverse=True),
           f"bulk: a link (#code=...&sort=domain&desc=1) filters and sorts: {shown}")

    errors = [x for x in lines if "error" in x]
    expect(len(errors) == 2, f"bulk: the two hostile input lines are input errors: {len(errors)}")
    page.eval("location.hash = '#verdict=incomplete'")
    page.eval("new Promise(r => setTimeout(r, 50))")
    text = page.eval("document.getElementById('tbody').textContent")
    expect("<img src=x onerror=document.title='pwned'>" in text and
           "<script>document.title='pwned'</script>.example" in text,
           f"bulk: the hostile input lines are shown as text: {text[:300]!r}")
    expect(page.eval("document.title").find("pwned") < 0 and page.eval("document.querySelectorAll('img').length") == 0
           and page.eval("document.scripts.length") == 3, "bulk: nothing of the hostile text ran or was parsed")
    expect(page.problems() == [], f"bulk: still nothing on the console: {page.problems()}")
    page.close()

shutil.rmtree(work, ignore_errors=True)
print(f"browser_reports: {passed} passed, {len(failures)} failed, {time.monotonic() - started:.1f} s")
sys.exit(1 if failures else 0)
