#!/usr/bin/env python3
"""Generates the dkimdoctor lab: zone files, NSD and Unbound configurations, root hints and the manifest.

The lab is a small internet on loopback: a root, TLDs, amazonses.com and several DNS-hosting providers,
each server set an NSD process on its own 127.53.x.y address. Customer domains each carry one scenario
(a way SES verification can fail, or succeed) with the finding codes the diagnosis must report for it.

The root, the TLDs, amazonses.com, the providers and the dnssec-* scenarios' zones are signed (labsign.py,
ldns-signzone), and the root's DS is written to STATE/trust-anchor.

Generation is deterministic for (domains, seed) up to DNSSEC keys and signatures, and fast: it writes files
only, it never starts anything (tests/lab/lab does that). Usage: labgen.py --state DIR --domains N --seed S
[--keys DIR]
"""
import argparse
import base64
import glob
import json
import os
import random
import shutil
import sys
import time

import labsign

HERE = os.path.dirname(os.path.abspath(__file__))
SERIAL = 2026112601
STALE_SERIAL = 2026112500
TTL = 3600
NEG_TTL = 300  # SOA MINIMUM: how long "does not exist" may be cached (RFC 2308)

UNBOUND_ADDR = "127.53.255.1"  # the reference resolver: iterator only, like dkimdoctor without validation
VALIDATOR_ADDR = "127.53.255.2"  # the same Unbound with its validator and the lab's trust anchor
DEAD_ADDR = "127.53.250.250"  # a silent server (blackhole.py): queries time out
MX_HOST_ADDR = "127.53.254.25"  # data only: mail hosts are never contacted
WEB_ADDR = "127.53.254.80"  # data only
PRIVATE_GLUE = ["10.53.0.1", "192.168.53.2", "172.16.53.3"]  # data only: must never be queried

GLOBAL_REGION_TARGET = "dkim.amazonses.com"
REGIONS_WITH_OWN_TARGET = ["eu-central-2", "ap-southeast-3"]
FEEDBACK_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-2", "ap-southeast-3"]
TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"

# Public keys generated once with `openssl genrsa N | openssl rsa -pubout` and kept in tests/lab/keys.
EASY_KEYS = ["rsa2048-a", "rsa2048-b", "rsa2048-c", "rsa2048-d", "rsa1024-a"]
BYODKIM_KEY = "rsa2048-a"
BYODKIM_OTHER_KEY = "rsa2048-b"
BYODKIM_BIG_KEY = "rsa4096-a"


# --- servers -------------------------------------------------------------------------------------------
class Server:
    """One NSD process: a host name, the addresses it listens on, the zones it serves (zone -> file)."""

    def __init__(self, sid, host, addresses, v6=()):
        self.id = sid
        self.host = host
        self.addresses = list(addresses)
        self.v6 = list(v6)
        self.zones = {}

    def all_addresses(self):
        return self.addresses + self.v6


class Provider:
    """A DNS-hosting company: two name servers (two NSD processes) serving its customers' zones."""

    def __init__(self, label, tld, octet, v6_on_ns1=False):
        self.label = label
        self.tld = tld
        self.zone = f"{label}.{tld}"
        self.ns = [
            Server(f"{label}-ns1", f"ns1.{label}.{tld}", [f"127.53.{octet}.1"], ["::1"] if v6_on_ns1 else []),
            Server(f"{label}-ns2", f"ns2.{label}.{tld}", [f"127.53.{octet}.2"]),
        ]


ROOT = [Server("root-a", "a.root-servers.net", ["127.53.0.1"]),
        Server("root-b", "b.root-servers.net", ["127.53.0.2"])]
GTLD = [Server("gtld-a", "a.gtld-servers.net", ["127.53.1.1"]),  # com and net, as in the real world
        Server("gtld-b", "b.gtld-servers.net", ["127.53.1.2"])]
ORG = [Server("org-a", "a.nic.org", ["127.53.3.1"]),
       Server("org-b", "b.nic.org", ["127.53.3.2"])]
SES = [Server("ses-a", "ns1.amazonses.com", ["127.53.4.1"]),
       Server("ses-b", "ns2.amazonses.com", ["127.53.4.2"])]
PROVIDERS = [
    Provider("dnshost", "net", 10),
    Provider("cloudzone", "net", 11),
    Provider("hostco", "com", 12),  # in-bailiwick glue for its .com customers
    Provider("orgdns", "org", 13),  # .com/.net customers get no glue: NS names need their own resolution
    Provider("sixdns", "net", 14, v6_on_ns1=True),  # ns1 also on ::1 (AAAA glue ::1)
]
PROVIDER_BY_LABEL = {p.label: p for p in PROVIDERS}
TLDS = ["com", "net", "org"]
# lab up --wildcard-zones (bench/bulk/million): zone, provider, what any name below it gets ("empty": NXDOMAIN).
WILDCARD_ZONES = [("wild-txt.com", "hostco", "txt"), ("wild-cname.net", "dnshost", "cname"),
                  ("wild-empty.org", "orgdns", "empty")]


def all_servers():
    out = ROOT + GTLD + ORG + SES
    for p in PROVIDERS:
        out += p.ns
    return out


# --- scenarios -----------------------------------------------------------------------------------------
# name -> (description, expected error/warning codes, info codes that should appear, identity kind)
# Rule for the expectations: one finding per root cause. A record found at a variant name (underscore
# stripped, domain appended, _domainkey removed) is reported with the variant's code, not also as
# DKIM_RECORD_MISSING; a zone nobody can reach yields the delegation code, not record-level codes.

def advice_codes():
    """Finding codes of the class "advice" (shown, never a reason for "problems"), read from
    docs/findings.md, which the catalog test keeps equal to diagnose/findings.cpp."""
    path = os.path.join(HERE, "..", "..", "docs", "findings.md")
    codes = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.split("|")]
            if len(cells) > 3 and cells[1].startswith("`") and cells[2] == "advice":
                codes.add(cells[1].strip("`"))
    if not codes:
        sys.exit(f"labgen: no advice codes in {path}")
    return codes


ADVICE_CODES = advice_codes()

