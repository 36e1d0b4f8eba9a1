#!/usr/bin/env python3
"""A multi-level walk happens against real NSD processes: root -> TLD -> provider (-> amazonses.com).

For customer domains on different kinds of providers (glue in the TLD, glueless NS names under .org, a
provider answering on ::1) this test walks by hand, with RD=0 queries: the root must refer to the TLD
servers, the TLD server to the provider's servers, and only the provider may answer authoritatively (AA).
Each step must be answered by a different server process: NSD's `id.server CH TXT` names the process, and
its pidfile must hold a live nsd. The CNAME target is then walked the same way to the amazonses.com key.
"""
import ipaddress
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_support import Checks, Failure, fqdn, manifest, query, server_pid_alive  # noqa: E402

MAX_STEPS = 12


def server_for_address(m, addr):
    for s in m["servers"]:
        if addr in s["addresses"]:
            return s
    return None


def nsd_identity(addr):
    """The server's own name from a CHAOS id.server query (NSD's `identity:` option)."""
    p = subprocess.run(["kdig", f"@{addr}", "+short", "+time=2", "+retry=1", "CH", "TXT", "id.server"],
                       capture_output=True, text=True, timeout=15)
    return p.stdout.strip().strip('"')


class Walker:
    """A deliberately simple iterative walk, one RD=0 query per step, addresses from glue or from a sub-walk."""

    def __init__(self, m, checks):
        self.m = m
        self.c = checks

    def addresses_of(self, host, depth):
        if depth > 3:
            raise Failure(f"address lookup of {host} nests too deep")
        addrs = []
        for qtype in ("A", "AAAA"):
            final, _ = self.walk(host, qtype, depth + 1)
            if final is not None:
                addrs += final.data("answer", qtype, host)
        return addrs

    def walk(self, name, qtype, depth=0):
        """Returns (final Answer, steps); a step is (address, Answer, kind)."""
        servers = self.m["root_servers"]
        steps = []
        for _ in range(MAX_STEPS):
            answer = None
            for addr in servers:
                ip = ipaddress.ip_address(addr)
                if not (ip.is_loopback):
                    continue  # the lab's private-range glue is data only: never queried
                answer = query(addr, name, qtype)
                if answer is not None and answer.rcode != "REFUSED":
                    break
            if answer is None:
                return None, steps
            if answer.aa or answer.answer:
                steps.append((answer.server, answer, "answer"))
                return answer, steps
            ns = answer.rr("authority", "NS")
            if not ns:
                steps.append((answer.server, answer, "other"))
                return answer, steps
            steps.append((answer.server, answer, "referral"))
            hosts = [r["rdataNS"].lower() for r in ns]
            glue = []
            for h in hosts:
                glue += answer.data("additional", "A", h) + answer.data("additional", "AAAA", h)
            if not glue:  # glueless: resolve the NS names with their own walk
                for h in hosts:
                    glue += self.addresses_of(h, depth)
                    if glue:
                        break
            servers = glue
        raise Failure(f"walk of {name} {qtype} took more than {MAX_STEPS} steps")


