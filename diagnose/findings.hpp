// Findings: what the diagnosis says about one identity. Every finding has a stable code (part of the JSON
// contract, documented in docs/findings.md), a severity, the SES error it causes where one applies, the
// evidence (which server said what), a message and a fix in one or two plain sentences.
//
// The catalog (kCatalog in findings.cpp) is the one table of codes: severity, SES error and fix template.
// A finding may raise or lower the catalog severity when the evidence says so (one unreachable server of
// four is a warning, all four is an error); the code never changes meaning.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dkimdoctor::diagnose {

enum class Severity : std::uint8_t { ok, info, warning, error };

// What a finding means for the one question the verdict answers: will SES verify this identity as given,
// and will receivers be able to validate its DKIM signatures? Every code has exactly one class (the
// catalog's), written in docs/findings.md.
enum class FindingClass : std::uint8_t {
  blocks,       // SES will not verify (or receivers cannot validate DKIM) while this stands
  may_block,    // SES may fail to verify, depending on which server or resolver it meets
  not_checked,  // part of the identity could not be checked (no tokens given, a record not observed)
  advice,       // deliverability, not verification (DMARC, SPF, MX): shown apart, never changes the verdict
  note,         // context: neither a problem nor advice (TCP needed, negative-cache time, what SES reported)
  passed,       // a check that passed
};

// VerificationInfo.ErrorType values that SES reports (SES v2 API).
enum class SesError : std::uint8_t { none, host_not_found, type_not_found, invalid_value, dns_server_error };

enum class Code : std::uint16_t {
  // Delegation and authoritative servers.
  DOMAIN_NOT_DELEGATED, NS_PRIVATE_ADDRESS, NS_UNREACHABLE, NS_LAME, NS_SET_MISMATCH, SOA_SERIAL_MISMATCH,
  RECORD_INCONSISTENT, TCP_REQUIRED, TCP_FAILED, NEGATIVE_CACHE_TTL, DELEGATION_OK, LOOKUP_INCOMPLETE,
  // Easy DKIM.
  DKIM_OK, DKIM_RECORD_MISSING, DKIM_WRONG_TYPE, DKIM_WRONG_TARGET, DKIM_UNDERSCORE_STRIPPED,
  DKIM_DOMAIN_APPENDED, DKIM_DOMAINKEY_REMOVED, DKIM_MULTIPLE_VALUES, CNAME_WITH_OTHER_DATA,
  DKIM_TARGET_UNRESOLVABLE, DKIM_CNAME_CHAIN,
  // BYODKIM.
  DKIM_TXT_MISSING, DKIM_KEY_INVALID, VALUE_CASE_CHANGED, DKIM_KEY_SIZE, DKIM_KEY_MISMATCH, DKIM_TXT_SPLIT,
  DKIM_TAG_SYNTAX, DKIM_TESTING_MODE,
  // Legacy verification token.
  VERIFICATION_TOKEN_OK, VERIFICATION_TOKEN_MISSING, VERIFICATION_TOKEN_WRONG_VALUE,
  VERIFICATION_TOKEN_UNDERSCORE_STRIPPED, VERIFICATION_TOKEN_DOMAIN_APPENDED, VERIFICATION_TOKEN_FOUND,
  // Custom MAIL FROM.
  MAIL_FROM_OK, MAIL_FROM_MX, MAIL_FROM_SPF,
  // DMARC.
  DMARC_OK, DMARC_MISSING, DMARC_SYNTAX,
  // Email address identity.
  EMAIL_OK, EMAIL_NO_MX, EMAIL_NULL_MX, EMAIL_MX_UNRESOLVABLE, EMAIL_A_FALLBACK, DOMAIN_MX,
  // What SES itself reported (from --ses-identity).
  SES_IDENTITY_STATUS,
  // What the input left unchecked or looks wrong.
  DKIM_NOT_CHECKED, DKIM_TOKENS_INCOMPLETE, VERIFICATION_TOKEN_SUSPECT, SES_STATUS_UNEXPLAINED,
  // DNSSEC (issue 14): only when the check validates (a trust anchor is known and --no-validate not given).
  DNSSEC_BOGUS, DNSSEC_SERVER_INCONSISTENT, DNSSEC_SIGNATURES_EXPIRING, DNSSEC_INDETERMINATE, DNSSEC_INSECURE,
  DNSSEC_OK,
};

