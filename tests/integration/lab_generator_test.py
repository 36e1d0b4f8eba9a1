#!/usr/bin/env python3
"""The lab generator (tests/lab/labgen.py) is deterministic for a seed, cycles its scenarios, and writes
zone files NSD accepts. Needs no running lab (label unit): it generates into a temporary directory.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_support import Checks  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LABGEN = os.path.join(REPO, "tests", "lab", "labgen.py")


def generate(state, n, seed, keys=None):
    p = subprocess.run([sys.executable, LABGEN, "--state", state, "--domains", str(n), "--seed", str(seed)]
                       + (["--keys", keys] if keys else []), capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"labgen failed: {p.stderr}")
    with open(os.path.join(state, "manifest.json")) as f:
        m = json.load(f)
    return m


def strip_paths(m, state):
    m = json.loads(json.dumps(m).replace(state, "STATE"))
    m.pop("signed_at", None)  # signatures are made at generation time
    return m


def main():
    c = Checks("lab generator")
    tmp = tempfile.mkdtemp(prefix="labgen-test-")
    try:
        a, b, other = (os.path.join(tmp, x) for x in ("a", "b", "other"))
        n_scen = None
        # DNSSEC keys are random: a and b share a key directory, as one state dir keeps its keys across runs.
        keys = os.path.join(tmp, "keys")
        ma = generate(a, 120, 7, keys)
        mb = generate(b, 120, 7, keys)
        mo = generate(other, 120, 8)
        n_scen = len(ma["scenarios"])
        c.expect(strip_paths(ma, a) == strip_paths(mb, b), "same seed, same manifest")
        for f in ("root.zone", "com.zone", "amazonses.com.zone"):  # before signing (signatures are random)
            c.expect(open(os.path.join(a, "zones", "unsigned", f)).read()
                     == open(os.path.join(b, "zones", "unsigned", f)).read(), f"same seed, same {f}")
        with open(os.path.join(a, "trust-anchor")) as f:
            ta_lines = [ln.split() for ln in f if ln.strip() and not ln.startswith(";")]
        c.expect(len(ta_lines) == 1 and ta_lines[0][:4] == [".", "3600", "IN", "DS"], f"trust anchor: {ta_lines}")
        with open(os.path.join(a, "zones", "root.zone")) as f:
            c.expect("RRSIG\tDNSKEY" in f.read(), "the root zone is signed")
        for d in ma["domains"]:
            zf = os.path.join(a, "zones", f"{d['domain']}.zone")
            if d["scenario"] == "not-delegated" or not os.path.exists(zf):
                continue
            with open(zf) as f:
                signed = "\tRRSIG\t" in f.read()
            c.expect(signed == ("dnssec" in d), f"{d['domain']}: signed exactly when a DNSSEC scenario ({signed})")
        ta = [d["identity"]["easy_dkim_tokens"] for d in ma["domains"]]
        to = [d["identity"]["easy_dkim_tokens"] for d in mo["domains"]]
        c.expect(ta != to, "another seed, other tokens")
        c.expect([d["scenario"] for d in ma["domains"]] == [ma["scenarios"][i % n_scen]["name"] for i in range(120)],
                 "scenarios cycle in order")
        c.expect(n_scen <= 60, f"60 domains (lab up's default) cover all {n_scen} scenarios")

        # NSD accepts every zone file (nsd-checkzone), stale variants included.
        zdir = os.path.join(a, "zones")
        confs = [os.path.join(a, "nsd", s["id"], "nsd.conf") for s in ma["servers"]]
        for conf in confs:
            p = subprocess.run(["nsd-checkconf", conf], capture_output=True, text=True)
            c.expect(p.returncode == 0, f"nsd-checkconf {conf}: {p.stderr.strip()}")
        checked = 0
        for s in ma["servers"]:
            conf = os.path.join(a, "nsd", s["id"], "nsd.conf")
            pairs = open(conf).read().split("zone:")[1:]
            for block in pairs:
                fields = dict(line.strip().split(": ", 1) for line in block.strip().splitlines())
                p = subprocess.run(["nsd-checkzone", fields["name"], os.path.join(zdir, fields["zonefile"])],
                                   capture_output=True, text=True)
                checked += 1
                c.expect(p.returncode == 0, f"nsd-checkzone {fields['name']}: {p.stdout.strip()} {p.stderr.strip()}")
        c.expect(checked > 200, f"checked {checked} zone configurations")
        for sub in ("unbound", "unbound-validator"):
            p = subprocess.run(["unbound-checkconf", os.path.join(a, sub, "unbound.conf")],
                               capture_output=True, text=True)
            c.expect(p.returncode == 0, f"unbound-checkconf {sub}: {p.stdout.strip()} {p.stderr.strip()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
