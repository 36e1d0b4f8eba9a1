#!/usr/bin/env python3
"""Every scenario exists in the running lab, and the manifest and its companion files keep their contract.

- every scenario of the generator is served by at least one domain, and the servers it names run;
- expected codes are finding codes of issue 5 (and of diagnose/findings.cpp's catalog, with the severity the
  manifest promises: `codes` are error/warning, `info` are info), verdict "ok" exactly when no codes but advice;
- identities have the SES shapes (32-char [a-z2-7] tokens, 44-char mixed-case base64 verification token,
  PEM files that exist); identities.jsonl, names.txt, root.hints and lab.env agree with the manifest.
"""
import base64
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_support import Checks, advice_codes, lab_dir, manifest, server_pid_alive  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The finding codes named in issue 5, plus the legacy-token variants the catalog names.
ISSUE5_CODES = set("""
DOMAIN_NOT_DELEGATED NS_PRIVATE_ADDRESS NS_UNREACHABLE NS_LAME NS_SET_MISMATCH SOA_SERIAL_MISMATCH
RECORD_INCONSISTENT TCP_REQUIRED TCP_FAILED NEGATIVE_CACHE_TTL DKIM_OK DKIM_RECORD_MISSING DKIM_WRONG_TYPE
DKIM_WRONG_TARGET DKIM_UNDERSCORE_STRIPPED DKIM_DOMAIN_APPENDED DKIM_DOMAINKEY_REMOVED DKIM_MULTIPLE_VALUES
CNAME_WITH_OTHER_DATA DKIM_TARGET_UNRESOLVABLE DKIM_CNAME_CHAIN DKIM_TXT_MISSING DKIM_KEY_INVALID
VALUE_CASE_CHANGED DKIM_KEY_SIZE DKIM_KEY_MISMATCH DKIM_TXT_SPLIT DKIM_TAG_SYNTAX DKIM_TESTING_MODE
VERIFICATION_TOKEN_OK VERIFICATION_TOKEN_MISSING VERIFICATION_TOKEN_UNDERSCORE_STRIPPED
VERIFICATION_TOKEN_DOMAIN_APPENDED VERIFICATION_TOKEN_WRONG_VALUE MAIL_FROM_MX MAIL_FROM_SPF DMARC_MISSING DMARC_SYNTAX EMAIL_NO_MX
EMAIL_NULL_MX EMAIL_MX_UNRESOLVABLE EMAIL_A_FALLBACK
""".split())


# Issue 14's DNSSEC findings and DNSSEC_BOGUS causes. The manifest keeps them apart from `codes` (in a domain's
# `dnssec` entry and a scenario's `dnssec_codes`) until the diagnosis reports them.
DNSSEC_CODES = {"DNSSEC_BOGUS", "DNSSEC_SERVER_INCONSISTENT", "DNSSEC_SIGNATURES_EXPIRING", "DNSSEC_OK",
                "DNSSEC_INSECURE"}
DNSSEC_CAUSES = {"DS_NO_MATCHING_DNSKEY", "RRSIG_EXPIRED", "RRSIG_NOT_YET_VALID", "RRSIG_MISSING",
                 "DENIAL_NOT_PROVEN"}
STATUSES = {"secure", "insecure", "bogus"}


def reasons():
    """The names of dnssec::Reason (dnssec/status.hpp): the vocabulary of the manifest's `reason`."""
    with open(os.path.join(REPO, "dnssec", "status.hpp")) as f:
        body = re.search(r"enum class Reason[^{]*\{(.*?)\};", f.read(), re.S).group(1)
    return set(re.findall(r"^\s*(\w+),", body, re.M))


