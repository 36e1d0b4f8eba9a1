// A check's shared replies (issue 16): within one SharedReplies a server is asked each question once,
// whether the probe or a resolution asks it; failed exchanges are asked again; nothing is shared without
// a SharedReplies, and a stopped transport is always asked.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <utility>

#include "resolver/resolver.hpp"
#include "resolver/shared_replies.hpp"
#include "tests/resolver/harness.hpp"

namespace dkimdoctor::resolver {
namespace {

using testsupport::expand;
using testsupport::Net;
using testsupport::Query;
using testsupport::Reply;
using testsupport::serve_root_and_test;
using testsupport::Zone;
using wire::Name;
using wire::RRType;

Name N(const std::string& s) { return *Name::parse(s); }

constexpr const char* kZone =
    "example.test. 3600 IN SOA ns1.example.test. h. 7 3600 600 86400 60\n"
    "example.test. 3600 IN NS ns1.example.test.\n"
    "example.test. 3600 IN NS ns2.example.test.\n"
    "ns1.example.test. 3600 IN A {h3}\n"
    "ns2.example.test. 3600 IN A {h4}\n"
    "_amazonses.example.test. 300 IN TXT \"token\"\n"
    "_dmarc.example.test. 300 IN TXT \"v=DMARC1; p=none\"\n";

// Two honest servers of example.test. that count what they are asked, per (server, name, type).
class Shared : public ::testing::Test {
 protected:
  void SetUp() override {
    serve_root_and_test(net_,
                        "example.test. 86400 IN NS ns1.example.test.\n"
                        "example.test. 86400 IN NS ns2.example.test.\n"
                        "ns1.example.test. 86400 IN A {h3}\n"
                        "ns2.example.test. 86400 IN A {h4}\n");
    auto zone = std::make_shared<Zone>("example.test.", expand(net_, kZone));
    for (int host : {3, 4}) {
      net_.serve(host, [this, zone, host](const Query& q) {
        ++asked_[{host, q.question.name.lowercased().to_string() + " " + wire::to_string(q.question.type)}];
        return Reply{.message = zone->answer(q)};
      });
    }
    resolver_ = std::make_unique<Resolver>(net_.io.get_executor(), net_.options({1}));
  }
  int asked(int host, const std::string& question) const {
    const auto it = asked_.find({host, question});
    return it == asked_.end() ? 0 : it->second;
  }
  // Queries any server got more than once for the same question.
  int repeated() const {
    int n = 0;
    for (const auto& [key, count] : asked_) n += count - 1;
    return n;
  }
  std::vector<wire::Question> txt(const std::string& name) {
    return {wire::Question{N(name), RRType::TXT, wire::RRClass::IN}};
  }

