#include "check/observe.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "resolver/gather.hpp"
#include "resolver/limits.hpp"

namespace dkimdoctor::check {
namespace {

using diagnose::Lookup;
using diagnose::Scope;

std::string probe_error_text(const resolver::ServerResponse& r) {
  std::string s = resolver::to_string(r.error);
  if (!r.error_detail.empty()) s += " (" + r.error_detail + ")";
  return s;
}

bool same_question(const wire::Question& q, const Lookup& l) { return q.type == l.type && q.name == l.name; }

// The zone's SOA as one server answered it: whether it answered, authoritatively, and its serial.
void read_soa_reply(const resolver::ZoneProbe& p, const resolver::ServerResponse& r, diagnose::ServerStatus& s,
                    diagnose::Delegation& d) {
  // A REFUSED reply is a reply (ProbeError::refused with an rcode): lame, not unreachable.
  s.responded = r.rcode.has_value();
  if (!s.responded) s.error = probe_error_text(r);
  s.unreachable_from_host = r.error == resolver::ProbeError::unreachable_from_host;
  if (r.rcode) s.rcode = *r.rcode;
  s.aa = r.aa;
  for (const auto& rec : r.answer) {
    if (rec.type != wire::RRType::SOA || !(rec.owner == p.zone)) continue;
    if (auto soa = rec.rdata.as_soa()) {
      s.serial = soa->serial;
      if (!d.soa_ttl) {
        d.soa_ttl = rec.ttl;
        d.soa_minimum = soa->minimum;
      }
    }
  }
}

diagnose::ServerStatus server_status(const resolver::ZoneProbe& p, const wire::Name& ns,
                                     const resolver::NsAddress& a, diagnose::Delegation& d) {
  diagnose::ServerStatus s;
  s.ns_name = ns;
  s.address = address_text(a.address);
  if (!a.permitted) {
    s.private_address = true;
    s.error = std::string("not queried: ") + resolver::to_string(a.address_class) + " address";
    return s;
  }
  for (const auto& r : p.responses) {
    if (!(r.ns_name == ns) || r.address != a.address) continue;
    if (r.question.type != wire::RRType::SOA || !(r.question.name == p.zone)) continue;
    read_soa_reply(p, r, s, d);
    break;
  }
  return s;
}

// A probe run as one task of the gather: its result lands in `slot` (sized before the tasks start, so the
// slots stay put).
asio::awaitable<void> probe_into(resolver::Resolver& r, wire::Name name, std::vector<wire::Question> questions,
                                 resolver::ZoneProbe& slot, std::shared_ptr<resolver::ProbeBudget> budget,
                                 std::shared_ptr<resolver::SharedReplies> replies) {
  slot = co_await r.probe(name, std::move(questions), std::move(budget), std::move(replies));
}

}  // namespace

std::string address_text(const asio::ip::address& address) {
  if (!address.is_v4()) return address.to_string();
  std::string s;
  s.reserve(15);
  for (const unsigned v : address.to_v4().to_bytes()) {
    if (!s.empty()) s += '.';
    if (v >= 100) s += static_cast<char>('0' + v / 100);
    if (v >= 10) s += static_cast<char>('0' + v / 10 % 10);
    s += static_cast<char>('0' + v % 10);
  }
  return s;
}

diagnose::SecurityResult security_from(const resolver::Validation& v) {
  diagnose::SecurityResult s;
  if (!v.checked) return s;  // unchecked: validation off, or no trust anchor above the name
  switch (v.status) {
    case dnssec::Status::secure: s.status = diagnose::Security::secure; break;
    case dnssec::Status::insecure: s.status = diagnose::Security::insecure; break;
    case dnssec::Status::bogus: s.status = diagnose::Security::bogus; break;
    case dnssec::Status::indeterminate: s.status = diagnose::Security::indeterminate; break;
  }
  if (v.reason != dnssec::Reason::none) s.reason = dnssec::to_string(v.reason);
  s.zone = v.zone;
  s.key_tag = v.key_tag;
  s.algorithm = v.algorithm;
  s.inception = v.inception;
  s.expiration = v.expiration;
  s.earliest_expiration = v.earliest_expiration;
  s.detail = v.detail;
  return s;
}

diagnose::Delegation delegation_from(const resolver::ZoneProbe& p) {
  diagnose::Delegation d;
  d.zone = p.zone;
  d.parent = p.parent;
  d.parent_ns = p.parent_ns;
  d.zone_ns = p.zone_ns;
  d.not_delegated = p.name_nxdomain;
  d.complete = p.zone_found || p.name_nxdomain;
  if (p.failure != resolver::Failure::none) {
    d.error = resolver::to_string(p.failure);
    if (!p.failure_detail.empty()) d.error += ": " + p.failure_detail;
  }
  for (const auto& ns : p.servers) {
    if (ns.addresses.empty()) {
      d.nameservers_without_address.push_back(ns.name.to_string() +
                                              (ns.resolution_error.empty() ? "" : " (" + ns.resolution_error + ")"));
    }
    for (const auto& a : ns.addresses) {
      if (!a.asked) continue;  // over the check's probe budget (kMaxProbeAddresses): not judged
      d.servers.push_back(server_status(p, ns.name, a, d));
    }
  }
  return d;
}

namespace {

// A record vector of a response: copied when the probe is const, moved out of it when the caller hands the
// probe over (observe(): each response's records serve one lookup).
template <class Records>
std::vector<wire::Record> records_of(Records& v) {
  if constexpr (std::is_const_v<Records>) {
    return v;
  } else {
    return std::move(v);
  }
}

template <class Probe>
diagnose::LookupResult probe_lookup(Probe& p, const Lookup& lookup) {
  diagnose::LookupResult out;
  out.lookup = lookup;
  out.zone = p.zone;
  for (const auto& ns : p.servers) {
    for (const auto& a : ns.addresses) {
      if (a.permitted) continue;
      diagnose::ServerAnswer s;
      s.ns_name = ns.name;
      s.address = address_text(a.address);
      s.queried = false;
      s.error = "refused by address policy";
      out.servers.push_back(std::move(s));
    }
  }
  for (auto& r : p.responses) {
    if (!same_question(r.question, lookup)) continue;
    diagnose::ServerAnswer s;
    s.ns_name = r.ns_name;
    s.address = address_text(r.address);
    s.responded = r.rcode.has_value();
    if (!s.responded) s.error = probe_error_text(r);
    s.unreachable_from_host = r.error == resolver::ProbeError::unreachable_from_host;
    s.transport = r.protocol == resolver::Protocol::tcp ? diagnose::Transport::tcp : diagnose::Transport::udp;
    s.truncated_udp = r.tc;
    if (r.rcode) s.rcode = *r.rcode;
    s.aa = r.aa;
    s.answer = records_of(r.answer);
    s.authority = records_of(r.authority);
    s.dnssec = records_of(r.dnssec);
    s.rtt_ms = static_cast<std::uint32_t>(r.rtt.count() / 1000);
    out.servers.push_back(std::move(s));
  }
  return out;
}

}  // namespace

diagnose::LookupResult lookup_from(const resolver::ZoneProbe& p, const Lookup& lookup) {
  return probe_lookup(p, lookup);
}

namespace {

template <class Resolution>
diagnose::LookupResult resolution_lookup(Resolution& r, const Lookup& lookup) {
  diagnose::LookupResult out;
  out.lookup = lookup;
  diagnose::IterativeResult it;
  it.complete = r.outcome != resolver::Outcome::failed;
  it.rcode = it.complete ? r.rcode : wire::Rcode::ServFail;
  it.answer = records_of(r.answer);
  it.security = security_from(r.validation);
  if (!it.complete) {
    it.error = resolver::to_string(r.failure);
    if (!r.failure_detail.empty()) it.error += ": " + r.failure_detail;
  }
  out.iterative = std::move(it);
  return out;
}

}  // namespace

diagnose::LookupResult lookup_from(const resolver::Resolution& r, const Lookup& lookup) {
  return resolution_lookup(r, lookup);
}

namespace {

// The zone's keys as the validator's chain of trust trusted them, when they are secure: the check's own
// DNSKEY question may have met a server that serves the zone unsigned (no DNSKEY, or no RRSIG), which the
// validator passed over for a server whose copy validates (Unbound does the same). The judge then checks
// each server's answers against the keys the zone really has, and names the unsigned server
// (DNSSEC_SERVER_INCONSISTENT) instead of calling the zone bogus.
void prefer_trusted_keys(const resolver::Resolver& r, diagnose::LookupResult& keys) {
  if (!keys.iterative) return;
  auto trusted = r.trusted_keys(keys.lookup.name);
  if (!trusted || trusted->validation.status != dnssec::Status::secure || trusted->dnskeys.empty()) return;
  if (keys.iterative->security.status == diagnose::Security::secure) return;
  keys.iterative->security = security_from(trusted->validation);
  keys.iterative->answer = std::move(trusted->dnskeys);
  keys.iterative->complete = true;
  keys.iterative->rcode = wire::Rcode::NoError;
  keys.iterative->error.clear();
}

}  // namespace

asio::awaitable<Observed> observe(resolver::Resolver& r, const wire::Name& domain, const std::vector<Lookup>& lookups,
                                  bool with_delegation, bool with_zone_keys,
                                  std::shared_ptr<resolver::ProbeBudget> budget,
                                  std::shared_ptr<resolver::SharedReplies> replies) {
  std::vector<Lookup> iterative, authoritative;
  for (const auto& l : lookups) (l.scope == Scope::iterative ? iterative : authoritative).push_back(l);
  // The authoritative questions, kMaxProbeQuestions per probe; a step with none still probes once when it
  // wants the delegation.
  std::vector<std::vector<wire::Question>> chunks;
  for (std::size_t i = 0; i < authoritative.size(); ++i) {
    if (i % resolver::kMaxProbeQuestions == 0) chunks.emplace_back();
    chunks.back().push_back(wire::Question{authoritative[i].name, authoritative[i].type, wire::RRClass::IN});
  }
  if (chunks.empty() && with_delegation) chunks.emplace_back();

  // The probes first, then the resolutions: a resolution of a name in the zone then finds the zone's
  // delegation in the cache (the probe's walk put it there) and, at whichever server it picks, the reply
  // the probe got to the same question (`replies`), so it sends nothing the probe already sent.
  auto ex = co_await asio::this_coro::executor;
  std::vector<resolver::ZoneProbe> probed(chunks.size());
  std::vector<asio::awaitable<void>> probes;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    probes.push_back(probe_into(r, domain, chunks[i], probed[i], budget, replies));
  }
  if (!probes.empty()) co_await resolver::gather(ex, std::move(probes));
  if (with_zone_keys && !probed.empty() && probed[0].zone_found) {
    const Lookup keys{probed[0].zone, wire::RRType::DNSKEY, Scope::iterative};
    if (std::find(iterative.begin(), iterative.end(), keys) == iterative.end()) iterative.push_back(keys);
  }
  // Each into its slot of `resolved` (sized first, so the slots stay put). Resolver::resolve_into() is no
  // coroutine: the awaitable it returns owns copies of the name and `replies`.
  std::vector<resolver::Resolution> resolved(iterative.size());
  std::vector<asio::awaitable<void>> tasks;
  for (std::size_t i = 0; i < iterative.size(); ++i)
    tasks.push_back(r.resolve_into(resolved[i], iterative[i].name, iterative[i].type, replies));
  co_await resolver::gather(ex, std::move(tasks));

