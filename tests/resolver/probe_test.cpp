// The authority probe against a scripted delegation with every kind of trouble at once: the parent
// and the zone disagree on the NS set, one server is stale, one refuses, one is silent, one NS name
// does not resolve, one has a private address, and one answer needs TCP.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

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

std::string zone_text(int serial) {
  std::string z = "example.test. 3600 IN SOA ns1.example.test. h. " + std::to_string(serial) + " 3600 600 86400 60\n"
                  "example.test. 3600 IN NS ns1.example.test.\n"
                  "example.test. 3600 IN NS ns2.example.test.\n"
                  "example.test. 3600 IN NS ns5.example.test.\n"  // only the zone lists ns5
                  "ns1.example.test. 3600 IN A {h3}\n"
                  "ns2.example.test. 3600 IN A {h4}\n"
                  "ns5.example.test. 3600 IN A {h7}\n"
                  "_amazonses.example.test. 300 IN TXT \"token\"\n";
  for (int i = 0; i < 40; ++i) z += "big.example.test. 300 IN TXT \"" + std::string(50, 'a' + i % 26) + "\"\n";
  return z;
}

class Probe : public ::testing::Test {
 protected:
  void SetUp() override {
    serve_root_and_test(net_,
                        "example.test. 86400 IN NS ns1.example.test.\n"
                        "example.test. 86400 IN NS ns2.example.test.\n"
                        "example.test. 86400 IN NS ns3.example.test.\n"
                        "example.test. 86400 IN NS ns4.example.test.\n"
                        "example.test. 86400 IN NS ns.nowhere.test.\n"
                        "example.test. 86400 IN NS ns6.example.test.\n"
                        "ns1.example.test. 86400 IN A {h3}\n"
                        "ns2.example.test. 86400 IN A {h4}\n"
                        "ns3.example.test. 86400 IN A {h5}\n"
                        "ns4.example.test. 86400 IN A {h6}\n"
                        "ns6.example.test. 86400 IN A 192.168.0.53\n");
    net_.serve_zone(3, "example.test.", expand(net_, zone_text(2026112600)));                   // good
    net_.serve_zone(4, "example.test.", expand(net_, zone_text(2026112500)));                   // stale
    net_.serve(5, [](const Query& q) { return Reply{.message = make_reply(q, wire::Rcode::Refused, false, {})}; });  // lame
    silent_ = &net_.serve(6, [](const Query&) { return Reply{.drop = true}; });                   // silent
    net_.serve_zone(7, "example.test.", expand(net_, zone_text(2026112600)));                   // zone-only
    resolver_ = std::make_unique<Resolver>(net_.io.get_executor(), net_.options({1}));
  }
  ZoneProbe probe(const std::string& name, std::vector<wire::Question> qs) {
    return net_.run(resolver_->probe(N(name), std::move(qs)));
  }
  const ServerResponse* response(const ZoneProbe& p, int host, RRType type) {
    for (const auto& r : p.responses) {
      if (r.address == net_.addr(host) && r.question.type == type && !(r.question.name == p.zone)) return &r;
    }
    return nullptr;
  }
  Net net_;
  std::unique_ptr<Resolver> resolver_;
  testsupport::FaultServer* silent_ = nullptr;
};

TEST_F(Probe, FindsTheZoneAndBothNsSets) {
  auto p = probe("x._domainkey.example.test.", {});
  ASSERT_TRUE(p.zone_found);
  EXPECT_EQ(p.failure, Failure::none);
  EXPECT_EQ(p.zone, N("example.test."));
  EXPECT_EQ(p.parent, N("test."));
  EXPECT_TRUE(p.name_nxdomain);
  EXPECT_EQ(p.parent_ns.size(), 6u);
  std::set<std::string> zone_ns;
  for (const auto& n : p.zone_ns) zone_ns.insert(n.to_string());
  EXPECT_EQ(zone_ns, (std::set<std::string>{"ns1.example.test.", "ns2.example.test.", "ns5.example.test."}));
  const auto ns5 = std::find_if(p.servers.begin(), p.servers.end(), [](const ProbedNameServer& s) { return s.name == N("ns5.example.test."); });
  ASSERT_NE(ns5, p.servers.end());
  EXPECT_FALSE(ns5->at_parent);
  EXPECT_TRUE(ns5->at_zone);
  ASSERT_EQ(ns5->addresses.size(), 1u);
  EXPECT_TRUE(ns5->addresses[0].from_resolution);
}

