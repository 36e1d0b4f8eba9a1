#!/usr/bin/env python3
"""Synthesises a bulk run of N domains from a real one (the lab's), for the dashboard's size and speed.

Reads a `dkimdoctor bulk` JSON Lines output and writes N lines cycling through it: line i is a copy of
result (i mod len) with its domain renamed to "<original label>-<i>.<tld>" everywhere in the line, every
token, key or other word of 20 or more base64 characters replaced by a random one of the same length (so no
two domains share a DKIM name or a message, as in a real run, and nothing compresses better than it would),
"servers"
and every "evidence" dropped and passed findings dropped (the dashboard reads none of them; keeping them
would only make this file ten times larger), and "line": i. Also writes the matching input (one domain per
line). `bulk INPUT --output OUTPUT --resume --html FILE` then reads the N lines back as an earlier run's
and writes the dashboard of all of them through the same code as a live run, without checking anything.

  synthesise.py RESULTS.jsonl N OUT_RESULTS.jsonl OUT_INPUT.txt
"""
import json
import random
import re
import sys

src, n, out_results, out_input = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
base = []
with open(src) as f:
    for text in f:
        r = json.loads(text)
        if "error" in r or not r.get("domain"):
            continue
        r.pop("servers", None)
        r["findings"] = [dict((k, v) for k, v in x.items() if k != "evidence")
                         for x in r.get("findings", []) if x.get("class") != "passed"]
        base.append((r["domain"], json.dumps(r, ensure_ascii=False, sort_keys=True)))
if not base:
    sys.exit(f"synthesise: no checked line in {src}")
TOKEN = re.compile(r"[A-Za-z0-9+/]{20,}")
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
rng = random.Random(17)
with open(out_results, "w") as res, open(out_input, "w") as inp:
    for i in range(1, n + 1):
        domain, text = base[(i - 1) % len(base)]
        label, _, tld = domain.rpartition(".")
        new = f"{label.rsplit('-', 1)[0]}-{i}.{tld}"
        text = text.replace(domain, new)
        fresh = {}
        for word in set(TOKEN.findall(text)):
            fresh[word] = "".join(rng.choice(ALPHABET if word.isalnum() else ALPHABET + "+/") for _ in word)
        text = TOKEN.sub(lambda m: fresh[m.group(0)], text)
        r = json.loads(text)
        r["line"] = i
        res.write(json.dumps(r, ensure_ascii=False) + "\n")
        inp.write(new + "\n")
