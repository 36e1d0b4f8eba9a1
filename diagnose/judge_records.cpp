// The legacy verification token, custom MAIL FROM, DMARC and email-address judgement.
#include <algorithm>

#include "diagnose/dkim_tags.hpp"
#include "diagnose/judge_internal.hpp"

namespace dkimdoctor::diagnose::detail {
namespace {

constexpr Code kTokenVariantCodes[3] = {Code::VERIFICATION_TOKEN_UNDERSCORE_STRIPPED,
                                        Code::VERIFICATION_TOKEN_DOMAIN_APPENDED,
                                        Code::VERIFICATION_TOKEN_UNDERSCORE_STRIPPED};

std::string strip_quotes_and_space(std::string_view v) {
  std::string out;
  for (char c : v)
    if (c != '"' && c != '\'' && c != ' ' && c != '\t') out += c;
  return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace

void judge_verification_token(Ctx& ctx, const ExpectedRecord& e) {
  const Published tv = published(ctx, e.name, wire::RRType::TXT);
  if (!tv.observed) {
    ctx.incomplete.push_back(name_text(e.name) + " TXT");
    return;
  }
  const bool inconsistent = ctx.is_inconsistent(e.name);
  std::vector<std::string> values;
  for (const auto* r : tv.records) values.push_back(txt_value(*r));
  if (values.empty()) {
    if (inconsistent) return;
    if (judge_variants(ctx, e, wire::RRType::TXT, kTokenVariantCodes, "The verification token")) return;
    auto& f = ctx.add(Code::VERIFICATION_TOKEN_MISSING, e.name,
                      "The verification TXT record " + name_text(e.name) + " is not published" +
                          (tv.nxdomain ? " (the name does not exist)." : " (the name exists but has no TXT record)."));
    if (!tv.nxdomain) f.ses_error = SesError::type_not_found;
    f.evidence = tv.evidence();
    f.evidence.push_back("expected: " + name_text(e.name) + " TXT \"" + e.value + "\"");
    ctx.missing.push_back(name_text(e.name));
    f.fix += ctx.delegated_to();
    return;
  }
  // Several values are fine (one per region or account): SES needs one exact match.
  if (std::find(values.begin(), values.end(), e.value) != values.end()) {
    if (inconsistent) return;
    auto& f = ctx.add(Code::VERIFICATION_TOKEN_OK, e.name,
                      name_text(e.name) + " holds the verification token" +
                          (values.size() > 1 ? " (among " + std::to_string(values.size()) + " values)." : "."));
    f.evidence = tv.evidence();
    return;
  }
  for (const auto& v : values) {
    if (iequals(v, e.value)) {
      auto& f = ctx.add(Code::VALUE_CASE_CHANGED, e.name,
                        name_text(e.name) + " holds \"" + v + "\" but SES gave \"" + e.value +
                            "\": the DNS provider lowercased the token, and SES compares it exactly.");
      f.fix = "Enter the token again exactly as SES shows it, or ask the DNS provider to stop lowercasing TXT values.";
      f.evidence = tv.evidence();
      return;
    }
  }
  for (const auto& v : values) {
    if (strip_quotes_and_space(v) == e.value) {
      auto& f = ctx.add(Code::VERIFICATION_TOKEN_WRONG_VALUE, e.name,
                        name_text(e.name) + " holds the token with extra quotes or spaces (\"" + v +
                            "\"); SES compares the value exactly.");
      f.evidence = tv.evidence();
      return;
    }
  }
  std::vector<std::string> quoted;
  for (const auto& v : values) quoted.push_back("\"" + v + "\"");
  auto& f = ctx.add(Code::VERIFICATION_TOKEN_WRONG_VALUE, e.name,
                    name_text(e.name) + " holds " + join(quoted) + " but not the token SES gave (\"" + e.value + "\").");
  f.evidence = tv.evidence();
}

namespace {

// ---- MAIL FROM and DMARC, read as data --------------------------------------------------------------------

enum class FeedbackMx : std::uint8_t {
  found,         // feedback-smtp.<region>.amazonses.com (any region when none was given)
  none,          // no MX at all
  other_region,  // the feedback host of another region
  other,         // MX hosts, none of them SES's feedback host
};

struct MailFromMx {
  FeedbackMx state = FeedbackMx::none;
  std::vector<std::string> hosts;  // "10 feedback-smtp.us-east-1.amazonses.com"
  std::string want;                // the feedback host of the region ("" when no region was given)
  std::string other_region;        // other_region: that host
};

MailFromMx read_feedback_mx(const Published& mv, const std::string& region) {
  MailFromMx m;
  m.want = region.empty() ? "" : "feedback-smtp." + region + ".amazonses.com";
  bool found = false;
  for (const auto* r : mv.records) {
    auto mx = r->rdata.as_mx();
    if (!mx) continue;
    const std::string host = lower(name_text(mx->exchange));
    m.hosts.push_back(std::to_string(mx->preference) + " " + host);
    const bool feedback = host.rfind("feedback-smtp.", 0) == 0 && host.size() > 28 &&
                          host.compare(host.size() - 14, 14, ".amazonses.com") == 0;
    if (feedback && (m.want.empty() || host == m.want)) found = true;
    else if (feedback) m.other_region = host;
  }
  m.state = found ? FeedbackMx::found
            : m.hosts.empty() ? FeedbackMx::none
            : !m.other_region.empty() ? FeedbackMx::other_region
                                      : FeedbackMx::other;
  return m;
}

enum class SpfState : std::uint8_t { ok, none, several, no_amazonses };

struct Spf {
  SpfState state = SpfState::ok;
  std::vector<std::string> records;  // the SPF records (RFC 7208 §4.5: "v=spf1" then a space or the end)
};

Spf read_spf(const Published& sv) {
  Spf spf;
  for (const auto* r : sv.records) {
    const std::string v = txt_value(*r);
    if (starts_with_ci(v, "v=spf1") && (v.size() == 6 || v[6] == ' ')) spf.records.push_back(v);
  }
  spf.state = spf.records.empty()     ? SpfState::none
              : spf.records.size() > 1 ? SpfState::several
              : lower(spf.records.front()).find("include:amazonses.com") == std::string::npos ? SpfState::no_amazonses
                                                                                               : SpfState::ok;
  return spf;
}

enum class DmarcState : std::uint8_t {
  ok,
  several,            // more than one DMARC record: receivers ignore DMARC
  unparsable,         // not a tag list
  no_version,         // does not start with v=DMARC1 exactly
  no_policy,          // no p=
  policy_not_second,  // p= is not right after v=DMARC1 (RFC 7489 §6.4)
  bad_policy,         // p= is not none, quarantine or reject
};

struct Dmarc {
  DmarcState state = DmarcState::ok;
  std::size_t count = 0;  // DMARC records
  std::string error;      // unparsable: why
  std::string policy;     // the p= value as published (ok: lowercased)
};

// `records`: the TXT values that start with "v=DMARC1" (RFC 7489 §6.6.3 discards the others); not empty.
Dmarc read_dmarc(const std::vector<std::string>& records) {
  Dmarc d;
  d.count = records.size();
  if (records.size() > 1) {
    d.state = DmarcState::several;
    return d;
  }
  auto tags = parse_tag_list(records.front());
  if (!tags) {
    d.state = DmarcState::unparsable;
    d.error = to_string(tags.error());
    return d;
  }
  if (tags->empty() || tags->front().name != "v" || tags->front().value != "DMARC1") {
    d.state = DmarcState::no_version;
    return d;
  }
  const Tag* p = nullptr;
  for (const auto& t : *tags)
    if (t.name == "p") p = &t;
  if (!p) {
    d.state = DmarcState::no_policy;
  } else if (tags->size() > 1 && (*tags)[1].name != "p") {
    d.state = DmarcState::policy_not_second;
  } else {
    const std::string policy = lower(p->value);
    const bool known = policy == "none" || policy == "quarantine" || policy == "reject";
    d.state = known ? DmarcState::ok : DmarcState::bad_policy;
    d.policy = known ? policy : p->value;
  }
  return d;
}

// ---- MAIL FROM and DMARC, worded -----------------------------------------------------------------------------

// Returns false when the MX is not SES's feedback host (a finding says why).
bool word_feedback_mx(Ctx& ctx, const ExpectedRecord& mx, const Published& mv) {
  const MailFromMx m = read_feedback_mx(mv, mx.region);
  std::string msg;
  switch (m.state) {
    case FeedbackMx::found: return true;
    case FeedbackMx::none:
      msg = "The MAIL FROM domain " + name_text(mx.name) + " has no MX record, so SES will not use it" +
            " (it falls back to amazonses.com or rejects mail, per BehaviorOnMxFailure).";
      break;
    case FeedbackMx::other_region:
      msg = "The MAIL FROM domain " + name_text(mx.name) + " points to " + m.other_region + ", the feedback host of "
            "another region; this identity needs " + m.want + ".";
      break;
    case FeedbackMx::other:
      msg = "The MAIL FROM domain " + name_text(mx.name) + " has MX " + join(m.hosts) + " but not " +
            (m.want.empty() ? std::string("feedback-smtp.<region>.amazonses.com") : m.want) + ".";
      break;
  }
  auto& f = ctx.add(Code::MAIL_FROM_MX, mx.name, msg);
  if (!mx.region.empty()) f.fix = "Publish MX 10 " + m.want + " at " + name_text(mx.name) + ".";
  f.evidence = mv.evidence();
  if (m.state == FeedbackMx::none) ctx.missing.push_back(name_text(mx.name) + " MX");
  return false;
}

// Returns false when the SPF record does not authorise SES (a finding says why).
bool word_spf(Ctx& ctx, const ExpectedRecord& spf, const Published& sv) {
  const Spf s = read_spf(sv);
  std::string msg;
  switch (s.state) {
    case SpfState::ok: return true;
    case SpfState::none:
      msg = "The MAIL FROM domain " + name_text(spf.name) + " has no SPF record, so SPF fails for mail SES sends "
            "from it.";
      break;
    case SpfState::several:
      msg = "The MAIL FROM domain " + name_text(spf.name) + " has " + std::to_string(s.records.size()) +
            " SPF records; RFC 7208 §4.5 makes that a permanent error.";
      break;
    case SpfState::no_amazonses:
      msg = "The SPF record of " + name_text(spf.name) + " (\"" + s.records.front() +
            "\") does not include amazonses.com, so SES's servers are not authorised to send for it.";
      break;
  }
  auto& f = ctx.add(Code::MAIL_FROM_SPF, spf.name, msg);
  f.evidence = sv.evidence();
  return false;
}

// RFC 7489 §6.6.3: a subdomain without its own record falls back to the organizational domain; the zone
// apex stands in for it here. Returns true when that policy applies (DMARC_OK said so).
bool word_org_dmarc(Ctx& ctx, const ExpectedRecord& e) {
  const wire::Name& zone = ctx.obs.delegation.zone;
  if (zone.is_root() || zone == ctx.identity.domain || !ctx.identity.domain.is_subdomain_of(zone)) return false;
  auto org = zone.prepend("_dmarc");
  if (!org) return false;
  const auto* r = ctx.want(Lookup{*org, wire::RRType::TXT, Scope::iterative});
  if (!r || !r->iterative || !r->iterative->complete) return false;
  for (const auto& rec : records_at(r->iterative->answer, *org, wire::RRType::TXT)) {
    if (starts_with_ci(txt_value(rec), "v=DMARC1")) {
      auto& f = ctx.add(Code::DMARC_OK, e.name,
                        "No DMARC record at " + name_text(e.name) + ", but the organizational domain's policy at " +
                            name_text(*org) + " applies (\"" + txt_value(rec) + "\").");
      f.evidence.push_back(describe(*r->iterative));
      return true;
    }
  }
  return false;
}

std::string dmarc_problem(const std::string& n, const Dmarc& d) {
  switch (d.state) {
    case DmarcState::ok: break;
    case DmarcState::several:
      return n + " has " + std::to_string(d.count) + " DMARC records; receivers then ignore DMARC entirely (RFC 7489 §6.6.3).";
    case DmarcState::unparsable: return "The DMARC record at " + n + " does not parse: " + d.error + ".";
    case DmarcState::no_version: return "The DMARC record at " + n + " must start with v=DMARC1 exactly.";
    case DmarcState::no_policy: return "The DMARC record at " + n + " has no p= policy tag.";
    case DmarcState::policy_not_second:
      return "The DMARC record at " + n + " must have p= right after v=DMARC1 (RFC 7489 §6.4).";
    case DmarcState::bad_policy:
      return "The DMARC record at " + n + " has p=" + d.policy + "; the policy must be none, quarantine or reject.";
  }
  return {};
}

}  // namespace

void judge_mail_from(Ctx& ctx, const ExpectedRecord& mx, const ExpectedRecord* spf) {
  const Published mv = published(ctx, mx.name, wire::RRType::MX);
  bool ok = true;
  if (!mv.observed) {
    ctx.incomplete.push_back(name_text(mx.name) + " MX");
    ok = false;
  } else {
    ok = word_feedback_mx(ctx, mx, mv);
  }
  if (spf) {
    const Published sv = published(ctx, spf->name, wire::RRType::TXT);
    if (!sv.observed) {
      ctx.incomplete.push_back(name_text(spf->name) + " TXT");
      ok = false;
    } else if (!word_spf(ctx, *spf, sv)) {
      ok = false;
    }
  }
  if (ok) {
    auto& f = ctx.add(Code::MAIL_FROM_OK, mx.name,
                      "The MAIL FROM domain " + name_text(mx.name) + " has the SES feedback MX and an SPF record "
                      "including amazonses.com.");
    f.evidence = mv.evidence();
  }
}

void judge_dmarc(Ctx& ctx, const ExpectedRecord& e) {
  const Published tv = published(ctx, e.name, wire::RRType::TXT);
  if (!tv.observed) {
    ctx.incomplete.push_back(name_text(e.name) + " TXT");
    return;
  }
  std::vector<std::string> records;
  for (const auto* r : tv.records) {
    const std::string v = txt_value(*r);
    // RFC 7489 §6.6.3: records that do not start with "v=DMARC1" are discarded.
    if (starts_with_ci(v, "v=DMARC1")) records.push_back(v);
  }
  if (records.empty()) {
    if (word_org_dmarc(ctx, e)) return;
    auto& f = ctx.add(Code::DMARC_MISSING, e.name,
                      name_text(e.name) + " has no DMARC record; mailbox providers increasingly require one for bulk "
                      "senders.");
    f.evidence = tv.evidence();
    return;
  }
  const Dmarc d = read_dmarc(records);
  auto& f = d.state == DmarcState::ok
                ? ctx.add(Code::DMARC_OK, e.name, name_text(e.name) + " publishes a DMARC policy (p=" + d.policy + ").")
                : ctx.add(Code::DMARC_SYNTAX, e.name, dmarc_problem(name_text(e.name), d));
  f.evidence = tv.evidence();
}

namespace {

// The MX RRset at the end of any CNAME chain from the email's domain.
struct MailExchangers {
  wire::Name owner;                  // where the MX RRset is (the end of the chain)
  std::vector<wire::Name> exchanges;
  bool null_mx = false;              // RFC 7505 §3: "0 ."
};

MailExchangers read_exchangers(const IterativeResult& r, const wire::Name& name) {
  auto chain = cname_chain(r.answer, name);
  MailExchangers mx;
  mx.owner = chain.empty() ? name : chain.back();
  for (const auto& rec : records_at(r.answer, mx.owner, wire::RRType::MX)) {
    auto m = rec.rdata.as_mx();
    if (!m) continue;
    if (m->exchange.is_root()) mx.null_mx = true;
    else mx.exchanges.push_back(m->exchange);
  }
  return mx;
}

// Which hosts have an address, which have none, whether lookups are still pending (asked for with
// ctx.want); the lookups' evidence is added to `evidence`.
struct HostAddresses {
  std::vector<std::string> resolvable, unresolvable;
  bool pending = false;
};

HostAddresses read_host_addresses(Ctx& ctx, const std::vector<wire::Name>& hosts, std::vector<std::string>& evidence) {
  HostAddresses out;
  for (const auto& h : hosts) {
    bool has_address = false, observed = true;
    for (auto type : {wire::RRType::A, wire::RRType::AAAA}) {
      const auto* a = ctx.want(Lookup{h, type, Scope::iterative});
      if (!a || !a->iterative) {
        observed = false;
        continue;
      }
      if (!a->iterative->complete) continue;
      auto ch = cname_chain(a->iterative->answer, h);
      if (!records_at(a->iterative->answer, ch.empty() ? h : ch.back(), type).empty()) has_address = true;
      evidence.push_back(name_text(h) + " " + wire::to_string(type) + ": " + describe(*a->iterative));
    }
    if (has_address) out.resolvable.push_back(name_text(h));
    else if (observed) out.unresolvable.push_back(name_text(h));
    else out.pending = true;
  }
  return out;
}

// The domain has no MX: mail goes to its own address, if it has one (RFC 5321 §5.1 implicit MX).
void word_implicit_mx(Ctx& ctx, const ExpectedRecord& e, const HostAddresses& a, std::vector<std::string> evidence) {
  const std::string domain = name_text(e.name);
  if (!a.resolvable.empty()) {
    auto& f = ctx.add(Code::EMAIL_A_FALLBACK, e.name,
                      domain + " has no MX record; mail is delivered to its own address instead (RFC 5321 §5.1).");
    f.evidence = std::move(evidence);
    return;
  }
  auto& f = ctx.add(Code::EMAIL_NO_MX, e.name,
                    domain + " has no MX record and no address, so " + e.token +
                        " cannot receive the SES verification email.");
  f.evidence = std::move(evidence);
  if (a.pending) f.message += " (Address lookups are still pending.)";
}

void word_exchangers(Ctx& ctx, const ExpectedRecord& e, const HostAddresses& a, std::vector<std::string> evidence) {
  const std::string domain = name_text(e.name);
  if (!a.unresolvable.empty()) {
    auto& f = ctx.add(Code::EMAIL_MX_UNRESOLVABLE, e.name,
                      "The mail exchanger" + std::string(a.unresolvable.size() == 1 ? " " : "s ") + join(a.unresolvable) +
                          " of " + domain + (a.unresolvable.size() == 1 ? " has" : " have") + " no A or AAAA record" +
                          (a.resolvable.empty() ? ", so no mail can be delivered." : "; mail falls back to the others."));
    if (!a.resolvable.empty()) f.severity = Severity::warning;
    f.evidence = std::move(evidence);
    return;
  }
  if (a.pending) return;  // judged again once the addresses are in
  auto& f = ctx.add(Code::EMAIL_OK, e.name,
                    domain + " receives mail (MX " + join(a.resolvable) + "), so the verification email can arrive.");
  f.evidence = std::move(evidence);
}

}  // namespace

void judge_email(Ctx& ctx, const ExpectedRecord& e) {
  const auto* mx = ctx.get(e.name, wire::RRType::MX, Scope::iterative);
  if (!mx || !mx->iterative || !mx->iterative->complete) {
    ctx.incomplete.push_back(name_text(e.name) + " MX");
    return;
  }
  const IterativeResult& r = *mx->iterative;
  const std::string domain = name_text(e.name);
  if (r.rcode == wire::Rcode::NXDomain) {
    auto& f = ctx.add(Code::EMAIL_NO_MX, e.name,
                      domain + " does not exist, so " + e.token + " cannot receive the SES verification email.");
    f.evidence.push_back(describe(r));
    return;
  }
  const MailExchangers m = read_exchangers(r, e.name);
  if (m.null_mx) {
    auto& f = ctx.add(Code::EMAIL_NULL_MX, e.name,
                      domain + " publishes a null MX (RFC 7505): it accepts no email, so " + e.token +
                          " cannot receive the SES verification email.");
    f.evidence.push_back(describe(r));
    return;
  }
  // Addresses: of the exchanges, or of the domain itself when there is no MX (RFC 5321 §5.1 implicit MX).
  std::vector<std::string> evidence{describe(r)};
  const HostAddresses a =
      read_host_addresses(ctx, m.exchanges.empty() ? std::vector<wire::Name>{m.owner} : m.exchanges, evidence);
  if (m.exchanges.empty()) word_implicit_mx(ctx, e, a, std::move(evidence));
  else word_exchangers(ctx, e, a, std::move(evidence));
}

void judge_token_present(Ctx& ctx, const ExpectedRecord& e) {
  const Published tv = published(ctx, e.name, wire::RRType::TXT);
  if (!tv.observed || tv.records.empty()) return;  // nothing to say: the legacy token is optional
  std::vector<std::string> values;
  for (const auto* r : tv.records) values.push_back("\"" + txt_value(*r) + "\"");
  auto& f = ctx.add(Code::VERIFICATION_TOKEN_FOUND, e.name,
                    name_text(e.name) + " holds " + plural(values.size(), "legacy verification value", "legacy verification values") +
                        " (" + join(values) + "); without the token SES gave, they cannot be compared.");
  f.evidence = tv.evidence();
}

void judge_domain_mx(Ctx& ctx, const ExpectedRecord& e) {
  const auto* mx = ctx.get(e.name, wire::RRType::MX, Scope::iterative);
  if (!mx || !mx->iterative || !mx->iterative->complete) return;  // context only: never makes a check incomplete
  const IterativeResult& r = *mx->iterative;
  auto chain = cname_chain(r.answer, e.name);
  std::vector<std::string> hosts;
  bool null_mx = false;
  for (const auto& rec : records_at(r.answer, chain.empty() ? e.name : chain.back(), wire::RRType::MX)) {
    auto m = rec.rdata.as_mx();
    if (!m) continue;
    if (m->exchange.is_root()) null_mx = true;
    else hosts.push_back(std::to_string(m->preference) + " " + name_text(m->exchange));
  }
  std::string msg;
  if (null_mx) msg = name_text(e.name) + " publishes a null MX (RFC 7505): it receives no mail, so replies and bounces to its addresses are lost.";
  else if (hosts.empty()) msg = name_text(e.name) + " has no MX record: mail to its addresses goes to its A/AAAA address, if any.";
  else msg = name_text(e.name) + " receives mail at " + join(hosts) + ".";
  auto& f = ctx.add(Code::DOMAIN_MX, e.name, msg);
  f.fix.clear();
  f.evidence.push_back(describe(r));
}

}  // namespace dkimdoctor::diagnose::detail
