// Poisoning: a server that answers (the reply is accepted: right ID, port, question) but mixes in
// data it has no authority for. Nothing of it may be cached or used: the cache holds no attacker
// data afterwards and a follow-up resolution of each poisoned name goes to that name's real server.
#include "tests/resilience/suite.hpp"

namespace dkimdoctor::resilience {
namespace {

class Poisoning : public World {
 protected:
  // example.test's server answers honestly, then `edit` adds to the sections.
  void poison(std::function<void(const Query&, std::vector<Record>& answer, std::vector<Record>& authority,
                                 std::vector<Record>& additional, bool& aa, wire::Rcode& rcode)> edit,
              const std::string& extra = "") {
    world(extra);
    example_->set_script([z = example_zone_, edit](const Query& q) {
      auto honest = z->answer(q);
      auto v = wire::MessageView::parse(honest);
      std::vector<Record> an, au, ad;
      for (const auto& r : v->answers()) an.push_back(r.to_record());
      for (const auto& r : v->authority()) au.push_back(r.to_record());
      for (const auto& r : v->additional()) {
        if (r.type() != RRType::OPT) ad.push_back(r.to_record());
      }
      bool aa = v->header().aa;
      wire::Rcode rcode = v->rcode();
      edit(q, an, au, ad, aa, rcode);
      return Reply{.message = make_reply(q, rcode, aa, an, au, ad)};
    });
  }
  // The follow-up: www.other.test and www.bank.test come from their own servers, with the truth.
  void expect_real_servers_asked() {
    const auto other_before = other_->udp_queries(), bank_before = bank_->udp_queries();
    auto o = resolve("www.other.test.");
    ASSERT_EQ(o.outcome, Outcome::answer) << why(o);
    EXPECT_EQ(rdata(o), "192.0.2.90");
    EXPECT_EQ(other_->udp_queries(), other_before + 1);
    auto b = resolve("www.bank.test.");
    ASSERT_EQ(b.outcome, Outcome::answer) << why(b);
    EXPECT_EQ(rdata(b), "192.0.2.100");
    EXPECT_EQ(bank_->udp_queries(), bank_before + 1);
  }
};

TEST_F(Poisoning, OutOfBailiwickGlueInAReferral) {
  // example.test's server delegates child.example.test to ns1.other.test and ns.bank.test and
  // "helpfully" gives their addresses: the attacker's. Neither name is in example.test.
  world();
  auto& evil = net_.serve(66, [](const Query& q) {
    return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {rr(q.question.name.to_string() + " 300 IN A 6.6.6.6")})};
  });
  example_->set_script([this, z = example_zone_](const Query& q) {
    if (!q.question.name.is_subdomain_of(N("child.example.test."))) return Reply{.message = z->answer(q)};
    return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {},
                                       {rr("child.example.test. 3600 IN NS ns1.other.test."),
                                        rr("child.example.test. 3600 IN NS ns1.bank.test.")},
                                       {rr("ns1.other.test. 3600 IN A " + net_.ip(66)),
                                        rr("ns1.bank.test. 3600 IN A " + net_.ip(66))})};
  });
  auto r = resolve("www.child.example.test.");
  EXPECT_NE(rdata(r), "6.6.6.6");
  EXPECT_GE(scrubbed(r), 2);
  EXPECT_EQ(evil.udp_queries(), 0u);
  auto d = resolver().cache().delegation(N("child.example.test."));
  ASSERT_TRUE(d.has_value());  // the delegation itself is example.test's to make
  for (const auto& s : d->servers) EXPECT_TRUE(s.glue.empty()) << s.name.to_string();
  expect_clean_cache();
  expect_real_servers_asked();
  EXPECT_EQ(evil.udp_queries(), 0u);
}

