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

#define ROW(c, sev, ses, area, fix) CatalogEntry{Code::c, #c, sev, ses, area, fix}

// The one table of finding codes. Order must match enum Code (checked by a static_assert below).
constexpr std::array kCatalog = {
    ROW(DOMAIN_NOT_DELEGATED, error, kHost, "delegation",
        "Register the domain or delegate it from its parent zone to public name servers; SES can only verify "
        "names that resolve in public DNS."),
    ROW(NS_PRIVATE_ADDRESS, error, kServer, "delegation",
        "Give the name servers public addresses in the parent's NS/glue records; private addresses are "
        "unreachable from SES."),
    ROW(NS_UNREACHABLE, warning, kServer, "delegation",
        "Make every listed name server answer on UDP and TCP port 53, or remove the dead ones from the "
        "delegation at the registrar."),
    ROW(NS_LAME, warning, kServer, "delegation",
        "Configure the zone on every name server listed for it, or remove the servers that do not serve it "
        "from the delegation."),
    ROW(NS_SET_MISMATCH, warning, kNone, "delegation",
        "Make the NS records at the registrar (parent zone) and in the zone itself list the same servers; "
        "records added at servers the registrar does not point to are never seen."),
    ROW(SOA_SERIAL_MISMATCH, warning, kNone, "delegation",
        "Fix zone transfers so every name server serves the latest zone (same SOA serial)."),
    ROW(RECORD_INCONSISTENT, error, kHost, "delegation",
        "Publish the record on every authoritative server (fix zone transfers or update the stale server); "
        "SES may ask any of them."),
    ROW(TCP_REQUIRED, info, kNone, "delegation",
        "No action needed while TCP works; the answer is larger than a UDP reply allows."),
    ROW(TCP_FAILED, error, kServer, "delegation",
        "Allow DNS over TCP port 53 on the name server and its firewall; large answers such as DKIM keys "
        "need it."),
    ROW(NEGATIVE_CACHE_TTL, info, kNone, "delegation",
        "After fixing the record, resolvers that cached the earlier 'does not exist' answer may keep it for "
        "up to this long; SES retries for 72 hours."),
    ROW(DELEGATION_OK, ok, kNone, "delegation", ""),
    ROW(LOOKUP_INCOMPLETE, warning, kNone, "delegation",
        "Run the check again; if it keeps failing, the name servers are not answering reliably."),
    ROW(DKIM_OK, ok, kNone, "easy-dkim", ""),
    ROW(DKIM_RECORD_MISSING, error, kHost, "easy-dkim",
        "Create the CNAME record exactly as SES shows it, at the name shown, in the zone the registrar "
        "delegates to."),
    ROW(DKIM_WRONG_TYPE, error, kType, "easy-dkim",
        "Publish a plain CNAME record (turn off CNAME flattening or proxying for this name) pointing to the "
        "amazonses.com target."),
    ROW(DKIM_WRONG_TARGET, error, kValue, "easy-dkim",
        "Change the CNAME value to the target SES shows for this token and region."),
    ROW(DKIM_UNDERSCORE_STRIPPED, error, kHost, "easy-dkim",
        "The provider dropped the underscore of _domainkey; ask it to allow underscores in record names, or "
        "move DNS to a provider that does."),
    ROW(DKIM_DOMAIN_APPENDED, error, kHost, "easy-dkim",
        "The provider appended the domain to the record name; enter only the part before the domain, or the "
        "full name with a trailing dot."),
    ROW(DKIM_DOMAINKEY_REMOVED, warning, kHost, "easy-dkim",
        "Publish the record at <token>._domainkey.<domain>; the name without _domainkey is only SES's "
        "workaround for verifying the same domain a second time."),
    ROW(DKIM_MULTIPLE_VALUES, error, kValue, "easy-dkim",
        "Keep exactly one value at this name; a CNAME cannot have several targets, and several DKIM keys at "
        "one selector make verifiers pick one at random."),
    ROW(CNAME_WITH_OTHER_DATA, error, kValue, "easy-dkim",
        "Delete the other records at this name; a CNAME must be the only record at its name (RFC 1034 "
        "§3.6.2)."),
    ROW(DKIM_TARGET_UNRESOLVABLE, error, kNone, "easy-dkim",
        "Check that the token belongs to this identity and region; the amazonses.com target has no DKIM "
        "key, so the identity may have been deleted or recreated with new tokens."),
    ROW(DKIM_CNAME_CHAIN, warning, kValue, "easy-dkim",
        "Point the CNAME directly at the amazonses.com target instead of through another name."),
    ROW(DKIM_TXT_MISSING, error, kHost, "byodkim",
        "Create a TXT record at <selector>._domainkey.<domain> holding p=<your public key>."),
    ROW(DKIM_KEY_INVALID, error, kValue, "byodkim",
        "Publish the public key as the base64 of its DER form (SubjectPublicKeyInfo), without PEM "
        "header lines."),
    ROW(VALUE_CASE_CHANGED, error, kValue, "byodkim",
        "The DNS provider changed the letter case of the value; enter it again exactly, or ask the provider "
        "to stop lowercasing record values."),
    ROW(DKIM_KEY_SIZE, error, kValue, "byodkim",
        "Generate an RSA key of 1024 to 2048 bits; SES accepts only those sizes for BYODKIM."),
    ROW(DKIM_KEY_MISMATCH, error, kValue, "byodkim",
        "Publish the public key that belongs to the private key you gave SES."),
    ROW(DKIM_TXT_SPLIT, error, kValue, "byodkim",
        "Publish the key as one TXT record made of several quoted strings of at most 255 characters each, "
        "without literal quotes or backslashes inside the value."),
    ROW(DKIM_TAG_SYNTAX, error, kValue, "byodkim",
        "Write the record as tag=value pairs separated by semicolons, e.g. v=DKIM1; k=rsa; p=<key>."),
    ROW(DKIM_TESTING_MODE, warning, kNone, "byodkim",
        "Remove t=y once testing is done; receivers may treat signatures of a key in testing mode as "
        "unsigned."),
    ROW(VERIFICATION_TOKEN_OK, ok, kNone, "verification-token", ""),
    ROW(VERIFICATION_TOKEN_MISSING, error, kHost, "verification-token",
        "Create a TXT record at _amazonses.<domain> holding the verification token exactly as SES shows it."),
    ROW(VERIFICATION_TOKEN_WRONG_VALUE, error, kValue, "verification-token",
        "Set the TXT value to the verification token exactly as SES shows it (no quotes, no spaces)."),
    ROW(VERIFICATION_TOKEN_UNDERSCORE_STRIPPED, error, kHost, "verification-token",
        "The provider dropped the underscore of _amazonses; ask it to allow underscores in record names."),
    ROW(VERIFICATION_TOKEN_DOMAIN_APPENDED, error, kHost, "verification-token",
        "The provider appended the domain to the record name; enter only _amazonses, or the full name with "
        "a trailing dot."),
    ROW(VERIFICATION_TOKEN_FOUND, info, kNone, "verification-token",
        "Give the token SES shows (--verification-token) to have it compared exactly."),
    ROW(MAIL_FROM_OK, ok, kNone, "mail-from", ""),
    ROW(MAIL_FROM_MX, error, kNone, "mail-from",
        "Publish MX 10 feedback-smtp.<region>.amazonses.com at the MAIL FROM domain."),
    ROW(MAIL_FROM_SPF, warning, kNone, "mail-from",
        "Publish TXT \"v=spf1 include:amazonses.com ~all\" at the MAIL FROM domain (exactly one SPF record)."),
    ROW(DMARC_OK, ok, kNone, "dmarc", ""),
    ROW(DMARC_MISSING, warning, kNone, "dmarc",
        "Publish a DMARC policy, e.g. TXT \"v=DMARC1; p=none; rua=mailto:dmarc@<domain>\" at _dmarc.<domain>."),
    ROW(DMARC_SYNTAX, warning, kNone, "dmarc",
        "Fix the DMARC record: it must start with v=DMARC1 followed by p=none|quarantine|reject, and there "
        "must be exactly one."),
    ROW(EMAIL_OK, ok, kNone, "email", ""),
    ROW(EMAIL_NO_MX, error, kNone, "email",
        "Publish MX records for the address's domain so it can receive the SES verification email."),
    ROW(EMAIL_NULL_MX, error, kNone, "email",
        "The domain publishes a null MX (RFC 7505): it accepts no mail, so the verification email cannot "
        "arrive. Use an address on a domain that receives mail."),
    ROW(EMAIL_MX_UNRESOLVABLE, error, kNone, "email",
        "Point the MX records at host names that have A or AAAA records."),
    ROW(EMAIL_A_FALLBACK, info, kNone, "email",
        "Mail is delivered to the domain's own address (RFC 5321 §5.1 implicit MX); publish an MX record to "
        "make that explicit."),
    ROW(DOMAIN_MX, info, kNone, "email", ""),
    ROW(SES_IDENTITY_STATUS, info, kNone, "ses", ""),
};
#undef ROW

constexpr bool catalog_in_order() {
  for (std::size_t i = 0; i < kCatalog.size(); ++i)
    if (static_cast<std::size_t>(kCatalog[i].code) != i) return false;
  return true;
}
static_assert(catalog_in_order(), "kCatalog rows must follow enum Code order");
static_assert(kCatalog.size() == static_cast<std::size_t>(Code::SES_IDENTITY_STATUS) + 1);

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

Verdict verdict_of(std::span<const Finding> findings) noexcept {
  bool problems = false;
  for (const auto& f : findings) {
    if (f.code == Code::LOOKUP_INCOMPLETE) return Verdict::incomplete;
    if (f.severity == Severity::warning || f.severity == Severity::error) problems = true;
  }
  return problems ? Verdict::problems : Verdict::ok;
}

void sort_by_severity(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return static_cast<int>(a.severity) > static_cast<int>(b.severity);
  });
}

}  // namespace dkimdoctor::diagnose
