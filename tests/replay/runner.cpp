// replay_runner: Unbound's iterator scenarios (iter_*.rpl), or with --prefix val_ its validator
// scenarios (val_*.rpl, with the scenario's trust anchors and val-override-date), replayed against our
// resolver.
//
//   replay_runner --suite DIR --expected FILE [--prefix iter_|val_] [--dnssec] [--only NAME] [--jobs N] [--verbose]
//                 [--resolver dkimdoctor|unbound] [--cache warm|cold] [--unbound PATH]
//
// --cache warm (the default): one resolver for the scenario, each step on the earlier steps' cache;
// cold: a fresh resolver (cache and server statistics) for every QUERY. --resolver unbound replays the
// same scenarios against Debian's Unbound (/usr/sbin/unbound) in the same namespaces instead of ours:
// see run_scenario and README.md. Only dkimdoctor warm is checked against FILE (the ctest); the other
// modes print their table and tally.
//
// Each applicable scenario runs in a child process inside its own network namespace
// (unshare(CLONE_NEWNET), so root is needed): the child brings `lo` up, puts the scenario's server
// addresses on it, serves them with the replay server (tests/replay/replay_server.hpp) and drives one
// Resolver through the steps: QUERY resolves (the cache persists across steps), CHECK_ANSWER compares,
// TIME_PASSES moves the resolver's clock (Options::clock). In a scenario that scripts single queries
// (CHECK_OUT_QUERY, REPLY, TIMEOUT, TRAFFIC) the resolution runs while those steps check and answer its
// queries. Nothing can leave the namespace.
//
// It prints one row per scenario (pass / fail / n/a / documented, with the reason) and the line
// "replay: N passed, M failed, K not applicable". It fails (exit 1) when a scenario that FILE records as
// "pass" does not pass, so the suite only moves forward; a new pass is reported for FILE to record.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <net/if.h>

#include "dnssec/crypto.hpp"
#include "dnssec/status.hpp"
#include "resolver/limits.hpp"
#include "resolver/resolver.hpp"
#include "resolver/transport.hpp"
#include "tests/replay/replay_server.hpp"
#include "tests/replay/scenario.hpp"
#include "tests/replay/unbound_process.hpp"
#include "tests/support/fault_server.hpp"
#include "wire/zonefile.hpp"

