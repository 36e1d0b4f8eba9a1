// What the probe sends each server (issue 16): every question once, and a question that another reply of
// the same server already answers not at all — the zone's NS set from its SOA reply's authority section,
// a CNAME question from the TXT reply at the same name — yet every server still gives every answer, and
// whenever that reply does not decide the question (minimal responses, TXT data where a CNAME could also
// sit, an error) the question is asked.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <utility>

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

// ok: the Easy DKIM CNAME; txt: a TXT where the CNAME belongs; both: a CNAME with TXT beside it (a broken
// provider; a TXT query gets the TXT); chain: a CNAME to an in-zone CNAME (the TXT reply chases it).
constexpr const char* kZone =
    "example.test. 3600 IN SOA ns1.example.test. h. 7 3600 600 86400 60\n"
    "example.test. 3600 IN NS ns1.example.test.\n"
    "example.test. 3600 IN NS ns2.example.test.\n"
    "ns1.example.test. 3600 IN A {h3}\n"
    "ns2.example.test. 3600 IN A {h4}\n"
    "ok._domainkey.example.test. 300 IN CNAME ok.dkim.amazonses.test.\n"
    "txt._domainkey.example.test. 300 IN TXT \"v=DKIM1; p=\"\n"
    "both._domainkey.example.test. 300 IN CNAME both.dkim.amazonses.test.\n"
    "both._domainkey.example.test. 300 IN TXT \"beside\"\n"
    "chain._domainkey.example.test. 300 IN CNAME hop.example.test.\n"
    "hop.example.test. 300 IN CNAME chain.dkim.amazonses.test.\n";

const char* kNames[] = {"ok", "txt", "both", "chain", "absent"};

// Two servers of example.test. that count what they are asked, per (server, name, type). `nsd`: positive
// answers carry the zone's NS set in the authority section; else minimal responses.
class ProbeQuestions : public ::testing::Test {
 protected:
  // loses_some: drops the first TXT query at ok and at txt, answers the next (packet loss). (Not the SOA:
  // the walk that finds the zone may ask it first, and a timeout there holds the address silent.)
  enum class Second { answers, refuses, silent, loses_some };
  void start(bool nsd, Second second = Second::answers) {
    serve_root_and_test(net_,
                        "example.test. 86400 IN NS ns1.example.test.\n"
                        "example.test. 86400 IN NS ns2.example.test.\n"
                        "ns1.example.test. 86400 IN A {h3}\n"
                        "ns2.example.test. 86400 IN A {h4}\n");
    auto zone = std::make_shared<Zone>("example.test.", expand(net_, kZone));
    zone->set_ns_in_authority(nsd);
    for (int host : {3, 4}) {
      const Second how = host == 4 ? second : Second::answers;
      net_.serve(host, [this, zone, host, how](const Query& q) {
        const int n = ++asked_[{host, q.question.name.lowercased().to_string() + " " + wire::to_string(q.question.type)}];
        const bool lost = how == Second::loses_some && n == 1 && q.question.type == RRType::TXT &&
                          (q.question.name == N("ok._domainkey.example.test.") ||
                           q.question.name == N("txt._domainkey.example.test."));
        if (how == Second::silent || lost) return Reply{.drop = true};
        if (how == Second::refuses) return Reply{.message = make_reply(q, wire::Rcode::Refused, false, {})};
        return Reply{.message = zone->answer(q)};
      });
    }
    resolver_ = std::make_unique<Resolver>(net_.io.get_executor(), net_.options({1}));
  }
  int asked(int host, const std::string& question) const {
    const auto it = asked_.find({host, question});
    return it == asked_.end() ? 0 : it->second;
  }
  int repeated() const {
    int n = 0;
    for (const auto& [key, count] : asked_) n += count - 1;
    return n;
  }
  // The check's questions for Easy DKIM names: CNAME and TXT at each.
  static std::vector<wire::Question> dkim_questions() {
    std::vector<wire::Question> qs;
    for (const char* n : kNames) {
      const Name name = N(std::string(n) + "._domainkey.example.test.");
      qs.push_back(wire::Question{name, RRType::CNAME, wire::RRClass::IN});
      qs.push_back(wire::Question{name, RRType::TXT, wire::RRClass::IN});
    }
    return qs;
  }
  ZoneProbe probe() {
    return net_.run(resolver_->probe(N("example.test."), dkim_questions(), nullptr, std::make_shared<SharedReplies>()));
  }
  const ServerResponse* response(const ZoneProbe& p, int host, const std::string& name, RRType type) const {
    for (const auto& r : p.responses)
      if (r.address == net_.addr(host) && r.question.name == N(name) && r.question.type == type) return &r;
    return nullptr;
  }
  std::string cname_target(const ZoneProbe& p, int host, const std::string& name) const {
    const ServerResponse* r = response(p, host, name, RRType::CNAME);
    if (!r || r->answer.size() != 1 || r->answer[0].type != RRType::CNAME) return "-";
    return r->answer[0].rdata.target()->to_string();
  }