TEST_F(Poisoning, OutOfBailiwickAnswerRecords) {
  poison([](const Query& q, auto& an, auto&, auto&, bool&, wire::Rcode&) {
    if (q.question.type != RRType::A) return;
    an.push_back(rr("www.other.test. 300 IN A 6.6.6.6"));
    an.push_back(rr("www.bank.test. 300 IN A 6.6.6.7"));
    an.push_back(rr("ns1.bank.test. 300 IN A 6.6.6.8"));
  });
  auto r = resolve("www.example.test.");
  ASSERT_EQ(r.outcome, Outcome::answer) << why(r);
  EXPECT_EQ(rdata(r), "192.0.2.80");
  EXPECT_EQ(scrubbed(r), 3);
  expect_clean_cache();
  expect_real_servers_asked();
}

TEST_F(Poisoning, UnrelatedRecordsInAdditional) {
  poison([](const Query&, auto&, auto& au, auto& ad, bool&, wire::Rcode&) {
    ad.push_back(rr("www.other.test. 300 IN A 6.6.6.6"));
    ad.push_back(rr("ns1.bank.test. 300 IN A 6.6.6.7"));
    ad.push_back(rr("mail.example.test. 300 IN A 6.6.6.8"));  // in the zone, but not asked for
    ad.push_back(rr("ns1.example.test. 300 IN A 6.6.6.9"));   // in the zone, no NS record names it here
    au.push_back(rr("bank.test. 3600 IN NS ns.evil.test."));  // authority for a sibling
  });
  auto r = resolve("www.example.test.");
  ASSERT_EQ(r.outcome, Outcome::answer) << why(r);
  EXPECT_EQ(rdata(r), "192.0.2.80");
  EXPECT_GE(scrubbed(r), 5);
  expect_clean_cache();
  auto mail = resolve("mail.example.test.");
  EXPECT_EQ(rdata(mail), "192.0.2.25");
  EXPECT_EQ(mail.queries, 1);  // asked, not taken from the additional section
  expect_real_servers_asked();
}

TEST_F(Poisoning, AuthorityClaimingTheParentZone) {
  // With a true answer, NS records for test. (the parent) and the root pointing at the attacker.
  poison([this](const Query&, auto&, auto& au, auto& ad, bool&, wire::Rcode&) {
    au.push_back(rr("test. 86400 IN NS ns.evil.test."));
    au.push_back(rr(". 86400 IN NS ns.evil.test."));
    ad.push_back(rr("ns.evil.test. 86400 IN A " + net_.ip(66)));
  });
  auto& evil = net_.serve(66, [](const Query& q) { return Reply{.message = make_reply(q, wire::Rcode::Refused, false, {})}; });
  auto r = resolve("www.example.test.");
  ASSERT_EQ(r.outcome, Outcome::answer) << why(r);
  EXPECT_FALSE(resolver().cache().delegation(N("test.")).has_value() &&
               cache_text().find("delegation test. NS ns.evil.test.") != std::string::npos);
  expect_clean_cache();
  expect_real_servers_asked();
  EXPECT_EQ(evil.udp_queries(), 0u);
}

TEST_F(Poisoning, ReferralToASiblingsServersClaimingTheParent) {
  // The attacker owns evil.test (honestly delegated to h66). Asked about www.evil.test, it answers
  // with a "referral" claiming test. and bank.test. are served by its own server.
  world("evil.test. 86400 IN NS ns.evil.test.\nns.evil.test. 86400 IN A {h66}\n");
  auto& evil = net_.serve(66, [this](const Query& q) {
    if (!q.question.name.is_subdomain_of(N("evil.test."))) {
      return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {rr(q.question.name.to_string() + " 300 IN A 6.6.6.6")})};
    }
    return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {},
                                       {rr("test. 86400 IN NS ns.evil.test."), rr("bank.test. 86400 IN NS ns.evil.test.")},
                                       {rr("ns.evil.test. 86400 IN A " + net_.ip(66))})};
  });
  auto r = resolve("www.evil.test.");
  EXPECT_EQ(r.outcome, Outcome::failed) << why(r);  // lame: an upward/lateral referral
  const auto evil_before = evil.udp_queries();
  EXPECT_FALSE(resolver().cache().delegation(N("bank.test.")).has_value());
  auto d = resolver().cache().delegation(N("test."));
  ASSERT_TRUE(d.has_value());
  ASSERT_EQ(d->servers.size(), 1u);
  EXPECT_EQ(d->servers[0].name, N("ns1.nic.test."));
  expect_real_servers_asked();
  EXPECT_EQ(evil.udp_queries(), evil_before);
}

