#!/usr/bin/env python3
"""The findings of two `dkimdoctor bulk` runs over the same input, compared domain by domain (issue 16: a
speed change must not change what a check finds).

  bench/bulk/findings_diff.py OLD.jsonl NEW.jsonl

Each domain's verdict, headline, error, host limits and findings (code, severity, class, message, fix,
evidence, subject, record) are compared; round-trip times ("12.3 ms", "1.2 s") in the texts are masked,
queries and elapsed_ms are left out. Prints every difference and the count; exit status 1 if any.
"""
import json
import re
import sys

TIME = re.compile(r"\b\d+(\.\d+)?\s?(ms|s)\b")


def mask(v):
    if isinstance(v, str):
        return TIME.sub("<t>", v)
    if isinstance(v, list):
        return [mask(x) for x in v]
    if isinstance(v, dict):
        return {k: mask(x) for k, x in v.items()}
    return v


def load(path):
    out = {}
    for line in open(path):
        r = json.loads(line)
        fs = [{k: f.get(k) for k in ("code", "severity", "class", "message", "fix", "evidence", "subject", "record")}
              for f in r.get("findings", [])]
        key = r.get("domain") or f"line {r.get('line')}"
        out[key] = mask({"verdict": r.get("verdict"), "headline": r.get("headline"), "error": r.get("error"),
                         "host_limits": r.get("host_limits"), "findings": fs})
    return out


def main():
    old, new = load(sys.argv[1]), load(sys.argv[2])
    diffs = 0
    for d in sorted(set(old) | set(new)):
        a, b = old.get(d), new.get(d)
        if a != b:
            diffs += 1
            print(f"--- {d}\n  old: {json.dumps(a, sort_keys=True)}\n  new: {json.dumps(b, sort_keys=True)}")
    print(f"findings_diff: {len(old)} old, {len(new)} new, {diffs} domains differ")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
