// A hand-built DNS world for judge tests: the records each authoritative server of the zone serves, plus
// records elsewhere (the amazonses.com targets). It answers the judge's lookups the way a resolver's
// authority probe and iterative resolution would, so each test states the zone content and the expected
// findings and nothing else. It stands in for no real part: the resolver is tested against the lab.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "diagnose/check_loop.hpp"
#include "diagnose/expect.hpp"
#include "diagnose/judge.hpp"
#include "wire/message.hpp"

namespace dkimdoctor::diagnose::testing {

// Test data that does not parse is a bug in the test: stop at once, naming it.
inline void require(bool ok, std::string_view what) {
  if (ok) return;
  std::fprintf(stderr, "bad test data: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

inline wire::Name N(std::string_view text) {
  auto n = wire::Name::parse(text);
  require(n.ok(), text);
  return *n;
}

inline wire::Record RR(std::string_view owner, wire::RRType type, std::string_view rdata, std::uint32_t ttl = 300) {
  auto r = wire::Rdata::parse(type, rdata);
  require(r.ok(), rdata);
  return wire::Record{N(owner), type, wire::RRClass::IN, ttl, *r};
}

// TXT from raw character-strings (no presentation quoting, so quotes and backslashes stay literal).
inline wire::Record TXT(std::string_view owner, const std::vector<std::string>& strings) {
  std::vector<std::uint8_t> bytes;
  for (const auto& s : strings) {
    bytes.push_back(static_cast<std::uint8_t>(s.size()));
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  auto r = wire::Rdata::from_bytes(wire::RRType::TXT, bytes);
  require(r.ok(), owner);
  return wire::Record{N(owner), wire::RRType::TXT, wire::RRClass::IN, 300, *r};
}

// Splits a long value into 255-octet strings as a correct provider does.
inline std::vector<std::string> chunks(const std::string& v, std::size_t n = 255) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); i += n) out.push_back(v.substr(i, n));
  if (out.empty()) out.emplace_back();
  return out;
}

struct World {
  Identity identity;
  wire::Name zone = N("example.com");
  std::vector<std::pair<std::string, std::string>> servers = {{"ns1.provider.test", "127.53.1.1"},
                                                              {"ns2.provider.test", "127.53.1.2"}};
  std::vector<wire::Record> zone_records;                 // served by every server of the zone
  std::map<std::size_t, std::vector<wire::Record>> only;  // extra records one server serves
  std::set<std::pair<std::size_t, std::string>> hidden;   // (server, "owner TYPE") a server lacks
  std::vector<wire::Record> elsewhere;                    // other zones (amazonses.com, mail hosts)
  std::set<std::size_t> truncating, tcp_broken, down;     // per-server transport behaviour
  std::set<std::size_t> host_limited;                     // this host cannot send there (no IPv6, no route)
  std::map<std::size_t, std::uint32_t> serial;            // SOA serial per server (default 2026112601)
  Delegation delegation;
  bool delegation_set = false;
  // DNSSEC (issue 14). `signatures`: the RRSIG/NSEC/NSEC3 records every server serves (DO set), unless
  // `signatures_of` gives a server its own (an unsigned secondary: an empty list). `security`: the status
  // the validating resolver gives an iterative answer ("name. TYPE"), else `default_security`.
  bool validating = false;
  std::uint32_t now = 0;
  std::vector<wire::Record> signatures;
  std::map<std::size_t, std::vector<wire::Record>> signatures_of;
  std::map<std::string, SecurityResult> security;
  SecurityResult default_security;
  bool bogus_servfail = false;  // a bogus iterative answer fails (SERVFAIL, nothing), as a validator serves it

  const std::vector<wire::Record>& signatures_served_by(std::size_t i) const {
    auto it = signatures_of.find(i);
    return it == signatures_of.end() ? signatures : it->second;
  }

