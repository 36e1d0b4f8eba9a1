// Input people actually paste: tokens in every shape the SES console and CLI show them, region names with
// typos and capitals, Unicode domains, email addresses where a domain belongs, and the three SES JSON
// shapes. Each case says what must be understood, or the message that says how to fix the input.
#include <gtest/gtest.h>

#include "diagnose/identity.hpp"
#include "diagnose/regions.hpp"

namespace dkimdoctor::diagnose {
namespace {

wire::Name N(std::string_view s) { return *wire::Name::parse(s); }

constexpr const char* kT1 = "fenl3bx7fenl3bx7fenl3bx7fenl3bx7";
constexpr const char* kT2 = "mtahtus2mtahtus2mtahtus2mtahtus2";
constexpr const char* kT3 = "x6vy5h6wx6vy5h6wx6vy5h6wx6vy5h6w";

struct PasteCase {
  const char* name;
  std::string text;
  std::string region;                 // --region
  std::vector<std::string> tokens;    // understood tokens, in order ("token:region")
  std::string understood_contains;    // a note that must be there ("" = no note)
  int duplicates = 0;
};

std::string str(const EasyDkimToken& t) { return t.region.empty() ? t.token : t.token + ":" + t.region; }

class Pasted : public ::testing::TestWithParam<PasteCase> {};

TEST_P(Pasted, IsUnderstood) {
  const auto& c = GetParam();
  Identity id;
  id.domain = N("example.com");
  auto r = add_easy_dkim_tokens(c.text, c.region, id);
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  std::vector<std::string> got;
  for (const auto& t : id.easy_dkim) got.push_back(str(t));
  EXPECT_EQ(got, c.tokens);
  EXPECT_EQ(id.duplicate_tokens, c.duplicates);
  if (c.understood_contains.empty()) {
    EXPECT_TRUE(id.understood.empty()) << id.understood.front();
  } else {
    bool found = false;
    for (const auto& u : id.understood) found = found || u.find(c.understood_contains) != std::string::npos;
    EXPECT_TRUE(found) << "no note containing '" << c.understood_contains << "'";
  }
}

const std::string k3 = std::string(kT1) + "," + kT2 + "," + kT3;

INSTANTIATE_TEST_SUITE_P(
    Tokens, Pasted,
    ::testing::Values(
        PasteCase{"commas", k3, "", {kT1, kT2, kT3}, ""},
        PasteCase{"commas_and_spaces", std::string(kT1) + ", " + kT2 + ",  " + kT3, "", {kT1, kT2, kT3}, ""},
        PasteCase{"spaces_only", std::string(kT1) + " " + kT2 + "\t" + kT3 + "\n", "", {kT1, kT2, kT3}, ""},
        PasteCase{"quoted_list", "\"" + std::string(kT1) + ", " + kT2 + ", " + kT3 + "\"", "", {kT1, kT2, kT3}, ""},
        PasteCase{"full_record_names",
                  std::string(kT1) + "._domainkey.example.com " + kT2 + "._domainkey.example.com. " + kT3 +
                      "._DOMAINKEY.Example.COM",
                  "", {kT1, kT2, kT3}, "read as the record name of token"},
        PasteCase{"record_values", std::string(kT1) + ".dkim.amazonses.com," + kT2 + ".dkim.amazonses.com.", "",
                  {kT1, kT2}, "read as the record value of token"},
        PasteCase{"regional_value_names_the_region",
                  std::string(kT1) + ".dkim.ap-southeast-3.amazonses.com " + kT2 + " " + kT3, "",
                  {std::string(kT1) + ":ap-southeast-3", std::string(kT2) + ":ap-southeast-3",
                   std::string(kT3) + ":ap-southeast-3"},
                  "applied to the other tokens"},
        PasteCase{"whole_record_lines",
                  std::string(kT1) + "._domainkey.example.com CNAME " + kT1 + ".dkim.amazonses.com\n" + kT2 +
                      "._domainkey.example.com IN CNAME " + kT2 + ".dkim.amazonses.com",
                  "", {kT1, kT2}, "record name"},
        PasteCase{"token_colon_region", std::string(kT1) + ":EU-WEST-1", "", {std::string(kT1) + ":eu-west-1"}, ""},
        PasteCase{"duplicate_counted_once", std::string(kT1) + "," + kT1 + "," + kT2, "", {kT1, kT2}, "", 1},
        PasteCase{"region_from_flag", k3, "eu-west-1",
                  {std::string(kT1) + ":eu-west-1", std::string(kT2) + ":eu-west-1", std::string(kT3) + ":eu-west-1"},
                  ""}),
    [](const auto& info) { return std::string(info.param.name); });

struct RefusedCase {
  const char* name;
  std::string text;
  std::string message_contains;
};

class Refused : public ::testing::TestWithParam<RefusedCase> {};

TEST_P(Refused, SaysHowToFixIt) {
  const auto& c = GetParam();
  Identity id;
  id.domain = N("example.com");
  auto r = add_easy_dkim_tokens(c.text, "", id);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(to_string(r.error()).find(c.message_contains), std::string::npos) << to_string(r.error());
}

INSTANTIATE_TEST_SUITE_P(
    Tokens, Refused,
    ::testing::Values(
        RefusedCase{"record_of_another_domain", std::string(kT1) + "._domainkey.other.org", "not of example.com"},
        RefusedCase{"not_a_dkim_target", std::string(kT1) + ".mail.amazonses.com", "not an Easy DKIM target"},
        RefusedCase{"dotted_garbage", "foo.bar", "give the part before ._domainkey"},
        RefusedCase{"region_typo_in_value", std::string(kT1) + ".dkim.ap-southeast3.amazonses.com",
                    "did you mean ap-southeast-3?"},
        RefusedCase{"region_typo_after_colon", std::string(kT1) + ":eu-west1", "did you mean eu-west-1?"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Regions, CaseFoldedAndTyposGetASuggestion) {
  EXPECT_EQ(*parse_region("EU-WEST-1"), "eu-west-1");
  EXPECT_EQ(*parse_region(" ap-southeast-3 "), "ap-southeast-3");
  auto typo = parse_region("ap-southeast3");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(to_string(typo.error()).find("did you mean ap-southeast-3?"), std::string::npos);
  auto far = parse_region("mars-north-9");
  ASSERT_FALSE(far.ok());
  EXPECT_NE(to_string(far.error()).find("not an SES region"), std::string::npos);
  EXPECT_EQ(nearest_region("eu-west1"), "eu-west-1");
  EXPECT_EQ(edit_distance("chek", "check"), 1u);
  EXPECT_EQ(edit_distance("bluk", "bulk"), 1u) << "an adjacent transposition is one edit";
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(nearest_region("completely-else"), "");
}

TEST(Regions, EveryRegionHasItsTargetsAsData) {
  EXPECT_GE(ses_regions().size(), 29u);
  for (const auto& r : ses_regions()) {
    EXPECT_EQ(r.mail_from_mx, "feedback-smtp." + std::string(r.name) + ".amazonses.com");
    EXPECT_EQ(signing_hosted_zone(r.name), r.regional_signing ? "dkim." + std::string(r.name) + ".amazonses.com"
                                                              : std::string("dkim.amazonses.com"));
  }
}

TEST(Domains, UnicodeBecomesTheALabelAndSaysSo) {
  std::vector<std::string> understood;
  auto d = parse_domain("bücher.de", &understood);
  ASSERT_TRUE(d.ok()) << to_string(d.error());
  EXPECT_EQ(d->to_string(), "xn--bcher-kva.de.");
  ASSERT_EQ(understood.size(), 1u);
  EXPECT_NE(understood[0].find("xn--bcher-kva.de"), std::string::npos);
  auto jp = parse_domain("例え.jp", &understood);
  ASSERT_TRUE(jp.ok());
  EXPECT_EQ(jp->to_string(), "xn--r8jz45g.jp.");
  EXPECT_EQ(parse_domain("Bücher.DE")->to_string(), "xn--bcher-kva.de.");
}

// Fuzz find (fuzz_bulk_line, crash-4f1168b0f587): a line starting with NUL and holding a non-ASCII octet
// went to libidn2 as an empty C string and came back as the root name. Control characters are refused
// before IDNA, and an empty A-label is an empty domain.
TEST(Domains, FuzzNulBeforeNonAsciiIsRefusedNotTheRoot) {
  const std::string line("\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00\x2c\x67\x7f", 14);
  auto id = parse_bulk_line(line);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, IdentityErrc::bad_domain) << to_string(id.error());
  auto d = parse_domain(std::string("\x00\xc3\xbc.de", 6));
  EXPECT_FALSE(d.ok());
  EXPECT_FALSE(parse_domain("b\x01cher.de").ok());
}

// Fuzz find (fuzz_bulk_line, crash-ce256336302f): "\n." and a soft hyphen (U+00AD). IDNA maps the soft
// hyphen to nothing, which left "." and the root name. Whatever IDNA leaves, the root is an empty domain.
TEST(Domains, FuzzDotAndASoftHyphenIsRefusedNotTheRoot) {
  auto id = parse_bulk_line("\n.\xc2\xad");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, IdentityErrc::bad_domain) << to_string(id.error());
  for (const char* text : {".\xc2\xad", "\xc2\xad.", "\xe2\x80\x8d."}) {  // soft hyphen; zero-width joiner
    auto d = parse_domain(text);
    EXPECT_FALSE(d.ok() && d->is_root()) << text;
  }
  EXPECT_EQ(parse_domain("b\xc2\xad" "cher.de")->to_string(), "bcher.de.");  // a soft hyphen inside a name goes
}

TEST(Domains, AnEmailAddressPointsToEmail) {
  auto d = parse_domain("info@example.com");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(to_string(d.error()).find("--email info@example.com"), std::string::npos) << to_string(d.error());
}

TEST(Domains, InvalidUnicodeIsRefusedClearly) {
  auto d = parse_domain("a\xff\xfe.de");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(to_string(d.error()).find("not a valid internationalised domain name"), std::string::npos);
}

TEST(SesJsonShapes, GetIdentityDkimAttributes) {
  Identity id;
  id.domain = N("example.com");
  const std::string json = R"({"DkimAttributes": {"example.com": {"DkimEnabled": true,
      "DkimVerificationStatus": "Pending", "DkimTokens": [")" + std::string(kT1) + R"(", ")" + kT2 + R"(", ")" +
                           kT3 + R"("]}}})";
  auto r = apply_ses_identity_json(json, id);
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  ASSERT_EQ(id.easy_dkim.size(), 3u);
  EXPECT_EQ(id.easy_dkim[2].token, kT3);
  EXPECT_EQ(id.ses_dkim_status, "Pending");
}