  Net net_;
  std::unique_ptr<Resolver> resolver_;
  std::map<std::pair<int, std::string>, int> asked_;
};

TEST_F(ProbeQuestions, EachServerIsAskedOnlyWhatNoOtherReplyOfItsAnswers) {
  start(true);
  const ZoneProbe p = probe();
  ASSERT_TRUE(p.zone_found);
  EXPECT_EQ(repeated(), 0);
  for (int host : {3, 4}) {
    SCOPED_TRACE(host);
    EXPECT_EQ(asked(host, "example.test. SOA"), 1);
    EXPECT_EQ(asked(host, "example.test. NS"), 0);  // in the SOA reply's authority section
    for (const char* n : kNames) EXPECT_EQ(asked(host, std::string(n) + "._domainkey.example.test. TXT"), 1) << n;
    // The TXT reply gave the CNAME (ok) or said there is none (absent): not asked.
    EXPECT_EQ(asked(host, "ok._domainkey.example.test. CNAME"), 0);
    EXPECT_EQ(asked(host, "absent._domainkey.example.test. CNAME"), 0);
    // TXT data there (a CNAME may sit beside it), or a chased chain: asked.
    EXPECT_EQ(asked(host, "txt._domainkey.example.test. CNAME"), 1);
    EXPECT_EQ(asked(host, "both._domainkey.example.test. CNAME"), 1);
    EXPECT_EQ(asked(host, "chain._domainkey.example.test. CNAME"), 1);
  }
}

TEST_F(ProbeQuestions, EveryServerStillGivesEveryAnswer) {
  start(true);
  const ZoneProbe p = probe();
  ASSERT_TRUE(p.zone_found);
  EXPECT_EQ(p.zone_ns.size(), 2u);  // from the SOA replies
  for (int host : {3, 4}) {
    SCOPED_TRACE(host);
    EXPECT_EQ(cname_target(p, host, "ok._domainkey.example.test."), "ok.dkim.amazonses.test.");
    EXPECT_EQ(cname_target(p, host, "both._domainkey.example.test."), "both.dkim.amazonses.test.");
    EXPECT_EQ(cname_target(p, host, "chain._domainkey.example.test."), "hop.example.test.");
    EXPECT_EQ(cname_target(p, host, "txt._domainkey.example.test."), "-");
    const ServerResponse* ok = response(p, host, "ok._domainkey.example.test.", RRType::CNAME);
    ASSERT_NE(ok, nullptr);
    EXPECT_TRUE(ok->aa);
    EXPECT_EQ(ok->rcode, wire::Rcode::NoError);
    const ServerResponse* absent = response(p, host, "absent._domainkey.example.test.", RRType::CNAME);
    ASSERT_NE(absent, nullptr);
    EXPECT_EQ(absent->rcode, wire::Rcode::NXDomain);
    EXPECT_TRUE(absent->answer.empty());
    ASSERT_EQ(absent->authority.size(), 1u);
    EXPECT_EQ(absent->authority[0].type, RRType::SOA);
    const ServerResponse* txt = response(p, host, "txt._domainkey.example.test.", RRType::CNAME);
    ASSERT_NE(txt, nullptr);
    EXPECT_EQ(txt->rcode, wire::Rcode::NoError);
    EXPECT_TRUE(txt->answer.empty());
  }
}

