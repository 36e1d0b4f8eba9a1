// Iteration rules against scripted hierarchies: referrals, glue, glueless NS, CNAME/DNAME chains,
// negative answers and their caching, lame/refused/dead servers, address policy, poisoning attempts,
// QNAME minimisation, priming, TCP and EDNS fallback inside a resolution.
#include <gtest/gtest.h>

#include <algorithm>

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
using testsupport::serve_root_and_test;
using testsupport::Zone;
using wire::Name;
using wire::RRType;

Name N(const std::string& s) { return *Name::parse(s); }

const char* kExampleZone = R"(
example.test. 3600 IN SOA ns1.example.test. host.example.test. 1 3600 600 86400 120
example.test. 3600 IN NS ns1.example.test.
ns1.example.test. 3600 IN A {h3}
www.example.test. 300 IN A 192.0.2.80
www.example.test. 300 IN A 192.0.2.81
alias.example.test. 300 IN CNAME www.example.test.
out.example.test. 300 IN CNAME www.other.test.
old.example.test. 300 IN DNAME example.test.
empty.sub.example.test. 300 IN TXT "below an empty non-terminal"
)";

const char* kOtherZone = R"(
other.test. 3600 IN SOA ns1.other.test. host.other.test. 1 3600 600 86400 300
other.test. 3600 IN NS ns1.other.test.
ns1.other.test. 3600 IN A {h4}
www.other.test. 300 IN A 192.0.2.90
)";

class Iteration : public ::testing::Test {
 protected:
  void world(const std::string& test_body = "example.test. 86400 IN NS ns1.example.test.\n"
                                             "ns1.example.test. 86400 IN A {h3}\n"
                                             "other.test. 86400 IN NS ns1.other.test.\n"
                                             "ns1.other.test. 86400 IN A {h4}\n") {
    serve_root_and_test(net_, test_body);
    example_ = &net_.serve_zone(3, "example.test.", expand(net_, kExampleZone));
    other_ = &net_.serve_zone(4, "other.test.", expand(net_, kOtherZone));
  }
  Resolver& resolver(Options o) {
    resolver_ = std::make_unique<Resolver>(net_.io.get_executor(), std::move(o));
    return *resolver_;
  }
  Resolver& resolver() {
    if (!resolver_) resolver(net_.options({1}));
    return *resolver_;
  }
  Resolution resolve(const std::string& name, RRType type) { return net_.run(resolver().resolve(N(name), type)); }

  static int count(const Resolution& r, StepKind kind) {
    return static_cast<int>(std::count_if(r.trace.begin(), r.trace.end(), [&](const TraceStep& s) { return s.kind == kind; }));
  }

  Net net_;
  testsupport::FaultServer* example_ = nullptr;
  testsupport::FaultServer* other_ = nullptr;
  std::unique_ptr<Resolver> resolver_;
};

