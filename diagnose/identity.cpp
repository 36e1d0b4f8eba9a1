#include "diagnose/identity.hpp"
#include "diagnose/fail.hpp"
#include "diagnose/limits.hpp"

#include <idn2.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "diagnose/regions.hpp"
#include "wire/ascii.hpp"

namespace dkimdoctor::diagnose {
namespace {

using nlohmann::json;

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

Result<std::string, IdentityError> check_region(std::string_view region) { return parse_region(region); }

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

bool uses_regional_signing_zone(std::string_view region) noexcept {
  const SesRegion* r = find_region(region);
  return r != nullptr && r->regional_signing;
}

Result<std::string, IdentityError> parse_region(std::string_view text) {
  if (const SesRegion* r = find_region(text)) return std::string(r->name);
  std::string shown(trim(text).substr(0, 64));
  const std::string near = nearest_region(text);
  return fail(IdentityError{IdentityErrc::bad_region,
                            "'" + shown + "' is not an SES region" +
                                (near.empty() ? " (e.g. us-east-1, eu-west-1, ap-southeast-3)" : ": did you mean " + near + "?")});
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

namespace {

bool is_ascii(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// IDNA2008 with the UTS #46 non-transitional mapping (what browsers and registries use): "Bücher.de" ->
// "xn--bcher-kva.de".
Result<std::string, IdentityError> to_a_label(std::string_view text) {
  constexpr std::size_t kMaxInput = 1024;
  if (text.size() > kMaxInput) return fail(IdentityError{IdentityErrc::bad_domain, "domain longer than a name can be"});
  const std::string in(text);
  char* out = nullptr;
  const int rc = idn2_to_ascii_8z(in.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (rc != IDN2_OK) {
    return fail(IdentityError{IdentityErrc::bad_domain,
                              "'" + in + "' is not a valid internationalised domain name (" + idn2_strerror(rc) + ")"});
  }
  std::string a(out);
  idn2_free(out);
  if (a.empty()) return fail(IdentityError{IdentityErrc::bad_domain, "empty domain"});
  return a;
}

}  // namespace

Result<wire::Name, IdentityError> parse_domain(std::string_view text, std::vector<std::string>* understood) {
  text = trim(text);
  if (text.empty() || text == ".") return fail(IdentityError{IdentityErrc::bad_domain, "empty domain"});
  if (const auto at = text.rfind('@'); at != std::string_view::npos) {
    const std::string_view after = text.substr(at + 1);
    return fail(IdentityError{IdentityErrc::bad_domain,
                              "'" + std::string(text) + "' is an email address: give --email " + std::string(text) +
                                  " to check an email identity, or the domain " + std::string(after) + " alone"});
  }
  // Control characters (NUL among them: it would end the C string libidn2 reads) are never part of a name.
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      return fail(IdentityError{IdentityErrc::bad_domain, "the domain has control characters a host name cannot carry"});
  }
  std::string ascii(text);
  if (!is_ascii(text)) {
    auto a = to_a_label(text);
    if (!a) return fail(a.error());
    if (understood) understood->push_back(std::string(text) + " is checked as " + *a + " (its IDNA A-label, the form DNS carries)");
    ascii = std::move(*a);
  }
  for (char c : ascii)
    if (!is_label_char(c) && c != '.')
      return fail(IdentityError{IdentityErrc::bad_domain, "'" + ascii + "' has characters a host name cannot carry"});
  auto name = wire::Name::parse(ascii);
  if (!name) return fail(IdentityError{IdentityErrc::bad_domain, "'" + ascii + "': " + wire::to_string(name.error())});
  // IDNA maps some code points to nothing (a soft hyphen, joiners): "." followed by one is the root here.
  if (name->is_root()) return fail(IdentityError{IdentityErrc::bad_domain, "empty domain"});
  return *name;
}

namespace {

using wire::ascii::lowered;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct TokenItem {
  std::string token, region;
  enum class Form { bare, record_name, record_value } form = Form::bare;
};

// One pasted item: TOKEN, TOKEN:REGION, <token>._domainkey.<domain>, <token>.dkim[.<region>].amazonses.com.
Result<TokenItem, IdentityError> token_item(std::string_view raw, const wire::Name& domain) {
  std::string_view item = raw;
  if (!item.empty() && item.back() == '.') item.remove_suffix(1);
  const std::string low = lowered(item);
  TokenItem out;
  if (const auto dk = low.find("._domainkey"); dk != std::string::npos) {
    out.token = std::string(item.substr(0, dk));
    out.form = TokenItem::Form::record_name;
    const std::string rest = low.substr(dk + 11);
    const std::string d = lowered(domain.to_string());
    const std::string dom = d.size() > 1 && d.back() == '.' ? d.substr(0, d.size() - 1) : d;
    if (!rest.empty() && rest != "." + dom && !dom.empty() && !domain.is_root()) {
      return fail(IdentityError{IdentityErrc::bad_token, "'" + std::string(raw) + "' is a record of " + rest.substr(1) +
                                                             ", not of " + dom});
    }
  } else if (ends_with(low, ".amazonses.com")) {
    const std::string head = low.substr(0, low.size() - 14);  // "<token>.dkim[.<region>]"
    const auto dot = head.find('.');
    const std::string zone = dot == std::string::npos ? "" : head.substr(dot + 1);
    if (zone != "dkim" && zone.rfind("dkim.", 0) != 0) {
      return fail(IdentityError{IdentityErrc::bad_token, "'" + std::string(raw) + "' is not an Easy DKIM target "
                                                         "(<token>.dkim.amazonses.com)"});
    }
    out.token = std::string(item.substr(0, dot));
    out.form = TokenItem::Form::record_value;
    if (zone.size() > 5) {
      auto r = parse_region(zone.substr(5));
      if (!r) return fail(r.error());
      out.region = *r;
    }
  } else if (const auto colon = item.find(':'); colon != std::string_view::npos) {
    out.token = std::string(item.substr(0, colon));
    auto r = parse_region(item.substr(colon + 1));
    if (!r) return fail(r.error());
    out.region = *r;
  } else {
    out.token = std::string(item);
  }
  if (out.token.find('.') != std::string::npos) {
    return fail(IdentityError{IdentityErrc::bad_token,
                              "'" + std::string(raw) + "' is not a token: give the part before ._domainkey of each "
                              "CNAME name SES shows (32 letters and digits)"});
  }
  auto checked = check_token(out.token);
  if (!checked) return fail(checked.error());
  return out;
}

}  // namespace

Result<void, IdentityError> add_easy_dkim_tokens(std::string_view text, std::string_view region, Identity& identity) {
  constexpr std::size_t kMaxText = 64 * 1024;
  if (text.size() > kMaxText) return fail(IdentityError{IdentityErrc::bad_token, "token list longer than 64 KiB"});
  const std::size_t first_new = identity.easy_dkim.size();
  std::size_t i = 0, items = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ',' || text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                               text[i] == '\r' || text[i] == ';' || text[i] == '"' || text[i] == '\''))
      ++i;
    std::size_t j = i;
    while (j < text.size() && !(text[j] == ',' || text[j] == ' ' || text[j] == '\t' || text[j] == '\n' ||
                                text[j] == '\r' || text[j] == ';' || text[j] == '"' || text[j] == '\''))
      ++j;
    if (j == i) break;
    ++items;
    const std::string_view raw = text.substr(i, j - i);
    i = j;
    const std::string word = lowered(raw);
    if (word == "cname" || word == "in") continue;  // a pasted record line: "<name> CNAME <value>"
    auto item = token_item(raw, identity.domain);
    if (!item) return fail(item.error());
    EasyDkimToken t{item->token, item->region.empty() ? std::string(region) : item->region};
    bool seen = false;
    for (const auto& have : identity.easy_dkim) seen = seen || (have.region == t.region && lowered(have.token) == lowered(t.token));
    if (item->form != TokenItem::Form::bare) {
      const std::string what = item->form == TokenItem::Form::record_name ? "record name" : "record value";
      const std::string note = "'" + std::string(raw) + "' read as the " + what + " of token " + item->token +
                               (item->region.empty() ? "" : " (region " + item->region + ")");
      bool said = false;
      for (const auto& u : identity.understood) said = said || u == note;
      if (!said && !seen) identity.understood.push_back(note);
    } else if (seen) {
      ++identity.duplicate_tokens;
    }
    if (seen) continue;
    if (identity.easy_dkim.size() >= kMaxEasyDkimTokens) return fail(too_many_tokens());
    identity.easy_dkim.push_back(std::move(t));
  }
  if (items == 0) return fail(IdentityError{IdentityErrc::bad_token, "empty token"});
  // No region given, but the pasted values name one (and only one): the other tokens are that region's too.
  if (region.empty()) {
    std::string named;
    bool one = true;
    for (std::size_t k = first_new; k < identity.easy_dkim.size(); ++k) {
      const std::string& r = identity.easy_dkim[k].region;
      if (r.empty()) continue;
      if (!named.empty() && named != r) one = false;
      named = r;
    }
    bool unnamed = false;
    for (std::size_t k = first_new; k < identity.easy_dkim.size(); ++k) unnamed = unnamed || identity.easy_dkim[k].region.empty();
    if (one && !named.empty() && unnamed) {
      for (std::size_t k = first_new; k < identity.easy_dkim.size(); ++k)
        if (identity.easy_dkim[k].region.empty()) identity.easy_dkim[k].region = named;
      identity.understood.push_back("region " + named + " (named by a pasted record value) applied to the other tokens");
    }
  }
  return {};
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

namespace {

// The entry for `domain` in the per-identity maps of the SES v1 API
// ({"DkimAttributes": {"example.com": {...}}}); an error names the identities the JSON is about instead.
Result<const json*, IdentityError> entry_for(const json& map, const wire::Name& domain, std::string_view what) {
  std::string want = lowered(domain.to_string());
  if (want.size() > 1 && want.back() == '.') want.pop_back();
  std::vector<std::string> keys;
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string key = lowered(it.key());
    if (key.size() > 1 && key.back() == '.') key.pop_back();
    if (key == want) {
      if (!it->is_object()) return fail(IdentityError{IdentityErrc::bad_field, std::string(what) + " must hold objects"});
      return &*it;
    }
    if (keys.size() < 3) keys.push_back(it.key());
  }
  return fail(IdentityError{IdentityErrc::bad_field,
                            std::string(what) + " has no entry for " + want +
                                (keys.empty() ? std::string(" (it is empty)") : " (it is about " + keys.front() + (keys.size() > 1 ? ", ..." : "") + ")")});
}

// `aws ses get-identity-dkim-attributes --identities D`: {"DkimAttributes": {"D": {"DkimEnabled",
// "DkimVerificationStatus", "DkimTokens": [...]}}}.
Result<void, IdentityError> apply_v1_dkim(const json& map, Identity& identity) {
  auto entry = entry_for(map, identity.domain, "DkimAttributes");
  if (!entry) return fail(entry.error());
  const json& e = **entry;
  if (auto v = string_field(e, "DkimVerificationStatus"); !v) return fail(v.error());
  else if (*v) identity.ses_dkim_status = **v;
  if (auto tokens = e.find("DkimTokens"); tokens != e.end() && !tokens->is_null()) {
    if (!tokens->is_array()) return fail(IdentityError{IdentityErrc::bad_field, "DkimTokens must be an array"});
    for (const auto& t : *tokens) {
      if (!t.is_string()) return fail(IdentityError{IdentityErrc::bad_field, "DkimTokens must hold strings"});
      if (auto added = add_easy_dkim_tokens(t.get_ref<const std::string&>(), identity.region, identity); !added)
        return fail(added.error());
    }
  }
  return {};
}

// `aws ses get-identity-verification-attributes --identities D`: {"VerificationAttributes": {"D":
// {"VerificationStatus", "VerificationToken"}}}.
Result<void, IdentityError> apply_v1_verification(const json& map, Identity& identity) {
  auto entry = entry_for(map, identity.domain, "VerificationAttributes");
  if (!entry) return fail(entry.error());
  const json& e = **entry;
  if (auto v = string_field(e, "VerificationStatus"); !v) return fail(v.error());
  else if (*v) identity.ses_verification_status = **v;
  if (auto v = string_field(e, "VerificationToken"); !v) return fail(v.error());
  else if (*v) identity.verification_token = **v;
  return {};
}

bool is_v1_map(const json& value, std::string_view inner_key) {
  if (!value.is_object() || value.empty()) return false;
  for (const auto& entry : value)
    if (entry.is_object() && entry.contains(std::string(inner_key))) return true;
  return false;
}

// The SES v1 API's shapes: one object per identity under DkimAttributes / VerificationAttributes.
// True when the document has them (and they were applied).
Result<bool, IdentityError> apply_v1_shapes(const json& root, Identity& identity) {
  const auto dkim_v1 = root.find("DkimAttributes");
  const auto verif_v1 = root.find("VerificationAttributes");
  const bool v1_dkim = dkim_v1 != root.end() && (is_v1_map(*dkim_v1, "DkimTokens") ||
                                                 is_v1_map(*dkim_v1, "DkimVerificationStatus") ||
                                                 is_v1_map(*dkim_v1, "DkimEnabled"));
  if (!v1_dkim && verif_v1 == root.end()) return false;
  if (v1_dkim)
    if (auto r = apply_v1_dkim(*dkim_v1, identity); !r) return fail(r.error());
  if (verif_v1 != root.end()) {
    if (!verif_v1->is_object())
      return fail(IdentityError{IdentityErrc::bad_field, "VerificationAttributes must be an object"});
    if (auto r = apply_v1_verification(*verif_v1, identity); !r) return fail(r.error());
  }
  return true;
}

// "dkim.<region>.amazonses.com" names the region; "dkim.amazonses.com" is the global zone (`region` stays).
void region_from_signing_zone(std::string_view z, std::string& region) {
  if (!z.empty() && z.back() == '.') z.remove_suffix(1);
  constexpr std::string_view kPrefix = "dkim.", kSuffix = ".amazonses.com";
  if (z.size() > kPrefix.size() + kSuffix.size() && z.substr(0, kPrefix.size()) == kPrefix &&
      z.substr(z.size() - kSuffix.size()) == kSuffix) {
    const auto r = z.substr(kPrefix.size(), z.size() - kPrefix.size() - kSuffix.size());
    if (plausible_region(r)) region = std::string(r);
  }
}

// sesv2 DkimAttributes: origin, status, and the tokens (Easy DKIM) or the selector (BYODKIM).
Result<void, IdentityError> apply_v2_dkim(const json& dkim, Identity& identity) {
  if (!dkim.is_object()) return fail(IdentityError{IdentityErrc::bad_field, "DkimAttributes must be an object"});
  auto origin = string_field(dkim, "SigningAttributesOrigin");
  if (!origin) return fail(origin.error());
  if (*origin) identity.ses_signing_origin = **origin;
  if (auto v = string_field(dkim, "Status"); !v) return fail(v.error());
  else if (*v) identity.ses_dkim_status = **v;
  std::string region = identity.region;
  auto zone = string_field(dkim, "SigningHostedZone");
  if (!zone) return fail(zone.error());
  if (*zone) region_from_signing_zone(**zone, region);
  const bool external = identity.ses_signing_origin.rfind("EXTERNAL", 0) == 0;
  auto tokens = dkim.find("Tokens");
  if (tokens == dkim.end() || tokens->is_null()) return {};
  if (!tokens->is_array()) return fail(IdentityError{IdentityErrc::bad_field, "DkimAttributes.Tokens must be an array"});
  for (const auto& t : *tokens) {
    if (!t.is_string()) return fail(IdentityError{IdentityErrc::bad_field, "DkimAttributes.Tokens must hold strings"});
    if (external) {
      // BYODKIM: SES lists the selector the key is published under.
      auto token = check_token(t.get_ref<const std::string&>());
      if (!token) return fail(token.error());
      if (!identity.byodkim_selector) identity.byodkim_selector = *token;
    } else if (auto added = add_easy_dkim_tokens(t.get_ref<const std::string&>(), region, identity); !added) {
      return fail(added.error());
    }
  }
  return {};
}

Result<void, IdentityError> apply_v2_mail_from(const json& mail, Identity& identity) {
  auto from = string_field(mail, "MailFromDomain");
  if (!from) return fail(from.error());
  if (*from && !(*from)->empty()) {
    auto name = mail_from_name(**from, identity.domain);
    if (!name) return fail(name.error());
    identity.mail_from = *name;
  }
  if (auto v = string_field(mail, "MailFromDomainStatus"); !v) return fail(v.error());
  else if (*v) identity.ses_mail_from_status = **v;
  return {};
}

// `aws sesv2 get-email-identity` output.
Result<void, IdentityError> apply_v2(const json& root, Identity& identity) {
  static constexpr std::string_view kV2Keys[] = {"DkimAttributes", "IdentityType", "VerificationStatus",
                                                 "MailFromAttributes", "VerifiedForSendingStatus"};
  if (std::none_of(std::begin(kV2Keys), std::end(kV2Keys), [&](std::string_view k) { return root.contains(std::string(k)); })) {
    return fail(IdentityError{IdentityErrc::bad_json,
                              "not the output of `aws sesv2 get-email-identity`, `aws ses "
                              "get-identity-dkim-attributes` or `aws ses get-identity-verification-attributes`"});
  }
  if (auto v = string_field(root, "IdentityType"); !v) return fail(v.error());
  else if (*v) identity.ses_identity_type = **v;
  if (auto v = string_field(root, "VerificationStatus"); !v) return fail(v.error());
  else if (*v) identity.ses_verification_status = **v;
  if (auto info = root.find("VerificationInfo"); info != root.end() && info->is_object()) {
    if (auto v = string_field(*info, "ErrorType"); !v) return fail(v.error());
    else if (*v) identity.ses_error_type = **v;
  }
  if (auto dkim = root.find("DkimAttributes"); dkim != root.end() && !dkim->is_null()) {
    if (auto r = apply_v2_dkim(*dkim, identity); !r) return r;
  }
  if (auto mail = root.find("MailFromAttributes"); mail != root.end() && mail->is_object()) {
    if (auto r = apply_v2_mail_from(*mail, identity); !r) return r;
  }
  return {};
}

// ---- Bulk lines ---------------------------------------------------------------------------------------

// A line that is not JSON: an email address or a domain.
Result<Identity, IdentityError> plain_bulk_line(std::string_view line) {
  Identity id;
  if (line.find('@') != std::string_view::npos) {  // an email address: an email identity
    auto d = email_domain(line);
    if (!d) return fail(d.error());
    id.domain = *d;
    id.email = std::string(line);
    return id;
  }
  auto domain = parse_domain(line, &id.understood);
  if (!domain) return fail(domain.error());
  id.domain = *domain;
  return id;
}

Result<void, IdentityError> apply_domain_and_email(const json& obj, Identity& id) {
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
    auto d = parse_domain(**domain, &id.understood);
    if (!d) return fail(d.error());
    id.domain = *d;
  } else if (!*email) {
    return fail(IdentityError{IdentityErrc::missing_domain, "a bulk line needs \"domain\" or \"email\""});
  }
  return {};
}

// "easy_dkim_tokens": an array of strings, each token or tokens for `region`.
Result<void, IdentityError> apply_token_list(const json& tokens, const std::string& region, Identity& id) {
  if (!tokens.is_array()) return fail(IdentityError{IdentityErrc::bad_field, "easy_dkim_tokens must be an array"});
  for (const auto& t : tokens) {
    if (!t.is_string()) return fail(IdentityError{IdentityErrc::bad_field, "easy_dkim_tokens must hold strings"});
    if (auto added = add_easy_dkim_tokens(t.get_ref<const std::string&>(), region, id); !added)
      return fail(added.error());
  }
  return {};
}

// "additional_regions": [{"region": ..., "easy_dkim_tokens": [...]}, ...], fewer than kMaxSesRegions.
Result<void, IdentityError> apply_additional_regions(const json& extra, Identity& id) {
  if (!extra.is_array()) return fail(IdentityError{IdentityErrc::bad_field, "additional_regions must be an array"});
  if (extra.size() >= kMaxSesRegions) {
    return fail(IdentityError{IdentityErrc::bad_region, "more than " + std::to_string(kMaxSesRegions) +
                                                            " regions (kMaxSesRegions)"});
  }
  for (const auto& block : extra) {
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
    if (auto added = apply_token_list(*tokens, region, id); !added) return added;
  }
  return {};
}

// BYODKIM selector and key, legacy token, MAIL FROM.
Result<void, IdentityError> apply_other_fields(const json& obj, Identity& id) {
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
  // "byodkim_public_key_file" names a PEM file; "byodkim_public_key_pem" is its older, misleading name
  // (it never held PEM text), still read.
  auto key_file = string_field(obj, "byodkim_public_key_file");
  if (!key_file) return fail(key_file.error());
  auto old_key_file = string_field(obj, "byodkim_public_key_pem");
  if (!old_key_file) return fail(old_key_file.error());
  if (*key_file && *old_key_file)
    return fail(IdentityError{IdentityErrc::bad_field, "byodkim_public_key_file and byodkim_public_key_pem: give one"});
  if (*key_file) id.public_key_file = **key_file;
  else if (*old_key_file) id.public_key_file = **old_key_file;
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
  return {};
}

}  // namespace