  Observed out;
  for (std::size_t i = 0; i < iterative.size(); ++i) {
    out.queries += resolved[i].queries;
    out.results.push_back(resolution_lookup(resolved[i], iterative[i]));  // its answer moves
    if (iterative[i].type == wire::RRType::DNSKEY) prefer_trusted_keys(r, out.results.back());
  }
  for (std::size_t c = 0; c < probed.size(); ++c) {
    out.queries += probed[c].queries;
    if (with_delegation && c == 0) out.delegation = delegation_from(probed[c]);
    const std::size_t first = c * resolver::kMaxProbeQuestions;
    const std::size_t last = std::min(authoritative.size(), first + resolver::kMaxProbeQuestions);
    for (std::size_t k = first; k < last; ++k) {
      // The records move out of the probe unless a later lookup of this chunk asks the same question.
      const auto rest = authoritative.begin() + static_cast<std::ptrdiff_t>(k + 1);
      const auto end = authoritative.begin() + static_cast<std::ptrdiff_t>(last);
      const bool again = std::find(rest, end, authoritative[k]) != end;
      out.results.push_back(again ? lookup_from(probed[c], authoritative[k]) : probe_lookup(probed[c], authoritative[k]));
    }
  }
  co_return out;
}

}  // namespace dkimdoctor::check
