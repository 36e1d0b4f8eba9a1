// Master-file text: the named.root layout the resolver reads for --root-hints, $TTL/$ORIGIN,
// relative names, blank owners, parentheses, and errors with offsets.
#include <gtest/gtest.h>

#include "wire/zonefile.hpp"

using namespace dkimdoctor::wire;

namespace {

// The layout of IANA's named.root (owner, TTL, type, RDATA; no class), trimmed.
constexpr std::string_view kNamedRoot = R"(;       This file holds the information on root name servers needed to
;       initialize cache of Internet domain name servers
;
; FORMERLY NS.INTERNIC.NET
;
.                        3600000      NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4
A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30
;
; FORMERLY NS1.ISI.EDU
;
.                        3600000      NS    B.ROOT-SERVERS.NET.
B.ROOT-SERVERS.NET.      3600000      A     170.247.170.2
B.ROOT-SERVERS.NET.      3600000      AAAA  2801:1b8:10::b
; End of file)";

TEST(ZoneText, NamedRootFormat) {
  auto records = parse_zone_text(kNamedRoot);
  ASSERT_TRUE(records) << to_string(records.error());
  ASSERT_EQ(records->size(), 6u);
  EXPECT_EQ((*records)[0].to_string(), ".\t3600000\tIN\tNS\tA.ROOT-SERVERS.NET.");
  EXPECT_EQ((*records)[1].to_string(), "A.ROOT-SERVERS.NET.\t3600000\tIN\tA\t198.41.0.4");
  EXPECT_EQ((*records)[2].to_string(), "A.ROOT-SERVERS.NET.\t3600000\tIN\tAAAA\t2001:503:ba3e::2:30");
  EXPECT_EQ((*records)[5].rdata.to_string(), "2801:1b8:10::b");
}

TEST(ZoneText, DirectivesRelativeNamesBlankOwnerParentheses) {
  constexpr std::string_view text = R"($ORIGIN example.com.
$TTL 1h
@       IN  SOA ns1 hostmaster (
                2026112601 ; serial
                7200 3600 1209600 3600 )
        IN  NS  ns1
        NS  ns2.provider.net.
ns1     300 IN A 192.0.2.53
www     IN 60 CNAME @
sel._domainkey 1d TXT "v=DKIM1; k=rsa; " "p=MIGf"
)";
  auto records = parse_zone_text(text);
  ASSERT_TRUE(records) << to_string(records.error());
  ASSERT_EQ(records->size(), 6u);
  const auto& r = *records;
  EXPECT_EQ(r[0].to_string(),
            "example.com.\t3600\tIN\tSOA\tns1.example.com. hostmaster.example.com. 2026112601 7200 3600 1209600 3600");
  EXPECT_EQ(r[1].to_string(), "example.com.\t3600\tIN\tNS\tns1.example.com.");
  EXPECT_EQ(r[2].to_string(), "example.com.\t3600\tIN\tNS\tns2.provider.net.");
  EXPECT_EQ(r[3].to_string(), "ns1.example.com.\t300\tIN\tA\t192.0.2.53");
  EXPECT_EQ(r[4].to_string(), "www.example.com.\t60\tIN\tCNAME\texample.com.");
  EXPECT_EQ(r[5].to_string(), "sel._domainkey.example.com.\t86400\tIN\tTXT\t\"v=DKIM1; k=rsa; \" \"p=MIGf\"");
}

TEST(ZoneText, OriginArgument) {
  auto records = parse_zone_text("$TTL 300\nmail MX 10 mx\n", *Name::parse("example.org"));
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].to_string(), "mail.example.org.\t300\tIN\tMX\t10 mx.example.org.");
}

struct Bad {
  const char* name;
  std::string_view text;
  Errc code;
  std::size_t offset;
};

const Bad kBad[] = {
    {"no_ttl_known", "example.com. A 192.0.2.1\n", Errc::bad_text, 0},
    {"unknown_type", "$TTL 1\nexample.com. BOGUS 1\n", Errc::unknown_type, 20},
    {"bad_rdata_offset", "$TTL 1\nexample.com. A 192.0.2.300\n", Errc::bad_text, 22},
    {"unbalanced_paren", "$TTL 1\nexample.com. TXT ( \"a\"\n", Errc::bad_text, 7},
    {"close_without_open", "$TTL 1\nexample.com. TXT ) \"a\"\n", Errc::bad_text, 24},
    {"unterminated_quote", "$TTL 1\nx. TXT \"abc\n", Errc::bad_text, 7},
    {"include_refused", "$INCLUDE /etc/passwd\n", Errc::bad_text, 0},
    {"blank_owner_first", "$TTL 1\n  A 192.0.2.1\n", Errc::bad_text, 9},
    {"missing_type", "$TTL 1\nexample.com. 300 IN\n", Errc::bad_text, 26},
    {"ttl_too_large", "$TTL 4294967296\n", Errc::bad_text, 0},
    {"label_too_long", "$TTL 1\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa. A 1.2.3.4\n",
     Errc::label_too_long, 70},
};

class ZoneTextBad : public ::testing::TestWithParam<Bad> {};

TEST_P(ZoneTextBad, Rejected) {
  const auto& c = GetParam();
  auto r = parse_zone_text(c.text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, c.code) << to_string(r.error());
  EXPECT_EQ(r.error().offset, c.offset) << to_string(r.error());
}

INSTANTIATE_TEST_SUITE_P(Table, ZoneTextBad, ::testing::ValuesIn(kBad),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
