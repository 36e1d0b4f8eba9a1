#!/usr/bin/env bash
# Upstream queries per resolution, ours vs Unbound's, on the lab (cold caches, same names).
#
#   [CONCURRENCY=N] bench/resolver/lab_queries.sh <build-dir> [names-file]
#
# Restarts the lab (so Unbound's cache is cold), then resolves every NAME TYPE line of the names file
# (default: the lab's names.txt) first through Unbound (kdig @127.53.255.1, one at a time), then with
# `dkimdoctor resolve --batch` (one process, shared cache), and reads the NSD servers' query counters
# (`tests/lab/lab stats`) before and after each run: the difference is the upstream queries each
# resolver sent. Everything runs inside the lab's network namespace.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:?usage: lab_queries.sh <build-dir> [names-file]}
lab="$repo/tests/lab/lab"
state=${DKIMDOCTOR_LAB:-$repo/build-lab}
"$lab" down >/dev/null 2>&1 || true
"$lab" up >/dev/null
names=${2:-$state/names.txt}
total() { "$lab" stats | awk '$1 == "total" { print $2 }'; }
count=$(grep -c . "$names")

s0=$(total)
"$lab" exec bash -c 'while read -r name type; do kdig +retry=2 +timeout=5 @127.53.255.1 "$name" "${type:-A}" >/dev/null; done' < "$names"
s1=$(total)
start=$(date +%s.%N)
"$lab" exec "$build/cli/dkimdoctor" resolve --root-hints "$state/root.hints" --allow-loopback ${RESOLVE_FLAGS:-} --batch - --concurrency "${CONCURRENCY:-100}" \
  < "$names" > /tmp/lab_queries.$$.jsonl
end=$(date +%s.%N)
s2=$(total)
ours_reported=$(python3 -c "import json,sys; print(sum(json.loads(l).get('queries',0) for l in open('/tmp/lab_queries.$$.jsonl')))")
rm -f /tmp/lab_queries.$$.jsonl
unbound=$((s1 - s0)); ours=$((s2 - s1))
awk -v n="$count" -v u="$unbound" -v o="$ours" -v r="$ours_reported" -v t0="$start" -v t1="$end" 'BEGIN {
  printf "names %d\nunbound upstream queries %d (%.2f per resolution)\n", n, u, u / n
  printf "dkimdoctor upstream queries %d (%.2f per resolution; %d reported in the JSON lines)\n", o, o / n, r
  printf "dkimdoctor batch wall time %.2f s\n", t1 - t0 }'