SCENARIOS = [
    ("easy-dkim-ok", "three Easy DKIM CNAMEs, correct", [], []),
    ("byodkim-ok", "BYODKIM TXT v=DKIM1; k=rsa; p=<2048-bit key> in two strings", [], []),
    ("regional-ok", "Easy DKIM in ap-southeast-3: CNAMEs to <token>.dkim.ap-southeast-3.amazonses.com", [], []),
    ("two-regions", "six CNAMEs: us-east-1 tokens and eu-central-2 tokens", [], []),
    ("glueless-ok", "correct, .com domain on orgdns.org name servers (no glue in com)", [], []),
    ("ipv6-ok", "correct, on sixdns.net whose ns1 also has AAAA ::1", [], []),
    ("dkim-missing", "no DKIM CNAME at all", ["DKIM_RECORD_MISSING"], ["NEGATIVE_CACHE_TTL"]),
    ("dkim-one-missing", "two of the three CNAMEs", ["DKIM_RECORD_MISSING"], ["NEGATIVE_CACHE_TTL"]),
    ("underscore-stripped", "CNAMEs at <token>domainkey.<domain>", ["DKIM_UNDERSCORE_STRIPPED"], []),
    ("underscore-hyphen", "CNAMEs at <token>-domainkey.<domain>", ["DKIM_UNDERSCORE_STRIPPED"], []),
    ("domain-appended", "CNAMEs at <token>._domainkey.<domain>.<domain>", ["DKIM_DOMAIN_APPENDED"], []),
    ("token-lowercased", "_amazonses TXT holds the verification token lowercased", ["VALUE_CASE_CHANGED"], []),
    ("byodkim-lowercased", "BYODKIM p= value lowercased", ["VALUE_CASE_CHANGED"], []),
    ("wrong-target", "third CNAME points to another token's target (which has a key)", ["DKIM_WRONG_TARGET"], []),
    ("wrong-region-target", "eu-central-2 identity, CNAMEs point to <token>.dkim.amazonses.com",
     ["DKIM_WRONG_TARGET"], []),
    ("domainkey-removed", "eu-central-2 identity published at <token>.<domain> (second-region workaround); "
     "a us-east-1 identity's CNAMEs sit at the usual names", ["DKIM_DOMAINKEY_REMOVED"], []),
    ("cname-chain", "CNAME -> <token>.ses-dkim.<domain> -> CNAME <token>.dkim.amazonses.com",
     ["DKIM_CNAME_CHAIN"], []),
    ("dkim-wrong-type", "CNAME flattened: the DKIM names hold the key TXT instead of a CNAME",
     ["DKIM_WRONG_TYPE"], []),
    ("target-unresolvable", "CNAMEs correct, but amazonses.com has no key for these tokens",
     ["DKIM_TARGET_UNRESOLVABLE"], []),
    ("byodkim-key-4096", "BYODKIM with a 4096-bit key split in four strings", ["DKIM_KEY_SIZE"], []),
    ("byodkim-missing", "no TXT at the BYODKIM selector", ["DKIM_TXT_MISSING"], ["NEGATIVE_CACHE_TTL"]),
    ("byodkim-mismatch", "BYODKIM TXT holds another (valid) key than the identity's", ["DKIM_KEY_MISMATCH"], []),
    ("byodkim-multiple", "two TXT records at the selector (old and new key)", ["DKIM_MULTIPLE_VALUES"], []),
    ("byodkim-quoted", "BYODKIM value stored with literal quote characters", ["DKIM_TXT_SPLIT"], []),
    ("byodkim-testing", "BYODKIM key with t=y", ["DKIM_TESTING_MODE"], []),
    ("byodkim-invalid", "p= is valid base64 but not an RSA public key", ["DKIM_KEY_INVALID"], []),
    ("byodkim-tag-syntax", "'v=DKIM1 k=rsa; p=...' (missing ';')", ["DKIM_TAG_SYNTAX"], []),
    ("tcp-required", "_amazonses TXT RRset of 36 values (> 1232 bytes: TC=1 over UDP, needs TCP)", [],
     ["TCP_REQUIRED"]),
    ("stale-secondary", "ns2 serves an older zone (serial 2026112500) without the third CNAME",
     ["RECORD_INCONSISTENT", "SOA_SERIAL_MISMATCH"], []),
    ("lame-server", "delegated to ns1+ns2 of its provider and ns1 of another provider that answers REFUSED",
     ["NS_LAME"], []),
    ("ns-set-mismatch", "parent delegates to provider A, the zone's own NS set names provider B "
     "(both serve the same zone)", ["NS_SET_MISMATCH"], []),
    ("not-delegated", "zone hosted at a provider but absent from the TLD (NXDOMAIN at the parent)",
     ["DOMAIN_NOT_DELEGATED"], []),
    ("private-ns", "delegated to ns1/ns2/ns3.<domain> with glue 10.53.0.1, 192.168.53.2, 172.16.53.3 "
     "(never to be queried)", ["NS_PRIVATE_ADDRESS"], []),
    ("ns-unreachable", "third NS ns3.<domain> has glue 127.53.250.250, a silent server: queries time out",
     ["NS_UNREACHABLE"], []),
    ("token-missing", "no _amazonses TXT", ["VERIFICATION_TOKEN_MISSING"], ["NEGATIVE_CACHE_TTL"]),
    ("token-appended", "_amazonses TXT at _amazonses.<domain>.<domain>", ["VERIFICATION_TOKEN_DOMAIN_APPENDED"],
     []),
    ("token-underscore", "verification TXT at amazonses.<domain>", ["VERIFICATION_TOKEN_UNDERSCORE_STRIPPED"], []),
    ("mail-from-ok", "MAIL FROM mail.<domain>: MX 10 feedback-smtp.us-east-1.amazonses.com + SPF", [], []),
    ("mail-from-wrong-mx", "MAIL FROM MX points to feedback-smtp.eu-west-1 for a us-east-1 identity",
     ["MAIL_FROM_MX"], []),
    ("mail-from-no-spf", "MAIL FROM MX right, SPF without include:amazonses.com", ["MAIL_FROM_SPF"], []),
    ("dmarc-missing", "no _dmarc TXT", ["DMARC_MISSING"], []),
    ("dmarc-syntax", "_dmarc TXT 'v=DMARC1; p=rejected'", ["DMARC_SYNTAX"], []),
    ("email-mx-ok", "email identity, domain has MX with a resolvable host", [], []),
    ("email-no-mx", "email identity, domain has neither MX nor A/AAAA", ["EMAIL_NO_MX"], []),
    ("email-a-fallback", "email identity, domain has no MX but an A record (RFC 5321 implicit MX)", [],
     ["EMAIL_A_FALLBACK"]),
    ("email-null-mx", "email identity, domain publishes MX 0 . (RFC 7505)", ["EMAIL_NULL_MX"], []),
    ("email-mx-unresolvable", "email identity, MX host name does not exist", ["EMAIL_MX_UNRESOLVABLE"], []),
    # Hostile DNS text: the HTML reports must show it as text and run nothing (tests/integration/browser_test.py).
    ("hostile-txt", "_amazonses TXT holds HOSTILE_TXT (markup and script) instead of the token",
     ["VERIFICATION_TOKEN_WRONG_VALUE"], []),
    # DNSSEC (issue 14): signed zones, healthy and broken. `codes`/`info` are what the diagnosis reports
    # without validation (the SES part stays normal); the DNSSEC expectations are in DNSSEC below.
    ("dnssec-ok-ecdsa", "signed with ECDSAP256SHA256, DS in the TLD, Easy DKIM correct", [], []),
    ("dnssec-ok-rsa", "signed with RSASHA256 (2048-bit), DS in the TLD, Easy DKIM correct", [], []),
    ("dnssec-stale-ds", "the TLD publishes a DS for a key the zone does not serve (the old provider's, after "
     "a move)", [], []),
    ("dnssec-expired", "every signature expired a day ago (valid from 31 days to 1 day before lab up)", [], []),
    ("dnssec-expiring", "signatures valid now, made 28 days before lab up and expiring 48 hours after it "
     "(inside SES's 72-hour retry window, past 3/4 of a 30-day window: a signer that stopped re-signing)", [], []),
    ("dnssec-unsigned-secondary", "signed zone, DS in the TLD; ns2 serves the same zone unsigned", [], []),
    ("dnssec-nsec3-broken", "NSEC3 zone, third DKIM CNAME missing, and the NSEC3 of the _domainkey empty "
     "non-terminal (the closest encloser) removed: the NXDOMAIN cannot be proven",
     ["DKIM_RECORD_MISSING"], ["NEGATIVE_CACHE_TTL"]),
    ("dnssec-unsupported-alg", "signed with RSAMD5 (algorithm 1, must not be validated), its DS in the TLD",
     [], []),
]
# The value of the hostile-txt scenario's _amazonses TXT: were it ever parsed as HTML, it would set the title.
HOSTILE_TXT = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
SCENARIO_NAMES = [s[0] for s in SCENARIOS]
BYODKIM_SCENARIOS = {n for n in SCENARIO_NAMES if n.startswith("byodkim")}
EMAIL_SCENARIOS = {n for n in SCENARIO_NAMES if n.startswith("email-")}
MAIL_FROM_SCENARIOS = {n for n in SCENARIO_NAMES if n.startswith("mail-from")}

