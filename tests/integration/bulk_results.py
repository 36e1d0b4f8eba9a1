#!/usr/bin/env python3
"""`dkimdoctor bulk` results people can use (issue 19 part 5, issue 12 part 4), against the real lab:
  - the summary counts domains, not findings, over the whole output file, and its exit status is the
    documented one (0 all verify, 1 one will not, 3 could not tell / input errors, 2 usage);
  - --format csv parses with Python's csv module, one row per input line, same verdicts as JSON Lines;
  - --only-problems omits the ok lines (recorded in FILE.ok-lines.csv) and --resume still completes;
  - --resume over a file whose failing line was done before the interruption exits 1, and the summary
    counts every line of the file (JSON Lines, CSV, --only-problems);
  - the progress line names the domain it waits for.
Expectations are computed from the JSON the run wrote, so they hold whatever the verdict logic decides.
Usage: bulk_results.py PATH/TO/dkimdoctor   (inside the lab namespace, DKIMDOCTOR_LAB set)"""
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

BIN = sys.argv[1]
LAB = os.environ.get("DKIMDOCTOR_LAB")
if not LAB or not os.path.exists(os.path.join(LAB, "identities.jsonl")):
    print("DKIMDOCTOR_LAB is not set or the lab is not up (tests/lab/lab up)")
    print("0 passed, 1 failed")
    sys.exit(1)
# The lab's BYODKIM lines name key files: bulk reads them only under --key-dir (issue 18).
# The lab is signed: bulk validates with its trust anchor (issue 14), as a run on the Internet does.
COMMON = ["--root-hints", os.path.join(LAB, "root.hints"), "--allow-loopback", "--progress", "never", "--key-dir",
          os.path.join(LAB, "keys"), "--trust-anchor", os.path.join(LAB, "trust-anchor")]
tmp = tempfile.mkdtemp(prefix="dkimdoctor-bulk-results-")
HEADER = ["line", "domain", "verdict", "codes", "headline", "classes", "host_limits"]

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def write_input(name, lines):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
    return path


def bulk(*args, timeout=600):
    return subprocess.run([BIN, "bulk", *args] + COMMON, capture_output=True, timeout=timeout)


def read_jsonl(path):
    with open(path) as f:
        return {r["line"]: r for r in map(json.loads, f)}


def finding_class(f):
    if "class" in f:
        return f["class"]
    return {"error": "blocks", "warning": "may_block", "ok": "passed"}.get(f.get("severity"), "note")


def domain_counts(stderr):
    m = re.search(rb"will verify (\d+), will not (\d+), could not tell (\d+)", stderr)
    return tuple(int(x) for x in m.groups()) if m else None


with open(os.path.join(LAB, "identities.jsonl"), "rb") as f:
    identities = f.read().splitlines()
hostile = [b"exa mple.com", b'{"domain": "a,\\"b.com"}', b"{not json", b""]
all_lines = identities + hostile
all_input = write_input("all.jsonl", all_lines)
N = len(all_lines)

# 1. The summary of a whole run counts domains.
out = os.path.join(tmp, "all.jsonl.out")
proc = bulk(all_input, "--output", out, "--concurrency", "50")
results = read_jsonl(out)
check("jsonl_one_line_per_input", sorted(results) == list(range(1, N + 1)), f"{len(results)} lines for {N}")
verdicts = {n: r["verdict"] for n, r in results.items()}
want = (sum(v == "ok" for v in verdicts.values()), sum(v == "problems" for v in verdicts.values()),
        sum(v == "incomplete" for v in verdicts.values()))
check("summary_domain_counts", domain_counts(proc.stderr) == want,
      f"summary {domain_counts(proc.stderr)}, output {want}: {proc.stderr[-400:]!r}")
errors = [r for r in results.values() if "error" in r]
check("input_errors_are_incomplete", len(errors) == len(hostile) and all(r["verdict"] == "incomplete" for r in errors),
      f"{errors}")
check("input_errors_listed_apart", f"input errors ({len(hostile)})".encode() in proc.stderr, proc.stderr[-400:])
# A code counts once per domain: find codes with more findings than domains and read their summary count.
per_domain, per_finding = {}, {}
for r in results.values():
    codes = [f["code"] for f in r.get("findings", []) if finding_class(f) in ("blocks", "may_block")]
    for c in codes:
        per_finding[c] = per_finding.get(c, 0) + 1
    for c in set(codes):
        per_domain[c] = per_domain.get(c, 0) + 1