struct CatalogEntry {
  Code code;
  std::string_view name;  // "DKIM_RECORD_MISSING"
  Severity severity;      // the usual severity
  SesError ses_error;     // the SES error this causes, or none
  FindingClass klass;     // what it means for the verdict
  std::string_view area;  // "delegation", "easy-dkim", ...
  std::string_view fix;   // fix template (the finding's fix text is more specific)
};

// The catalog, one row per code, in Code order.
std::span<const CatalogEntry> catalog() noexcept;
const CatalogEntry& catalog_entry(Code code) noexcept;
std::string_view to_string(Code code) noexcept;
std::optional<Code> parse_code(std::string_view name) noexcept;
std::string_view to_string(Severity severity) noexcept;  // "ok", "info", "warning", "error"
// "blocks", "may_block", "not_checked", "advice", "note", "passed".
std::string_view to_string(FindingClass klass) noexcept;
FindingClass class_of(Code code) noexcept;
// "HOST_NOT_FOUND", ...; empty for none.
std::string_view to_string(SesError error) noexcept;

// The record a fix asks for, as DNS providers' forms want it: the name relative to the zone the provider
// hosts ("abc._domainkey", "@" for the apex) and fully qualified, the type, and the exact value.
struct RecordToPublish {
  std::string type;      // "CNAME", "TXT", "MX"
  std::string name;      // fully qualified, no trailing dot
  std::string relative;  // relative to `zone`
  std::string zone;      // the zone the record belongs in
  std::string value;     // exact value, no trailing dot on host names
  bool operator==(const RecordToPublish&) const = default;
};

struct Finding {
  Code code{};
  Severity severity = Severity::info;
  SesError ses_error = SesError::none;
  std::string subject;                // the record name the finding is about ("" for the domain as a whole)
  std::string message;                // what is wrong (or right), one or two sentences
  std::string fix;                    // what to do, one or two sentences; empty for ok findings
  std::vector<std::string> evidence;  // "ns2.provider.net (127.53.1.2): NXDOMAIN for x._domainkey.example.com TXT"
  std::optional<RecordToPublish> record;  // the record to create or correct, when the fix is one record
  // DNSSEC_BOGUS only: why validation failed ("DS_NO_MATCHING_DNSKEY", "RRSIG_EXPIRED", ...); empty for every
  // other code. Part of the JSON contract.
  std::string cause;
};

// A finding with the catalog's severity, SES error and fix template.
Finding make_finding(Code code, std::string subject, std::string message);

enum class Verdict : std::uint8_t { ok, problems, incomplete };
std::string_view to_string(Verdict verdict) noexcept;

// The verdict answers only "will SES verify this identity, and will receivers validate its DKIM
// signatures"; advice and notes never change it:
//   problems   - a `blocks` finding, or a `may_block` finding of severity warning or error;
//   incomplete - otherwise, a `not_checked` finding (nothing to check, records not observed);
//   ok         - otherwise.
Verdict verdict_of(std::span<const Finding> findings) noexcept;
// True for the findings that count towards `problems` (shown first, before advice).
bool is_problem(const Finding& finding) noexcept;
// The sentence the DNSSEC judge appends to a passed finding whose name answers bogus: right on every server,
// but validating resolvers (SES's, receivers') answer SERVFAIL for it. Reports mark such a finding.
inline constexpr std::string_view kHiddenByDnssec =
    " But validating resolvers answer SERVFAIL for it, so it looks missing: see DNSSEC_BOGUS.";
bool hidden_by_dnssec(const Finding& finding) noexcept;

// Sorts problems first (errors before warnings), then what was not checked, notes, advice, and what
// passed; keeps the judge's order within one group and severity.
void sort_by_severity(std::vector<Finding>& findings);

}  // namespace dkimdoctor::diagnose
