// bulk's line of a checked identity, written straight from the CheckResult (cli/check_json.hpp), is byte for
// byte what the tree of to_json() dumps, and what bulk wrote from that tree (numbered_json_line), for
// hand-made CheckResults that reach every member: healthy and broken zones, a stale secondary, servers down,
// private, unreachable and truncating, DNSSEC causes, records to publish, notes, hostile and invalid UTF-8
// text everywhere, and the edges of every number.
#include <gtest/gtest.h>

#include <limits>

#include "cli/check.hpp"
#include "cli/check_json.hpp"
#include "cli/json_dump.hpp"
#include "tests/cli/observed.hpp"
#include "tests/diagnose/world.hpp"

namespace dkimdoctor::cli {
namespace {

using diagnose::testing::N;
using diagnose::testing::RR;
using diagnose::testing::TXT;
using wire::RRType;

const std::string kHostile = "<script>\"quote\" back\\slash \x01\x1f\t\n caf\xc3\xa9 bad \xff\xfe cut \xe2\x82";

std::string reference(const CheckResult& r) {
  return to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string streamed(const CheckResult& r) {
  std::string out = "prefix";
  append_check_json(out, r);
  return out.substr(6);
}

// Every plan lookup answered by `w`, judged.
CheckResult checked(const diagnose::testing::World& w) {
  CheckResult r = testing::observed(w);
  r.judgement = diagnose::judge(r.identity, r.expected, r.observations);
  r.queries = 24;
  r.elapsed = std::chrono::microseconds(522819);
  return r;
}

CheckResult healthy() {
  diagnose::testing::World w;
  w.identity.domain = N("example.com");
  w.identity.region = "us-east-1";
  w.identity.easy_dkim.push_back({"t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "us-east-1"});
  w.zone_records = {RR("example.com", RRType::SOA, "ns1.provider.test. hostmaster.example.com. 1 3600 600 86400 900"),
                    RR("t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa._domainkey.example.com", RRType::CNAME,
                       "t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.dkim.amazonses.com.")};
  w.elsewhere = {TXT("t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.dkim.amazonses.com", {"v=DKIM1; p=MIIB"})};
  return checked(w);
}

// Seven servers: right, stale, wrong value, down, truncating (TCP), unreachable from this host, private;
// hostile text in the zone, the notes, a finding and its record; a serial missing; errors, rcodes and RTTs.
CheckResult broken() {
  diagnose::testing::World w;
  w.identity.domain = N("example.com");
  w.identity.region = "eu-west-1";
  w.identity.understood = {"read " + kHostile + " as example.com"};
  for (const auto& t : {"t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "t2bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"})
    w.identity.easy_dkim.push_back({t, "eu-west-1"});
  w.identity.verification_token = "tok+en/=";
  w.servers = {{"ns1.provider.test", "127.53.1.1"}, {"ns2.provider.test", "127.53.1.2"},
               {"ns3.provider.test", "127.53.1.3"}, {"ns4.provider.test", "127.53.1.4"},
               {"ns5.provider.test", "127.53.1.5"}, {"ns6.provider.test", "2001:db8::53"}};
  w.zone_records = {RR("example.com", RRType::SOA, "ns1.provider.test. hostmaster.example.com. 1 3600 600 86400 900"),
                    RR("example.com", RRType::NS, "ns1.provider.test."), TXT("_amazonses.example.com", {kHostile}),
                    RR("t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa._domainkey.example.com", RRType::CNAME,
                       "t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.dkim.eu-west-1.amazonses.com.")};
  w.hidden.insert({1, "t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa._domainkey.example.com. CNAME"});
  w.only[2] = {RR("t2bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb._domainkey.example.com", RRType::CNAME, "wrong.example.net.")};
  w.down.insert(3);
  w.truncating.insert(4);
  w.host_limited.insert(5);
  w.serial[2] = 4294967295u;
  CheckResult r = checked(w);
  auto& servers = r.observations.delegation.servers;
  servers[1].serial.reset();
  servers[3].error = "timeout " + kHostile;
  servers[4].rcode = wire::Rcode::Refused;
  diagnose::ServerStatus refused;  // a private address: never asked, so no answers
  refused.ns_name = N("ns7\\\"q\\\\b\\200.provider.test");  // a name whose presentation JSON must escape
  refused.address = "10.0.0.53";
  refused.private_address = true;
  refused.error = "not queried: private address";
  servers.push_back(refused);
  std::uint32_t rtt = 0;
  for (auto& l : r.observations.lookups)
    for (auto& a : l.servers) a.rtt_ms = (rtt += 997) * 4099;
  diagnose::Finding hostile = diagnose::make_finding(diagnose::Code::DKIM_RECORD_MISSING, "<b>" + kHostile, kHostile);
  hostile.evidence = {"ns1 said " + kHostile, ""};
  hostile.cause = "RRSIG_EXPIRED";
  hostile.record = diagnose::RecordToPublish{"CNAME", "x._domainkey.example.com", kHostile, "example.com",
                                             "\"><script src=//evil.test/x.js></script>"};
  r.judgement.findings.push_back(hostile);
  r.judgement.headline = kHostile;
  r.notes = {"note with " + kHostile, ""};
  r.host_limits = {"ns6.provider.test (2001:db8::53)"};
  return r;
}

TEST(CheckJson, SameAsToJsonDump) {
  const CheckResult results[] = {CheckResult{}, healthy(), broken()};
  for (const auto& r : results) {
    const std::string expected = reference(r);
    EXPECT_EQ(streamed(r), expected);
    EXPECT_TRUE(nlohmann::json::accept(streamed(r)));
  }
}

// The fixtures reach every member to_json() can write, optional ones included, and every kind of value.
TEST(CheckJson, FixturesReachEveryMember) {
  const std::string text = reference(broken());
  for (const char* member : {"\"cause\":", "\"record\":{", "\"relative_name\":", "\"notes\":[", "\"understood\":[",
                             "\"host_limits\":[", "\"serial\":null", "\"serial\":4294967295", "\"rcode\":null",
                             "\"rcode\":\"REFUSED\"", "\"error\":\"timeout", "\"transport\":\"tcp\"", "\"ses_error\":null",
                             "\"ses_error\":\"", "\"answer\":[{\"data\":", "\"answers\":[]", "\xef\xbf\xbd", "\\u0001",
                             "\"not_checked_from_host\":true", "\"queried\":false", "\"in_parent\":true"}) {
    EXPECT_NE(text.find(member), std::string::npos) << member;
  }
}

TEST(CheckJson, NumbersAsNlohmannPrintsThem) {
  CheckResult r = healthy();
  const std::int64_t micros[] = {0, 1, 10, 999, 1000, 1001, 100000, 522819, 1234567, 86400000000, 9007199254740993,
                                 std::numeric_limits<std::int64_t>::max()};
  for (const auto us : micros) {
    r.elapsed = std::chrono::microseconds(us);
    EXPECT_EQ(streamed(r), reference(r)) << us;
  }
  for (const int queries : {0, -1, 1, 50, std::numeric_limits<int>::max(), std::numeric_limits<int>::min()}) {
    r.queries = queries;
    EXPECT_EQ(streamed(r), reference(r)) << queries;
  }
}

// bulk's line: "line" first, then the members, as it wrote them from the tree.
TEST(CheckJson, BulkLineSameAsFromTheTree) {
  const CheckResult results[] = {CheckResult{}, healthy(), broken()};
  for (const std::uint64_t number : {std::uint64_t{1}, std::uint64_t{4096}, std::numeric_limits<std::uint64_t>::max()}) {
    for (const auto& r : results) {
      const std::string line = numbered_check_line(number, r);
      EXPECT_EQ(line, numbered_json_line(number, to_json(r)));
      EXPECT_EQ(line.rfind("{\"line\":" + std::to_string(number) + ",\"domain\":", 0), 0u) << line;
      EXPECT_TRUE(nlohmann::json::accept(line));
    }
  }
}

}  // namespace
}  // namespace dkimdoctor::cli