def check_dnssec(c, d, reason_names):
    """A domain's DNSSEC expectation: present exactly for the dnssec-* scenarios, in the vocabulary."""
    dom, exp = d["domain"], d.get("dnssec")
    if not c.expect((exp is not None) == d["scenario"].startswith("dnssec-"), f"{dom}: dnssec entry iff dnssec-*"):
        return
    if exp is None:
        return
    c.expect(exp["status"] in STATUSES and exp["reason"] in reason_names, f"{dom}: {exp['status']} {exp['reason']}")
    c.expect(set(exp["codes"]) <= DNSSEC_CODES and exp["codes"], f"{dom}: DNSSEC codes {exp['codes']}")
    c.expect(("DNSSEC_BOGUS" in exp["codes"]) == (exp["cause"] in DNSSEC_CAUSES), f"{dom}: cause {exp['cause']}")
    c.expect(exp["valid_from_hours"] < exp["valid_until_hours"], f"{dom}: validity window")
    toks = d["identity"]["easy_dkim_tokens"]
    names = {n["name"] for n in exp["names"]}
    c.expect(names == {dom, f"_amazonses.{dom}"} | {f"{t}._domainkey.{dom}" for t in toks},
             f"{dom}: DNSSEC names are the apex, the token and the DKIM names")
    for n in exp["names"]:
        c.expect(n["status"] in n["acceptable"] and set(n["acceptable"]) <= STATUSES and n["reason"] in reason_names,
                 f"{dom}: {n['name']} {n['status']} {n['reason']} of {n['acceptable']}")
    c.expect(any(n["status"] == exp["status"] for n in exp["names"]), f"{dom}: overall status is a name's")


def catalog():
    """code -> severity from diagnose/findings.cpp, if that file exists (it is the diagnosis's one table)."""
    path = os.path.join(REPO, "diagnose", "findings.cpp")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return dict(re.findall(r"ROW\((\w+),\s*(\w+),", f.read()))


