#!/usr/bin/env bash
# `cmake --install` gives the binary, the man page, the libraries with headers and a CMake package that a
# separate project can find_package() and link; that project runs a real check on the lab with one call
# (check::check_blocking), and gets the lab manifest's verdict and codes. Usage: install_test.sh BUILD_DIR
# (inside the lab's namespace, DKIMDOCTOR_LAB set: tests/lab/lab exec ...)
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
fail=0
for f in bin/dkimdoctor share/man/man1/dkimdoctor.1 include/dkimdoctor/wire/name.hpp \
         include/dkimdoctor/dnssec/validate.hpp \
         include/dkimdoctor/resolver/resolver.hpp include/dkimdoctor/diagnose/judge.hpp \
         include/dkimdoctor/check/check.hpp \
         lib/cmake/dkimdoctor/dkimdoctorConfig.cmake; do
  if [ -e "$tmp/prefix/$f" ]; then echo "ok   installed $f"; else echo "FAIL missing $f"; fail=1; fi
done
"$tmp/prefix/bin/dkimdoctor" version >/dev/null && echo "ok   installed binary runs" || { echo "FAIL binary"; fail=1; }
cmake -S "$here/consumer" -B "$tmp/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$tmp/consumer" >/dev/null
out=$("$tmp/consumer/consumer")
want="abc._domainkey.example.com. abc.dkim.eu-central-2.amazonses.com 13 refuses-private"
if [ "$out" = "$want" ]; then echo "ok   find_package consumer: $out"; else echo "FAIL consumer printed '$out', want '$want'"; fail=1; fi
# RFC 8080 §6.1: key tag 3613, SHA-256 DS digest 3aa5ab37...
out=$("$tmp/consumer/dnssec_consumer")
if [ "$out" = "3613 3aa5" ]; then echo "ok   find_package dnssec consumer: $out"; else echo "FAIL dnssec consumer printed '$out', want '3613 3aa5'"; fail=1; fi
# A real check through the installed library, on the lab: one healthy and two broken scenarios.
lab=${DKIMDOCTOR_LAB:-}
if [ -z "$lab" ] || [ ! -f "$lab/manifest.json" ]; then
  echo "FAIL the lab is not up (DKIMDOCTOR_LAB): run inside tests/lab/lab exec"
  exit 1
fi
for scenario in easy-dkim-ok underscore-stripped dkim-missing; do
  read -r identity want < <(python3 - "$lab/manifest.json" "$scenario" <<'PY'
import json, sys
for d in json.load(open(sys.argv[1]))["domains"]:
    if d["scenario"] == sys.argv[2]:
        print(json.dumps(d["identity"], separators=(",", ":")), d["expect"]["verdict"] + "|" + ",".join(sorted(set(d["expect"]["codes"]))))
        break
PY
)
  if [ -z "${identity:-}" ]; then echo "FAIL no $scenario domain in the lab"; fail=1; continue; fi
  got=$("$tmp/consumer/lab_check" "$lab/root.hints" "$identity") || { echo "FAIL lab_check $scenario: exit $?"; fail=1; continue; }
  got="${got%% *}|${got#* }"  # "VERDICT CODES" -> "VERDICT|CODES"
  if [ "$got" = "$want" ]; then echo "ok   find_package check on the lab, $scenario: $got"; else echo "FAIL $scenario: lab_check said '$got', the manifest wants '$want'"; fail=1; fi
done
exit $fail
