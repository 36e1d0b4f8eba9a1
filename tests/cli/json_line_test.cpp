// The hand-written JSON of a Resolution (`resolve --json` and `--batch` lines): the same text nlohmann::json
// dumps for the same members, and always valid JSON whatever bytes it is given.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "cli/json_line.hpp"
#include "cli/resolve.hpp"

namespace dkimdoctor::cli {
namespace {

using resolver::Resolution;

std::string as_json(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::string reference(std::string_view text) {
  return nlohmann::ordered_json(std::string(text)).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

wire::Record record(std::string_view owner, wire::RRType type, std::uint32_t ttl, std::string_view data) {
  auto name = wire::Name::parse(owner);
  auto rdata = wire::Rdata::parse(type, data);
  EXPECT_TRUE(name && rdata) << owner << " " << data;
  return wire::Record{*name, type, wire::RRClass::IN, ttl, *rdata};
}

std::string members(const Resolution& r) {
  std::string out = "{";
  append_resolution_members(out, r);
  return out + "}";
}

// The oracle: the members built with nlohmann, as the CLI once wrote them.
std::string reference_json(const Resolution& r) {
  nlohmann::ordered_json j;
  j["name"] = r.question.name.to_string();
  j["type"] = wire::to_string(r.question.type);
  if (r.outcome == resolver::Outcome::failed) {
    j["error"] = std::string(resolver::is_limit(r.failure) ? "limit: " : "") + resolver::to_string(r.failure) +
                 (r.failure_detail.empty() ? "" : ": " + r.failure_detail);
  } else {
    j["rcode"] = wire::to_string(r.rcode);
  }
  j["answer"] = nlohmann::ordered_json::array();
  for (const auto& rec : r.answer) j["answer"].push_back(record_to_json(rec));
  if (r.negative_soa) j["soa"] = record_to_json(*r.negative_soa);
  if (!r.refused_addresses.empty()) {
    auto& arr = j["refused_addresses"] = nlohmann::ordered_json::array();
    for (const auto& ref : r.refused_addresses) {
      arr.push_back({{"zone", ref.zone.to_string()},
                     {"ns", ref.ns_name.to_string()},
                     {"address", ref.address.to_string()},
                     {"class", resolver::to_string(ref.address_class)}});
    }
  }
  j["queries"] = r.queries;
  j["ms"] = static_cast<double>(r.elapsed.count() / 100) / 10.0;
  return j.dump();
}

TEST(JsonLine, StringsMatchNlohmann) {
  for (std::string_view s : std::initializer_list<std::string_view>{"", "plain", "quote \" backslash \\ slash /", "\b\f\n\r\t", std::string_view("\0\x01\x1f\x7f", 4),
                             "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7", "lone \xff byte", "cut \xe2\x82", "overlong \xc0\xaf",
                             "surrogate \xed\xa0\x80", "above \xf4\x90\x80\x80", "\\046\\.escaped."}) {
    EXPECT_EQ(as_json(s), reference(s)) << s;
    EXPECT_TRUE(nlohmann::json::accept(as_json(s)));
  }
}

TEST(JsonLine, HostileBytesAlwaysMakeValidJson) {
  // Every single octet, every pair starting with a non-ASCII octet, and broken three- and four-octet
  // sequences: the same U+FFFD replacements as nlohmann's.
  for (int a = 0; a < 256; ++a) {
    const std::string one(1, static_cast<char>(a));
    EXPECT_EQ(as_json(one), reference(one)) << a;
    if (a < 0x80) continue;
    for (int b = 0; b < 256; ++b) {
      const std::string two{static_cast<char>(a), static_cast<char>(b)};
      ASSERT_EQ(as_json(two), reference(two)) << a << " " << b;
      ASSERT_TRUE(nlohmann::json::accept(as_json(two))) << a << " " << b;
    }
  }
  for (std::string_view s : std::initializer_list<std::string_view>{"\xe2\x82x", "\xf0\x9f\x93", "\xf0\x9f\x93x\xf0",
                                                                   "\xe0\x80\x80", "\xf0\x80", "\xe2\x82\xac\xe2"}) {
    EXPECT_EQ(as_json(s), reference(s));
  }
}

TEST(JsonLine, EveryOctetAtEveryOffsetOfALongString) {
  // The eight-at-a-time scan for characters that need escaping must stop exactly at the special one.
  for (int special = 0; special < 256; ++special) {
    for (std::size_t at = 0; at < 20; ++at) {
      std::string text(40, 'k');
      text[at] = static_cast<char>(special);
      ASSERT_EQ(as_json(text), reference(text)) << special << " at " << at;
    }
  }
}

TEST(JsonLine, AnswerMatchesResolutionToJson) {
  Resolution r;
  r.question = {*wire::Name::parse("tok._domainkey.example.com"), wire::RRType::TXT, wire::RRClass::IN};
  r.outcome = resolver::Outcome::answer;
  r.rcode = wire::Rcode::NoError;
  r.answer.push_back(record("tok._domainkey.example.com", wire::RRType::CNAME, 3600, "tok.dkim.amazonses.com."));
  r.answer.push_back(record("tok.dkim.amazonses.com", wire::RRType::TXT, 300, R"("v=DKIM1; p=AB\"C\\D" "second\009")"));
  r.queries = 3;
  r.elapsed = std::chrono::microseconds(13349);
  EXPECT_EQ(members(r), reference_json(r));
  EXPECT_NE(members(r).find("\"ms\":13.3"), std::string::npos);
}

TEST(JsonLine, NegativeAndRefusedMatchResolutionToJson) {
  Resolution r;
  r.question = {*wire::Name::parse("nx.exa\\\"mple.org"), wire::RRType::A, wire::RRClass::IN};
  r.outcome = resolver::Outcome::nxdomain;
  r.rcode = wire::Rcode::NXDomain;
  r.negative_soa = record("exa\\\"mple.org", wire::RRType::SOA, 60, "ns1.example.org. host.example.org. 1 2 3 4 5");
  r.refused_addresses.push_back({*wire::Name::parse("org"), *wire::Name::parse("ns.org"),
                                 asio::ip::make_address("10.0.0.1"), resolver::AddressClass::private_net});
  r.elapsed = std::chrono::microseconds(17000);
  EXPECT_EQ(members(r), reference_json(r));
  EXPECT_NE(members(r).find("\"ms\":17.0"), std::string::npos);
}

TEST(JsonLine, FailureMatchesResolutionToJson) {
  Resolution r;
  r.question = {*wire::Name::parse("loop.example"), wire::RRType::AAAA, wire::RRClass::IN};
  r.outcome = resolver::Outcome::failed;
  r.failure = resolver::Failure::max_queries;
  r.failure_detail = "at example. (\"quoted\")";
  r.elapsed = std::chrono::microseconds(2500123);
  EXPECT_EQ(members(r), reference_json(r));
  r.failure = resolver::Failure::all_servers_failed;
  r.failure_detail.clear();
  EXPECT_EQ(members(r), reference_json(r));
}

TEST(JsonLine, DnssecObjectOnlyWhenChecked) {
  Resolution r;
  r.question = {*wire::Name::parse("www.example.com"), wire::RRType::A, wire::RRClass::IN};
  r.outcome = resolver::Outcome::answer;
  r.rcode = wire::Rcode::NoError;
  EXPECT_EQ(members(r).find("\"dnssec\""), std::string::npos);  // unchanged output without an anchor
  r.validation.checked = true;
  r.validation.status = dnssec::Status::bogus;
  r.validation.reason = dnssec::Reason::signature_expired;
  r.validation.zone = *wire::Name::parse("example.com");
  r.validation.key_tag = 12345;
  r.validation.algorithm = 13;
  r.validation.expiration = 1700000000;
  r.validation.detail = "the RRSIG of www.example.com. A has expired (\"quoted\")";
  const std::string out = members(r);
  const auto j = nlohmann::json::parse(out);  // valid JSON
  ASSERT_TRUE(j.contains("dnssec"));
  EXPECT_EQ(j["dnssec"]["status"], "bogus");
  EXPECT_EQ(j["dnssec"]["reason"], "signature_expired");
  EXPECT_EQ(j["dnssec"]["zone"], "example.com.");
  EXPECT_EQ(j["dnssec"]["key_tag"], 12345);
  EXPECT_EQ(j["dnssec"]["expiration"], 1700000000u);
  EXPECT_EQ(j["dnssec"]["detail"], r.validation.detail);
  EXPECT_EQ(resolver::describe(r.validation),
            "bogus (signature_expired: the RRSIG of www.example.com. A has expired (\"quoted\"))");
}

TEST(JsonLine, ValidationTimeParses) {
  EXPECT_EQ(parse_validation_time("20300101000000"), 1893456000u);
  EXPECT_EQ(parse_validation_time("1893456000"), 1893456000u);
  EXPECT_EQ(parse_validation_time("2030-01-01"), std::nullopt);
  EXPECT_EQ(parse_validation_time("20301301000000"), std::nullopt);  // month 13
  EXPECT_EQ(parse_validation_time("99999999999"), std::nullopt);     // over 2^32
  EXPECT_EQ(parse_validation_time(""), std::nullopt);
}

}  // namespace
}  // namespace dkimdoctor::cli