Result<void, IdentityError> apply_ses_identity_json(std::string_view text, Identity& identity) {
  try {
    auto doc = parse_json_object(text);
    if (!doc) return fail(doc.error());
    auto v1 = apply_v1_shapes(*doc, identity);
    if (!v1) return fail(v1.error());
    if (*v1) return {};
    // Anything else must be `aws sesv2 get-email-identity` output.
    return apply_v2(*doc, identity);
  } catch (const std::exception& e) {
    // nlohmann reports type errors by exception; none should reach here, but the boundary holds.
    return fail(IdentityError{IdentityErrc::bad_json, e.what()});
  }
}

Result<Identity, IdentityError> parse_bulk_line(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() == '#') return fail(IdentityError{IdentityErrc::empty_line, {}});
  if (line.front() != '{') return plain_bulk_line(line);
  try {
    auto doc = parse_json_object(line);
    if (!doc) return fail(doc.error());
    const json& obj = *doc;
    Identity id;
    if (auto r = apply_domain_and_email(obj, id); !r) return fail(r.error());
    auto region = string_field(obj, "region");
    if (!region) return fail(region.error());
    if (*region) {
      auto r = check_region(**region);
      if (!r) return fail(r.error());
      id.region = *r;
    }
    if (auto tokens = obj.find("easy_dkim_tokens"); tokens != obj.end() && !tokens->is_null()) {
      if (auto r = apply_token_list(*tokens, id.region, id); !r) return fail(r.error());
    }
    if (auto extra = obj.find("additional_regions"); extra != obj.end() && !extra->is_null()) {
      if (auto r = apply_additional_regions(*extra, id); !r) return fail(r.error());
    }
    if (auto r = apply_other_fields(obj, id); !r) return fail(r.error());
    return id;
  } catch (const std::exception& e) {
    return fail(IdentityError{IdentityErrc::bad_json, e.what()});
  }
}

}  // namespace dkimdoctor::diagnose
