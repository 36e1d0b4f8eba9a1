#include "diagnose/expect.hpp"

#include <algorithm>

namespace dkimdoctor::diagnose {
namespace {

// `label` + "." + `base`; a name that cannot be built (too long) is skipped by the caller.
std::optional<wire::Name> under(const wire::Name& base, std::string_view labels) {
  auto rel = wire::Name::parse(labels);
  if (!rel) return std::nullopt;
  auto full = rel->append(base);
  if (!full) return std::nullopt;
  return *full;
}

void add(std::vector<Lookup>& out, Lookup l) {
  if (std::find(out.begin(), out.end(), l) == out.end()) out.push_back(std::move(l));
}

}  // namespace

std::string_view to_string(Security s) noexcept {
  switch (s) {
    case Security::unchecked: return "unchecked";
    case Security::secure: return "secure";
    case Security::insecure: return "insecure";
    case Security::bogus: return "bogus";
    case Security::indeterminate: return "indeterminate";
  }
  return "unchecked";
}

std::string to_string(const Lookup& lookup) {
  return lookup.name.to_string() + " " + wire::to_string(lookup.type) +
         (lookup.scope == Scope::iterative ? " (iterative)" : " (every authoritative server)");
}

const LookupResult* Observations::find(const Lookup& lookup) const {
  for (const auto& l : lookups)
    if (l.lookup == lookup) return &l;
  return nullptr;
}

// Without building a Lookup: that would copy the name.
const LookupResult* Observations::find(const wire::Name& name, wire::RRType type, Scope scope) const {
  for (const auto& l : lookups)
    if (l.lookup.type == type && l.lookup.scope == scope && l.lookup.name == name) return &l;
  return nullptr;
}

std::vector<ExpectedRecord> expectations(const Identity& identity) {
  std::vector<ExpectedRecord> out;
  const wire::Name& d = identity.domain;
  for (const auto& t : identity.easy_dkim) {
    auto name = under(d, t.token + "._domainkey");
    if (!name) continue;
    const std::string region = t.region.empty() ? identity.region : t.region;
    out.push_back(ExpectedRecord{Purpose::easy_dkim, *name, wire::RRType::CNAME, easy_dkim_target(t.token, region) + ".",
                                 "Easy DKIM: SES looks for this CNAME to verify the domain and signs with the key behind it.",
                                 t.token, region});
  }
  if (identity.byodkim_selector) {
    if (auto name = under(d, *identity.byodkim_selector + "._domainkey")) {
      out.push_back(ExpectedRecord{Purpose::byodkim, *name, wire::RRType::TXT, "",
                                   "BYODKIM: SES and every receiver read the public key from this TXT record.",
                                   *identity.byodkim_selector, identity.region});
    }
  }
  if (identity.verification_token) {
    if (auto name = under(d, "_amazonses")) {
      out.push_back(ExpectedRecord{Purpose::verification_token, *name, wire::RRType::TXT, *identity.verification_token,
                                   "Legacy domain verification: SES compares this TXT value with the token exactly.",
                                   *identity.verification_token, identity.region});
    }
  }
  if (identity.mail_from) {
    const std::string host = identity.region.empty() ? "feedback-smtp.<region>.amazonses.com."
                                                     : "feedback-smtp." + identity.region + ".amazonses.com.";
    out.push_back(ExpectedRecord{Purpose::mail_from_mx, *identity.mail_from, wire::RRType::MX, "10 " + host,
                                 "Custom MAIL FROM: SES checks this MX before using the domain as the envelope sender.",
                                 "", identity.region});
    out.push_back(ExpectedRecord{Purpose::mail_from_spf, *identity.mail_from, wire::RRType::TXT,
                                 "v=spf1 include:amazonses.com ~all",
                                 "Custom MAIL FROM: receivers check SPF for the envelope sender domain.", "",
                                 identity.region});
  }
  if (!identity.verification_token) {
    if (auto name = under(d, "_amazonses")) {
      out.push_back(ExpectedRecord{Purpose::token_present, *name, wire::RRType::TXT, "",
                                   "Legacy domain verification (no token given: only reported).", "", ""});
    }
  }
  if (!identity.email) {
    out.push_back(ExpectedRecord{Purpose::domain_mx, d, wire::RRType::MX, "",
                                 "Where mail to the domain goes (replies, bounces); not needed for verification.", "",
                                 ""});
  }
  if (auto name = under(d, "_dmarc")) {
    out.push_back(ExpectedRecord{Purpose::dmarc, *name, wire::RRType::TXT, "",
                                 "DMARC tells receivers what to do with mail that fails DKIM and SPF alignment.", "", ""});
  }
  if (identity.email) {
    const auto at = identity.email->rfind('@');
    std::optional<wire::Name> mail_domain;
    if (at != std::string::npos) {
      auto parsed = parse_domain(std::string_view(*identity.email).substr(at + 1));
      if (parsed) mail_domain = *parsed;
    }
    if (mail_domain) {
      out.push_back(ExpectedRecord{Purpose::email_mx, *mail_domain, wire::RRType::MX, "",
                                   "Email identity: SES sends a verification link that must be delivered to " +
                                       *identity.email + ".",
                                   *identity.email, ""});
    }
  }
  return out;
}

std::vector<Lookup> plan(const std::vector<ExpectedRecord>& expected) {
  std::vector<Lookup> out;
  for (const auto& e : expected) {
    switch (e.purpose) {
      case Purpose::easy_dkim:
        // The CNAME itself at every server (what SES compares), TXT at every server (a TXT where the CNAME
        // belongs, or data beside the CNAME), and a full TXT resolution through the chain to the key.
        add(out, {e.name, wire::RRType::CNAME, Scope::authoritative});
        add(out, {e.name, wire::RRType::TXT, Scope::authoritative});
        add(out, {e.name, wire::RRType::TXT, Scope::iterative});
        break;
      case Purpose::byodkim:
      case Purpose::verification_token:
      case Purpose::mail_from_spf:
      case Purpose::dmarc:
        add(out, {e.name, wire::RRType::TXT, Scope::authoritative});
        add(out, {e.name, wire::RRType::TXT, Scope::iterative});
        break;
      case Purpose::mail_from_mx:
        add(out, {e.name, wire::RRType::MX, Scope::authoritative});
        add(out, {e.name, wire::RRType::MX, Scope::iterative});
        break;
      case Purpose::token_present:
        add(out, {e.name, wire::RRType::TXT, Scope::authoritative});
        add(out, {e.name, wire::RRType::TXT, Scope::iterative});
        break;
      case Purpose::email_mx:
      case Purpose::domain_mx:
        add(out, {e.name, wire::RRType::MX, Scope::iterative});
        break;
    }
  }
  return out;
}

}  // namespace dkimdoctor::diagnose