TEST_F(Poisoning, AnswerForAnotherName) {
  // The reply matches the question, but its answer is about www.bank.test only.
  poison([](const Query& q, auto& an, auto&, auto&, bool&, wire::Rcode&) {
    if (!(q.question.name == N("www.example.test."))) return;
    an.clear();
    an.push_back(rr("www.bank.test. 300 IN A 6.6.6.6"));
  });
  auto r = resolve("www.example.test.");
  EXPECT_NE(r.outcome, Outcome::answer) << why(r);
  EXPECT_EQ(rdata(r).find("6.6.6.6"), std::string::npos);
  expect_clean_cache();
  expect_real_servers_asked();
}

TEST_F(Poisoning, CnameOutOfTheZoneWithTheTargetsData) {
  // www.example.test CNAME www.bank.test plus a forged A for www.bank.test: the target's data must
  // come from bank.test's own server.
  poison([](const Query& q, auto& an, auto&, auto&, bool&, wire::Rcode&) {
    if (!(q.question.name == N("alias.example.test."))) return;
    an.clear();
    an.push_back(rr("alias.example.test. 300 IN CNAME www.bank.test."));
    an.push_back(rr("www.bank.test. 300 IN A 6.6.6.6"));
  });
  auto r = resolve("alias.example.test.");
  ASSERT_EQ(r.outcome, Outcome::answer) << why(r);
  EXPECT_EQ(r.answer.back().rdata.to_string(), "192.0.2.100");
  EXPECT_EQ(bank_->udp_queries(), 1u);
  expect_clean_cache();
}

TEST_F(Poisoning, DnameForAnotherZone) {
  // A DNAME owned outside the zone (bank.test. DNAME evil...) riding along with a true answer.
  poison([](const Query&, auto& an, auto&, auto&, bool&, wire::Rcode&) {
    an.push_back(rr("bank.test. 300 IN DNAME evil.test."));
    an.push_back(rr("www.bank.test. 300 IN CNAME www.evil.test."));
  });
  auto r = resolve("www.example.test.");
  ASSERT_EQ(r.outcome, Outcome::answer) << why(r);
  EXPECT_EQ(rdata(r), "192.0.2.80");
  EXPECT_FALSE(resolver().cache().rrset(N("bank.test."), RRType::DNAME).has_value());
  EXPECT_FALSE(resolver().cache().rrset(N("www.bank.test."), RRType::CNAME).has_value());
  expect_real_servers_asked();
}

TEST_F(Poisoning, NxdomainThroughACnameLeavingTheZone) {
  // The attacker's zone says x.evil.test is a CNAME to www.bank.test and answers NXDOMAIN with its
  // own SOA. RFC 6604 makes an NXDOMAIN after a chain about the chain's last name, but evil.test's
  // server has no authority over www.bank.test: that must not become a cached "www.bank.test does
  // not exist", and the resolution must follow the CNAME to bank.test's servers.
  world("evil.test. 86400 IN NS ns.evil.test.\nns.evil.test. 86400 IN A {h66}\n");
  net_.serve(66, [](const Query& q) {
    return Reply{.message = make_reply(q, wire::Rcode::NXDomain, true, {rr("x.evil.test. 300 IN CNAME www.bank.test.")},
                                       {rr("evil.test. 3600 IN SOA ns.evil.test. h.evil.test. 1 3600 600 86400 3600")})};
  });
  auto x = resolve("x.evil.test.");
  EXPECT_NE(x.outcome, Outcome::nxdomain) << why(x) << ": a negative answer about www.bank.test. from evil.test.";
  EXPECT_FALSE(resolver().cache().negative(N("www.bank.test."), RRType::A).has_value())
      << "evil.test.'s server planted NXDOMAIN for www.bank.test. in the cache";
  auto b = resolve("www.bank.test.");
  ASSERT_EQ(b.outcome, Outcome::answer) << why(b);
  EXPECT_EQ(rdata(b), "192.0.2.100");
}

