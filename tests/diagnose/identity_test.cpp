// SES identity JSON, bulk input lines, regions, expectations and plan.
#include <gtest/gtest.h>

#include "diagnose/expect.hpp"
#include "diagnose/identity.hpp"

namespace dkimdoctor::diagnose {
namespace {

wire::Name N(std::string_view s) { return *wire::Name::parse(s); }

TEST(Regions, RegionalSigningZonesAreData) {
  EXPECT_TRUE(uses_regional_signing_zone("ap-southeast-3"));
  EXPECT_FALSE(uses_regional_signing_zone("eu-west-1"));
  EXPECT_FALSE(uses_regional_signing_zone("mars-north-9"));
  EXPECT_EQ(easy_dkim_target("abc", "us-east-1"), "abc.dkim.amazonses.com");
  EXPECT_EQ(easy_dkim_target("abc", ""), "abc.dkim.amazonses.com");
  EXPECT_EQ(easy_dkim_target("abc", "af-south-1"), "abc.dkim.af-south-1.amazonses.com");
  EXPECT_EQ(easy_dkim_target("abc", "us-gov-east-1"), "abc.dkim.us-gov-east-1.amazonses.com");
  EXPECT_EQ(signing_hosted_zone("ap-southeast-5"), "dkim.ap-southeast-5.amazonses.com");
  EXPECT_TRUE(plausible_region("eu-west-1"));
  EXPECT_FALSE(plausible_region("EU-WEST-1"));
  EXPECT_FALSE(plausible_region("-x-1"));
  EXPECT_FALSE(plausible_region("a"));
}

// The shape `aws sesv2 get-email-identity` prints.
const char* kSesJson = R"({
  "IdentityType": "DOMAIN",
  "FeedbackForwardingStatus": true,
  "VerifiedForSendingStatus": false,
  "DkimAttributes": {
    "SigningEnabled": true,
    "Status": "PENDING",
    "Tokens": ["t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "t2bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "t3cccccccccccccccccccccccccccccc"],
    "SigningAttributesOrigin": "AWS_SES",
    "NextSigningKeyLength": "RSA_2048_BIT",
    "CurrentSigningKeyLength": "RSA_2048_BIT",
    "SigningHostedZone": "dkim.af-south-1.amazonses.com"
  },
  "MailFromAttributes": {"MailFromDomain": "bounce.example.com", "MailFromDomainStatus": "PENDING",
                         "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"},
  "Policies": {}, "Tags": [],
  "VerificationStatus": "PENDING",
  "VerificationInfo": {"ErrorType": "HOST_NOT_FOUND", "LastCheckedTimestamp": "2026-11-26T10:00:00Z"}
})";

