// What the input left unchecked, the record each fix asks for, and the headline: the parts of the judgement
// that speak about the identity as a whole. The verdict itself is verdict_of() (findings.cpp): it answers
// only "will SES verify this identity as given, and will receivers validate its DKIM signatures".
#include <algorithm>
#include <map>

#include "diagnose/dkim_key.hpp"
#include "diagnose/judge_internal.hpp"

namespace dkimdoctor::diagnose::detail {
namespace {

// A legacy verification token: 44 base64 characters, '=' padded (SES.md).
constexpr std::size_t kVerificationTokenLength = 44;

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

bool looks_like_verification_token(std::string_view t) {
  if (t.size() != kVerificationTokenLength || t.back() != '=') return false;
  return std::all_of(t.begin(), t.end() - 1, is_base64_char);
}

std::string region_label(const std::string& region) { return region.empty() ? "the identity" : region; }

bool has(const std::vector<Finding>& findings, Code code) {
  return std::any_of(findings.begin(), findings.end(), [code](const Finding& f) { return f.code == code; });
}

std::string relative_to(const wire::Name& name, const wire::Name& zone) {
  if (name == zone) return "@";
  if (zone.is_root() || !name.is_subdomain_of(zone)) return name_text(name);
  const std::size_t keep = name.label_count() - zone.label_count();
  std::string out;
  for (std::size_t i = 0; i < keep; ++i) {
    if (i) out += '.';
    out += std::string(name.label(i));
  }
  return out;
}

std::string strip_dot(std::string s) {
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

// Codes whose fix is "publish this record exactly" (the record's name, type and value are known).
bool fix_is_the_record(Code code) {
  switch (code) {
    case Code::RECORD_INCONSISTENT:
    case Code::DKIM_RECORD_MISSING:
    case Code::DKIM_WRONG_TYPE:
    case Code::DKIM_WRONG_TARGET:
    case Code::DKIM_UNDERSCORE_STRIPPED:
    case Code::DKIM_DOMAIN_APPENDED:
    case Code::DKIM_DOMAINKEY_REMOVED:
    case Code::DKIM_MULTIPLE_VALUES:
    case Code::DKIM_CNAME_CHAIN:
    case Code::DKIM_TXT_MISSING:
    case Code::VALUE_CASE_CHANGED:
    case Code::DKIM_KEY_MISMATCH:
    case Code::DKIM_TXT_SPLIT:
    case Code::DKIM_TAG_SYNTAX:
    case Code::VERIFICATION_TOKEN_MISSING:
    case Code::VERIFICATION_TOKEN_WRONG_VALUE:
    case Code::VERIFICATION_TOKEN_UNDERSCORE_STRIPPED:
    case Code::VERIFICATION_TOKEN_DOMAIN_APPENDED:
    case Code::MAIL_FROM_MX:
    case Code::MAIL_FROM_SPF:
      return true;
    default:
      return false;
  }
}

// The value to publish for an expectation, or "" when it is not known exactly.
std::string value_for(const Ctx& ctx, const ExpectedRecord& e) {
  switch (e.purpose) {
    case Purpose::easy_dkim: return strip_dot(e.value);
    case Purpose::verification_token: return e.value;
    case Purpose::mail_from_mx: return e.region.empty() ? std::string() : strip_dot(e.value);
    case Purpose::mail_from_spf: return e.value;
    case Purpose::byodkim:
      // The key SES was given, when the user gave it too; else the shape, with the key left to fill in.
      if (ctx.identity.public_key_pem) {
        if (auto key = decode_public_key_pem(*ctx.identity.public_key_pem)) return "v=DKIM1; k=rsa; p=" + encode_base64(key->spki);
      }
      return "v=DKIM1; k=rsa; p=<your public key, base64>";
    default: return {};
  }
}

}  // namespace

void judge_input(Ctx& ctx) {
  const Identity& id = ctx.identity;
  const std::string domain = name_text(id.domain);
  const bool dkim_given = !id.easy_dkim.empty() || id.byodkim_selector.has_value();
  if (!dkim_given && !id.verification_token && !id.email) {
    auto& f = ctx.add(Code::DKIM_NOT_CHECKED, domain,
                      "DKIM was not checked: no Easy DKIM tokens, BYODKIM selector or SES identity JSON was given, "
                      "so there is nothing to compare " + domain + "'s records with.");
    f.fix = "Give the identity's DKIM tokens: `aws sesv2 get-email-identity --email-identity " + domain +
            " | dkimdoctor check " + domain + " --ses-identity -`, or --easy-dkim with the three tokens from the "
            "SES console (Identities, " + domain + ", the DKIM tab: the part before ._domainkey of each CNAME name).";
    f.evidence.push_back("given: the domain " + domain + std::string(id.mail_from ? " and its MAIL FROM domain" : "") +
                         "; no --easy-dkim, --byodkim or --ses-identity");
  }
  // Tokens per region: SES issues exactly three.
  std::map<std::string, std::size_t> per_region;
  for (const auto& t : id.easy_dkim) ++per_region[t.region.empty() ? id.region : t.region];
  for (const auto& [region, n] : per_region) {
    if (n >= kEasyDkimTokensPerRegion) continue;
    std::string msg = "Only " + plural(n, "Easy DKIM token was", "Easy DKIM tokens were") + " given for " +
                      region_label(region) + ", but SES always issues three: " +
                      plural(kEasyDkimTokensPerRegion - n, "CNAME was", "CNAMEs were") + " not checked.";
    if (id.duplicate_tokens > 0)
      msg += " (" + plural(static_cast<std::size_t>(id.duplicate_tokens), "token was", "tokens were") +
             " given twice and counted once.)";
    auto& f = ctx.add(Code::DKIM_TOKENS_INCOMPLETE, domain, msg);
    for (const auto& t : id.easy_dkim)
      if ((t.region.empty() ? id.region : t.region) == region) f.evidence.push_back("given: " + t.token);
  }
  if (id.verification_token && !looks_like_verification_token(*id.verification_token)) {
    auto& f = ctx.add(Code::VERIFICATION_TOKEN_SUSPECT, name_text(id.domain),
            "The verification token given (" + std::to_string(id.verification_token->size()) +
                " characters) does not look like one SES issues (44 base64 characters ending in '='); the "
                "record was compared with it as given.");
    f.evidence.push_back("given: " + *id.verification_token);
  }
}

void judge_ses_status(Ctx& ctx) {
  const Identity& id = ctx.identity;
  auto failed = [](const std::string& s) { return iequals(s, "FAILED") || iequals(s, "TEMPORARY_FAILURE"); };
  if (!failed(id.ses_dkim_status) && !failed(id.ses_verification_status)) return;
  if (std::any_of(ctx.findings.begin(), ctx.findings.end(), [](const Finding& f) { return is_problem(f); })) return;
  std::string msg = "SES reports " + (failed(id.ses_dkim_status) ? "DKIM status " + id.ses_dkim_status
                                                                 : "verification status " + id.ses_verification_status);
  if (!id.ses_error_type.empty()) msg += " (" + id.ses_error_type + ")";
  msg += ", but every record checked here is published as expected.";
  auto& f = ctx.add(Code::SES_STATUS_UNEXPLAINED, name_text(id.domain), msg);
  f.evidence.push_back("SES: DKIM status " + (id.ses_dkim_status.empty() ? std::string("-") : id.ses_dkim_status) +
                       ", verification status " +
                       (id.ses_verification_status.empty() ? std::string("-") : id.ses_verification_status) +
                       (id.ses_error_type.empty() ? "" : ", ErrorType " + id.ses_error_type));
  if (id.byodkim_selector && !id.public_key_pem) {
    f.message += " For BYODKIM, INVALID_VALUE usually means the published key is not the one SES was given: "
                 "pass that public key with --public-key to compare them.";
  } else if (failed(id.ses_dkim_status)) {
    f.message += " SES retries for 72 hours; a record fixed recently may still be cached as missing.";
  }
}

void attach_records(Ctx& ctx) {
  const wire::Name& zone = ctx.obs.delegation.zone.is_root() || ctx.obs.delegation.zone.label_count() == 0
                               ? ctx.identity.domain
                               : ctx.obs.delegation.zone;
  for (auto& f : ctx.findings) {
    if (f.record || !fix_is_the_record(f.code)) continue;
    for (const auto& e : ctx.expected) {
      if (name_text(e.name) != f.subject) continue;
      const bool mx = e.purpose == Purpose::mail_from_mx;
      if (f.code == Code::MAIL_FROM_SPF && e.purpose != Purpose::mail_from_spf) continue;
      if (f.code == Code::MAIL_FROM_MX && !mx) continue;
      const std::string value = value_for(ctx, e);
      if (value.empty()) break;
      const wire::Name& in_zone = e.name.is_subdomain_of(zone) ? zone : ctx.identity.domain;
      f.record = RecordToPublish{wire::to_string(e.type), name_text(e.name), relative_to(e.name, in_zone),
                                 name_text(in_zone), value};
      break;
    }
  }
}

std::string compose_headline(const Ctx& ctx, const std::vector<Finding>& sorted, Verdict verdict) {
  const Identity& id = ctx.identity;
  const std::string domain = name_text(id.domain);
  std::size_t easy = 0, byo = 0, token = 0, mail_from = 0;
  for (const auto& e : ctx.expected) {
    easy += e.purpose == Purpose::easy_dkim;
    byo += e.purpose == Purpose::byodkim;
    token += e.purpose == Purpose::verification_token;
    mail_from += e.purpose == Purpose::mail_from_mx;
  }
  switch (verdict) {
    case Verdict::ok: {
      if (id.email && easy + byo + token == 0)
        return id.email.value() + " can receive SES's verification email: its domain accepts mail.";
      const std::string email_too = id.email ? "; " + *id.email + " can receive SES's verification email" : "";
      std::vector<std::string> parts;
      if (easy) parts.push_back(plural(easy, "Easy DKIM CNAME", "Easy DKIM CNAMEs"));
      if (byo) parts.push_back("the BYODKIM key");
      if (token) parts.push_back("the verification token");
      if (mail_from) parts.push_back("the MAIL FROM MX");
      return "SES will verify " + domain + ": " + join(parts) + " published correctly" +
             (ctx.obs.delegation.servers.empty() ? "" : " on every name server") + email_too + ".";
    }
    case Verdict::problems: {
      const Finding& first = sorted.front();
      const std::string reason = headline_reason(ctx, sorted);
      // Only the MAIL FROM setup fails: the domain itself verifies.
      bool only_mail_from = true;
      for (const auto& f : sorted)
        if (is_problem(f) && f.code != Code::MAIL_FROM_MX) only_mail_from = false;
      if (only_mail_from && id.mail_from) {
        const bool verifies = has(sorted, Code::DKIM_OK) || has(sorted, Code::VERIFICATION_TOKEN_OK);
        return (verifies ? domain + " verifies, but its custom MAIL FROM domain " + name_text(*id.mail_from) +
                               " will fail: "
                         : "The custom MAIL FROM domain " + name_text(*id.mail_from) + " will fail: ") +
               reason;
      }
      const bool email_problem = first.code == Code::EMAIL_NO_MX || first.code == Code::EMAIL_NULL_MX ||
                                 first.code == Code::EMAIL_MX_UNRESOLVABLE;
      if (id.email && email_problem) return "SES's verification email cannot reach " + *id.email + ": " + reason;
      return (class_of(first.code) == FindingClass::blocks && first.severity == Severity::error
                  ? "SES will not verify " + domain + ": "
                  : "SES may fail to verify " + domain + ": ") +
             reason;
    }
    case Verdict::incomplete: {
      for (const auto& f : sorted) {
        if (class_of(f.code) != FindingClass::not_checked) continue;
        switch (f.code) {
          case Code::DKIM_NOT_CHECKED:
            return "DKIM not checked for " + domain + ": no tokens were given" +
                   (has(sorted, Code::DELEGATION_OK) ? " (its delegation and name servers are fine)." : ".") +
                   " Get them with `aws sesv2 get-email-identity --email-identity " + domain + "`.";
          case Code::LOOKUP_INCOMPLETE:
            return "Could not tell whether SES will verify " + domain + ": " +
                   (f.evidence.empty() ? std::string("some records could not be observed.") : f.evidence.front() + ".");
          default:
            return "Could not tell whether SES will verify " + domain + ": " + f.message;
        }
      }
      return "Could not tell whether SES will verify " + domain + ".";
    }
  }
  return {};
}

}  // namespace dkimdoctor::diagnose::detail