def main():
    c = Checks("lab manifest")
    st = lab_dir()
    m = manifest()
    scen_names = [s["name"] for s in m["scenarios"]]
    by_scen = {}
    for d in m["domains"]:
        by_scen.setdefault(d["scenario"], []).append(d)
    c.expect(len(m["domains"]) == m["domain_count"], "domain_count matches")
    for s in scen_names:
        c.expect(s in by_scen, f"scenario {s} has a domain (lab of {len(m['domains'])} domains)")
    c.expect(set(by_scen) <= set(scen_names), "no domain has an unlisted scenario")
    c.expect(len({d["domain"] for d in m["domains"]}) == len(m["domains"]), "domain names are unique")

    cat = catalog()
    for s in m["scenarios"]:
        for code in s["codes"] + s["info"]:
            c.expect(code in ISSUE5_CODES, f"{s['name']}: {code} is an issue-5 finding code")
        if cat is not None:
            for code in s["codes"]:
                c.expect(cat.get(code) in ("error", "warning"),
                         f"{s['name']}: {code} is error/warning in diagnose/findings.cpp ({cat.get(code)})")
            for code in s["info"]:
                c.expect(cat.get(code) == "info", f"{s['name']}: {code} is info in findings.cpp ({cat.get(code)})")
    scen_by_name = {s["name"]: s for s in m["scenarios"]}

    for s in m["scenarios"]:
        if s["name"].startswith("dnssec-"):
            c.expect(set(s.get("dnssec_codes", [])) <= DNSSEC_CODES and s.get("dnssec_codes"),
                     f"{s['name']}: DNSSEC codes {s.get('dnssec_codes')}")
    reason_names = reasons()
    c.expect({"none", "no_matching_dnskey", "signature_expired", "denial_not_proven"} <= reason_names,
             f"dnssec::Reason names read from dnssec/status.hpp: {sorted(reason_names)}")

    tok_re = re.compile(r"^[a-z2-7]{32}$")
    for d in m["domains"]:
        check_dnssec(c, d, reason_names)
        dom, ident, exp = d["domain"], d["identity"], d["expect"]
        s = scen_by_name.get(d["scenario"])
        c.expect(s is not None and exp["codes"] == s["codes"], f"{dom}: expected codes are the scenario's")
        # Advice codes (DMARC, SPF, testing mode) never make the verdict "problems" (docs/findings.md).
        advice = advice_codes()
        blocking = [x for x in exp["codes"] if x not in advice]
        c.expect(exp["verdict"] == ("problems" if blocking else "ok"), f"{dom}: verdict {exp['verdict']}")
        c.expect(ident["domain"] == dom, f"{dom}: identity domain")
        toks = ident["easy_dkim_tokens"] + [t for r in ident["additional_regions"] for t in r["easy_dkim_tokens"]]
        c.expect(all(tok_re.match(t) for t in toks), f"{dom}: tokens are 32 chars of [a-z2-7]")
        c.expect(bool(ident["easy_dkim_tokens"]) != bool(ident["byodkim_selector"]),
                 f"{dom}: Easy DKIM or BYODKIM, one of them")
        if ident["byodkim_selector"]:
            c.expect(os.path.exists(ident["byodkim_public_key_file"] or ""), f"{dom}: BYODKIM PEM file exists")
        vt = ident["verification_token"]
        ok = len(vt) == 44 and len(base64.b64decode(vt, validate=True)) == 32
        c.expect(ok and vt != vt.lower() and vt != vt.upper(), f"{dom}: 44-char mixed-case base64 token")
        if ident["mail_from"]:
            c.expect(ident["mail_from"].endswith("." + dom), f"{dom}: MAIL FROM is a subdomain")
        if ident["email"]:
            c.expect(ident["email"].endswith("@" + dom), f"{dom}: email address on the domain")
        c.expect(len(d["servers"]) >= 2, f"{dom}: servers listed")

    # The servers the manifest names run (pidfile holds a live nsd).
    for s in m["servers"]:
        c.expect(server_pid_alive(s["id"]), f"server {s['id']} ({s['name']}) runs")

    # Companion files.
    with open(os.path.join(st, "identities.jsonl")) as f:
        lines = [json.loads(line) for line in f]
    c.expect(lines == [d["identity"] for d in m["domains"]], "identities.jsonl holds the manifest's identities")
    with open(os.path.join(st, "names.txt")) as f:
        names = [line.split() for line in f if line.strip()]
    c.expect(all(len(n) == 2 and n[1] == "TXT" for n in names), "names.txt is NAME TXT lines")
    expected = sum(len(d["identity"]["easy_dkim_tokens"]) + (1 if d["identity"]["byodkim_selector"] else 0) + 1
                   for d in m["domains"])
    c.expect(len(names) == expected, f"names.txt: {len(names)} lines, expected {expected}")
    with open(m["root_hints"]) as f:
        hints = [line.split() for line in f if line.strip() and not line.startswith(";")]
    ns = [h[3].rstrip(".") for h in hints if h[0] == "." and h[2] == "NS"]
    addrs = [h[3] for h in hints if h[2] == "A"]
    c.expect(len(ns) == 2 and sorted(addrs) == sorted(m["root_servers"]), f"root.hints: {ns} {addrs}")
    env = {}
    with open(os.path.join(st, "lab.env")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v.strip('"')
    c.expect(env.get("UNBOUND_ADDR") == m["unbound"], "lab.env UNBOUND_ADDR")
    c.expect(env.get("DKIMDOCTOR_LAB") == st, "lab.env DKIMDOCTOR_LAB")
    c.expect(env.get("LAB_DOMAINS") == str(len(m["domains"])), "lab.env LAB_DOMAINS")
    c.expect(env.get("VALIDATOR_ADDR") == m["validator"], "lab.env VALIDATOR_ADDR")
    c.expect(env.get("TRUST_ANCHOR") == m["trust_anchor"] and os.path.exists(m["trust_anchor"]), "lab.env TRUST_ANCHOR")
    c.finish()


if __name__ == "__main__":
    main()
