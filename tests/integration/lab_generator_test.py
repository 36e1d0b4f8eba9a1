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


def generate(state, n, seed):
    p = subprocess.run([sys.executable, LABGEN, "--state", state, "--domains", str(n), "--seed", str(seed)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"labgen failed: {p.stderr}")
    with open(os.path.join(state, "manifest.json")) as f:
        m = json.load(f)
    return m


def strip_paths(m, state):
    return json.loads(json.dumps(m).replace(state, "STATE"))


def main():
    c = Checks("lab generator")
    tmp = tempfile.mkdtemp(prefix="labgen-test-")
    try:
        a, b, other = (os.path.join(tmp, x) for x in ("a", "b", "other"))
        n_scen = None
        ma = generate(a, 120, 7)
        mb = generate(b, 120, 7)
        mo = generate(other, 120, 8)
        n_scen = len(ma["scenarios"])
        c.expect(strip_paths(ma, a) == strip_paths(mb, b), "same seed, same manifest")
        for f in ("root.zone", "com.zone", "amazonses.com.zone"):
            c.expect(open(os.path.join(a, "zones", f)).read() == open(os.path.join(b, "zones", f)).read(),
                     f"same seed, same {f}")
        ta = [d["identity"]["easy_dkim_tokens"] for d in ma["domains"]]
        to = [d["identity"]["easy_dkim_tokens"] for d in mo["domains"]]
        c.expect(ta != to, "another seed, other tokens")
        c.expect([d["scenario"] for d in ma["domains"]] == [ma["scenarios"][i % n_scen]["name"] for i in range(120)],
                 "scenarios cycle in order")
        c.expect(n_scen <= 50, f"50 domains cover all {n_scen} scenarios")

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
        p = subprocess.run(["unbound-checkconf", os.path.join(a, "unbound", "unbound.conf")],
                           capture_output=True, text=True)
        c.expect(p.returncode == 0, f"unbound-checkconf: {p.stdout.strip()} {p.stderr.strip()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