namespace dkimdoctor::replay {
namespace {

using namespace std::chrono_literals;

struct Options {
  std::string suite;
  std::string expected;
  std::string only;
  int jobs = 6;
  bool verbose = false;
  bool unbound = false;  // --resolver unbound
  bool cold = false;     // --cache cold
  std::string unbound_path = "/usr/sbin/unbound";
  std::string prefix = "iter_";  // --prefix val_: Unbound's validator scenarios (val_*.rpl)
  bool dnssec = false;            // --dnssec: the val_ rules (anchors, AD, RRSIGs) for iter_ scenarios too
  bool val() const { return prefix == "val_" || dnssec; }
};

struct Outcome {
  std::string status;  // pass, fail, n/a, documented, clock
  std::string detail;
};

// Unbound's clock cannot be moved: a warm Unbound run sleeps through TIME_PASSES when the scenario's
// ELAPSE values add up to at most this; a scenario with more is not replayed warm ("clock").
constexpr long kMaxUnboundSleepSeconds = 30;

// Steps that script single outgoing queries (Unbound's harness answers them one by one).
bool scripted_step(const std::string& kind) {
  return kind == "CHECK_OUT_QUERY" || kind == "REPLY" || kind == "TIMEOUT" || kind == "TRAFFIC" || kind == "NOTHING";
}

// `val-override-date: -1` turns Unbound's signature-window check off. The same outcome for us: a validation
// time inside every RRSIG window of the scenario (the latest inception), when they have one in common.
std::optional<std::uint32_t> common_signature_time(const Scenario& s) {
  std::uint32_t from = 0, until = UINT32_MAX;
  auto scan = [&](const Entry& e) {
    for (const auto* section : {&e.answer, &e.authority, &e.additional}) {
      for (const auto& r : *section) {
        if (auto sig = r.rdata.as_rrsig()) {
          from = std::max(from, sig->inception);
          until = std::min(until, sig->expiration);
        }
      }
    }
  };
  for (const auto& range : s.ranges)
    for (const auto& e : range.entries) scan(e);
  for (const auto& st : s.steps)
    if (st.entry) scan(*st.entry);
  if (from > until) return std::nullopt;
  return from;
}

// A val_ scenario's trust anchors (every `trust-anchor:` line: a DS or DNSKEY record in zone text) and
// its `val-override-date: "YYYYMMDDHHMMSS"` (UTC) as the validation time. Returns why not, or "".
std::string dnssec_options(const Scenario& s, resolver::Options& o) {
  o.validate = true;
  o.trust_anchors.clear();
  for (const auto& text : config_values(s, "trust-anchor")) {
    auto records = wire::parse_zone_text("$TTL 3600\n" + algorithm_numbers(text), wire::Name());
    if (!records || records->empty()) return "cannot read trust-anchor \"" + text + "\"";
    for (auto& r : *records) {
      if (r.type != wire::RRType::DS && r.type != wire::RRType::DNSKEY) return "trust-anchor not DS or DNSKEY: " + text;
      o.trust_anchors.push_back(std::move(r));
    }
  }
  if (auto date = config_value(s, "val-override-date"); date && *date == "-1") {
    o.validation_time = common_signature_time(s);
  } else if (date) {
    std::tm tm{};
    std::istringstream in(*date);
    in >> std::get_time(&tm, "%Y%m%d%H%M%S");
    if (in.fail() || date->size() != 14) return "cannot read val-override-date \"" + *date + "\"";
    o.validation_time = static_cast<std::uint32_t>(timegm(&tm));
  }
  return {};
}

std::string lower(std::string s);  // below

// The zones whose trust anchors are all of algorithms Unbound validates and we do not: DSA (3),
// DSA-NSEC3-SHA1 (6), ECC-GOST (12) (RFC 8624 §3.1: DSA MUST NOT be validated; dnssec/README.md). Data
// under them is insecure for us where Unbound finds it secure or bogus.
std::vector<wire::Name> unvalidated_anchor_zones(const std::vector<wire::Record>& anchors) {
  std::map<std::string, std::pair<wire::Name, bool>> zones;  // by owner: all of those algorithms
  for (const auto& r : anchors) {
    int a = -1;
    if (auto ds = r.rdata.as_ds()) a = ds->algorithm;
    if (auto key = r.rdata.as_dnskey()) a = key->algorithm;
    const bool unvalidated = (a == 3 || a == 6 || a == 12) && !dnssec::algorithm_supported(static_cast<std::uint8_t>(a));
    auto [it, fresh] = zones.try_emplace(lower(r.owner.to_string()), r.owner, unvalidated);
    if (!fresh) it->second.second = it->second.second && unvalidated;
  }
  std::vector<wire::Name> out;
  for (const auto& [key, zone] : zones)
    if (zone.second) out.push_back(zone.first);
  return out;
}

// The note a failed check of `name` gets when it lies under such a zone; empty: it does not.
std::string unvalidated_note(const std::vector<wire::Record>& anchors, const wire::Name& name) {
  for (const auto& zone : unvalidated_anchor_zones(anchors)) {
    if (name.is_subdomain_of(zone))
      return "[under the DSA trust anchor of " + zone.to_string() +
             ": Unbound validates DSA, we do not (RFC 8624 §3.1), so it is insecure for us] ";
  }
  return {};
}

// The val_ scenarios' options that do not apply to a validating library; empty: none of them.
std::string not_applicable_val(const Scenario& s) {
  if (config_value(s, "trust-anchor-file") || config_value(s, "auto-trust-anchor-file"))
    return "harness: trust-anchor file (not shipped with the suite)";
  if (auto v = config_value(s, "val-override-date"); v && *v == "-1" && !common_signature_time(s))
    return "val-override-date: -1 (signature validity windows not checked): ours always checks them, and the "
           "scenario's RRSIGs have no instant in common";
  resolver::Options scratch;
  if (auto why = dnssec_options(s, scratch); !why.empty()) return "harness: " + why;
  // A query without RD is answered from Unbound's cache only; a referral is what its cache gives then.
  for (std::size_t i = 0; i + 1 < s.steps.size(); ++i) {
    const auto& q = s.steps[i];
    const auto& a = s.steps[i + 1];
    if (q.kind != "QUERY" || !q.entry || q.entry->header.rd || a.kind != "CHECK_ANSWER" || !a.entry) continue;
    const auto& e = *a.entry;
    const auto has = [&](wire::RRType t) {
      return std::any_of(e.authority.begin(), e.authority.end(), [t](const wire::Record& r) { return r.type == t; });
    };
    if (e.rcode == wire::Rcode::NoError && e.answer.empty() && has(wire::RRType::NS) && !has(wire::RRType::SOA))
      return "a query without RD answered with a referral from Unbound's cache (step " + std::to_string(a.number) +
             "): a server's cache-only lookup, our library always resolves";
  }
  if (auto v = config_value(s, "harden-algo-downgrade"); v && *v == "yes")
    return "harden-algo-downgrade: yes (every signalled algorithm must validate): Unbound's non-default option; "
           "we accept any one valid path, as RFC 6840 §5.11 asks";
  if (auto v = config_value(s, "harden-dnssec-stripped"); v && *v == "no")
    return "harden-dnssec-stripped: no (a zone under an anchor whose DNSKEY cannot be fetched taken as insecure): "
           "Unbound's non-default option, a downgrade; ours is its default (yes)";
  if (auto v = config_value(s, "prefetch-key"); v && *v == "yes")
    return "prefetch-key (refreshing DNSKEYs before they expire): a recursive-server feature";
  if (config_value(s, "domain-insecure"))
    return "domain-insecure (a configured negative trust anchor): a recursive-server policy";
  return {};
}

// Why a scenario does not apply to dkimdoctor: a feature it deliberately lacks, or (prefixed
// "harness:") a construct of Unbound's harness this replay does not reproduce. Empty: it applies.
// `val`: a val_ scenario, where trust anchors and DO queries are what is tested.
std::string not_applicable(const Scenario& s, bool val) {
  for (const auto& st : s.steps) {
    if (st.kind == "QUERY" && st.entry && st.entry->question && st.entry->question->cls != wire::RRClass::IN)
      return "a question of class " + wire::to_string(st.entry->question->cls) +
             " (step " + std::to_string(st.number) + "): the library resolves class IN only";
  }
  if (val) {
    if (auto why = not_applicable_val(s); !why.empty()) return why;
  }
  bool other_stub = false;
  bool in_stub = false;
  for (const auto& line : s.config) {
    if (line == "stub-zone:") in_stub = true;
    else if (line.back() == ':' && line.find(' ') == std::string::npos) in_stub = false;
    if (in_stub && line.rfind("name:", 0) == 0) {
      std::string n = line.substr(5);
      std::erase(n, '"');
      std::erase(n, ' ');
      std::erase(n, '\t');
      if (n != "." && !n.empty()) other_stub = true;
    }
    if (line == "forward-zone:") return "forwarders (forward-zone): dkimdoctor iterates from the root only";
    if (line == "auth-zone:") return "auth-zone (locally served zone data): a recursive-server feature";
  }
  if (other_stub) return "stub zones below the root (stub-zone): dkimdoctor iterates from the root only";
  if (auto v = config_value(s, "prefetch"); v && *v == "yes") return "prefetch: dkimdoctor has no prefetch";
  if (auto v = config_value(s, "serve-expired"); v && *v == "yes") return "serve-expired: we never serve stale data";
  if (auto v = config_value(s, "do-nat64"); v && *v == "yes") return "NAT64 (do-nat64): not a feature of dkimdoctor";
  if (!val && (config_value(s, "trust-anchor") || config_value(s, "auto-trust-anchor-file"))) {
    // With a trust anchor, a query with DO expects signatures and the AD bit, and a bogus answer
    // SERVFAIL: validation. Without DO the iterator's behaviour is what is checked; replay those.
    for (const auto& st : s.steps) {
      if (st.kind == "QUERY" && st.entry && st.entry->do_bit)
        return "DNSSEC validation (trust-anchor, queries with DO): belongs to the DNSSEC issue";
      if (st.kind == "CHECK_ANSWER" && st.entry && st.entry->header.ad)
        return "DNSSEC validation (trust-anchor, AD expected): belongs to the DNSSEC issue";
    }
  }
  if (config_value(s, "private-address"))
    return "private-address (answer filtering for a recursive server's clients): not a feature of dkimdoctor";
  if (auto v = config_value(s, "do-ip4"); v && *v == "no") return "do-ip4: no (IPv6-only transport): not an option of dkimdoctor";
  if (auto v = config_value(s, "harden-glue"); v && *v == "no")
    return "harden-glue: no (out-of-bailiwick glue trusted): our scrubber always drops it";
  if (config_value(s, "iter-scrub-ns"))
    return "iter-scrub-ns (a tunable NS-set size): ours is the fixed kMaxNsPerDelegation";
  if (config_value(s, "root-hints")) return "harness: root-hints file not shipped with the suite";
  for (const auto& st : s.steps) {
    if (st.kind == "INFRA_RTT") return "harness: STEP INFRA_RTT (setting Unbound's server RTT table) not replayed";
    if (!scripted_step(st.kind) && st.kind != "QUERY" && st.kind != "CHECK_ANSWER" && st.kind != "TIME_PASSES")
      return "harness: STEP " + st.kind + " not replayed";
  }
  if (s.root.empty()) return "harness: no stub-zone \".\" address";
  if (!s.unsupported.empty()) return "harness: cannot read " + s.unsupported.front();
  return {};
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A record as compared: owner, class, type and RDATA case-folded (TTL only when asked).
std::string key_of(const wire::Record& r, bool with_ttl) {
  wire::Record c = r;
  if (!with_ttl) c.ttl = 0;
  return lower(c.to_string());
}

std::vector<std::string> keys(const std::vector<wire::Record>& rs, bool with_ttl) {
  std::vector<std::string> out;
  for (const auto& r : rs) {
    if (r.type == wire::RRType::OPT) continue;
    out.push_back(key_of(r, with_ttl));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += " | ";
    out += s;
  }
  return out.empty() ? "(empty)" : out;
}

// The query of a val_ scenario's STEP QUERY: its DO, AD and CD bits decide what a validating server
// answers (RRSIGs and NSEC/NSEC3 only with DO; AD only with DO or AD, RFC 6840 §5.8; CD: bogus data
// served, not SERVFAIL).
struct Asked {
  bool do_bit = false, ad = false, cd = false;
};

// Does a validating server on our library answer SERVFAIL for `got`? Bogus data, and data under a trust
// anchor whose status could not be determined (a DS or DNSKEY that could not be fetched: resolver/README.md,
// "a validating resolver would SERVFAIL either way"); with CD the data is served.
bool is_bogus(const resolver::Resolution& got, const std::optional<Asked>& val) {
  return val && !val->cd && got.validation.checked &&
         (got.validation.status == dnssec::Status::bogus || got.validation.status == dnssec::Status::indeterminate);
}

// Does RRSIG `sig` cover one of `records` (same owner, type covered)?
bool covers(const wire::Record& sig, const std::vector<wire::Record>& records) {
  auto r = sig.rdata.as_rrsig();
  if (!r) return false;
  return std::any_of(records.begin(), records.end(),
                     [&](const wire::Record& x) { return x.type == r->type_covered && x.owner == sig.owner; });
}

bool dnssec_authority(const wire::Record& r) {
  if (r.type == wire::RRType::SOA || r.type == wire::RRType::NSEC || r.type == wire::RRType::NSEC3) return true;
  auto sig = r.rdata.as_rrsig();
  return r.type == wire::RRType::RRSIG && sig &&
         (sig->type_covered == wire::RRType::SOA || sig->type_covered == wire::RRType::NSEC ||
          sig->type_covered == wire::RRType::NSEC3);
}

// A val_ scenario's checks beyond the iterator's, for a query with DO: the AD flag (MATCH all compares
// flags) against our status, and the negative answer's SOA, NSEC/NSEC3 and their RRSIGs against the
// expected authority section when it has any. Empty: they hold.
std::string compare_dnssec(const resolver::Resolution& got, const Entry& want, const Asked& asked, bool ttl) {
  const bool secure = got.validation.checked && got.validation.status == dnssec::Status::secure;
  if ((asked.do_bit || asked.ad) && want.header.ad != secure) {
    std::string why = want.header.ad ? "expected AD (secure), got " : "no AD expected, got secure";
    if (want.header.ad) {
      why += got.validation.checked ? std::string(dnssec::to_string(got.validation.status)) + " (" +
                                          dnssec::to_string(got.validation.reason) + ": " + got.validation.detail + ")"
                                    : "not validated (checked=false)";
    }
    return why;
  }
  if (!asked.do_bit) return {};
  std::vector<wire::Record> want_auth;
  for (const auto& r : want.authority)
    if (dnssec_authority(r)) want_auth.push_back(r);
  if (want_auth.empty()) return {};
  std::vector<wire::Record> got_auth = got.denial;
  if (got.negative_soa) got_auth.push_back(*got.negative_soa);
  for (const auto& sig : got.signatures)
    if (got.negative_soa && covers(sig, {*got.negative_soa})) got_auth.push_back(sig);
  if (keys(got_auth, ttl) != keys(want_auth, ttl))
    return "authority (SOA, NSEC/NSEC3, RRSIGs) " + join(keys(got_auth, ttl)) + "; expected " + join(keys(want_auth, ttl));
  return {};
}

// Compares a resolution with a CHECK_ANSWER entry: the rcode and the answer section's RRsets (MATCH all,
// or rcode / answer), TTLs when MATCH says "ttl", and with "all" the negative answer's SOA when the
// expected authority has one. `val` (a val_ scenario): a bogus or indeterminate status compares as SERVFAIL, a query
// with DO compares the answer's RRSIGs too, and compare_dnssec's checks apply.
// Other flags are not compared: a Resolution is a library result, not a server's reply.
std::string compare(const resolver::Resolution& got, const Entry& want, const std::optional<Asked>& val = std::nullopt) {
  std::ostringstream why;
  // As Unbound's harness: only what MATCH names is checked ("all" is everything; no keyword, nothing).
  const bool all = want.match.contains("all");
  const bool check_rcode = all || want.match.contains("rcode");
  const bool check_answer = all || want.match.contains("answer");
  if (!check_rcode && !check_answer) return {};
  const bool bogus = is_bogus(got, val);
  const wire::Rcode rcode = bogus ? wire::Rcode::ServFail : got.rcode;
  if (check_rcode && rcode != want.rcode) {
    why << "rcode " << wire::to_string(rcode) << ", expected " << wire::to_string(want.rcode);
    if (got.outcome == resolver::Outcome::failed) why << " (" << resolver::to_string(got.failure) << ": " << got.failure_detail << ")";
    if (bogus)
      why << " (" << dnssec::to_string(got.validation.status) << ": " << dnssec::to_string(got.validation.reason) << ": "
          << got.validation.detail << ")";
    else if (val && got.validation.checked)
      why << " (" << dnssec::to_string(got.validation.status) << ": " << dnssec::to_string(got.validation.reason) << ")";
    else if (val) why << " (not validated)";
    return why.str();
  }
  const bool ttl = want.match.contains("ttl");
  // A server answering from a failed resolution sends SERVFAIL with an empty answer; the partial chain a
  // Resolution keeps for the diagnosis is not part of it.
  static const std::vector<wire::Record> kNone;
  const auto& answer = got.outcome == resolver::Outcome::failed || bogus ? kNone : got.answer;
  // With DO a validating server's answer carries the RRSIGs of its RRsets.
  std::vector<wire::Record> shown = answer;
  if (val && val->do_bit)
    for (const auto& sig : got.signatures)
      if (covers(sig, answer)) shown.push_back(sig);
  const auto g = keys(shown, ttl), w = keys(want.answer, ttl);
  if (!check_answer) return {};
  if (g != w) return "answer " + join(g) + "; expected " + join(w);
  std::vector<wire::Record> want_soa;
  for (const auto& r : want.authority)
    if (r.type == wire::RRType::SOA) want_soa.push_back(r);
  if (val && all && !bogus && got.outcome != resolver::Outcome::failed) {
    if (auto d = compare_dnssec(got, want, *val, ttl); !d.empty()) return d;
    // With DO, compare_dnssec compared the negative answer's SOA with its RRSIGs and the denial.
    if (val->do_bit && std::any_of(want.authority.begin(), want.authority.end(), dnssec_authority)) return {};
  }
  if (all && !want_soa.empty() && answer.empty()) {
    std::vector<wire::Record> got_soa;
    if (got.negative_soa) got_soa.push_back(*got.negative_soa);
    if (keys(got_soa, ttl) != keys(want_soa, ttl))
      return "authority SOA " + join(keys(got_soa, ttl)) + "; expected " + join(keys(want_soa, ttl));
  }
  return {};
}

std::string describe_trace(const resolver::Resolution& r) {
  std::ostringstream out;
  for (const auto& t : r.trace) {
    out << "    " << std::string(static_cast<std::size_t>(t.depth) * 2, ' ') << t.zone.to_string() << " @"
        << (t.address ? t.address->to_string() : "-") << " " << t.question.name.to_string() << " "
        << wire::to_string(t.question.type) << ": " << resolver::to_string(t.error) << " "
        << (t.rcode ? wire::to_string(*t.rcode) : "") << " " << t.note << "\n";
  }
  return out.str();
}

// Puts `lo` up with the scenario's addresses (this process is alone in its namespace).
bool setup_namespace(const std::vector<asio::ip::address>& addresses, bool ipv6) {
  FILE* ip = popen("ip -batch -", "w");
  if (ip == nullptr) return false;
  std::fprintf(ip, "link set lo up\n");
  for (const auto& a : addresses) {
    if (a.is_v4()) std::fprintf(ip, "addr add %s/32 dev lo\n", a.to_string().c_str());
    else if (ipv6) std::fprintf(ip, "addr add %s/128 dev lo nodad\n", a.to_string().c_str());
  }
  return pclose(ip) == 0;
}

// Runs one scenario in this (child) process; returns its outcome.
Outcome run_scenario(const Scenario& s, const Options& opt) {
  const bool verbose = opt.verbose;
  const bool ipv6 = config_value(s, "do-ip6").value_or("yes") != "no";
  auto addresses = server_addresses(s);
  const bool scripted = std::any_of(s.steps.begin(), s.steps.end(), [](const Step& st) { return scripted_step(st.kind); });
  // Servers that only step-scripted replies (or a range without ADDRESS) answer for: every address the
  // scenario's records name is bound, so that queries to them wait for their STEP REPLY.
  if (scripted || std::any_of(s.ranges.begin(), s.ranges.end(), [](const Range& r) { return r.addresses.empty(); })) {
    auto add = [&](const Entry& e) {
      for (const auto* sec : {&e.answer, &e.authority, &e.additional}) {
        for (const auto& rec : *sec) {
          if (auto a = rec.rdata.as_a()) addresses.emplace_back(asio::ip::address_v4(*a));
          if (auto a6 = rec.rdata.as_aaaa()) addresses.emplace_back(asio::ip::address_v6(*a6));
        }
      }
    };
    for (const auto& r : s.ranges)
      for (const auto& e : r.entries) add(e);
    for (const auto& st : s.steps)
      if (st.entry) add(*st.entry);
    std::sort(addresses.begin(), addresses.end());
    addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
    // Only addresses a host may bind here: not loopback (do-not-query-localhost), not unspecified.
    std::erase_if(addresses, [](const asio::ip::address& a) { return a.is_loopback() || a.is_unspecified() || a.is_multicast(); });
  }
  if (!setup_namespace(addresses, ipv6)) return {"fail", "harness: cannot set up the namespace"};
  asio::io_context io;
  int step = 0;
  // Queries no range answered, newest last (UDP only): a STEP REPLY answers the newest, as Unbound's
  // harness answers the head of its pending list.
  std::vector<testsupport::Query> pending;
  std::vector<testsupport::Query> seen;  // every query, until a CHECK_OUT_QUERY consumes it
  const auto unmatched = [&pending](const testsupport::Query& q) {
    if (!q.tcp) pending.push_back(q);
  };
  std::vector<std::unique_ptr<testsupport::FaultServer>> servers;
  for (const auto& a : addresses) {
    if (!a.is_v4() && !ipv6) continue;
    // Every query is seen by CHECK_OUT_QUERY, answered by a range or not (Unbound's harness checks its
    // pending list, where a range's answer waits for the next event too).
    auto script = [&seen, inner = serve(s, a, step, unmatched)](const testsupport::Query& q) {
      seen.push_back(q);
      return inner(q);
    };
    servers.push_back(std::make_unique<testsupport::FaultServer>(io, a, script));
  }
  std::chrono::seconds elapsed{0};
  const auto base = std::chrono::steady_clock::now();
  // Unbound: TIME_PASSES is a real sleep when short in all, else the warm run is not replayed.
  long total_elapse = 0;
  for (const auto& st : s.steps)
    if (st.kind == "TIME_PASSES") total_elapse += st.elapse;
  if (opt.unbound && !opt.cold && total_elapse > kMaxUnboundSleepSeconds) {
    return {"clock", "harness: clock (TIME_PASSES " + std::to_string(total_elapse) +
                         " s in all; Unbound's clock cannot be moved, only slept through up to " +
                         std::to_string(kMaxUnboundSleepSeconds) + " s)"};
  }
  resolver::Options o;
  o.policy.allow_special = true;  // scenario servers sit in documentation and private space too
  o.policy.allow_loopback = false;  // Unbound's do-not-query-localhost default
  o.root_hints = testsupport::hints_for(s.root);
  o.prime = true;  // Unbound primes a stub "." too (its scenarios expect the ". NS" query first)
  o.qname_minimisation = config_value(s, "qname-minimisation").value_or("yes") != "no";
  o.use_0x20 = false;  // use-caps-for-id defaults to no, and the scripted replies do not echo case
  o.clock = [&] { return base + elapsed; };
  if (opt.val()) {
    if (auto why = dnssec_options(s, o); !why.empty()) return {"fail", "harness: " + why};
    // Fixed, as Unbound's val-override-date: TIME_PASSES moves the cache's clock, not this.
  }
  // Ours: one resolver for the scenario (warm) or a fresh one per QUERY (cold); one that may still be
  // resolving stays alive until the end.
  std::vector<std::unique_ptr<resolver::Resolver>> resolvers;
  if (!opt.unbound) resolvers.push_back(std::make_unique<resolver::Resolver>(io.get_executor(), o));
  // Unbound: one process for the scenario (warm) or a fresh one per QUERY (cold), asked through our
  // transport.
  resolver::RandomPool random;
  resolver::Transport transport(io.get_executor(), random);
  UnboundProcess unbound(opt.unbound_path, verbose);
  unbound.set_validator(opt.val());
  int instances = 0;
  Outcome out{"pass", ""};
  // How long a step waits (real time: the resolver's timers are real). After a TIMEOUT the next query
  // to a silent server comes when the try's timer ends: ours is at most kMaxTryTimeout; Unbound's
  // backed-off timeout grows beyond it, and its whole resolution may take longer than ours may.
  const std::chrono::milliseconds pending_wait =
      opt.unbound ? 10000ms : std::chrono::duration_cast<std::chrono::milliseconds>(resolver::kMaxTryTimeout) + 1000ms;
  const std::chrono::milliseconds out_query_wait = opt.unbound ? 10000ms : 2000ms;
  const std::chrono::milliseconds answer_wait = opt.unbound ? 30000ms : 15000ms;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(io);
        // Waits (polling the loop) until `ready()` or `limit` passes.
        auto wait_for = [&](auto ready, std::chrono::milliseconds limit) -> asio::awaitable<bool> {
          const auto until = std::chrono::steady_clock::now() + limit;
          while (!ready()) {
            if (std::chrono::steady_clock::now() >= until) co_return false;
            timer.expires_after(2ms);
            co_await timer.async_wait(asio::use_awaitable);
          }
          co_return true;
        };
        std::optional<resolver::Resolution> last;
        std::optional<Asked> asked;  // a val_ scenario: the last QUERY's DO, AD and CD bits
        auto running = std::make_shared<std::optional<resolver::Resolution>>();
        bool in_flight = false;
        auto fail = [&](const Step& st, const std::string& why) {
          out = {"fail", "step " + std::to_string(st.number) + " " + st.kind + ": " + why};
        };
        for (const auto& st : s.steps) {
          step = st.number;
          if (st.kind == "QUERY") {
            if (!st.entry || !st.entry->question) {
              fail(st, "harness: no question");
              break;
            }
            const auto q = *st.entry->question;
            if (opt.val()) asked = Asked{st.entry->do_bit, st.entry->header.ad, st.entry->header.cd};
            if (opt.unbound && (opt.cold || !unbound.running())) {
              // A fresh Unbound (cold), or the scenario's one: started here, with the servers serving.
              if (in_flight) {
                fail(st, "harness: a QUERY while the previous one is still unanswered");
                break;
              }
              std::string error = unbound.start(s, ++instances);
              for (int i = 0; error.empty(); ++i) {
                const std::string state = unbound.ready();
                if (state.empty()) break;
                if (state != "starting") {
                  error = state;
                } else if (i >= 500) {
                  error = "unbound did not listen within 5 s";
                } else {
                  timer.expires_after(10ms);
                  co_await timer.async_wait(asio::use_awaitable);
                }
              }
              if (!error.empty()) {
                fail(st, "harness: " + error);
                break;
              }
            } else if (!opt.unbound && opt.cold) {
              // A fresh resolver: cache and server statistics empty (one still resolving stays alive).
              if (!in_flight) resolvers.clear();
              resolvers.push_back(std::make_unique<resolver::Resolver>(io.get_executor(), o));
            }
            resolver::Resolver* r = opt.unbound ? nullptr : resolvers.back().get();
            if (scripted) {
              // The resolution runs while the following steps script its queries one by one.
              running->reset();
              in_flight = true;
              if (opt.unbound) {
                asio::co_spawn(io, ask_unbound(transport, unbound.address(), q),
                               [running](std::exception_ptr, resolver::Resolution res) { *running = std::move(res); });
              } else {
                asio::co_spawn(io, [r, q, running]() -> asio::awaitable<void> {
                  *running = co_await r->resolve(q.name, q.type);
                }, asio::detached);
              }
            } else if (opt.unbound) {
              last = co_await ask_unbound(transport, unbound.address(), q);
            } else {
              last = co_await r->resolve(q.name, q.type);
            }
          } else if (st.kind == "CHECK_ANSWER") {
            if (in_flight) {
              if (!co_await wait_for([&] { return running->has_value(); }, answer_wait)) {
                fail(st, "the resolution did not finish");
                break;
              }
              last = std::move(**running);
              in_flight = false;
            }
            if (verbose && last) std::cerr << "  step " << st.number << " " << last->question.name.to_string() << " "
                                           << wire::to_string(last->question.type) << "\n" << describe_trace(*last);
            if (!last || !st.entry) {
              fail(st, "harness: no query to check");
              break;
            }
            if (auto why = compare(*last, *st.entry, asked); !why.empty()) {
              // Under a DSA anchor, an expected AD or SERVFAIL is Unbound's DSA validation: out of our reach.
              // Only when our answer is insecure for that reason.
              const bool validated = (st.entry->header.ad || st.entry->rcode == wire::Rcode::ServFail) &&
                                     last->validation.checked && last->validation.status == dnssec::Status::insecure &&
                                     last->validation.reason == dnssec::Reason::unsupported_algorithm;
              out = {"fail", (opt.val() && validated ? unvalidated_note(o.trust_anchors, last->question.name) : std::string()) +
                                 "step " + std::to_string(st.number) + " " + last->question.name.to_string() + " " +
                                 wire::to_string(last->question.type) + ": " + why};
              break;
            }
            // A SERVFAIL the scenario expects from the validator that came from our iterator instead.
            if (opt.val() && !opt.unbound && st.entry->rcode == wire::Rcode::ServFail && last->outcome == resolver::Outcome::failed)
              out.detail += (out.detail.empty() ? "" : "; ") + std::string("step ") + std::to_string(st.number) +
                            ": SERVFAIL from the iterator (" + resolver::to_string(last->failure) + "), not from validation";
          } else if (st.kind == "CHECK_OUT_QUERY") {
            std::optional<testsupport::Query> consumed;
            auto found = [&] {
              auto it = std::find_if(seen.begin(), seen.end(), [&](const testsupport::Query& q) { return matches(*st.entry, q); });
              if (it == seen.end()) return false;
              consumed = *it;
              seen.erase(it);
              return true;
            };
            if (!st.entry || !co_await wait_for(found, out_query_wait)) {
              fail(st, "no outgoing query " + (st.entry && st.entry->question ? st.entry->question->name.to_string() + " " +
                                                   wire::to_string(st.entry->question->type) : std::string()));
              break;
            }
            // Unbound's harness answers the matched query with the step's entry when it has ADJUST copy_id
            // (testcode/fake_event.c, run_scenario), if no range answered it (iter_ghost_timewindow).
            const auto same = [&](const testsupport::Query& q) {
              return q.server == consumed->server && q.from_port == consumed->from_port && q.header.id == consumed->header.id;
            };
            if (auto it = std::find_if(pending.begin(), pending.end(), same); st.entry->copy_id && it != pending.end()) {
              const testsupport::Query q = *it;
              pending.erase(it);
              for (auto& srv : servers) {
                if (srv->address() == q.server) srv->send_udp({q.from_address, q.from_port}, reply_for(*st.entry, q));
              }
            }
          } else if (st.kind == "REPLY" || st.kind == "TIMEOUT") {
            auto newest = [&]() -> std::optional<std::size_t> {
              for (std::size_t i = pending.size(); i-- > 0;) {
                if (!st.address || pending[i].server == *st.address) return i;
              }
              return std::nullopt;
            };
            if (!co_await wait_for([&] { return newest().has_value(); }, pending_wait)) {
              fail(st, "no outgoing query pending");
              break;
            }
            const std::size_t i = *newest();
            const testsupport::Query q = pending[i];
            pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
            // TIMEOUT: never answered; the resolver's own timer ends the try.
            if (st.kind == "REPLY" && st.entry) {
              for (auto& srv : servers) {
                if (srv->address() == q.server) srv->send_udp({q.from_address, q.from_port}, reply_for(*st.entry, q));
              }
            }
          } else if (st.kind == "TRAFFIC" || st.kind == "NOTHING") {
            timer.expires_after(20ms);
            co_await timer.async_wait(asio::use_awaitable);
          } else if (st.kind == "TIME_PASSES") {
            elapsed += std::chrono::seconds(st.elapse);
            if (opt.unbound && !opt.cold && st.elapse > 0) {
              // Unbound's own clock: a real sleep (the servers keep serving meanwhile).
              timer.expires_after(std::chrono::seconds(st.elapse));
              co_await timer.async_wait(asio::use_awaitable);
            }
          }
        }
        unbound.stop();
        servers.clear();
        io.stop();
      },
      asio::detached);
  io.run();
  if (out.status == "fail" && !unbound.dropped().empty()) {
    std::string names;
    for (const auto& d : unbound.dropped()) names += (names.empty() ? "" : ", ") + d;
    out.detail += " [options not in this Unbound, dropped: " + names + "]";
  }
  return out;
}

std::map<std::string, std::string> read_expected(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream l(line);
    std::string name, status;
    if (l >> name >> status) out[name] = status;
  }
  return out;
}

