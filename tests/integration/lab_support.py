"""Helpers for the lab integration tests: the manifest, and DNS queries with kdig (+json) inside the lab.

These tests run inside the lab's network namespace (tests/lab/lab exec ctest ...). Every query names its
server explicitly (@127.53.x.y or @::1): nothing here ever uses the system resolver.
"""
import ipaddress
import json
import os
import subprocess
import sys

RCODE = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


class Failure(Exception):
    pass


def lab_dir():
    d = os.environ.get("DKIMDOCTOR_LAB")
    if not d:
        print("DKIMDOCTOR_LAB is not set: bring the lab up (tests/lab/lab up) and run the integration tests "
              "inside it (tests/lab/lab exec ctest -L integration)", file=sys.stderr)
        sys.exit(1)
    if not os.path.exists(os.path.join(d, "manifest.json")):
        print(f"DKIMDOCTOR_LAB={d} holds no manifest.json: run tests/lab/lab up", file=sys.stderr)
        sys.exit(1)
    return d


def manifest():
    with open(os.path.join(lab_dir(), "manifest.json")) as f:
        return json.load(f)


def check_address(server):
    """The hard rule, enforced by the tests themselves: only lab loopback addresses are ever queried."""
    a = ipaddress.ip_address(server)
    if not (a == ipaddress.ip_address("::1") or a in ipaddress.ip_network("127.53.0.0/16")):
        raise Failure(f"refusing to query {server}: the lab lives in 127.53.0.0/16 and ::1")


def txt_strings(rdata_hex):
    """The character-strings of a TXT RDATA (RFC 1035 3.3.14) from kdig's RDATAHEX."""
    data = bytes.fromhex(rdata_hex)
    out, i = [], 0
    while i < len(data):
        n = data[i]
        if i + 1 + n > len(data):
            raise Failure(f"TXT RDATA overruns: {rdata_hex}")
        out.append(data[i + 1:i + 1 + n].decode("latin-1"))
        i += 1 + n
    return out


class Answer:
    def __init__(self, server, name, qtype, raw):
        self.server, self.name, self.qtype, self.raw = server, name, qtype, raw
        self.rcode = RCODE.get(raw.get("RCODE"), str(raw.get("RCODE")))
        self.aa = raw.get("AA") == 1
        self.tc = raw.get("TC") == 1
        self.ad = raw.get("AD") == 1
        self.answer = raw.get("answerRRs", [])
        self.authority = raw.get("authorityRRs", [])
        self.additional = raw.get("additionalRRs", [])

    def __repr__(self):
        return (f"@{self.server} {self.name} {self.qtype}: {self.rcode} aa={int(self.aa)} tc={int(self.tc)} "
                f"an={len(self.answer)} ns={len(self.authority)} ar={len(self.additional)}")

    @staticmethod
    def _sel(rrs, rtype, owner=None):
        return [r for r in rrs if r.get("TYPEname") == rtype
                and (owner is None or r["NAME"].lower() == fqdn(owner))]

    def rr(self, section, rtype, owner=None):
        return self._sel(getattr(self, section), rtype, owner)

    def data(self, section, rtype, owner=None):
        """Presentation data of matching records: names lowercased, TXT as the joined strings."""
        out = []
        for r in self.rr(section, rtype, owner):
            if rtype == "TXT":
                out.append("".join(txt_strings(r["RDATAHEX"])))
            else:
                out.append(str(r.get(f"rdata{rtype}", r.get("RDATAHEX"))).lower())
        return out


def fqdn(name):
    name = name.lower()
    return name if name.endswith(".") else name + "."


def query(server, name, qtype, rd=False, tcp=False, ignore_tc=False, bufsize=1232, timeout=3, tries=2,
          dnssec=False, cd=False):
    """One query with kdig; returns an Answer, or None if the server never answered. dnssec: DO bit (and
    AD=1 asked, RFC 6840 §5.7); cd: checking disabled."""
    check_address(server)
    cmd = ["kdig", f"@{server}", "+json", f"+time={timeout}", f"+retry={tries - 1}", f"+bufsize={bufsize}",
           "+rec" if rd else "+norec", "+nocookie"]
    if dnssec:
        cmd += ["+dnssec", "+adflag"]
    if cd:
        cmd.append("+cdflag")
    if tcp:
        cmd.append("+tcp")
    if ignore_tc:
        cmd.append("+ignore")
    cmd += [name, qtype]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout * tries + 10)
    out = p.stdout.strip()
    if p.returncode != 0 or not out.startswith("{"):
        return None
    # kdig prints one JSON object per message; with a TCP retry after TC=1 the last is the final one.
    dec = json.JSONDecoder()
    objs, i = [], 0
    while i < len(out):
        obj, j = dec.raw_decode(out, i)
        objs.append(obj)
        i = j
        while i < len(out) and out[i].isspace():
            i += 1
    return Answer(server, name, qtype, objs[-1])