TEST_F(Iteration, ReferralsFromTheRootToTheAnswer) {
  world();
  auto r = resolve("www.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_EQ(r.rcode, wire::Rcode::NoError);
  EXPECT_EQ(r.answer.size(), 2u);
  EXPECT_EQ(r.queries, 3);
  ASSERT_EQ(count(r, StepKind::query), 3);
  EXPECT_EQ(r.trace[0].classification, Classification::referral);
  EXPECT_EQ(r.trace[0].zone, N("."));
  EXPECT_EQ(r.trace[1].zone, N("test."));
  EXPECT_EQ(r.trace[2].zone, N("example.test."));
  EXPECT_EQ(r.trace[2].classification, Classification::answer);
  EXPECT_EQ(*r.trace[2].address, net_.addr(3));
}

TEST_F(Iteration, TheCacheAnswersTheSecondTime) {
  world();
  ASSERT_EQ(resolve("www.example.test.", RRType::A).outcome, Outcome::answer);
  auto again = resolve("www.example.test.", RRType::A);
  EXPECT_EQ(again.outcome, Outcome::answer);
  EXPECT_EQ(again.queries, 0);
  EXPECT_EQ(count(again, StepKind::cache), 1);
  // A sibling name needs only the last server: the delegation is cached.
  auto sibling = resolve("alias.example.test.", RRType::A);
  EXPECT_EQ(sibling.outcome, Outcome::answer);
  EXPECT_EQ(sibling.queries, 1);
}

TEST_F(Iteration, NxdomainWithNegativeTtlAndNegativeCaching) {
  world();
  auto r = resolve("nope.example.test.", RRType::TXT);
  EXPECT_EQ(r.outcome, Outcome::nxdomain);
  EXPECT_EQ(r.rcode, wire::Rcode::NXDomain);
  ASSERT_TRUE(r.negative_soa.has_value());
  EXPECT_EQ(r.negative_soa->owner, N("example.test."));
  auto again = resolve("nope.example.test.", RRType::A);  // NXDOMAIN covers every type
  EXPECT_EQ(again.outcome, Outcome::nxdomain);
  EXPECT_EQ(again.queries, 0);
  ASSERT_TRUE(again.negative_soa.has_value());
  EXPECT_LE(again.negative_soa->ttl, 120u);  // RFC 2308: min(SOA TTL 3600, MINIMUM 120)
}

TEST_F(Iteration, NodataAndEmptyNonTerminal) {
  world();
  auto r = resolve("www.example.test.", RRType::TXT);
  EXPECT_EQ(r.outcome, Outcome::nodata);
  EXPECT_EQ(r.rcode, wire::Rcode::NoError);
  EXPECT_TRUE(r.negative_soa.has_value());
  EXPECT_EQ(resolve("www.example.test.", RRType::TXT).queries, 0);
  EXPECT_EQ(resolve("sub.example.test.", RRType::A).outcome, Outcome::nodata);
}

TEST_F(Iteration, CnameInsideTheZone) {
  world();
  auto r = resolve("alias.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer);
  ASSERT_EQ(r.answer.size(), 3u);
  EXPECT_EQ(r.answer[0].type, RRType::CNAME);
}

TEST_F(Iteration, CnameToAnotherZoneIsFollowedFromItsOwnServers) {
  world();
  auto r = resolve("out.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure);
  ASSERT_EQ(r.answer.size(), 2u);
  EXPECT_EQ(r.answer[1].owner, N("www.other.test."));
  EXPECT_EQ(other_->udp_queries(), 1u);
}

TEST_F(Iteration, DnameIsFollowed) {
  world();
  auto r = resolve("www.old.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure);
  EXPECT_EQ(r.answer.back().owner, N("www.example.test."));
  EXPECT_TRUE(std::any_of(r.answer.begin(), r.answer.end(), [](const wire::Record& x) { return x.type == RRType::DNAME; }));
}

TEST_F(Iteration, GluelessNsIsResolvedBySubResolution) {
  // test. knows other.test's server as ns.other.test; example.test's NS ns1.other.test has no glue.
  world("example.test. 86400 IN NS ns1.other.test.\n"
        "other.test. 86400 IN NS ns.other.test.\n"
        "ns.other.test. 86400 IN A {h4}\n");
  // other.test's server also serves example.test (the usual "hosted at a provider" shape).
  other_->set_script([z1 = std::make_shared<Zone>("other.test.", expand(net_, kOtherZone)),
                      z2 = std::make_shared<Zone>("example.test.", expand(net_, std::string(kExampleZone) +
                                                                                    "example.test. 3600 IN NS ns1.other.test.\n"))](
                         const Query& q) {
    return Reply{.message = q.question.name.is_subdomain_of(z2->origin()) ? z2->answer(q) : z1->answer(q)};
  });
  auto r = resolve("www.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_EQ(count(r, StepKind::subresolution), 1);
  EXPECT_TRUE(std::any_of(r.trace.begin(), r.trace.end(), [](const TraceStep& s) {
    return s.depth == 1 && s.kind == StepKind::query && s.question.name == N("ns1.other.test.");
  }));
}

TEST_F(Iteration, OutOfBailiwickGlueIsNeverUsedOrCached) {
  world();
  // Host 66 is the attacker's server; example.test's server tries to plant it as the address of
  // ns1.other.test. (not its zone) in a referral for a child zone it does delegate.
  auto& evil = net_.serve(66, [](const Query& q) {
    return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {testsupport::rr("www.other.test. 300 IN A 6.6.6.6")})};
  });
  example_->set_script([this, z = std::make_shared<Zone>("example.test.", expand(net_, kExampleZone))](const Query& q) {
    if (q.question.name.is_subdomain_of(N("child.example.test."))) {
      return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {},
                                         {testsupport::rr("child.example.test. 3600 IN NS ns1.other.test.")},
                                         {testsupport::rr(("ns1.other.test. 3600 IN A " + net_.ip(66)).c_str())})};
    }
    return Reply{.message = z->answer(q)};
  });
  auto r = resolve("x.child.example.test.", RRType::A);
  (void)r;
  auto www = resolve("www.other.test.", RRType::A);
  ASSERT_EQ(www.outcome, Outcome::answer);
  EXPECT_EQ(www.answer[0].rdata.to_string(), "192.0.2.90");
  EXPECT_EQ(evil.udp_queries(), 0u);
}

TEST_F(Iteration, UnrelatedAnswerRecordsAreNotCached) {
  world();
  example_->set_script([z = std::make_shared<Zone>("example.test.", expand(net_, kExampleZone))](const Query& q) {
    auto real = z->answer(q);
    auto view = wire::MessageView::parse(real);
    std::vector<wire::Record> answer;
    for (const auto& rv : view->answers()) answer.push_back(rv.to_record());
    answer.push_back(testsupport::rr("www.other.test. 300 IN A 6.6.6.6"));          // another zone
    answer.push_back(testsupport::rr("mail.example.test. 300 IN A 6.6.6.7"));       // not asked for
    return Reply{.message = make_reply(q, wire::Rcode::NoError, true, answer)};
  });
  ASSERT_EQ(resolve("www.example.test.", RRType::A).outcome, Outcome::answer);
  auto www = resolve("www.other.test.", RRType::A);
  ASSERT_EQ(www.outcome, Outcome::answer);
  EXPECT_EQ(www.answer[0].rdata.to_string(), "192.0.2.90");
  EXPECT_EQ(www.queries, 2);  // it had to be asked (test. delegation cached): nothing came from the poison
  auto mail = resolve("mail.example.test.", RRType::A);
  EXPECT_EQ(mail.queries, 1);  // asked, not taken from the cache
}

TEST_F(Iteration, RefusingLameAndServfailServersAreSkipped) {
  // example.test has three servers: REFUSED, SERVFAIL, and a good one. Fresh resolvers choose in
  // random order; every resolution must succeed, and the bad ones must have been tried.
  world("example.test. 86400 IN NS ns1.example.test.\n"
        "example.test. 86400 IN NS ns2.example.test.\n"
        "example.test. 86400 IN NS ns3.example.test.\n"
        "ns1.example.test. 86400 IN A {h3}\n"
        "ns2.example.test. 86400 IN A {h5}\n"
        "ns3.example.test. 86400 IN A {h6}\n");
  auto& refused = net_.serve(5, [](const Query& q) { return Reply{.message = make_reply(q, wire::Rcode::Refused, false, {})}; });
  auto& servfail = net_.serve(6, [](const Query& q) { return Reply{.message = make_reply(q, wire::Rcode::ServFail, false, {})}; });
  // Random picks: at least 20 cold resolutions, and on until both bad servers have been asked.
  for (int i = 0; i < 100 && (i < 20 || refused.udp_queries() == 0 || servfail.udp_queries() == 0); ++i) {
    resolver(net_.options({1}));
    auto r = resolve("www.example.test.", RRType::A);
    ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
    EXPECT_LE(r.queries, 5);
  }
  EXPECT_GT(refused.udp_queries(), 0u);
  EXPECT_GT(servfail.udp_queries(), 0u);
}

TEST_F(Iteration, SilentServerTimesOutAndTheNextOneAnswers) {
  world("example.test. 86400 IN NS ns1.example.test.\n"
        "example.test. 86400 IN NS ns2.example.test.\n"
        "ns1.example.test. 86400 IN A {h3}\n"
        "ns2.example.test. 86400 IN A {h5}\n");
  auto& silent = net_.serve(5, [](const Query&) { return Reply{.drop = true}; });
  // A fresh resolver picks one of the two unknown servers at random: six tries missed the silent one
  // one time in 64, so keep trying (up to 40 resolvers) until it has been asked.
  for (int i = 0; i < 40 && silent.udp_queries() == 0; ++i) {
    resolver(net_.options({1}));
    auto r = resolve("www.example.test.", RRType::A);
    ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
  }
  EXPECT_GT(silent.udp_queries(), 0u);
}

TEST_F(Iteration, UpwardReferralIsLame) {
  world();
  example_->set_script([this](const Query& q) {
    return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {}, {testsupport::rr("test. 86400 IN NS ns1.nic.test.")},
                                       {testsupport::rr(("ns1.nic.test. 86400 IN A " + net_.ip(2)).c_str())})};
  });
  auto r = resolve("www.example.test.", RRType::A);
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::all_servers_failed);
  EXPECT_LE(r.queries, 6);
}

