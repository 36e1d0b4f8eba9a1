#!/usr/bin/env bash
# Many resolutions in flight on one io_context, in the lab: N names (the lab's names plus generated names
# under every lab domain, most of them NXDOMAIN) resolved by one `dkimdoctor resolve --batch` process with
# --concurrency C. Prints names, wall time, resolutions per second, upstream queries, failures.
#
#   bench/resolver/lab_throughput.sh <build-dir> [N=5000] [C=1000]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:?usage: lab_throughput.sh <build-dir> [N] [C]}
n=${2:-5000}
c=${3:-1000}
state=${DKIMDOCTOR_LAB:-$repo/build-lab}
lab="$repo/tests/lab/lab"
names=$(mktemp)
out=$(mktemp)
trap 'rm -f "$names" "$out"' EXIT
python3 - "$state/names.txt" "$n" > "$names" <<'PY'
import sys
lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
domains = sorted({".".join(l[0].rstrip(".").split(".")[-2:]) for l in lines})
n = int(sys.argv[2])
out = [" ".join(l) for l in lines]
i = 0
while len(out) < n:
    d = domains[i % len(domains)]
    out.append(f"host{i}.{d} {'A' if i % 3 else 'TXT'}")
    i += 1
print("\n".join(out[:n]))
PY
start=$(date +%s.%N)
"$lab" exec "$build/cli/dkimdoctor" resolve --root-hints "$state/root.hints" --allow-loopback --batch - --concurrency "$c" \
  < "$names" > "$out"
end=$(date +%s.%N)
python3 - "$out" "$start" "$end" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
t = float(sys.argv[3]) - float(sys.argv[2])
q = sum(r.get("queries", 0) for r in rows)
failed = sum(1 for r in rows if "error" in r)
rcodes = {}
for r in rows:
    rcodes[r.get("rcode", "error")] = rcodes.get(r.get("rcode", "error"), 0) + 1
print(f"names {len(rows)}, wall {t:.2f} s, {len(rows)/t:.0f} resolutions/s, upstream queries {q} "
      f"({q/len(rows):.2f} per resolution), failed {failed}, rcodes {rcodes}")
PY