def resolve(name, qtype, **kw):
    """Through the lab's Unbound (recursion desired)."""
    return query(manifest_cached()["unbound"], name, qtype, rd=True, **kw)


def validate(name, qtype, **kw):
    """Through the lab's validating Unbound (trust anchor: the lab's root DS), DO bit set."""
    return query(manifest_cached()["validator"], name, qtype, rd=True, dnssec=True, **kw)


_MANIFEST = None


def manifest_cached():
    global _MANIFEST
    if _MANIFEST is None:
        _MANIFEST = manifest()
    return _MANIFEST


def server_pid_alive(server_id):
    """Is the NSD process of this server running (its pidfile's PID is a live nsd)?"""
    pidfile = os.path.join(lab_dir(), "nsd", server_id, "nsd.pid")
    try:
        pid = int(open(pidfile).read().strip())
        comm = open(f"/proc/{pid}/comm").read().strip()
    except (OSError, ValueError):
        return False
    return comm == "nsd" or comm.startswith("nsd:")


class Checks:
    """Collects failures so one run reports every broken expectation, then exits non-zero."""

    def __init__(self, title):
        self.title = title
        self.failures = []
        self.passed = 0

    def expect(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failures.append(what)
        return cond

    def finish(self):
        for f in self.failures:
            print(f"FAIL: {f}", file=sys.stderr)
        print(f"{self.title}: {self.passed} checks passed, {len(self.failures)} failed")
        sys.exit(1 if self.failures or self.passed == 0 else 0)


REGIONS_WITH_OWN_TARGET = ("eu-central-2", "ap-southeast-3")


def dkim_target(token, region):
    """Where SES expects the Easy DKIM CNAME of this token to point (as the lab generates it)."""
    if region in REGIONS_WITH_OWN_TARGET:
        return f"{token}.dkim.{region}.amazonses.com"
    return f"{token}.dkim.amazonses.com"


def pem_body(path):
    with open(path) as f:
        return "".join(line.strip() for line in f if not line.startswith("-----"))


def advice_codes():
    """Finding codes of the class "advice", read from docs/findings.md (kept equal to the catalog by a
    test): they never make a verdict "problems"."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "findings.md")
    codes = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.split("|")]
            if len(cells) > 3 and cells[1].startswith("`") and cells[2] == "advice":
                codes.add(cells[1].strip("`"))
    return codes


# DNSSEC (issue 14): the lab is signed, and the tests that run `check`/`bulk` validate with its trust anchor
# (`--trust-anchor $TRUST_ANCHOR`). The manifest's expect.codes/verdict are those without validation; a
# domain's DNSSEC_* findings are its `dnssec.codes` (signed zones) or DNSSEC_INSECURE (an unsigned zone under
# the lab's signed TLDs: a note, never a problem), and a DNSSEC problem makes the verdict "problems".
# Nothing at all where no name SES reads resolves: a domain the TLD does not delegate (its NXDOMAIN is
# secure, but there is no zone to judge) and one whose servers are all refused by the address policy.
DNSSEC_NOT_PROBLEMS = ("DNSSEC_OK", "DNSSEC_INSECURE", "DNSSEC_INDETERMINATE")
DNSSEC_NO_ZONE_SCENARIOS = ("not-delegated", "private-ns")


def trust_anchor_args():
    return ["--trust-anchor", os.path.join(lab_dir(), "trust-anchor")]


def expected_dnssec(d):
    """(set of DNSSEC_* codes, the DNSSEC_BOGUS cause or None) a validating check reports for this domain."""
    if d["scenario"] in DNSSEC_NO_ZONE_SCENARIOS:
        return set(), None
    if "dnssec" not in d:
        return {"DNSSEC_INSECURE"}, None
    return set(d["dnssec"]["codes"]), d["dnssec"]["cause"]




def dnssec_as_expected(d, codes, causes):
    """Do these DNSSEC_* codes and DNSSEC_BOGUS causes (dnssec_findings) match the domain's expectation?"""
    want, cause = expected_dnssec(d)
    return codes == want and causes == ({cause} if cause else set())


def expected_verdict(d):
    codes, _ = expected_dnssec(d)
    return "problems" if codes - set(DNSSEC_NOT_PROBLEMS) else d["expect"]["verdict"]


def dnssec_findings(findings):
    """(set of DNSSEC_* codes, set of DNSSEC_BOGUS causes) of a check's JSON findings."""
    codes = {f["code"] for f in findings if f["code"].startswith("DNSSEC_")}
    causes = {f.get("cause") for f in findings if f["code"] == "DNSSEC_BOGUS"}
    return codes, causes
