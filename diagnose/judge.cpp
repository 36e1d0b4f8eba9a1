#include "diagnose/judge.hpp"

#include <algorithm>
#include <set>

#include "diagnose/judge_internal.hpp"
#include "wire/ascii.hpp"

namespace dkimdoctor::diagnose {
namespace detail {

namespace {

// name_text and record_text appended to `out`: the evidence lines are built in one string each.
void append_name_text(std::string& out, const wire::Name& name) {
  const std::size_t start = out.size();
  name.append_to(out);
  if (out.size() - start > 1 && out.back() == '.') out.pop_back();
}

// server_label appended to `out`: "ns1.example.com (192.0.2.1)".
void append_server_label(std::string& out, const wire::Name& ns, const std::string& address) {
  append_name_text(out, ns);
  out += " (";
  out += address;
  out += ')';
}

void append_record_text(std::string& out, const wire::Record& record) {
  out += wire::to_string(record.type);
  out += ' ';
  record.rdata.append_to(out);
}

}  // namespace

const LookupResult* Ctx::want(const Lookup& lookup) {
  if (const auto* r = obs.find(lookup)) return r;
  if (std::find(follow_ups.begin(), follow_ups.end(), lookup) == follow_ups.end()) follow_ups.push_back(lookup);
  return nullptr;
}

Finding& Ctx::add(Code code, const wire::Name& subject, std::string message) {
  return add(code, name_text(subject), std::move(message));
}

Finding& Ctx::add(Code code, std::string subject, std::string message) {
  findings.push_back(make_finding(code, std::move(subject), std::move(message)));
  return findings.back();
}

bool Ctx::is_inconsistent(const wire::Name& name) const {
  return std::find(inconsistent.begin(), inconsistent.end(), name) != inconsistent.end();
}

std::string Ctx::delegated_to() const {
  const Delegation& d = obs.delegation;
  const auto& set = d.parent_ns.empty() ? d.zone_ns : d.parent_ns;
  if (set.empty() || d.zone.is_root()) return {};
  std::vector<std::string> names;
  for (const auto& n : set) names.push_back(name_text(n));
  return " The registrar delegates " + name_text(d.zone) + " to " + join(names) +
         ": the record must be in the zone those servers serve.";
}

std::string name_text(const wire::Name& name) {
  std::string s;
  append_name_text(s, name);
  return s;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

std::string lower(std::string_view s) {
  return wire::ascii::lowered(s);
}

bool iequals(std::string_view a, std::string_view b) { return a.size() == b.size() && lower(a) == lower(b); }

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string server_label(const wire::Name& ns, const std::string& address) {
  std::string out;
  append_server_label(out, ns, address);
  return out;
}

std::vector<std::string> txt_strings(const wire::Record& txt) {
  auto strings = txt.rdata.txt_strings();
  if (!strings) return {};
  return *strings;
}

// The character-strings (a length octet, then that many octets: RFC 1035 §3.3.14) walked in place: what
// joining txt_strings gives, without a vector of copies. Bad RDATA (a string running past the end, none
// at all, not a TXT) is "", as there.
std::string txt_value(const wire::Record& txt) {
  const auto& b = txt.rdata.bytes();
  if (txt.rdata.type() != wire::RRType::TXT || b.empty()) return {};
  std::string out;
  out.reserve(b.size());
  for (std::size_t p = 0; p < b.size(); p += 1 + b[p]) {
    if (b[p] > b.size() - p - 1) return {};
    out.append(reinterpret_cast<const char*>(b.data()) + p + 1, b[p]);
  }
  return out;
}

std::string record_text(const wire::Record& record) {
  std::string out;
  append_record_text(out, record);
  return out;
}

std::vector<wire::Record> records_at(const std::vector<wire::Record>& answer, const wire::Name& owner,
                                     wire::RRType type) {
  std::vector<wire::Record> out;
  for (const auto& r : answer)
    if (r.type == type && r.owner == owner) out.push_back(r);
  return out;
}

std::vector<wire::Name> cname_chain(const std::vector<wire::Record>& answer, const wire::Name& start) {
  constexpr std::size_t kMaxHops = 16;
  std::vector<wire::Name> chain;
  wire::Name cur = start;
  while (chain.size() < kMaxHops) {
    bool moved = false;
    for (const auto& r : answer) {
      if (r.type != wire::RRType::CNAME || !(r.owner == cur)) continue;
      auto target = r.rdata.target();
      if (!target) break;
      cur = *target;
      chain.push_back(cur);
      moved = true;
      break;
    }
    if (!moved) break;
  }
  return chain;
}

// Built in one string: called for every server whose answer a finding shows.
constexpr std::size_t kDescribeReserve = 512;

std::string describe(const ServerAnswer& a, const wire::Name& name, wire::RRType type) {
  std::string out;
  out.reserve(kDescribeReserve);  // room for a DKIM key's TXT at once, not grown step by step
  append_server_label(out, a.ns_name, a.address);
  out += ": ";
  if (!a.queried) return std::move(out) + "not queried (private or unroutable address)";
  if (a.unreachable_from_host) return std::move(out) + "not checked from this host (no route to this address)";
  append_name_text(out, name);
  out += ' ';
  out += wire::to_string(type);
  out += " -> ";
  if (!a.responded) {
    std::string what = a.error.empty() ? "no reply" : a.error;
    if (a.truncated_udp) what = "truncated over UDP, then TCP failed: " + what;
    return std::move(out) + what;
  }
  std::string suffix;
  if (!a.aa) suffix += " (not authoritative)";
  if (a.transport == Transport::tcp) suffix += " (over TCP)";
  if (a.rcode != wire::Rcode::NoError) return std::move(out) + wire::to_string(a.rcode) + suffix;
  if (a.answer.empty())
    return std::move(out) + "NODATA (the name exists, no " + wire::to_string(type) + " record)" + suffix;
  for (std::size_t i = 0; i < a.answer.size(); ++i) {
    const wire::Record& r = a.answer[i];
    if (i) out += "; ";
    if (!(r.owner == name)) {
      append_name_text(out, r.owner);
      out += ' ';
    }
    append_record_text(out, r);
  }
  return std::move(out) + suffix;
}

std::string describe(const IterativeResult& r) {
  if (!r.complete) return "iterative resolution failed: " + (r.error.empty() ? std::string("no answer") : r.error);
  if (r.rcode != wire::Rcode::NoError) return "iterative resolution: " + wire::to_string(r.rcode);
  if (r.answer.empty()) return "iterative resolution: NODATA";
  std::vector<std::string> parts;
  for (const auto& rec : r.answer) parts.push_back(name_text(rec.owner) + " " + record_text(rec));
  return "iterative resolution: " + join(parts, "; ");
}

namespace {

bool usable(const ServerAnswer& a) {
  return a.queried && a.responded && a.aa && (a.rcode == wire::Rcode::NoError || a.rcode == wire::Rcode::NXDomain);
}

// Appends `r` unless `into` holds the same record (type and RDATA; TTLs may differ between servers). Every
// record here is owned by the one name published() reads, so the owners are equal already.
void add_unique(std::vector<const wire::Record*>& into, const wire::Record& r) {
  for (const auto* have : into)
    if (have->type == r.type && have->rdata == r.rdata) return;
  into.push_back(&r);
}

std::vector<wire::Record> owned_by(const std::vector<wire::Record>& answer, const wire::Name& name) {
  std::vector<wire::Record> out;
  for (const auto& r : answer)
    if (r.owner == name) out.push_back(r);
  return out;
}

}  // namespace

Published published(const Ctx& ctx, const wire::Name& name, wire::RRType type) {
  Published p;
  p.name_ = name;
  p.type_ = type;
  bool negative_seen = false, all_negative_nx = true;
  if (const auto* auth = ctx.get(name, type, Scope::authoritative)) {
    for (const auto& a : auth->servers) {
      if (!usable(a)) continue;
      p.observed = p.from_servers = true;
      p.servers_ = auth;
      bool has_type = false;
      for (const auto& r : a.answer) {
        if (!(r.owner == name)) continue;
        add_unique(p.at_name, r);
        if (r.type != type) continue;
        has_type = true;
        add_unique(p.records, r);
      }
      if (!has_type) {
        negative_seen = true;
        all_negative_nx = all_negative_nx && a.rcode == wire::Rcode::NXDomain;
      }
    }
  }
  if (!p.from_servers) {
    if (const auto* it = ctx.get(name, type, Scope::iterative); it && it->iterative && it->iterative->complete) {
      const auto& r = *it->iterative;
      p.observed = true;
      p.iterative_ = &r;
      for (const auto& rec : r.answer) {
        if (!(rec.owner == name)) continue;
        p.at_name.push_back(&rec);
        if (rec.type == type) p.records.push_back(&rec);
      }
      if (p.records.empty()) {
        negative_seen = true;
        all_negative_nx = r.rcode == wire::Rcode::NXDomain;
      }
    }
  }
  p.nxdomain = negative_seen && all_negative_nx && p.records.empty();
  return p;
}

std::vector<std::string> Published::evidence() const {
  std::vector<std::string> out;
  if (servers_) {
    for (const auto& a : servers_->servers)
      if (usable(a)) out.push_back(describe(a, name_, type_));
  } else if (iterative_) {
    out.push_back(describe(*iterative_));
  }
  return out;
}

std::string seconds_text(std::uint32_t s) {
  if (s % 86400 == 0 && s >= 86400) return plural(s / 86400, "day", "days");
  if (s % 3600 == 0 && s >= 3600) return plural(s / 3600, "hour", "hours");
  if (s % 60 == 0 && s >= 60) return plural(s / 60, "minute", "minutes");
  return plural(s, "second", "seconds");
}

namespace {

// ---- Delegation, read as data ---------------------------------------------------------------------------

// What one server address of the zone is, for the delegation findings: the first that applies.
enum class ServerRole : std::uint8_t {
  private_address,  // refused by policy, never queried
  host_limit,       // this host cannot send there (no IPv6, no route): not the domain's fault, judged on the rest
  silent,           // public, did not answer
  lame,             // answered, but not authoritatively (or with an error rcode)
  authoritative,    // answered authoritatively
};

ServerRole role_of(const ServerStatus& s) {
  if (s.private_address) return ServerRole::private_address;
  if (s.unreachable_from_host) return ServerRole::host_limit;
  if (!s.responded) return ServerRole::silent;
  if (!s.aa || (s.rcode != wire::Rcode::NoError && s.rcode != wire::Rcode::NXDomain)) return ServerRole::lame;
  return ServerRole::authoritative;
}

// A server whose SOA serial counts (it answered authoritatively with one).
bool has_serial(const ServerStatus& s) { return s.serial && s.responded && s.aa; }

struct DelegationState {
  std::size_t private_count = 0, host_limited = 0;
  std::size_t public_count = 0;  // neither private nor out of this host's reach
  std::size_t silent = 0;        // public servers that did not answer, and NS names without an address
  std::size_t responded = 0, lame = 0;
  std::set<std::string> parent_ns, zone_ns;  // lowercased; both empty unless both sides are known
  bool ns_sets_differ = false, ns_sets_overlap = false;
  std::set<std::uint32_t> serials;

  bool problem() const {
    return private_count > 0 || silent > 0 || lame > 0 || ns_sets_differ || serials.size() > 1;
  }
};

DelegationState read_delegation(const Delegation& d) {
  DelegationState st;
  for (const auto& s : d.servers) {
    const ServerRole role = role_of(s);
    st.private_count += role == ServerRole::private_address;
    st.host_limited += role == ServerRole::host_limit;
    st.public_count += role != ServerRole::private_address && role != ServerRole::host_limit;
    st.silent += role == ServerRole::silent;
    st.responded += role == ServerRole::lame || role == ServerRole::authoritative;
    st.lame += role == ServerRole::lame;
    if (has_serial(s)) st.serials.insert(*s.serial);
  }
  st.silent += d.nameservers_without_address.size();
  // Parent and child NS sets (RFC 1034 §4.2.2: they should agree).
  if (!d.parent_ns.empty() && !d.zone_ns.empty()) {
    for (const auto& n : d.parent_ns) st.parent_ns.insert(lower(name_text(n)));
    for (const auto& n : d.zone_ns) st.zone_ns.insert(lower(name_text(n)));
    st.ns_sets_differ = st.parent_ns != st.zone_ns;
    for (const auto& n : st.parent_ns) st.ns_sets_overlap = st.ns_sets_overlap || st.zone_ns.count(n);
  }
  return st;
}

// ---- Delegation, worded -----------------------------------------------------------------------------------

std::vector<std::string> servers_in_role(const Delegation& d, ServerRole role) {
  std::vector<std::string> out;
  for (const auto& s : d.servers)
    if (role_of(s) == role) out.push_back(server_label(s.ns_name, s.address));
  return out;
}

std::vector<std::string> serial_evidence(const Delegation& d) {
  std::vector<std::string> out;
  for (const auto& s : d.servers)
    if (has_serial(s)) out.push_back(server_label(s.ns_name, s.address) + ": serial " + std::to_string(*s.serial));
  return out;
}

void word_not_delegated(Ctx& ctx, const Delegation& d, const std::string& domain) {
  auto& f = ctx.add(Code::DOMAIN_NOT_DELEGATED, domain,
                    domain + " does not exist in public DNS: " +
                        (d.zone.is_root() ? std::string("the root zone") : "the " + name_text(d.zone) + " zone") +
                        " answers NXDOMAIN for it, so SES cannot see any record of it (a private or unregistered "
                        "domain, or one its registry does not delegate).");
  for (const auto& s : d.servers)
    if (s.responded) f.evidence.push_back(server_label(s.ns_name, s.address) + ": NXDOMAIN");
  if (f.evidence.empty()) f.evidence.push_back("zone " + name_text(d.zone) + ": NXDOMAIN for " + domain);
}

// Servers that cannot be asked or do not serve the zone: private addresses, silence, lameness.
void word_unusable_servers(Ctx& ctx, const Delegation& d, const std::string& zone, const DelegationState& st) {
  if (st.private_count > 0) {
    auto& f = ctx.add(Code::NS_PRIVATE_ADDRESS, zone,
                      zone + " is delegated to " + plural(st.private_count, "server address", "server addresses") +
                          " in private or unroutable ranges; SES (on the internet) can never reach them.");
    if (st.public_count > 0) f.severity = Severity::warning;
    for (auto& p : servers_in_role(d, ServerRole::private_address)) f.evidence.push_back(p + ": private address");
  }
  if (st.silent > 0) {
    auto& f = ctx.add(Code::NS_UNREACHABLE, zone,
                      std::to_string(st.silent) + " of " +
                          std::to_string(st.public_count + d.nameservers_without_address.size()) + " name server" +
                          (st.public_count == 1 ? "" : "s") + " of " + zone +
                          " did not answer; SES gets DNS_SERVER_ERROR whenever it happens to ask " +
                          (st.silent == 1 ? "it." : "them."));
    for (const auto& s : d.servers)
      if (role_of(s) == ServerRole::silent)
        f.evidence.push_back(server_label(s.ns_name, s.address) + ": " + (s.error.empty() ? "no reply" : s.error));
    for (const auto& n : d.nameservers_without_address) f.evidence.push_back(n + ": the name has no A or AAAA record");
    if (st.responded == 0) {
      f.severity = Severity::error;
      if (st.public_count > 0) ctx.incomplete.push_back("every name server of " + zone + " (no server answered)");
    }
  }
  if (st.lame > 0) {
    auto& f = ctx.add(Code::NS_LAME, zone,
                      std::to_string(st.lame) + " of " + std::to_string(st.responded) +
                          " responding name servers do not serve " + zone + " authoritatively (lame delegation).");
    for (const auto& s : d.servers)
      if (role_of(s) == ServerRole::lame)
        f.evidence.push_back(server_label(s.ns_name, s.address) + ": " + wire::to_string(s.rcode) +
                             (s.aa ? "" : ", not authoritative") + " for " + zone + " SOA");
    if (st.lame == st.responded) f.severity = Severity::error;
  }
}

// Servers that answer, but disagree or fail over TCP.
void word_disagreement(Ctx& ctx, const Delegation& d, const std::string& zone, const DelegationState& st) {
  if (st.ns_sets_differ) {
    auto& f = ctx.add(Code::NS_SET_MISMATCH, zone,
                      st.ns_sets_overlap ? "The registrar (" + name_text(d.parent) + ") and the zone " + zone +
                                               " list different name servers; resolvers may use either set."
                                         : "The registrar (" + name_text(d.parent) + ") delegates " + zone +
                                               " to servers that are not the zone's own name servers: records edited "
                                               "at the zone's servers are not what the world sees.");
    if (!st.ns_sets_overlap) f.severity = Severity::error;
    f.evidence.push_back("parent " + name_text(d.parent) + " NS: " +
                         join(std::vector<std::string>(st.parent_ns.begin(), st.parent_ns.end())));
    f.evidence.push_back("zone " + zone + " NS: " + join(std::vector<std::string>(st.zone_ns.begin(), st.zone_ns.end())));
  }
  if (st.serials.size() > 1) {
    auto& f = ctx.add(Code::SOA_SERIAL_MISMATCH, zone,
                      "The name servers of " + zone + " serve " + std::to_string(st.serials.size()) +
                          " different versions of the zone (SOA serials differ): at least one is stale.");
    f.evidence = serial_evidence(d);
  }
}

void word_delegation_ok(Ctx& ctx, const Delegation& d, const std::string& zone, const DelegationState& st) {
  auto& f = ctx.add(Code::DELEGATION_OK, zone,
                    zone + " is delegated to " + plural(d.parent_ns.empty() ? d.zone_ns.size() : d.parent_ns.size(),
                                                        "name server", "name servers") +
                        " that all answer authoritatively" +
                        (st.serials.size() == 1 ? " with the same SOA serial (" + std::to_string(*st.serials.begin()) + ")."
                                                : "."));
  f.evidence = serial_evidence(d);
}

}  // namespace

// Returns false when the records cannot be judged at all (no public server of the zone answered): one root
// cause, one finding.
bool judge_delegation(Ctx& ctx) {
  const Delegation& d = ctx.obs.delegation;
  const std::string domain = name_text(ctx.identity.domain);
  if (d.not_delegated) {
    word_not_delegated(ctx, d, domain);
    return false;
  }
  if (!d.complete) {
    ctx.incomplete.push_back("delegation of " + domain + (d.error.empty() ? "" : " (" + d.error + ")"));
    return true;
  }
  const std::string zone = name_text(d.zone);
  const DelegationState st = read_delegation(d);
  word_unusable_servers(ctx, d, zone, st);
  word_disagreement(ctx, d, zone, st);
  if (st.public_count == 0 && st.host_limited > 0) {
    ctx.incomplete.push_back("no name server of " + zone + " can be reached from this host (" +
                             join(servers_in_role(d, ServerRole::host_limit)) +
                             "): this host has no route to their addresses");
    return false;
  }
  if (!st.problem() && st.responded > 0) word_delegation_ok(ctx, d, zone, st);
  return st.responded > 0 || (st.public_count == 0 && st.private_count == 0);
}

namespace {

// The records of `a`'s answer owned by `name`, ordered by type and RDATA octets.
void owned_sorted(const ServerAnswer& a, const wire::Name& name, std::vector<const wire::Record*>& out) {
  out.clear();
  for (const auto& r : a.answer)
    if (r.owner == name) out.push_back(&r);
  std::sort(out.begin(), out.end(), [](const wire::Record* x, const wire::Record* y) {
    if (x->type != y->type) return x->type < y->type;
    return x->rdata.bytes() < y->rdata.bytes();
  });
}

// True when every usable server returned the same records (type and RDATA, any order) owned by `name`.
// Their texts are then equal too, so the common case needs no strings; false leaves the decision to
// report_inconsistent, which compares the texts.
bool servers_agree(const LookupResult& l) {
  std::vector<const wire::Record*> first, other;
  bool seen = false;
  for (const auto& a : l.servers) {
    if (!usable(a)) continue;
    owned_sorted(a, l.lookup.name, seen ? other : first);
    if (!seen) {
      seen = true;
      continue;
    }
    const auto same = [](const wire::Record* x, const wire::Record* y) {
      return x->type == y->type && x->rdata == y->rdata;
    };
    if (!std::equal(first.begin(), first.end(), other.begin(), other.end(), same)) return false;
  }
  return true;
}

// RECORD_INCONSISTENT when the servers' views of the name differ: every record each returned owned by the
// name (as text, sorted), or "absent".
void report_inconsistent(Ctx& ctx, const LookupResult& l) {
  std::vector<std::pair<std::string, std::string>> views;  // server, signature
  std::vector<std::string> present, absent, ev;
  for (const auto& a : l.servers) {
    if (!usable(a)) continue;
    auto owned = owned_by(a.answer, l.lookup.name);
    std::vector<std::string> parts;
    for (const auto& r : owned) parts.push_back(record_text(r));
    std::sort(parts.begin(), parts.end());
    const std::string sig = parts.empty() ? "absent" : join(parts, "|");
    views.emplace_back(server_label(a.ns_name, a.address), sig);
    (parts.empty() ? absent : present).push_back(server_label(a.ns_name, a.address));
    ev.push_back(describe(a, l.lookup.name, l.lookup.type));
  }
  std::set<std::string> sigs;
  for (const auto& v : views) sigs.insert(v.second);
  if (sigs.size() <= 1) return;
  ctx.inconsistent.push_back(l.lookup.name);
  std::vector<std::string> lacking;
  for (const auto& a : l.servers)
    if (usable(a) && owned_by(a.answer, l.lookup.name).empty()) lacking.push_back(name_text(a.ns_name));
  std::sort(lacking.begin(), lacking.end());
  lacking.erase(std::unique(lacking.begin(), lacking.end()), lacking.end());
  ctx.lacking.push_back(std::move(lacking));
  const std::string name = name_text(l.lookup.name);
  std::string msg;
  if (!present.empty() && !absent.empty())
    msg = name + " is missing on " + join(absent) + " but served by " + join(present) +
          "; SES sees it only when it happens to ask a server that has it.";
  else
    msg = "The authoritative servers give different answers for " + name + "; SES may see any of them.";
  auto& f = ctx.add(Code::RECORD_INCONSISTENT, l.lookup.name, msg);
  f.evidence = ev;
}

}  // namespace

void judge_consistency(Ctx& ctx) {
  for (const auto& l : ctx.obs.lookups) {
    if (l.lookup.scope != Scope::authoritative || ctx.is_inconsistent(l.lookup.name)) continue;
    if (!servers_agree(l)) report_inconsistent(ctx, l);
  }
}

void judge_tcp(Ctx& ctx) {
  std::vector<std::string> needed, failed;
  for (const auto& l : ctx.obs.lookups) {
    for (const auto& a : l.servers) {
      if (!a.truncated_udp) continue;
      const std::string line = server_label(a.ns_name, a.address) + ": " + name_text(l.lookup.name) + " " +
                               wire::to_string(l.lookup.type);
      if (a.responded && a.transport == Transport::tcp) needed.push_back(line + " truncated over UDP, answered over TCP");
      else failed.push_back(line + " truncated over UDP, TCP failed" + (a.error.empty() ? "" : ": " + a.error));
    }
  }
  if (!failed.empty()) {
    const std::string msg =
        "Some answers are too large for UDP and the server did not answer the same question over TCP; "
        "SES cannot read these records from that server.";
    Finding& f = ctx.add(Code::TCP_FAILED, "", msg);
    f.severity = Severity::error;
    f.evidence = failed;
  }
  if (!needed.empty()) {
    auto& f = ctx.add(Code::TCP_REQUIRED, "",
                      "Some answers are larger than a UDP reply allows and are only available over TCP; "
                      "this works as long as TCP port 53 stays open.");
    f.evidence = needed;
  }
}

void judge_negative_ttl(Ctx& ctx) {
  if (ctx.missing.empty()) return;
  const Delegation& d = ctx.obs.delegation;
  std::optional<std::uint32_t> ttl;
  std::string source;
  if (d.soa_ttl && d.soa_minimum) {
    ttl = std::min(*d.soa_ttl, *d.soa_minimum);
    source = "SOA of " + name_text(d.zone) + ": TTL " + std::to_string(*d.soa_ttl) + ", MINIMUM " +
             std::to_string(*d.soa_minimum);
  } else {
    // Fall back to the SOA in a negative answer's authority section.
    for (const auto& l : ctx.obs.lookups) {
      for (const auto& a : l.servers) {
        for (const auto& r : a.authority) {
          if (r.type != wire::RRType::SOA) continue;
          auto soa = r.rdata.as_soa();
          if (!soa) continue;
          ttl = std::min(r.ttl, soa->minimum);
          source = "SOA of " + name_text(r.owner) + " in a negative answer: TTL " + std::to_string(r.ttl) +
                   ", MINIMUM " + std::to_string(soa->minimum);
          break;
        }
        if (ttl) break;
      }
      if (ttl) break;
    }
  }
  if (!ttl) return;
  auto& f = ctx.add(Code::NEGATIVE_CACHE_TTL, d.zone.is_root() ? "" : name_text(d.zone),
                    "Resolvers that asked before the record existed cache \"does not exist\" for up to " +
                        seconds_text(*ttl) + " (min of SOA TTL and MINIMUM, RFC 2308 §5); a fix becomes visible "
                        "to them only after that.");
  f.evidence.push_back(source);
  f.evidence.push_back("missing: " + join(ctx.missing));
}

}  // namespace detail

namespace detail {

// The verdict line's reason: counts for DKIM records ("1 of 3 DKIM records is missing on ns2.example.net"),
// else the most severe finding's message.
std::string headline_reason(const Ctx& ctx, const std::vector<Finding>& sorted) {
  std::vector<wire::Name> dkim;
  for (const auto& e : ctx.expected)
    if (e.purpose == Purpose::easy_dkim) dkim.push_back(e.name);
  const Finding& first = sorted.front();
  if (!dkim.empty() && (first.code == Code::RECORD_INCONSISTENT || first.code == Code::DKIM_RECORD_MISSING)) {
    std::size_t missing = 0;
    std::vector<std::string> where;
    for (const auto& f : sorted) {
      if (f.code != first.code) continue;
      auto it = std::find_if(dkim.begin(), dkim.end(), [&](const wire::Name& n) { return name_text(n) == f.subject; });
      if (it == dkim.end()) continue;
      ++missing;
      if (f.code == Code::RECORD_INCONSISTENT) {
        for (std::size_t i = 0; i < ctx.inconsistent.size(); ++i) {
          if (!(ctx.inconsistent[i] == *it)) continue;
          for (const auto& s : ctx.lacking[i])
            if (std::find(where.begin(), where.end(), s) == where.end()) where.push_back(s);
        }
      }
    }
    if (missing > 0) {
      std::string out = std::to_string(missing) + " of " + std::to_string(dkim.size()) + " DKIM records " +
                        (missing == 1 ? "is" : "are") + " missing";
      if (!where.empty()) out += " on " + join(where);
      return out + (first.code == Code::RECORD_INCONSISTENT ? " (the other servers have them)." : ".");
    }
  }
  // Several DKIM records broken the same way: one sentence for all of them.
  static constexpr std::pair<Code, std::string_view> kSame[] = {
      {Code::DKIM_WRONG_TARGET, "point to the wrong target"},
      {Code::DKIM_UNDERSCORE_STRIPPED, "are published without the underscore of _domainkey"},
      {Code::DKIM_DOMAIN_APPENDED, "are published with the domain appended a second time"},
      {Code::DKIM_DOMAINKEY_REMOVED, "are published without _domainkey"},
      {Code::DKIM_WRONG_TYPE, "are not CNAME records"},
      {Code::DKIM_TARGET_UNRESOLVABLE, "point to targets that publish no DKIM key"},
      {Code::DKIM_CNAME_CHAIN, "reach SES's target only through a chain of CNAMEs"},
  };
  for (const auto& [code, phrase] : kSame) {
    if (first.code != code || dkim.empty()) continue;
    std::size_t same = 0;
    for (const auto& f : sorted) same += f.code == code;
    if (same > 1) return std::to_string(same) + " of " + std::to_string(dkim.size()) + " DKIM records " + std::string(phrase) + ".";
  }
  return first.message;
}

}  // namespace detail

std::vector<Variant> variant_names(const wire::Name& expected_name, const wire::Name& domain) {
  std::vector<Variant> out;
  if (!expected_name.is_subdomain_of(domain) || expected_name.label_count() <= domain.label_count()) return out;
  const std::size_t rel = expected_name.label_count() - domain.label_count();
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < rel; ++i) labels.emplace_back(expected_name.label(i));
  auto build = [&](const std::vector<std::string>& ls) -> std::optional<wire::Name> {
    wire::Name n = domain;
    for (auto it = ls.rbegin(); it != ls.rend(); ++it) {
      if (it->empty() || it->size() > wire::kMaxLabelLength) return std::nullopt;
      auto next = n.prepend(*it);
      if (!next) return std::nullopt;
      n = *next;
    }
    return n;
  };
  auto push = [&](VariantKind kind, const std::vector<std::string>& ls) {
    if (auto n = build(ls)) {
      for (const auto& v : out)
        if (v.name == *n) return;
      out.push_back(Variant{kind, *n});
    }
  };
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].size() < 2 || labels[i][0] != '_') continue;
    const std::string bare = labels[i].substr(1);
    if (i > 0) {
      for (const char* glue : {"", "-"}) {
        auto ls = labels;
        ls[i - 1] = labels[i - 1] + glue + bare;
        ls.erase(ls.begin() + static_cast<std::ptrdiff_t>(i));
        push(VariantKind::underscore_stripped, ls);
      }
    }
    auto ls = labels;
    ls[i] = bare;
    push(VariantKind::underscore_stripped, ls);
  }
  if (auto appended = expected_name.append(domain)) out.push_back(Variant{VariantKind::domain_appended, *appended});
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (detail::lower(labels[i]) != "_domainkey") continue;
    auto ls = labels;
    ls.erase(ls.begin() + static_cast<std::ptrdiff_t>(i));
    push(VariantKind::domainkey_removed, ls);
  }
  return out;
}

