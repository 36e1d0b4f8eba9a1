#!/usr/bin/env bash
# `cmake --install` gives the binary, the man page, the libraries with headers and a CMake package that a
# separate project can find_package() and link. Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
fail=0
for f in bin/dkimdoctor share/man/man1/dkimdoctor.1 include/dkimdoctor/wire/name.hpp \
         include/dkimdoctor/resolver/resolver.hpp include/dkimdoctor/diagnose/judge.hpp \
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
exit $fail
