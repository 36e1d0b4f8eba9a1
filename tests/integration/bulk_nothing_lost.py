#!/usr/bin/env python3
"""`dkimdoctor bulk` never loses a line (issue 7, "Nothing lost"), against the real lab:
  - every input line, malformed ones included, yields exactly one output line with its line number;
  - SIGTERM mid-run leaves only whole lines, and --resume completes the file with no line missing or doubled;
  - SIGINT with the input pipe still open ends the run cleanly (Resolver::stop, no forced exit);
  - a full disk (/dev/full) and a closed pipe are reported with a non-zero exit status, not ignored;
  - --threads 2 (issue 16: two shards) gives one line per input line with the verdicts of --threads 1, and
    SIGTERM / SIGINT then --resume still account for every line.
Usage: bulk_nothing_lost.py PATH/TO/dkimdoctor   (inside the lab namespace, DKIMDOCTOR_LAB set)"""
import json
import os
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
HINTS = os.path.join(LAB, "root.hints")
# The lab's BYODKIM lines name key files: bulk reads them only under --key-dir (issue 18).
COMMON = ["--root-hints", HINTS, "--allow-loopback", "--progress", "never", "--key-dir", os.path.join(LAB, "keys"),
          "--trust-anchor", os.path.join(LAB, "trust-anchor")]  # validating, as on the real internet
tmp = tempfile.mkdtemp(prefix="dkimdoctor-bulk-")

with open(os.path.join(LAB, "identities.jsonl"), "rb") as f:
    identities = f.read().splitlines()
hostile = [
    b"",                                  # blank
    b"# a comment",
    b"{not json",
    b'{"domain": 42}',
    b'{"easy_dkim_tokens": ["x"]}',       # no domain
    b"a" * 300 + b".com",                 # label too long
    b"exa mple.com",
    bytes(b for b in range(1, 256) if b != 10),  # binary garbage (no newline inside)
    b'{"domain": "x.com", "easy_dkim_tokens": "not-a-list"}',
    b"x" * 70000,                         # longer than the line cap
]
lines = []
for i, identity in enumerate(identities):
    lines.append(identity)
    if i < len(hostile):
        lines.append(hostile[i])
lines += hostile[len(identities):]
input_path = os.path.join(tmp, "input.jsonl")
with open(input_path, "wb") as f:
    f.write(b"\n".join(lines) + b"\n")
N = len(lines)

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def line_numbers(path):
    numbers = []
    with open(path, "rb") as f:
        data = f.read()
    whole = data.endswith(b"\n") or not data
    for raw in data.splitlines():
        numbers.append(json.loads(raw)["line"])
    return numbers, whole


# 1. One output line per input line.
out1 = os.path.join(tmp, "out1.jsonl")
proc = subprocess.run([BIN, "bulk", input_path, "--output", out1, "--concurrency", "50"] + COMMON,
                      capture_output=True, timeout=600)
numbers, whole = line_numbers(out1)
check("every_line_once", sorted(numbers) == list(range(1, N + 1)),
      f"{len(numbers)} lines for {N} inputs, missing {sorted(set(range(1, N + 1)) - set(numbers))[:10]}")
check("exit_status_problems", proc.returncode in (1, 3), f"status {proc.returncode}")
check("summary_on_stderr", b"lines written" in proc.stderr and b"domains/s" in proc.stderr, proc.stderr[-300:])
with open(out1) as f:
    results = [json.loads(l) for l in f]
errors = [r for r in results if "error" in r]
check("malformed_lines_are_errors", len(errors) >= len(hostile) - 2,
      f"{len(errors)} error lines for {len(hostile)} hostile lines")
check("checked_lines_have_verdicts",
      all(r.get("verdict") in ("ok", "problems", "incomplete") for r in results if "error" not in r),
      "a result without a verdict")

