// Work per identity (issue 18, item 2): the caps of diagnose/limits.hpp hold where an identity is
// built, and what is refused is refused in time linear in the input (40,000 tokens used to take
// 176 s of quadratic de-duplication).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "diagnose/expect.hpp"
#include "diagnose/identity.hpp"
#include "diagnose/regions.hpp"
#include "diagnose/limits.hpp"

namespace dkimdoctor::diagnose {
namespace {

std::string tokens_json(std::size_t n) {
  std::string out = "[";
  for (std::size_t i = 0; i < n; ++i) out += (i ? ",\"t" : "\"t") + std::to_string(i) + "\"";
  return out + "]";
}

TEST(IdentityLimits, BulkLineTakesTheCapAndRefusesOneMore) {
  auto at_cap = parse_bulk_line(R"({"domain":"example.com","easy_dkim_tokens":)" + tokens_json(kMaxEasyDkimTokens) + "}");
  ASSERT_TRUE(at_cap) << to_string(at_cap.error());
  EXPECT_EQ(at_cap->easy_dkim.size(), kMaxEasyDkimTokens);
  auto over = parse_bulk_line(R"({"domain":"example.com","easy_dkim_tokens":)" + tokens_json(kMaxEasyDkimTokens + 1) + "}");
  ASSERT_FALSE(over);
  EXPECT_NE(to_string(over.error()).find("kMaxEasyDkimTokens"), std::string::npos);
}

TEST(IdentityLimits, TokensAcrossAdditionalRegionsCountTogether) {
  std::string regions = "[";
  std::size_t n = 0;
  for (const auto& region : ses_regions()) {
    regions += (n++ ? "," : "") + std::string(R"({"region":")") + std::string(region.name) +
               R"(","easy_dkim_tokens":["a","b","c","d"]})";
  }
  regions += "]";
  auto r = parse_bulk_line(R"({"domain":"example.com","easy_dkim_tokens":["x","y","z"],"additional_regions":)" + regions + "}");
  ASSERT_FALSE(r);  // 3 + 29 * 4 = 119 tokens
  EXPECT_NE(to_string(r.error()).find("kMaxEasyDkimTokens"), std::string::npos);
}

TEST(IdentityLimits, AtMostKMaxSesRegions) {
  std::string regions = "[";
  for (std::size_t r = 0; r < kMaxSesRegions; ++r) {
    regions += (r ? "," : "") + std::string(R"({"region":"xx-test-)") + std::to_string(r) + R"("})";
  }
  regions += "]";
  auto r = parse_bulk_line(R"({"domain":"example.com","additional_regions":)" + regions + "}");
  ASSERT_FALSE(r);
  EXPECT_NE(to_string(r.error()).find("kMaxSesRegions"), std::string::npos);
}

TEST(IdentityLimits, FortyThousandSesTokensAreRefusedInLinearTime) {
  const std::string json = R"({"IdentityType":"DOMAIN","DkimAttributes":{"Tokens":)" + tokens_json(40000) + "}}";
  Identity id;
  id.domain = *parse_domain("example.com");
  const auto start = std::chrono::steady_clock::now();
  auto r = apply_ses_identity_json(json, id);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(r);
  EXPECT_LE(id.easy_dkim.size(), kMaxEasyDkimTokens);
  EXPECT_LT(took, 2.0);  // was 176 s
}

TEST(IdentityLimits, ExpectedRecordsOfTheLargestIdentityStayWithinTheCap) {
  std::string line = R"({"domain":"example.com","email":"a@mail.example.com","byodkim_selector":"s1",)"
                     R"("verification_token":"v","mail_from":"bounce","region":"eu-west-1","easy_dkim_tokens":)" +
                     tokens_json(kMaxEasyDkimTokens) + "}";
  auto id = parse_bulk_line(line);
  ASSERT_TRUE(id) << to_string(id.error());
  const auto expected = expectations(*id);
  EXPECT_LE(expected.size(), kMaxExpectedRecords);
  EXPECT_GE(expected.size(), kMaxEasyDkimTokens);
}

}  // namespace
}  // namespace dkimdoctor::diagnose
