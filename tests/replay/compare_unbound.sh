#!/usr/bin/env bash
# Replays Unbound's iterator scenarios against dkimdoctor and against Debian's Unbound in the same
# harness, cold and warm (tests/replay/README.md, "dkimdoctor and Unbound 1.17 in the same harness"),
# and prints the summary table and one row per scenario. Root, inside a namespace of its own:
#
#   unshare -n bash -c 'ip link set lo up; tests/replay/compare_unbound.sh build'
#
# Takes about 5 minutes (Unbound's timeouts and TIME_PASSES sleeps are real time): not part of CI.
set -euo pipefail
export LC_ALL=C
build=${1:?usage: compare_unbound.sh BUILD_DIR [UNBOUND]}
unbound=${2:-/usr/sbin/unbound}
repo=$(cd "$(dirname "$0")/../.." && pwd)
suite=${DKIMDOCTOR_PEER_SUITES:-$repo/../shared/peer-suites}/unbound/testdata
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for resolver in dkimdoctor unbound; do
  for cache in warm cold; do
    "$build/tests/replay/replay_runner" --suite "$suite" --expected "$repo/tests/replay/expected.txt" \
      --resolver "$resolver" --cache "$cache" --unbound "$unbound" >"$out/$resolver-$cache" || true
    grep '^replay' "$out/$resolver-$cache" >&2
  done
done

# One line per scenario: name, then the four results (pass, fail, n/a, documented, clock).
for f in dkimdoctor-warm dkimdoctor-cold unbound-warm unbound-cold; do
  awk -F' [|] ' '/^[|] iter_/ { sub(/^[|] /, "", $1); print $1, $2 }' "$out/$f" >"$out/$f.rows"
done
join "$out/dkimdoctor-warm.rows" "$out/dkimdoctor-cold.rows" | join - "$out/unbound-warm.rows" |
  join - "$out/unbound-cold.rows" >"$out/all"

"$unbound" -V | head -1 | sed 's/^/Unbound: /'
awk '
  $2 == "n/a" { next }  # not applicable to dkimdoctor: neither side is counted
  {
    n++
    dc += ($3 == "pass"); uc += ($5 == "pass")
    if ($4 == "clock") { k++; dk += ($2 == "pass"); next }
    m++; dw += ($2 == "pass"); uw += ($4 == "pass")
  }
  END {
    print "| all steps right | dkimdoctor | Unbound |"
    print "|---|---|---|"
    printf "| cold: a fresh resolver (ours) or a fresh unbound process for every query | %d/%d | %d/%d |\n", dc, n, uc, n
    printf "| warm: one resolver for the scenario, its cache across the steps | %d/%d | %d/%d |\n", dw, m, uw, m
    printf "| warm, scenarios whose TIME_PASSES add up to more than 30 s (Unbound: harness: clock) | %d/%d | not replayed |\n", dk, k
  }' "$out/all"
echo
echo "| scenario | dkimdoctor warm | dkimdoctor cold | Unbound warm | Unbound cold |"
echo "|---|---|---|---|---|"
awk '$2 != "n/a" { printf "| `%s` | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }' "$out/all"