TEST(SesIdentityJson, EasyDkim) {
  Identity id;
  id.domain = N("example.com");
  ASSERT_TRUE(apply_ses_identity_json(kSesJson, id).ok());
  ASSERT_EQ(id.easy_dkim.size(), 3u);
  EXPECT_EQ(id.easy_dkim[0].token, "t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  EXPECT_EQ(id.easy_dkim[0].region, "af-south-1");
  EXPECT_EQ(id.ses_dkim_status, "PENDING");
  EXPECT_EQ(id.ses_signing_origin, "AWS_SES");
  EXPECT_EQ(id.ses_error_type, "HOST_NOT_FOUND");
  EXPECT_EQ(id.ses_verification_status, "PENDING");
  ASSERT_TRUE(id.mail_from);
  EXPECT_EQ(id.mail_from->to_string(), "bounce.example.com.");
  EXPECT_FALSE(id.byodkim_selector);
}

TEST(SesIdentityJson, ExternalOriginGivesTheSelector) {
  Identity id;
  id.domain = N("example.com");
  ASSERT_TRUE(apply_ses_identity_json(
                  R"({"DkimAttributes": {"SigningAttributesOrigin": "EXTERNAL", "Tokens": ["sel2026"], "Status": "FAILED"}})", id)
                  .ok());
  EXPECT_TRUE(id.easy_dkim.empty());
  EXPECT_EQ(id.byodkim_selector, "sel2026");
}

TEST(SesIdentityJson, GlobalZoneKeepsTheGivenRegion) {
  Identity id;
  id.domain = N("example.com");
  id.region = "eu-west-1";
  ASSERT_TRUE(apply_ses_identity_json(R"({"DkimAttributes": {"Tokens": ["abc"], "SigningHostedZone": "dkim.amazonses.com"}})", id).ok());
  ASSERT_EQ(id.easy_dkim.size(), 1u);
  EXPECT_EQ(id.easy_dkim[0].region, "eu-west-1");
}

struct BadJsonCase {
  const char* name;
  std::string json;
  IdentityErrc code;
};

const BadJsonCase kBadJson[] = {
    {"not_json", "DkimAttributes", IdentityErrc::bad_json},
    {"array", "[1,2]", IdentityErrc::bad_json},
    {"truncated", R"({"DkimAttributes": {"Tokens": ["a")", IdentityErrc::bad_json},
    {"tokens_not_array", R"({"DkimAttributes": {"Tokens": "abc"}})", IdentityErrc::bad_field},
    {"token_not_string", R"({"DkimAttributes": {"Tokens": [1]}})", IdentityErrc::bad_field},
    {"token_with_dot", R"({"DkimAttributes": {"Tokens": ["a.b"]}})", IdentityErrc::bad_token},
    {"token_empty", R"({"DkimAttributes": {"Tokens": [""]}})", IdentityErrc::bad_token},
    {"dkim_not_object", R"({"DkimAttributes": 3})", IdentityErrc::bad_field},
    {"status_not_string", R"({"VerificationStatus": {}})", IdentityErrc::bad_field},
    {"deep_nesting", std::string(10000, '[') + std::string(10000, ']'), IdentityErrc::bad_json},
    {"mail_from_garbage", R"({"MailFromAttributes": {"MailFromDomain": "a b"}})", IdentityErrc::bad_domain},
};

class SesIdentityJsonBad : public ::testing::TestWithParam<BadJsonCase> {};

TEST_P(SesIdentityJsonBad, IsAnErrorValue) {
  Identity id;
  id.domain = N("example.com");
  auto r = apply_ses_identity_json(GetParam().json, id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, GetParam().code) << to_string(r.error());
}

INSTANTIATE_TEST_SUITE_P(Hostile, SesIdentityJsonBad, ::testing::ValuesIn(kBadJson),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(BulkLine, FullObject) {
  auto r = parse_bulk_line(
      R"({"domain": "Example.COM.", "easy_dkim_tokens": ["a1", "b2"], "region": "eu-south-1", "byodkim_selector": "s1",)"
      R"( "verification_token": "tok=", "mail_from": "mail", "email": "x@example.com"})");
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  EXPECT_EQ(r->domain, N("example.com"));
  ASSERT_EQ(r->easy_dkim.size(), 2u);
  EXPECT_EQ(r->easy_dkim[1].region, "eu-south-1");
  EXPECT_EQ(r->byodkim_selector, "s1");
  EXPECT_EQ(r->verification_token, "tok=");
  EXPECT_EQ(r->mail_from->to_string(), "mail.Example.COM.");
  EXPECT_EQ(r->email, "x@example.com");
}

TEST(BulkLine, LabShapeWithAdditionalRegionsAndKeyFile) {
  auto r = parse_bulk_line(
      R"({"domain":"two-regions-3.com","easy_dkim_tokens":["aa","bb"],"region":"us-east-1","byodkim_selector":null,)"
      R"("byodkim_public_key_file":"/lab/keys/rsa2048-a.pub.pem","verification_token":"t=","mail_from":null,)"
      R"("email":null,"additional_regions":[{"region":"eu-central-2","easy_dkim_tokens":["cc"]}]})");
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  ASSERT_EQ(r->easy_dkim.size(), 3u);
  EXPECT_EQ(r->easy_dkim[0], (EasyDkimToken{"aa", "us-east-1"}));
  EXPECT_EQ(r->easy_dkim[2], (EasyDkimToken{"cc", "eu-central-2"}));
  EXPECT_EQ(r->public_key_file, "/lab/keys/rsa2048-a.pub.pem");
  EXPECT_FALSE(r->public_key_pem);
  EXPECT_FALSE(r->byodkim_selector);
  auto bad = parse_bulk_line(R"({"domain":"a.com","additional_regions":[{"region":"x y","easy_dkim_tokens":["cc"]}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, IdentityErrc::bad_region);
  auto bad2 = parse_bulk_line(R"({"domain":"a.com","additional_regions":[3]})");
  ASSERT_FALSE(bad2.ok());
  EXPECT_EQ(bad2.error().code, IdentityErrc::bad_field);
}

// The key file's older field name (it held a path, never PEM text) is still read; both at once are refused.
TEST(BulkLine, KeyFileUnderItsOlderName) {
  auto r = parse_bulk_line(R"({"domain":"a.com","byodkim_selector":"s1","byodkim_public_key_pem":"/keys/a.pem"})");
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  EXPECT_EQ(r->public_key_file, "/keys/a.pem");
  EXPECT_FALSE(r->public_key_pem);
  auto both = parse_bulk_line(
      R"({"domain":"a.com","byodkim_public_key_file":"/keys/a.pem","byodkim_public_key_pem":"/keys/b.pem"})");
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().code, IdentityErrc::bad_field);
}

TEST(BulkLine, PlainDomainAndEmailOnly) {
  auto d = parse_bulk_line("  example.org\r\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->domain, N("example.org"));
  auto e = parse_bulk_line(R"({"email": "who@mail.example.net"})");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->domain, N("mail.example.net"));
}

struct BadLineCase {
  const char* name;
  std::string line;
  IdentityErrc code;
};

const BadLineCase kBadLines[] = {
    {"blank", "   ", IdentityErrc::empty_line},
    {"comment", "# list", IdentityErrc::empty_line},
    {"no_domain", R"({"region": "eu-west-1"})", IdentityErrc::missing_domain},
    {"domain_not_string", R"({"domain": 5})", IdentityErrc::bad_field},
    {"bad_domain_chars", "exa mple.com", IdentityErrc::bad_domain},
    {"label_too_long", std::string(64, 'a') + ".com", IdentityErrc::bad_domain},
    {"empty_label", "a..com", IdentityErrc::bad_domain},
    {"bad_region", R"({"domain": "a.com", "region": "Mars"})", IdentityErrc::bad_region},
    {"bad_email", R"({"email": "nobody"})", IdentityErrc::bad_email},
    {"tokens_not_array", R"({"domain": "a.com", "easy_dkim_tokens": "x"})", IdentityErrc::bad_field},
    {"broken_json", R"({"domain": "a.com")", IdentityErrc::bad_json},
    {"mail_from_is_domain", R"({"domain": "a.com", "mail_from": "a.com"})", IdentityErrc::bad_domain},
};

class BulkLineBad : public ::testing::TestWithParam<BadLineCase> {};

TEST_P(BulkLineBad, IsAnErrorValue) {
  auto r = parse_bulk_line(GetParam().line);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, GetParam().code) << to_string(r.error());
}

INSTANTIATE_TEST_SUITE_P(Hostile, BulkLineBad, ::testing::ValuesIn(kBadLines),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Expectations, EveryRecordWithItsExactValue) {
  Identity id;
  id.domain = N("example.com");
  id.region = "il-central-1";
  id.easy_dkim = {{"tok1", "il-central-1"}, {"tok2", "us-west-2"}};
  id.byodkim_selector = "sel";
  id.verification_token = "abc=";
  id.mail_from = N("mail.example.com");
  id.email = "a@example.org";
  const auto e = expectations(id);
  ASSERT_EQ(e.size(), 8u);
  EXPECT_EQ(e[0].name, N("tok1._domainkey.example.com"));
  EXPECT_EQ(e[0].value, "tok1.dkim.il-central-1.amazonses.com.");
  EXPECT_EQ(e[1].value, "tok2.dkim.amazonses.com.");
  EXPECT_EQ(e[2].purpose, Purpose::byodkim);
  EXPECT_EQ(e[3].name, N("_amazonses.example.com"));
  EXPECT_EQ(e[3].value, "abc=");
  EXPECT_EQ(e[4].value, "10 feedback-smtp.il-central-1.amazonses.com.");
  EXPECT_EQ(e[5].value, "v=spf1 include:amazonses.com ~all");
  EXPECT_EQ(e[6].name, N("_dmarc.example.com"));
  EXPECT_EQ(e[7].name, N("example.org"));
  for (const auto& x : e) EXPECT_FALSE(x.why.empty());
  const auto p = plan(e);
  // CNAME+TXT at every server and TXT iterative per token; TXT twice for BYODKIM, token, SPF, DMARC; MX twice
  // for MAIL FROM; MX once for the email domain.
  EXPECT_EQ(p.size(), 2u * 3 + 4u * 2 + 2u + 1u);
  for (std::size_t i = 0; i < p.size(); ++i)
    for (std::size_t k = i + 1; k < p.size(); ++k) EXPECT_FALSE(p[i] == p[k]) << to_string(p[i]);
}

}  // namespace
}  // namespace dkimdoctor::diagnose