# --- DNSSEC --------------------------------------------------------------------------------------------
# The root, com/net/org, amazonses.com and the providers' zones are signed (ECDSAP256SHA256, NSEC), with
# DS records in their parents and the root's DS as the trust anchor; customer zones are signed only for
# the scenarios below (every other one is an insecure delegation: no DS, proven by the TLD's NSEC).
# Per scenario: the algorithm, validity (hours relative to lab up), which key the parent's DS names,
# NSEC3, and what a validating resolver reports for every name of the domain: status (dnssec::Status),
# reason (dnssec::Reason), the statuses it may also report (`acceptable`), and the expected diagnosis
# codes of issue 14 (with the DNSSEC_BOGUS cause).
DAY = 24
VALID = (-DAY, 30 * DAY)
INFRA_ALG = "ECDSAP256SHA256"
DNSSEC = {
    "dnssec-ok-ecdsa": dict(alg="ECDSAP256SHA256", status="secure", reason="none", codes=["DNSSEC_OK"]),
    "dnssec-ok-rsa": dict(alg="RSASHA256", status="secure", reason="none", codes=["DNSSEC_OK"]),
    "dnssec-stale-ds": dict(alg="ECDSAP256SHA256", ds_key="old", status="bogus", reason="no_matching_dnskey",
                            codes=["DNSSEC_BOGUS"], cause="DS_NO_MATCHING_DNSKEY"),
    "dnssec-expired": dict(alg="ECDSAP256SHA256", valid=(-31 * DAY, -DAY), status="bogus",
                           reason="signature_expired", codes=["DNSSEC_BOGUS"], cause="RRSIG_EXPIRED"),
    "dnssec-expiring": dict(alg="ECDSAP256SHA256", valid=(-28 * DAY, 48), status="secure", reason="none",
                            codes=["DNSSEC_SIGNATURES_EXPIRING"]),
    # Which server a resolver asks decides: from ns1 secure, from ns2 bogus (missing_rrsig). Unbound
    # retries another server after a validation failure, so it mostly ends secure.
    "dnssec-unsigned-secondary": dict(alg="ECDSAP256SHA256", status="secure", reason="none",
                                      acceptable=["secure", "bogus"], bogus_reason="missing_rrsig",
                                      codes=["DNSSEC_SERVER_INCONSISTENT"]),
    # Only the third DKIM name is bogus (its NXDOMAIN); the other names of the zone stay secure.
    "dnssec-nsec3-broken": dict(alg="ECDSAP256SHA256", nsec3=True, status="secure", reason="none",
                                broken_dkim=2, broken_reason="denial_not_proven",
                                codes=["DNSSEC_BOGUS"], cause="DENIAL_NOT_PROVEN"),
    "dnssec-unsupported-alg": dict(alg="RSAMD5", status="insecure", reason="unsupported_algorithm",
                                   codes=["DNSSEC_INSECURE"]),
}
assert set(DNSSEC) == {n for n in SCENARIO_NAMES if n.startswith("dnssec-")}


def dnssec_expectation(scen, domain, ident):
    """The manifest's `dnssec` entry of a signed domain: what a validating resolver reports per name."""
    spec = DNSSEC[scen]
    valid = spec.get("valid", VALID)

    def name(n, qtype, broken=False):
        status, reason = ("bogus", spec["broken_reason"]) if broken else (spec["status"], spec["reason"])
        entry = {"name": n, "type": qtype, "status": status, "reason": reason,
                 "acceptable": spec.get("acceptable", [status])}
        if "bogus_reason" in spec:
            entry["bogus_reason"] = spec["bogus_reason"]
        return entry

    names = [name(domain, "SOA"), name(f"_amazonses.{domain}", "TXT")]
    for k, t in enumerate(ident["easy_dkim_tokens"]):
        names.append(name(f"{t}._domainkey.{domain}", "TXT", broken=spec.get("broken_dkim") == k))
    return {"signed": True, "algorithm": labsign.ALGORITHMS[spec["alg"]], "nsec3": spec.get("nsec3", False),
            "valid_from_hours": valid[0], "valid_until_hours": valid[1], "ds_matches_key": "ds_key" not in spec,
            "status": spec["status"] if "broken_dkim" not in spec else "bogus",
            "reason": spec["reason"] if "broken_dkim" not in spec else spec["broken_reason"],
            "codes": spec["codes"], "cause": spec.get("cause"), "names": names}


# --- small helpers -------------------------------------------------------------------------------------
def load_key(name):
    path = os.path.join(HERE, "keys", f"{name}.pub.pem")
    with open(path) as f:
        pem = f.read()
    b64 = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    return pem, b64


