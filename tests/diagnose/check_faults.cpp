// The check library (check/: probe + resolutions -> observations -> the check loop -> judge) against
// scripted servers, for the faults no real server in the lab produces: a CNAME with other data beside it
// (NSD refuses such a zone) and an answer that needs TCP from a server that refuses TCP. Binds
// 127.53.x.y:53, so it runs in a network namespace like the resolver's unit tests.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <optional>

#include <set>

#include "check/check.hpp"
#include "check/observe.hpp"
#include "cli/check.hpp"
#include "tests/resolver/harness.hpp"

namespace dkimdoctor::cli {
namespace {

using testsupport::expand;
using testsupport::make_reply;
using testsupport::Net;
using testsupport::Query;
using testsupport::Reply;
using testsupport::rr;
using testsupport::serve_root_and_test;
using testsupport::Zone;

const std::string kToken = "t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kVerification = "fmxqxT/icOYx4aA/bEUrDPMeax9/s3frblS+niixmqk=";

std::string zone_text() {
  std::string z =
      "example.test. 3600 IN SOA ns1.example.test. h. 2026112600 3600 600 86400 60\n"
      "example.test. 3600 IN NS ns1.example.test.\n"
      "example.test. 3600 IN NS ns2.example.test.\n"
      "ns1.example.test. 3600 IN A {h3}\n"
      "ns2.example.test. 3600 IN A {h4}\n"
      "_dmarc.example.test. 300 IN TXT \"v=DMARC1; p=none\"\n"
      "_amazonses.example.test. 300 IN TXT \"" + kVerification + "\"\n";
  // 40 more values: the RRset is larger than the 1232-octet EDNS size, so it needs TCP.
  for (int i = 0; i < 40; ++i)
    z += "_amazonses.example.test. 300 IN TXT \"" + std::string(40, static_cast<char>('a' + i % 26)) + "\"\n";
  return z;
}

class CheckFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    serve_root_and_test(net_,
                        "example.test. 86400 IN NS ns1.example.test.\n"
                        "example.test. 86400 IN NS ns2.example.test.\n"
                        "ns1.example.test. 86400 IN A {h3}\n"
                        "ns2.example.test. 86400 IN A {h4}\n");
    zone_ = std::make_shared<Zone>("example.test.", expand(net_, zone_text()));
  }

  // Both servers answer from the zone, except that the DKIM name holds a CNAME and a TXT at once.
  testsupport::Script with_cname_and_txt() {
    auto zone = zone_;
    return [zone](const Query& q) {
      Reply r;
      const auto dkim = *wire::Name::parse(kToken + "._domainkey.example.test.");
      if (q.question.name == dkim) {
        std::vector<wire::Record> answer;
        if (q.question.type == wire::RRType::TXT)
          answer.push_back(rr(kToken + "._domainkey.example.test. 300 IN TXT \"v=spf1 -all\""));
        else
          answer.push_back(rr(kToken + "._domainkey.example.test. 300 IN CNAME " + kToken + ".dkim.amazonses.com."));
        r.message = make_reply(q, wire::Rcode::NoError, true, answer);
      } else {
        r.message = zone->answer(q);
      }
      return r;
    };
  }

  CheckResult check(diagnose::Identity id) {
    resolver::Resolver res(net_.io.get_executor(), net_.options({1}));
    return net_.run(check::run(res, id));
  }

  static std::set<std::string> problems(const CheckResult& r) {
    std::set<std::string> out;
    for (const auto& f : r.judgement.findings)
      if (diagnose::is_problem(f)) out.insert(std::string(diagnose::to_string(f.code)));
    return out;
  }
  static std::set<std::string> codes(const CheckResult& r) {
    std::set<std::string> out;
    for (const auto& f : r.judgement.findings) out.insert(std::string(diagnose::to_string(f.code)));
    return out;
  }

  Net net_;
  std::shared_ptr<Zone> zone_;
};

diagnose::Identity identity(bool with_dkim, bool with_token) {
  diagnose::Identity id;
  id.domain = *wire::Name::parse("example.test");
  if (with_dkim) id.easy_dkim.push_back({kToken, ""});
  if (with_token) id.verification_token = kVerification;
  return id;
}

TEST_F(CheckFaults, CnameWithOtherData) {
  net_.serve(3, with_cname_and_txt());
  net_.serve(4, with_cname_and_txt());
  const auto r = check(identity(true, false));
  EXPECT_EQ(problems(r), (std::set<std::string>{"CNAME_WITH_OTHER_DATA"})) << to_json(r).dump(2);
  EXPECT_EQ(exit_status_of(r), 1);
}

