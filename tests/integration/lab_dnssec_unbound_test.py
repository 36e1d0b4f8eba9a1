#!/usr/bin/env python3
"""The signed lab, with Unbound's validator as the reference (issue 14).

- Every name the manifest gives a DNSSEC expectation (the first domains of every dnssec-* scenario) is
  asked of the lab's validating Unbound (127.53.255.2, trust anchor: the lab's root DS) with the DO bit:
  secure = an answer with AD set; insecure = an answer without AD; bogus = SERVFAIL, and with CD set the
  data is there (the zone serves it; only validation fails).
- The signed infrastructure (root, TLDs, amazonses.com, the providers) is secure, an unsigned customer
  zone under a signed TLD is insecure, a name absent from a signed TLD is a secure NXDOMAIN.
- What each scenario breaks is checked at the authoritative servers (DO bit, no recursion): the stale DS's
  key tag, signature windows, the unsigned secondary, the NSEC3 hole, the RSAMD5 key; and the trust anchor
  file is the DS of the key the root servers serve.
"""
import calendar
import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_support import Checks, manifest, query, validate  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab"))
from labsign import name_wire, nsec3_hash  # noqa: E402

PER_SCENARIO = int(os.environ.get("LAB_TEST_PER_SCENARIO", "2"))
ANSWERED = ("NOERROR", "NXDOMAIN")


def observed_status(a):
    if a is None:
        return "no answer"
    if a.rcode == "SERVFAIL":
        return "bogus"
    if a.rcode in ANSWERED:
        return "secure" if a.ad else "insecure"
    return a.rcode


def key_tag(rdata_hex):
    """RFC 4034 Appendix B (not for algorithm 1, whose tag is the modulus' low bits: B.1)."""
    data = bytes.fromhex(rdata_hex)
    if data[3] == 1:
        return int.from_bytes(data[-3:-1], "big")
    acc = sum(b << 8 if i % 2 == 0 else b for i, b in enumerate(data))
    return (acc + (acc >> 16)) & 0xFFFF


