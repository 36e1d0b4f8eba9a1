// Every limit in limits.hpp, reached by a hostile or broken hierarchy, ends the resolution with an
// outcome that names it, within the query budget. No test here waits on a hang: each would time out.
#include <gtest/gtest.h>

#include "resolver/limits.hpp"
#include "resolver/resolver.hpp"
#include "tests/resolver/harness.hpp"

namespace dkimdoctor::resolver {
namespace {

using testsupport::expand;
using testsupport::make_reply;
using testsupport::Net;
using testsupport::Query;
using testsupport::Reply;
using testsupport::rr;
using testsupport::serve_root_and_test;
using testsupport::Zone;
using wire::Name;
using wire::RRType;

Name N(const std::string& s) { return *Name::parse(s); }

class Limits : public ::testing::Test {
 protected:
  Resolution resolve(const std::string& name, RRType type, Options o) {
    Resolver r(net_.io.get_executor(), std::move(o));
    return net_.run(r.resolve(N(name), type));
  }
  Resolution resolve(const std::string& name, RRType type = RRType::A) { return resolve(name, type, net_.options({1})); }
  Net net_;
};

TEST_F(Limits, NxnsFanOutIsCutAtFiveFailedGluelessLookups) {
  // NXNSAttack shape: a referral to 100 NS names in zones that do not exist, none with glue.
  std::string body;
  for (int i = 0; i < 100; ++i) body += "victim.test. 86400 IN NS ns" + std::to_string(i) + ".nx" + std::to_string(i) + ".test.\n";
  serve_root_and_test(net_, body);
  auto r = resolve("www.victim.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::max_failed_glueless) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_LE(r.queries, 2 + kMaxFailedGluelessLookups);
  EXPECT_LE(net_.total_queries(), static_cast<std::size_t>(kMaxQueriesPerResolution));
}

TEST_F(Limits, CyclicNsDependencyIsDetected) {
  // tsuNAME shape: a.test is served by ns.b.test, b.test by ns.a.test, neither has glue.
  serve_root_and_test(net_, "a.test. 86400 IN NS ns.b.test.\nb.test. 86400 IN NS ns.a.test.\n");
  auto r = resolve("www.a.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::dependency_cycle) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_LE(r.queries, kMaxQueriesPerResolution);
}

std::string chain_zone(int links) {
  std::string z = "chain.test. 3600 IN SOA ns.chain.test. h. 1 3600 600 86400 60\n"
                  "chain.test. 3600 IN NS ns.chain.test.\nns.chain.test. 3600 IN A {h3}\n";
  for (int i = 0; i < links; ++i) {
    z += "c" + std::to_string(i) + ".chain.test. 300 IN CNAME c" + std::to_string(i + 1) + ".chain.test.\n";
  }
  z += "c" + std::to_string(links) + ".chain.test. 300 IN A 192.0.2.1\n";
  return z;
}

TEST_F(Limits, CnameChainOfElevenIsFollowed) {
  serve_root_and_test(net_, "chain.test. 86400 IN NS ns.chain.test.\nns.chain.test. 86400 IN A {h3}\n");
  net_.serve_zone(3, "chain.test.", expand(net_, chain_zone(kMaxCnameChain)));
  auto r = resolve("c0.chain.test.");
  EXPECT_EQ(r.outcome, Outcome::answer) << to_string(r.failure);
  EXPECT_EQ(r.answer.size(), static_cast<std::size_t>(kMaxCnameChain + 1));
}

TEST_F(Limits, CnameChainOfTwelveHitsTheLimit) {
  serve_root_and_test(net_, "chain.test. 86400 IN NS ns.chain.test.\nns.chain.test. 86400 IN A {h3}\n");
  net_.serve_zone(3, "chain.test.", expand(net_, chain_zone(kMaxCnameChain + 1)));
  auto r = resolve("c0.chain.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::max_cname_chain);
  EXPECT_TRUE(is_limit(r.failure));
}

TEST_F(Limits, CnameLoopAcrossZones) {
  serve_root_and_test(net_, "a.test. 86400 IN NS ns.a.test.\nns.a.test. 86400 IN A {h3}\n"
                            "b.test. 86400 IN NS ns.b.test.\nns.b.test. 86400 IN A {h4}\n");
  net_.serve_zone(3, "a.test.", expand(net_, "a.test. 3600 IN SOA ns.a.test. h. 1 3600 600 86400 60\n"
                                             "x.a.test. 300 IN CNAME y.b.test.\n"));
  net_.serve_zone(4, "b.test.", expand(net_, "b.test. 3600 IN SOA ns.b.test. h. 1 3600 600 86400 60\n"
                                             "y.b.test. 300 IN CNAME x.a.test.\n"));
  auto r = resolve("x.a.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::cname_loop);
  EXPECT_LE(r.queries, 6);
}

TEST_F(Limits, EndlessReferralsHitTheReferralLimit) {
  // A server that always delegates one label further down, to itself.
  serve_root_and_test(net_, "deep.test. 86400 IN NS ns.deep.test.\nns.deep.test. 86400 IN A {h3}\n");
  auto asked = std::make_shared<std::size_t>(0);
  net_.serve(3, [this, asked](const Query& q) {
    // deep.test. has 2 labels; the n-th question gets a referral to the zone of 3 + n labels.
    const Name child = q.question.name.suffix(3 + (*asked)++);
    const std::string ns = "ns." + child.to_string();
    return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {},
                                       {rr((child.to_string() + " 3600 IN NS " + ns).c_str())},
                                       {rr((ns + " 3600 IN A " + net_.ip(3)).c_str())})};
  });
  std::string name = "deep.test.";
  for (int i = 0; i < 60; ++i) name = "l" + std::to_string(i) + "." + name;
  auto r = resolve(name);
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::max_referrals) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_LE(r.queries, kMaxQueriesPerResolution);
}

TEST_F(Limits, DependencyChainDeeperThanSevenHitsTheDepthLimit) {
  // z1.test is served by ns.z2.test, z2.test by ns.z3.test, ... z9.test finally has glue.
  std::string body;
  for (int i = 1; i <= 9; ++i) {
    body += "z" + std::to_string(i) + ".test. 86400 IN NS ns.z" + std::to_string(i + 1) + ".test.\n";
  }
  body += "z10.test. 86400 IN NS ns.z10.test.\nns.z10.test. 86400 IN A {h3}\n";
  serve_root_and_test(net_, body);
  // Host 3 answers every A question with its own address: it is every ns.zN.test.
  net_.serve(3, [this](const Query& q) {
    if (q.question.type != RRType::A) return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {})};
    return Reply{.message = make_reply(q, wire::Rcode::NoError, true,
                                       {rr((q.question.name.to_string() + " 300 IN A " + net_.ip(3)).c_str())})};
  });
  auto r = resolve("www.z1.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::max_dependency_depth) << to_string(r.failure) << " " << r.failure_detail;
  int deepest = 0;
  for (const auto& s : r.trace) deepest = std::max(deepest, s.depth);
  EXPECT_LE(deepest, kMaxDependencyDepth);
  // A chain of seven is fine.
  auto ok = resolve("www.z4.test.");
  EXPECT_EQ(ok.outcome, Outcome::answer) << to_string(ok.failure) << " " << ok.failure_detail;
}

TEST_F(Limits, FiftyQueriesIsTheBudget) {
  // 13 NS names with 4 addresses each, every one answering REFUSED: 52 servers to try.
  std::string body;
  int host = 10;
  for (int i = 0; i < 13; ++i) {
    body += "wide.test. 86400 IN NS ns" + std::to_string(i) + ".wide.test.\n";
    for (int k = 0; k < 4; ++k) body += "ns" + std::to_string(i) + ".wide.test. 86400 IN A {h" + std::to_string(host++) + "}\n";
  }
  serve_root_and_test(net_, body);
  for (int h = 10; h < host; ++h) {
    net_.serve(h, [](const Query& q) { return Reply{.message = make_reply(q, wire::Rcode::Refused, false, {})}; });
  }
  auto r = resolve("www.wide.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::max_queries) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_EQ(r.queries, kMaxQueriesPerResolution);
  EXPECT_EQ(net_.total_queries(), static_cast<std::size_t>(kMaxQueriesPerResolution));
}

TEST_F(Limits, SilentServersEndAtTheResolutionDeadline) {
  // 13 silent servers, each tried twice with a timeout backing off to 2 s: more than 10 s in all.
  std::string body;
  for (int i = 0; i < 13; ++i) {
    body += "dead.test. 86400 IN NS ns" + std::to_string(i) + ".dead.test.\n";
    body += "ns" + std::to_string(i) + ".dead.test. 86400 IN A {h" + std::to_string(10 + i) + "}\n";
    net_.serve(10 + i, [](const Query&) { return Reply{.drop = true}; });
  }
  serve_root_and_test(net_, body);
  auto r = resolve("www.dead.test.");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::resolution_timeout) << to_string(r.failure) << " " << r.failure_detail;
}

}  // namespace
}  // namespace dkimdoctor::resolver