TEST_F(Iteration, AllServersDeadEndsWithAClearFailure) {
  world();
  example_->set_script([](const Query&) { return Reply{.drop = true}; });
  auto r = resolve("www.example.test.", RRType::A);
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.rcode, wire::Rcode::ServFail);
  EXPECT_EQ(r.failure, Failure::all_servers_failed);
  // One address: it gets every try of the cut, up to kMaxTriesPerAddress.
  EXPECT_EQ(example_->udp_queries(), static_cast<std::size_t>(std::min(kTriesPerZoneCut, kMaxTriesPerAddress)));
  EXPECT_NE(r.failure_detail.find("timeout"), std::string::npos) << r.failure_detail;
}

TEST_F(Iteration, PrivateAddressesAreNeverQueriedAndAreReported) {
  world("example.test. 86400 IN NS ns1.example.test.\n"
        "example.test. 86400 IN NS ns2.example.test.\n"
        "ns1.example.test. 86400 IN A 10.0.0.53\n"
        "ns2.example.test. 86400 IN A 192.168.1.53\n");
  auto r = resolve("www.example.test.", RRType::A);
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::no_permitted_servers);
  ASSERT_EQ(r.refused_addresses.size(), 2u);
  EXPECT_EQ(r.refused_addresses[0].zone, N("example.test."));
  EXPECT_EQ(r.refused_addresses[0].address_class, AddressClass::private_net);
  EXPECT_EQ(count(r, StepKind::policy), 2);
  // In-zone NS names: a lookup would need these very servers, so none is made.
  EXPECT_EQ(count(r, StepKind::subresolution), 0);
}

