#!/usr/bin/env python3
"""The names a full check of each identity resolves iteratively, as `NAME TYPE` lines (dnsperf's input), so
that Unbound can be given the same work `dkimdoctor bulk` does by resolution alone. It mirrors the plan of
diagnose/expect.cpp (`expectations` then `plan`, the Scope::iterative lookups):
  - every Easy DKIM token (additional regions' too): <token>._domainkey.<domain> TXT (followed through the
    CNAME to SES's key, as the check's resolution does);
  - BYODKIM: <selector>._domainkey.<domain> TXT;
  - _amazonses.<domain> TXT (the token, or only reported when none is given);
  - custom MAIL FROM: <mail_from> MX and <mail_from> TXT;
  - <domain> MX (not for an email identity), _dmarc.<domain> TXT;
  - an email identity: MX of the address's domain.
Not included (Unbound cannot do them, or they depend on what is found): the per-server authoritative probes
(SOA, CNAME, TXT, MX asked of every NS of the zone), the NS/address walk of those probes beyond what
iteration does, and the judge's follow-up lookups (variant names asked when a record is missing).
A name asked twice by one identity is listed once; a name shared by identities is listed for each.
Usage: check_names.py identities.jsonl > names.txt   (prints the per-domain count on stderr)"""
import json
import sys


def mail_from_name(value, domain):
    value = value.rstrip(".").lower()
    if value == domain or value.endswith("." + domain):
        return value
    return f"{value}.{domain}"


def names_of(identity):
    email = identity.get("email")
    domain = (identity.get("domain") or (email.rsplit("@", 1)[1] if email else "")).rstrip(".").lower()
    out = []

    def add(name, qtype):
        if (name, qtype) not in out:
            out.append((name, qtype))

    tokens = list(identity.get("easy_dkim_tokens") or [])
    for extra in identity.get("additional_regions") or []:
        tokens += extra.get("easy_dkim_tokens") or []
    for token in tokens:
        add(f"{token}._domainkey.{domain}", "TXT")
    if identity.get("byodkim_selector"):
        add(f"{identity['byodkim_selector']}._domainkey.{domain}", "TXT")
    if identity.get("mail_from"):
        mail_from = mail_from_name(identity["mail_from"], domain)
        add(mail_from, "MX")
        add(mail_from, "TXT")
    add(f"_amazonses.{domain}", "TXT")
    if not email:
        add(domain, "MX")
    add(f"_dmarc.{domain}", "TXT")
    if email:
        add(email.rsplit("@", 1)[1].rstrip(".").lower(), "MX")
    return out


def main():
    lines = domains = 0
    with open(sys.argv[1]) as f:
        for raw in f:
            if not raw.strip():
                continue
            domains += 1
            for name, qtype in names_of(json.loads(raw)):
                print(f"{name} {qtype}")
                lines += 1
    print(f"check_names: {lines} names for {domains} identities ({lines / max(domains, 1):.2f} per domain)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