namespace detail {

bool judge_variants(Ctx& ctx, const ExpectedRecord& e, wire::RRType type, const Code (&codes)[3],
                    std::string_view what) {
  for (const auto& v : variant_names(e.name, ctx.identity.domain)) {
    const auto* r = ctx.want(Lookup{v.name, type, Scope::iterative});
    if (!r || !r->iterative || !r->iterative->complete) continue;
    auto recs = records_at(r->iterative->answer, v.name, type);
    if (recs.empty()) continue;
    const Code code = codes[static_cast<int>(v.kind)];
    std::string msg;
    switch (v.kind) {
      case VariantKind::underscore_stripped:
        msg = std::string(what) + " is published at " + name_text(v.name) + " instead of " + name_text(e.name) +
              ": the DNS provider removed the underscore, so SES finds nothing at the real name.";
        break;
      case VariantKind::domain_appended:
        msg = std::string(what) + " is published at " + name_text(v.name) + " instead of " + name_text(e.name) +
              ": the DNS provider appended the domain to the name you entered.";
        break;
      case VariantKind::domainkey_removed:
        msg = std::string(what) + " is published at " + name_text(v.name) + " (without _domainkey) instead of " +
              name_text(e.name) + "; SES allows that only as the workaround for verifying the same domain a "
              "second time, and receivers never look there.";
        break;
    }
    auto& f = ctx.add(code, e.name, msg);
    f.evidence.push_back(describe(*r->iterative));
    f.evidence.push_back("expected at " + name_text(e.name) + " " + wire::to_string(e.type) +
                         (e.value.empty() ? "" : " " + e.value));
    return true;
  }
  return false;
}

}  // namespace detail