TEST_F(Iteration, ManyRefusedGlueAddressesDoNotHideAUsableCachedOne) {
  // Nine private glue addresses for the only NS name, whose real address is already in the cache:
  // the cut must keep the cached address (the per-NS bound counts usable addresses, not candidates).
  std::string body = "example.test. 86400 IN NS ns1.example.test.\n";
  for (int i = 1; i <= 9; ++i) body += "ns1.example.test. 86400 IN A 10.0.0." + std::to_string(i) + "\n";
  world(body);
  resolver().cache().store_rrset({wire::Record{N("ns1.example.test."), RRType::A, wire::RRClass::IN, 3600,
                                               *wire::Rdata::parse(RRType::A, net_.ip(3))}});
  auto r = resolve("www.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_EQ(r.answer.size(), 2u);
  // The private addresses are data: refused by the policy and reported, never queried (the
  // referral's glue per NS name is bounded by kMaxAddressesPerNs before it gets here).
  ASSERT_EQ(r.refused_addresses.size(), kMaxAddressesPerNs);
  for (const auto& ref : r.refused_addresses) EXPECT_EQ(ref.address_class, AddressClass::private_net);
}

TEST_F(Iteration, LoopbackIsRefusedWithoutAllowLoopback) {
  world();
  Options o = net_.options({1});
  o.policy.allow_loopback = false;
  resolver(o);
  auto r = resolve("www.example.test.", RRType::A);
  EXPECT_EQ(r.failure, Failure::no_permitted_servers);
  EXPECT_EQ(net_.total_queries(), 0u);
}

TEST_F(Iteration, TruncatedAnswerIsFetchedOverTcp) {
  std::string big = kExampleZone;
  for (int i = 0; i < 30; ++i) big += "big.example.test. 300 IN TXT \"" + std::string(60, 'a' + i % 26) + "\"\n";
  serve_root_and_test(net_, "example.test. 86400 IN NS ns1.example.test.\nns1.example.test. 86400 IN A {h3}\n");
  auto& ex = net_.serve_zone(3, "example.test.", expand(net_, big));
  auto r = resolve("big.example.test.", RRType::TXT);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure);
  EXPECT_EQ(r.answer.size(), 30u);
  EXPECT_EQ(ex.tcp_queries(), 1u);
  EXPECT_EQ(r.trace.back().protocol, Protocol::tcp);
}

TEST_F(Iteration, EdnsLessServerIsAskedWithoutOpt) {
  world();
  example_->set_script([z = std::make_shared<Zone>("example.test.", expand(net_, kExampleZone))](const Query& q) {
    if (q.edns) {
      Query plain = q;
      plain.edns = false;
      return Reply{.message = make_reply(plain, wire::Rcode::FormErr, false, {})};
    }
    return Reply{.message = z->answer(q)};
  });
  auto r = resolve("www.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer);
  EXPECT_FALSE(r.trace.back().edns);
}

TEST_F(Iteration, QnameMinimisationSendsOneMoreLabelAtATime) {
  world();
  Options o = net_.options({1});
  o.qname_minimisation = true;
  resolver(o);
  auto r = resolve("a.b.www.example.test.", RRType::TXT);
  EXPECT_EQ(r.outcome, Outcome::nxdomain) << to_string(r.failure) << " " << r.failure_detail;
  // The root only ever saw "test.", the TLD only "example.test.".
  const auto& root_log = *std::find_if(r.trace.begin(), r.trace.end(), [](const TraceStep& s) { return s.kind == StepKind::query; });
  EXPECT_EQ(root_log.question.name, N("test."));
  EXPECT_EQ(root_log.question.type, RRType::A);
  bool tld_minimised = false;
  for (const auto& s : r.trace) {
    if (s.kind == StepKind::query && s.zone == N("test.")) tld_minimised = s.question.name == N("example.test.");
  }
  EXPECT_TRUE(tld_minimised);
  // And a positive answer still comes out right.
  auto www = resolve("www.example.test.", RRType::A);
  EXPECT_EQ(www.outcome, Outcome::answer);
}

TEST_F(Iteration, PrimingAsksForTheRootNsSetFirst) {
  world();
  Options o = net_.options({1});
  o.prime = true;
  resolver(o);
  auto r = resolve("www.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer);
  const auto first = std::find_if(r.trace.begin(), r.trace.end(), [](const TraceStep& s) { return s.kind == StepKind::query; });
  EXPECT_EQ(first->question.name, N("."));
  EXPECT_EQ(first->question.type, RRType::NS);
}

TEST_F(Iteration, ConcurrentResolutionsShareOneUpstreamQuery) {
  world();
  std::vector<Resolution> results;
  for (int i = 0; i < 10; ++i) {
    asio::co_spawn(net_.io, resolver().resolve(N("www.example.test."), RRType::A),
                   [&](std::exception_ptr, Resolution r) { results.push_back(std::move(r)); });
  }
  while (results.size() < 10) net_.io.run_one();
  for (const auto& r : results) EXPECT_EQ(r.outcome, Outcome::answer);
  // One query per level: the root and test. steps are shared by waiting for the first walk's
  // referral, the last one by transport coalescing.
  EXPECT_EQ(net_.total_queries(), 3u);
  EXPECT_EQ(example_->udp_queries(), 1u);
  EXPECT_EQ(resolver().stats().transport.coalesced, 9u);
}

TEST_F(Iteration, ConcurrentResolutionsOfDifferentNamesShareTheReferrals) {
  world();
  std::vector<Resolution> results;
  for (int i = 0; i < 10; ++i) {
    asio::co_spawn(net_.io, resolver().resolve(N("n" + std::to_string(i) + ".example.test."), RRType::A),
                   [&](std::exception_ptr, Resolution r) { results.push_back(std::move(r)); });
  }
  while (results.size() < 10) net_.io.run_one();
  for (const auto& r : results) EXPECT_EQ(r.outcome, Outcome::nxdomain);
  EXPECT_EQ(net_.total_queries(), 2u + 10u);  // root and test. once, example.test. once per name
}

TEST_F(Iteration, MetaTypesAreRefused) {
  world();
  auto r = resolve("www.example.test.", static_cast<RRType>(252));  // AXFR
  EXPECT_EQ(r.failure, Failure::bad_question);
  EXPECT_EQ(net_.total_queries(), 0u);
}

}  // namespace
}  // namespace dkimdoctor::resolver

