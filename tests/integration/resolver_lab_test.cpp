// The resolver against the lab's real NSD hierarchy, with the lab's Unbound as the reference: for
// every name the lab serves (and many that do not exist) our rcode and answer RRsets must equal
// Unbound's. Plus the lab scenarios that exercise the resolver itself: glueless delegations, TCP
// after TC=1, an unreachable server, a lame server, private-address delegations, and the authority
// probe. Needs `tests/lab/lab up`; run inside the lab's namespace (`tests/lab/lab exec ctest ...`).
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "resolver/resolver.hpp"
#include "wire/message.hpp"

namespace dkimdoctor::resolver {
namespace {

using wire::Name;
using wire::RRType;

std::string lab_dir() {
  const char* dir = std::getenv("DKIMDOCTOR_LAB");
  if (dir == nullptr || *dir == '\0') {
    ADD_FAILURE() << "DKIMDOCTOR_LAB is not set: bring the lab up (tests/lab/lab up) and run inside it";
    return {};
  }
  return dir;
}

Options lab_options(const std::string& dir) {
  Options o;
  o.policy.allow_loopback = true;
  auto hints = load_root_hints(dir + "/root.hints");
  EXPECT_TRUE(hints.ok()) << (hints ? "" : hints.error());
  if (hints) o.root_hints = *hints;
  return o;
}

template <class T>
T run(asio::io_context& io, asio::awaitable<T> task) {
  T out{};
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    out = std::move(value);
  });
  io.restart();
  io.run();
  return out;
}

// An RRset comparison key: owner (lowercased), type, RDATA presentation; TTLs are not compared
// (they depend on when each resolver cached the data). RRSIGs are left out.
using RecordKey = std::tuple<std::string, std::string, std::string>;
std::set<RecordKey> keys(const std::vector<wire::Record>& records) {
  std::set<RecordKey> out;
  for (const auto& r : records) {
    if (r.type == RRType::RRSIG) continue;
    out.emplace(r.owner.lowercased().to_string(), wire::to_string(r.type), r.rdata.to_string());
  }
  return out;
}

struct Reference {
  bool ok = false;
  wire::Rcode rcode = wire::Rcode::ServFail;
  std::vector<wire::Record> answer;
};

// Asks Unbound (RD=1) through our own transport: it is the same UDP/TCP code the resolver uses,
// and Unbound is the independent party whose answers we compare with.
asio::awaitable<Reference> ask_unbound(Transport& transport, asio::ip::address unbound, Name name, RRType type) {
  Reference ref;
  for (int attempt = 0; attempt < 3 && !ref.ok; ++attempt) {
    ExchangeRequest req;
    req.server = asio::ip::udp::endpoint(unbound, 53);
    req.qname = name;
    req.qtype = type;
    req.rd = true;
    req.timeout = std::chrono::milliseconds(5000);
    ExchangeResult x = co_await transport.exchange(req);
    if (x.error != TransportError::none) continue;
    auto view = wire::MessageView::parse(x.reply);
    if (!view) continue;
    ref.ok = true;
    ref.rcode = view->rcode();
    for (const auto& rv : view->answers()) ref.answer.push_back(rv.to_record());
  }
  co_return ref;
}

nlohmann::json manifest(const std::string& dir);

struct Case {
  std::string name;
  RRType type;
  bool ambiguous = false;  // the domain has a server serving stale data: which answer comes back depends on
                           // which server each resolver picks, so a difference is counted, not failed
};

