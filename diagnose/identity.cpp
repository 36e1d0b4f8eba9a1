#include "diagnose/identity.hpp"
#include "diagnose/fail.hpp"
#include "diagnose/limits.hpp"

#include <array>
#include <nlohmann/json.hpp>

namespace dkimdoctor::diagnose {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 11> kRegionalSigningRegions = {
    "af-south-1",     "ap-northeast-3", "ap-south-2",   "ap-southeast-3", "ap-southeast-5", "ca-west-1",
    "eu-central-2",   "eu-south-1",     "il-central-1", "me-central-1",   "us-gov-east-1",
};

// Untrusted JSON is bounded before nlohmann sees it: size, and nesting depth (the parser and the
// destructor of deeply nested values would otherwise use stack proportional to the input).
constexpr std::size_t kMaxJsonBytes = 1 << 20;
constexpr int kMaxJsonDepth = 32;

bool json_depth_ok(std::string_view text) noexcept {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

Result<json, IdentityError> parse_json_object(std::string_view text) {
  if (text.size() > kMaxJsonBytes) return fail(IdentityError{IdentityErrc::bad_json, "input larger than 1 MiB"});
  if (!json_depth_ok(text)) return fail(IdentityError{IdentityErrc::bad_json, "JSON nested too deeply"});
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(IdentityError{IdentityErrc::bad_json, "not valid JSON"});
  if (!doc.is_object()) return fail(IdentityError{IdentityErrc::bad_json, "expected a JSON object"});
  return doc;
}

// Optional string field: absent/null -> nullopt; a non-string is an error.
Result<std::optional<std::string>, IdentityError> string_field(const json& obj, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return fail(IdentityError{IdentityErrc::bad_field, std::string(key) + " must be a string"});
  return std::optional<std::string>{it->get_ref<const std::string&>()};
}

bool is_label_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// More Easy DKIM tokens than SES can issue for one identity (diagnose/limits.hpp).
IdentityError too_many_tokens() {
  return IdentityError{IdentityErrc::bad_token, "more than " + std::to_string(kMaxEasyDkimTokens) +
                                                    " Easy DKIM tokens (kMaxEasyDkimTokens: SES issues 3 per region)"};
}

Result<std::string, IdentityError> check_token(std::string_view token) {
  if (token.empty() || token.size() > 63) return fail(IdentityError{IdentityErrc::bad_token, "token must be 1..63 characters"});
  for (char c : token)
    if (!is_label_char(c)) return fail(IdentityError{IdentityErrc::bad_token, "token '" + std::string(token) + "' has characters a DNS label cannot carry"});
  return std::string(token);
}

Result<std::string, IdentityError> check_region(std::string_view region) {
  if (!plausible_region(region)) return fail(IdentityError{IdentityErrc::bad_region, "'" + std::string(region) + "' is not a region name"});
  return std::string(region);
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

Result<wire::Name, IdentityError> email_domain(std::string_view email) {
  const auto at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= email.size())
    return fail(IdentityError{IdentityErrc::bad_email, "'" + std::string(email) + "' is not an email address"});
  return parse_domain(email.substr(at + 1));
}

}  // namespace

std::span<const std::string_view> regional_signing_regions() noexcept { return kRegionalSigningRegions; }

bool uses_regional_signing_zone(std::string_view region) noexcept {
  for (auto r : kRegionalSigningRegions)
    if (r == region) return true;
  return false;
}

std::string signing_hosted_zone(std::string_view region) {
  if (uses_regional_signing_zone(region)) return "dkim." + std::string(region) + ".amazonses.com";
  return "dkim.amazonses.com";
}

std::string easy_dkim_target(std::string_view token, std::string_view region) {
  return std::string(token) + "." + signing_hosted_zone(region);
}

bool plausible_region(std::string_view region) noexcept {
  if (region.size() < 4 || region.size() > 32) return false;
  for (char c : region)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return region.front() != '-' && region.back() != '-';
}

std::string to_string(const IdentityError& error) {
  std::string what;
  switch (error.code) {
    case IdentityErrc::bad_json: what = "bad JSON"; break;
    case IdentityErrc::bad_field: what = "bad field"; break;
    case IdentityErrc::bad_domain: what = "bad domain"; break;
    case IdentityErrc::bad_token: what = "bad token"; break;
    case IdentityErrc::bad_region: what = "bad region"; break;
    case IdentityErrc::bad_email: what = "bad email address"; break;
    case IdentityErrc::missing_domain: what = "no domain"; break;
    case IdentityErrc::empty_line: what = "empty line"; break;
  }
  return error.detail.empty() ? what : what + ": " + error.detail;
}

Result<std::string, IdentityError> parse_token(std::string_view text) { return check_token(text); }

Result<wire::Name, IdentityError> parse_domain(std::string_view text) {
  text = trim(text);
  if (text.empty() || text == ".") return fail(IdentityError{IdentityErrc::bad_domain, "empty domain"});
  for (char c : text)
    if (!is_label_char(c) && c != '.')
      return fail(IdentityError{IdentityErrc::bad_domain, "'" + std::string(text) + "' has characters a host name cannot carry"});
  auto name = wire::Name::parse(text);
  if (!name) return fail(IdentityError{IdentityErrc::bad_domain, "'" + std::string(text) + "': " + wire::to_string(name.error())});
  return *name;
}

Result<wire::Name, IdentityError> mail_from_name(std::string_view text, const wire::Name& domain) {
  auto name = parse_domain(text);
  if (!name) return name;
  if (name->is_subdomain_of(domain)) {
    if (*name == domain) return fail(IdentityError{IdentityErrc::bad_domain, "the MAIL FROM domain must be a subdomain of the identity"});
    return name;
  }
  auto full = name->append(domain);
  if (!full) return fail(IdentityError{IdentityErrc::bad_domain, "MAIL FROM name too long"});
  return *full;
}

Result<void, IdentityError> apply_ses_identity_json(std::string_view text, Identity& identity) {
  try {
    auto doc = parse_json_object(text);
    if (!doc) return fail(doc.error());
    const json& root = *doc;
    if (auto v = string_field(root, "IdentityType"); !v) return fail(v.error());
    else if (*v) identity.ses_identity_type = **v;
    if (auto v = string_field(root, "VerificationStatus"); !v) return fail(v.error());
    else if (*v) identity.ses_verification_status = **v;
    if (auto info = root.find("VerificationInfo"); info != root.end() && info->is_object()) {
      if (auto v = string_field(*info, "ErrorType"); !v) return fail(v.error());
      else if (*v) identity.ses_error_type = **v;
    }
    if (auto dkim = root.find("DkimAttributes"); dkim != root.end() && !dkim->is_null()) {
      if (!dkim->is_object()) return fail(IdentityError{IdentityErrc::bad_field, "DkimAttributes must be an object"});
      auto origin = string_field(*dkim, "SigningAttributesOrigin");
      if (!origin) return fail(origin.error());
      if (*origin) identity.ses_signing_origin = **origin;
      if (auto v = string_field(*dkim, "Status"); !v) return fail(v.error());
      else if (*v) identity.ses_dkim_status = **v;
      std::string region = identity.region;
      auto zone = string_field(*dkim, "SigningHostedZone");
      if (!zone) return fail(zone.error());
      if (*zone) {
        // "dkim.<region>.amazonses.com" names the region; "dkim.amazonses.com" is the global zone.
        std::string_view z = **zone;
        if (!z.empty() && z.back() == '.') z.remove_suffix(1);
        constexpr std::string_view kPrefix = "dkim.", kSuffix = ".amazonses.com";
        if (z.size() > kPrefix.size() + kSuffix.size() && z.substr(0, kPrefix.size()) == kPrefix &&
            z.substr(z.size() - kSuffix.size()) == kSuffix) {
          const auto r = z.substr(kPrefix.size(), z.size() - kPrefix.size() - kSuffix.size());
          if (plausible_region(r)) region = std::string(r);
        }
      }
      const bool external = identity.ses_signing_origin.rfind("EXTERNAL", 0) == 0;
      if (auto tokens = dkim->find("Tokens"); tokens != dkim->end() && !tokens->is_null()) {
        if (!tokens->is_array()) return fail(IdentityError{IdentityErrc::bad_field, "DkimAttributes.Tokens must be an array"});
        for (const auto& t : *tokens) {
          if (!t.is_string()) return fail(IdentityError{IdentityErrc::bad_field, "DkimAttributes.Tokens must hold strings"});
          auto token = check_token(t.get_ref<const std::string&>());
          if (!token) return fail(token.error());
          if (external) {
            // BYODKIM: SES lists the selector the key is published under.
            if (!identity.byodkim_selector) identity.byodkim_selector = *token;
          } else {
            if (identity.easy_dkim.size() >= kMaxEasyDkimTokens) return fail(too_many_tokens());
            EasyDkimToken e{*token, region};
            bool seen = false;
            for (const auto& have : identity.easy_dkim) seen = seen || have == e;
            if (!seen) identity.easy_dkim.push_back(std::move(e));
          }
        }
      }
    }
    if (auto mail = root.find("MailFromAttributes"); mail != root.end() && mail->is_object()) {
      auto from = string_field(*mail, "MailFromDomain");
      if (!from) return fail(from.error());
      if (*from && !(*from)->empty()) {
        auto name = mail_from_name(**from, identity.domain);
        if (!name) return fail(name.error());
        identity.mail_from = *name;
      }
      if (auto v = string_field(*mail, "MailFromDomainStatus"); !v) return fail(v.error());
      else if (*v) identity.ses_mail_from_status = **v;
    }
    return {};
  } catch (const std::exception& e) {
    // nlohmann reports type errors by exception; none should reach here, but the boundary holds.
    return fail(IdentityError{IdentityErrc::bad_json, e.what()});
  }
}

Result<Identity, IdentityError> parse_bulk_line(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() == '#') return fail(IdentityError{IdentityErrc::empty_line, {}});
  Identity id;
  if (line.front() != '{') {
    auto domain = parse_domain(line);
    if (!domain) return fail(domain.error());
    id.domain = *domain;
    return id;
  }
  try {
    auto doc = parse_json_object(line);
    if (!doc) return fail(doc.error());
    const json& obj = *doc;
    auto domain = string_field(obj, "domain");
    if (!domain) return fail(domain.error());
    auto email = string_field(obj, "email");
    if (!email) return fail(email.error());
    if (*email) {
      auto d = email_domain(**email);
      if (!d) return fail(d.error());
      id.email = **email;
      if (!*domain) id.domain = *d;
    }
    if (*domain) {
      auto d = parse_domain(**domain);
      if (!d) return fail(d.error());
      id.domain = *d;
    } else if (!*email) {
      return fail(IdentityError{IdentityErrc::missing_domain, "a bulk line needs \"domain\" or \"email\""});
    }
    auto region = string_field(obj, "region");
    if (!region) return fail(region.error());
    if (*region) {
      auto r = check_region(**region);
      if (!r) return fail(r.error());
      id.region = *r;
    }
    if (auto tokens = obj.find("easy_dkim_tokens"); tokens != obj.end() && !tokens->is_null()) {
      if (!tokens->is_array()) return fail(IdentityError{IdentityErrc::bad_field, "easy_dkim_tokens must be an array"});
      for (const auto& t : *tokens) {
        if (!t.is_string()) return fail(IdentityError{IdentityErrc::bad_field, "easy_dkim_tokens must hold strings"});
        auto token = check_token(t.get_ref<const std::string&>());
        if (!token) return fail(token.error());
        if (id.easy_dkim.size() >= kMaxEasyDkimTokens) return fail(too_many_tokens());
        id.easy_dkim.push_back(EasyDkimToken{*token, id.region});
      }
    }
    if (auto extra = obj.find("additional_regions"); extra != obj.end() && !extra->is_null()) {
      if (!extra->is_array()) return fail(IdentityError{IdentityErrc::bad_field, "additional_regions must be an array"});
      if (extra->size() >= kMaxSesRegions) {
        return fail(IdentityError{IdentityErrc::bad_region, "more than " + std::to_string(kMaxSesRegions) +
                                                                " regions (kMaxSesRegions)"});
      }
      for (const auto& block : *extra) {
        if (!block.is_object()) return fail(IdentityError{IdentityErrc::bad_field, "additional_regions must hold objects"});
        auto r = string_field(block, "region");
        if (!r) return fail(r.error());
        std::string region;
        if (*r) {
          auto checked = check_region(**r);
          if (!checked) return fail(checked.error());
          region = *checked;
        }
        auto tokens = block.find("easy_dkim_tokens");
        if (tokens == block.end() || tokens->is_null()) continue;
        if (!tokens->is_array()) return fail(IdentityError{IdentityErrc::bad_field, "easy_dkim_tokens must be an array"});
        for (const auto& t : *tokens) {
          if (!t.is_string()) return fail(IdentityError{IdentityErrc::bad_field, "easy_dkim_tokens must hold strings"});
          auto token = check_token(t.get_ref<const std::string&>());
          if (!token) return fail(token.error());
          if (id.easy_dkim.size() >= kMaxEasyDkimTokens) return fail(too_many_tokens());
          id.easy_dkim.push_back(EasyDkimToken{*token, region});
        }
      }
    }
    auto selector = string_field(obj, "byodkim_selector");
    if (!selector) return fail(selector.error());
    if (*selector) {
      auto s = check_token(**selector);
      if (!s) return fail(s.error());
      id.byodkim_selector = *s;
    }
    auto key = string_field(obj, "public_key");
    if (!key) return fail(key.error());
    if (*key) id.public_key_pem = **key;
    auto key_file = string_field(obj, "byodkim_public_key_pem");
    if (!key_file) return fail(key_file.error());
    if (*key_file) id.public_key_file = **key_file;
    auto token = string_field(obj, "verification_token");
    if (!token) return fail(token.error());
    if (*token) id.verification_token = **token;
    auto mail_from = string_field(obj, "mail_from");
    if (!mail_from) return fail(mail_from.error());
    if (*mail_from) {
      auto m = mail_from_name(**mail_from, id.domain);
      if (!m) return fail(m.error());
      id.mail_from = *m;
    }
    return id;
  } catch (const std::exception& e) {
    return fail(IdentityError{IdentityErrc::bad_json, e.what()});
  }
}

}  // namespace dkimdoctor::diagnose