namespace dkimdoctor::resolver {
namespace {

// Unbound's iter_auth_tc: a TCP reply that still has TC=1 is incomplete by its own account: refused.
TEST_F(Iteration, TruncatedReplyOverTcpIsRefused) {
  world();
  example_->set_script([this](const Query& q) {
    auto bytes = make_reply(q, wire::Rcode::NoError, true, {testsupport::rr("www.example.test. 300 IN A 192.0.2.80")},
                            {}, {}, true);
    (void)this;
    return Reply{.message = bytes};
  });
  auto r = resolve("www.example.test.", RRType::A);
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_GE(example_->tcp_queries(), 1u);
}

// Unbound's iter_ranoaa_lame: the RA-without-AA server's answer is not taken while an authority answers.
TEST_F(Iteration, RecursiveLameServerIsPassedOverForTheAuthority) {
  world("example.test. 86400 IN NS ns1.example.test.\n"
        "example.test. 86400 IN NS lame.example.test.\n"
        "ns1.example.test. 86400 IN A {h3}\n"
        "lame.example.test. 86400 IN A {h5}\n");
  auto& lame = net_.serve(5, [](const Query& q) {
    auto bytes = make_reply(q, wire::Rcode::NoError, false, {testsupport::rr("www.example.test. 300 IN A 192.0.2.66")});
    wire::Header h = wire::Header::read(bytes);
    h.ra = true;
    h.write(bytes.data());
    return Reply{.message = bytes};
  });
  // Cold resolutions (no cache, no RTTs) pick the servers at random: keep going until the lame one has been
  // asked, and then at least six (six alone missed it in 1 run of 64: (1/2)^6).
  for (int i = 0; i < 60 && (i < 6 || lame.udp_queries() == 0); ++i) {
    resolver(net_.options({1}));
    auto r = resolve("www.example.test.", RRType::A);
    ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
    for (const auto& rec : r.answer) EXPECT_NE(rec.rdata.to_string(), "192.0.2.66");
  }
  EXPECT_GE(lame.udp_queries(), 1u);  // asked, never believed
}

// Unbound's iter_reclame_two: when every server is recursive-lame, the first one's answer is used.
TEST_F(Iteration, OnlyRecursiveLameServersStillAnswer) {
  world();
  example_->set_script([](const Query& q) {
    auto bytes = make_reply(q, wire::Rcode::NoError, false, {testsupport::rr("www.example.test. 300 IN A 192.0.2.66")});
    wire::Header h = wire::Header::read(bytes);
    h.ra = true;
    h.write(bytes.data());
    return Reply{.message = bytes};
  });
  auto r = resolve("www.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
  ASSERT_EQ(r.answer.size(), 1u);
}

// Unbound's iter_ignore_empty: a reply with nothing in it (AA, NOERROR, no SOA) sends the resolver to
// the zone's other servers; only when none answers better is it NODATA.
TEST_F(Iteration, EmptyAuthoritativeReplyIsPassedOverForAnotherServer) {
  world("example.test. 86400 IN NS ns1.example.test.\n"
        "example.test. 86400 IN NS empty.example.test.\n"
        "ns1.example.test. 86400 IN A {h3}\n"
        "empty.example.test. 86400 IN A {h5}\n");
  auto& empty = net_.serve(5, [](const Query& q) { return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {})}; });
  // Cold resolutions pick the servers at random: at least six, and on until the empty one has been asked.
  for (int i = 0; i < 60 && (i < 6 || empty.udp_queries() == 0); ++i) {
    resolver(net_.options({1}));
    auto r = resolve("www.example.test.", RRType::A);
    ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
  }
  EXPECT_GE(empty.udp_queries(), 1u);  // asked, never believed
}

TEST_F(Iteration, OnlyEmptyAuthoritativeRepliesAreNodata) {
  world();
  example_->set_script([](const Query& q) { return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {})}; });
  auto r = resolve("www.example.test.", RRType::A);
  EXPECT_EQ(r.outcome, Outcome::nodata) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_TRUE(r.answer.empty());
}