def txt(value, chunk=255):
    """A TXT RDATA in zone-file form: the value split into quoted strings of at most `chunk` bytes."""
    parts = [value[i:i + chunk] for i in range(0, len(value), chunk)] or [""]
    out = []
    for p in parts:
        out.append('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(out)


def token(rng):
    return "".join(rng.choice(TOKEN_ALPHABET) for _ in range(32))


def verification_token(rng):
    while True:
        t = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(32))).decode()
        if any(c.isupper() for c in t) and any(c.islower() for c in t):
            return t


def dkim_target(tok, region):
    if region in REGIONS_WITH_OWN_TARGET:
        return f"{tok}.dkim.{region}.amazonses.com"
    return f"{tok}.{GLOBAL_REGION_TARGET}"


def soa(primary, zone):
    contact = "hostmaster." + (zone if zone != "." else "root-servers.net")
    return f"@ {TTL} IN SOA {primary}. {contact.rstrip('.')}. {{serial}} 7200 900 1209600 {NEG_TTL}"


class Zone:
    """Zone-file text under construction; owners are relative to the origin, '@' is the apex."""

    def __init__(self, origin, primary):
        self.origin = origin
        self.lines = [f"$ORIGIN {origin if origin == '.' else origin + '.'}", f"$TTL {TTL}", soa(primary, origin)]

    def add(self, owner, rtype, rdata):
        self.lines.append(f"{owner} IN {rtype} {rdata}")

    def text(self, serial=SERIAL):
        return "\n".join(self.lines).replace("{serial}", str(serial), 1) + "\n"


def rel(name, origin):
    """Owner name relative to origin (absolute with a trailing dot if outside)."""
    if name == origin:
        return "@"
    if origin == ".":
        return name + "."
    if name.endswith("." + origin):
        return name[: -len(origin) - 1]
    return name + "."