  // The DNSSEC records a signed server adds to an answer: the RRSIGs of the RRsets in it, and for a
  // negative answer the SOA's RRSIG and the zone's NSEC/NSEC3 records with theirs.
  std::vector<wire::Record> dnssec_for(std::size_t i, const ServerAnswer& a) const {
    std::vector<wire::Record> out;
    for (const auto& r : signatures_served_by(i)) {
      if (r.type == wire::RRType::RRSIG) {
        auto sig = r.rdata.as_rrsig();
        if (!sig.ok()) continue;
        bool covers = false;
        for (const auto& x : a.answer.empty() ? a.authority : a.answer)
          covers = covers || (x.owner == r.owner && x.type == sig->type_covered);
        if (a.answer.empty())
          covers = covers || sig->type_covered == wire::RRType::NSEC || sig->type_covered == wire::RRType::NSEC3;
        if (covers) out.push_back(r);
      } else if (a.answer.empty()) {
        out.push_back(r);  // NSEC / NSEC3
      }
    }
    return out;
  }

  std::vector<wire::Record> served_by(std::size_t i) const {
    std::vector<wire::Record> out;
    for (const auto& r : zone_records)
      if (!hidden.count({i, r.owner.to_string() + " " + wire::to_string(r.type)})) out.push_back(r);
    if (auto it = only.find(i); it != only.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    return out;
  }

  static bool exists(const std::vector<wire::Record>& recs, const wire::Name& name) {
    for (const auto& r : recs)
      if (r.owner.is_subdomain_of(name)) return true;
    return false;
  }

  // One server's authoritative answer (RFC 1034 §4.3.2 without chasing out of the zone).
  ServerAnswer ask(std::size_t i, const wire::Name& name, wire::RRType type) const {
    ServerAnswer a;
    a.ns_name = N(servers[i].first);
    a.address = servers[i].second;
    if (down.count(i)) {
      a.error = "timeout";
      return a;
    }
    if (host_limited.count(i)) {
      a.error = "not reachable from this host";
      a.unreachable_from_host = true;
      return a;
    }
    a.responded = true;
    a.aa = true;
    a.rtt_ms = 1;
    const auto recs = served_by(i);
    for (const auto& r : recs) {
      if (!(r.owner == name)) continue;
      if (r.type == type || (r.type == wire::RRType::CNAME && type != wire::RRType::CNAME)) a.answer.push_back(r);
    }
    // With a CNAME and other data at a name, answer the asked type if present (what BIND-like servers do).
    bool has_type = false;
    for (const auto& r : a.answer) has_type = has_type || r.type == type;
    if (has_type) std::erase_if(a.answer, [&](const wire::Record& r) { return r.type != type; });
    if (a.answer.empty() && !exists(recs, name)) {
      a.rcode = wire::Rcode::NXDomain;
      a.authority.push_back(RR(zone.to_string(), wire::RRType::SOA,
                               "ns1.provider.test. hostmaster.example.com. 2026112601 3600 600 86400 900", 3600));
    }
    a.dnssec = dnssec_for(i, a);
    std::size_t size = 12;
    for (const auto& r : a.answer) size += r.owner.wire_length() + 10 + r.rdata.bytes().size();
    if (truncating.count(i) || size > 512) {
      a.truncated_udp = true;
      if (tcp_broken.count(i)) {
        a.responded = false;
        a.answer.clear();
        a.error = "connection refused";
      } else {
        a.transport = Transport::tcp;
      }
    }
    return a;
  }

  // A full resolution: the first server's view of the zone, everything else from `elsewhere`.
  IterativeResult resolve(const wire::Name& name, wire::RRType type) const {
    IterativeResult r = resolve_records(name, type);
    auto sec = security.find(name.to_string() + " " + wire::to_string(type));
    r.security = sec == security.end() ? default_security : sec->second;
    if (bogus_servfail && r.security.status == Security::bogus) {
      r.complete = false;
      r.rcode = wire::Rcode::ServFail;
      r.answer.clear();
      r.error = "DNSSEC validation failed (bogus)";
    }
    return r;
  }

  IterativeResult resolve_records(const wire::Name& name, wire::RRType type) const {
    IterativeResult r;
    r.complete = true;
    wire::Name cur = name;
    for (int hop = 0; hop < 8; ++hop) {
      std::vector<wire::Record> recs;
      if (cur.is_subdomain_of(zone)) {
        std::size_t first_up = 0;
        while (first_up < servers.size() && (down.count(first_up) || host_limited.count(first_up))) ++first_up;
        if (first_up == servers.size()) {
          r.complete = false;
          r.error = "all servers timed out";
          return r;
        }
        recs = served_by(first_up);
      } else {
        recs = elsewhere;
      }
      std::vector<wire::Record> here, cname;
      for (const auto& rec : recs) {
        if (!(rec.owner == cur)) continue;
        if (rec.type == type) here.push_back(rec);
        else if (rec.type == wire::RRType::CNAME) cname.push_back(rec);
      }
      if (!here.empty()) {
        r.answer.insert(r.answer.end(), here.begin(), here.end());
        return r;
      }
      if (!cname.empty()) {
        r.answer.push_back(cname.front());
        cur = *cname.front().rdata.target();
        continue;
      }
      if (!exists(recs, cur)) r.rcode = wire::Rcode::NXDomain;
      return r;
    }
    return r;
  }

  LookupResult observe(const Lookup& l) const {
    LookupResult out{l, std::nullopt, {}, zone};
    if (l.scope == Scope::iterative) {
      out.iterative = resolve(l.name, l.type);
    } else {
      for (std::size_t i = 0; i < servers.size(); ++i) out.servers.push_back(ask(i, l.name, l.type));
    }
    return out;
  }

  Delegation default_delegation() const {
    Delegation d;
    d.complete = true;
    d.zone = zone;
    d.parent = zone.parent();
    for (std::size_t i = 0; i < servers.size(); ++i) {
      d.parent_ns.push_back(N(servers[i].first));
      d.zone_ns.push_back(N(servers[i].first));
      ServerStatus s;
      s.ns_name = N(servers[i].first);
      s.address = servers[i].second;
      s.responded = !down.count(i) && !host_limited.count(i);
      if (!s.responded) s.error = host_limited.count(i) ? "not reachable from this host" : "timeout";
      s.unreachable_from_host = host_limited.count(i) > 0;
      s.aa = s.responded;
      if (s.responded) s.serial = serial.count(i) ? serial.at(i) : 2026112601u;
      d.servers.push_back(s);
    }
    d.soa_ttl = 3600;
    d.soa_minimum = 900;
    return d;
  }

  // The check's own loop (diagnose::CheckLoop, as check::run drives it), observing this world instead of
  // the network.
  Judgement run() const { return run_loop().judgement(); }

  CheckLoop run_loop() const {
    DnssecContext dnssec;
    dnssec.validating = validating;
    dnssec.now = now;
    CheckLoop loop(identity, dnssec);
    while (const CheckLoop::Step* step = loop.next()) {
      std::vector<LookupResult> results;
      for (const auto& l : step->lookups) results.push_back(observe(l));
      if (step->with_zone_keys) results.push_back(observe(Lookup{zone, wire::RRType::DNSKEY, Scope::iterative}));
      std::optional<Delegation> d;
      if (step->with_delegation) d = delegation_set ? delegation : default_delegation();
      loop.observed(std::move(results), std::move(d));
    }
    return loop;
  }
};

inline std::multiset<std::string> problem_codes(const Judgement& j) {
  std::multiset<std::string> out;
  for (const auto& f : j.findings)
    if (f.severity == Severity::error || f.severity == Severity::warning) out.insert(std::string(to_string(f.code)));
  return out;
}

inline std::set<std::string> all_codes(const Judgement& j) {
  std::set<std::string> out;
  for (const auto& f : j.findings) out.insert(std::string(to_string(f.code)));
  return out;
}

inline const Finding* find_code(const Judgement& j, Code code) {
  for (const auto& f : j.findings)
    if (f.code == code) return &f;
  return nullptr;
}

inline std::string dump(const Judgement& j) {
  std::string out = "verdict " + std::string(to_string(j.verdict)) + ": " + j.headline + "\n";
  for (const auto& f : j.findings) {
    out += "  [" + std::string(to_string(f.severity)) + "] " + std::string(to_string(f.code)) + " " + f.message + "\n";
    for (const auto& e : f.evidence) out += "      " + e + "\n";
  }
  return out;
}

}  // namespace dkimdoctor::diagnose::testing