TEST_F(Poisoning, NegativeAnswerWithAForeignSoa) {
  // NXDOMAIN for a name in example.test carrying bank.test.'s SOA: the SOA is not example.test's to
  // give; nothing about bank.test may be cached.
  poison([](const Query& q, auto& an, auto& au, auto&, bool&, wire::Rcode& rcode) {
    if (!(q.question.name == N("nope.example.test."))) return;
    an.clear();
    au.clear();
    au.push_back(rr("bank.test. 3600 IN SOA ns1.bank.test. h.bank.test. 1 3600 600 86400 3600"));
    rcode = wire::Rcode::NXDomain;
  });
  auto r = resolve("nope.example.test.");
  (void)r;
  EXPECT_FALSE(resolver().cache().rrset(N("bank.test."), RRType::SOA).has_value());
  EXPECT_FALSE(resolver().cache().negative(N("bank.test."), RRType::A).has_value());
  expect_real_servers_asked();
}

TEST_F(Poisoning, InZoneGlueForAnotherZonesDelegation) {
  // The TLD is honest; example.test's server sends, with a true answer, NS records for
  // other.test (not its zone) plus glue: none of it may change how other.test is reached.
  poison([this](const Query&, auto&, auto& au, auto& ad, bool&, wire::Rcode&) {
    au.push_back(rr("other.test. 86400 IN NS ns.example.test."));
    ad.push_back(rr("ns.example.test. 86400 IN A " + net_.ip(66)));
  });
  auto& evil = net_.serve(66, [](const Query& q) {
    return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {rr(q.question.name.to_string() + " 300 IN A 6.6.6.6")})};
  });
  ASSERT_EQ(resolve("www.example.test.").outcome, Outcome::answer);
  EXPECT_FALSE(resolver().cache().delegation(N("other.test.")).has_value());
  expect_clean_cache({"ns.example.test."});
  expect_real_servers_asked();
  EXPECT_EQ(evil.udp_queries(), 0u);
}

// The same attempts with QNAME minimisation on (RFC 9156): the questions asked differ, the scrubbing
// and caching rules must not.
TEST_F(Poisoning, OutOfBailiwickAnswerRecordsWithQnameMinimisation) {
  poison([](const Query& q, auto& an, auto&, auto& ad, bool&, wire::Rcode&) {
    an.push_back(rr("www.other.test. 300 IN A 6.6.6.6"));
    ad.push_back(rr("ns1.bank.test. 300 IN A 6.6.6.8"));
    (void)q;
  });
  auto o = net_.options({1});
  o.qname_minimisation = true;
  fresh(o);
  auto r = resolve("www.example.test.");
  ASSERT_EQ(r.outcome, Outcome::answer) << why(r);
  EXPECT_EQ(rdata(r), "192.0.2.80");
  expect_clean_cache();
  expect_real_servers_asked();
}

TEST_F(Poisoning, NxdomainThroughACnameLeavingTheZoneWithQnameMinimisation) {
  world("evil.test. 86400 IN NS ns.evil.test.\nns.evil.test. 86400 IN A {h66}\n");
  net_.serve(66, [](const Query& q) {
    return Reply{.message = make_reply(q, wire::Rcode::NXDomain, true,
                                       {rr(q.question.name.to_string() + " 300 IN CNAME www.bank.test.")},
                                       {rr("evil.test. 3600 IN SOA ns.evil.test. h.evil.test. 1 3600 600 86400 3600")})};
  });
  auto o = net_.options({1});
  o.qname_minimisation = true;
  fresh(o);
  auto x = resolve("a.b.x.evil.test.");
  EXPECT_FALSE(resolver().cache().negative(N("www.bank.test."), RRType::A).has_value()) << why(x);
  EXPECT_FALSE(resolver().cache().negative(N("bank.test."), RRType::A).has_value());
  auto b = resolve("www.bank.test.");
  ASSERT_EQ(b.outcome, Outcome::answer) << why(b);
  EXPECT_EQ(rdata(b), "192.0.2.100");
}

}  // namespace
}  // namespace dkimdoctor::resilience