std::vector<Case> lab_cases(const std::string& dir) {
  std::vector<Case> cases;
  std::ifstream in(dir + "/names.txt");
  EXPECT_TRUE(in.good()) << "cannot read " << dir << "/names.txt";
  std::set<std::string> stale;
  const auto m = manifest(dir);
  if (!m.is_discarded() && m.contains("domains")) {
    for (const auto& d : m["domains"]) {
      for (const auto& srv : d.value("servers", nlohmann::json::array())) {
        if (srv.value("state", "") == "stale") stale.insert(d.value("domain", "") + ".");
      }
    }
  }
  std::string line;
  std::set<std::string> zones;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string name, type;
    f >> name >> type;
    if (name.empty()) continue;
    auto t = wire::parse_rrtype(type.empty() ? "A" : type);
    if (!t) continue;
    auto parsed = Name::parse(name);
    const bool ambiguous = parsed && std::any_of(stale.begin(), stale.end(), [&](const std::string& z) {
      return parsed->is_subdomain_of(*Name::parse(z));
    });
    cases.push_back({name, *t, ambiguous});
    // The domain itself (last two labels) for the names that do not exist below.
    auto n = Name::parse(name);
    if (n && n->label_count() >= 2) zones.insert(n->suffix(2).to_string());
  }
  // Names that do not exist: below every lab domain, in every TLD, and in a TLD that does not exist.
  int i = 0;
  for (const auto& z : zones) {
    cases.push_back({"no-such-name-" + std::to_string(i++) + "." + z, RRType::TXT});
    cases.push_back({"a.b.no-such-name." + z, RRType::A});
    cases.push_back({z, RRType::MX});
    cases.push_back({z, RRType::NS});
  }
  for (const char* tld : {"com", "net", "org"}) {
    cases.push_back({std::string("not-registered-xyz.") + tld, RRType::A});
  }
  cases.push_back({"example.invalid-tld-xyz", RRType::A});
  cases.push_back({"amazonses.com", RRType::NS});
  return cases;
}

struct Tally {
  int total = 0, matched = 0, reference_failed = 0, ambiguous_differences = 0;
  long our_queries = 0;
  std::vector<std::string> mismatches;
};

asio::awaitable<void> compare_worker(Resolver& resolver, Transport& unbound_transport, asio::ip::address unbound,
                                     const std::vector<Case>& cases, std::size_t& next, Tally& tally) {
  while (next < cases.size()) {
    const Case c = cases[next++];
    auto name = Name::parse(c.name);
    if (!name) continue;
    Resolution ours = co_await resolver.resolve(*name, c.type);
    Reference theirs = co_await ask_unbound(unbound_transport, unbound, *name, c.type);
    ++tally.total;
    tally.our_queries += ours.queries;
    if (!theirs.ok) {
      ++tally.reference_failed;
      continue;
    }
    const bool same_rcode = ours.rcode == theirs.rcode;
    const bool same_answer = keys(ours.answer) == keys(theirs.answer);
    if (same_rcode && same_answer) {
      ++tally.matched;
      continue;
    }
    if (c.ambiguous) {
      ++tally.ambiguous_differences;
      continue;
    }
    std::ostringstream o;
    o << c.name << ' ' << wire::to_string(c.type) << ": ours " << wire::to_string(ours.rcode) << " ("
      << to_string(ours.failure) << ": " << ours.failure_detail << ") " << ours.answer.size() << " records, unbound "
      << wire::to_string(theirs.rcode) << ' ' << theirs.answer.size() << " records";
    tally.mismatches.push_back(o.str());
  }
}

void compare_with_unbound(bool qname_minimisation) {
  const std::string dir = lab_dir();
  ASSERT_FALSE(dir.empty());
  const auto cases = lab_cases(dir);
  ASSERT_GT(cases.size(), 50u);
  asio::io_context io;
  Options options = lab_options(dir);
  options.qname_minimisation = qname_minimisation;
  Resolver resolver(io.get_executor(), options);
  RandomPool random;
  Transport unbound_transport(io.get_executor(), random);
  const auto unbound = asio::ip::make_address("127.53.255.1");
  std::size_t next = 0;
  Tally tally;
  for (int w = 0; w < 20; ++w) {
    asio::co_spawn(io, compare_worker(resolver, unbound_transport, unbound, cases, next, tally),
                   [](std::exception_ptr e) {
                     if (e) std::rethrow_exception(e);
                   });
  }
  io.run();
  std::cout << "[resolver-vs-unbound" << (qname_minimisation ? ", qname minimisation" : "") << "] names " << tally.total << ", matched " << tally.matched << ", mismatched "
            << tally.mismatches.size() << ", differing on stale-secondary domains " << tally.ambiguous_differences
            << ", unbound unreachable " << tally.reference_failed << ", our upstream queries "
            << tally.our_queries << " (" << static_cast<double>(tally.our_queries) / std::max(tally.total, 1)
            << " per resolution, shared cache)\n";
  for (const auto& m : tally.mismatches) ADD_FAILURE() << m;
  EXPECT_EQ(tally.total, static_cast<int>(cases.size()));
  EXPECT_EQ(tally.reference_failed, 0);
  EXPECT_EQ(tally.matched + tally.ambiguous_differences, tally.total);
  EXPECT_GE(tally.matched, tally.total - 10);
}

