// Open enums: every value has a text form and parses back (RFC 3597 §5 TYPEnnn / CLASSnnn).
#include <gtest/gtest.h>

#include "wire/types.hpp"
#include "wire/zonefile.hpp"

using namespace dkimdoctor::wire;

namespace {

TEST(Types, MnemonicsRoundTrip) {
  for (unsigned v = 0; v <= 65535; ++v) {
    const auto t = static_cast<RRType>(v);
    const auto back = parse_rrtype(to_string(t));
    ASSERT_TRUE(back) << v;
    EXPECT_EQ(*back, t) << to_string(t);
  }
  EXPECT_EQ(to_string(RRType::NSEC3PARAM), "NSEC3PARAM");
  EXPECT_EQ(to_string(static_cast<RRType>(65280)), "TYPE65280");
  EXPECT_EQ(parse_rrtype("txt"), RRType::TXT);
  EXPECT_EQ(parse_rrtype("type16"), RRType::TXT);
  EXPECT_EQ(parse_rrtype("TYPE257"), RRType::CAA);
  EXPECT_FALSE(parse_rrtype("TYPE65536"));
  EXPECT_FALSE(parse_rrtype("TYPE"));
  EXPECT_FALSE(parse_rrtype("TYPE-1"));
  EXPECT_FALSE(parse_rrtype("TYPE1x"));
  EXPECT_FALSE(parse_rrtype("BOGUS"));
  EXPECT_FALSE(parse_rrtype(""));
}

TEST(Types, Classes) {
  EXPECT_EQ(to_string(RRClass::IN), "IN");
  EXPECT_EQ(to_string(RRClass::CH), "CH");
  EXPECT_EQ(to_string(static_cast<RRClass>(32)), "CLASS32");
  EXPECT_EQ(parse_rrclass("in"), RRClass::IN);
  EXPECT_EQ(parse_rrclass("CLASS1"), RRClass::IN);
  EXPECT_EQ(parse_rrclass("HS"), static_cast<RRClass>(4));
  EXPECT_FALSE(parse_rrclass("CLASS65536"));
  for (unsigned v : {0u, 1u, 3u, 4u, 254u, 255u, 4096u, 65535u})
    EXPECT_EQ(parse_rrclass(to_string(static_cast<RRClass>(v))), static_cast<RRClass>(v));
}

TEST(Types, Rcodes) {
  EXPECT_EQ(to_string(Rcode::NXDomain), "NXDOMAIN");
  EXPECT_EQ(to_string(Rcode::BadVers), "BADVERS");
  EXPECT_EQ(to_string(static_cast<Rcode>(23)), "RCODE23");
  EXPECT_EQ(parse_rcode("nxdomain"), Rcode::NXDomain);
  EXPECT_EQ(parse_rcode("SERVFAIL"), Rcode::ServFail);
  EXPECT_EQ(parse_rcode("RCODE23"), static_cast<Rcode>(23));
  EXPECT_FALSE(parse_rcode("RCODE4096"));  // 12 bits
  for (unsigned v = 0; v < 4096; ++v) EXPECT_EQ(parse_rcode(to_string(static_cast<Rcode>(v))), static_cast<Rcode>(v));
}

TEST(Types, OpcodesAndSections) {
  EXPECT_EQ(to_string(Opcode::Query), "QUERY");
  EXPECT_EQ(to_string(Opcode::Notify), "NOTIFY");
  EXPECT_EQ(to_string(static_cast<Opcode>(3)), "OPCODE3");
  EXPECT_STREQ(to_string(Section::Authority), "AUTHORITY");
}

TEST(Types, Rfc3597Section5Examples) {
  // The examples of RFC 3597 §5 (with a $TTL, which they leave implicit).
  constexpr std::string_view text = R"($TTL 3600
a.example.   CLASS32     TYPE731         \# 6 abcd (
                                            ef 01 23 45 )
b.example.   HS          TYPE62347       \# 0
e.example.   IN          A               \# 4 0A000001
e.example.   CLASS1      TYPE1           10.0.0.2
)";
  auto records = parse_zone_text(text);
  ASSERT_TRUE(records) << to_string(records.error());
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ((*records)[0].to_string(), "a.example.\t3600\tCLASS32\tTYPE731\t\\# 6 ABCDEF012345");
  EXPECT_EQ((*records)[1].to_string(), "b.example.\t3600\tHS\tTYPE62347\t\\# 0");
  EXPECT_EQ((*records)[2].to_string(), "e.example.\t3600\tIN\tA\t10.0.0.1");
  EXPECT_EQ((*records)[3].to_string(), "e.example.\t3600\tIN\tA\t10.0.0.2");
}

}  // namespace
