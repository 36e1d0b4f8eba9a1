#!/usr/bin/env python3
"""Where a bulk run's upstream queries go (issue 16): every DNS query seen on the lab's loopback, then a
table of queries per domain by server tier (root, TLD, amazonses.com, providers, the dead address), by
name (the domain's apex, its DKIM names, _amazonses, _dmarc, other names in it, SES's DKIM targets,
provider NS names) and type, by lab scenario, and how often one server got the same question twice.

  # inside the lab's namespace, while bulk runs (root: a packet socket on lo); stop it with SIGINT
  tests/lab/lab exec python3 bench/bulk/where_queries_go.py capture OUT.tsv
  # anywhere, afterwards: the tables, per domain of the lab's manifest
  python3 bench/bulk/where_queries_go.py report OUT.tsv $DKIMDOCTOR_LAB

Sees only the loopback of the namespace it runs in (queries to 127.53.x.y and ::1, UDP and TCP); replies
are skipped. Counts may differ from `lab stats` (NSD's counters) by the queries to addresses no NSD serves.
"""
import collections
import json
import os
import signal
import socket
import struct
import sys

QTYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 15: "MX", 16: "TXT", 28: "AAAA", 43: "DS", 48: "DNSKEY"}


def qname_at(b, o):
    labels = []
    while b[o] != 0:
        if b[o] >= 0xC0:
            return None, o
        labels.append(b[o + 1:o + 1 + b[o]].decode("latin1").lower())
        o += 1 + b[o]
    return ".".join(labels) + ".", o + 1


def query_of(pkt):
    """(destination, qname, qtype, tcp) of a DNS query in an Ethernet frame, else None."""
    ethertype = struct.unpack("!H", pkt[12:14])[0]
    ip = pkt[14:]
    if ethertype == 0x0800:
        proto, dst, payload = ip[9], socket.inet_ntoa(ip[16:20]), ip[(ip[0] & 15) * 4:]
    elif ethertype == 0x86DD:
        proto, dst, payload = ip[6], socket.inet_ntop(socket.AF_INET6, ip[24:40]), ip[40:]
    else:
        return None
    if proto not in (6, 17) or len(payload) < 20 or struct.unpack("!H", payload[2:4])[0] != 53:
        return None
    dns = payload[8:] if proto == 17 else payload[(payload[12] >> 4) * 4 + 2:]
    if len(dns) < 17 or dns[2] & 0x80:
        return None
    try:
        name, o = qname_at(dns, 12)
        return (dst, name, struct.unpack("!H", dns[o:o + 2])[0], proto == 6) if name else None
    except (IndexError, struct.error):
        return None


def capture(path):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 256 << 20)
    s.bind(("lo", 0))
    s.settimeout(0.5)
    stop = []
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    n = 0
    with open(path, "w") as out:
        while not stop:
            try:
                pkt, addr = s.recvfrom(65535)
            except (socket.timeout, InterruptedError):
                continue
            q = addr[2] == socket.PACKET_HOST and query_of(pkt)  # each frame once (not its outgoing copy)
            if q:
                out.write(f"{q[0]}\t{q[1]}\t{q[2]}\t{int(q[3])}\n")
                n += 1
    print(f"where_queries_go: {n} queries in {path}", file=sys.stderr)


def report(path, lab):
    tiers = {}
    for line in open(os.path.join(lab, "servers.list")):
        f = line.split()
        for a in f[3:]:
            tiers[a] = "root" if f[0].startswith("root") else "TLD" if f[2] in ("com", "net", "org") else \
                "amazonses.com" if f[2] == "amazonses.com" else "provider"
    manifest = json.load(open(os.path.join(lab, "manifest.json")))
    scenario = {d["domain"].lower().rstrip(".") + ".": d["scenario"] for d in manifest["domains"]}
    per_scenario = collections.Counter(scenario.values())
    n = len(scenario)
    by_name, by_scenario, same = collections.Counter(), collections.Counter(), collections.Counter()
    for line in open(path):
        dst, name, qtype, tcp = line.rstrip("\n").split("\t")
        t = QTYPES.get(int(qtype), qtype)
        labels = name.rstrip(".").split(".")
        domain = next((".".join(labels[i:]) + "." for i in range(len(labels))
                       if ".".join(labels[i:]) + "." in scenario), None)
        rel = name[:-len(domain)].rstrip(".") if domain else ""
        if domain is None:
            what = "SES DKIM target" if name.endswith("dkim.amazonses.com.") else "outside the lab's domains"
        elif rel == "":
            what = "apex"
        else:
            what = next((k for k in ("_domainkey", "_amazonses", "_dmarc") if k in rel), "other name in it")
        by_name[(tiers.get(dst, "no NSD (dead)"), what, t)] += 1
        by_scenario[scenario.get(domain, "(names of no domain)")] += 1
        same[(dst, name, t, tcp)] += 1
    total = sum(by_name.values())
    print(f"{total} queries, {total / n:.2f} per domain ({n} domains)\n")
    print("| server tier | name | type | per domain |\n|---|---|---|---:|")
    for (tier, what, t), v in by_name.most_common():
        if v / n >= 0.005:
            print(f"| {tier} | {what} | {t} | {v / n:.2f} |")
    again = sum(v - 1 for v in same.values())
    print(f"\nthe same question to the same server again (retries, fallbacks, across checks): {again / n:.2f} per domain")
    print("\n| scenario | domains | queries per domain of it |\n|---|---:|---:|")
    for s, v in by_scenario.most_common():
        print(f"| {s} | {per_scenario.get(s, 0)} | {v / max(per_scenario.get(s, 0), 1):.1f} |")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "capture":
        capture(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
