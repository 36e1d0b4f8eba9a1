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

// What a table row cannot say: the rules behind an area's codes, after its table.
std::string area_note(std::string_view area) {
  if (area != "dnssec") return {};
  return "\nDNSSEC findings appear only when the check validates (a trust anchor is known: the built-in root KSKs\n"
         "with the built-in root hints, or `--trust-anchor`; not with `--no-validate`); a host that cannot tell gets\n"
         "`DNSSEC_INDETERMINATE` at most, never a finding against the domain. The names judged are those SES or a\n"
         "receiver must read to verify (DKIM, verification token, MAIL FROM, the email domain's MX) and the zone's\n"
         "DNSKEY set. `DNSSEC_BOGUS` is one finding per zone and cause, listing the names it hits; its `cause` (in\n"
         "the JSON too) is `DS_NO_MATCHING_DNSKEY` (a DS at the registrar for a key the provider does not serve),\n"
         "`RRSIG_EXPIRED`, `RRSIG_NOT_YET_VALID`, `RRSIG_MISSING`, `DENIAL_NOT_PROVEN`, `BAD_SIGNATURE`, or\n"
         "`VALIDATION_FAILED` (malformed data, limits, a signature by a key the zone does not publish).\n"
         "A record that is right on every server but answers bogus keeps its passed finding (`DKIM_OK`,\n"
         "`VERIFICATION_TOKEN_OK`, ...), whose message then ends \"But validating resolvers answer SERVFAIL for it,\n"
         "so it looks missing: see DNSSEC_BOGUS.\"; the text report marks its \"Passed\" line, the HTML page its entry.\n"
         "`DNSSEC_SERVER_INCONSISTENT`: each server's answers are validated against the zone's trusted DNSKEY set;\n"
         "a server whose copy does not validate while another server's does is named, with what it served (a\n"
         "bogus status on such a name is that server's doing: reported as the server, not as `DNSSEC_BOGUS`).\n"
         "`DNSSEC_SIGNATURES_EXPIRING`: the answers validate now, but the earliest signature they rest on expires\n"
         "within 72 hours (as long as SES keeps retrying) **and** more than 3/4 of that signature's validity window\n"
         "(expiration - inception) has passed. Online signers that keep short windows fresh (a few days, renewed\n"
         "all the time) stay below 3/4 and are not reported; a signature whose window is not known is not judged.\n";
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
      out += area_note(area);
      area = row.area;
      out += "\n## " + std::string(area) + "\n\n| code | class | severity | ses_error | fix |\n|---|---|---|---|---|\n";
    }
    const auto ses = to_string(row.ses_error);
    out += "| `" + std::string(row.name) + "` | " + std::string(to_string(row.klass)) + " | " +
           std::string(to_string(row.severity)) + " | " +
           (ses.empty() ? std::string("—") : "`" + std::string(ses) + "`") + " | " +
           (row.fix.empty() ? std::string("—") : cell(row.fix)) + " |\n";
  }
  return out + area_note(area);
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