Judgement judge(const Identity& identity, const std::vector<ExpectedRecord>& expected,
                const Observations& observations) {
  detail::Ctx ctx{identity, expected, observations, {}, {}, {}, {}, {}, {}};
  if (detail::judge_delegation(ctx)) {
    detail::judge_consistency(ctx);
    detail::judge_tcp(ctx);
    const ExpectedRecord* spf = nullptr;
    for (const auto& e : expected)
      if (e.purpose == Purpose::mail_from_spf) spf = &e;
    for (const auto& e : expected) {
      switch (e.purpose) {
        case Purpose::easy_dkim: detail::judge_easy_dkim(ctx, e); break;
        case Purpose::byodkim: detail::judge_byodkim(ctx, e); break;
        case Purpose::verification_token: detail::judge_verification_token(ctx, e); break;
        case Purpose::mail_from_mx: detail::judge_mail_from(ctx, e, spf); break;
        case Purpose::mail_from_spf: break;  // judged with the MX
        case Purpose::dmarc: detail::judge_dmarc(ctx, e); break;
        case Purpose::email_mx: detail::judge_email(ctx, e); break;
        case Purpose::domain_mx: detail::judge_domain_mx(ctx, e); break;
        case Purpose::token_present: detail::judge_token_present(ctx, e); break;
      }
    }
    detail::judge_negative_ttl(ctx);
    detail::judge_dnssec(ctx);
  }
  if (!ctx.incomplete.empty()) {
    auto& f = ctx.add(Code::LOOKUP_INCOMPLETE, detail::name_text(identity.domain),
                      "Some records could not be observed, so the diagnosis is incomplete.");
    f.evidence = ctx.incomplete;
  }
  detail::judge_input(ctx);
  detail::judge_ses_status(ctx);
  detail::attach_records(ctx);
  if (!identity.ses_verification_status.empty() || !identity.ses_dkim_status.empty()) {
    std::vector<std::string> parts;
    if (!identity.ses_identity_type.empty()) parts.push_back("IdentityType " + identity.ses_identity_type);
    if (!identity.ses_verification_status.empty()) parts.push_back("VerificationStatus " + identity.ses_verification_status);
    if (!identity.ses_dkim_status.empty()) parts.push_back("DKIM Status " + identity.ses_dkim_status);
    if (!identity.ses_signing_origin.empty()) parts.push_back("SigningAttributesOrigin " + identity.ses_signing_origin);
    if (!identity.ses_error_type.empty()) parts.push_back("ErrorType " + identity.ses_error_type);
    if (!identity.ses_mail_from_status.empty()) parts.push_back("MailFromDomainStatus " + identity.ses_mail_from_status);
    auto& f = ctx.add(Code::SES_IDENTITY_STATUS, detail::name_text(identity.domain),
                      "SES reports " + detail::join(parts) + ".");
    f.fix.clear();
  }
  Judgement j;
  j.findings = std::move(ctx.findings);
  sort_by_severity(j.findings);
  j.follow_ups = std::move(ctx.follow_ups);
  j.verdict = verdict_of(j.findings);
  j.headline = detail::compose_headline(ctx, j.findings, j.verdict);
  return j;
}

}  // namespace dkimdoctor::diagnose