TEST_F(Probe, AsksEveryServerAndReportsEachOne) {
  auto p = probe("example.test.", {wire::Question{N("_amazonses.example.test."), RRType::TXT, wire::RRClass::IN},
                                   wire::Question{N("big.example.test."), RRType::TXT, wire::RRClass::IN}});
  const auto* good = response(p, 3, RRType::TXT);
  ASSERT_NE(good, nullptr);
  EXPECT_EQ(good->error, ProbeError::none);
  EXPECT_TRUE(good->aa);
  EXPECT_EQ(good->answer.size(), 1u);
  const auto* lame = response(p, 5, RRType::TXT);
  ASSERT_NE(lame, nullptr);
  EXPECT_EQ(lame->error, ProbeError::refused);
  EXPECT_EQ(lame->rcode, wire::Rcode::Refused);
  const auto* silent = response(p, 6, RRType::TXT);
  ASSERT_NE(silent, nullptr);
  EXPECT_EQ(silent->error, ProbeError::timeout);
  // The big RRset came over TCP from every server that has it.
  int tcp = 0;
  for (const auto& r : p.responses) {
    if (r.question.name == N("big.example.test.") && r.error == ProbeError::none) {
      EXPECT_EQ(r.protocol, Protocol::tcp);
      EXPECT_TRUE(r.tc);
      EXPECT_EQ(r.answer.size(), 40u);
      ++tcp;
    }
  }
  EXPECT_EQ(tcp, 3);  // hosts 3, 4 and 7
}

// A server whose last try timed out a moment ago (kSilentServerHoldoff) is asked each question once, not
// a try and a retry (issue 16: a dead server cost every check 3 s); the answer is the same timeout.
TEST_F(Probe, AsksAnAddressFoundSilentOnceAQuestion) {
  const std::vector<wire::Question> qs{{N("_amazonses.example.test."), RRType::TXT, wire::RRClass::IN}};
  auto first = probe("example.test.", qs);
  const std::size_t after_first = silent_->udp_queries();
  auto second = probe("example.test.", qs);
  std::size_t asked = 0;
  for (const auto* p : {&first, &second}) {
    for (const auto& r : p->responses) {
      if (r.address != net_.addr(6)) continue;
      EXPECT_EQ(r.error, ProbeError::timeout) << r.question.name.to_string();
      if (p == &second) ++asked;
    }
  }
  EXPECT_EQ(asked, 3u);  // the zone's SOA and NS, and the question
  EXPECT_EQ(silent_->udp_queries() - after_first, asked);  // was a try and a retry each: 6
}

TEST_F(Probe, SerialsPerServer) {
  auto p = probe("example.test.", {});
  std::map<std::string, std::uint32_t> serials;
  for (const auto& s : p.serials) {
    if (s.serial) serials[s.address.to_string()] = *s.serial;
  }
  EXPECT_EQ(serials[net_.ip(3)], 2026112600u);
  EXPECT_EQ(serials[net_.ip(4)], 2026112500u);
  EXPECT_EQ(serials[net_.ip(7)], 2026112600u);
  EXPECT_EQ(serials.count(net_.ip(5)), 0u);
  const auto silent = std::find_if(p.serials.begin(), p.serials.end(), [&](const ServerSerial& s) { return s.address == net_.addr(6); });
  ASSERT_NE(silent, p.serials.end());
  EXPECT_EQ(silent->error, "timeout");
}

TEST_F(Probe, UnresolvableAndPolicyRefusedNameServersAreReported) {
  auto p = probe("example.test.", {});
  const auto nowhere = std::find_if(p.servers.begin(), p.servers.end(), [](const ProbedNameServer& s) { return s.name == N("ns.nowhere.test."); });
  ASSERT_NE(nowhere, p.servers.end());
  EXPECT_TRUE(nowhere->addresses.empty());
  EXPECT_EQ(nowhere->resolution_error, "NXDOMAIN");
  const auto priv = std::find_if(p.servers.begin(), p.servers.end(), [](const ProbedNameServer& s) { return s.name == N("ns6.example.test."); });
  ASSERT_NE(priv, p.servers.end());
  ASSERT_EQ(priv->addresses.size(), 1u);
  EXPECT_FALSE(priv->addresses[0].permitted);
  EXPECT_TRUE(priv->addresses[0].from_glue);
  EXPECT_EQ(priv->addresses[0].address_class, AddressClass::private_net);
  ASSERT_EQ(p.refused_addresses.size(), 1u);
  for (const auto& r : p.responses) EXPECT_NE(r.address.to_string(), "192.168.0.53");
}

TEST_F(Probe, NotDelegatedNameIsNxdomainAtTheParent) {
  auto p = probe("_amazonses.missing.test.", {});
  ASSERT_TRUE(p.zone_found);
  EXPECT_EQ(p.zone, N("test."));
  EXPECT_TRUE(p.name_nxdomain);
  EXPECT_EQ(p.walk_rcode, wire::Rcode::NXDomain);
}

}  // namespace
}  // namespace dkimdoctor::resolver