# --- the generator -------------------------------------------------------------------------------------
class Lab:
    def __init__(self, state, n, seed):
        self.state = state
        self.n = n
        self.seed = seed
        self.rng = random.Random(seed)
        self.keys = {k: load_key(k) for k in EASY_KEYS + [BYODKIM_BIG_KEY]}
        self.zone_files = {}  # file name (relative to zones/) -> text
        self.tld_delegations = {t: [] for t in TLDS}  # tld -> [(child zone, [(ns host, [glue addrs])])]
        self.ses_keys = []  # (owner relative to amazonses.com, key name)
        self.domains = []
        self.names = []
        self.signed = []  # (domain, zone file, scenario) of the signed customer zones
        self.keys_root = None  # set by prepare_keys
        self.dnskeys = {}  # (zone, label) -> labsign.Key
        self.ds = {}  # child zone -> DS RDATA its parent publishes
        self.rate_limit = True  # NSD's response rate limiting (RRL), on as packaged; off with the wildcard zones

    # Customer zones -----------------------------------------------------------------------------------
    def serve(self, servers, zone, fname):
        for s in servers:
            s.zones[zone] = fname

    def delegate(self, zone, ns):
        """ns: [(host, [addresses])]; glue is written only where the TLD zone may hold it (in bailiwick)."""
        tld = zone.rsplit(".", 1)[1]
        self.tld_delegations[tld].append((zone, ns))

    @staticmethod
    def ns_entry(server):
        return {"name": server.host, "addresses": server.all_addresses()}

    def make_domain(self, i):
        rng = self.rng
        scen, desc, codes, info = SCENARIOS[i % len(SCENARIOS)]
        tld = rng.choice(["com", "com", "net", "org"])
        prov = PROVIDERS[rng.randrange(len(PROVIDERS))]
        if scen == "glueless-ok":
            tld, prov = "com", PROVIDER_BY_LABEL["orgdns"]
        elif scen == "ipv6-ok":
            prov = PROVIDER_BY_LABEL["sixdns"]
        domain = f"{scen}-{i}.{tld}"
        z = Zone(domain, prov.ns[0].host)

        ident = {"domain": domain, "easy_dkim_tokens": [], "region": None, "byodkim_selector": None,
                 "byodkim_public_key_file": None, "verification_token": verification_token(rng),
                 "mail_from": None, "email": None, "additional_regions": []}
        byodkim = scen in BYODKIM_SCENARIOS
        if byodkim:
            ident["byodkim_selector"] = f"sel{rng.randrange(1000, 9999)}"
            key = BYODKIM_BIG_KEY if scen == "byodkim-key-4096" else BYODKIM_KEY
            ident["byodkim_public_key_file"] = os.path.join(self.state, "keys", f"{key}.pub.pem")
        else:
            ident["easy_dkim_tokens"] = [token(rng) for _ in range(3)]
        if scen == "regional-ok":
            ident["region"] = "ap-southeast-3"
        elif scen in ("wrong-region-target", "domainkey-removed"):
            ident["region"] = "eu-central-2"
        elif scen in MAIL_FROM_SCENARIOS or scen == "two-regions":
            ident["region"] = "us-east-1"
        if scen == "two-regions":
            ident["additional_regions"] = [{"region": "eu-central-2",
                                            "easy_dkim_tokens": [token(rng) for _ in range(3)]}]
        if scen in MAIL_FROM_SCENARIOS:
            ident["mail_from"] = f"mail.{domain}"
        if scen in EMAIL_SCENARIOS:
            ident["email"] = f"ses-sender@{domain}"

        # Name servers: parent delegation and the zone's own NS set.
        servers_serving = list(prov.ns)
        parent_ns = [(s.host, s.all_addresses()) for s in prov.ns]
        zone_ns = [s.host for s in prov.ns]
        server_facts = [dict(self.ns_entry(s), in_parent=True, in_zone=True, state="ok") for s in prov.ns]
        stale_on = None
        if scen == "stale-secondary":
            stale_on = prov.ns[1]
            server_facts[1]["state"] = "stale"
        elif scen == "lame-server":
            other = PROVIDERS[(PROVIDERS.index(prov) + 1) % len(PROVIDERS)].ns[0]
            parent_ns.append((other.host, other.all_addresses()))
            zone_ns.append(other.host)
            server_facts.append(dict(self.ns_entry(other), in_parent=True, in_zone=True, state="lame"))
        elif scen == "ns-set-mismatch":
            other = PROVIDERS[(PROVIDERS.index(prov) + 1) % len(PROVIDERS)]
            zone_ns = [s.host for s in other.ns]
            servers_serving += other.ns
            for f in server_facts:
                f["in_zone"] = False
            server_facts += [dict(self.ns_entry(s), in_parent=False, in_zone=True, state="ok") for s in other.ns]
        elif scen == "ns-unreachable":
            host = f"ns3.{domain}"
            parent_ns.append((host, [DEAD_ADDR]))
            zone_ns.append(host)
            z.add("ns3", "A", DEAD_ADDR)
            server_facts.append({"name": host, "addresses": [DEAD_ADDR], "in_parent": True, "in_zone": True,
                                 "state": "unreachable"})
        elif scen == "private-ns":
            parent_ns = [(f"ns{k + 1}.{domain}", [a]) for k, a in enumerate(PRIVATE_GLUE)]
            zone_ns = [h for h, _ in parent_ns]
            servers_serving = []
            server_facts = [{"name": h, "addresses": a, "in_parent": True, "in_zone": True, "state": "private"}
                            for h, a in parent_ns]
        elif scen == "not-delegated":
            for f in server_facts:
                f["in_parent"] = False
        elif scen == "dnssec-unsigned-secondary":
            server_facts[1]["state"] = "unsigned"
        for h in zone_ns:
            z.add("@", "NS", h + ".")

        # Web, mail, policy records every domain has unless its scenario says otherwise.
        if scen != "email-no-mx":
            z.add("@", "A", WEB_ADDR)
        if scen == "email-null-mx":
            z.add("@", "MX", "0 .")
        elif scen == "email-mx-unresolvable":
            z.add("@", "MX", f"10 mx.nowhere-{i}.{tld}.")
        elif scen not in ("email-no-mx", "email-a-fallback"):
            z.add("@", "MX", "10 mx")
            z.add("mx", "A", MX_HOST_ADDR)
        z.add("@", "TXT", txt("v=spf1 mx include:amazonses.com ~all"))
        if scen == "dmarc-syntax":
            z.add("_dmarc", "TXT", txt("v=DMARC1; p=rejected"))
        elif scen != "dmarc-missing":
            z.add("_dmarc", "TXT", txt(f"v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain}"))

        # Legacy verification token.
        vt = ident["verification_token"]
        if scen == "token-lowercased":
            z.add("_amazonses", "TXT", txt(vt.lower()))
        elif scen == "token-appended":
            z.add(f"_amazonses.{domain}", "TXT", txt(vt))
        elif scen == "token-underscore":
            z.add("amazonses", "TXT", txt(vt))
        elif scen == "hostile-txt":
            z.add("_amazonses", "TXT", txt(HOSTILE_TXT))
        elif scen == "tcp-required":
            for _ in range(35):
                z.add("_amazonses", "TXT", txt(verification_token(rng)))
            z.add("_amazonses", "TXT", txt(vt))
        elif scen != "token-missing":
            z.add("_amazonses", "TXT", txt(vt))

        # MAIL FROM.
        if scen in MAIL_FROM_SCENARIOS:
            mx_region = "eu-west-1" if scen == "mail-from-wrong-mx" else "us-east-1"
            z.add("mail", "MX", f"10 feedback-smtp.{mx_region}.amazonses.com.")
            spf = "v=spf1 -all" if scen == "mail-from-no-spf" else "v=spf1 include:amazonses.com ~all"
            z.add("mail", "TXT", txt(spf))

        # DKIM.
        stale_skip = None
        if byodkim:
            self.byodkim_records(z, scen, ident["byodkim_selector"])
        else:
            toks = ident["easy_dkim_tokens"]
            region = ident["region"]
            publish_keys = scen != "target-unresolvable"
            for k, t in enumerate(toks):
                target = dkim_target(t, region)
                if publish_keys:
                    self.ses_key(target, t)
                if scen == "dkim-missing" or (scen in ("dkim-one-missing", "dnssec-nsec3-broken") and k == 2):
                    continue
                if scen == "underscore-stripped":
                    z.add(f"{t}domainkey", "CNAME", target + ".")
                elif scen == "underscore-hyphen":
                    z.add(f"{t}-domainkey", "CNAME", target + ".")
                elif scen == "domain-appended":
                    z.add(f"{t}._domainkey.{domain}", "CNAME", target + ".")
                elif scen == "wrong-target" and k == 2:
                    other = token(rng)
                    self.ses_key(dkim_target(other, region), other)
                    z.add(f"{t}._domainkey", "CNAME", dkim_target(other, region) + ".")
                elif scen == "wrong-region-target":
                    wrong = dkim_target(t, None)
                    self.ses_key(wrong, t)
                    z.add(f"{t}._domainkey", "CNAME", wrong + ".")
                elif scen == "domainkey-removed":
                    z.add(t, "CNAME", target + ".")
                elif scen == "cname-chain":
                    z.add(f"{t}._domainkey", "CNAME", f"{t}.ses-dkim")
                    z.add(f"{t}.ses-dkim", "CNAME", target + ".")
                elif scen == "dkim-wrong-type":
                    z.add(f"{t}._domainkey", "TXT", txt(self.key_record(t)))
                else:
                    z.add(f"{t}._domainkey", "CNAME", target + ".")
                    if scen == "stale-secondary" and k == 2:
                        stale_skip = len(z.lines) - 1
            if scen == "domainkey-removed":
                # The first region's identity (not the one checked) uses the usual names.
                for _ in range(3):
                    t = token(rng)
                    self.ses_key(dkim_target(t, None), t)
                    z.add(f"{t}._domainkey", "CNAME", dkim_target(t, None) + ".")
            for extra in ident["additional_regions"]:
                for t in extra["easy_dkim_tokens"]:
                    target = dkim_target(t, extra["region"])
                    self.ses_key(target, t)
                    z.add(f"{t}._domainkey", "CNAME", target + ".")

        fname = f"{domain}.zone"
        self.zone_files[fname] = z.text()
        if stale_on is not None:
            stale = Zone.__new__(Zone)
            stale.lines = [l for k, l in enumerate(z.lines) if k != stale_skip]
            sname = f"stale/{domain}.zone"
            self.zone_files[sname] = stale.text(STALE_SERIAL)
            self.serve([s for s in servers_serving if s is not stale_on], domain, fname)
            self.serve([stale_on], domain, sname)
        elif scen == "dnssec-unsigned-secondary":
            self.serve([prov.ns[0]], domain, fname)
            self.serve([prov.ns[1]], domain, f"unsigned/{fname}")
        else:
            self.serve(servers_serving, domain, fname)
        if scen in DNSSEC:
            self.signed.append((domain, fname, scen))
        if scen != "not-delegated":
            self.delegate(domain, parent_ns)

        # Names for the resolver benchmark.
        if byodkim:
            self.names.append(f"{ident['byodkim_selector']}._domainkey.{domain} TXT")
        for t in ident["easy_dkim_tokens"]:
            self.names.append(f"{t}._domainkey.{domain} TXT")
        self.names.append(f"_amazonses.{domain} TXT")

        # Advice (deliverability, not verification) never changes the verdict: docs/findings.md.
        blocking = [c for c in codes if c not in ADVICE_CODES]
        expect = {"verdict": "problems" if blocking else "ok", "codes": list(codes), "info": list(info)}
        entry = {"domain": domain, "scenario": scen, "description": desc, "provider": prov.zone,
                 "identity": ident, "expect": expect, "servers": server_facts}
        if scen in DNSSEC:
            entry["dnssec"] = dnssec_expectation(scen, domain, ident)
        self.domains.append(entry)

    def key_record(self, tok):
        key = EASY_KEYS[int.from_bytes(tok.encode()[:4], "big") % len(EASY_KEYS)]
        return f"v=DKIM1; k=rsa; p={self.keys[key][1]}"

    def ses_key(self, target, tok):
        self.ses_keys.append((rel(target, "amazonses.com"), self.key_record(tok)))

    def byodkim_records(self, z, scen, sel):
        owner = f"{sel}._domainkey"
        good = self.keys[BYODKIM_KEY][1]
        if scen == "byodkim-missing":
            return
        value = {
            "byodkim-ok": f"v=DKIM1; k=rsa; p={good}",
            "byodkim-lowercased": f"v=DKIM1; k=rsa; p={good.lower()}",
            "byodkim-key-4096": f"v=DKIM1; k=rsa; p={self.keys[BYODKIM_BIG_KEY][1]}",
            "byodkim-mismatch": f"v=DKIM1; k=rsa; p={self.keys[BYODKIM_OTHER_KEY][1]}",
            "byodkim-multiple": f"v=DKIM1; k=rsa; p={good}",
            "byodkim-quoted": f'"v=DKIM1; k=rsa; p={good}"',
            "byodkim-testing": f"v=DKIM1; k=rsa; t=y; p={good}",
            "byodkim-invalid": "v=DKIM1; k=rsa; p=" + base64.b64encode(b"this is not a DER public key" * 8).decode(),
            "byodkim-tag-syntax": f"v=DKIM1 k=rsa; p={good}",
        }[scen]
        z.add(owner, "TXT", txt(value))
        if scen == "byodkim-multiple":
            z.add(owner, "TXT", txt(f"v=DKIM1; k=rsa; p={self.keys[BYODKIM_OTHER_KEY][1]}"))

    # DNSSEC -------------------------------------------------------------------------------------------
    def infra_signed(self):
        """(zone, zone file) of the signed infrastructure zones (root-servers.net stays unsigned)."""
        return ([(".", "root.zone")] + [(t, f"{t}.zone") for t in TLDS] + [("amazonses.com", "amazonses.com.zone")]
                + [(p.zone, f"{p.zone}.zone") for p in PROVIDERS])

    def prepare_keys(self, keys_root):
        """Makes (or reuses) one key per signed zone, plus the old provider's key of dnssec-stale-ds, and
        the DS records the parents publish."""
        self.keys_root = keys_root
        wanted = [(z, "key", INFRA_ALG) for z, _ in self.infra_signed()]
        for domain, _, scen in self.signed:
            wanted.append((domain, "key", DNSSEC[scen]["alg"]))
            if "ds_key" in DNSSEC[scen]:
                wanted.append((domain, DNSSEC[scen]["ds_key"], DNSSEC[scen]["alg"]))
        before = len(glob.glob(os.path.join(keys_root, "*", "*", "K*.private")))
        self.dnskeys = labsign.ensure_keys(keys_root, wanted)
        self.new_keys = len(glob.glob(os.path.join(keys_root, "*", "*", "K*.private"))) - before
        for z, _ in self.infra_signed():
            self.ds[z] = self.dnskeys[(z, "key")].ds(z)
        for domain, _, scen in self.signed:
            self.ds[domain] = self.dnskeys[(domain, DNSSEC[scen].get("ds_key", "key"))].ds(domain)

    def sign_jobs(self, zdir, now):
        jobs = []
        for zone, fname in self.infra_signed():
            jobs.append(labsign.SignJob(zone, os.path.join(zdir, "unsigned", fname), os.path.join(zdir, fname),
                                        [self.dnskeys[(zone, "key")]], now + VALID[0] * 3600, now + VALID[1] * 3600))
        for domain, fname, scen in self.signed:
            spec = DNSSEC[scen]
            valid = spec.get("valid", VALID)
            after = None
            if spec.get("nsec3"):
                # The _domainkey empty non-terminal is the closest encloser of the missing DKIM name.
                after = lambda path, d=domain: labsign.remove_nsec3(path, f"_domainkey.{d}")  # noqa: E731
            jobs.append(labsign.SignJob(domain, os.path.join(zdir, "unsigned", fname), os.path.join(zdir, fname),
                                        [self.dnskeys[(domain, "key")]], now + valid[0] * 3600,
                                        now + valid[1] * 3600, nsec3=spec.get("nsec3", False), after=after))
        return jobs

    def sign(self, zdir):
        """Moves every zone to be signed to zones/unsigned/ and signs it back into zones/."""
        t0 = time.monotonic()
        now = int(time.time())
        jobs = self.sign_jobs(zdir, now)
        for j in jobs:
            os.replace(j.signed, j.unsigned)
        labsign.sign_all(jobs)
        with open(os.path.join(self.state, "trust-anchor"), "w") as f:
            f.write(f"; The dkimdoctor lab's trust anchor: the DS of its root key (written by labgen.py)\n"
                    f". {TTL} IN DS {self.ds['.']}\n")
        print(f"labgen: signed {len(jobs)} zones ({self.new_keys} new keys in {self.keys_root}) in "
              f"{time.monotonic() - t0:.2f}s", file=sys.stderr)
        return now

    # Infrastructure zones -----------------------------------------------------------------------------
    def infrastructure(self):
        root = Zone(".", ROOT[0].host)
        for s in ROOT:
            root.add("@", "NS", s.host + ".")
        for tld in ("com", "net"):
            for s in GTLD:
                root.add(tld, "NS", s.host + ".")
        for s in ORG:
            root.add("org", "NS", s.host + ".")
        for tld in TLDS:
            root.add(tld, "DS", self.ds[tld])
        for s in ROOT + GTLD + ORG:  # glue (under net and org)
            root.add(s.host + ".", "A", s.addresses[0])
        self.zone_files["root.zone"] = root.text()
        self.serve(ROOT, ".", "root.zone")

        rs = Zone("root-servers.net", ROOT[0].host)
        for s in ROOT:
            rs.add("@", "NS", s.host + ".")
            rs.add(rel(s.host, "root-servers.net"), "A", s.addresses[0])
        self.zone_files["root-servers.net.zone"] = rs.text()
        self.serve(ROOT, "root-servers.net", "root-servers.net.zone")

        ses = Zone("amazonses.com", SES[0].host)
        for s in SES:
            ses.add("@", "NS", s.host + ".")
            ses.add(rel(s.host, "amazonses.com"), "A", s.addresses[0])
        ses.add("@", "TXT", txt("v=spf1 ip4:127.53.254.0/24 -all"))
        for r in FEEDBACK_REGIONS:
            ses.add(f"feedback-smtp.{r}", "A", "127.53.254.26")
        seen = set()
        for owner, value in self.ses_keys:
            if owner not in seen:
                seen.add(owner)
                ses.add(owner, "TXT", txt(value))
        self.zone_files["amazonses.com.zone"] = ses.text()
        self.serve(SES, "amazonses.com", "amazonses.com.zone")
        self.delegate("amazonses.com", [(s.host, s.addresses) for s in SES])

        for p in PROVIDERS:
            pz = Zone(p.zone, p.ns[0].host)
            for s in p.ns:
                pz.add("@", "NS", s.host + ".")
            for s in p.ns:
                pz.add(rel(s.host, p.zone), "A", s.addresses[0])
                for a in s.v6:
                    pz.add(rel(s.host, p.zone), "AAAA", a)
            pz.add("@", "A", WEB_ADDR)
            self.zone_files[f"{p.zone}.zone"] = pz.text()
            self.serve(p.ns, p.zone, f"{p.zone}.zone")
            self.delegate(p.zone, [(s.host, s.all_addresses()) for s in p.ns])

        self.delegate("root-servers.net", [(s.host, s.addresses) for s in ROOT])
        for tld, servers in (("com", GTLD), ("net", GTLD), ("org", ORG)):
            tz = Zone(tld, servers[0].host)
            for s in servers:
                tz.add("@", "NS", s.host + ".")
            if tld == "net":
                for s in GTLD:
                    tz.add(rel(s.host, "net"), "A", s.addresses[0])
            if tld == "org":
                for s in ORG:
                    tz.add(rel(s.host, "org"), "A", s.addresses[0])
            for child, ns in self.tld_delegations[tld]:
                owner = rel(child, tld)
                for host, addrs in ns:
                    tz.add(owner, "NS", host + ".")
                if child in self.ds:
                    tz.add(owner, "DS", self.ds[child])
                for host, addrs in ns:
                    if host == child or host.endswith("." + child):  # glue only in bailiwick
                        for a in addrs:
                            tz.add(rel(host, tld), "AAAA" if ":" in a else "A", a)
            self.zone_files[f"{tld}.zone"] = tz.text()
            self.serve(servers, tld, f"{tld}.zone")

    # Zones for bench/bulk/million (opt-in: `lab up --wildcard-zones`) ------------------------------------
    def wildcard_zones(self):
        """Unsigned zones under which any name exists or none does, so that a benchmark can check a million
        distinct identities <label>.<zone> without a million zones (WILDCARD_ZONES says what each serves)."""
        tok = "wildcardtokenaaaaaaaaaaaaaaaaaaa"  # one SES key behind every name of the CNAME zone
        target = dkim_target(tok, None)
        self.ses_key(target, tok)
        # NSD's RRL (200 answers/s per bucket as packaged) counts every answer synthesised from one wildcard,
        # and every NXDOMAIN of one zone, as one bucket: the benchmark would measure dropped answers.
        self.rate_limit = False
        for zone, label, kind in WILDCARD_ZONES:
            prov = PROVIDER_BY_LABEL[label]
            z = Zone(zone, prov.ns[0].host)
            for s in prov.ns:
                z.add("@", "NS", s.host + ".")
            if kind == "txt":  # every name: a TXT and an MX (other types: NODATA from the wildcard)
                z.add("*", "TXT", txt("wildcard-verification-token"))
                z.add("*", "MX", f"10 mx.{zone}.")
                z.add("mx", "A", MX_HOST_ADDR)
            elif kind == "cname":  # every name: a CNAME to one SES key
                z.add("*", "CNAME", target + ".")
            self.zone_files[f"{zone}.zone"] = z.text()
            self.serve(prov.ns, zone, f"{zone}.zone")
            self.delegate(zone, [(s.host, s.all_addresses()) for s in prov.ns])

    # Output ---------------------------------------------------------------------------------------------
    def write(self):
        st = self.state
        for sub in ("zones", "nsd", "unbound", "unbound-validator", "keys"):
            shutil.rmtree(os.path.join(st, sub), ignore_errors=True)
        os.makedirs(os.path.join(st, "zones", "stale"))
        os.makedirs(os.path.join(st, "zones", "unsigned"))
        os.makedirs(os.path.join(st, "keys"))
        for name in EASY_KEYS + [BYODKIM_BIG_KEY]:
            shutil.copy(os.path.join(HERE, "keys", f"{name}.pub.pem"), os.path.join(st, "keys"))
        zdir = os.path.join(st, "zones")
        for fname, text in self.zone_files.items():
            with open(os.path.join(zdir, fname), "w") as f:
                f.write(text)
        signed_at = self.sign(zdir)

        servers = all_servers()
        for s in servers:
            d = os.path.join(st, "nsd", s.id)
            os.makedirs(d)
            conf = [
                "server:",
                *[f"  ip-address: {a}" for a in s.all_addresses()],
                "  port: 53",
                "  do-ip4: yes",
                "  do-ip6: yes",
                '  database: ""',
                f'  zonelistfile: "{d}/zone.list"',
                f'  xfrdfile: "{d}/xfrd.state"',
                f'  xfrdir: "{d}"',
                f'  pidfile: "{d}/nsd.pid"',
                f'  logfile: "{d}/nsd.log"',
                '  username: ""',
                '  chroot: ""',
                f'  zonesdir: "{zdir}"',
                f"  identity: {s.host}",
                "  hide-version: yes",
                "  verbosity: 0",
                "  server-count: 1",
                "  reuseport: no",
                "  ipv4-edns-size: 1232",
                "  ipv6-edns-size: 1232",
                "  tcp-count: 256",
                # Room for bursts from resolvers under benchmark load (default buffers drop datagrams).
                "  receive-buffer-size: 4194304",
                "  send-buffer-size: 4194304",
                "  refuse-any: yes",
                *([] if self.rate_limit else ["  rrl-ratelimit: 0"]),
                # Control on a unix socket in the state dir (no certificates, no network): `lab stats`
                # and the benchmarks read per-server query counts with nsd-control stats_noreset.
                # (A unix socket path must fit in sun_path, 108 bytes: deep state dirs go without stats.)
                "remote-control:",
                *(["  control-enable: yes", f'  control-interface: "{d}/nsd.ctl"']
                  if len(f"{d}/nsd.ctl") < 100 else ["  control-enable: no"]),
            ]
            for zone, fname in s.zones.items():
                conf += ["zone:", f"  name: {zone}", f"  zonefile: {fname}"]
            with open(os.path.join(d, "nsd.conf"), "w") as f:
                f.write("\n".join(conf) + "\n")

        hints = [";  Root hints of the dkimdoctor lab (named.root format). Lab data: these addresses exist only",
                 ";  inside the lab's network namespace.", ".                        3600000      NS    "
                 + ROOT[0].host + "."]
        for s in ROOT[1:]:
            hints.append(f".                        3600000      NS    {s.host}.")
        for s in ROOT:
            hints.append(f"{s.host + '.':<24} 3600000      A     {s.addresses[0]}")
        hints.append("; End of file")
        with open(os.path.join(st, "root.hints"), "w") as f:
            f.write("\n".join(hints) + "\n")

        self.write_unbound()

        # servers.list: what tests/lab/lab starts and waits for: id, conf, a zone to ask SOA for, addresses.
        with open(os.path.join(st, "servers.list"), "w") as f:
            for s in servers:
                probe = list(s.zones)[-1]  # the last zone in the config: loaded last
                f.write(f"{s.id} {os.path.join(st, 'nsd', s.id, 'nsd.conf')} {probe} {' '.join(s.all_addresses())}\n")

        manifest = {
            "seed": self.seed,
            "domain_count": self.n,
            "root_hints": os.path.join(st, "root.hints"),
            "root_servers": [a for s in ROOT for a in s.addresses],
            "unbound": UNBOUND_ADDR,
            "validator": VALIDATOR_ADDR,
            "trust_anchor": os.path.join(st, "trust-anchor"),
            "signed_at": signed_at,
            "scenarios": [dict({"name": n, "description": d, "codes": c, "info": i},
                               **({"dnssec_codes": DNSSEC[n]["codes"], "dnssec_cause": DNSSEC[n].get("cause")}
                                  if n in DNSSEC else {}))
                          for n, d, c, i in SCENARIOS],
            "servers": [{"name": s.host, "id": s.id, "addresses": s.all_addresses(), "zones": sorted(s.zones)}
                        for s in servers],
            "domains": self.domains,
        }
        with open(os.path.join(st, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
        with open(os.path.join(st, "identities.jsonl"), "w") as f:
            for d in self.domains:
                f.write(json.dumps(d["identity"], separators=(",", ":")) + "\n")
        with open(os.path.join(st, "names.txt"), "w") as f:
            f.write("\n".join(self.names) + "\n")

    def write_unbound(self):
        self.write_unbound_conf("unbound", UNBOUND_ADDR, validate=False)
        self.write_unbound_conf("unbound-validator", VALIDATOR_ADDR, validate=True)

    def write_unbound_conf(self, sub, addr, validate):
        """The reference Unbound (iterator only: what dkimdoctor's answers are compared with) or the same
        with its validator and the lab's trust anchor (the reference for DNSSEC status)."""
        st = self.state
        d = os.path.join(st, sub)
        os.makedirs(d, exist_ok=True)
        qmin = os.environ.get("DKIMDOCTOR_LAB_QNAME_MINIMISATION", "no")
        modules = (f'"validator iterator"\n  trust-anchor-file: "{st}/trust-anchor"\n  val-log-level: 2'
                   if validate else '"iterator"')
        conf = f"""# Unbound for the dkimdoctor lab. Written by tests/lab/labgen.py; never the packaged config.
server:
  interface: {addr}
  port: 53
  do-ip4: yes
  do-ip6: yes
  do-udp: yes
  do-tcp: yes
  access-control: 127.0.0.0/8 allow
  access-control: ::1 allow
  chroot: ""
  username: ""
  directory: "{d}"
  pidfile: "{d}/unbound.pid"
  use-syslog: no
  logfile: "{d}/unbound.log"
  verbosity: 0
  root-hints: "{st}/root.hints"
  module-config: {modules}
  do-not-query-localhost: no
  # The lab's private-range glue is data only: never send a packet there.
  do-not-query-address: 10.0.0.0/8
  do-not-query-address: 172.16.0.0/12
  do-not-query-address: 192.168.0.0/16
  harden-referral-path: no
  qname-minimisation: {qmin}
  num-threads: 1
  num-queries-per-thread: 4096
  outgoing-range: 8192
  so-reuseport: no
  edns-buffer-size: 1232
  so-rcvbuf: 4m
  so-sndbuf: 4m
  prefetch: no
  minimal-responses: yes
  extended-statistics: yes
  statistics-cumulative: no
  statistics-interval: 0
remote-control:
  control-enable: {"yes" if len(d) < 90 else "no"}
  control-interface: "{d}/unbound.ctl"
  control-use-cert: no
"""
        with open(os.path.join(d, "unbound.conf"), "w") as f:
            f.write(conf)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--state")
    ap.add_argument("--domains", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--wildcard-zones", action="store_true",
                    help="also serve WILDCARD_ZONES (for bench/bulk/million)")
    ap.add_argument("--keys", help="DNSSEC key directory, kept across runs (default STATE/dnssec-keys)")
    ap.add_argument("--scenarios-markdown", action="store_true", help="print the scenario table and exit")
    a = ap.parse_args()
    if a.scenarios_markdown:
        print("| scenario | what the lab serves | expected codes (error/warning) | info |")
        print("|---|---|---|---|")
        for n, d, c, i in SCENARIOS:
            d = d.replace("<", "&lt;").replace(">", "&gt;")
            print(f"| `{n}` | {d} | {', '.join(f'`{x}`' for x in c) or '— (verdict ok)'} | "
                  f"{', '.join(f'`{x}`' for x in i)} |")
        return 0
    if not a.state:
        print("labgen: --state DIR is required", file=sys.stderr)
        return 2
    if a.domains < 1:
        print("labgen: --domains must be at least 1", file=sys.stderr)
        return 2
    if a.domains < len(SCENARIOS):
        print(f"labgen: note: {a.domains} domains cover only the first {a.domains} of {len(SCENARIOS)} scenarios",
              file=sys.stderr)
    os.makedirs(a.state, exist_ok=True)
    lab = Lab(os.path.abspath(a.state), a.domains, a.seed)
    for i in range(a.domains):
        lab.make_domain(i)
    if a.wildcard_zones:
        lab.wildcard_zones()
    lab.prepare_keys(os.path.abspath(a.keys or os.path.join(a.state, "dnssec-keys")))
    lab.infrastructure()
    lab.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
