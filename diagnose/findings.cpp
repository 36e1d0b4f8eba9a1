#include "diagnose/findings.hpp"

#include <algorithm>
#include <array>

namespace dkimdoctor::diagnose {
namespace {

using enum Severity;
constexpr SesError kNone = SesError::none;
constexpr SesError kHost = SesError::host_not_found;
constexpr SesError kType = SesError::type_not_found;
constexpr SesError kValue = SesError::invalid_value;
constexpr SesError kServer = SesError::dns_server_error;
constexpr FindingClass kBlocks = FindingClass::blocks;
constexpr FindingClass kMay = FindingClass::may_block;
constexpr FindingClass kNotChecked = FindingClass::not_checked;
constexpr FindingClass kAdvice = FindingClass::advice;
constexpr FindingClass kNote = FindingClass::note;
constexpr FindingClass kPassed = FindingClass::passed;

#define ROW(c, sev, ses, klass, area, fix) CatalogEntry{Code::c, #c, sev, ses, klass, area, fix}

// The one table of finding codes. Order must match enum Code (checked by a static_assert below).
constexpr std::array kCatalog = {
    ROW(DOMAIN_NOT_DELEGATED, error, kHost, kBlocks, "delegation",
        "Register the domain or delegate it from its parent zone to public name servers; SES can only verify "
        "names that resolve in public DNS."),
    ROW(NS_PRIVATE_ADDRESS, error, kServer, kBlocks, "delegation",
        "Give the name servers public addresses in the parent's NS/glue records; private addresses are "
        "unreachable from SES."),
    ROW(NS_UNREACHABLE, warning, kServer, kMay, "delegation",
        "Make every listed name server answer on UDP and TCP port 53, or remove the dead ones from the "
        "delegation at the registrar."),
    ROW(NS_LAME, warning, kServer, kMay, "delegation",
        "Configure the zone on every name server listed for it, or remove the servers that do not serve it "
        "from the delegation."),
    ROW(NS_SET_MISMATCH, warning, kNone, kMay, "delegation",
        "Make the NS records at the registrar (parent zone) and in the zone itself list the same servers; "
        "records added at servers the registrar does not point to are never seen."),
    ROW(SOA_SERIAL_MISMATCH, warning, kNone, kMay, "delegation",
        "One name server hands out an old copy of your zone. Ask your DNS provider (or whoever runs that "
        "server) to bring it up to date; if you run the servers yourself, check that zone transfers "
        "(NOTIFY, AXFR/IXFR) to it succeed. Until then SES may see the old records."),
    ROW(RECORD_INCONSISTENT, error, kHost, kMay, "delegation",
        "The record is on some of your name servers but not all, and SES may ask any of them. Usually one server "
        "has an old copy of the zone: ask your DNS provider to update it (if you run the servers, check zone "
        "transfers), or publish the record on every server yourself."),
    ROW(TCP_REQUIRED, info, kNone, kNote, "delegation",
        "No action needed while TCP works; the answer is larger than a UDP reply allows."),
    ROW(TCP_FAILED, error, kServer, kMay, "delegation",
        "Allow DNS over TCP port 53 on the name server and its firewall; large answers such as DKIM keys "
        "need it."),
    ROW(NEGATIVE_CACHE_TTL, info, kNone, kNote, "delegation",
        "After fixing the record, resolvers that cached the earlier 'does not exist' answer may keep it for "
        "up to this long; SES retries for 72 hours."),
    ROW(DELEGATION_OK, ok, kNone, kPassed, "delegation", ""),
    ROW(LOOKUP_INCOMPLETE, warning, kNone, kNotChecked, "delegation",
        "Run the check again; if it keeps failing, the name servers are not answering reliably."),
    ROW(DKIM_OK, ok, kNone, kPassed, "easy-dkim", ""),
    ROW(DKIM_RECORD_MISSING, error, kHost, kBlocks, "easy-dkim",
        "Create the CNAME record exactly as SES shows it, at the name shown, in the zone the registrar "
        "delegates to."),
    ROW(DKIM_WRONG_TYPE, error, kType, kBlocks, "easy-dkim",
        "Publish a plain CNAME record (turn off CNAME flattening or proxying for this name) pointing to the "
        "amazonses.com target."),
    ROW(DKIM_WRONG_TARGET, error, kValue, kBlocks, "easy-dkim",
        "Change the CNAME value to the target SES shows for this token and region."),
    ROW(DKIM_UNDERSCORE_STRIPPED, error, kHost, kBlocks, "easy-dkim",
        "The provider dropped the underscore of _domainkey; ask it to allow underscores in record names, or "
        "move DNS to a provider that does."),
    ROW(DKIM_DOMAIN_APPENDED, error, kHost, kBlocks, "easy-dkim",
        "The provider appended the domain to the record name; enter only the part before the domain, or the "
        "full name with a trailing dot."),
    ROW(DKIM_DOMAINKEY_REMOVED, warning, kHost, kMay, "easy-dkim",
        "Publish the record at <token>._domainkey.<domain>; the name without _domainkey is only SES's "
        "workaround for verifying the same domain a second time."),
    ROW(DKIM_MULTIPLE_VALUES, error, kValue, kBlocks, "easy-dkim",
        "Keep exactly one value at this name; a CNAME cannot have several targets, and several DKIM keys at "
        "one selector make verifiers pick one at random."),
    ROW(CNAME_WITH_OTHER_DATA, error, kValue, kMay, "easy-dkim",
        "Delete the other records at this name; a CNAME must be the only record at its name (RFC 1034 "
        "§3.6.2)."),
    ROW(DKIM_TARGET_UNRESOLVABLE, error, kNone, kBlocks, "easy-dkim",
        "Check that the token belongs to this identity and region; the amazonses.com target has no DKIM "
        "key, so the identity may have been deleted or recreated with new tokens."),
    ROW(DKIM_CNAME_CHAIN, warning, kValue, kMay, "easy-dkim",
        "Point the CNAME directly at the amazonses.com target instead of through another name."),
    ROW(DKIM_TXT_MISSING, error, kHost, kBlocks, "byodkim",
        "Create a TXT record at <selector>._domainkey.<domain> holding p=<your public key>."),
    ROW(DKIM_KEY_INVALID, error, kValue, kBlocks, "byodkim",
        "Publish the public key as the base64 of its DER form (SubjectPublicKeyInfo), without PEM "
        "header lines."),
    ROW(VALUE_CASE_CHANGED, error, kValue, kBlocks, "byodkim",
        "The DNS provider changed the letter case of the value; enter it again exactly, or ask the provider "
        "to stop lowercasing record values."),
    ROW(DKIM_KEY_SIZE, error, kValue, kBlocks, "byodkim",
        "Generate an RSA key of 1024 to 2048 bits; SES accepts only those sizes for BYODKIM."),
    ROW(DKIM_KEY_MISMATCH, error, kValue, kBlocks, "byodkim",
        "Publish the public key that belongs to the private key you gave SES."),
    ROW(DKIM_TXT_SPLIT, error, kValue, kBlocks, "byodkim",
        "Publish the key as one TXT record made of several quoted strings of at most 255 characters each, "
        "without literal quotes or backslashes inside the value."),
    ROW(DKIM_TAG_SYNTAX, error, kValue, kBlocks, "byodkim",
        "Write the record as tag=value pairs separated by semicolons, e.g. v=DKIM1; k=rsa; p=<key>."),
    ROW(DKIM_TESTING_MODE, warning, kNone, kAdvice, "byodkim",
        "Remove t=y once testing is done; receivers may treat signatures of a key in testing mode as "
        "unsigned."),
    ROW(VERIFICATION_TOKEN_OK, ok, kNone, kPassed, "verification-token", ""),
    ROW(VERIFICATION_TOKEN_MISSING, error, kHost, kBlocks, "verification-token",
        "Create a TXT record at _amazonses.<domain> holding the verification token exactly as SES shows it."),
    ROW(VERIFICATION_TOKEN_WRONG_VALUE, error, kValue, kBlocks, "verification-token",
        "Set the TXT value to the verification token exactly as SES shows it (no quotes, no spaces)."),
    ROW(VERIFICATION_TOKEN_UNDERSCORE_STRIPPED, error, kHost, kBlocks, "verification-token",
        "The provider dropped the underscore of _amazonses; ask it to allow underscores in record names."),
    ROW(VERIFICATION_TOKEN_DOMAIN_APPENDED, error, kHost, kBlocks, "verification-token",
        "The provider appended the domain to the record name; enter only _amazonses, or the full name with "
        "a trailing dot."),
    ROW(VERIFICATION_TOKEN_FOUND, info, kNone, kNote, "verification-token",
        "Give the token SES shows (--verification-token) to have it compared exactly."),
    ROW(MAIL_FROM_OK, ok, kNone, kPassed, "mail-from", ""),
    ROW(MAIL_FROM_MX, error, kNone, kBlocks, "mail-from",
        "Publish MX 10 feedback-smtp.<region>.amazonses.com at the MAIL FROM domain."),
    ROW(MAIL_FROM_SPF, warning, kNone, kAdvice, "mail-from",
        "Publish TXT \"v=spf1 include:amazonses.com ~all\" at the MAIL FROM domain (exactly one SPF record)."),
    ROW(DMARC_OK, ok, kNone, kPassed, "dmarc", ""),
    ROW(DMARC_MISSING, warning, kNone, kAdvice, "dmarc",
        "Publish a DMARC policy, e.g. TXT \"v=DMARC1; p=none; rua=mailto:dmarc@<domain>\" at _dmarc.<domain>."),
    ROW(DMARC_SYNTAX, warning, kNone, kAdvice, "dmarc",
        "Fix the DMARC record: it must start with v=DMARC1 followed by p=none|quarantine|reject, and there "
        "must be exactly one."),
    ROW(EMAIL_OK, ok, kNone, kPassed, "email", ""),
    ROW(EMAIL_NO_MX, error, kNone, kBlocks, "email",
        "Publish MX records for the address's domain so it can receive the SES verification email."),
    ROW(EMAIL_NULL_MX, error, kNone, kBlocks, "email",
        "The domain publishes a null MX (RFC 7505): it accepts no mail, so the verification email cannot "
        "arrive. Use an address on a domain that receives mail."),
    ROW(EMAIL_MX_UNRESOLVABLE, error, kNone, kBlocks, "email",
        "Point the MX records at host names that have A or AAAA records."),
    ROW(EMAIL_A_FALLBACK, info, kNone, kNote, "email",
        "Mail is delivered to the domain's own address (RFC 5321 §5.1 implicit MX); publish an MX record to "
        "make that explicit."),
    ROW(DOMAIN_MX, info, kNone, kNote, "email", ""),
    ROW(SES_IDENTITY_STATUS, info, kNone, kNote, "ses", ""),
    ROW(DKIM_NOT_CHECKED, warning, kNone, kNotChecked, "input",
        "Give the identity's DKIM tokens: `aws sesv2 get-email-identity --email-identity <domain>` prints them "
        "(pipe it to --ses-identity -), or copy the three CNAME names from the SES console (Identities, the "
        "domain, the DKIM tab)."),
    ROW(DKIM_TOKENS_INCOMPLETE, warning, kNone, kNotChecked, "input",
        "Give all three tokens SES shows for the identity (Easy DKIM always publishes three CNAMEs); `aws sesv2 "
        "get-email-identity` lists them."),
    ROW(VERIFICATION_TOKEN_SUSPECT, warning, kNone, kNotChecked, "input",
        "Copy the verification token again from SES (`aws ses get-identity-verification-attributes`): SES issues "
        "44-character base64 tokens."),
    ROW(SES_STATUS_UNEXPLAINED, warning, kNone, kNotChecked, "input",
        "SES reports a failure that the published records do not explain; give the public key SES was given "
        "(--public-key) so it can be compared, or check that the identity and region are the ones you set up."),
    ROW(DNSSEC_BOGUS, error, kServer, kBlocks, "dnssec",
        "Validating resolvers (receivers', and any SES uses) answer SERVFAIL for these names, so the records look "
        "missing although every server has them. Fix the cause shown: a DS record at the registrar for a key "
        "your DNS provider does not serve is removed at the registrar (or the provider signs with that key); "
        "expired or missing signatures are re-signed by whoever signs the zone."),
    ROW(DNSSEC_SERVER_INCONSISTENT, warning, kServer, kMay, "dnssec",
        "One name server serves an unsigned or differently signed copy of your signed zone, so validating "
        "resolvers that ask it fail. Ask your DNS provider to sign the copy on that server (or to transfer the "
        "signed zone to it), or remove the server from the delegation."),
    ROW(DNSSEC_SIGNATURES_EXPIRING, warning, kNone, kMay, "dnssec",
        "Re-sign the zone (or check that automatic re-signing runs): the signatures expire within the 72 hours "
        "SES keeps retrying, and after that validating resolvers answer SERVFAIL."),
    ROW(DNSSEC_INDETERMINATE, info, kNone, kNotChecked, "dnssec",
        "Run the check again; whether these answers validate could not be told from this host."),
    ROW(DNSSEC_INSECURE, info, kNone, kNote, "dnssec",
        "Nothing to fix for SES. To sign the zone, turn on DNSSEC at your DNS provider and publish the DS "
        "record it gives you at the registrar."),
    ROW(DNSSEC_OK, ok, kNone, kPassed, "dnssec", ""),
};
#undef ROW

constexpr bool catalog_in_order() {
  for (std::size_t i = 0; i < kCatalog.size(); ++i)
    if (static_cast<std::size_t>(kCatalog[i].code) != i) return false;
  return true;
}
static_assert(catalog_in_order(), "kCatalog rows must follow enum Code order");
static_assert(kCatalog.size() == static_cast<std::size_t>(Code::DNSSEC_OK) + 1);

}  // namespace

std::span<const CatalogEntry> catalog() noexcept { return kCatalog; }

const CatalogEntry& catalog_entry(Code code) noexcept { return kCatalog[static_cast<std::size_t>(code)]; }

std::string_view to_string(Code code) noexcept { return catalog_entry(code).name; }

std::optional<Code> parse_code(std::string_view name) noexcept {
  for (const auto& row : kCatalog)
    if (row.name == name) return row.code;
  return std::nullopt;
}

std::string_view to_string(Severity severity) noexcept {
  switch (severity) {
    case Severity::ok: return "ok";
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "error";
}

std::string_view to_string(FindingClass klass) noexcept {
  switch (klass) {
    case FindingClass::blocks: return "blocks";
    case FindingClass::may_block: return "may_block";
    case FindingClass::not_checked: return "not_checked";
    case FindingClass::advice: return "advice";
    case FindingClass::note: return "note";
    case FindingClass::passed: return "passed";
  }
  return "note";
}

FindingClass class_of(Code code) noexcept { return catalog_entry(code).klass; }

std::string_view to_string(SesError error) noexcept {
  switch (error) {
    case SesError::none: return "";
    case SesError::host_not_found: return "HOST_NOT_FOUND";
    case SesError::type_not_found: return "TYPE_NOT_FOUND";
    case SesError::invalid_value: return "INVALID_VALUE";
    case SesError::dns_server_error: return "DNS_SERVER_ERROR";
  }
  return "";
}

std::string_view to_string(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::ok: return "ok";
    case Verdict::problems: return "problems";
    case Verdict::incomplete: return "incomplete";
  }
  return "incomplete";
}

Finding make_finding(Code code, std::string subject, std::string message) {
  const auto& row = catalog_entry(code);
  Finding f;
  f.code = code;
  f.severity = row.severity;
  f.ses_error = row.ses_error;
  f.subject = std::move(subject);
  f.message = std::move(message);
  f.fix = std::string(row.fix);
  return f;
}

bool hidden_by_dnssec(const Finding& finding) noexcept {
  return finding.severity == Severity::ok && std::string_view(finding.message).ends_with(kHiddenByDnssec);
}

bool is_problem(const Finding& f) noexcept {
  const FindingClass k = class_of(f.code);
  return (k == FindingClass::blocks || k == FindingClass::may_block) &&
         (f.severity == Severity::warning || f.severity == Severity::error);
}

Verdict verdict_of(std::span<const Finding> findings) noexcept {
  bool unchecked = false;
  for (const auto& f : findings) {
    if (is_problem(f)) return Verdict::problems;
    unchecked = unchecked || class_of(f.code) == FindingClass::not_checked;
  }
  return unchecked ? Verdict::incomplete : Verdict::ok;
}

namespace {
int group_rank(const Finding& f) {
  if (is_problem(f)) return 0;
  switch (class_of(f.code)) {
    case FindingClass::not_checked: return 1;
    case FindingClass::blocks:
    case FindingClass::may_block:  // lowered to info or ok by the evidence
    case FindingClass::note: return 2;
    case FindingClass::advice: return 3;
    case FindingClass::passed: return 4;
  }
  return 2;
}
}  // namespace

void sort_by_severity(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    const int ga = group_rank(a), gb = group_rank(b);
    if (ga != gb) return ga < gb;
    return static_cast<int>(a.severity) > static_cast<int>(b.severity);
  });
}

}  // namespace dkimdoctor::diagnose