TEST_F(CheckFaults, LargeAnswerOverTcpIsInformation) {
  net_.serve_zone(3, zone_);
  net_.serve_zone(4, zone_);
  const auto r = check(identity(false, true));
  EXPECT_TRUE(problems(r).empty()) << to_json(r).dump(2);
  EXPECT_TRUE(codes(r).count("TCP_REQUIRED")) << to_json(r).dump(2);
  EXPECT_TRUE(codes(r).count("VERIFICATION_TOKEN_OK")) << to_json(r).dump(2);
  EXPECT_EQ(exit_status_of(r), 0);
}

TEST_F(CheckFaults, ServerRefusingTcpFailsTheLargeAnswer) {
  net_.serve_zone(3, zone_);
  net_.serve_zone(4, zone_).refuse_tcp();
  const auto r = check(identity(false, true));
  EXPECT_EQ(problems(r), (std::set<std::string>{"TCP_FAILED"})) << to_json(r).dump(2);
  const auto j = to_json(r);
  bool names_server = false;
  for (const auto& f : j["findings"])
    if (f["code"] == "TCP_FAILED")
      for (const auto& e : f["evidence"]) names_server = names_server || e.get<std::string>().find(net_.ip(4)) != std::string::npos;
  EXPECT_TRUE(names_server) << j.dump(2);
}

// Every server of the zone times out while the parent answered: SES would get DNS_SERVER_ERROR too, so this
// is the domain's problem (a timeout is not a limit of this host: those fail at once, see HostLimits).
TEST_F(CheckFaults, EveryServerSilentIsAProblem) {
  auto silent = [](const Query&) {
    Reply r;
    r.drop = true;
    return r;
  };
  net_.serve(3, silent);
  net_.serve(4, silent);
  const auto r = check(identity(true, true));
  EXPECT_EQ(r.judgement.verdict, diagnose::Verdict::problems) << to_json(r).dump(2);
  EXPECT_EQ(exit_status_of(r), 1);
  EXPECT_TRUE(codes(r).count("NS_UNREACHABLE"));
  EXPECT_FALSE(codes(r).count("DKIM_RECORD_MISSING")) << "nothing can be called missing";
}

// A check stopped in flight (bulk's Ctrl-C): Resolver::stop() ends it promptly, its verdict is "could not
// tell", nothing is reported against the domain, and no coroutine is left waiting.
TEST_F(CheckFaults, StoppedCheckEndsIncompleteAndBlamesNothing) {
  auto silent = [](const Query&) { return Reply{.drop = true}; };
  auto& ns1 = net_.serve(3, silent);
  net_.serve(4, silent);
  resolver::Resolver res(net_.io.get_executor(), net_.options({1}));
  std::optional<CheckResult> result;
  asio::co_spawn(net_.io, check::run(res, identity(true, true)), [&result](std::exception_ptr e, CheckResult r) {
    ASSERT_FALSE(e);
    result = std::move(r);
  });
  while (ns1.udp_queries() == 0) net_.io.run_one();
  res.stop();
  while (!result) net_.io.run_one();
  EXPECT_EQ(result->judgement.verdict, diagnose::Verdict::incomplete) << to_json(*result).dump(2);
  EXPECT_EQ(exit_status_of(*result), 3);
  EXPECT_FALSE(codes(*result).count("NS_UNREACHABLE")) << "a stopped check blames no server";
  EXPECT_FALSE(codes(*result).count("DKIM_RECORD_MISSING"));
}

// The conversion from the probe's results: a REFUSED reply is a reply (the server is lame), a timeout is
// not (unreachable), an address the policy refused was never queried; serials and the SOA TTL carry over.
// observe() moves a probe's records into the lookup results: a question asked twice in one step still
// gives both lookups every server's records.
TEST_F(CheckFaults, ObserveGivesARepeatedQuestionItsRecordsTwice) {
  net_.serve_zone(3, zone_);
  net_.serve_zone(4, zone_);
  resolver::Resolver res(net_.io.get_executor(), net_.options({1}));
  const auto domain = *wire::Name::parse("example.test");
  const diagnose::Lookup dmarc{*wire::Name::parse("_dmarc.example.test"), wire::RRType::TXT,
                               diagnose::Scope::authoritative};
  const std::vector<diagnose::Lookup> lookups{dmarc, dmarc};
  const auto o = net_.run(check::observe(res, domain, lookups, true, false, std::make_shared<resolver::ProbeBudget>(),
                                         std::make_shared<resolver::SharedReplies>()));
  ASSERT_EQ(o.results.size(), 2u);
  // The probe asks each of the two servers the question twice: each lookup sees all four replies.
  ASSERT_EQ(o.results[0].servers.size(), 4u);
  ASSERT_EQ(o.results[1].servers.size(), 4u);
  for (std::size_t s = 0; s < 4; ++s) {
    EXPECT_EQ(o.results[0].servers[s].answer.size(), 1u);
    EXPECT_EQ(o.results[0].servers[s].answer, o.results[1].servers[s].answer);
    EXPECT_EQ(o.results[0].servers[s].address, o.results[1].servers[s].address);
  }
  ASSERT_TRUE(o.delegation);
  EXPECT_EQ(o.delegation->servers.size(), 2u);
  for (const auto& server : o.delegation->servers) EXPECT_EQ(server.serial, 2026112600u);
}

