// docs/findings.md is generated from the catalog (diagnose/findings.cpp) and must match it.
// DKIMDOCTOR_UPDATE_GOLDEN=1 rewrites it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "diagnose/findings.hpp"

namespace dkimdoctor::diagnose {
namespace {

// A table cell: '|' would end it.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string markdown() {
  std::string out =
      "# Finding codes\n\n"
      "Generated from the catalog in `diagnose/findings.cpp` (the test `CatalogDoc.MatchesTheCatalog` keeps it\n"
      "true; `DKIMDOCTOR_UPDATE_GOLDEN=1` rewrites it). Codes are part of the JSON contract of `dkimdoctor check`\n"
      "and `bulk`. The severity is the usual one: a finding may be raised or lowered when the evidence says so\n"
      "(one unreachable name server of three is a warning, all of them an error). `ses_error` is the\n"
      "`VerificationInfo.ErrorType` SES reports for that cause. The fix column is the template; each finding's\n"
      "own fix names the record and the values.\n\n"
      "The verdict answers one question: will SES verify this identity as given (Easy DKIM, BYODKIM, legacy\n"
      "token, MAIL FROM, email address), and will receivers be able to validate its DKIM signatures? Every code\n"
      "has one class, which says what it means for that question:\n\n"
      "| class | meaning | verdict |\n|---|---|---|\n"
      "| `blocks` | SES will not verify (or receivers cannot validate DKIM) while it stands | `problems` |\n"
      "| `may_block` | SES may fail, depending on the server or resolver it meets | `problems` |\n"
      "| `not_checked` | part of the identity could not be checked: nothing given, too few tokens, servers "
      "that did not answer | `incomplete`, unless something is a problem |\n"
      "| `advice` | deliverability, not verification (DMARC, SPF, testing mode) | never changes it |\n"
      "| `note` | context (TCP needed, negative-cache time, what SES reported) | never changes it |\n"
      "| `passed` | a check that passed | `ok` when nothing else says otherwise |\n\n"
      "A `blocks` or `may_block` finding counts when its severity is warning or error. Exit status of `check`:\n"
      "0 ok, 1 problems, 3 incomplete (could not tell), 2 usage error. Servers this host cannot send to at all\n"
      "(no IPv6, no route) are \"not checked from this host\", never a finding against the domain.\n\n";
  std::string_view area;
  for (const auto& row : catalog()) {
    if (row.area != area) {
      area = row.area;
      out += "\n## " + std::string(area) + "\n\n| code | class | severity | ses_error | fix |\n|---|---|---|---|---|\n";
    }
    const auto ses = to_string(row.ses_error);
    out += "| `" + std::string(row.name) + "` | " + std::string(to_string(row.klass)) + " | " +
           std::string(to_string(row.severity)) + " | " +
           (ses.empty() ? std::string("—") : "`" + std::string(ses) + "`") + " | " +
           (row.fix.empty() ? std::string("—") : cell(row.fix)) + " |\n";
  }
  return out;
}

TEST(CatalogDoc, MatchesTheCatalog) {
  const std::string path = std::string(DKIMDOCTOR_SOURCE_DIR) + "/docs/findings.md";
  const std::string want = markdown();
  if (std::getenv("DKIMDOCTOR_UPDATE_GOLDEN") != nullptr) std::ofstream(path) << want;
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path << " is missing (DKIMDOCTOR_UPDATE_GOLDEN=1 writes it)";
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_EQ(got.str(), want) << "docs/findings.md is out of date: run with DKIMDOCTOR_UPDATE_GOLDEN=1";
}

}  // namespace
}  // namespace dkimdoctor::diagnose