listed = {m.group(1).decode(): int(m.group(2)) for m in re.finditer(rb"^    ([A-Z0-9_]+) +(\d+)$", proc.stderr, re.M)}
repeated = [c for c in per_domain if per_finding[c] > per_domain[c] and c in listed]
check("summary_counts_a_code_once_per_domain",
      repeated and all(listed[c] == per_domain[c] for c in repeated) and all(listed[c] == per_domain[c] for c in listed),
      f"listed {listed}, domains {per_domain}, findings {per_finding}")
will_not = want[1]
expect_status = 1 if will_not else (3 if want[2] else 0)
check("exit_status_whole_run", proc.returncode == expect_status, f"status {proc.returncode}, want {expect_status}")
if will_not:
    first_failing = min(n for n, v in verdicts.items() if v == "problems")
    check("failing_domains_listed", re.search(rb"will not verify \(%d\):\n    line %d  " % (will_not, first_failing),
                                              proc.stderr) is not None, proc.stderr[-600:])

ok_lines = sorted(n for n, v in verdicts.items() if v == "ok")
bad_lines = sorted(n for n, v in verdicts.items() if v == "problems")

# 2. CSV: one row per input line, RFC 4180, the same verdicts.
out_csv = os.path.join(tmp, "all.csv")
proc = bulk(all_input, "--output", out_csv, "--format", "csv", "--concurrency", "50")
with open(out_csv, newline="") as f:
    rows = list(csv.reader(f))
check("csv_header", rows and rows[0] == HEADER, f"{rows[:1]}")
body = [dict(zip(rows[0], r)) for r in rows[1:]]
check("csv_one_row_per_input", sorted(int(r["line"]) for r in body) == list(range(1, N + 1)) and
      all(len(r) == len(HEADER) for r in rows), f"{len(body)} rows for {N}")
check("csv_same_verdicts", all(verdicts[int(r["line"])] == r["verdict"] for r in body),
      [r for r in body if verdicts[int(r["line"])] != r["verdict"]][:3])
quoted = [r for r in body if '"' in r["headline"] and "," in r["headline"]]
check("csv_quoting_round_trips", quoted, "no headline with a comma and a quote (the hostile line)")
problem_first = True
for r in body:
    classes = r["classes"].split()
    ranks = [["blocks", "may_block", "not_checked", "advice", "note"].index(c) if c in
             ("blocks", "may_block", "not_checked", "advice", "note") else 4 for c in classes]
    problem_first &= ranks == sorted(ranks) and len(classes) == len(r["codes"].split())
check("csv_codes_problem_classes_first", problem_first, "codes out of class order")
check("csv_exit_status_same", proc.returncode == expect_status, f"status {proc.returncode}")

