#!/usr/bin/env python3
"""Bad command-line input never crashes dkimdoctor: every case below must end with exit status 2 (usage) or
the documented status, print exactly one line on stderr, no stack trace, and nothing on stdout.

Usage: cli_errors_test.py PATH/TO/dkimdoctor
No case reaches the network: each one is refused before any query is sent."""
import os
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
LONG_LABEL = "a" * 300
tmp = tempfile.mkdtemp(prefix="dkimdoctor-cli-")
garbage = bytes(range(256)) * 4
jsonl_output = os.path.join(tmp, "results.jsonl")  # an earlier JSON Lines output, resumed as CSV
with open(jsonl_output, "w") as f:
    f.write('{"line":1,"domain":"example.com","verdict":"ok"}\n')

no_keys = os.path.join(tmp, "no-keys.zone")  # zone text without DS or DNSKEY: not a trust anchor
with open(no_keys, "w") as f:
    f.write("example.com. 3600 IN A 192.0.2.1\n")

# (name, argv, stdin bytes, expected exit status)
CASES = [
    ("no_arguments", [], b"", 2),
    ("unknown_command", ["frobnicate"], b"", 2),
    ("unknown_flag", ["check", "example.com", "--bogus"], b"", 2),
    ("check_without_domain", ["check"], b"", 2),
    ("check_space_in_domain", ["check", "exa mple.com"], b"", 2),
    ("check_300_char_label", ["check", LONG_LABEL + ".com"], b"", 2),
    ("check_name_too_long", ["check", ".".join(["abcdefghij"] * 30) + ".com"], b"", 2),
    ("check_empty_label", ["check", "example..com"], b"", 2),
    ("check_binary_domain", ["check", "ex\x01ample.com"], b"", 2),
    ("check_bad_token", ["check", "example.com", "--easy-dkim", "a/b,c,d"], b"", 2),
    ("check_region_typo", ["check", "example.com", "--easy-dkim", "abc", "--region", "ap-southeast3"], b"", 2),
    ("check_email_as_domain", ["check", "info@example.com"], b"", 2),
    ("unknown_command", ["chek", "example.com"], b"", 2),
    ("check_bad_region", ["check", "example.com", "--easy-dkim", "abc", "--region", "../../x"], b"", 2),
    ("check_bad_color", ["check", "example.com", "--color=sometimes"], b"", 2),
    ("check_identity_garbage_stdin", ["check", "example.com", "--ses-identity", "-"], garbage, 2),
    ("check_identity_missing_file", ["check", "example.com", "--ses-identity", "/nonexistent/x.json"], b"", 2),
    ("check_identity_directory", ["check", "example.com", "--ses-identity", tmp], b"", 2),
    ("check_public_key_missing", ["check", "example.com", "--byodkim", "s1", "--public-key", "/nonexistent.pem"], b"", 2),
    ("check_public_key_garbage", ["check", "example.com", "--byodkim", "s1", "--public-key", "/dev/null"], b"", 2),
    ("check_bad_email", ["check", "--email", "not-an-address"], b"", 2),
    ("check_root_hints_missing", ["check", "example.com", "--root-hints", "/nonexistent.hints"], b"", 2),
    ("resolve_300_char_label", ["resolve", LONG_LABEL + ".example"], b"", 2),
    ("resolve_bad_type", ["resolve", "example.com", "NOTATYPE"], b"", 2),
    ("resolve_root_hints_garbage", ["resolve", "example.com", "--root-hints", "/dev/null"], b"", 2),
    ("resolve_batch_huge_concurrency", ["resolve", "--batch", "-", "--concurrency", "10000000"], b"", 2),
    ("resolve_batch_missing_file", ["resolve", "--batch", "/nonexistent/names.txt"], b"", 2),
    ("bulk_missing_file", ["bulk", "/nonexistent/identities.jsonl"], b"", 2),
    ("bulk_bad_concurrency", ["bulk", "-", "--concurrency", "0"], b"", 2),
    ("bulk_resume_without_output", ["bulk", "-", "--resume"], b"", 2),
    ("bulk_bad_format", ["bulk", "-", "--format", "xml"], b"", 2),
    ("bulk_resume_csv_over_jsonl", ["bulk", "-", "--resume", "--format", "csv", "--output", jsonl_output], b"", 2),
    ("resolve_trust_anchor_missing", ["resolve", "example.com", "--trust-anchor", "/nonexistent.key"], b"", 2),
    ("resolve_trust_anchor_garbage", ["resolve", "example.com", "--trust-anchor", "/dev/null"], b"", 2),
    ("resolve_trust_anchor_no_keys", ["resolve", "example.com", "--trust-anchor", no_keys], b"", 2),
    ("resolve_bad_validation_time", ["resolve", "example.com", "--validation-time", "2030-01-01"], b"", 2),
    ("check_bad_validation_time", ["check", "example.com", "--validation-time", "20301301000000"], b"", 2),
    ("bulk_trust_anchor_missing", ["bulk", "-", "--trust-anchor", "/nonexistent.key"], b"", 2),
    ("decode_missing_file", ["decode", "/nonexistent.bin"], b"", 2),
    ("decode_directory", ["decode", tmp], b"", 2),
    ("decode_garbage_stdin", ["decode", "-"], garbage, 1),
    ("decode_bad_hex", ["decode", "--hex", "-"], b"zz not hex", 1),
    ("decode_empty", ["decode", "-"], b"", 1),
]