def check_domain(m, c, d, walker):
    dom = d["domain"]
    tok = d["identity"]["easy_dkim_tokens"][0]
    name = f"{tok}._domainkey.{dom}"
    final, steps = walker.walk(name, "CNAME")
    kinds = [k for _, _, k in steps]
    c.expect(kinds == ["referral", "referral", "answer"], f"{dom}: walk is root, TLD, provider: {kinds}")
    if len(steps) != 3:
        return
    (root_addr, root_ans, _), (tld_addr, tld_ans, _), (prov_addr, prov_ans, _) = steps
    tld = dom.rsplit(".", 1)[1]
    c.expect(root_addr in m["root_servers"], f"{dom}: first step at a root server ({root_addr})")
    c.expect(not root_ans.aa and root_ans.rcode == "NOERROR", f"{dom}: root gives a referral: {root_ans}")
    c.expect(root_ans.rr("authority", "NS", tld), f"{dom}: root refers to the {tld} servers")
    tld_server = server_for_address(m, tld_addr)
    c.expect(tld_server is not None and tld in tld_server["zones"],
             f"{dom}: second step at a {tld} server ({tld_addr})")
    c.expect(not tld_ans.aa and tld_ans.rcode == "NOERROR", f"{dom}: TLD gives a referral: {tld_ans}")
    parent_ns = sorted(r["rdataNS"].lower().rstrip(".") for r in tld_ans.rr("authority", "NS", dom))
    expected_ns = sorted(s["name"] for s in d["servers"] if s["in_parent"])
    c.expect(parent_ns == expected_ns, f"{dom}: TLD delegates to {parent_ns}, manifest says {expected_ns}")
    prov_server = server_for_address(m, prov_addr)
    c.expect(prov_server is not None and dom in prov_server["zones"],
             f"{dom}: third step at a server of the domain ({prov_addr})")
    c.expect(prov_ans.aa and prov_ans.rcode == "NOERROR", f"{dom}: provider answers with AA: {prov_ans}")
    region = d["identity"]["region"]
    target = f"{tok}.dkim.{region}.amazonses.com" if region in ("eu-central-2", "ap-southeast-3") \
        else f"{tok}.dkim.amazonses.com"
    c.expect(prov_ans.data("answer", "CNAME", name) == [fqdn(target)],
             f"{dom}: CNAME -> {target}: {prov_ans.data('answer', 'CNAME', name)}")

    # Three different, live NSD processes answered, each naming itself.
    ids = []
    for addr in (root_addr, tld_addr, prov_addr):
        s = server_for_address(m, addr)
        if s is None:
            continue
        c.expect(server_pid_alive(s["id"]), f"{dom}: the NSD process of {s['id']} is alive")
        ident = nsd_identity(addr)
        c.expect(ident == s["name"], f"{dom}: {addr} identifies as {ident!r}, manifest says {s['name']}")
        ids.append(s["id"])
    c.expect(len(set(ids)) == 3, f"{dom}: three distinct server processes: {ids}")

    # The target: root -> com -> amazonses.com, which holds the key.
    final, steps = walker.walk(target, "TXT")
    kinds = [k for _, _, k in steps]
    c.expect(kinds == ["referral", "referral", "answer"], f"{target}: walk root, com, amazonses.com: {kinds}")
    if final is not None:
        c.expect(final.aa and any(v.startswith("v=DKIM1; k=rsa; p=") for v in final.data("answer", "TXT")),
                 f"{target}: amazonses.com serves the DKIM key with AA")


def main():
    m = manifest()
    c = Checks("lab walk")
    walker = Walker(m, c)
    wanted = ["easy-dkim-ok", "glueless-ok", "ipv6-ok", "regional-ok"]
    picked = {}
    for d in m["domains"]:
        if d["scenario"] in wanted and d["scenario"] not in picked:
            picked[d["scenario"]] = d
    for scen in wanted:
        if not c.expect(scen in picked, f"the lab has a {scen} domain (lab too small?)"):
            continue
        check_domain(m, c, picked[scen], walker)

    if "glueless-ok" in picked:
        d = picked["glueless-ok"]
        tld = d["domain"].rsplit(".", 1)[1]
        tld_addr = next(s for s in m["servers"] if tld in s["zones"])["addresses"][0]
        a = query(tld_addr, d["domain"], "SOA")
        hosts = [r["rdataNS"] for r in a.rr("authority", "NS")] if a else []
        c.expect(a is not None and hosts and not (a.rr("additional", "A") + a.rr("additional", "AAAA")),
                 f"{d['domain']}: the {tld} referral carries no glue for {hosts}")
    if "ipv6-ok" in picked:
        d = picked["ipv6-ok"]
        a = query("::1", d["domain"], "SOA")
        c.expect(a is not None and a.aa, f"{d['domain']}: served over IPv6 on ::1 with AA")
        ns1 = next(s["name"] for s in d["servers"] if "::1" in s["addresses"])
        final, _ = walker.walk(ns1, "AAAA")
        c.expect(final is not None and final.data("answer", "AAAA", ns1) == ["::1"], f"{ns1} has AAAA ::1")
    c.finish()


if __name__ == "__main__":
    main()
