#!/usr/bin/env python3
"""`dkimdoctor check` end to end against the lab: the options every scenario needs are built from the
manifest's identity, and the binary's exit status, --json object and human report agree with the scenario:
  - exit status 0 for verdict ok, 1 for problems; --json has domain, verdict, findings (code, severity,
    ses_error, message, fix, evidence) and servers; its error/warning codes are exactly the scenario's;
    every check validates (--trust-anchor: the lab's root DS), so its DNSSEC_* codes (and DNSSEC_BOGUS's
    cause) are the manifest's, and a DNSSEC problem makes the verdict "problems" (lab_support);
  - the human report starts with the verdict line, has no colour when not on a terminal and with
    NO_COLOR, and colour with --color=always;
  - --ses-identity - (the `aws sesv2 get-email-identity` JSON on stdin) gives the same findings as --easy-dkim;
  - --html FILE (the stale secondary): verdict first, the walk's nodes and one cell per (record x server);
  - usage errors are one line on stderr and exit status 2.
Usage: diagnose_check_cli.py PATH/TO/dkimdoctor   (inside the lab namespace, DKIMDOCTOR_LAB set)"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab_support  # noqa: E402

BIN = sys.argv[1]
LAB = os.environ.get("DKIMDOCTOR_LAB")
if not LAB or not os.path.exists(os.path.join(LAB, "manifest.json")):
    print("DKIMDOCTOR_LAB is not set or the lab is not up (tests/lab/lab up)")
    sys.exit(1)
# The lab is signed: every check validates with its trust anchor (issue 14).
COMMON = ["--root-hints", os.path.join(LAB, "root.hints"), "--allow-loopback", "--trust-anchor",
          os.path.join(LAB, "trust-anchor")]
with open(os.path.join(LAB, "manifest.json")) as f:
    MANIFEST = json.load(f)

failures = []
passed = 0


def expect(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)
        print("FAIL:", what)


def args_for(identity):
    a = [identity["domain"]]
    tokens = [t + (":" + identity["region"] if identity["region"] else "") for t in identity["easy_dkim_tokens"]]
    for extra in identity.get("additional_regions", []):
        tokens += [t + ":" + extra["region"] for t in extra["easy_dkim_tokens"]]
    if tokens:
        a += ["--easy-dkim", ",".join(tokens)]
    if identity["region"] and identity["mail_from"]:
        a += ["--region", identity["region"]]  # the MAIL FROM feedback host's region
    if identity["byodkim_selector"]:
        a += ["--byodkim", identity["byodkim_selector"]]
    if identity["byodkim_public_key_file"]:
        a += ["--public-key", identity["byodkim_public_key_file"]]
    if identity["verification_token"]:
        a += ["--verification-token", identity["verification_token"]]
    if identity["mail_from"]:
        a += ["--mail-from", identity["mail_from"]]
    if identity["email"]:
        a += ["--email", identity["email"]]
    return a


def run(args, stdin=None, env=None):
    return subprocess.run([BIN, "check"] + args, input=stdin, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **(env or {})))


def problem_codes(j):
    """Error and warning codes other than DNSSEC_* (the manifest lists those apart: dnssec.codes)."""
    return sorted({f["code"] for f in j["findings"] if f["severity"] in ("error", "warning")
                   and not f["code"].startswith("DNSSEC_")})


seen = set()
for d in MANIFEST["domains"]:
    if d["scenario"] in seen:
        continue
    seen.add(d["scenario"])
    ident, exp = d["identity"], d["expect"]
    name = f'{d["domain"]} ({d["scenario"]})'
    args = args_for(ident)
    r = run(args + COMMON + ["--json"])
    want_verdict = lab_support.expected_verdict(d)
    want_status = 0 if want_verdict == "ok" else 1
    expect(r.returncode == want_status, f"{name}: exit status {r.returncode}, want {want_status}: {r.stderr.strip()}")
    try:
        j = json.loads(r.stdout)
    except ValueError:
        expect(False, f"{name}: --json output is not JSON: {r.stdout[:200]}")
        continue
    expect(set(j) >= {"domain", "verdict", "findings", "servers"}, f"{name}: JSON keys {sorted(j)}")
    expect(j["domain"] == d["domain"], f"{name}: domain {j['domain']}")
    expect(j["verdict"] == want_verdict, f"{name}: verdict {j['verdict']}, want {want_verdict}")
    expect(problem_codes(j) == sorted(set(exp["codes"])), f"{name}: codes {problem_codes(j)}, want {exp['codes']}")
    want_dnssec, want_cause = lab_support.expected_dnssec(d)
    got_dnssec, got_causes = lab_support.dnssec_findings(j["findings"])
    expect(lab_support.dnssec_as_expected(d, got_dnssec, got_causes),
           f"{name}: DNSSEC codes {sorted(got_dnssec)} cause {got_causes}, want {sorted(want_dnssec)} cause {want_cause}")
    for f in j["findings"]:
        ok = set(f) >= {"code", "severity", "ses_error", "message", "fix", "evidence"} and \
            f["severity"] in ("error", "warning", "info", "ok") and \
            (f["ses_error"] is None or f["ses_error"] in ("HOST_NOT_FOUND", "TYPE_NOT_FOUND", "INVALID_VALUE",
                                                        "DNS_SERVER_ERROR"))
        expect(ok, f"{name}: finding shape {f}")

# The human report, colour rules, and the SES identity JSON, on one healthy and one broken domain.
by_scenario = {d["scenario"]: d for d in MANIFEST["domains"]}
ok_dom = by_scenario["easy-dkim-ok"]
bad_dom = by_scenario["dkim-one-missing"]
for d in (ok_dom, bad_dom):
    r = run(args_for(d["identity"]) + COMMON)
    first = r.stdout.splitlines()[0] if r.stdout else ""
    if d is ok_dom:
        expect(first.startswith("OK  SES will verify " + d["domain"]), f"verdict line: {first}")
    else:
        expect(first.startswith("FAIL  SES will not verify " + d["domain"] + ": 1 of 3 DKIM records is missing"),
               f"verdict line: {first}")
    expect("\x1b[" not in r.stdout, "no colour when stdout is not a terminal")
    r = run(args_for(d["identity"]) + COMMON + ["--color=always"])
    expect("\x1b[" in r.stdout, "--color=always colours")
    r = run(args_for(d["identity"]) + COMMON + ["--color=auto"], env={"NO_COLOR": "1"})
    expect("\x1b[" not in r.stdout, "NO_COLOR respected")

ses_json = json.dumps({"IdentityType": "DOMAIN", "VerificationStatus": "PENDING",
                       "DkimAttributes": {"SigningAttributesOrigin": "AWS_SES", "Status": "PENDING",
                                          "Tokens": bad_dom["identity"]["easy_dkim_tokens"]}})
r = run([bad_dom["domain"], "--ses-identity", "-", "--json"] + COMMON, stdin=ses_json)
j = json.loads(r.stdout) if r.stdout.startswith("{") else {"findings": []}
expect(r.returncode == 1 and "DKIM_RECORD_MISSING" in problem_codes(j), f"--ses-identity -: {r.returncode} {problem_codes(j)}")
expect(any(f["code"] == "SES_IDENTITY_STATUS" for f in j["findings"]), "SES status reported as information")

# check --html FILE on the stale secondary: the page has the verdict first, one node per NS name and address
# of the delegation, one cell per (expected record x server) as the JSON's "cells" say, the stale server's
# missing CNAME among them, and nothing to fetch.
stale = by_scenario["stale-secondary"]
html_path = os.path.join(LAB, "check-stale-secondary.html")
r = run(args_for(stale["identity"]) + COMMON + ["--html", html_path])
expect(r.returncode == 1 and r.stdout.startswith("FAIL"), f"--html keeps the text report: {r.returncode}")
page = open(html_path, encoding="utf-8").read() if os.path.exists(html_path) else ""
j = json.loads(run(args_for(stale["identity"]) + COMMON + ["--json"]).stdout)
expect(page.startswith("<!DOCTYPE html>") and 'data-verdict="problems"' in page, "--html: verdict")
expect(page.find('id="verdict"') < page.find("<section"), "--html: verdict before the sections")
addresses = [a for s in stale["servers"] for a in s["addresses"]]
expect(page.count('class="ns-node"') == len(stale["servers"]), "--html: one node per NS name")
expect(page.count('class="addr-node"') == len(addresses), "--html: one node per address")
cells = page.count('<g class="cell ')
expect(cells == len(j["cells"]) and cells > 0 and cells % len(addresses) == 0,
       f'--html: one cell per (record x server): {cells} vs {len(j["cells"])}')
stale_ns = [s["name"] for s in stale["servers"] if s["state"] == "stale"]
missing = [(c["server"], c["type"]) for c in j["cells"] if c["state"] == "missing"]
expect(missing == [(stale_ns[0], "CNAME")], f"--json cells: the stale secondary's missing CNAME: {missing}")
expect(page.count('data-state="missing"') == 1, "--html: one missing cell")
expect('data-code="RECORD_INCONSISTENT"' in page and "<details>" in page, "--html: the finding and its trace")
expect(all(x not in page for x in ("http://", "https://", "<link", "<script", "<img")), "--html: nothing to fetch")
r = run(args_for(stale["identity"]) + COMMON + ["--html", "-"])
expect(r.stdout.startswith("<!DOCTYPE html>") and r.stdout.rstrip().endswith("</html>"), "--html - writes to stdout")
r = run(args_for(stale["identity"]) + COMMON + ["--html", os.path.join(LAB, "no-such-dir", "x.html")])
expect(r.returncode == 3 and r.stdout == "" and "--html" in r.stderr and len(r.stderr.strip().splitlines()) == 1,
       f"--html to an unwritable path: {r.returncode} {r.stderr!r}")
r = run(args_for(stale["identity"]) + COMMON + ["--html", "-", "--json"])
expect(r.returncode == 2 and r.stdout == "", "--html - with --json is a usage error")

for bad in (["--easy-dkim", "a.b", ok_dom["domain"]], [], ["not a domain!"], [ok_dom["domain"], "--color=sometimes"],
            [ok_dom["domain"], "--public-key", "/nonexistent.pem", "--byodkim", "s"],
            [ok_dom["domain"], "--ses-identity", "-"]):
    r = run(bad + COMMON, stdin="{broken")
    expect(r.returncode == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1,
           f"usage error {bad}: status {r.returncode}, stderr {r.stderr!r}")

# Issue 19 on the lab. A regional identity checked without --region: its CNAMEs point at a real regional
# signing zone for the same tokens, so they are right (with a note naming the region), never "wrong target".
for d in MANIFEST["domains"]:
    if d["scenario"] != "regional-ok":
        continue
    ident = dict(d["identity"], region=None)
    r = run(args_for(ident) + COMMON + ["--json"])
    j = json.loads(r.stdout) if r.stdout.startswith("{") else {"findings": [], "verdict": None}
    expect(r.returncode == 0 and j["verdict"] == "ok", f"{d['domain']} without --region: {r.returncode} {j.get('headline')}")
    notes = [f["message"] for f in j["findings"] if f["code"] == "DKIM_OK"]
    region = d["identity"]["region"]
    expect(len(notes) == 3 and all(region in m for m in notes), f"{d['domain']}: DKIM_OK notes name {region}: {notes}")
    # The same tokens pasted as the record values the console shows, with a capitalised region elsewhere.
    values = " ".join(f"{t}.dkim.{region}.amazonses.com" for t in d["identity"]["easy_dkim_tokens"])
    r = run([d["domain"], "--easy-dkim", values] + COMMON)
    expect(r.returncode == 0 and "understood:" in r.stdout, f"{d['domain']} pasted values: {r.returncode} {r.stdout[:300]}")

# A domain given with no DKIM input is never "ok": the report says DKIM was not checked and how to get tokens.
for scenario in ("dkim-missing", "underscore-stripped", "easy-dkim-ok"):
    d = by_scenario[scenario]
    r = run([d["domain"], "--json"] + COMMON)
    j = json.loads(r.stdout) if r.stdout.startswith("{") else {"findings": [], "verdict": None, "headline": ""}
    expect(r.returncode == 3 and j["verdict"] == "incomplete", f"{d['domain']} without tokens: {r.returncode} {j['verdict']}")
    expect("DKIM not checked" in j["headline"] and "get-email-identity" in j["headline"],
           f"{d['domain']} without tokens: headline {j['headline']}")

# One token, or one token twice: not "ok", the missing two are named as not checked.
d = ok_dom
t1 = d["identity"]["easy_dkim_tokens"][0]
for tokens in (t1, f"{t1},{t1}"):
    r = run([d["domain"], "--easy-dkim", tokens, "--json"] + COMMON)
    j = json.loads(r.stdout) if r.stdout.startswith("{") else {"findings": [], "verdict": None}
    expect(r.returncode == 3 and any(f["code"] == "DKIM_TOKENS_INCOMPLETE" for f in j["findings"]),
           f"{d['domain']} --easy-dkim {tokens}: {r.returncode} {j.get('headline')}")

# The MAIL FROM-only failure: the domain verifies, the headline says so.
d = by_scenario["mail-from-wrong-mx"]
r = run(args_for(d["identity"]) + COMMON)
first = r.stdout.splitlines()[0] if r.stdout else ""
expect(r.returncode == 1 and "verifies, but its custom MAIL FROM domain" in first, f"mail-from-wrong-mx headline: {first}")

print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