TEST(SesJsonShapes, GetIdentityVerificationAttributes) {
  Identity id;
  id.domain = N("example.com");
  auto r = apply_ses_identity_json(R"({"VerificationAttributes": {"example.com": {"VerificationStatus": "Failed",
      "VerificationToken": "fmxqxT/icOYx4aA/bEUrDPMeax9/s3frblS+niixmqk="}}})", id);
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  ASSERT_TRUE(id.verification_token);
  EXPECT_EQ(*id.verification_token, "fmxqxT/icOYx4aA/bEUrDPMeax9/s3frblS+niixmqk=");
  EXPECT_EQ(id.ses_verification_status, "Failed");
}

TEST(SesJsonShapes, AnotherDomainsAttributesAreRefused) {
  Identity id;
  id.domain = N("example.com");
  auto r = apply_ses_identity_json(R"({"DkimAttributes": {"other.org": {"DkimTokens": ["abc"]}}})", id);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(to_string(r.error()).find("about other.org"), std::string::npos) << to_string(r.error());
}

TEST(SesJsonShapes, AnythingElseIsRefused) {
  Identity id;
  id.domain = N("example.com");
  auto r = apply_ses_identity_json(R"({"Identities": ["example.com"]})", id);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(to_string(r.error()).find("get-email-identity"), std::string::npos);
}

