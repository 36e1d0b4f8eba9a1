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
  for (const auto& r : tv.records) values.push_back(txt_value(r));
  if (values.empty()) {
    if (inconsistent) return;
    if (judge_variants(ctx, e, wire::RRType::TXT, kTokenVariantCodes, "The verification token")) return;
    auto& f = ctx.add(Code::VERIFICATION_TOKEN_MISSING, e.name,
                      "The verification TXT record " + name_text(e.name) + " is not published" +
                          (tv.nxdomain ? " (the name does not exist)." : " (the name exists but has no TXT record)."));
    if (!tv.nxdomain) f.ses_error = SesError::type_not_found;
    f.evidence = tv.evidence;
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
    f.evidence = tv.evidence;
    return;
  }
  for (const auto& v : values) {
    if (iequals(v, e.value)) {
      auto& f = ctx.add(Code::VALUE_CASE_CHANGED, e.name,
                        name_text(e.name) + " holds \"" + v + "\" but SES gave \"" + e.value +
                            "\": the DNS provider lowercased the token, and SES compares it exactly.");
      f.fix = "Enter the token again exactly as SES shows it, or ask the DNS provider to stop lowercasing TXT values.";
      f.evidence = tv.evidence;
      return;
    }
  }
  for (const auto& v : values) {
    if (strip_quotes_and_space(v) == e.value) {
      auto& f = ctx.add(Code::VERIFICATION_TOKEN_WRONG_VALUE, e.name,
                        name_text(e.name) + " holds the token with extra quotes or spaces (\"" + v +
                            "\"); SES compares the value exactly.");
      f.evidence = tv.evidence;
      return;
    }
  }
  std::vector<std::string> quoted;
  for (const auto& v : values) quoted.push_back("\"" + v + "\"");
  auto& f = ctx.add(Code::VERIFICATION_TOKEN_WRONG_VALUE, e.name,
                    name_text(e.name) + " holds " + join(quoted) + " but not the token SES gave (\"" + e.value + "\").");
  f.evidence = tv.evidence;
}

void judge_mail_from(Ctx& ctx, const ExpectedRecord& mx, const ExpectedRecord* spf) {
  const Published mv = published(ctx, mx.name, wire::RRType::MX);
  bool ok = true;
  if (!mv.observed) {
    ctx.incomplete.push_back(name_text(mx.name) + " MX");
    ok = false;
  } else {
    std::vector<std::string> hosts;
    bool found = false;
    const std::string want = mx.region.empty() ? "" : "feedback-smtp." + mx.region + ".amazonses.com";
    std::string other_region;
    for (const auto& r : mv.records) {
      auto m = r.rdata.as_mx();
      if (!m) continue;
      const std::string host = lower(name_text(m->exchange));
      hosts.push_back(std::to_string(m->preference) + " " + host);
      const bool feedback = host.rfind("feedback-smtp.", 0) == 0 && host.size() > 28 &&
                            host.compare(host.size() - 14, 14, ".amazonses.com") == 0;
      if (feedback && (want.empty() || host == want)) found = true;
      else if (feedback) other_region = host;
    }
    if (!found) {
      ok = false;
      std::string msg;
      if (hosts.empty())
        msg = "The MAIL FROM domain " + name_text(mx.name) + " has no MX record, so SES will not use it" +
              " (it falls back to amazonses.com or rejects mail, per BehaviorOnMxFailure).";
      else if (!other_region.empty())
        msg = "The MAIL FROM domain " + name_text(mx.name) + " points to " + other_region + ", the feedback host of "
              "another region; this identity needs " + want + ".";
      else
        msg = "The MAIL FROM domain " + name_text(mx.name) + " has MX " + join(hosts) + " but not " +
              (want.empty() ? std::string("feedback-smtp.<region>.amazonses.com") : want) + ".";
      auto& f = ctx.add(Code::MAIL_FROM_MX, mx.name, msg);
      if (!mx.region.empty()) f.fix = "Publish MX 10 " + want + " at " + name_text(mx.name) + ".";
      f.evidence = mv.evidence;
      if (hosts.empty()) ctx.missing.push_back(name_text(mx.name) + " MX");
    }
  }
  if (spf) {
    const Published sv = published(ctx, spf->name, wire::RRType::TXT);
    if (!sv.observed) {
      ctx.incomplete.push_back(name_text(spf->name) + " TXT");
      ok = false;
    } else {
      std::vector<std::string> spfs;
      for (const auto& r : sv.records) {
        const std::string v = txt_value(r);
        // RFC 7208 §4.5: records that begin with "v=spf1" followed by a space or the end.
        if (starts_with_ci(v, "v=spf1") && (v.size() == 6 || v[6] == ' ')) spfs.push_back(v);
      }
      std::string msg;
      if (spfs.empty())
        msg = "The MAIL FROM domain " + name_text(spf->name) + " has no SPF record, so SPF fails for mail SES sends "
              "from it.";
      else if (spfs.size() > 1)
        msg = "The MAIL FROM domain " + name_text(spf->name) + " has " + std::to_string(spfs.size()) +
              " SPF records; RFC 7208 §4.5 makes that a permanent error.";
      else if (lower(spfs.front()).find("include:amazonses.com") == std::string::npos)
        msg = "The SPF record of " + name_text(spf->name) + " (\"" + spfs.front() +
              "\") does not include amazonses.com, so SES's servers are not authorised to send for it.";
      if (!msg.empty()) {
        ok = false;
        auto& f = ctx.add(Code::MAIL_FROM_SPF, spf->name, msg);
        f.evidence = sv.evidence;
      }
    }
  }
  if (ok) {
    auto& f = ctx.add(Code::MAIL_FROM_OK, mx.name,
                      "The MAIL FROM domain " + name_text(mx.name) + " has the SES feedback MX and an SPF record "
                      "including amazonses.com.");
    f.evidence = mv.evidence;
  }
}