passed = failed = 0
for name, argv, stdin, want in CASES:
    proc = subprocess.run([BIN] + argv, input=stdin, capture_output=True, timeout=30,
                          env={**os.environ, "NO_COLOR": "1"})
    problems = []
    if proc.returncode != want:
        problems.append(f"exit status {proc.returncode}, want {want}")
    err_lines = proc.stderr.decode("utf-8", "replace").splitlines()
    if len(err_lines) != 1:
        problems.append(f"{len(err_lines)} lines on stderr, want 1: {err_lines[:5]!r}")
    elif not err_lines[0].startswith("dkimdoctor: "):
        problems.append(f"stderr does not start with 'dkimdoctor: ': {err_lines[0]!r}")
    if want == 2 and proc.stdout:
        problems.append(f"stdout not empty: {proc.stdout[:200]!r}")
    if any(w in proc.stderr for w in (b"terminate called", b"Sanitizer", b"runtime error", b"Aborted")):
        problems.append("crash or sanitizer report")
    if problems:
        failed += 1
        print(f"FAIL {name}: {'; '.join(problems)}")
    else:
        passed += 1
        print(f"ok   {name}")

# Mistakes people make: the one line must say how to fix the input.
HINTS = [
    ("hint_region_typo", ["check", "example.com", "--easy-dkim", "abc", "--region", "ap-southeast3"],
     "did you mean ap-southeast-3?"),
    ("hint_region_unknown", ["check", "example.com", "--region", "mars-north-9"], "not an SES region"),
    ("hint_email_as_domain", ["check", "info@example.com"], "--email info@example.com"),
    ("hint_unknown_command", ["chek", "example.com"], "did you mean 'dkimdoctor check'"),
    ("hint_domain_as_command", ["example.com"], "dkimdoctor check example.com"),
    ("hint_token_as_garbage", ["check", "example.com", "--easy-dkim", "foo.bar"], "part before ._domainkey"),
    ("hint_record_of_other_domain", ["check", "example.com", "--easy-dkim", "abc._domainkey.other.org"],
     "not of example.com"),
]
for name, args, needle in HINTS:
    proc = subprocess.run([BIN] + args, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode == 2 and needle in err:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: status {proc.returncode}, stderr {err[:300]!r}, want {needle!r}")

# --help on every command: exit 0, an example, nothing on stderr.
for command in ["check", "bulk", "resolve", "decode", "version"]:
    proc = subprocess.run([BIN, command, "--help"], capture_output=True, timeout=30)
    text = proc.stdout.decode("utf-8", "replace")
    if proc.returncode == 0 and "Example" in text and not proc.stderr:
        passed += 1
        print(f"ok   help_{command}")
    else:
        failed += 1
        print(f"FAIL help_{command}: status {proc.returncode}, stderr {proc.stderr[:200]!r}")

# `version` names the allocator the build links, and the process really runs on it: the dynamic linker
# binds every call of malloc (libc's own among them) to libmimalloc, or none.
if len(sys.argv) > 2:
    want = sys.argv[2]
    proc = subprocess.run([BIN, "version"], capture_output=True, timeout=30,
                          env=dict(os.environ, LD_DEBUG="bindings"))
    said = [l for l in proc.stdout.decode("utf-8", "replace").splitlines() if l.startswith("allocator: ")]
    bound = {line.split(" to ")[1].split()[0].rsplit("/", 1)[-1] for line in proc.stderr.decode("utf-8", "replace").splitlines()
             if "normal symbol `malloc'" in line and " to " in line}
    ok = proc.returncode == 0 and len(said) == 1 and said[0].split()[1] == want
    # (without mimalloc, glibc's malloc, or the sanitizers' own in the ASan build)
    ok = ok and (bound == {"libmimalloc.so.2"} if want == "mimalloc" else "libmimalloc.so.2" not in bound)
    if ok:
        passed += 1
        print(f"ok   version_allocator_{want}")
    else:
        failed += 1
        print(f"FAIL version_allocator_{want}: status {proc.returncode}, said {said}, malloc bound to {sorted(bound)}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