TEST(ResolverLab, EveryLabNameMatchesUnbound) { compare_with_unbound(false); }

TEST(ResolverLab, EveryLabNameMatchesUnboundWithQnameMinimisation) { compare_with_unbound(true); }

nlohmann::json manifest(const std::string& dir) {
  std::ifstream in(dir + "/manifest.json");
  auto j = nlohmann::json::parse(in, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "cannot parse " << dir << "/manifest.json";
  return j;
}

// The first domain of a scenario.
std::string domain_of(const std::string& dir, const std::string& scenario) {
  const auto m = manifest(dir);
  if (m.is_discarded() || !m.contains("domains")) return {};
  for (const auto& d : m["domains"]) {
    if (d.value("scenario", "") == scenario) return d.value("domain", "");
  }
  return {};
}

class ResolverScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = lab_dir();
    ASSERT_FALSE(dir_.empty());
    resolver_ = std::make_unique<Resolver>(io_.get_executor(), lab_options(dir_));
  }
  Resolution resolve(const std::string& name, RRType type) {
    auto n = Name::parse(name);
    EXPECT_TRUE(n.ok()) << name;
    return run(io_, resolver_->resolve(*n, type));
  }
  ZoneProbe probe(const std::string& name, std::vector<wire::Question> qs) {
    return run(io_, resolver_->probe(*Name::parse(name), std::move(qs)));
  }
  std::string domain(const std::string& scenario) {
    std::string d = domain_of(dir_, scenario);
    EXPECT_FALSE(d.empty()) << "no " << scenario << " domain in the manifest";
    return d;
  }
  std::string dir_;
  asio::io_context io_;
  std::unique_ptr<Resolver> resolver_;
};

bool any_step(const Resolution& r, auto pred) { return std::any_of(r.trace.begin(), r.trace.end(), pred); }

TEST_F(ResolverScenario, GluelessDelegationIsResolvedBySubResolution) {
  const auto d = domain("glueless-ok");
  auto r = resolve("_amazonses." + d, RRType::TXT);
  EXPECT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_TRUE(any_step(r, [](const TraceStep& s) { return s.kind == StepKind::subresolution; }));
  EXPECT_TRUE(any_step(r, [](const TraceStep& s) { return s.depth > 0 && s.kind == StepKind::query; }));
}

TEST_F(ResolverScenario, LargeRRsetComesOverTcpAfterTruncation) {
  const auto d = domain("tcp-required");
  auto r = resolve("_amazonses." + d, RRType::TXT);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_EQ(r.answer.size(), 36u);
  EXPECT_TRUE(any_step(r, [](const TraceStep& s) {
    return s.kind == StepKind::query && s.protocol == Protocol::tcp && s.question.type == RRType::TXT;
  }));
}

TEST_F(ResolverScenario, UnreachableServerIsSkipped) {
  const auto d = domain("ns-unreachable");
  // Ask many names so that the unreachable server is certainly chosen at least once.
  for (int i = 0; i < 8; ++i) {
    auto r = resolve("n" + std::to_string(i) + "." + d, RRType::TXT);
    EXPECT_NE(r.outcome, Outcome::failed) << to_string(r.failure) << " " << r.failure_detail;
  }
}

TEST_F(ResolverScenario, LameServerIsSkipped) {
  const auto d = domain("lame-server");
  for (int i = 0; i < 8; ++i) {
    auto r = resolve("_amazonses." + d, RRType::TXT);
    EXPECT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
    resolver_->cache().clear();
  }
}

TEST_F(ResolverScenario, PrivateAddressDelegationIsRefusedAndReported) {
  const auto d = domain("private-ns");
  auto r = resolve("_amazonses." + d, RRType::TXT);
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::no_permitted_servers) << to_string(r.failure);
  ASSERT_EQ(r.refused_addresses.size(), 3u);
  for (const auto& ref : r.refused_addresses) EXPECT_EQ(ref.address_class, AddressClass::private_net);
  EXPECT_FALSE(any_step(r, [](const TraceStep& s) {
    return s.kind == StepKind::query && s.address && classify_address(*s.address) == AddressClass::private_net;
  }));
}