void judge_dmarc(Ctx& ctx, const ExpectedRecord& e) {
  const Published tv = published(ctx, e.name, wire::RRType::TXT);
  if (!tv.observed) {
    ctx.incomplete.push_back(name_text(e.name) + " TXT");
    return;
  }
  std::vector<std::string> records;
  for (const auto& r : tv.records) {
    const std::string v = txt_value(r);
    // RFC 7489 §6.6.3: records that do not start with "v=DMARC1" are discarded.
    if (starts_with_ci(v, "v=DMARC1")) records.push_back(v);
  }
  if (records.empty()) {
    // RFC 7489 §6.6.3: a subdomain without its own record falls back to the organizational domain; the zone
    // apex stands in for it here.
    const wire::Name& zone = ctx.obs.delegation.zone;
    if (!zone.is_root() && !(zone == ctx.identity.domain) && ctx.identity.domain.is_subdomain_of(zone)) {
      if (auto org = zone.prepend("_dmarc")) {
        const auto* r = ctx.want(Lookup{*org, wire::RRType::TXT, Scope::iterative});
        if (r && r->iterative && r->iterative->complete) {
          for (const auto& rec : records_at(r->iterative->answer, *org, wire::RRType::TXT)) {
            if (starts_with_ci(txt_value(rec), "v=DMARC1")) {
              auto& f = ctx.add(Code::DMARC_OK, e.name,
                                "No DMARC record at " + name_text(e.name) + ", but the organizational domain's policy at " +
                                    name_text(*org) + " applies (\"" + txt_value(rec) + "\").");
              f.evidence.push_back(describe(*r->iterative));
              return;
            }
          }
        }
      }
    }
    auto& f = ctx.add(Code::DMARC_MISSING, e.name,
                      name_text(e.name) + " has no DMARC record; mailbox providers increasingly require one for bulk "
                      "senders.");
    f.evidence = tv.evidence;
    return;
  }
  auto add = [&](std::string msg) {
    auto& f = ctx.add(Code::DMARC_SYNTAX, e.name, std::move(msg));
    f.evidence = tv.evidence;
  };
  if (records.size() > 1) {
    add(name_text(e.name) + " has " + std::to_string(records.size()) +
        " DMARC records; receivers then ignore DMARC entirely (RFC 7489 §6.6.3).");
    return;
  }
  auto tags = parse_tag_list(records.front());
  if (!tags) {
    add("The DMARC record at " + name_text(e.name) + " does not parse: " + to_string(tags.error()) + ".");
    return;
  }
  if (tags->empty() || tags->front().name != "v" || tags->front().value != "DMARC1") {
    add("The DMARC record at " + name_text(e.name) + " must start with v=DMARC1 exactly.");
    return;
  }
  const Tag* p = nullptr;
  for (const auto& t : *tags)
    if (t.name == "p") p = &t;
  if (!p || (tags->size() > 1 && (*tags)[1].name != "p")) {
    add("The DMARC record at " + name_text(e.name) + (p ? " must have p= right after v=DMARC1 (RFC 7489 §6.4)."
                                                        : " has no p= policy tag."));
    return;
  }
  const std::string policy = lower(p->value);
  if (policy != "none" && policy != "quarantine" && policy != "reject") {
    add("The DMARC record at " + name_text(e.name) + " has p=" + p->value +
        "; the policy must be none, quarantine or reject.");
    return;
  }
  auto& f = ctx.add(Code::DMARC_OK, e.name, name_text(e.name) + " publishes a DMARC policy (p=" + policy + ").");
  f.evidence = tv.evidence;
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
  for (const auto& r : tv.records) values.push_back("\"" + txt_value(r) + "\"");
  auto& f = ctx.add(Code::VERIFICATION_TOKEN_FOUND, e.name,
                    name_text(e.name) + " holds " + plural(values.size(), "legacy verification value", "legacy verification values") +
                        " (" + join(values) + "); without the token SES gave, they cannot be compared.");
  f.evidence = tv.evidence;
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