// The server answers' address text is asio's to_string(), written without inet_ntop for IPv4.
TEST(CheckObservations, AddressTextIsAsiosToString) {
  for (unsigned a : {0u, 1u, 9u, 10u, 99u, 100u, 127u, 200u, 255u}) {
    for (unsigned b : {0u, 5u, 10u, 53u, 100u, 255u}) {
      const asio::ip::address v4 = asio::ip::address_v4(asio::ip::address_v4::bytes_type{
          static_cast<unsigned char>(a), static_cast<unsigned char>(b), static_cast<unsigned char>(255 - b),
          static_cast<unsigned char>((a * 7 + b) % 256)});
      EXPECT_EQ(check::address_text(v4), v4.to_string());
    }
  }
  for (const char* text : {"::", "::1", "2001:db8::53", "::ffff:192.0.2.1", "fe80::1%1", "2001:db8:0:1:1:1:1:1"}) {
    const auto v6 = asio::ip::make_address(text);
    EXPECT_EQ(check::address_text(v6), v6.to_string());
  }
  EXPECT_EQ(check::address_text(asio::ip::make_address("127.53.0.1")), "127.53.0.1");
}

TEST(CheckObservations, ProbeToDelegationAndServerAnswers) {
  resolver::ZoneProbe p;
  p.zone = *wire::Name::parse("example.test");
  p.parent = *wire::Name::parse("test");
  p.zone_found = true;
  const auto ns1 = *wire::Name::parse("ns1.example.test"), ns2 = *wire::Name::parse("ns2.example.test"),
             ns3 = *wire::Name::parse("ns3.example.test"), ns4 = *wire::Name::parse("ns4.example.test");
  p.parent_ns = {ns1, ns2, ns3, ns4};
  p.zone_ns = {ns1, ns2};
  auto server = [](wire::Name n, const char* a, bool permitted) {
    resolver::ProbedNameServer s;
    s.name = n;
    resolver::NsAddress addr;
    addr.address = asio::ip::make_address(a);
    addr.permitted = permitted;
    s.addresses.push_back(addr);
    return s;
  };
  p.servers = {server(ns1, "127.53.200.3", true), server(ns2, "127.53.200.4", true), server(ns3, "127.53.200.5", true),
               server(ns4, "10.0.0.1", false)};
  const wire::Question soa{p.zone, wire::RRType::SOA, wire::RRClass::IN};
  const wire::Question txt{*wire::Name::parse("_amazonses.example.test"), wire::RRType::TXT, wire::RRClass::IN};
  auto response = [&](wire::Name n, const char* a, wire::Question q) {
    resolver::ServerResponse r;
    r.ns_name = n;
    r.address = asio::ip::make_address(a);
    r.question = q;
    return r;
  };
  auto good = response(ns1, "127.53.200.3", soa);
  good.rcode = wire::Rcode::NoError;
  good.aa = true;
  good.answer.push_back(rr("example.test. 3600 IN SOA ns1.example.test. h. 7 3600 600 86400 60"));
  auto refused = response(ns2, "127.53.200.4", soa);
  refused.rcode = wire::Rcode::Refused;
  refused.error = resolver::ProbeError::refused;
  auto silent = response(ns3, "127.53.200.5", soa);
  silent.error = resolver::ProbeError::timeout;
  auto big = response(ns1, "127.53.200.3", txt);
  big.rcode = wire::Rcode::NoError;
  big.aa = true;
  big.protocol = resolver::Protocol::tcp;
  big.tc = true;  // the UDP reply was truncated, so the probe asked over TCP
  big.answer.push_back(rr("_amazonses.example.test. 300 IN TXT \"x\""));
  p.responses = {good, refused, silent, big};

  const auto d = check::delegation_from(p);
  EXPECT_TRUE(d.complete);
  ASSERT_EQ(d.servers.size(), 4u);
  EXPECT_TRUE(d.servers[0].responded && d.servers[0].aa);
  EXPECT_EQ(d.servers[0].serial, 7u);
  EXPECT_TRUE(d.servers[1].responded);
  EXPECT_EQ(d.servers[1].rcode, wire::Rcode::Refused);
  EXPECT_FALSE(d.servers[2].responded);
  EXPECT_EQ(d.servers[2].error, "timeout");
  EXPECT_TRUE(d.servers[3].private_address);
  EXPECT_EQ(d.soa_ttl, 3600u);
  EXPECT_EQ(d.soa_minimum, 60u);

  const auto l = check::lookup_from(p, diagnose::Lookup{txt.name, wire::RRType::TXT, diagnose::Scope::authoritative});
  ASSERT_EQ(l.servers.size(), 2u);  // the refused address (never queried) and ns1's answer
  EXPECT_FALSE(l.servers[0].queried);
  EXPECT_TRUE(l.servers[1].truncated_udp);
  EXPECT_EQ(l.servers[1].transport, diagnose::Transport::tcp);
  EXPECT_EQ(l.servers[1].answer.size(), 1u);
}

