#!/usr/bin/env python3
"""Files a user or an input line names (issue 18, item 1): a FIFO, a device or an oversized file is refused
at once with one error line, never read until memory runs out or blocked on for ever; a bulk line may name
a key file only under --key-dir. Every case must end within its time limit (the FIFOs have no writer: a
blocking open or read would hang the case).

Usage: file_limits_test.py PATH/TO/dkimdoctor
No case reaches the network: each one is refused before any query is sent."""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="dkimdoctor-files-")
fifo = os.path.join(tmp, "fifo")
os.mkfifo(fifo)
big = os.path.join(tmp, "big.bin")
with open(big, "wb") as f:
    f.write(b"\0" * (2 << 20))  # 2 MiB: over every cap
keys = os.path.join(tmp, "keys")
os.mkdir(keys)
os.mkfifo(os.path.join(keys, "fifo.pem"))
passed = failed = 0


def run(name, argv, stdin=b"", want=2, limit=10.0, want_in_stdout=None, want_in_stderr=None):
    global passed, failed
    start = time.monotonic()
    try:
        proc = subprocess.run([BIN] + argv, input=stdin, capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        failed += 1
        print(f"FAIL {name}: still running after {limit:.0f} s")
        return
    took = time.monotonic() - start
    problems = []
    if proc.returncode != want:
        problems.append(f"exit status {proc.returncode}, want {want}")
    if want_in_stdout and want_in_stdout.encode() not in proc.stdout:
        problems.append(f"stdout lacks {want_in_stdout!r}: {proc.stdout[:300]!r}")
    if want_in_stderr and want_in_stderr.encode() not in proc.stderr:
        problems.append(f"stderr lacks {want_in_stderr!r}: {proc.stderr[:300]!r}")
    if any(w in proc.stderr for w in (b"terminate called", b"Sanitizer", b"runtime error", b"Aborted")):
        problems.append("crash or sanitizer report")
    if problems:
        failed += 1
        print(f"FAIL {name}: {'; '.join(problems)}")
    else:
        passed += 1
        print(f"ok   {name} ({took:.2f} s)")


run("decode_fifo", ["decode", fifo], want_in_stderr="not a regular file")
run("decode_dev_zero", ["decode", "/dev/zero"], want_in_stderr="not a regular file")
run("decode_dev_urandom", ["decode", "/dev/urandom"], want_in_stderr="not a regular file")
run("decode_2_mib_file", ["decode", big], want_in_stderr="larger than")
run("decode_2_mib_stdin", ["decode", "-"], stdin=b"\0" * (2 << 20), want_in_stderr="larger than")
run("check_root_hints_fifo", ["check", "example.com", "--root-hints", fifo], want_in_stderr="not a regular file")
run("resolve_root_hints_dev_zero", ["resolve", "example.com", "--root-hints", "/dev/zero"],
    want_in_stderr="not a regular file")
run("check_root_hints_2_mib", ["check", "example.com", "--root-hints", big], want_in_stderr="larger than")
run("check_public_key_fifo", ["check", "example.com", "--byodkim", "s1", "--public-key", fifo],
    want_in_stderr="not a regular file")
run("check_ses_identity_dev_zero", ["check", "example.com", "--ses-identity", "/dev/zero"],
    want_in_stderr="not a regular file")
run("resolve_batch_dev_zero", ["resolve", "--batch", "/dev/zero"], want_in_stderr="not a regular file or a pipe")
nul_lines = os.path.join(tmp, "one-long-line.txt")
with open(nul_lines, "wb") as f:
    f.write(b"x" * (8 << 20) + b"\n")  # one 8 MiB line: cut at 64 KiB, an invalid name, no query
run("resolve_batch_8_mib_line", ["resolve", "--batch", nul_lines], want=0, want_in_stdout="invalid name")


def batch_line_boundaries():
    """Lines around the reader's 4 KiB chunk, one over the 64 KiB cap, blank ones and a last line without
    its newline: one output line each, in order, each name as long as its line (cut at 64 KiB). Every
    name is invalid (a label over 63 octets, or `..`): no query is sent."""
    global passed, failed
    lines = [b"x" * 4095, b"y" * 4096, b"z" * 4097, b"w" * 200000, b"", b"a..", b"q" * 8191]
    path = os.path.join(tmp, "boundaries.txt")
    with open(path, "wb") as f:
        f.write(b"\n".join(lines))  # the last line has no newline
    want = [(i + 1, min(len(text), 64 << 10)) for i, text in enumerate(lines)]
    for source, argv, stdin in (("file", ["resolve", "--batch", path], b""),
                                ("pipe", ["resolve", "--batch", "-"], b"\n".join(lines))):
        proc = subprocess.run([BIN] + argv, input=stdin, capture_output=True, timeout=20)
        got = [(j["line"], len(j.get("name", ""))) for j in map(json.loads, proc.stdout.splitlines())]
        if proc.returncode == 0 and got == want:
            passed += 1
            print(f"ok   resolve_batch_line_boundaries_{source}")
        else:
            failed += 1
            print(f"FAIL resolve_batch_line_boundaries_{source}: exit {proc.returncode}, (line, name length) {got}, want {want}")


batch_line_boundaries()


def line(path):
    return (json.dumps({"domain": "example.com", "byodkim_selector": "s1", "byodkim_public_key_file": path}) + "\n").encode()


# bulk first checks that the DNS can be reached at all (one error and exit 3 on a host with no network),
# so these cases run against the lab's root servers; every line is an input error, so the exit status is 3
# ("could not tell" for some, none "will not verify").
lab = os.environ.get("DKIMDOCTOR_LAB")
if not lab or not os.path.exists(os.path.join(lab, "root.hints")):
    print("FAIL bulk_cases: DKIMDOCTOR_LAB is not set or the lab is not up (tests/lab/lab up)")
    failed += 1
    lab = tmp
common = ["--progress", "never", "--root-hints", os.path.join(lab, "root.hints"), "--allow-loopback"]
run("bulk_key_path_without_key_dir", ["bulk", "-"] + common, stdin=line("/etc/passwd"), want=3,
    want_in_stdout="--key-dir")
run("bulk_key_path_outside_key_dir", ["bulk", "-", "--key-dir", keys] + common, stdin=line("/etc/passwd"), want=3,
    want_in_stdout="outside --key-dir")
run("bulk_key_path_dotdot_escape", ["bulk", "-", "--key-dir", keys] + common, stdin=line(keys + "/../big.bin"), want=3,
    want_in_stdout="outside --key-dir")
run("bulk_key_fifo_in_key_dir", ["bulk", "-", "--key-dir", keys] + common, stdin=line("fifo.pem"), want=3,
    want_in_stdout="not a regular file")
run("bulk_three_fifo_lines_all_written", ["bulk", "-", "--key-dir", keys] + common,
    stdin=line("fifo.pem") * 3, want=3, want_in_stdout='"line":3')



def batch_pipe_pause():
    """resolve --batch - whose input pauses: the first line's result must come out during the pause (its
    read is on a thread of its own). Nothing listens at the hints' loopback addresses, so each line fails
    at once: the timing is the point, not the answer."""
    global passed, failed
    hints = os.path.join(tmp, "root.hints")
    with open(hints, "w") as f:
        f.write(". 3600000 NS a.root-servers.test.\na.root-servers.test. 3600000 A 127.53.254.254\n")
    p = subprocess.Popen([BIN, "resolve", "--batch", "-", "--root-hints", hints, "--allow-loopback"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watchdog = threading.Timer(20.0, p.kill)  # the old behaviour: line 1 waited for line 2, for ever
    watchdog.start()
    start = time.monotonic()
    p.stdin.write(b"one.example.test A\n")
    p.stdin.flush()
    first = p.stdout.readline()  # blocks until line 1's result is written
    took = time.monotonic() - start
    time.sleep(0.2)
    p.stdin.write(b"two.example.test A\n")
    p.stdin.close()
    rest = p.stdout.read()
    p.wait(timeout=30)
    watchdog.cancel()
    if b'"line":1' in first and b'"line":2' in rest and took < 5.0:
        passed += 1
        print(f"ok   resolve_batch_pipe_pause (line 1 written {took:.2f} s after it was read, input still open)")
    else:
        failed += 1
        print(f"FAIL resolve_batch_pipe_pause: first {first[:200]!r}, after {took:.2f} s, rest {rest[:200]!r}")


batch_pipe_pause()

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