# CSV interrupted by SIGTERM, then --resume reads the line column back: every line once, same exit status.
out_term = os.path.join(tmp, "term.csv")
p = subprocess.Popen([BIN, "bulk", all_input, "--output", out_term, "--format", "csv", "--concurrency", "4"] + COMMON,
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
deadline = time.time() + 60
while time.time() < deadline and (not os.path.exists(out_term) or os.path.getsize(out_term) < 400):
    time.sleep(0.05)
p.send_signal(signal.SIGTERM)
p.communicate(timeout=60)
with open(out_term, newline="") as f:
    before = len(list(csv.reader(f))) - 1
proc = bulk(all_input, "--output", out_term, "--format", "csv", "--resume", "--concurrency", "50")
with open(out_term, newline="") as f:
    rrows = list(csv.reader(f))
check("csv_sigterm_then_resume", p.returncode == 128 + signal.SIGTERM and 0 < before < N and rrows[0] == HEADER and
      sorted(int(r[0]) for r in rrows[1:]) == list(range(1, N + 1)),
      f"status {p.returncode}, {before} rows before, {len(rrows) - 1} after")
check("csv_resume_exit_and_summary_whole_file", proc.returncode == expect_status and
      domain_counts(proc.stderr) == want and f"({before} from earlier runs".encode() in proc.stderr,
      f"status {proc.returncode}: {proc.stderr[-400:]!r}")

# 3. --only-problems omits the ok lines and records them apart.
out_only = os.path.join(tmp, "only.jsonl")
proc = bulk(all_input, "--output", out_only, "--only-problems", "--concurrency", "50")
only = read_jsonl(out_only)
check("only_problems_omits_ok", sorted(only) == sorted(n for n, v in verdicts.items() if v != "ok"),
      f"{sorted(only)[:20]}")
with open(out_only + ".ok-lines.csv", newline="") as f:
    recorded = [int(r["line"]) for r in csv.DictReader(f)]
check("only_problems_records_ok_lines", sorted(recorded) == ok_lines, f"{recorded}")
check("only_problems_summary_counts_all", domain_counts(proc.stderr) == want, f"{domain_counts(proc.stderr)}")

# 4. Resume over a file whose failing line was done before the interruption.
if ok_lines and bad_lines:
    # Input: some ok domains and one failing one; the earlier run answered the failing one only.
    pick = ok_lines[:4] + bad_lines[:1]
    lines = [all_lines[n - 1] for n in pick]
    small = write_input("small.jsonl", lines)
    failing_at = len(pick)  # the failing identity is the last input line
    earlier = dict(results[pick[-1]])
    earlier["line"] = failing_at

    out_r = os.path.join(tmp, "resume.jsonl")
    with open(out_r, "w") as f:
        f.write(json.dumps(earlier) + "\n" + '{"line": 2, "verd')  # and a line torn by the interruption
    proc = bulk(small, "--output", out_r, "--resume")
    done = read_jsonl(out_r)
    check("resume_jsonl_completes", sorted(done) == list(range(1, len(pick) + 1)), f"{sorted(done)}")
    check("resume_jsonl_exit_1", proc.returncode == 1, f"status {proc.returncode}: {proc.stderr[-300:]!r}")
    check("resume_jsonl_summary_whole_file",
          domain_counts(proc.stderr) == (len(pick) - 1, 1, 0) and b"(1 from earlier runs" in proc.stderr,
          proc.stderr[-500:])

    out_rc = os.path.join(tmp, "resume.csv")
    earlier_row = next(r for r in rows[1:] if int(r[0]) == pick[-1])
    earlier_row[0] = str(failing_at)
    with open(out_rc, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerow(earlier_row)
        f.write("1,easy-dkim")  # torn
    proc = bulk(small, "--output", out_rc, "--resume", "--format", "csv")
    with open(out_rc, newline="") as f:
        rrows = list(csv.reader(f))
    check("resume_csv_completes", rrows[0] == HEADER and sorted(int(r[0]) for r in rrows[1:]) ==
          list(range(1, len(pick) + 1)), f"{rrows}")
    check("resume_csv_exit_1", proc.returncode == 1, f"status {proc.returncode}: {proc.stderr[-300:]!r}")
    check("resume_csv_summary_whole_file", domain_counts(proc.stderr) == (len(pick) - 1, 1, 0), proc.stderr[-500:])
    proc = bulk(small, "--output", out_rc, "--resume")  # wrong --format: refused, file untouched
    check("resume_wrong_format_refused", proc.returncode == 2 and b"--format csv" in proc.stderr, proc.stderr)

    # --only-problems: the earlier run wrote the failing line and recorded one ok line apart.
    out_ro = os.path.join(tmp, "resume-only.jsonl")
    with open(out_ro, "w") as f:
        f.write(json.dumps(earlier) + "\n")
    ok_row = next(r for r in rows[1:] if int(r[0]) == pick[0])
    ok_row[0] = "1"
    with open(out_ro + ".ok-lines.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerow(ok_row)
    proc = bulk(small, "--output", out_ro, "--resume", "--only-problems")
    check("resume_only_problems_exit_1", proc.returncode == 1, f"status {proc.returncode}")
    check("resume_only_problems_skips_recorded", b"2 skipped as done)" in proc.stderr and
          domain_counts(proc.stderr) == (len(pick) - 1, 1, 0), proc.stderr[-500:])
    check("resume_only_problems_output", sorted(read_jsonl(out_ro)) == [failing_at], f"{read_jsonl(out_ro).keys()}")
    with open(out_ro + ".ok-lines.csv", newline="") as f:
        recorded = sorted(int(r["line"]) for r in csv.DictReader(f))
    check("resume_only_problems_records_the_rest", recorded == list(range(1, failing_at)), f"{recorded}")

    # Exit 3: ok domains and input errors, none failing; exit 0: every domain verifies.
    proc = bulk(write_input("ok-and-errors.jsonl", lines[:-1] + hostile[:2]))
    check("exit_3_input_errors_no_problems", proc.returncode == 3, f"status {proc.returncode}")
    proc = bulk(write_input("ok.jsonl", lines[:-1]))
    check("exit_0_all_verify", proc.returncode == 0, f"status {proc.returncode}: {proc.stderr[-300:]!r}")
else:
    check("lab_has_ok_and_failing_domains", False, f"ok {ok_lines}, failing {bad_lines}")

# 5. The JSON contract's classes and host limits (issue 12), read back from a file whose every line is done:
#    advice never changes the verdict and is counted apart, host limits are counted once per address.
synthetic = [
    {"line": 1, "domain": "a.example", "verdict": "ok", "headline": "ok a",
     "findings": [{"code": "DMARC_MISSING", "severity": "warning", "class": "advice"},
                  {"code": "DKIM_OK", "severity": "ok", "class": "passed"}],
     "host_limits": ["ns1.a.example (2001:db8::1): this host has no IPv6 route"]},
    {"line": 2, "domain": "b.example", "verdict": "ok", "headline": "ok b",
     "findings": [{"code": "DMARC_MISSING", "severity": "warning", "class": "advice"}],
     "host_limits": ["ns1.a.example (2001:db8::1): this host has no IPv6 route",
                     "ns2.b.example (2001:db8::2): this host has no IPv6 route"]},
    {"line": 3, "domain": "c.example", "verdict": "problems", "headline": "SES will not verify c.example: 3 of 3",
     "findings": [{"code": "DKIM_RECORD_MISSING", "severity": "error", "class": "blocks"}] * 3 +
                 [{"code": "DMARC_MISSING", "severity": "warning", "class": "advice"}]},
    {"line": 4, "domain": "d.example", "verdict": "incomplete", "headline": "DKIM not checked",
     "findings": [{"code": "DKIM_NOT_CHECKED", "severity": "warning", "class": "not_checked"}]},
]
syn_out = os.path.join(tmp, "synthetic.jsonl")
with open(syn_out, "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in synthetic)
proc = bulk(write_input("synthetic-in.jsonl", [b"x.example"] * 4), "--output", syn_out, "--resume")
check("classes_exit_1", proc.returncode == 1, f"status {proc.returncode}")
check("classes_domain_counts", domain_counts(proc.stderr) == (2, 1, 1), proc.stderr)
check("classes_advice_apart", b"advice (never changes the verdict): DMARC_MISSING 3 domains\n" in proc.stderr and
      not re.search(rb"^    DMARC_MISSING", proc.stderr, re.M), proc.stderr)
check("classes_causes_in_domains", re.search(rb"^    DKIM_RECORD_MISSING +1$", proc.stderr, re.M) is not None, proc.stderr)
check("classes_not_checked", b"not checked: DKIM_NOT_CHECKED 1 domain\n" in proc.stderr, proc.stderr)
check("host_limits_once", b"host limits: 2 addresses" in proc.stderr and proc.stderr.count(b"2001:db8::1") == 1,
      proc.stderr)
check("could_not_tell_listed", b"could not tell (1):\n    line 4  d.example  DKIM not checked" in proc.stderr,
      proc.stderr)

# 6. A missing input file is a usage error (2), as the README says.
proc = bulk("/nonexistent/identities.jsonl")
check("missing_input_exit_2", proc.returncode == 2 and proc.stderr.count(b"\n") == 1 and not proc.stdout,
      f"status {proc.returncode}, stderr {proc.stderr!r}")

# 7. The progress line names what it waits for (a domain with a silent server takes seconds).
slow = [l for l in identities if b"ns-unreachable" in l]
if slow:
    args = [BIN, "bulk", write_input("slow.jsonl", slow[:1]), "--root-hints", COMMON[1], "--allow-loopback",
            "--progress", "always"]
    proc = subprocess.run(args, capture_output=True, timeout=120)
    name = json.loads(slow[0])["domain"].encode()
    check("progress_names_waiting_domain", b"waiting for 1: " + name in proc.stderr, proc.stderr[-300:])

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
