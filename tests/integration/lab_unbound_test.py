#!/usr/bin/env python3
"""Unbound resolves every scenario's names through the lab, and the lab serves what the manifest says.

For the first domains of every scenario, the scenario's characteristic records are looked up through the
reference resolver (Unbound on 127.53.255.1, iterating from the lab's root hints), and where the point is a
difference between authoritative servers (stale zone, lame server, NS sets) at those servers directly.
A scenario without a check here fails the test: a new scenario needs its proof.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_support import Checks, dkim_target, fqdn, manifest, pem_body, query, resolve  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab"))
from labgen import HOSTILE_TXT  # noqa: E402

PER_SCENARIO = int(os.environ.get("LAB_TEST_PER_SCENARIO", "2"))


def dkim_name(tok, d):
    return f"{tok}._domainkey.{d['domain']}"


class ScenarioChecks:
    def __init__(self, c, m):
        self.c = c
        self.m = m

    # Building blocks -------------------------------------------------------------------------------
    def chain_to_key(self, d, name, target, hops=1):
        """NAME TXT through Unbound: CNAME (hops of them) ending at TARGET, which holds a DKIM key."""
        a = resolve(name, "TXT")
        dom = d["domain"]
        if not self.c.expect(a is not None and a.rcode == "NOERROR", f"{dom}: {name} TXT resolves: {a}"):
            return
        cnames = a.rr("answer", "CNAME")
        self.c.expect(len(cnames) == hops, f"{dom}: {name} has {hops} CNAME hop(s), got {len(cnames)}")
        self.c.expect(bool(cnames) and cnames[-1]["rdataCNAME"].lower() == fqdn(target),
                      f"{dom}: {name} ends at {target}")
        keys = a.data("answer", "TXT", target)
        self.c.expect(len(keys) == 1 and keys[0].startswith("v=DKIM1; k=rsa; p=MI"),
                      f"{dom}: {target} holds one DKIM key: {keys}")

    def nxdomain(self, d, name, qtype="TXT"):
        a = resolve(name, qtype)
        self.c.expect(a is not None and a.rcode == "NXDOMAIN", f"{d['domain']}: {name} {qtype} is NXDOMAIN: {a}")

    def nodata(self, d, name, qtype):
        a = resolve(name, qtype)
        self.c.expect(a is not None and a.rcode == "NOERROR" and not a.rr("answer", qtype),
                      f"{d['domain']}: {name} {qtype} is NODATA: {a}")

    def txt(self, d, name):
        a = resolve(name, "TXT", tcp=True)
        ok = self.c.expect(a is not None and a.rcode == "NOERROR", f"{d['domain']}: {name} TXT resolves: {a}")
        return a.data("answer", "TXT", name) if ok else []

    def easy_ok(self, d, skip=()):
        ident = d["identity"]
        for k, tok in enumerate(ident["easy_dkim_tokens"]):
            if k not in skip:
                self.chain_to_key(d, dkim_name(tok, d), dkim_target(tok, ident["region"]))
        for extra in ident["additional_regions"]:
            for tok in extra["easy_dkim_tokens"]:
                self.chain_to_key(d, dkim_name(tok, d), dkim_target(tok, extra["region"]))

    def token_ok(self, d):
        vals = self.txt(d, f"_amazonses.{d['domain']}")
        self.c.expect(d["identity"]["verification_token"] in vals, f"{d['domain']}: _amazonses holds the token")

    def dmarc_ok(self, d):
        vals = self.txt(d, f"_dmarc.{d['domain']}")
        self.c.expect(len(vals) == 1 and vals[0].startswith("v=DMARC1; p=quarantine"), f"{d['domain']}: DMARC")

    def healthy_rest(self, d):
        self.token_ok(d)
        self.dmarc_ok(d)

    def auth(self, d, state):
        return [s for s in d["servers"] if s["state"] == state]

    def selector(self, d):
        return f"{d['identity']['byodkim_selector']}._domainkey.{d['domain']}"

    def byodkim_value(self, d):
        vals = self.txt(d, self.selector(d))
        self.c.expect(len(vals) == 1, f"{d['domain']}: one TXT at the selector: {len(vals)}")
        return vals[0] if vals else ""

    def identity_key(self, d):
        return pem_body(d["identity"]["byodkim_public_key_file"])

    # Scenarios -------------------------------------------------------------------------------------
    def s_easy_dkim_ok(self, d):
        self.easy_ok(d)
        self.healthy_rest(d)

    s_regional_ok = s_two_regions = s_glueless_ok = s_ipv6_ok = s_easy_dkim_ok

    def s_byodkim_ok(self, d):
        self.c.expect(self.byodkim_value(d) == f"v=DKIM1; k=rsa; p={self.identity_key(d)}",
                      f"{d['domain']}: BYODKIM TXT holds the identity's key")
        self.healthy_rest(d)

    def s_dkim_missing(self, d):
        for tok in d["identity"]["easy_dkim_tokens"]:
            self.nxdomain(d, dkim_name(tok, d))

    def s_dkim_one_missing(self, d):
        self.easy_ok(d, skip=(2,))
        self.nxdomain(d, dkim_name(d["identity"]["easy_dkim_tokens"][2], d))

    def variant(self, d, fmt):
        for tok in d["identity"]["easy_dkim_tokens"]:
            self.nxdomain(d, dkim_name(tok, d))
            self.chain_to_key(d, fmt.format(t=tok, d=d["domain"]), dkim_target(tok, d["identity"]["region"]))

    def s_underscore_stripped(self, d):
        self.variant(d, "{t}domainkey.{d}")

    def s_underscore_hyphen(self, d):
        self.variant(d, "{t}-domainkey.{d}")

    def s_domain_appended(self, d):
        self.variant(d, "{t}._domainkey.{d}.{d}")

    def s_domainkey_removed(self, d):
        self.variant(d, "{t}.{d}")

    def s_token_lowercased(self, d):
        vt = d["identity"]["verification_token"]
        vals = self.txt(d, f"_amazonses.{d['domain']}")
        self.c.expect(vals == [vt.lower()] and vt.lower() != vt, f"{d['domain']}: token published lowercased")
        self.easy_ok(d)

    def s_hostile_txt(self, d):
        vals = self.txt(d, f"_amazonses.{d['domain']}")
        self.c.expect(vals == [HOSTILE_TXT], f"{d['domain']}: _amazonses holds the hostile value byte for byte: {vals}")
        self.easy_ok(d)

    def s_byodkim_lowercased(self, d):
        self.c.expect(self.byodkim_value(d) == f"v=DKIM1; k=rsa; p={self.identity_key(d).lower()}",
                      f"{d['domain']}: BYODKIM p= lowercased")

    def s_wrong_target(self, d):
        ident = d["identity"]
        self.easy_ok(d, skip=(2,))
        tok = ident["easy_dkim_tokens"][2]
        a = resolve(dkim_name(tok, d), "TXT")
        cn = a.data("answer", "CNAME") if a else []
        self.c.expect(len(cn) == 1 and cn[0] != fqdn(dkim_target(tok, ident["region"]))
                      and cn[0].endswith(".dkim.amazonses.com."), f"{d['domain']}: third CNAME elsewhere: {cn}")
        self.c.expect(a is not None and any(v.startswith("v=DKIM1;") for v in a.data("answer", "TXT")),
                      f"{d['domain']}: the wrong target still holds a key")

    def s_wrong_region_target(self, d):
        for tok in d["identity"]["easy_dkim_tokens"]:
            self.chain_to_key(d, dkim_name(tok, d), dkim_target(tok, None))
            self.c.expect(dkim_target(tok, None) != dkim_target(tok, d["identity"]["region"]), "regional target")

    def s_cname_chain(self, d):
        for tok in d["identity"]["easy_dkim_tokens"]:
            self.chain_to_key(d, dkim_name(tok, d), dkim_target(tok, d["identity"]["region"]), hops=2)

    def s_dkim_wrong_type(self, d):
        for tok in d["identity"]["easy_dkim_tokens"]:
            a = resolve(dkim_name(tok, d), "TXT", tcp=True)
            self.c.expect(a is not None and not a.rr("answer", "CNAME")
                          and any(v.startswith("v=DKIM1;") for v in a.data("answer", "TXT")),
                          f"{d['domain']}: the DKIM name holds a TXT key, no CNAME: {a}")
            self.nodata(d, dkim_name(tok, d), "CNAME")

    def s_target_unresolvable(self, d):
        for tok in d["identity"]["easy_dkim_tokens"]:
            a = resolve(dkim_name(tok, d), "TXT")
            target = dkim_target(tok, d["identity"]["region"])
            self.c.expect(a is not None and a.rcode == "NXDOMAIN" and a.data("answer", "CNAME") == [fqdn(target)],
                          f"{d['domain']}: CNAME to {target}, which is NXDOMAIN: {a}")

    def s_byodkim_key_4096(self, d):
        a = resolve(self.selector(d), "TXT", tcp=True)
        recs = a.rr("answer", "TXT") if a else []
        from lab_support import txt_strings
        strings = txt_strings(recs[0]["RDATAHEX"]) if recs else []
        self.c.expect(len(strings) >= 3 and max(len(s) for s in strings) <= 255,
                      f"{d['domain']}: 4096-bit key in several strings: {[len(s) for s in strings]}")
        self.c.expect("".join(strings) == f"v=DKIM1; k=rsa; p={self.identity_key(d)}",
                      f"{d['domain']}: the strings join to the identity's 4096-bit key")
        self.c.expect(len(self.identity_key(d)) > 700, f"{d['domain']}: the identity key is 4096-bit")

    def s_byodkim_missing(self, d):
        self.nxdomain(d, self.selector(d))

    def s_byodkim_mismatch(self, d):
        v = self.byodkim_value(d)
        self.c.expect(v.startswith("v=DKIM1; k=rsa; p=MI") and self.identity_key(d) not in v,
                      f"{d['domain']}: another key than the identity's")

    def s_byodkim_multiple(self, d):
        vals = self.txt(d, self.selector(d))
        self.c.expect(len(vals) == 2 and f"v=DKIM1; k=rsa; p={self.identity_key(d)}" in vals,
                      f"{d['domain']}: two TXT at the selector, one the identity's: {len(vals)}")

    def s_byodkim_quoted(self, d):
        v = self.byodkim_value(d)
        self.c.expect(v.startswith('"v=DKIM1;') and v.endswith('"'), f"{d['domain']}: literal quotes: {v[:20]}")

    def s_byodkim_testing(self, d):
        self.c.expect("; t=y;" in self.byodkim_value(d), f"{d['domain']}: t=y")

    def s_byodkim_invalid(self, d):
        v = self.byodkim_value(d)
        self.c.expect(v.startswith("v=DKIM1; k=rsa; p=") and "MI" not in v[:20], f"{d['domain']}: not a key")

    def s_byodkim_tag_syntax(self, d):
        self.c.expect(self.byodkim_value(d).startswith("v=DKIM1 k=rsa; p="), f"{d['domain']}: missing ';'")

    def s_tcp_required(self, d):
        name = f"_amazonses.{d['domain']}"
        a = resolve(name, "TXT", tcp=True)
        vals = a.data("answer", "TXT", name) if a else []
        self.c.expect(len(vals) == 36 and d["identity"]["verification_token"] in vals,
                      f"{d['domain']}: 36 TXT values over TCP, the token among them: {len(vals)}")
        for s in self.auth(d, "ok"):
            u = query(s["addresses"][0], name, "TXT", ignore_tc=True, bufsize=1232)
            self.c.expect(u is not None and u.tc, f"{d['domain']}: {s['name']} truncates over UDP/1232: {u}")
            t = query(s["addresses"][0], name, "TXT", tcp=True)
            self.c.expect(t is not None and t.aa and len(t.rr("answer", "TXT")) == 36,
                          f"{d['domain']}: {s['name']} answers all 36 over TCP")
        self.easy_ok(d)

    def soa_serial(self, addr, dom):
        a = query(addr, dom, "SOA")
        soa = a.data("answer", "SOA", dom) if a else []
        return int(soa[0].split()[2]) if soa else None

    def s_stale_secondary(self, d):
        dom = d["domain"]
        third = dkim_name(d["identity"]["easy_dkim_tokens"][2], d)
        for s in d["servers"]:
            addr = s["addresses"][0]
            a = query(addr, third, "CNAME")
            if s["state"] == "stale":
                self.c.expect(a is not None and a.aa and a.rcode == "NXDOMAIN",
                              f"{dom}: stale {s['name']} lacks the third CNAME: {a}")
                self.c.expect(self.soa_serial(addr, dom) == 2026112500, f"{dom}: stale serial at {s['name']}")
            else:
                self.c.expect(a is not None and a.aa and a.rr("answer", "CNAME"),
                              f"{dom}: {s['name']} has the third CNAME: {a}")
                self.c.expect(self.soa_serial(addr, dom) == 2026112601, f"{dom}: current serial at {s['name']}")
        self.c.expect(any(s["state"] == "stale" for s in d["servers"]), f"{dom}: a stale server is listed")
        self.easy_ok(d, skip=(2,))

    def s_lame_server(self, d):
        dom = d["domain"]
        lame = self.auth(d, "lame")
        self.c.expect(len(lame) == 1, f"{dom}: one lame server listed")
        for s in d["servers"]:
            a = query(s["addresses"][0], dom, "SOA")
            if s["state"] == "lame":
                self.c.expect(a is not None and a.rcode == "REFUSED", f"{dom}: {s['name']} is lame (REFUSED): {a}")
            else:
                self.c.expect(a is not None and a.aa, f"{dom}: {s['name']} answers with AA: {a}")
        self.easy_ok(d)

    def tld_referral_ns(self, dom):
        tld = dom.rsplit(".", 1)[1]
        addr = next(s for s in self.m["servers"] if tld in s["zones"])["addresses"][0]
        return query(addr, dom, "SOA")

    def s_ns_set_mismatch(self, d):
        dom = d["domain"]
        ref = self.tld_referral_ns(dom)
        parent = sorted(ref.data("authority", "NS", dom)) if ref else []
        z = resolve(dom, "NS")
        zone = sorted(z.data("answer", "NS", dom)) if z else []
        self.c.expect(parent and zone and not set(parent) & set(zone), f"{dom}: parent {parent} != zone {zone}")
        self.c.expect(parent == sorted(fqdn(s["name"]) for s in d["servers"] if s["in_parent"]), f"{dom}: parent")
        self.c.expect(zone == sorted(fqdn(s["name"]) for s in d["servers"] if s["in_zone"]), f"{dom}: zone NS")
        for s in d["servers"]:
            a = query(s["addresses"][0], dom, "SOA")
            self.c.expect(a is not None and a.aa, f"{dom}: {s['name']} serves the zone")
        self.easy_ok(d)

    def s_not_delegated(self, d):
        dom = d["domain"]
        self.nxdomain(d, dom, "SOA")
        ref = self.tld_referral_ns(dom)
        self.c.expect(ref is not None and ref.aa and ref.rcode == "NXDOMAIN", f"{dom}: NXDOMAIN at the TLD: {ref}")
        for s in d["servers"]:
            a = query(s["addresses"][0], dom, "SOA")
            self.c.expect(a is not None and a.aa, f"{dom}: still hosted (AA) at {s['name']}")

    def s_private_ns(self, d):
        dom = d["domain"]
        ref = self.tld_referral_ns(dom)
        glue = sorted(ref.data("additional", "A")) if ref else []
        self.c.expect(glue == sorted(["10.53.0.1", "192.168.53.2", "172.16.53.3"]), f"{dom}: private glue {glue}")
        a = resolve(dom, "SOA")
        self.c.expect(a is not None and a.rcode == "SERVFAIL", f"{dom}: Unbound cannot resolve it: {a}")

    def s_ns_unreachable(self, d):
        dom = d["domain"]
        dead = self.auth(d, "unreachable")
        self.c.expect(dead and dead[0]["addresses"] == ["127.53.250.250"], f"{dom}: dead NS listed")
        ref = self.tld_referral_ns(dom)
        self.c.expect(ref is not None and "127.53.250.250" in ref.data("additional", "A"), f"{dom}: dead glue")
        a = query("127.53.250.250", dom, "SOA", timeout=1, tries=1)
        self.c.expect(a is None, f"{dom}: nothing answers at 127.53.250.250")
        self.easy_ok(d)
        self.healthy_rest(d)

    def s_token_missing(self, d):
        self.nxdomain(d, f"_amazonses.{d['domain']}")
        self.easy_ok(d)

    def s_token_appended(self, d):
        self.nxdomain(d, f"_amazonses.{d['domain']}")
        self.c.expect(self.txt(d, f"_amazonses.{d['domain']}.{d['domain']}") == [d["identity"]["verification_token"]],
                      f"{d['domain']}: token at the appended name")

    def s_token_underscore(self, d):
        self.nxdomain(d, f"_amazonses.{d['domain']}")
        self.c.expect(self.txt(d, f"amazonses.{d['domain']}") == [d["identity"]["verification_token"]],
                      f"{d['domain']}: token at amazonses.<domain>")

    def mail_from(self, d, region, spf_ok):
        mf = d["identity"]["mail_from"]
        a = resolve(mf, "MX")
        mx = a.data("answer", "MX", mf) if a else []
        self.c.expect(mx == [f"10 feedback-smtp.{region}.amazonses.com."], f"{d['domain']}: MAIL FROM MX {mx}")
        h = resolve(f"feedback-smtp.{region}.amazonses.com", "A")
        self.c.expect(h is not None and h.rr("answer", "A"), f"{d['domain']}: feedback-smtp.{region} resolves")
        spf = self.txt(d, mf)
        self.c.expect(("include:amazonses.com" in spf[0]) == spf_ok if spf else False, f"{d['domain']}: SPF {spf}")
        self.easy_ok(d)

    def s_mail_from_ok(self, d):
        self.mail_from(d, "us-east-1", True)

    def s_mail_from_wrong_mx(self, d):
        self.mail_from(d, "eu-west-1", True)

    def s_mail_from_no_spf(self, d):
        self.mail_from(d, "us-east-1", False)

    def s_dmarc_missing(self, d):
        self.nxdomain(d, f"_dmarc.{d['domain']}")
        self.easy_ok(d)

    def s_dmarc_syntax(self, d):
        self.c.expect(self.txt(d, f"_dmarc.{d['domain']}") == ["v=DMARC1; p=rejected"], f"{d['domain']}: DMARC")

    def mx_of(self, d):
        a = resolve(d["domain"], "MX")
        return a.data("answer", "MX", d["domain"]) if a else None

    def s_email_mx_ok(self, d):
        dom = d["domain"]
        self.c.expect(self.mx_of(d) == [f"10 mx.{dom}."], f"{dom}: MX")
        h = resolve(f"mx.{dom}", "A")
        self.c.expect(h is not None and h.rr("answer", "A"), f"{dom}: MX host resolves")
        self.c.expect(d["identity"]["email"].endswith("@" + dom), f"{dom}: email identity")
        self.easy_ok(d)

    def s_email_no_mx(self, d):
        self.nodata(d, d["domain"], "MX")
        self.nodata(d, d["domain"], "A")
        self.nodata(d, d["domain"], "AAAA")

    def s_email_a_fallback(self, d):
        self.nodata(d, d["domain"], "MX")
        a = resolve(d["domain"], "A")
        self.c.expect(a is not None and a.rr("answer", "A"), f"{d['domain']}: A record present")

    def s_email_null_mx(self, d):
        self.c.expect(self.mx_of(d) == ["0 ."], f"{d['domain']}: null MX: {self.mx_of(d)}")

    # DNSSEC scenarios (their validation: lab_dnssec_unbound_test.py): through the reference Unbound, which
    # does not validate, the SES records are what a healthy domain (or dkim-one-missing) serves.
    def s_dnssec_ok_ecdsa(self, d):
        self.s_easy_dkim_ok(d)

    s_dnssec_ok_rsa = s_dnssec_stale_ds = s_dnssec_expired = s_dnssec_expiring = s_dnssec_ok_ecdsa
    s_dnssec_unsupported_alg = s_dnssec_ok_ecdsa

    def s_dnssec_nsec3_broken(self, d):
        self.s_dkim_one_missing(d)
        self.healthy_rest(d)

    def s_dnssec_unsigned_secondary(self, d):
        dom = d["domain"]
        serials = {s["state"]: self.soa_serial(s["addresses"][0], dom) for s in d["servers"]}
        self.c.expect(serials.get("ok") == serials.get("unsigned") == 2026112601,
                      f"{dom}: signed and unsigned servers, one serial: {serials}")
        self.s_easy_dkim_ok(d)

    def s_email_mx_unresolvable(self, d):
        mx = self.mx_of(d)
        self.c.expect(mx and len(mx) == 1, f"{d['domain']}: one MX")
        if mx:
            self.nxdomain(d, mx[0].split()[1], "A")


def main():
    m = manifest()
    c = Checks("lab unbound")
    sc = ScenarioChecks(c, m)
    seen = {}
    for d in m["domains"]:
        n = seen.get(d["scenario"], 0)
        if n >= PER_SCENARIO:
            continue
        seen[d["scenario"]] = n + 1
        fn = getattr(sc, "s_" + d["scenario"].replace("-", "_"), None)
        if not c.expect(fn is not None, f"scenario {d['scenario']} has a check in lab_unbound_test.py"):
            continue
        fn(d)
    for s in m["scenarios"]:
        c.expect(s["name"] in seen, f"scenario {s['name']} is in the lab (lab too small?)")
    c.finish()


if __name__ == "__main__":
    main()