TEST_F(ProbeQuestions, MinimalResponsesGetTheNsQuestion) {
  start(false);
  const ZoneProbe p = probe();
  ASSERT_TRUE(p.zone_found);
  EXPECT_EQ(p.zone_ns.size(), 2u);
  EXPECT_EQ(repeated(), 0);
  for (int host : {3, 4}) EXPECT_EQ(asked(host, "example.test. NS"), 1) << host;
}

TEST_F(ProbeQuestions, ALameServerIsAskedEveryQuestion) {
  start(true, Second::refuses);
  const ZoneProbe p = probe();
  ASSERT_TRUE(p.zone_found);
  EXPECT_EQ(repeated(), 0);
  EXPECT_EQ(asked(4, "example.test. NS"), 1);
  for (const char* n : kNames) {
    EXPECT_EQ(asked(4, std::string(n) + "._domainkey.example.test. CNAME"), 1) << n;
    const ServerResponse* r = response(p, 4, std::string(n) + "._domainkey.example.test.", RRType::CNAME);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->rcode, wire::Rcode::Refused);
    EXPECT_EQ(r->error, ProbeError::refused);
  }
}

// A silent server: the NS and CNAME questions are still asked after their SOA and TXT questions timed out;
// once the address is held silent, every question goes at once, each once. Met for the first time, its six
// first tries (SOA and five TXT) all time out: that is a silent server (kSilentServerEvidence), not loss,
// and none is retried (each TXT was asked twice before). (The SOA goes out from the zone's walk too.)
TEST_F(ProbeQuestions, ASilentServerIsAskedEveryQuestion) {
  start(true, Second::silent);
  ASSERT_TRUE(probe().zone_found);
  EXPECT_EQ(asked(4, "example.test. NS"), 1);
  for (const char* n : kNames) {
    EXPECT_EQ(asked(4, std::string(n) + "._domainkey.example.test. TXT"), 1) << n;
    EXPECT_EQ(asked(4, std::string(n) + "._domainkey.example.test. CNAME"), 1) << n;
  }
  asked_.clear();
  const ZoneProbe again = probe();
  ASSERT_TRUE(again.zone_found);
  EXPECT_EQ(asked(4, "example.test. NS"), 1);
  for (const char* n : kNames) {
    EXPECT_EQ(asked(4, std::string(n) + "._domainkey.example.test. TXT"), 1) << n;
    EXPECT_EQ(asked(4, std::string(n) + "._domainkey.example.test. CNAME"), 1) << n;
    const ServerResponse* r = response(again, 4, std::string(n) + "._domainkey.example.test.", RRType::CNAME);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->error, ProbeError::timeout);
  }
}

// Loss, not silence: two of the server's six first tries (the TXT at ok and at txt) are lost, the other
// four answered. The two are retried (in the second round, at once) and answered; the CNAME question at ok
// is then answered from ok's retried TXT reply and not asked, the one at txt is asked after it.
TEST_F(ProbeQuestions, LostFirstTriesAreRetriedWhenTheServerAnswersOthers) {
  start(true, Second::loses_some);
  const ZoneProbe p = probe();
  ASSERT_TRUE(p.zone_found);
  EXPECT_EQ(asked(4, "ok._domainkey.example.test. TXT"), 2);
  EXPECT_EQ(asked(4, "txt._domainkey.example.test. TXT"), 2);
  EXPECT_EQ(asked(4, "both._domainkey.example.test. TXT"), 1);
  EXPECT_EQ(asked(4, "example.test. NS"), 0);
  EXPECT_EQ(asked(4, "ok._domainkey.example.test. CNAME"), 0);
  EXPECT_EQ(asked(4, "txt._domainkey.example.test. CNAME"), 1);
  EXPECT_EQ(cname_target(p, 4, "ok._domainkey.example.test."), "ok.dkim.amazonses.test.");
  EXPECT_EQ(p.zone_ns.size(), 2u);
  for (const auto& r : p.responses) EXPECT_EQ(r.error, ProbeError::none) << r.question.name.to_string();
}

}  // namespace
}  // namespace dkimdoctor::resolver