TEST_F(ResolverScenario, Ipv6ServerAnswersOverUdpAndTcp) {
  // The lab's ns1.sixdns.net also listens on ::1: the same transport over IPv6.
  RandomPool random;
  Transport transport(io_.get_executor(), random);
  ExchangeRequest req;
  req.server = asio::ip::udp::endpoint(asio::ip::make_address("::1"), 53);
  req.qname = *Name::parse("sixdns.net.");
  req.qtype = RRType::NS;
  req.timeout = std::chrono::milliseconds(2000);
  auto x = run(io_, transport.exchange(req));
  ASSERT_EQ(x.error, TransportError::none) << to_string(x.error) << " " << x.detail;
  auto view = wire::MessageView::parse(x.reply);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->header().aa);
  EXPECT_EQ(view->rcode(), wire::Rcode::NoError);
  // And in iteration: net. gives ::1 as glue for ns1.sixdns.net, so fresh resolvers (random order for
  // unmeasured servers) must sometimes ask it, and get their answer from it.
  const auto d = domain("ipv6-ok");
  bool saw_v6 = false;
  for (int i = 0; i < 30 && !saw_v6; ++i) {
    resolver_ = std::make_unique<Resolver>(io_.get_executor(), lab_options(dir_));
    auto r = resolve("_amazonses." + d, RRType::TXT);
    ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
    saw_v6 = any_step(r, [](const TraceStep& s) {
      return s.kind == StepKind::query && s.address && s.address->is_v6() && s.error == TransportError::none;
    });
  }
  EXPECT_TRUE(saw_v6) << "no resolution used the IPv6 server in 30 fresh tries";
}

TEST_F(ResolverScenario, ProbeAsksEveryServerAndSeesTheLameOne) {
  const auto d = domain("lame-server");
  auto p = probe(d, {wire::Question{*Name::parse("_amazonses." + d), RRType::TXT, wire::RRClass::IN}});
  EXPECT_TRUE(p.zone_found);
  EXPECT_EQ(p.zone.to_string(), d + ".");
  EXPECT_EQ(p.parent.to_string(), Name::parse(d)->parent().to_string());
  EXPECT_EQ(p.parent_ns.size(), 3u);
  int refused = 0, answered = 0;
  for (const auto& s : p.responses) {
    if (s.question.type != RRType::TXT) continue;
    if (s.rcode == wire::Rcode::Refused) ++refused;
    if (s.aa && !s.answer.empty()) ++answered;
  }
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(answered, 2);
  EXPECT_EQ(p.serials.size(), 3u);
}

TEST_F(ResolverScenario, ProbeSeesParentAndZoneNsSetsDiffer) {
  const auto d = domain("ns-set-mismatch");
  auto p = probe(d, {});
  ASSERT_TRUE(p.zone_found);
  std::set<std::string> parent, zone;
  for (const auto& n : p.parent_ns) parent.insert(n.to_string());
  for (const auto& n : p.zone_ns) zone.insert(n.to_string());
  EXPECT_EQ(parent, (std::set<std::string>{"ns1.hostco.com.", "ns2.hostco.com."}));
  EXPECT_EQ(zone, (std::set<std::string>{"ns1.orgdns.org.", "ns2.orgdns.org."}));
  EXPECT_EQ(p.servers.size(), 4u);  // the zone-only names were resolved and probed too
}

TEST_F(ResolverScenario, ProbeReportsNotDelegated) {
  const auto d = domain("not-delegated");
  auto p = probe("_amazonses." + d, {});
  EXPECT_TRUE(p.name_nxdomain);
  EXPECT_EQ(p.zone.to_string(), Name::parse(d)->parent().to_string());  // the TLD holds the name
}

TEST_F(ResolverScenario, ProbeReportsStaleSerial) {
  const auto d = domain("stale-secondary");
  auto p = probe(d, {});
  std::set<std::uint32_t> serials;
  for (const auto& s : p.serials) {
    if (s.serial) serials.insert(*s.serial);
  }
  EXPECT_EQ(serials.size(), 2u);
}

}  // namespace
}  // namespace dkimdoctor::resolver
