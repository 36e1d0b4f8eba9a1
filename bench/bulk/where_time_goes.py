#!/usr/bin/env python3
"""Where bulk's wall time goes (issue 16): the lab's scenarios, each with its share of the check time.

Reads `dkimdoctor bulk` JSON lines (elapsed_ms, queries per domain) and the lab's manifest (the scenario of
each domain), and prints a table by scenario: domains, median and max elapsed, median queries, and the
scenario's share of all domain-seconds (the sum of every check's elapsed time). With --concurrency C in
flight, the run cannot take less than (domain-seconds / C) nor less than the slowest check: the table says
which scenarios hold the slots.

  bench/bulk/where_time_goes.py BULK.jsonl MANIFEST.json [--top N]

Run bulk inside the lab's namespace first, e.g.
  tests/lab/lab exec build/cli/dkimdoctor bulk "$IDENTITIES" --root-hints "$ROOT_HINTS" --allow-loopback \\
    --key-dir "$DKIMDOCTOR_LAB/keys" --progress never --output bulk.jsonl
(bench/bulk/concurrency runs that over several --concurrency values and calls this script.)
"""
import argparse
import json
import statistics
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bulk_jsonl")
    ap.add_argument("manifest")
    ap.add_argument("--top", type=int, default=0, help="only the N scenarios with the largest share")
    a = ap.parse_args()
    scenario = {d["domain"]: d["scenario"] for d in json.load(open(a.manifest))["domains"]}
    by = {}
    for line in open(a.bulk_jsonl):
        r = json.loads(line)
        if "elapsed_ms" not in r:
            continue
        s = scenario.get(r.get("domain"), "(not in manifest)")
        by.setdefault(s, []).append((r["elapsed_ms"] / 1000.0, r.get("queries", 0)))
    total = sum(e for rows in by.values() for e, _ in rows)
    n = sum(len(rows) for rows in by.values())
    if n == 0:
        sys.exit("where_time_goes: no results with elapsed_ms")
    order = sorted(by, key=lambda s: -sum(e for e, _ in by[s]))
    if a.top:
        order = order[: a.top]
    print(f"{n} checks, {total:.1f} domain-seconds, mean {total / n:.3f} s per check")
    print(f"| {'scenario':<28} | {'domains':>7} | {'median s':>8} | {'max s':>6} | {'median queries':>14} "
          f"| {'share of domain-s':>17} |")
    print(f"|{'-' * 30}|{'-' * 9}|{'-' * 10}|{'-' * 8}|{'-' * 16}|{'-' * 19}|")
    for s in order:
        rows = by[s]
        el = [e for e, _ in rows]
        print(f"| {s:<28} | {len(rows):>7} | {statistics.median(el):>8.3f} | {max(el):>6.2f} | "
              f"{statistics.median(q for _, q in rows):>14.0f} | {100 * sum(el) / total:>16.1f}% |")
    slow = sorted((e for rows in by.values() for e, _ in rows), reverse=True)
    for k in (1, 10, 100):
        if k <= len(slow):
            print(f"slowest {k}: {sum(slow[:k]):.1f} domain-s ({100 * sum(slow[:k]) / total:.1f}%), "
                  f"the {k}th took {slow[k - 1]:.2f} s")


if __name__ == "__main__":
    main()
