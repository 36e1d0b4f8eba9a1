// judge(): one named case per finding code, built from hand-made zone content (world.hpp). Each case
// states the problems (errors and warnings) the judge must report, and nothing else of those severities.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <functional>

#include "diagnose/dkim_key.hpp"
#include "diagnose/judge_internal.hpp"
#include "test_keys.hpp"
#include "world.hpp"

namespace dkimdoctor::diagnose {
namespace {

using namespace testing;
using wire::RRType;

const std::string kT1 = "t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kT2 = "t2bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kT3 = "t3cccccccccccccccccccccccccccccc";
const std::string kToken = "fmxqxT/icOYx4aA/bEUrDPMeax9/s3frblS+niixmqk=";
const std::string kDomain = "example.com";

std::string lowered(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string dkim_name(const std::string& t) { return t + "._domainkey.example.com"; }
std::string key_record(const char* key) { return std::string("v=DKIM1; k=rsa; p=") + key; }

void remove(World& w, const std::string& owner, RRType type) {
  std::erase_if(w.zone_records, [&](const wire::Record& r) { return r.owner == N(owner) && r.type == type; });
}
void remove_elsewhere(World& w, const std::string& owner, RRType type) {
  std::erase_if(w.elsewhere, [&](const wire::Record& r) { return r.owner == N(owner) && r.type == type; });
}
void set_byodkim(World& w, const std::vector<std::string>& strings) {
  remove(w, "sel._domainkey.example.com", RRType::TXT);
  w.zone_records.push_back(TXT("sel._domainkey.example.com", strings));
}

World healthy() {
  World w;
  w.identity.domain = N(kDomain);
  w.identity.region = "us-east-1";
  for (const auto& t : {kT1, kT2, kT3}) w.identity.easy_dkim.push_back({t, "us-east-1"});
  w.identity.byodkim_selector = "sel";
  w.identity.public_key_pem = testkeys::k2048_pem;
  w.identity.verification_token = kToken;
  w.identity.mail_from = N("mail.example.com");
  w.identity.email = "admin@example.com";
  w.zone_records = {
      RR(kDomain, RRType::SOA, "ns1.provider.test. hostmaster.example.com. 2026112601 3600 600 86400 900", 3600),
      RR(kDomain, RRType::NS, "ns1.provider.test."),
      RR(kDomain, RRType::NS, "ns2.provider.test."),
      RR(kDomain, RRType::MX, "10 mx.example.com."),
      RR("mx.example.com", RRType::A, "192.0.2.25"),
      RR("_dmarc.example.com", RRType::TXT, "\"v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com\""),
      TXT("_amazonses.example.com", {kToken}),
      RR("mail.example.com", RRType::MX, "10 feedback-smtp.us-east-1.amazonses.com."),
      RR("mail.example.com", RRType::TXT, "\"v=spf1 include:amazonses.com ~all\""),
      TXT("sel._domainkey.example.com", chunks(key_record(testkeys::k2048_spki))),
  };
  for (const auto& t : {kT1, kT2, kT3}) {
    w.zone_records.push_back(RR(dkim_name(t), RRType::CNAME, t + ".dkim.amazonses.com."));
    w.elsewhere.push_back(TXT(t + ".dkim.amazonses.com", chunks(key_record(testkeys::k2048b_spki))));
  }
  return w;
}

struct Case {
  const char* name;
  std::function<void(World&)> mutate;
  std::multiset<std::string> problems;  // codes of severity error or warning, exactly
  std::vector<std::string> also = {};   // codes of any severity that must be present too
};

const std::vector<Case>& cases() {
  static const std::vector<Case> table = {
      {"healthy", [](World&) {}, {},
       {"DELEGATION_OK", "DKIM_OK", "VERIFICATION_TOKEN_OK", "MAIL_FROM_OK", "DMARC_OK", "EMAIL_OK"}},
      {"healthy_minimal_domain_only",
       [](World& w) {
         Identity id;
         id.domain = N(kDomain);
         w.identity = id;
       },
       {"DKIM_NOT_CHECKED"}, {"DELEGATION_OK", "DMARC_OK", "VERIFICATION_TOKEN_FOUND", "DOMAIN_MX"}},
      {"healthy_regional_token",
       [](World& w) {
         const std::string t4 = "t4dddddddddddddddddddddddddddddd";
         w.identity.easy_dkim.push_back({t4, "af-south-1"});
         w.zone_records.push_back(RR(dkim_name(t4), RRType::CNAME, t4 + ".dkim.af-south-1.amazonses.com."));
         w.elsewhere.push_back(TXT(t4 + ".dkim.af-south-1.amazonses.com", chunks(key_record(testkeys::k1024_spki))));
       },
       {"DKIM_TOKENS_INCOMPLETE"}, {"DKIM_OK"}},
      // Delegation and servers.
      {"domain_not_delegated",
       [](World& w) {
         w.delegation = Delegation{};
         w.delegation.complete = true;
         w.delegation.not_delegated = true;
         w.delegation.zone = N("com");
         w.delegation_set = true;
       },
       {"DOMAIN_NOT_DELEGATED"}},
      {"ns_private_address_all",
       [](World& w) {
         w.delegation = w.default_delegation();
         for (auto& s : w.delegation.servers) {
           s.private_address = true;
           s.responded = false;
           s.serial.reset();
           s.address = "10.0.0.53";
         }
         w.delegation_set = true;
       },
       {"NS_PRIVATE_ADDRESS"}},
      {"ns_unreachable_one", [](World& w) { w.down = {1}; }, {"NS_UNREACHABLE"}},
      {"ns_lame",
       [](World& w) {
         w.delegation = w.default_delegation();
         w.delegation.servers[1].aa = false;
         w.delegation.servers[1].rcode = wire::Rcode::Refused;
         w.delegation.servers[1].serial.reset();
         w.delegation_set = true;
       },
       {"NS_LAME"}},
      {"ns_set_mismatch_disjoint",
       [](World& w) {
         w.delegation = w.default_delegation();
         w.delegation.zone_ns = {N("ns-1.awsdns-01.org"), N("ns-2.awsdns-02.net")};
         w.delegation_set = true;
       },
       {"NS_SET_MISMATCH"}},
      {"soa_serial_and_record_inconsistent",
       [](World& w) {
         w.hidden.insert({1, N(dkim_name(kT1)).to_string() + " CNAME"});
         w.serial[1] = 2026110100;
       },
       {"RECORD_INCONSISTENT", "SOA_SERIAL_MISMATCH"}},
      // Servers agree when they serve the same records (type and RDATA), whatever their order and TTLs.
      {"records_agree_in_another_order",
       [](World& w) {
         w.zone_records.push_back(TXT("_amazonses.example.com", {"another-account-token"}));
         w.hidden.insert({1, N("_amazonses.example.com").to_string() + " TXT"});
         w.only[1] = {RR("_amazonses.example.com", RRType::TXT, "\"another-account-token\"", 60),
                      RR("_amazonses.example.com", RRType::TXT, "\"" + kToken + "\"", 60)};
       },
       {}, {"VERIFICATION_TOKEN_OK"}},
      {"record_inconsistent_other_value",
       [](World& w) {
         w.hidden.insert({1, N("_amazonses.example.com").to_string() + " TXT"});
         w.only[1] = {TXT("_amazonses.example.com", {"an-older-token"})};
       },
       {"RECORD_INCONSISTENT"}},
      {"tcp_required", [](World& w) { w.truncating = {0, 1}; }, {}, {"TCP_REQUIRED"}},
      {"tcp_failed",
       [](World& w) {
         w.truncating = {1};
         w.tcp_broken = {1};
       },
       {"TCP_FAILED"}},
      // Easy DKIM.
      {"dkim_record_missing", [](World& w) { remove(w, dkim_name(kT1), RRType::CNAME); },
       {"DKIM_RECORD_MISSING"}, {"NEGATIVE_CACHE_TTL"}},
      {"dkim_wrong_type_flattened",
       [](World& w) {
         remove(w, dkim_name(kT1), RRType::CNAME);
         w.zone_records.push_back(RR(dkim_name(kT1), RRType::A, "104.16.1.1"));
       },
       {"DKIM_WRONG_TYPE"}},
      {"dkim_wrong_type_txt",
       [](World& w) {
         remove(w, dkim_name(kT1), RRType::CNAME);
         w.zone_records.push_back(TXT(dkim_name(kT1), {kT1 + ".dkim.amazonses.com"}));
       },
       {"DKIM_WRONG_TYPE"}},
      {"dkim_wrong_target_other_region",
       [](World& w) {
         remove(w, dkim_name(kT1), RRType::CNAME);
         w.zone_records.push_back(RR(dkim_name(kT1), RRType::CNAME, kT1 + ".dkim.eu-south-1.amazonses.com."));
       },
       {"DKIM_WRONG_TARGET"}},
      {"dkim_wrong_target_other_token",
       [](World& w) {
         remove(w, dkim_name(kT1), RRType::CNAME);
         w.zone_records.push_back(RR(dkim_name(kT1), RRType::CNAME, kT2 + ".dkim.amazonses.com."));
       },
       {"DKIM_WRONG_TARGET"}},
      {"dkim_wrong_target_value_appended",
       [](World& w) {
         remove(w, dkim_name(kT1), RRType::CNAME);
         w.zone_records.push_back(RR(dkim_name(kT1), RRType::CNAME, kT1 + ".dkim.amazonses.com.example.com."));
       },
       {"DKIM_WRONG_TARGET"}},
      {"dkim_underscore_stripped_joined",
       [](World& w) {
         remove(w, dkim_name(kT1), RRType::CNAME);
         w.zone_records.push_back(RR(kT1 + "domainkey.example.com", RRType::CNAME, kT1 + ".dkim.amazonses.com."));
       },
       {"DKIM_UNDERSCORE_STRIPPED"}},
      {"dkim_underscore_stripped_hyphen",
       [](World& w) {
         remove(w, dkim_name(kT1), RRType::CNAME);
         w.zone_records.push_back(RR(kT1 + "-domainkey.example.com", RRType::CNAME, kT1 + ".dkim.amazonses.com."));
       },
       {"DKIM_UNDERSCORE_STRIPPED"}},
      {"dkim_underscore_stripped_dot",
       [](World& w) {
         remove(w, dkim_name(kT1), RRType::CNAME);
         w.zone_records.push_back(RR(kT1 + ".domainkey.example.com", RRType::CNAME, kT1 + ".dkim.amazonses.com."));
       },
       {"DKIM_UNDERSCORE_STRIPPED"}},
      {"dkim_domain_appended",
       [](World& w) {
         remove(w, dkim_name(kT1), RRType::CNAME);
         w.zone_records.push_back(RR(dkim_name(kT1) + ".example.com", RRType::CNAME, kT1 + ".dkim.amazonses.com."));
       },
       {"DKIM_DOMAIN_APPENDED"}},
      {"dkim_domainkey_removed",
       [](World& w) {
         remove(w, dkim_name(kT1), RRType::CNAME);
         w.zone_records.push_back(RR(kT1 + ".example.com", RRType::CNAME, kT1 + ".dkim.amazonses.com."));
       },
       {"DKIM_DOMAINKEY_REMOVED"}},
      {"dkim_multiple_values",
       [](World& w) {
         w.zone_records.push_back(RR(dkim_name(kT1), RRType::CNAME, kT1 + ".dkim.eu-south-1.amazonses.com."));
       },
       {"DKIM_MULTIPLE_VALUES"}},
      {"cname_with_other_data",
       [](World& w) { w.zone_records.push_back(TXT(dkim_name(kT1), {"v=spf1 -all"})); },
       {"CNAME_WITH_OTHER_DATA"}},
      {"dkim_target_unresolvable",
       [](World& w) { remove_elsewhere(w, kT1 + ".dkim.amazonses.com", RRType::TXT); },
       {"DKIM_TARGET_UNRESOLVABLE"}},
      {"dkim_cname_chain",
       [](World& w) {
         remove(w, dkim_name(kT1), RRType::CNAME);
         w.zone_records.push_back(RR(dkim_name(kT1), RRType::CNAME, kT1 + ".dkim.example.net."));
         w.elsewhere.push_back(RR(kT1 + ".dkim.example.net", RRType::CNAME, kT1 + ".dkim.amazonses.com."));
       },
       {"DKIM_CNAME_CHAIN"}},
      // BYODKIM.
      {"dkim_txt_missing", [](World& w) { remove(w, "sel._domainkey.example.com", RRType::TXT); },
       {"DKIM_TXT_MISSING"}, {"NEGATIVE_CACHE_TTL"}},
      {"byodkim_underscore_stripped",
       [](World& w) {
         remove(w, "sel._domainkey.example.com", RRType::TXT);
         w.zone_records.push_back(TXT("seldomainkey.example.com", chunks(key_record(testkeys::k2048_spki))));
       },
       {"DKIM_UNDERSCORE_STRIPPED"}},
      {"dkim_key_invalid_garbage", [](World& w) { set_byodkim(w, {"v=DKIM1; k=rsa; p=AAAABBBBCCCC"}); },
       {"DKIM_KEY_INVALID"}},
      {"dkim_key_invalid_revoked", [](World& w) { set_byodkim(w, {"v=DKIM1; k=rsa; p="}); }, {"DKIM_KEY_INVALID"}},
      {"dkim_key_invalid_ed25519",
       [](World& w) { set_byodkim(w, {std::string("v=DKIM1; k=ed25519; p=") + testkeys::ed25519_spki}); },
       {"DKIM_KEY_INVALID"}},
      {"value_case_changed_whole_record",
       [](World& w) { set_byodkim(w, chunks(lowered(key_record(testkeys::k2048_spki)))); },
       {"VALUE_CASE_CHANGED"}},
      {"value_case_changed_key_only",
       [](World& w) {
         set_byodkim(w, chunks("v=DKIM1; k=rsa; p=" + lowered(testkeys::k2048_spki)));
       },
       {"VALUE_CASE_CHANGED"}},
      {"value_case_changed_key_without_expected_key",
       [](World& w) {
         w.identity.public_key_pem.reset();
         set_byodkim(w, chunks("v=DKIM1; k=rsa; p=" + lowered(testkeys::k2048_spki)));
       },
       {"VALUE_CASE_CHANGED"}},
      {"dkim_key_size_small",
       [](World& w) {
         w.identity.public_key_pem.reset();
         set_byodkim(w, {key_record(testkeys::k512_spki)});
       },
       {"DKIM_KEY_SIZE"}},
      {"dkim_key_size_large",
       [](World& w) {
         w.identity.public_key_pem.reset();
         set_byodkim(w, chunks(key_record(testkeys::k4096_spki)));
       },
       {"DKIM_KEY_SIZE"}},
      {"dkim_key_mismatch", [](World& w) { set_byodkim(w, chunks(key_record(testkeys::k2048b_spki))); },
       {"DKIM_KEY_MISMATCH"}},
      {"dkim_key_pkcs1_accepted",
       [](World& w) {
         w.identity.public_key_pem.reset();
         set_byodkim(w, {key_record(testkeys::k1024_pkcs1)});
       },
       {}, {"DKIM_OK"}},
      {"dkim_txt_split_literal_quotes",
       [](World& w) {
         const std::string v = key_record(testkeys::k2048_spki);
         set_byodkim(w, {"\"" + v.substr(0, 200) + "\" \"", v.substr(200) + "\""});
       },
       {"DKIM_TXT_SPLIT"}},
      {"dkim_txt_split_backslash",
       [](World& w) { set_byodkim(w, chunks("v=DKIM1\\; k=rsa\\; p=" + std::string(testkeys::k2048_spki))); },
       {"DKIM_TXT_SPLIT"}},
      {"dkim_txt_split_cut_at_255",
       [](World& w) { set_byodkim(w, {key_record(testkeys::k2048_spki).substr(0, 255)}); },
       {"DKIM_TXT_SPLIT"}},
      {"dkim_txt_split_across_records",
       [](World& w) {
         const std::string v = key_record(testkeys::k2048_spki);
         remove(w, "sel._domainkey.example.com", RRType::TXT);
         w.zone_records.push_back(TXT("sel._domainkey.example.com", {v.substr(0, 250)}));
         w.zone_records.push_back(TXT("sel._domainkey.example.com", {v.substr(250)}));
       },
       {"DKIM_TXT_SPLIT"}},
      {"dkim_multiple_values_byodkim",
       [](World& w) {
         w.zone_records.push_back(TXT("sel._domainkey.example.com", chunks(key_record(testkeys::k2048b_spki))));
       },
       {"DKIM_MULTIPLE_VALUES"}},
      {"dkim_tag_syntax_missing_equals",
       [](World& w) { set_byodkim(w, chunks("v=DKIM1; k=rsa; p" + std::string(testkeys::k2048_spki))); },
       {"DKIM_TAG_SYNTAX"}},
      {"dkim_tag_syntax_duplicate",
       [](World& w) { set_byodkim(w, chunks(key_record(testkeys::k2048_spki) + "; p=AAAA")); },
       {"DKIM_TAG_SYNTAX"}},
      {"dkim_tag_syntax_version_not_first",
       [](World& w) { set_byodkim(w, chunks("k=rsa; v=DKIM1; p=" + std::string(testkeys::k2048_spki))); },
       {"DKIM_TAG_SYNTAX"}},
      {"dkim_testing_mode",
       [](World& w) { set_byodkim(w, chunks("v=DKIM1; k=rsa; t=y; p=" + std::string(testkeys::k2048_spki))); },
       {"DKIM_TESTING_MODE"}, {"DKIM_OK"}},
      {"dkim_txt_split_inside_a_tag",
       [](World& w) {
         const std::string k = testkeys::k2048_spki;
         set_byodkim(w, {"v=DK", "IM1; k=rsa; p=" + k.substr(0, 200), k.substr(200)});
       },
       {"DKIM_TXT_SPLIT"}, {"DKIM_OK"}},
      {"dkim_txt_split_inside_the_key_is_fine",
       [](World& w) {
         std::string k = testkeys::k2048_spki;
         set_byodkim(w, {"v=DKIM1; k=rsa; p=" + k.substr(0, 100), k.substr(100, 100), k.substr(200)});
       },
       {}, {"DKIM_OK"}},
      {"dkim_key_with_whitespace_is_fine",
       [](World& w) {
         std::string k = testkeys::k2048_spki;
         set_byodkim(w, {"v=DKIM1; k=rsa; p=" + k.substr(0, 200), " " + k.substr(200)});
       },
       {}, {"DKIM_OK"}},
      // Legacy verification token.
      {"verification_token_missing", [](World& w) { remove(w, "_amazonses.example.com", RRType::TXT); },
       {"VERIFICATION_TOKEN_MISSING"}},
      {"verification_token_lowercased",
       [](World& w) {
         remove(w, "_amazonses.example.com", RRType::TXT);
         w.zone_records.push_back(TXT("_amazonses.example.com", {lowered(kToken)}));
       },
       {"VALUE_CASE_CHANGED"}},
      {"verification_token_quoted",
       [](World& w) {
         remove(w, "_amazonses.example.com", RRType::TXT);
         w.zone_records.push_back(TXT("_amazonses.example.com", {"\"" + kToken + "\""}));
       },
       {"VERIFICATION_TOKEN_WRONG_VALUE"}},
      {"verification_token_several_regions_ok",
       [](World& w) {
         w.zone_records.push_back(TXT("_amazonses.example.com", {"pmxqxT/icOYx4aA/bEUrDPMeax9/s3frblS+niixmqZ="}));
       },
       {}, {"VERIFICATION_TOKEN_OK"}},
      {"verification_token_underscore_stripped",
       [](World& w) {
         remove(w, "_amazonses.example.com", RRType::TXT);
         w.zone_records.push_back(TXT("amazonses.example.com", {kToken}));
       },
       {"VERIFICATION_TOKEN_UNDERSCORE_STRIPPED"}},
      {"verification_token_domain_appended",
       [](World& w) {
         remove(w, "_amazonses.example.com", RRType::TXT);
         w.zone_records.push_back(TXT("_amazonses.example.com.example.com", {kToken}));
       },
       {"VERIFICATION_TOKEN_DOMAIN_APPENDED"}},
      // MAIL FROM.
      {"mail_from_mx_missing", [](World& w) { remove(w, "mail.example.com", RRType::MX); }, {"MAIL_FROM_MX"}},
      {"mail_from_mx_other_region",
       [](World& w) {
         remove(w, "mail.example.com", RRType::MX);
         w.zone_records.push_back(RR("mail.example.com", RRType::MX, "10 feedback-smtp.eu-west-1.amazonses.com."));
       },
       {"MAIL_FROM_MX"}},
      {"mail_from_spf_missing", [](World& w) { remove(w, "mail.example.com", RRType::TXT); }, {"MAIL_FROM_SPF"}},
      {"mail_from_spf_twice",
       [](World& w) { w.zone_records.push_back(RR("mail.example.com", RRType::TXT, "\"v=spf1 mx -all\"")); },
       {"MAIL_FROM_SPF"}},
      // DMARC.
      {"dmarc_missing", [](World& w) { remove(w, "_dmarc.example.com", RRType::TXT); }, {"DMARC_MISSING"}},
      {"dmarc_syntax_bad_policy",
       [](World& w) {
         remove(w, "_dmarc.example.com", RRType::TXT);
         w.zone_records.push_back(TXT("_dmarc.example.com", {"v=DMARC1; p=maybe"}));
       },
       {"DMARC_SYNTAX"}},
      {"dmarc_syntax_two_records",
       [](World& w) { w.zone_records.push_back(TXT("_dmarc.example.com", {"v=DMARC1; p=none"})); },
       {"DMARC_SYNTAX"}},
      // Email address identity.
      {"email_no_mx",
       [](World& w) {
         remove(w, kDomain, RRType::MX);
       },
       {"EMAIL_NO_MX"}},
      {"email_a_fallback",
       [](World& w) {
         remove(w, kDomain, RRType::MX);
         w.zone_records.push_back(RR(kDomain, RRType::A, "192.0.2.80"));
       },
       {}, {"EMAIL_A_FALLBACK"}},
      {"email_null_mx",
       [](World& w) {
         remove(w, kDomain, RRType::MX);
         w.zone_records.push_back(RR(kDomain, RRType::MX, "0 ."));
       },
       {"EMAIL_NULL_MX"}},
      {"email_mx_unresolvable", [](World& w) { remove(w, "mx.example.com", RRType::A); }, {"EMAIL_MX_UNRESOLVABLE"}},
      {"email_on_another_domain",
       [](World& w) {
         w.identity.email = "someone@mail.example.org";
         w.elsewhere.push_back(RR("mail.example.org", RRType::MX, "10 mx.example.org."));
         w.elsewhere.push_back(RR("mx.example.org", RRType::AAAA, "2001:db8::25"));
       },
       {}, {"EMAIL_OK"}},
  };
  return table;
}

class JudgeCase : public ::testing::TestWithParam<Case> {};

TEST_P(JudgeCase, ReportsExactlyTheExpectedProblems) {
  World w = healthy();
  GetParam().mutate(w);
  const Judgement j = w.run();
  EXPECT_EQ(problem_codes(j), GetParam().problems) << dump(j);
  const auto codes = all_codes(j);
  for (const auto& c : GetParam().also) EXPECT_TRUE(codes.count(c)) << c << "\n" << dump(j);
  EXPECT_TRUE(j.follow_ups.empty()) << dump(j);
  // The verdict follows the classes: advice never makes it "problems", an unchecked part makes it
  // "incomplete" unless something blocks verification.
  Verdict want = Verdict::ok;
  for (const auto& c : GetParam().problems) {
    const FindingClass k = class_of(*parse_code(c));
    if (k == FindingClass::blocks || k == FindingClass::may_block) want = Verdict::problems;
    else if (k == FindingClass::not_checked && want == Verdict::ok) want = Verdict::incomplete;
  }
  EXPECT_EQ(j.verdict, want) << dump(j);
  if (j.verdict == Verdict::problems) {
    EXPECT_TRUE(is_problem(j.findings.front())) << "the first finding (and the headline) is a problem\n" << dump(j);
  }
  for (const auto& f : j.findings) {
    EXPECT_FALSE(f.message.empty()) << to_string(f.code);
    if (f.severity == Severity::error || f.severity == Severity::warning) {
      EXPECT_FALSE(f.fix.empty()) << to_string(f.code);
      EXPECT_FALSE(f.evidence.empty()) << to_string(f.code);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Spec, JudgeCase, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(Judge, EveryCatalogCodeIsProducedBySomeCase) {
  std::set<std::string> produced;
  for (const auto& c : cases()) {
    World w = healthy();
    c.mutate(w);
    for (const auto& code : all_codes(w.run())) produced.insert(code);
  }
  // Produced by dedicated tests below.
  produced.insert("LOOKUP_INCOMPLETE");
  produced.insert("SES_IDENTITY_STATUS");
  produced.insert("VERIFICATION_TOKEN_SUSPECT");
  produced.insert("SES_STATUS_UNEXPLAINED");
  // DNSSEC: dnssec_judge_test.cpp (signed zones).
  for (const char* c : {"DNSSEC_BOGUS", "DNSSEC_SERVER_INCONSISTENT", "DNSSEC_SIGNATURES_EXPIRING",
                        "DNSSEC_INDETERMINATE", "DNSSEC_INSECURE", "DNSSEC_OK"})
    produced.insert(c);
  for (const auto& row : catalog()) EXPECT_TRUE(produced.count(std::string(row.name))) << row.name;
}

TEST(Judge, AZoneNobodyCanQueryYieldsOnlyTheDelegationFinding) {
  World w = healthy();
  w.delegation = w.default_delegation();
  for (auto& s : w.delegation.servers) {
    s.private_address = true;
    s.responded = false;
    s.serial.reset();
  }
  w.delegation_set = true;
  const Judgement j = w.run();
  ASSERT_EQ(j.findings.size(), 1u) << dump(j);
  EXPECT_EQ(j.findings[0].code, Code::NS_PRIVATE_ADDRESS);
  EXPECT_EQ(j.findings[0].severity, Severity::error);
  EXPECT_EQ(j.verdict, Verdict::problems);
}

TEST(Judge, MissingRecordFixNamesTheDelegatedServers) {
  World w = healthy();
  remove(w, dkim_name(kT1), RRType::CNAME);
  const Judgement j = w.run();
  const Finding* f = find_code(j, Code::DKIM_RECORD_MISSING);
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->fix.find("ns1.provider.test, ns2.provider.test"), std::string::npos) << f->fix;
}

TEST(Judge, AllServersDownIsAProblem) {
  // Every name server of the zone is silent: SES gets DNS_SERVER_ERROR too, so this blocks verification
  // (NS_UNREACHABLE as an error), and nothing is called missing.
  World w = healthy();
  w.down = {0, 1};
  const Judgement j = w.run();
  EXPECT_EQ(j.verdict, Verdict::problems) << dump(j);
  EXPECT_NE(find_code(j, Code::LOOKUP_INCOMPLETE), nullptr);
  ASSERT_NE(find_code(j, Code::NS_UNREACHABLE), nullptr);
  EXPECT_EQ(find_code(j, Code::NS_UNREACHABLE)->severity, Severity::error);
  EXPECT_EQ(find_code(j, Code::DKIM_RECORD_MISSING), nullptr) << "no record can be called missing";
}

// The checking host's limits are never the domain's fault (issue 12): an address this host cannot send to
// at all (no IPv6, no route) is "not checked from this host", and the domain is judged on the rest.
TEST(HostLimits, AnUnreachableAddressIsNotBlamedOnTheDomain) {
  World w = healthy();
  w.servers.push_back({"ns1.provider.test", "2001:db8::53"});
  w.host_limited = {2};
  const Judgement j = w.run();
  EXPECT_EQ(j.verdict, Verdict::ok) << dump(j);
  for (const auto& f : j.findings) {
    if (f.severity == Severity::ok || f.severity == Severity::info) continue;
    ADD_FAILURE() << to_string(f.code) << " " << f.message;
  }
  EXPECT_EQ(find_code(j, Code::NS_UNREACHABLE), nullptr);
}

TEST(HostLimits, NoReachableServerLeftIsCouldNotTell) {
  World w = healthy();
  w.host_limited = {0, 1};
  const Judgement j = w.run();
  EXPECT_EQ(j.verdict, Verdict::incomplete) << dump(j);
  const Finding* f = find_code(j, Code::LOOKUP_INCOMPLETE);
  ASSERT_NE(f, nullptr);
  ASSERT_FALSE(f->evidence.empty());
  EXPECT_NE(f->evidence.front().find("from this host"), std::string::npos) << f->evidence.front();
  EXPECT_EQ(find_code(j, Code::NS_UNREACHABLE), nullptr);
  EXPECT_EQ(find_code(j, Code::DKIM_RECORD_MISSING), nullptr);
  EXPECT_NE(j.headline.find("Could not tell"), std::string::npos) << j.headline;
}

TEST(Input, AShortOrOddVerificationTokenIsFlagged) {
  World w = healthy();
  w.identity.verification_token = "abc123";
  const Judgement j = w.run();
  EXPECT_NE(find_code(j, Code::VERIFICATION_TOKEN_SUSPECT), nullptr) << dump(j);
  EXPECT_NE(j.verdict, Verdict::ok);
}

TEST(Input, ByodkimFailedWithoutAKeyAsksForIt) {
  World w = healthy();
  w.identity.easy_dkim.clear();
  w.identity.byodkim_selector = "sel1";
  w.identity.public_key_pem.reset();
  w.zone_records.push_back(TXT("sel1._domainkey.example.com", chunks(key_record(testkeys::k2048_spki))));
  w.identity.ses_dkim_status = "FAILED";
  w.identity.ses_error_type = "INVALID_VALUE";
  const Judgement j = w.run();
  const Finding* f = find_code(j, Code::SES_STATUS_UNEXPLAINED);
  ASSERT_NE(f, nullptr) << dump(j);
  EXPECT_NE(f->message.find("--public-key"), std::string::npos) << f->message;
  EXPECT_EQ(j.verdict, Verdict::incomplete);
}

TEST(Headline, OnlyMailFromFailingSaysTheDomainVerifies) {
  World w = healthy();
  w.identity.mail_from = N("mail.example.com");
  w.identity.region = "eu-west-1";
  const Judgement j = w.run();
  ASSERT_NE(find_code(j, Code::MAIL_FROM_MX), nullptr) << dump(j);
  EXPECT_EQ(j.headline.rfind("example.com verifies, but its custom MAIL FROM domain mail.example.com will fail", 0), 0u)
      << j.headline;
}

TEST(Headline, AdviceNeverHeadsTheReport) {
  World w = healthy();
  remove(w, "_dmarc.example.com", RRType::TXT);
  const Judgement j = w.run();
  ASSERT_NE(find_code(j, Code::DMARC_MISSING), nullptr);
  EXPECT_EQ(j.verdict, Verdict::ok);
  EXPECT_EQ(j.headline.rfind("SES will verify example.com", 0), 0u) << j.headline;
  EXPECT_EQ(j.headline.find("DMARC"), std::string::npos) << j.headline;
}

TEST(Fix, AMissingRecordComesAsNameAndValueForAProviderForm) {
  World w = healthy();
  remove(w, dkim_name(kT1), RRType::CNAME);
  const Judgement j = w.run();
  const Finding* f = find_code(j, Code::DKIM_RECORD_MISSING);
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->record);
  EXPECT_EQ(f->record->type, "CNAME");
  EXPECT_EQ(f->record->relative, kT1 + "._domainkey");
  EXPECT_EQ(f->record->name, kT1 + "._domainkey.example.com");
  EXPECT_EQ(f->record->zone, "example.com");
  EXPECT_EQ(f->record->value, kT1 + ".dkim.amazonses.com");
}

TEST(Regions, NoRegionGivenAndARegionalTargetIsRight) {
  World w = healthy();
  for (auto& t : w.identity.easy_dkim) t.region.clear();
  w.identity.region.clear();
  // Re-point every CNAME at the ap-southeast-3 zone, as a regional identity publishes them.
  for (auto& r : w.zone_records) {
    if (r.type != RRType::CNAME) continue;
    const std::string owner = r.owner.to_string();
    const std::string token = owner.substr(0, owner.find('.'));
    r = RR(owner, RRType::CNAME, token + ".dkim.ap-southeast-3.amazonses.com.");
    w.elsewhere.push_back(TXT(token + ".dkim.ap-southeast-3.amazonses.com", chunks(key_record(testkeys::k1024_spki))));
  }
  const Judgement j = w.run();
  EXPECT_EQ(j.verdict, Verdict::ok) << dump(j);
  const Finding* f = find_code(j, Code::DKIM_OK);
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->message.find("ap-southeast-3"), std::string::npos) << f->message;
}

TEST(Judge, DelegationNotWalkedIsIncomplete) {
  World w = healthy();
  w.delegation = Delegation{};
  w.delegation.error = "timeout at com.";
  w.delegation_set = true;
  w.down = {0, 1};
  EXPECT_EQ(w.run().verdict, Verdict::incomplete);
}

TEST(Judge, SesIdentityStatusIsInformation) {
  World w = healthy();
  w.identity.ses_verification_status = "PENDING";
  w.identity.ses_error_type = "HOST_NOT_FOUND";
  const Judgement j = w.run();
  const Finding* f = find_code(j, Code::SES_IDENTITY_STATUS);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_NE(f->message.find("HOST_NOT_FOUND"), std::string::npos);
  EXPECT_EQ(j.verdict, Verdict::ok);
}

TEST(Judge, MessagesNameWhatWasFound) {
  struct {
    const char* name;
    Code code;
    std::vector<std::string> needles;
  } checks[] = {
      {"dkim_wrong_target_other_region", Code::DKIM_WRONG_TARGET, {"eu-south-1", kT1 + ".dkim.amazonses.com"}},
      {"dkim_wrong_target_other_token", Code::DKIM_WRONG_TARGET, {"another token", kT2}},
      {"dkim_wrong_target_value_appended", Code::DKIM_WRONG_TARGET, {"trailing dot"}},
      {"dkim_wrong_type_flattened", Code::DKIM_WRONG_TYPE, {"flattens or proxies"}},
      {"value_case_changed_key_only", Code::VALUE_CASE_CHANGED, {"lowercased"}},
      {"verification_token_lowercased", Code::VALUE_CASE_CHANGED, {"lowercased", kToken}},
      {"dkim_domain_appended", Code::DKIM_DOMAIN_APPENDED, {"example.com.example.com"}},
      {"dkim_txt_split_cut_at_255", Code::DKIM_TXT_SPLIT, {"255"}},
      // The tag it cuts, quoted (the message once printed C++ source text here instead).
      {"dkim_txt_split_inside_a_tag", Code::DKIM_TXT_SPLIT, {"string 1 ends inside \"v=DKIM1"}},
      {"dkim_key_size_small", Code::DKIM_KEY_SIZE, {"512 bits"}},
      {"soa_serial_and_record_inconsistent", Code::RECORD_INCONSISTENT, {"ns2.provider.test", "missing"}},
      {"record_inconsistent_other_value", Code::RECORD_INCONSISTENT, {"different answers", "_amazonses.example.com"}},
      {"dkim_record_missing", Code::NEGATIVE_CACHE_TTL, {"15 minutes"}},
  };
  for (const auto& c : checks) {
    const auto it = std::find_if(cases().begin(), cases().end(), [&](const Case& k) { return std::string(k.name) == c.name; });
    ASSERT_NE(it, cases().end()) << c.name;
    World w = healthy();
    it->mutate(w);
    const Judgement j = w.run();
    const Finding* f = find_code(j, c.code);
    ASSERT_NE(f, nullptr) << c.name << "\n" << dump(j);
    for (const auto& n : c.needles) EXPECT_NE(f->message.find(n), std::string::npos) << c.name << ": " << n << "\n" << f->message;
  }
}

TEST(Judge, RecordInconsistentHeadlineNamesTheStaleServer) {
  World w = healthy();
  w.hidden.insert({1, N(dkim_name(kT1)).to_string() + " CNAME"});
  const Judgement j = w.run();
  EXPECT_NE(j.headline.find("SES may fail to verify example.com"), std::string::npos) << j.headline;
  EXPECT_NE(j.headline.find("ns2.provider.test"), std::string::npos) << j.headline;
}

TEST(Judge, FollowUpsAreAskedOnceAndOnlyWhenSomethingIsMissing) {
  World w = healthy();
  w.identity.email.reset();  // an email identity always asks for its exchanges' addresses
  Observations obs;
  obs.delegation = w.default_delegation();
  const auto expected = expectations(w.identity);
  for (const auto& l : plan(expected)) obs.lookups.push_back(w.observe(l));
  EXPECT_TRUE(judge(w.identity, expected, obs).follow_ups.empty());
  remove(w, dkim_name(kT1), RRType::CNAME);
  obs.lookups.clear();
  for (const auto& l : plan(expected)) obs.lookups.push_back(w.observe(l));
  const auto first = judge(w.identity, expected, obs);
  EXPECT_FALSE(first.follow_ups.empty());
  for (const auto& l : first.follow_ups) obs.lookups.push_back(w.observe(l));
  const auto second = judge(w.identity, expected, obs);
  for (const auto& l : second.follow_ups)
    EXPECT_EQ(std::find(first.follow_ups.begin(), first.follow_ups.end(), l), first.follow_ups.end()) << to_string(l);
}

TEST(Judge, IterativeOnlyObservationsStillJudge) {
  // Without the authority probe (no per-server answers) the iterative view decides.
  World w = healthy();
  Observations obs;
  obs.delegation = w.default_delegation();
  const auto expected = expectations(w.identity);
  for (const auto& l : plan(expected))
    if (l.scope == Scope::iterative) obs.lookups.push_back(w.observe(l));
  auto j = judge(w.identity, expected, obs);
  for (int i = 0; i < 3 && !j.follow_ups.empty(); ++i) {
    for (const auto& l : j.follow_ups) obs.lookups.push_back(w.observe(l));
    j = judge(w.identity, expected, obs);
  }
  EXPECT_TRUE(problem_codes(j).empty()) << dump(j);
  EXPECT_EQ(all_codes(j).count("DKIM_OK"), 1u);
}

// txt_value walks the character-strings in place: the same as joining txt_strings.
TEST(TxtValue, JoinsTheCharacterStrings) {
  using detail::txt_strings;
  using detail::txt_value;
  const std::string long_string(255, 'k');
  const std::vector<std::vector<std::string>> cases = {
      {"v=DKIM1; p=abc"}, {"v=DKIM1; ", "p=ab", "c"}, {""}, {"", "x", ""}, {long_string, long_string, "tail"}};
  for (const auto& strings : cases) {
    const wire::Record r = TXT("sel._domainkey.example.com", strings);
    std::string joined;
    for (const auto& s : txt_strings(r)) joined += s;
    EXPECT_EQ(txt_value(r), joined);
  }
  EXPECT_EQ(txt_value(TXT("x.example.com", {"v=DKIM1; ", "p=ab", "c"})), "v=DKIM1; p=abc");
  EXPECT_EQ(txt_value(RR("x.example.com", RRType::CNAME, "target.example.net.")), "");
  EXPECT_EQ(txt_value(wire::Record{}), "");
}

TEST(Variants, NamesProvidersMangleRecordsInto) {
  const auto v = variant_names(N(kT1 + "._domainkey.example.com"), N("example.com"));
  std::vector<std::string> names;
  for (const auto& x : v) names.push_back(x.name.to_string());
  const std::vector<std::string> want = {
      kT1 + "domainkey.example.com.", kT1 + "-domainkey.example.com.", kT1 + ".domainkey.example.com.",
      kT1 + "._domainkey.example.com.example.com.", kT1 + ".example.com."};
  EXPECT_EQ(names, want);
  const auto t = variant_names(N("_amazonses.example.com"), N("example.com"));
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].name.to_string(), "amazonses.example.com.");
  EXPECT_EQ(t[1].kind, VariantKind::domain_appended);
  EXPECT_TRUE(variant_names(N("example.com"), N("example.com")).empty());
}

}  // namespace
}  // namespace dkimdoctor::diagnose