class DnssecChecks:
    def __init__(self, c, m):
        self.c, self.m = c, m

    def tld_server(self, domain):
        tld = domain.rsplit(".", 1)[1]
        return next(s for s in self.m["servers"] if tld in s["zones"])["addresses"][0]

    def ds(self, domain):
        a = query(self.tld_server(domain), domain, "DS", dnssec=True)
        return a.data("answer", "DS", domain) if a else []

    def dnskeys(self, server, zone):
        a = query(server, zone, "DNSKEY", dnssec=True)
        return a.rr("answer", "DNSKEY", zone) if a else []

    def rrsigs(self, server, name, qtype):
        a = query(server, name, qtype, dnssec=True)
        return [r["rdataRRSIG"].split() for r in (a.rr("answer", "RRSIG", name) if a else [])]

    # Through the validating Unbound ---------------------------------------------------------------------
    def names(self, d):
        for n in d["dnssec"]["names"]:
            a = validate(n["name"], n["type"])
            got = observed_status(a)
            self.c.expect(got in n["acceptable"], f"{d['domain']}: {n['name']} {n['type']}: validator says {got}, "
                          f"manifest {n['acceptable']} ({n['reason']}): {a}")
            if got == "bogus":
                cd = validate(n["name"], n["type"], cd=True)
                self.c.expect(cd is not None and cd.rcode in ANSWERED,
                              f"{d['domain']}: with CD the data of {n['name']} is there: {cd}")
            if n["status"] == "bogus" and n["reason"] == "denial_not_proven":
                cd = validate(n["name"], n["type"], cd=True)
                self.c.expect(cd is not None and cd.rcode == "NXDOMAIN", f"{n['name']}: NXDOMAIN (CD): {cd}")

    # At the authoritative servers -----------------------------------------------------------------------
    def served(self, d):
        """Every server of a signed domain that is meant to sign serves RRSIGs; the DS exists in the TLD."""
        dom, exp = d["domain"], d["dnssec"]
        ds = self.ds(dom)
        self.c.expect(len(ds) == 1 and int(ds[0].split()[1]) == exp["algorithm"], f"{dom}: one DS in the TLD: {ds}")
        for s in d["servers"]:
            sigs = self.rrsigs(s["addresses"][0], dom, "SOA")
            if s["state"] == "unsigned":
                self.c.expect(not sigs, f"{dom}: {s['name']} serves the zone unsigned: {sigs}")
                continue
            self.c.expect(len(sigs) == 1 and int(sigs[0][1]) == exp["algorithm"],
                          f"{dom}: {s['name']} signs SOA with algorithm {exp['algorithm']}: {sigs}")
            if sigs:
                signed_at = self.m["signed_at"]
                exp_t = to_epoch(sigs[0][4])
                inc_t = to_epoch(sigs[0][5])
                self.c.expect(abs(exp_t - (signed_at + exp["valid_until_hours"] * 3600)) <= 2
                              and abs(inc_t - (signed_at + exp["valid_from_hours"] * 3600)) <= 2,
                              f"{dom}: {s['name']} signature window {sigs[0][5]}..{sigs[0][4]} is "
                              f"{exp['valid_from_hours']}..{exp['valid_until_hours']} h from {signed_at}")
        if ds:
            tags = [key_tag(k["RDATAHEX"]) for k in self.dnskeys(d["servers"][0]["addresses"][0], dom)]
            self.c.expect((int(ds[0].split()[0]) in tags) == exp["ds_matches_key"],
                          f"{dom}: DS tag {ds[0].split()[0]} vs DNSKEY tags {tags} (match: {exp['ds_matches_key']})")

    def nsec3_hole(self, d):
        dom = d["domain"]
        broken = [n for n in d["dnssec"]["names"] if n["status"] == "bogus"]
        hole = nsec3_hash(f"_domainkey.{dom}")
        for s in d["servers"]:
            p = query(s["addresses"][0], dom, "NSEC3PARAM", dnssec=True)
            self.c.expect(p is not None and p.data("answer", "NSEC3PARAM", dom) == ["1 0 0 -"],
                          f"{dom}: NSEC3PARAM 1 0 0 - at {s['name']}: {p}")
            for n in broken:
                a = query(s["addresses"][0], n["name"], "TXT", dnssec=True)
                owners = [r["NAME"].split(".")[0].lower() for r in (a.rr("authority", "NSEC3") if a else [])]
                self.c.expect(a is not None and a.aa and a.rcode == "NXDOMAIN" and owners and hole not in owners,
                              f"{dom}: {s['name']}: {n['name']} NXDOMAIN with NSEC3s {owners}, none at {hole}")
        self.c.expect(len(broken) == 1, f"{dom}: exactly one bogus name (the missing DKIM CNAME): {broken}")

    def domain(self, d):
        self.names(d)
        self.served(d)
        if d["scenario"] == "dnssec-nsec3-broken":
            self.nsec3_hole(d)

    # The rest of the hierarchy ---------------------------------------------------------------------------
    def infrastructure(self):
        zones = sorted({z for s in self.m["servers"] for z in s["zones"]} - {"root-servers.net"})
        zones = [z for z in zones if not any(z == d["domain"] for d in self.m["domains"])]
        for z in zones:
            a = validate(z, "SOA")
            self.c.expect(observed_status(a) == "secure", f"{z} SOA is secure: {a}")
        a = validate("root-servers.net", "SOA")
        self.c.expect(observed_status(a) == "insecure", f"root-servers.net (unsigned, under net) is insecure: {a}")

    def unsigned_domains(self):
        seen = set()
        for d in self.m["domains"]:
            scen = d["scenario"]
            if scen in seen or scen not in ("easy-dkim-ok", "byodkim-ok", "dkim-missing", "not-delegated"):
                continue
            seen.add(scen)
            if scen == "not-delegated":
                a = validate(d["domain"], "SOA")
                self.c.expect(a is not None and a.rcode == "NXDOMAIN" and a.ad,
                              f"{d['domain']}: NXDOMAIN proven by the TLD's NSEC (AD): {a}")
                continue
            a = validate(f"_amazonses.{d['domain']}", "TXT")
            self.c.expect(observed_status(a) == "insecure" and a.rcode == "NOERROR",
                          f"{d['domain']}: unsigned zone under a signed TLD is insecure: {a}")
            self.c.expect(not self.ds(d["domain"]), f"{d['domain']}: no DS in the TLD")
        self.c.expect(len(seen) == 4, f"unsigned scenarios checked: {sorted(seen)}")

    def trust_anchor(self):
        with open(self.m["trust_anchor"]) as f:
            lines = [ln.split() for ln in f if ln.strip() and not ln.startswith(";")]
        self.c.expect(len(lines) == 1 and lines[0][0] == "." and lines[0][3] == "DS", f"trust anchor: {lines}")
        if not lines:
            return
        tag, alg, digest_type, digest = lines[0][4:8]
        for addr in self.m["root_servers"]:
            keys = self.dnskeys(addr, ".")
            digests = [hashlib.sha256(name_wire(".") + bytes.fromhex(k["RDATAHEX"])).hexdigest() for k in keys]
            self.c.expect(digest_type == "2" and digest.lower() in digests
                          and int(tag) in [key_tag(k["RDATAHEX"]) for k in keys],
                          f"the trust anchor is the DS of the root key served at {addr}")


def to_epoch(stamp):
    return calendar.timegm(time.strptime(stamp, "%Y%m%d%H%M%S"))


def main():
    m = manifest()
    c = Checks("lab dnssec unbound")
    dc = DnssecChecks(c, m)
    age_h = (time.time() - m["signed_at"]) / 3600
    if not c.expect(age_h < 47, f"the lab was signed {age_h:.0f} h ago: dnssec-expiring's signatures (48 h) are "
                    "about to expire, run tests/lab/lab up again"):
        c.finish()
    dc.trust_anchor()
    dc.infrastructure()
    dc.unsigned_domains()
    seen = {}
    for d in m["domains"]:
        if "dnssec" not in d or seen.get(d["scenario"], 0) >= PER_SCENARIO:
            continue
        seen[d["scenario"]] = seen.get(d["scenario"], 0) + 1
        dc.domain(d)
    for s in m["scenarios"]:
        if s["name"].startswith("dnssec-"):
            c.expect(s["name"] in seen, f"scenario {s['name']} is in the lab (lab too small?)")
    c.finish()


if __name__ == "__main__":
    main()
