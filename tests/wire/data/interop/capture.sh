#!/usr/bin/env bash
# Regenerates the interop fixtures: serves interop.test (signed, NSEC) and nsec3.test (signed, NSEC3)
# with NSD inside a private network namespace (only loopback exists there) and asks each question twice:
#  - with ldns's drill: the response octets (<name>.bin, from drill -w) and the text drill printed
#    (<name>.drill.txt);
#  - with Knot's kdig through udp_tap.py, which saves the reply octets kdig received (<name>.kdig.bin)
#    next to the text kdig printed (<name>.kdig.txt).
# tests/wire/interop_test.cpp decodes the octets and compares with the text each tool printed.
#   tests/wire/data/interop/capture.sh        (needs root for unshare; nsd, ldnsutils)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" != "--inside" ]; then
  exec unshare -n "$0" --inside
fi
ip link set lo up
ip addr add 127.0.0.2/8 dev lo 2>/dev/null || true
work=$(mktemp -d)
trap 'kill $(cat "$work/nsd.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
cp "$here/interop.test.zone" .
sed 's/interop\.test/nsec3.test/g' interop.test.zone > nsec3.test.zone
# Fixed validity window so the RRSIG text is stable across captures.
for z in interop.test nsec3.test; do
  ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "$z")
  zsk=$(ldns-keygen -a ECDSAP256SHA256 "$z")
  extra=()
  [ "$z" = nsec3.test ] && extra=(-n -s AABBCCDD -t 2)
  ldns-signzone "${extra[@]}" -e 20370101000000 -i 20260101000000 "$z.zone" "$ksk" "$zsk"
done
cat > nsd.conf <<CONF
server:
  ip-address: 127.0.0.1
  port: 53
  username: ""
  chroot: ""
  zonesdir: "$work"
  database: ""
  zonelistfile: "$work/zone.list"
  xfrdfile: "$work/xfrd.state"
  pidfile: "$work/nsd.pid"
  logfile: "$work/nsd.log"
  server-count: 1
remote-control:
  control-enable: no
zone:
  name: interop.test
  zonefile: interop.test.zone.signed
zone:
  name: nsec3.test
  zonefile: nsec3.test.zone.signed
CONF
nsd -c nsd.conf
for _ in $(seq 50); do drill @127.0.0.1 interop.test SOA >/dev/null 2>&1 && break; sleep 0.1; done
python3 "$here/udp_tap.py" "$work/tap.bin" &
tap=$!
trap 'kill $tap 2>/dev/null || true; kill $(cat "$work/nsd.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 0.5

# name  qname  qtype  [drill flags]
while read -r name qname qtype flags; do
  [ -z "$name" ] && continue
  # shellcheck disable=SC2086
  drill $flags -w "$work/$name.hex" @127.0.0.1 "$qname" "$qtype" | grep -v -E '^;; (Query time|SERVER|WHEN):' > "$here/$name.drill.txt"
  # drill -w writes a hex dump with ';' comments (column ruler, byte ranges): keep the hex octets.
  sed 's/;.*//' "$work/$name.hex" | tr -cd '0-9a-fA-F' | xxd -r -p > "$here/$name.bin"
  kflags=()
  [ "$flags" = "-D" ] && kflags=(+dnssec)
  rm -f "$work/tap.bin"
  kdig "${kflags[@]}" @127.0.0.2 "$qname" "$qtype" | grep -v -E '^;; (Time|From|Received) ' > "$here/$name.kdig.txt"
  cp "$work/tap.bin" "$here/$name.kdig.bin"
done <<'QUERIES'
soa_dnssec          interop.test                   SOA        -D
ns                  interop.test                   NS
mx_glue             interop.test                   MX
aaaa                interop.test                   AAAA
txt_spf_dnssec      interop.test                   TXT        -D
txt_multi           multi.interop.test             TXT
txt_empty           empty.interop.test             TXT
cname_out_of_zone   sel._domainkey.interop.test    TXT
cname_in_zone       www.interop.test               A
srv                 _sip._tcp.interop.test         SRV
caa                 interop.test                   CAA
dname               x.legacy.interop.test          A
ptr                 1.2.0.192.in-addr.interop.test PTR
unknown_type        opaque.interop.test            TYPE65280
unknown_type_empty  opaque.interop.test            TYPE65281
dnskey              interop.test                   DNSKEY     -D
ds                  child.interop.test             DS         -D
referral            www.child.interop.test         A          -D
nxdomain_nsec       nope.interop.test              A          -D
nxdomain_nsec3      nope.nsec3.test                A          -D
nsec3param          nsec3.test                     NSEC3PARAM -D
nodata_nsec3        ns1.nsec3.test                 MX         -D
refused             other.example                  A
QUERIES
