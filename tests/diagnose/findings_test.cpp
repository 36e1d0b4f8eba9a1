// The catalog: every issue-5 code present, names unique and parseable, fixes for every problem code.
#include <gtest/gtest.h>

#include <set>

#include "diagnose/findings.hpp"

namespace dkimdoctor::diagnose {
namespace {

TEST(Catalog, HoldsEveryCodeOfTheContract) {
  const char* contract[] = {
      "DOMAIN_NOT_DELEGATED", "NS_PRIVATE_ADDRESS", "NS_UNREACHABLE", "NS_LAME", "NS_SET_MISMATCH",
      "SOA_SERIAL_MISMATCH", "RECORD_INCONSISTENT", "TCP_REQUIRED", "TCP_FAILED", "NEGATIVE_CACHE_TTL", "DKIM_OK",
      "DKIM_RECORD_MISSING", "DKIM_WRONG_TYPE", "DKIM_WRONG_TARGET", "DKIM_UNDERSCORE_STRIPPED",
      "DKIM_DOMAIN_APPENDED", "DKIM_DOMAINKEY_REMOVED", "DKIM_MULTIPLE_VALUES", "CNAME_WITH_OTHER_DATA",
      "DKIM_TARGET_UNRESOLVABLE", "DKIM_CNAME_CHAIN", "DKIM_TXT_MISSING", "DKIM_KEY_INVALID", "VALUE_CASE_CHANGED",
      "DKIM_KEY_SIZE", "DKIM_KEY_MISMATCH", "DKIM_TXT_SPLIT", "DKIM_TAG_SYNTAX", "DKIM_TESTING_MODE",
      "VERIFICATION_TOKEN_OK", "VERIFICATION_TOKEN_MISSING", "MAIL_FROM_MX", "MAIL_FROM_SPF", "DMARC_MISSING",
      "DMARC_SYNTAX", "EMAIL_NO_MX", "EMAIL_NULL_MX", "EMAIL_MX_UNRESOLVABLE"};
  for (const char* c : contract) EXPECT_TRUE(parse_code(c).has_value()) << c;
}

TEST(Catalog, RowsAreConsistent) {
  std::set<std::string_view> names;
  for (const auto& row : catalog()) {
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
    EXPECT_EQ(parse_code(row.name), row.code);
    EXPECT_EQ(to_string(row.code), row.name);
    EXPECT_FALSE(row.area.empty());
    if (row.severity == Severity::warning || row.severity == Severity::error) {
      EXPECT_FALSE(row.fix.empty()) << row.name;
    }
    if (row.severity == Severity::ok) {
      EXPECT_EQ(row.ses_error, SesError::none) << row.name;
    }
  }
  EXPECT_FALSE(parse_code("NOT_A_CODE"));
}

TEST(Catalog, SesErrorNames) {
  EXPECT_EQ(to_string(SesError::host_not_found), "HOST_NOT_FOUND");
  EXPECT_EQ(to_string(SesError::type_not_found), "TYPE_NOT_FOUND");
  EXPECT_EQ(to_string(SesError::invalid_value), "INVALID_VALUE");
  EXPECT_EQ(to_string(SesError::dns_server_error), "DNS_SERVER_ERROR");
  EXPECT_EQ(to_string(SesError::none), "");
  EXPECT_EQ(catalog_entry(Code::DKIM_RECORD_MISSING).ses_error, SesError::host_not_found);
  EXPECT_EQ(catalog_entry(Code::DKIM_WRONG_TYPE).ses_error, SesError::type_not_found);
}

TEST(Verdict, FromFindings) {
  std::vector<Finding> f{make_finding(Code::DKIM_OK, "a", "m"), make_finding(Code::TCP_REQUIRED, "", "m")};
  EXPECT_EQ(verdict_of(f), Verdict::ok);
  f.push_back(make_finding(Code::DMARC_MISSING, "", "m"));
  EXPECT_EQ(verdict_of(f), Verdict::ok) << "advice never changes the verdict";
  f.push_back(make_finding(Code::LOOKUP_INCOMPLETE, "", "m"));
  EXPECT_EQ(verdict_of(f), Verdict::incomplete);
  f.push_back(make_finding(Code::NS_SET_MISMATCH, "", "m"));
  EXPECT_EQ(verdict_of(f), Verdict::problems) << "a problem outranks an unchecked part";
  sort_by_severity(f);
  EXPECT_EQ(f.front().code, Code::NS_SET_MISMATCH) << "problems first";
  EXPECT_EQ(f[1].code, Code::LOOKUP_INCOMPLETE) << "then what was not checked";
  EXPECT_EQ(f.back().severity, Severity::ok);
}

}  // namespace
}  // namespace dkimdoctor::diagnose
