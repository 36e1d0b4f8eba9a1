#!/usr/bin/env python3
"""dkimdoctor's DNSSEC status agrees with the lab's validating Unbound for every lab name (issue 14).

The names: every SES name of every domain (`names.txt`: what the resolver's Unbound comparison asks), the
manifest's DNSSEC names (the dnssec-* zones' apexes too), and the infrastructure (the SOA of the root, the
TLDs, amazonses.com, the providers, and of the unsigned root-servers.net). Ours: `dkimdoctor resolve
--batch --trust-anchor $TRUST_ANCHOR` (JSON lines, "dnssec" object). Unbound's (`kdig +dnssec` at
VALIDATOR_ADDR): secure = an answer (NOERROR or NXDOMAIN) with AD, insecure = an answer without AD, bogus =
SERVFAIL where the same question with CD set is answered (the data is there; only validation fails); a
SERVFAIL with CD too is "failed" (the name cannot be resolved at all: unreachable or lame servers), which
must be a failed resolution or an indeterminate status on our side. A manifest name's `acceptable` statuses
(dnssec-unsigned-secondary: secure or bogus, depending on which server was asked) may differ between the two.
Usage: lab_dnssec_status.py PATH/TO/dkimdoctor   (inside the lab namespace, DKIMDOCTOR_LAB set)"""
import collections
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_support import Checks, manifest, validate  # noqa: E402

BIN = sys.argv[1]


def key(name, qtype):
    return (name.lower().rstrip("."), qtype.upper())


def lab_names(m):
    """(name, type) pairs, in a stable order, without repeats; plus {pair: acceptable statuses}."""
    lab = os.environ["DKIMDOCTOR_LAB"]
    pairs, acceptable = [], {}
    with open(os.path.join(lab, "names.txt")) as f:
        pairs += [tuple(line.split()[:2]) for line in f if line.strip()]
    for d in m["domains"]:
        for n in d.get("dnssec", {}).get("names", []):
            pairs.append((n["name"], n["type"]))
            acceptable[key(n["name"], n["type"])] = set(n["acceptable"])
    customer = {d["domain"] for d in m["domains"]}
    zones = sorted({z for s in m["servers"] for z in s["zones"]} - customer)
    pairs += [(z, "SOA") for z in zones]
    seen, out = set(), []
    for p in pairs:
        if key(*p) not in seen:
            seen.add(key(*p))
            out.append(p)
    return out, acceptable


def ours(m, pairs):
    tmp = tempfile.mkdtemp(prefix="dkimdoctor-dnssec-status-")
    path = os.path.join(tmp, "names.txt")
    with open(path, "w") as f:
        f.write("".join(f"{n} {t}\n" for n, t in pairs))
    args = [BIN, "resolve", "--batch", path, "--concurrency", "100", "--root-hints", m["root_hints"],
            "--allow-loopback", "--trust-anchor", m["trust_anchor"]]
    p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    if len(lines) != len(pairs):
        print(f"resolve --batch: {len(lines)} lines for {len(pairs)} names, exit {p.returncode}\n"
              f"{p.stderr.decode(errors='replace')}")
        sys.exit(1)
    return lines


def our_status(r):
    status = r.get("dnssec", {}).get("status", "not validated")
    if "error" in r and status in ("not validated", "indeterminate"):
        return "failed"
    if r.get("rcode") == "SERVFAIL" and status != "bogus":
        return "failed"
    return status


def unbound_status(name, qtype):
    a = validate(name, qtype)
    if a is None:
        return "no answer"
    if a.rcode in ("NOERROR", "NXDOMAIN"):
        return "secure" if a.ad else "insecure"
    if a.rcode == "SERVFAIL":
        cd = validate(name, qtype, cd=True)
        return "bogus" if cd is not None and cd.rcode in ("NOERROR", "NXDOMAIN") else "failed"
    return a.rcode


def main():
    m = manifest()
    c = Checks("lab dnssec status")
    pairs, acceptable = lab_names(m)
    results = ours(m, pairs)
    tally = collections.Counter()
    for (name, qtype), r in zip(pairs, results):
        got, want = our_status(r), unbound_status(name, qtype)
        ok_set = acceptable.get(key(name, qtype))
        if got == want:
            tally[f"match {got}"] += 1
        elif ok_set and got in ok_set and want in ok_set:
            tally[f"acceptable ours {got} / unbound {want}"] += 1
        else:
            tally[f"MISMATCH ours {got} / unbound {want}"] += 1
        c.expect(got == want or (ok_set is not None and got in ok_set and want in ok_set),
                 f"{name} {qtype}: ours {got} ({r.get('dnssec', {}).get('reason', '')} "
                 f"{r.get('rcode', r.get('error'))}), unbound {want}")
    print(f"{len(pairs)} names:")
    for k, v in sorted(tally.items()):
        print(f"  {v:5d} {k}")
    c.expect(any(k.startswith("match bogus") for k in tally), "some bogus name in the lab (a dnssec-* scenario)")
    c.expect(any(k.startswith("match secure") for k in tally), "some secure name in the lab")
    c.expect(any(k.startswith("match insecure") for k in tally), "some insecure name in the lab")
    c.finish()


if __name__ == "__main__":
    main()