  Net net_;
  std::unique_ptr<Resolver> resolver_;
  std::map<std::pair<int, std::string>, int> asked_;
};

TEST_F(Shared, AResolutionAfterTheProbeTakesItsReplies) {
  auto replies = std::make_shared<SharedReplies>();
  const ZoneProbe p = net_.run(resolver_->probe(N("example.test."), txt("_amazonses.example.test."), nullptr, replies));
  ASSERT_TRUE(p.zone_found);
  EXPECT_EQ(asked(3, "_amazonses.example.test. TXT") + asked(4, "_amazonses.example.test. TXT"), 2);
  const Resolution r = net_.run(resolver_->resolve(N("_amazonses.example.test."), RRType::TXT, replies));
  EXPECT_EQ(r.outcome, Outcome::answer);
  ASSERT_EQ(r.answer.size(), 1u);
  EXPECT_EQ(r.queries, 0);  // the delegation from the cache, the answer from the probe's reply
  EXPECT_EQ(asked(3, "_amazonses.example.test. TXT") + asked(4, "_amazonses.example.test. TXT"), 2);
  EXPECT_EQ(repeated(), 0);
  EXPECT_GT(replies->hits(), 0);
}

TEST_F(Shared, WithoutSharedRepliesTheResolutionAsksAgain) {
  const ZoneProbe p = net_.run(resolver_->probe(N("example.test."), txt("_amazonses.example.test.")));
  ASSERT_TRUE(p.zone_found);
  const Resolution r = net_.run(resolver_->resolve(N("_amazonses.example.test."), RRType::TXT));
  EXPECT_EQ(r.outcome, Outcome::answer);
  EXPECT_EQ(r.queries, 1);
  EXPECT_EQ(asked(3, "_amazonses.example.test. TXT") + asked(4, "_amazonses.example.test. TXT"), 3);
}

TEST_F(Shared, TheWalksSoaAnswersThatServersSoaAsk) {
  auto replies = std::make_shared<SharedReplies>();
  const ZoneProbe p = net_.run(resolver_->probe(N("example.test."), {}, nullptr, replies));
  ASSERT_TRUE(p.zone_found);
  // The walk asked one server the zone's SOA; the probe then asks both, the walk's server from its reply.
  EXPECT_EQ(asked(3, "example.test. SOA") + asked(4, "example.test. SOA"), 2);
  EXPECT_EQ(repeated(), 0);
  // Every server's SOA is still reported, with its serial.
  ASSERT_EQ(p.serials.size(), 2u);
  for (const auto& s : p.serials) EXPECT_EQ(s.serial, 7u);
}

TEST_F(Shared, AFollowUpProbeAsksOnlyItsNewQuestions) {
  auto replies = std::make_shared<SharedReplies>();
  auto budget = std::make_shared<ProbeBudget>();
  ASSERT_TRUE(net_.run(resolver_->probe(N("example.test."), txt("_amazonses.example.test."), budget, replies)).zone_found);
  const ZoneProbe again = net_.run(resolver_->probe(N("example.test."), txt("_dmarc.example.test."), budget, replies));
  ASSERT_TRUE(again.zone_found);
  EXPECT_EQ(again.zone_ns.size(), 2u);  // the NS replies, shared, still give the zone's NS set
  EXPECT_EQ(again.queries, 2);          // _dmarc TXT at each server, nothing else
  EXPECT_EQ(asked(3, "_dmarc.example.test. TXT"), 1);
  EXPECT_EQ(asked(4, "_dmarc.example.test. TXT"), 1);
  EXPECT_EQ(repeated(), 0);
}

// The table itself: what is kept and what matches.
TEST(SharedRepliesTable, KeepsRepliesOnlyAndMatchesTheSameQuestionToTheSameServer) {
  SharedReplies t;
  ExchangeRequest req;
  req.server = asio::ip::udp::endpoint(asio::ip::make_address("192.0.2.1"), 53);
  req.qname = N("X._domainkey.Example.TEST.");
  req.qtype = RRType::TXT;
  ExchangeResult failed;
  failed.error = TransportError::timeout;
  t.keep(req, failed);
  EXPECT_EQ(t.find(req), nullptr);  // a timeout (or a TCP reset) is asked again
  ExchangeResult ok;
  ok.reply = {1, 2, 3};
  t.keep(req, ok);
  ASSERT_EQ(t.size(), 1u);

  ExchangeRequest same = req;
  same.qname = N("x._DOMAINKEY.example.test.");  // another 0x20 case of the same name
  ASSERT_NE(t.find(same), nullptr);
  EXPECT_EQ(t.find(same)->reply, ok.reply);

  ExchangeRequest other_server = req;
  other_server.server = asio::ip::udp::endpoint(asio::ip::make_address("192.0.2.2"), 53);
  ExchangeRequest other_type = req;
  other_type.qtype = RRType::CNAME;
  ExchangeRequest other_rd = req;
  other_rd.rd = true;
  ExchangeRequest other_name = req;
  other_name.qname = N("y._domainkey.example.test.");
  for (const auto& r : {other_server, other_type, other_rd, other_name}) EXPECT_EQ(t.find(r), nullptr);
}

TEST_F(Shared, AStoppedTransportIsAskedNotTheTable) {
  auto replies = std::make_shared<SharedReplies>();
  ASSERT_TRUE(net_.run(resolver_->probe(N("example.test."), txt("_amazonses.example.test."), nullptr, replies))
                  .zone_found);
  resolver_->stop();
  const Resolution r = net_.run(resolver_->resolve(N("_amazonses.example.test."), RRType::TXT, replies));
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.failure, Failure::stopped);
}

}  // namespace
}  // namespace dkimdoctor::resolver