// Unbound's iter_ghost_ns_childapex (the ghost domain names, CVE-2022-30698): a delegation learnt
// through a cached one expires with it, so when the parent's delegation ends the parent is asked again
// (and a zone it has removed cannot live on through a cached grandchild delegation).
TEST_F(Iteration, GrandchildDelegationExpiresWithItsParentsDelegation) {
  world("example.test. 5 IN NS ns1.example.test.\n"
        "ns1.example.test. 5 IN A {h3}\n");
  std::string example_zone = std::string(kExampleZone) +
                             "sub.example.test. 3600 IN NS ns1.sub.example.test.\n"
                             "ns1.sub.example.test. 3600 IN A {h5}\n";
  auto zone = std::make_shared<Zone>("example.test.", expand(net_, example_zone));
  example_->set_script([zone](const Query& q) { return Reply{.message = zone->answer(q)}; });
  net_.serve_zone(5, "sub.example.test.", expand(net_, R"(
sub.example.test. 3600 IN SOA ns1.sub.example.test. host.sub.example.test. 1 3600 600 86400 120
sub.example.test. 3600 IN NS ns1.sub.example.test.
ns1.sub.example.test. 3600 IN A {h5}
a.sub.example.test. 3600 IN A 192.0.2.1
b.sub.example.test. 3600 IN A 192.0.2.2
)"));
  auto now = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  Options o = net_.options({1});
  o.clock = [now] { return *now; };
  resolver(std::move(o));
  auto first = resolve("a.sub.example.test.", RRType::A);
  ASSERT_EQ(first.outcome, Outcome::answer) << to_string(first.failure) << " " << first.failure_detail;

  *now += std::chrono::seconds(10);  // example.test.'s delegation (TTL 5) has expired; sub's (3600) not
  auto second = resolve("b.sub.example.test.", RRType::A);
  ASSERT_EQ(second.outcome, Outcome::answer) << to_string(second.failure) << " " << second.failure_detail;
  const auto q = std::find_if(second.trace.begin(), second.trace.end(), [](const TraceStep& s) { return s.kind == StepKind::query; });
  ASSERT_NE(q, second.trace.end());
  EXPECT_EQ(q->zone, N("test.")) << "the cached grandchild delegation was used after its parent's expired";
}

// Unbound's iter_dname_yx: YXDOMAIN from a DNAME substitution reaches the caller with the DNAME.
TEST_F(Iteration, YxdomainFromADnameIsTheOutcome) {
  world();
  // 253 octets: any name substituted below it exceeds 255.
  const std::string label(63, 'x');
  const std::string target = label + "." + label + "." + label + "." + std::string(59, 'y') + ".";
  example_->set_script([target](const Query& q) {
    return Reply{.message = make_reply(q, wire::Rcode::YXDomain, true,
                                       {testsupport::rr(("long.example.test. 300 IN DNAME " + target).c_str())})};
  });
  auto r = resolve("too.long.example.test.", RRType::A);
  EXPECT_EQ(r.outcome, Outcome::yxdomain) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_EQ(r.rcode, wire::Rcode::YXDomain);
  ASSERT_EQ(r.answer.size(), 1u);
  EXPECT_EQ(r.answer[0].type, RRType::DNAME);
}

// A root with two TLDs, test. (host 2, `test_body` appended) and alt. (host 6, `alt_body` appended), so
// that a name server of example.test. can sit outside test.'s bailiwick (no glue in its referral).
void serve_two_tlds(Net& net, const std::string& test_body, const std::string& alt_body) {
  net.serve_zone(1, ".", expand(net, R"(
. 86400 IN SOA a.root-servers.test. host.test. 1 3600 600 86400 3600
. 86400 IN NS a.root-servers.test.
test. 86400 IN NS ns1.nic.test.
ns1.nic.test. 86400 IN A {h2}
alt. 86400 IN NS ns1.nic.alt.
ns1.nic.alt. 86400 IN A {h6}
)"));
  net.serve_zone(2, "test.", expand(net, R"(
test. 86400 IN SOA ns1.nic.test. host.test. 1 3600 600 86400 3600
test. 86400 IN NS ns1.nic.test.
ns1.nic.test. 86400 IN A {h2}
)" + test_body));
  net.serve_zone(6, "alt.", expand(net, R"(
alt. 86400 IN SOA ns1.nic.alt. host.alt. 1 3600 600 86400 3600
alt. 86400 IN NS ns1.nic.alt.
ns1.nic.alt. 86400 IN A {h6}
)" + alt_body));
}

const char* kOtherAltZone = R"(
other.alt. 3600 IN SOA ns1.other.alt. host.other.alt. 1 3600 600 86400 300
other.alt. 3600 IN NS ns1.other.alt.
ns1.other.alt. 3600 IN A {h5}
)";

// Unbound's iter_pcdiff: the child zone gives its name server an address that fails (host 5); the glue
// its parent holds for that name (host 4) still works, and is tried.
TEST_F(Iteration, ParentSideGlueIsTriedWhenTheChildsAddressFails) {
  serve_two_tlds(net_, "example.test. 86400 IN NS ns1.other.alt.\n",
                 "other.alt. 86400 IN NS ns1.other.alt.\nns1.other.alt. 86400 IN A {h4}\n");
  auto example = std::make_shared<Zone>("example.test.", expand(net_, kExampleZone));
  auto other = std::make_shared<Zone>("other.alt.", expand(net_, kOtherAltZone));
  net_.serve(4, [example, other](const Query& q) {
    const bool ex = q.question.name.is_subdomain_of(N("example.test."));
    return Reply{.message = ex ? example->answer(q) : other->answer(q)};
  });
  auto& broken = net_.serve(5, [](const Query& q) { return Reply{.message = make_reply(q, wire::Rcode::ServFail, false, {})}; });
  auto r = resolve("www.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_EQ(r.answer.size(), 2u);
  EXPECT_GE(broken.udp_queries(), 1u);  // the child's address was tried first
}

// Unbound's iter_pcnamech: the child lists a name server its parent does not (ns1.other.alt., host 4);
// once the referral's only server (host 3) breaks, the child's extra name is used.
TEST_F(Iteration, ChildOnlyNsNameIsUsedWhenTheReferralsServersFail) {
  serve_two_tlds(net_, "example.test. 86400 IN NS ns1.example.test.\nns1.example.test. 86400 IN A {h3}\n",
                 "other.alt. 86400 IN NS ns1.other.alt.\nns1.other.alt. 86400 IN A {h4}\n");
  auto example = std::make_shared<Zone>("example.test.", expand(net_, kExampleZone));
  std::string other_text = kOtherAltZone;
  other_text.replace(other_text.find("{h5}"), 4, "{h4}");
  auto other = std::make_shared<Zone>("other.alt.", expand(net_, other_text));
  net_.serve(4, [example, other](const Query& q) {
    const bool ex = q.question.name.is_subdomain_of(N("example.test."));
    return Reply{.message = ex ? example->answer(q) : other->answer(q)};
  });
  auto broken = std::make_shared<bool>(false);
  net_.serve(3, [broken](const Query& q) {
    if (*broken) return Reply{.message = make_reply(q, wire::Rcode::ServFail, false, {})};
    return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {testsupport::rr("www.example.test. 300 IN A 192.0.2.80")},
                                       {testsupport::rr("example.test. 3600 IN NS ns1.example.test."),
                                        testsupport::rr("example.test. 3600 IN NS ns1.other.alt.")})};
  });
  auto first = resolve("www.example.test.", RRType::A);
  ASSERT_EQ(first.outcome, Outcome::answer) << to_string(first.failure) << " " << first.failure_detail;
  *broken = true;
  auto r = resolve("empty.sub.example.test.", RRType::TXT);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
}

// Unbound's iter_pcnamechrec: as above, but the child-only name's own zone gives it a broken address
// (host 5); after that lookup the fallback runs again and uses the glue alt. holds for it (host 4).
TEST_F(Iteration, ChildOnlyNsNameFallsBackToItsParentsGlue) {
  serve_two_tlds(net_, "example.test. 86400 IN NS ns1.example.test.\nns1.example.test. 86400 IN A {h3}\n",
                 "other.alt. 86400 IN NS ns1.other.alt.\nns1.other.alt. 86400 IN A {h4}\n");
  auto example = std::make_shared<Zone>("example.test.", expand(net_, kExampleZone));
  auto other = std::make_shared<Zone>("other.alt.", expand(net_, kOtherAltZone));  // ns1.other.alt. A {h5}
  net_.serve(4, [example, other](const Query& q) {
    const bool ex = q.question.name.is_subdomain_of(N("example.test."));
    return Reply{.message = ex ? example->answer(q) : other->answer(q)};
  });
  auto& broken5 = net_.serve(5, [](const Query& q) { return Reply{.message = make_reply(q, wire::Rcode::ServFail, false, {})}; });
  auto broken = std::make_shared<bool>(false);
  net_.serve(3, [broken](const Query& q) {
    if (*broken) return Reply{.message = make_reply(q, wire::Rcode::ServFail, false, {})};
    return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {testsupport::rr("www.example.test. 300 IN A 192.0.2.80")},
                                       {testsupport::rr("example.test. 3600 IN NS ns1.example.test."),
                                        testsupport::rr("example.test. 3600 IN NS ns1.other.alt.")})};
  });
  auto first = resolve("www.example.test.", RRType::A);
  ASSERT_EQ(first.outcome, Outcome::answer) << to_string(first.failure) << " " << first.failure_detail;
  *broken = true;
  auto r = resolve("empty.sub.example.test.", RRType::TXT);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_GE(broken5.udp_queries(), 1u);  // the child-side address was tried first
}

