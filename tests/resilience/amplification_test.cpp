// Amplification and loops: hierarchies built to make a resolver spend unbounded work. Each case must
// end within the per-resolution query budget, counted both by the resolver (resolution.queries) and
// at the servers (what actually arrived), and must say which limit or loop ended it.
#include <set>

#include "tests/resilience/suite.hpp"

namespace dkimdoctor::resilience {
namespace {

using resolver::kMaxCnameChain;
using resolver::kMaxQueriesPerResolution;

constexpr std::size_t kBudget = static_cast<std::size_t>(kMaxQueriesPerResolution);

class AmplificationAndLoops : public World {
 protected:
  void expect_bounded(const Resolution& r, std::size_t servers_before = 0) {
    EXPECT_LE(r.queries, kMaxQueriesPerResolution) << why(r);
    EXPECT_LE(net_.total_queries() - servers_before, kBudget) << why(r);
  }
  std::string soa(const std::string& zone) {
    return zone + " 3600 IN SOA ns." + zone + " h." + zone + " 1 3600 600 86400 60\n";
  }
};

TEST_F(AmplificationAndLoops, NxnsFanOutToAHundredNonexistentZones) {
  // NXNSAttack: the attacker's referral names 100 NS hosts in zones that do not exist, no glue.
  std::string body;
  for (int i = 0; i < 100; ++i) body += "victim.test. 86400 IN NS ns.nx" + std::to_string(i) + ".test.\n";
  world(body);
  auto r = resolve("www.victim.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::max_failed_glueless) << why(r);
  expect_bounded(r);
  // At most kMaxFailedGluelessLookups NS names were looked up: one question each at the TLD.
  std::set<std::string> asked;
  for (const auto& s : r.trace) {
    if (s.kind == resolver::StepKind::query && s.depth > 0) asked.insert(s.question.name.to_string());
  }
  EXPECT_LE(asked.size(), static_cast<std::size_t>(resolver::kMaxFailedGluelessLookups));
}

TEST_F(AmplificationAndLoops, NxnsFanOutIntoAnotherTld) {
  // The same shape with the NS names under a TLD served elsewhere (each lookup walks root -> TLD).
  std::string body;
  for (int i = 0; i < 100; ++i) body += "victim.test. 86400 IN NS ns" + std::to_string(i) + ".victim-ns.example.\n";
  world(body);
  net_.serve_zone(20, "example.", expand(net_, soa("example.") + "example. 3600 IN NS ns.example.\n"));
  // The root does not know example.: every lookup ends with a root NXDOMAIN (cached after the first).
  auto r = resolve("www.victim.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_TRUE(resolver::is_limit(r.failure) || r.failure == Failure::no_server_addresses) << why(r);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, ManyNsNamesWithGlueAreCutAtThirteen) {
  // 100 NS names, each with glue to its own (refusing) server: only kMaxNsPerDelegation are considered.
  std::string body;
  std::vector<FaultServer*> refusing;
  for (int i = 0; i < 100; ++i) {
    body += "wide.test. 86400 IN NS ns" + std::to_string(i) + ".wide.test.\n";
    body += "ns" + std::to_string(i) + ".wide.test. 86400 IN A {h" + std::to_string(100 + i) + "}\n";
  }
  world(body);
  for (int i = 0; i < 100; ++i) {
    refusing.push_back(&net_.serve(100 + i, [](const Query& q) {
      return Reply{.message = make_reply(q, wire::Rcode::Refused, false, {})};
    }));
  }
  auto r = resolve("www.wide.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::all_servers_failed) << why(r);
  std::size_t asked = 0, servers_hit = 0;
  for (auto* s : refusing) {
    asked += s->udp_queries();
    servers_hit += s->udp_queries() > 0 ? 1 : 0;
  }
  EXPECT_LE(servers_hit, resolver::kMaxNsPerDelegation);
  EXPECT_LE(asked, resolver::kMaxNsPerDelegation);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, OneNsNameWithAHundredAddresses) {
  std::string body = "fat.test. 86400 IN NS ns.fat.test.\n";
  for (int i = 0; i < 100; ++i) body += "ns.fat.test. 86400 IN A {h" + std::to_string(100 + i) + "}\n";
  world(body);
  std::size_t before = net_.total_queries();
  std::vector<FaultServer*> refusing;
  for (int i = 0; i < 100; ++i) {
    refusing.push_back(&net_.serve(100 + i, [](const Query& q) {
      return Reply{.message = make_reply(q, wire::Rcode::Refused, false, {})};
    }));
  }
  auto r = resolve("www.fat.test.");
  EXPECT_EQ(r.outcome, Outcome::failed) << why(r);
  std::size_t asked = 0;
  for (auto* s : refusing) asked += s->udp_queries();
  EXPECT_LE(asked, resolver::kMaxAddressesPerNs);
  expect_bounded(r, before);
}

TEST_F(AmplificationAndLoops, CyclicNsDependencyTwoZones) {
  // tsuNAME: a.test is served by ns.b.test, b.test by ns.a.test, no glue anywhere.
  world("a.test. 86400 IN NS ns.b.test.\nb.test. 86400 IN NS ns.a.test.\n");
  auto r = resolve("www.a.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::dependency_cycle) << why(r);
  expect_bounded(r);
  // And again: the cycle is not an amplifier for repeated questions either.
  const auto before = net_.total_queries();
  for (int i = 0; i < 10; ++i) {
    auto again = resolve("www" + std::to_string(i) + ".a.test.");
    EXPECT_EQ(again.outcome, Outcome::failed);
    EXPECT_LE(again.queries, kMaxQueriesPerResolution);
  }
  EXPECT_LE(net_.total_queries() - before, 10 * kBudget);
}

TEST_F(AmplificationAndLoops, CyclicNsDependencyThreeZones) {
  world("a.test. 86400 IN NS ns.b.test.\nb.test. 86400 IN NS ns.c.test.\nc.test. 86400 IN NS ns.a.test.\n");
  auto r = resolve("www.a.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::dependency_cycle) << why(r);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, CnameSelfLoop) {
  world("loop.test. 86400 IN NS ns.loop.test.\nns.loop.test. 86400 IN A {h6}\n");
  net_.serve_zone(6, "loop.test.", expand(net_, soa("loop.test.") + "x.loop.test. 300 IN CNAME x.loop.test.\n"));
  auto r = resolve("x.loop.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::cname_loop) << why(r);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, CnameLoopInsideOneZone) {
  world("loop.test. 86400 IN NS ns.loop.test.\nns.loop.test. 86400 IN A {h6}\n");
  net_.serve_zone(6, "loop.test.",
                  expand(net_, soa("loop.test.") + "a.loop.test. 300 IN CNAME b.loop.test.\n"
                                                   "b.loop.test. 300 IN CNAME c.loop.test.\n"
                                                   "c.loop.test. 300 IN CNAME a.loop.test.\n"));
  auto r = resolve("a.loop.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::cname_loop) << why(r);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, CnameLoopAcrossZones) {
  world("p.test. 86400 IN NS ns.p.test.\nns.p.test. 86400 IN A {h6}\n"
        "q.test. 86400 IN NS ns.q.test.\nns.q.test. 86400 IN A {h7}\n");
  net_.serve_zone(6, "p.test.", expand(net_, soa("p.test.") + "x.p.test. 300 IN CNAME x.q.test.\n"));
  net_.serve_zone(7, "q.test.", expand(net_, soa("q.test.") + "x.q.test. 300 IN CNAME x.p.test.\n"));
  auto r = resolve("x.p.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::cname_loop) << why(r);
  EXPECT_LE(r.queries, 8);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, LongCnameChainAcrossZones) {
  // 30 links alternating between two zones: every link costs a query; the chain limit stops it.
  world("p.test. 86400 IN NS ns.p.test.\nns.p.test. 86400 IN A {h6}\n"
        "q.test. 86400 IN NS ns.q.test.\nns.q.test. 86400 IN A {h7}\n");
  std::string p = soa("p.test."), q = soa("q.test.");
  for (int i = 0; i < 30; ++i) {
    const std::string from = "c" + std::to_string(i) + (i % 2 ? ".q.test." : ".p.test.");
    const std::string to = "c" + std::to_string(i + 1) + (i % 2 ? ".p.test." : ".q.test.");
    (i % 2 ? q : p) += from + " 300 IN CNAME " + to + "\n";
  }
  p += "c30.p.test. 300 IN A 192.0.2.1\n";
  net_.serve_zone(6, "p.test.", expand(net_, p));
  net_.serve_zone(7, "q.test.", expand(net_, q));
  auto r = resolve("c0.p.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::max_cname_chain) << why(r);
  EXPECT_LE(r.queries, kMaxCnameChain + 6);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, LongCnameChainInOneAnswer) {
  // 20 links served in a single answer by one zone.
  world("chain.test. 86400 IN NS ns.chain.test.\nns.chain.test. 86400 IN A {h6}\n");
  std::string z = soa("chain.test.");
  for (int i = 0; i < 20; ++i) {
    z += "c" + std::to_string(i) + ".chain.test. 300 IN CNAME c" + std::to_string(i + 1) + ".chain.test.\n";
  }
  z += "c20.chain.test. 300 IN A 192.0.2.1\n";
  auto zone = std::make_shared<Zone>("chain.test.", expand(net_, z));
  net_.serve(6, [zone](const Query& q) {
    // An honest server stops synthesising after 16 hops; this one sends the whole chain.
    std::vector<Record> answer;
    for (const auto& r : zone->records()) {
      if (r.type == RRType::CNAME || r.type == RRType::A) answer.push_back(r);
    }
    return Reply{.message = make_reply(q, wire::Rcode::NoError, true, answer)};
  });
  auto r = resolve("c0.chain.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::max_cname_chain) << why(r);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, ReferralLoopBetweenTwoServers) {
  // Server A (h6) and server B (h7) delegate one label further down to each other, forever.
  world("deep.test. 86400 IN NS ns.deep.test.\nns.deep.test. 86400 IN A {h6}\n");
  auto depth = std::make_shared<std::size_t>(3);
  auto refer = [this, depth](const Query& q, int to_host) {
    const Name child = q.question.name.suffix(std::min<std::size_t>((*depth)++, q.question.name.label_count()));
    const std::string ns = "ns." + child.to_string();
    return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {}, {rr(child.to_string() + " 3600 IN NS " + ns)},
                                       {rr(ns + " 3600 IN A " + net_.ip(to_host))})};
  };
  auto& a = net_.serve(6, [refer](const Query& q) { return refer(q, 7); });
  auto& b = net_.serve(7, [refer](const Query& q) { return refer(q, 6); });
  std::string name = "deep.test.";
  for (int i = 0; i < 50; ++i) name = "l" + std::to_string(i) + "." + name;
  auto r = resolve(name);
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_TRUE(r.failure == Failure::max_referrals || r.failure == Failure::max_queries) << why(r);
  EXPECT_GT(a.udp_queries() + b.udp_queries(), 10u);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, ReferralToTheSameZoneIsALoopNotProgress) {
  // A server that refers the question to its own zone (a lateral referral) again and again.
  world("same.test. 86400 IN NS ns.same.test.\nns.same.test. 86400 IN A {h6}\n");
  auto& s = net_.serve(6, [this](const Query& q) {
    return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {}, {rr("same.test. 3600 IN NS ns.same.test.")},
                                       {rr("ns.same.test. 3600 IN A " + net_.ip(6))})};
  });
  auto r = resolve("www.same.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::all_servers_failed) << why(r);
  EXPECT_NE(r.failure_detail.find("referral"), std::string::npos) << r.failure_detail;
  EXPECT_LE(s.udp_queries(), 2u);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, UpwardReferralToTheRoot) {
  // example.test's server answers every question with the root's NS set and glue.
  world();
  example_->set_script([this](const Query& q) {
    return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {}, {rr(". 86400 IN NS a.root-servers.test.")},
                                       {rr("a.root-servers.test. 86400 IN A " + net_.ip(1))})};
  });
  auto r = resolve("www.example.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::all_servers_failed) << why(r);
  // The scrubber drops the root's NS set (not example.test.'s to give) before classification, so the
  // reply reads as an empty non-authoritative one: lame either way.
  EXPECT_TRUE(r.failure_detail.find("upward") != std::string::npos ||
              r.failure_detail.find("non-authoritative") != std::string::npos)
      << r.failure_detail;
  EXPECT_LE(example_->udp_queries(), 2u);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, RefusingServersExhaustTheBudget) {
  // 13 NS names x 4 addresses, all REFUSED: 52 servers, the budget is 50.
  std::string body;
  int host = 100;
  for (int i = 0; i < 13; ++i) {
    body += "wide.test. 86400 IN NS ns" + std::to_string(i) + ".wide.test.\n";
    for (int k = 0; k < 4; ++k) body += "ns" + std::to_string(i) + ".wide.test. 86400 IN A {h" + std::to_string(host++) + "}\n";
  }
  world(body);
  for (int h = 100; h < host; ++h) {
    net_.serve(h, [](const Query& q) { return Reply{.message = make_reply(q, wire::Rcode::Refused, false, {})}; });
  }
  auto r = resolve("www.wide.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::max_queries) << why(r);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, BudgetHoldsWhenEachTryCostsTwoQueries) {
  // The root delegates wide.test (with glue) straight to 52 servers that answer TC=1 over UDP and
  // REFUSED over TCP: every try costs two queries. After the root's one, 24 tries make 49; the
  // budget must not let a 25th try (51 queries) start.
  std::string root = ". 86400 IN SOA a.root-servers.test. h.test. 1 3600 600 86400 3600\n"
                     ". 86400 IN NS a.root-servers.test.\n";
  int host = 100;
  for (int i = 0; i < 13; ++i) {
    root += "wide.test. 86400 IN NS ns" + std::to_string(i) + ".wide.test.\n";
    for (int k = 0; k < 4; ++k) root += "ns" + std::to_string(i) + ".wide.test. 86400 IN A {h" + std::to_string(host++) + "}\n";
  }
  net_.serve_zone(1, ".", expand(net_, root));
  for (int h = 100; h < host; ++h) {
    net_.serve(h, [](const Query& q) {
      if (q.tcp) return Reply{.message = make_reply(q, wire::Rcode::Refused, false, {})};
      return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {}, {}, {}, true)};
    });
  }
  auto r = resolve("www.wide.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::max_queries) << why(r);
  EXPECT_LE(r.queries, kMaxQueriesPerResolution) << "resolution.queries over the budget";
  EXPECT_LE(net_.total_queries(), kBudget) << "queries that reached the servers";
}

TEST_F(AmplificationAndLoops, DependencyChainDeeperThanTheLimit) {
  // z1.test is served by ns.z2.test, z2 by ns.z3.test, ... z10 finally has glue: 9 nested lookups.
  std::string body;
  for (int i = 1; i <= 9; ++i) body += "z" + std::to_string(i) + ".test. 86400 IN NS ns.z" + std::to_string(i + 1) + ".test.\n";
  body += "z10.test. 86400 IN NS ns.z10.test.\nns.z10.test. 86400 IN A {h6}\n";
  world(body);
  net_.serve(6, [this](const Query& q) {
    return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {rr(q.question.name.to_string() + " 300 IN A " + net_.ip(6))})};
  });
  auto r = resolve("www.z1.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::max_dependency_depth) << why(r);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, NxnsFanOutWithQnameMinimisation) {
  // Minimised lookups of the NS names ask more questions each: the budget must still hold.
  std::string body;
  for (int i = 0; i < 100; ++i) body += "victim.test. 86400 IN NS a.b.c.ns.nx" + std::to_string(i) + ".test.\n";
  world(body);
  auto o = net_.options({1});
  o.qname_minimisation = true;
  fresh(o);
  auto r = resolve("a.b.c.www.victim.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_TRUE(r.failure == Failure::max_failed_glueless || r.failure == Failure::max_queries) << why(r);
  expect_bounded(r);
}

TEST_F(AmplificationAndLoops, CyclicNsDependencyWithQnameMinimisation) {
  world("a.test. 86400 IN NS ns.b.test.\nb.test. 86400 IN NS ns.a.test.\n");
  auto o = net_.options({1});
  o.qname_minimisation = true;
  fresh(o);
  auto r = resolve("x.y.www.a.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::dependency_cycle) << why(r);
  expect_bounded(r);
}

}  // namespace
}  // namespace dkimdoctor::resilience