TEST(BulkLine, AnEmailAddressLineIsAnEmailIdentity) {
  auto id = parse_bulk_line("info@example.com");
  ASSERT_TRUE(id.ok()) << to_string(id.error());
  ASSERT_TRUE(id->email);
  EXPECT_EQ(*id->email, "info@example.com");
  EXPECT_EQ(id->domain.to_string(), "example.com.");
}

TEST(BulkLine, TokensArePastedAsInTheCli) {
  auto id = parse_bulk_line(R"({"domain": "example.com", "easy_dkim_tokens": [")" + std::string(kT1) +
                            "._domainkey.example.com\", \"" + kT2 + ", " + kT3 + "\"]}");
  ASSERT_TRUE(id.ok()) << to_string(id.error());
  EXPECT_EQ(id->easy_dkim.size(), 3u);
}

TEST(Limits, TokensPerIdentityAreBounded) {
  Identity id;
  id.domain = N("example.com");
  std::string many;
  for (std::size_t i = 0; i <= kMaxEasyDkimTokens; ++i) many += "tok" + std::to_string(i) + ",";
  auto r = add_easy_dkim_tokens(many, "", id);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(to_string(r.error()).find("per region"), std::string::npos);
}

}  // namespace
}  // namespace dkimdoctor::diagnose