// Unbound's iter_got6only: the only glue is an IPv6 address this host cannot reach (no route in the
// test namespace); the NS name's A record is looked up instead.
TEST_F(Iteration, NsNameIsLookedUpWhenItsGlueIsUnreachable) {
  net_.serve_zone(1, ".", expand(net_, R"(
. 86400 IN SOA a.root-servers.test. host.test. 1 3600 600 86400 3600
. 86400 IN NS a.root-servers.test.
test. 86400 IN NS ns1.nic.test.
ns1.nic.test. 86400 IN A {h2}
)"));
  auto test_zone = std::make_shared<Zone>("test.", expand(net_, R"(
test. 86400 IN SOA ns1.nic.test. host.test. 1 3600 600 86400 3600
test. 86400 IN NS ns1.nic.test.
ns1.nic.test. 86400 IN A {h2}
ns1.bla.test. 86400 IN A {h3}
)"));
  // test.'s server: the referral for example.test. carries only the AAAA glue (as in iter_got6only).
  net_.serve(2, [this, test_zone](const Query& q) {
    if (q.question.name.is_subdomain_of(N("example.test."))) {
      return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {},
                                         {testsupport::rr("example.test. 86400 IN NS ns1.bla.test.")},
                                         {testsupport::rr("ns1.bla.test. 86400 IN AAAA 2a00:dead::53")})};
    }
    (void)this;
    return Reply{.message = test_zone->answer(q)};
  });
  net_.serve_zone(3, "example.test.", expand(net_, kExampleZone));
  auto r = resolve("www.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
}

// Unbound's iter_failreply: an NS name outside the delegated zone whose only glue the address policy
// refuses (there ::1; here a private address) is treated as glueless: its A record is looked up
// and the zone's server found. An NS name inside the zone with refused glue is not looked up (the
// lookup would need this very zone's servers): PrivateAddressesAreNeverQueriedAndAreReported.
class RefusedGlue : public Iteration {
 protected:
  // test. delegates example.test. to ns1.bla.test. with glue `glue` only; test.'s own zone holds
  // ns1.bla.test's A record `address`. Host 3 serves example.test.
  void world_with(const std::string& glue, const std::string& address) {
    net_.serve_zone(1, ".", expand(net_, R"(
. 86400 IN SOA a.root-servers.test. host.test. 1 3600 600 86400 3600
. 86400 IN NS a.root-servers.test.
test. 86400 IN NS ns1.nic.test.
ns1.nic.test. 86400 IN A {h2}
)"));
    auto test_zone = std::make_shared<Zone>("test.", expand(net_, R"(
test. 86400 IN SOA ns1.nic.test. host.test. 1 3600 600 86400 3600
test. 86400 IN NS ns1.nic.test.
ns1.nic.test. 86400 IN A {h2}
ns1.bla.test. 86400 IN A )" + address + "\n"));
    net_.serve(2, [test_zone, glue](const Query& q) {
      if (q.question.name.is_subdomain_of(N("example.test."))) {
        return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {},
                                           {testsupport::rr("example.test. 86400 IN NS ns1.bla.test.")},
                                           {testsupport::rr(("ns1.bla.test. 86400 IN A " + glue).c_str())})};
      }
      return Reply{.message = test_zone->answer(q)};
    });
    example_ = &net_.serve_zone(3, "example.test.", expand(net_, kExampleZone));
  }
};

TEST_F(RefusedGlue, NsNameIsLookedUpWhenThePolicyRefusesAllItsGlue) {
  world_with("10.0.0.53", net_.ip(3));
  auto r = resolve("www.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_EQ(r.answer.size(), 2u);
  EXPECT_EQ(count(r, StepKind::subresolution), 1);
  EXPECT_GE(example_->udp_queries(), 1u);
  // The refused glue is still reported, and never queried.
  ASSERT_EQ(r.refused_addresses.size(), 1u);
  EXPECT_EQ(r.refused_addresses[0].address.to_string(), "10.0.0.53");
  EXPECT_EQ(r.refused_addresses[0].address_class, AddressClass::private_net);
}

TEST_F(RefusedGlue, ALookupThatFindsOnlyRefusedAddressesStillSaysSo) {
  world_with("10.0.0.53", "10.0.0.54");
  auto r = resolve("www.example.test.", RRType::A);
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::no_permitted_servers) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_EQ(count(r, StepKind::subresolution), 1);  // looked up once, not again by the fallback
  ASSERT_EQ(r.refused_addresses.size(), 2u);
  EXPECT_EQ(example_->udp_queries(), 0u);
}

// Unbound's iter_resolve_minimised_refused: a server that refuses the shortened name is asked the
// full question.
TEST_F(Iteration, MinimisedQueryRefusedAsksTheFullQuestion) {
  world();
  example_->set_script([z = std::make_shared<Zone>("example.test.", expand(net_, kExampleZone))](const Query& q) {
    if (q.question.name == N("empty.sub.example.test.")) return Reply{.message = z->answer(q)};
    return Reply{.message = make_reply(q, wire::Rcode::Refused, false, {})};
  });
  Options o = net_.options({1});
  o.qname_minimisation = true;
  resolver(o);
  auto r = resolve("empty.sub.example.test.", RRType::TXT);
  ASSERT_EQ(r.outcome, Outcome::answer) << to_string(r.failure) << " " << r.failure_detail;
}

// RFC 2308 §5 (Unbound's iter_domain_sale checks it): the SOA of a negative answer carries the
// negative TTL, min(SOA TTL, MINIMUM), fresh from the server too.
TEST_F(Iteration, NegativeAnswerSoaCarriesTheNegativeTtl) {
  world();
  auto r = resolve("nope.example.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::nxdomain);
  ASSERT_TRUE(r.negative_soa.has_value());
  EXPECT_EQ(r.negative_soa->ttl, 120u);
}

}  // namespace
}  // namespace dkimdoctor::resolver
