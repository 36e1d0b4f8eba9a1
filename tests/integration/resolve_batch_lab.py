#!/usr/bin/env python3
"""`dkimdoctor resolve --batch` against the real lab: every lab name (plus hostile lines) yields exactly
one JSON line, in input order, and the answers are the same with one thread and with several
(--threads: shards with their own resolvers) and agree with Unbound's rcode for every name.
Usage: resolve_batch_lab.py PATH/TO/dkimdoctor   (inside the lab namespace, DKIMDOCTOR_LAB set)"""
import json
import os
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
LAB = os.environ.get("DKIMDOCTOR_LAB")
if not LAB or not os.path.exists(os.path.join(LAB, "names.txt")):
    print("DKIMDOCTOR_LAB is not set or the lab is not up (tests/lab/lab up)")
    print("0 passed, 1 failed")
    sys.exit(1)
HINTS = os.path.join(LAB, "root.hints")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab_support  # noqa: E402

with open(os.path.join(LAB, "names.txt"), "rb") as f:
    names = [l for l in f.read().splitlines() if l.strip()]
hostile = [b"", b"a..b TXT", b"example.com NOSUCHTYPE", b"one two three", b"\xff\xfe\x00 A", b"x" * 300 + b".com"]
lines = names[:]
for i, h in enumerate(hostile):
    lines.insert(1 + i * (len(names) // len(hostile)), h)
tmp = tempfile.mkdtemp(prefix="dkimdoctor-batch-")
path = os.path.join(tmp, "in.txt")
with open(path, "wb") as f:
    f.write(b"\n".join(lines) + b"\n")

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def run(threads, stdin=False):
    args = [BIN, "resolve", "--batch", "-" if stdin else path, "--concurrency", "200", "--threads", str(threads),
            "--root-hints", HINTS, "--allow-loopback"]
    with open(path, "rb") as f:
        p = subprocess.run(args, stdin=f if stdin else subprocess.DEVNULL, capture_output=True, timeout=300)
    out = [json.loads(l) for l in p.stdout.splitlines()]
    return p.returncode, out


def comparable(r):
    """What must not depend on threads: the outcome and the answer (TTLs and timings aside)."""
    answer = sorted((a["name"].lower(), a["type"], a["data"]) for a in r.get("answer", []))
    return (r.get("rcode"), r.get("error", "").split(":")[0], tuple(answer))


results = {}
for threads, stdin in ((1, False), (3, False), (2, True)):
    label = f"threads={threads}{' stdin' if stdin else ''}"
    status, out = run(threads, stdin)
    check(f"{label}: exit 0", status == 0, status)
    check(f"{label}: one line per input line", len(out) == len(lines), f"{len(out)} lines for {len(lines)}")
    check(f"{label}: lines in input order", [r["line"] for r in out] == list(range(1, len(lines) + 1)))
    # Lines that are not NAME [TYPE] are errors; raw octets make a valid (non-existent) name.
    bad = [(l, out[i]) for i, l in enumerate(lines) if l in hostile and l != b"\xff\xfe\x00 A" and "error" not in out[i]]
    raw = [out[i] for i, l in enumerate(lines) if l == b"\xff\xfe\x00 A"]
    check(f"{label}: malformed lines are errors", not bad, bad[:2])
    check(f"{label}: raw octets are a name", raw and raw[0].get("rcode") == "NXDOMAIN" and raw[0]["name"] == "\\255\\254\\000.", raw)
    results[label] = out

base = results["threads=1"]
# A stale secondary answers differently from its primary by design: which one is asked is chance.
steady = [i for i, l in enumerate(lines) if b"stale-secondary" not in l and b"ns-mismatch" not in l]
for label in ("threads=3", "threads=2 stdin"):
    diff = [lines[i] for i in steady if comparable(results[label][i]) != comparable(base[i])]
    check(f"{label}: same answers as one thread", not diff, f"{len(diff)} differ, e.g. {diff[:3]}")

# Unbound (the lab's reference resolver) gives the same rcode for the names (a sample; the resolver's
# own lab test compares every name and answer RRset).
disagree = []
sample = [i for i in steady if lines[i] not in hostile][::max(1, len(steady) // 100)]
for i in sample:
    fields = lines[i].decode().split()
    u = lab_support.resolve(fields[0], fields[1] if len(fields) > 1 else "A")
    ours = base[i].get("rcode", "SERVFAIL")
    if u is None or u.rcode != ours:
        disagree.append((lines[i], ours, u.rcode if u else None))
check(f"rcodes agree with Unbound ({len(sample)} names)", not disagree, disagree[:3])

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