// The name of a network interface other than lo in this namespace, or "" when lo is the only one.
std::string interface_besides_lo() {
  std::string other;
  if (struct if_nameindex* list = if_nameindex()) {
    for (auto* i = list; i->if_index != 0 && i->if_name != nullptr; ++i)
      if (std::string(i->if_name) != "lo") other = i->if_name;
    if_freenameindex(list);
  } else {
    other = "(if_nameindex failed)";
  }
  return other;
}

int main_impl(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--suite") opt.suite = next();
    else if (a == "--expected") opt.expected = next();
    else if (a == "--only") opt.only = next();
    else if (a == "--jobs") opt.jobs = std::max(1, std::stoi(next()));
    else if (a == "--verbose") opt.verbose = true;
    else if (a == "--resolver" && i + 1 < argc && (std::string(argv[i + 1]) == "unbound" || std::string(argv[i + 1]) == "dkimdoctor"))
      opt.unbound = next() == "unbound";
    else if (a == "--cache" && i + 1 < argc && (std::string(argv[i + 1]) == "cold" || std::string(argv[i + 1]) == "warm"))
      opt.cold = next() == "cold";
    else if (a == "--unbound") opt.unbound_path = next();
    else if (a == "--dnssec") opt.dnssec = true;
    else if (a == "--prefix" && i + 1 < argc && (std::string(argv[i + 1]) == "iter_" || std::string(argv[i + 1]) == "val_"))
      opt.prefix = next();
    else {
      std::cerr << "usage: replay_runner --suite DIR --expected FILE [--prefix iter_|val_] [--dnssec] [--only NAME] [--jobs N] [--verbose]\n"
                   "                     [--resolver dkimdoctor|unbound] [--cache warm|cold] [--unbound PATH]\n";
      return 2;
    }
  }
  // Only ours, warm, is what expected.txt records (and the ctest checks).
  const bool recorded_mode = !opt.unbound && !opt.cold;
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(opt.suite, ec)) {
    const auto name = e.path().filename().string();
    if (name.rfind(opt.prefix, 0) == 0 && name.ends_with(".rpl")) {
      if (opt.only.empty() || name == opt.only + ".rpl") files.push_back(e.path().string());
    }
  }
  if (ec || files.empty()) {
    std::cerr << "replay: no " << opt.prefix << "*.rpl in " << opt.suite << "\n";
    return 2;
  }
  std::sort(files.begin(), files.end());
  const auto expected = read_expected(opt.expected);

  struct Job {
    Scenario scenario;
    Outcome outcome;
    pid_t pid = -1;
    int fd = -1;
  };
  std::vector<Job> jobs;
  for (const auto& f : files) {
    std::string err;
    auto s = load_scenario(f, err);
    if (!s) {
      std::cerr << "replay: " << err << "\n";
      return 2;
    }
    Job j;
    j.scenario = std::move(*s);
    if (auto why = not_applicable(j.scenario, opt.val()); !why.empty()) j.outcome = {"n/a", why};
    jobs.push_back(std::move(j));
  }

  const auto start = std::chrono::steady_clock::now();
  std::size_t next = 0;
  int running = 0;
  auto reap = [&](bool block) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, block ? 0 : WNOHANG);
    if (pid <= 0) return false;
    for (auto& j : jobs) {
      if (j.pid != pid) continue;
      std::string text;
      char buf[4096];
      for (ssize_t n; (n = read(j.fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
      close(j.fd);
      auto tab = text.find('\t');
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || tab == std::string::npos) {
        j.outcome = {"fail", "harness: child ended abnormally (status " + std::to_string(status) + ")"};
      } else {
        j.outcome = {text.substr(0, tab), text.substr(tab + 1)};
      }
      --running;
    }
    return true;
  };
  while (next < jobs.size() || running > 0) {
    while (next < jobs.size() && running < opt.jobs) {
      Job& j = jobs[next++];
      if (!j.outcome.status.empty()) continue;
      int fds[2];
      if (pipe(fds) != 0) return 2;
      std::cout.flush();
      std::cerr.flush();
      pid_t pid = fork();
      if (pid == 0) {
        close(fds[0]);
        Outcome o;
        if (unshare(CLONE_NEWNET) != 0) {
          o = {"fail", std::string("harness: unshare(CLONE_NEWNET): ") + std::strerror(errno) + " (run as root)"};
        } else if (const std::string other = interface_besides_lo(); !other.empty()) {
          // The scenario's public-looking addresses go on lo: only where nothing else could carry a packet.
          o = {"fail", "harness: the namespace has interface " + other + " besides lo; refusing to run"};
        } else {
          alarm(opt.unbound ? 240 : 60);  // Unbound: real sleeps and real timeouts
          if (opt.verbose) std::cerr << "== " << j.scenario.name << "\n";
          o = run_scenario(j.scenario, opt);
        }
        std::string text = o.status + "\t" + o.detail.substr(0, 1500);
        [[maybe_unused]] auto w = write(fds[1], text.data(), text.size());
        close(fds[1]);
        std::_Exit(0);
      }
      close(fds[1]);
      j.pid = pid;
      j.fd = fds[0];
      ++running;
    }
    if (running > 0) reap(true);
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);

  int passed = 0, failed = 0, na = 0, documented = 0, clock = 0, regressions = 0;
  std::vector<std::string> news;
  std::cout << "| scenario | result | detail |\n|---|---|---|\n";
  for (auto& j : jobs) {
    auto want = expected.find(j.scenario.name);
    std::string status = j.outcome.status;
    if (recorded_mode && status == "fail" && want != expected.end() && want->second == "documented") status = "documented";
    if (status == "pass") ++passed;
    else if (status == "fail") ++failed;
    else if (status == "documented") ++documented;
    else if (status == "clock") ++clock;
    else ++na;
    std::string detail = j.outcome.detail;
    std::replace(detail.begin(), detail.end(), '|', '/');
    std::cout << "| " << j.scenario.name << " | " << status << " | " << detail << " |\n";
    const std::string recorded = want == expected.end() ? "(none)" : want->second;
    if (!recorded_mode) continue;
    if (recorded == "pass" && status != "pass") {
      ++regressions;
      news.push_back("REGRESSION " + j.scenario.name + ": recorded pass, now " + status);
    } else if (status != recorded && !(recorded == "documented" && status == "documented")) {
      news.push_back("changed " + j.scenario.name + ": recorded " + recorded + ", now " + status +
                     " (update " + std::filesystem::path(opt.expected).filename().string() + ")");
    }
  }
  for (const auto& n : news) std::cout << n << "\n";
  std::cout << "replay";
  if (!recorded_mode) std::cout << " (" << (opt.unbound ? "unbound" : "dkimdoctor") << ", " << (opt.cold ? "cold" : "warm") << ")";
  std::cout << ": " << passed << " passed, " << failed << " failed, " << na << " not applicable";
  if (documented > 0) std::cout << ", " << documented << " documented differences";
  if (clock > 0) std::cout << ", " << clock << " not replayed (harness: clock)";
  std::cout << " (" << took.count() << " ms)\n";
  if (!opt.only.empty()) return regressions == 0 ? 0 : 1;
  return regressions == 0 ? 0 : 1;
}

}  // namespace
}  // namespace dkimdoctor::replay

int main(int argc, char** argv) { return dkimdoctor::replay::main_impl(argc, argv); }
