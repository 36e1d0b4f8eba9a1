// What the user told us about the SES identity, and the parsers for the two untrusted inputs that carry
// it: the JSON that `aws sesv2 get-email-identity` prints and one line of the bulk JSON Lines input.
// Parsers never throw: every problem comes back as an IdentityError.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "diagnose/limits.hpp"
#include "wire/name.hpp"
#include "wire/result.hpp"

namespace dkimdoctor::diagnose {

// True for the SES regions whose Easy DKIM targets live under dkim.<region>.amazonses.com (regions.hpp).
bool uses_regional_signing_zone(std::string_view region) noexcept;
// "dkim.amazonses.com" or "dkim.<region>.amazonses.com".
std::string signing_hosted_zone(std::string_view region);
// "<token>.dkim.amazonses.com" or "<token>.dkim.<region>.amazonses.com" (no trailing dot).
std::string easy_dkim_target(std::string_view token, std::string_view region);
// A region name such as "eu-west-1": lowercase letters, digits and '-', 4..32 characters (the shape only,
// for names read from DNS; what people type goes through parse_region).
bool plausible_region(std::string_view region) noexcept;

struct EasyDkimToken {
  std::string token;
  std::string region;  // empty: unknown, the global signing zone is expected
  bool operator==(const EasyDkimToken&) const = default;
};

struct Identity {
  wire::Name domain;                          // the identity domain (or the email address's domain)
  std::vector<EasyDkimToken> easy_dkim;       // several regions' tokens at once are allowed
  std::optional<std::string> byodkim_selector;
  std::optional<std::string> public_key_pem;  // expected BYODKIM public key, PEM text
  std::optional<std::string> public_key_file; // ... or the path of a PEM file (read by the CLI, not here)
  std::optional<std::string> verification_token;
  std::optional<wire::Name> mail_from;        // full MAIL FROM domain
  std::string region;                         // default region (MAIL FROM feedback host, tokens without one)
  std::optional<std::string> email;           // email-address identity
  // What SES reported (from get-email-identity), shown as context.
  std::string ses_identity_type, ses_verification_status, ses_dkim_status, ses_signing_origin,
      ses_error_type, ses_mail_from_status;
  // How the input was read where it needed interpreting ("'x._domainkey.example.com' read as token x",
  // "bücher.de checked as xn--bcher-kva.de"): shown to the user as notes.
  std::vector<std::string> understood;
  int duplicate_tokens = 0;  // Easy DKIM tokens given more than once (dropped)
};

enum class IdentityErrc {
  bad_json,          // not JSON, or not an object
  bad_field,         // a field of the wrong JSON type
  bad_domain,        // not a valid domain name
  bad_token,         // an empty token or one with characters a DNS label cannot carry
  bad_region,
  bad_email,
  missing_domain,
  empty_line,        // a bulk line with nothing on it (or a '#' comment)
};

struct IdentityError {
  IdentityErrc code{};
  std::string detail;
};
std::string to_string(const IdentityError& error);

// An Easy DKIM token or BYODKIM selector: 1..63 characters a DNS label can carry (letters, digits, '-', '_').
[[nodiscard]] Result<std::string, IdentityError> parse_token(std::string_view text);

// An SES region name, case-folded ("EU-WEST-1" -> "eu-west-1"); a name that is not an SES region is
// refused with the nearest one as a suggestion ("did you mean ap-southeast-3?").
[[nodiscard]] Result<std::string, IdentityError> parse_region(std::string_view text);

// Easy DKIM tokens as people paste them: separated by commas and/or blanks; each a bare token,
// TOKEN:REGION, the record's name (<token>._domainkey.<domain>) or its value
// (<token>.dkim[.<region>].amazonses.com); the words CNAME and IN of a pasted record line are skipped.
// Appends to identity.easy_dkim (with `region` unless the item names its own), drops repeats (counted in
// identity.duplicate_tokens when the same bare token was typed twice) and says in identity.understood what
// it read from anything but a bare token.
[[nodiscard]] Result<void, IdentityError> add_easy_dkim_tokens(std::string_view text, std::string_view region,
                                                               Identity& identity);

// A domain from user input: trailing dot optional, must have at least one label, labels 1..63 octets,
// LDH or underscore characters only. A Unicode name is converted to its IDNA A-label (libidn2, IDNA2008
// with UTS #46 mapping) and, when `understood` is given, a note says so; an email address is refused with
// a pointer to --email.
[[nodiscard]] Result<wire::Name, IdentityError> parse_domain(std::string_view text,
                                                             std::vector<std::string>* understood = nullptr);

// "--mail-from SUB": a label or labels below `domain`, or a full name already ending in `domain`.
[[nodiscard]] Result<wire::Name, IdentityError> mail_from_name(std::string_view text, const wire::Name& domain);

// Fills `identity` (whose domain is already set) from `aws sesv2 get-email-identity` output:
// DkimAttributes.{Tokens, SigningAttributesOrigin, Status, SigningHostedZone}, MailFromAttributes,
// VerificationStatus, VerificationInfo.ErrorType, IdentityType. With SigningAttributesOrigin EXTERNAL the
// token is the BYODKIM selector. Fields it does not know are ignored.
[[nodiscard]] Result<void, IdentityError> apply_ses_identity_json(std::string_view json, Identity& identity);

// One bulk input line: a JSON object {"domain", "easy_dkim_tokens", "region", "byodkim_selector",
// "public_key" (PEM text) or "byodkim_public_key_file" (a PEM file path), "verification_token", "mail_from",
// "email", "additional_regions": [{"region", "easy_dkim_tokens"}]} or a plain domain name. Blank lines and lines
// starting with '#' are empty_line errors, which callers skip.
[[nodiscard]] Result<Identity, IdentityError> parse_bulk_line(std::string_view line);

}  // namespace dkimdoctor::diagnose