# 2. SIGTERM mid-run, then --resume.
out2 = os.path.join(tmp, "out2.jsonl")
p = subprocess.Popen([BIN, "bulk", input_path, "--output", out2, "--concurrency", "4"] + COMMON,
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
deadline = time.time() + 60
while time.time() < deadline and (not os.path.exists(out2) or os.path.getsize(out2) < 200):
    time.sleep(0.05)
p.send_signal(signal.SIGTERM)
_, err = p.communicate(timeout=60)
first, whole = line_numbers(out2)
check("sigterm_whole_lines", whole, "partial last line")
check("sigterm_exit_status", p.returncode == 128 + signal.SIGTERM, f"status {p.returncode}")
check("sigterm_stopped_early", len(first) < N, f"{len(first)} of {N} lines: the run was not interrupted")
proc = subprocess.run([BIN, "bulk", input_path, "--output", out2, "--resume", "--concurrency", "50"] + COMMON,
                      capture_output=True, timeout=600)
final, whole = line_numbers(out2)
check("resume_completes", sorted(final) == list(range(1, N + 1)),
      f"{len(final)} lines, doubled {[n for n in set(final) if final.count(n) > 1][:10]}")

def sigint_on_open_pipe(args, out):
    """Runs `bulk -` with ARGS, writes 20 identities into its stdin and keeps the pipe open; once OUT holds
    some output, sends SIGINT and waits up to 30 s. Returns (ended, exit status, stderr)."""
    p = subprocess.Popen([BIN, "bulk", "-"] + args + COMMON,
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    p.stdin.write(b"\n".join(identities[:20]) + b"\n")
    p.stdin.flush()
    deadline = time.time() + 60
    while time.time() < deadline and (not os.path.exists(out) or os.path.getsize(out) < 200):
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    # wait(), not communicate(): communicate() closes stdin, and an end of input racing the signal would let
    # the run finish normally. The pipe stays open until the process has ended.
    try:
        p.wait(timeout=30)
        ended = True
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        ended = False
    err = p.stderr.read()
    p.stdin.close()
    return ended, p.returncode, err

# 2b. SIGINT while the input is a pipe that stays open (the reader thread blocked on it) and checks are in
# flight: the run stops cleanly (no forced exit), promptly, with only whole lines written.
out2b = os.path.join(tmp, "out2b.jsonl")
ended, status, err = sigint_on_open_pipe(["--output", out2b, "--concurrency", "8"], out2b)
check("sigint_open_pipe_ends", ended, "still running 30 s after SIGINT")
check("sigint_open_pipe_exit_status", status == 128 + signal.SIGINT, f"status {status}")
_, whole = line_numbers(out2b)
check("sigint_open_pipe_whole_lines", whole, "partial last line")
check("sigint_says_resume", b"--resume" in err, f"stderr {err[-200:]!r}")

# 3. A torn last line (a run killed by SIGKILL mid-write) is cut, then resumed.
out3 = os.path.join(tmp, "out3.jsonl")
with open(out1, "rb") as f:
    keep = f.read().splitlines()[:5]
with open(out3, "wb") as f:
    f.write(b"\n".join(keep) + b"\n" + b'{"line": 99999, "verd')
proc = subprocess.run([BIN, "bulk", input_path, "--output", out3, "--resume"] + COMMON,
                      capture_output=True, timeout=600)
final, whole = line_numbers(out3)
check("resume_after_torn_line", sorted(final) == list(range(1, N + 1)), f"{len(final)} lines")

# 3b. --threads 2: two shards, each with its own resolver. One line per input line, the same verdict for
# every line as the one-shard run of part 1; interrupted, only whole lines, and --resume completes the file.
out_t2 = os.path.join(tmp, "out_t2.jsonl")
proc = subprocess.run([BIN, "bulk", input_path, "--output", out_t2, "--concurrency", "50", "--threads", "2"] + COMMON,
                      capture_output=True, timeout=600)
numbers, whole = line_numbers(out_t2)
check("threads2_every_line_once", sorted(numbers) == list(range(1, N + 1)) and whole,
      f"{len(numbers)} lines for {N} inputs, missing {sorted(set(range(1, N + 1)) - set(numbers))[:10]}")
check("threads2_exit_status_problems", proc.returncode in (1, 3), f"status {proc.returncode}")


def verdicts(path):
    with open(path) as f:
        return {r["line"]: r.get("verdict") for r in map(json.loads, f)}


one, two = verdicts(out1), verdicts(out_t2)
differ = [n for n in one if one[n] != two.get(n)]
check("threads2_same_verdicts", not differ and len(one) == len(two),
      f"{len(differ)} lines differ, e.g. {[(n, one[n], two.get(n)) for n in differ[:5]]}")
check("threads2_summary_counts_all", f"{N} lines written".encode() in proc.stderr, proc.stderr[:300])

out_t2s = os.path.join(tmp, "out_t2s.jsonl")
p = subprocess.Popen([BIN, "bulk", input_path, "--output", out_t2s, "--concurrency", "4", "--threads", "2"] + COMMON,
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
deadline = time.time() + 60
while time.time() < deadline and (not os.path.exists(out_t2s) or os.path.getsize(out_t2s) < 200):
    time.sleep(0.05)
p.send_signal(signal.SIGTERM)
p.communicate(timeout=60)
first, whole = line_numbers(out_t2s)
check("threads2_sigterm_whole_lines", whole and len(first) == len(set(first)), "partial or doubled line")
check("threads2_sigterm_exit_status", p.returncode == 128 + signal.SIGTERM, f"status {p.returncode}")
proc = subprocess.run([BIN, "bulk", input_path, "--output", out_t2s, "--resume", "--concurrency", "50",
                       "--threads", "2"] + COMMON, capture_output=True, timeout=600)
final, whole = line_numbers(out_t2s)
check("threads2_resume_completes", sorted(final) == list(range(1, N + 1)) and whole,
      f"{len(final)} lines, doubled {[n for n in set(final) if final.count(n) > 1][:10]}")

# SIGINT with the input pipe still open and checks in flight on both shards: a clean, prompt end.
out_t2i = os.path.join(tmp, "out_t2i.jsonl")
ended, status, err = sigint_on_open_pipe(["--output", out_t2i, "--concurrency", "8", "--threads", "2"], out_t2i)
check("threads2_sigint_open_pipe_ends", ended and status == 128 + signal.SIGINT, f"status {status}")
got, whole = line_numbers(out_t2i)
check("threads2_sigint_whole_lines", whole and len(got) == len(set(got)) and b"--resume" in err,
      f"whole {whole}, stderr {err[-200:]!r}")

# 4. Full disk and closed pipe are reported.
proc = subprocess.run([BIN, "bulk", input_path, "--output", "/dev/full"] + COMMON, capture_output=True, timeout=600)
check("full_disk_reported", proc.returncode == 3 and b"No space left" in proc.stderr,
      f"status {proc.returncode}, stderr {proc.stderr[-200:]!r}")
# Enough output that it cannot all fit in the pipe's buffer before `head` goes away.
big_path = os.path.join(tmp, "big.jsonl")
with open(big_path, "wb") as f:
    f.write((b"\n".join(lines) + b"\n") * 8)
p = subprocess.Popen(f"'{BIN}' bulk '{big_path}' {' '.join(COMMON)} | head -c 10 > /dev/null; "
                     "echo ${PIPESTATUS[0]} >&2", shell=True, executable="/bin/bash",
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
_, err = p.communicate(timeout=600)
status = err.strip().splitlines()[-1] if err.strip() else b"?"
check("closed_pipe_reported", status == b"3" and b"Broken pipe" in err, f"status {status!r}, stderr {err[-300:]!r}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
