#include "diagnose/record_grid.hpp"

#include <algorithm>

#include "wire/ascii.hpp"

namespace dkimdoctor::diagnose {
namespace {

std::string bare(const wire::Name& n) {
  std::string s = n.to_string();
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

std::string lower(std::string_view s) { return wire::ascii::lowered(s); }

// Host names compare case-insensitively and without the final dot; TXT values compare exactly
// (VALUE_CASE_CHANGED is a finding of its own, so a changed case is "different" here).
bool same_value(const wire::Record& r, const std::string& expected) {
  if (expected.empty()) return true;
  if (r.type == wire::RRType::TXT) {
    auto strings = r.rdata.txt_strings();
    if (!strings.ok()) return false;
    std::string joined;
    for (const auto& s : *strings) joined += s;
    return joined == expected;
  }
  std::string got = r.rdata.to_string();
  std::string want = expected;
  if (got.size() > 1 && got.back() == '.') got.pop_back();
  if (want.size() > 1 && want.back() == '.') want.pop_back();
  return lower(got) == lower(want);
}

std::string answer_detail(const ServerAnswer& a) {
  std::string s = wire::to_string(a.rcode);
  if (!a.aa) s += " (not authoritative)";
  for (const auto& r : a.answer) s += "; " + wire::to_string(r.type) + " " + r.rdata.to_string();
  return s;
}

GridCell cell_of(const ServerAnswer& a, const Lookup& l, const std::string& value) {
  GridCell c;
  if (!a.queried) {
    c.state = CellState::refused_by_policy;
    c.detail = a.error.empty() ? "not queried: address refused by policy" : a.error;
    return c;
  }
  if (a.unreachable_from_host) {
    c.state = CellState::unreachable_from_host;
    c.detail = "not checked from this host" + (a.error.empty() ? std::string() : ": " + a.error);
    return c;
  }
  if (!a.responded) {
    c.state = CellState::no_answer;
    c.detail = a.error.empty() ? "timeout" : a.error;
    return c;
  }
  c.detail = answer_detail(a);
  if ((a.rcode != wire::Rcode::NoError && a.rcode != wire::Rcode::NXDomain) || !a.aa) {
    c.state = CellState::no_answer;
    return c;
  }
  bool any = false, right = false;
  for (const auto& r : a.answer) {
    if (r.type != l.type || !(r.owner == l.name)) continue;
    any = true;
    if (same_value(r, value)) right = true;
  }
  c.state = right ? CellState::present : any ? CellState::different : CellState::missing;
  return c;
}

}  // namespace

std::string_view to_string(CellState state) noexcept {
  switch (state) {
    case CellState::present: return "present";
    case CellState::missing: return "missing";
    case CellState::different: return "different";
    case CellState::no_answer: return "no_answer";
    case CellState::refused_by_policy: return "refused_by_policy";
    case CellState::unreachable_from_host: return "unreachable_from_host";
    case CellState::not_asked: return "not_asked";
  }
  return "not_asked";
}

RecordGrid record_grid(const std::vector<ExpectedRecord>& expected, const Observations& obs) {
  RecordGrid g;
  auto server_index = [&g](const std::string& ns, const std::string& address) {
    for (std::size_t i = 0; i < g.servers.size(); ++i)
      if (g.servers[i].ns_name == ns && g.servers[i].address == address) return i;
    g.servers.push_back(GridServer{ns, address});
    return g.servers.size() - 1;
  };
  for (const auto& s : obs.delegation.servers) server_index(lower(bare(s.ns_name)), s.address);

  std::vector<const LookupResult*> lookups;
  for (const auto& e : expected) {
    const auto* l = obs.find(e.name, e.type, Scope::authoritative);
    if (l == nullptr) continue;
    if (std::find(lookups.begin(), lookups.end(), l) != lookups.end()) continue;  // one column per question
    lookups.push_back(l);
    // Host names without the final dot, as RecordToPublish shows them; TXT values as they are.
    std::string value = e.value;
    if (e.type != wire::RRType::TXT && value.size() > 1 && value.back() == '.') value.pop_back();
    g.records.push_back(GridRecord{bare(e.name), wire::to_string(e.type), std::move(value)});
    for (const auto& a : l->servers) server_index(lower(bare(a.ns_name)), a.address);
  }
  for (std::size_t r = 0; r < g.records.size(); ++r) {
    for (std::size_t s = 0; s < g.servers.size(); ++s) {
      GridCell c;
      c.detail = "not asked";
      for (const auto& a : lookups[r]->servers) {
        if (lower(bare(a.ns_name)) != g.servers[s].ns_name || a.address != g.servers[s].address) continue;
        c = cell_of(a, lookups[r]->lookup, g.records[r].value);
        break;
      }
      // The zone's SOA probe may know more than the lookup did (a private address is never asked at all).
      if (c.state == CellState::not_asked) {
        for (const auto& d : obs.delegation.servers) {
          if (lower(bare(d.ns_name)) != g.servers[s].ns_name || d.address != g.servers[s].address) continue;
          if (d.private_address) c = GridCell{0, 0, CellState::refused_by_policy, "not queried: private address"};
          else if (d.unreachable_from_host)
            c = GridCell{0, 0, CellState::unreachable_from_host, "not checked from this host"};
        }
      }
      c.record = r;
      c.server = s;
      g.cells.push_back(std::move(c));
    }
  }
  return g;
}

}  // namespace dkimdoctor::diagnose