// The DNSSEC glue (issue 14): whether a check validates, at what time, and the resolver's statuses and
// DNSSEC records carried into diagnose's observations.
TEST(CheckObservations, DnssecContextFromTheResolverOptions) {
  resolver::Options o;
  const auto d = check::dnssec_context(o);
  EXPECT_TRUE(d.validating);  // the built-in root hints: the IANA root KSKs are the anchor
  EXPECT_GT(d.now, 1764547200u);  // the wall clock (after 2025-12-01)
  o.validation_time = 1234567;
  EXPECT_EQ(check::dnssec_context(o).now, 1234567u);
  o.root_hints = resolver::RootHints{};  // a lab's root, no anchor given
  EXPECT_FALSE(check::dnssec_context(o).validating);
  o.trust_anchors.push_back(rr("example.test. 3600 IN DS 12345 13 2 "
                               "0000000000000000000000000000000000000000000000000000000000000000"));
  EXPECT_TRUE(check::dnssec_context(o).validating);
  o.validate = false;  // --no-validate
  EXPECT_FALSE(check::dnssec_context(o).validating);
}

TEST(CheckObservations, SecurityAndDnssecRecordsReachTheObservations) {
  resolver::Resolution r;
  r.outcome = resolver::Outcome::answer;
  r.rcode = wire::Rcode::NoError;
  const diagnose::Lookup l{*wire::Name::parse("_amazonses.example.test"), wire::RRType::TXT,
                           diagnose::Scope::iterative};
  EXPECT_EQ(check::lookup_from(r, l).iterative->security.status, diagnose::Security::unchecked);
  r.validation.checked = true;
  r.validation.status = dnssec::Status::bogus;
  r.validation.reason = dnssec::Reason::no_matching_dnskey;
  r.validation.zone = *wire::Name::parse("example.test");
  r.validation.key_tag = 12345;
  r.validation.algorithm = 13;
  r.validation.inception = 10;
  r.validation.expiration = 20;
  r.validation.earliest_expiration = 20;
  r.validation.detail = "no DNSKEY of example.test. matches the DS at test.";
  const auto s = check::lookup_from(r, l).iterative->security;
  EXPECT_EQ(s.status, diagnose::Security::bogus);
  EXPECT_EQ(s.reason, dnssec::to_string(dnssec::Reason::no_matching_dnskey));
  EXPECT_EQ(s.zone, r.validation.zone);
  EXPECT_EQ(s.key_tag, 12345);
  EXPECT_EQ(s.algorithm, 13);
  EXPECT_EQ(s.inception, 10u);
  EXPECT_EQ(s.expiration, 20u);
  EXPECT_EQ(s.earliest_expiration, 20u);
  EXPECT_EQ(s.detail, r.validation.detail);
  r.validation.status = dnssec::Status::secure;
  r.validation.reason = dnssec::Reason::none;
  EXPECT_EQ(check::lookup_from(r, l).iterative->security.status, diagnose::Security::secure);
  EXPECT_EQ(check::lookup_from(r, l).iterative->security.reason, "");

  resolver::ZoneProbe p;
  p.zone = *wire::Name::parse("example.test");
  p.zone_found = true;
  resolver::ServerResponse a;
  a.ns_name = *wire::Name::parse("ns1.example.test");
  a.address = asio::ip::make_address("127.53.200.3");
  a.question = wire::Question{l.name, wire::RRType::TXT, wire::RRClass::IN};
  a.rcode = wire::Rcode::NoError;
  a.aa = true;
  a.answer.push_back(rr("_amazonses.example.test. 300 IN TXT \"x\""));
  a.dnssec.push_back(rr("_amazonses.example.test. 300 IN RRSIG TXT 13 3 300 20310101000000 20290101000000 "
                        "12345 example.test. AAAA"));
  p.responses = {a};
  const auto seen = check::lookup_from(p, diagnose::Lookup{l.name, wire::RRType::TXT, diagnose::Scope::authoritative});
  ASSERT_EQ(seen.servers.size(), 1u);
  ASSERT_EQ(seen.servers[0].dnssec.size(), 1u);
  EXPECT_EQ(seen.servers[0].dnssec[0].type, wire::RRType::RRSIG);
  EXPECT_EQ(seen.servers[0].answer.size(), 1u);
}

}  // namespace
}  // namespace dkimdoctor::cli
