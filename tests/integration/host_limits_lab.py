#!/usr/bin/env python3
"""The checking host's limits are never the domain's fault (issue 12), against the real lab:
  - every lab identity checked again with IPv6 disabled in the lab's namespace (as in many containers and
    cloud VMs) gets the same verdict as with IPv6, no finding names an IPv6 address, and the addresses that
    could not be asked are listed once per domain as "host_limits";
  - with no network at all (a new namespace whose loopback is down), `check` and `bulk` each print one
    "no root server answered" error and exit 3, and bulk writes nothing;
  - every check validates DNSSEC with the lab's anchor, as on the real internet;
  - every healthy lab scenario is `ok` with exit 0 and no error or warning finding (advice-only scenarios:
    `ok`, exit 0, and their only warnings are advice).
Usage: host_limits_lab.py PATH/TO/dkimdoctor   (as root, inside the lab namespace, DKIMDOCTOR_LAB set)"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab_support  # noqa: E402

BIN = sys.argv[1]
LAB = os.environ.get("DKIMDOCTOR_LAB")
if not LAB or not os.path.exists(os.path.join(LAB, "identities.jsonl")):
    print("DKIMDOCTOR_LAB is not set or the lab is not up (tests/lab/lab up)")
    print("0 passed, 1 failed")
    sys.exit(1)
HINTS = os.path.join(LAB, "root.hints")
# Validating, as on the real internet (the lab's anchor): DNSSEC verdicts must not depend on IPv6 either.
COMMON = ["--root-hints", HINTS, "--allow-loopback", "--trust-anchor", os.path.join(LAB, "trust-anchor")]
IDENTITIES = os.path.join(LAB, "identities.jsonl")
with open(os.path.join(LAB, "manifest.json")) as f:
    MANIFEST = json.load(f)
passed = failed = 0


def expect(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def bulk():
    r = subprocess.run([BIN, "bulk", IDENTITIES, "--progress", "never", "--key-dir", os.path.join(LAB, "keys")] + COMMON,
                       capture_output=True, text=True, timeout=300)
    return r, {json.loads(l)["domain"]: json.loads(l) for l in r.stdout.splitlines() if l.strip()}


def set_ipv6(disabled):
    v = "1" if disabled else "0"
    subprocess.run(["sysctl", "-qw", f"net.ipv6.conf.all.disable_ipv6={v}", f"net.ipv6.conf.lo.disable_ipv6={v}"],
                   check=True)


# 1. The same verdicts with and without IPv6.
_, with_v6 = bulk()
expect(len(with_v6) == len(MANIFEST["domains"]), f"{len(with_v6)} results with IPv6")
set_ipv6(True)
try:
    _, without_v6 = bulk()
finally:
    set_ipv6(False)
expect(len(without_v6) == len(with_v6), f"{len(without_v6)} results without IPv6")
limited = 0
for domain, a in with_v6.items():
    b = without_v6.get(domain)
    if b is None:
        expect(False, f"{domain}: missing without IPv6")
        continue
    expect(a["verdict"] == b["verdict"], f"{domain}: verdict {a['verdict']} with IPv6, {b['verdict']} without")
    for f in b["findings"]:
        if f["class"] in ("blocks", "may_block", "not_checked") and f["severity"] in ("error", "warning"):
            text = f["message"] + " " + " ".join(f["evidence"])
            expect("::1" not in text, f"{domain}: {f['code']} blames an IPv6 address: {text[:200]}")
    if b.get("host_limits"):
        limited += 1
        expect(all("::1" in h for h in b["host_limits"]), f"{domain}: host_limits {b['host_limits']}")
expect(limited > 0, "some lab domains have IPv6 name servers, listed as host limits")
# IPv6 is back: the ::1 server answers again (later tests use it).
r = subprocess.run(["kdig", "@::1", "+norec", "+time=1", "+retry=2", "SOA", "sixdns.net"], capture_output=True, text=True)
expect("NOERROR" in r.stdout, "::1 answers again after IPv6 is re-enabled")

# 2. No network at all: one error, exit 3, nothing written.
domain = MANIFEST["domains"][0]["domain"]
for name, cmd in (("check", [BIN, "check", domain, "--easy-dkim", "a,b,c"] + COMMON),
                  ("bulk", [BIN, "bulk", IDENTITIES, "--progress", "never"] + COMMON)):
    r = subprocess.run(["unshare", "-n"] + cmd, capture_output=True, text=True, timeout=60)
    lines = r.stderr.splitlines()
    expect(r.returncode == 3, f"no network, {name}: exit {r.returncode}")
    expect(len(lines) == 1 and "no root server answered" in lines[0], f"no network, {name}: stderr {lines[:3]}")
    expect(r.stdout == "", f"no network, {name}: stdout {r.stdout[:200]!r}")

# 3. Healthy scenarios: ok, exit 0, no error or warning (advice-only scenarios: only advice warnings).
for d in MANIFEST["domains"]:
    codes = set(d["expect"]["codes"])
    # The manifest's verdict as a validating check gives it: advice codes only, or none (a DNSSEC problem of
    # the signed scenarios makes it "problems").
    if lab_support.expected_verdict(d) != "ok":
        continue
    j = with_v6[d["domain"]]
    expect(j["verdict"] == "ok", f"{d['domain']} ({d['scenario']}): verdict {j['verdict']}: {j['headline']}")
    expect(j["headline"].startswith("SES will verify"), f"{d['domain']}: headline {j['headline']}")
    for f in j["findings"]:
        if f["severity"] in ("error", "warning"):
            expect(f["class"] == "advice" and f["code"] in codes, f"{d['domain']}: {f['code']} {f['severity']}")
    r = subprocess.run([BIN, "bulk", "-", "--progress", "never", "--key-dir", os.path.join(LAB, "keys")] + COMMON,
                       input=json.dumps(d["identity"]) + "\n",
                       capture_output=True, text=True, timeout=60)
    expect(r.returncode == 0, f"{d['domain']}: bulk exit {r.returncode}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
