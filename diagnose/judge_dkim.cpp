// Easy DKIM (CNAME to amazonses.com) judgement. BYODKIM is in judge_byodkim.cpp.
#include <algorithm>

#include "diagnose/dkim_key.hpp"
#include "diagnose/dkim_tags.hpp"
#include "diagnose/judge_internal.hpp"

namespace dkimdoctor::diagnose::detail {
namespace {

// "<token>.dkim[.<region>].amazonses.com" split into token and region ("" = the global zone).
struct SesTarget {
  std::string token, region;
};
std::optional<SesTarget> parse_ses_target(const wire::Name& target) {
  std::string t = lower(name_text(target));
  constexpr std::string_view kSuffix = ".amazonses.com";
  if (t.size() <= kSuffix.size() || t.compare(t.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) return std::nullopt;
  t.resize(t.size() - kSuffix.size());
  const auto dot = t.find('.');
  if (dot == std::string::npos) return std::nullopt;
  SesTarget out{t.substr(0, dot), {}};
  std::string rest = t.substr(dot + 1);
  if (rest == "dkim") return out;
  if (rest.rfind("dkim.", 0) == 0 && plausible_region(rest.substr(5))) {
    out.region = rest.substr(5);
    return out;
  }
  return std::nullopt;
}

std::string zone_text(const std::string& region) {
  return region.empty() ? "the global signing zone dkim.amazonses.com" : "the " + region + " signing zone";
}

// The DKIM key TXT at the end of the iterative resolution of `name` (through its CNAME chain).
struct KeyAtTarget {
  bool observed = false;
  bool found = false;
  std::string detail;  // "2048-bit RSA key" or why not
};
KeyAtTarget key_at_target(Ctx& ctx, const wire::Name& name) {
  KeyAtTarget k;
  const auto* it = ctx.get(name, wire::RRType::TXT, Scope::iterative);
  if (!it || !it->iterative || !it->iterative->complete) return k;
  k.observed = true;
  const auto& r = *it->iterative;
  auto chain = cname_chain(r.answer, name);
  const wire::Name end = chain.empty() ? name : chain.back();
  auto txts = records_at(r.answer, end, wire::RRType::TXT);
  if (r.rcode == wire::Rcode::NXDomain || txts.empty()) {
    k.detail = name_text(end) + (r.rcode == wire::Rcode::NXDomain ? " does not exist (NXDOMAIN)" : " has no TXT record");
    return k;
  }
  for (const auto& t : txts) {
    auto rec = parse_dkim_record(txt_value(t));
    if (!rec) continue;
    // Only "is there an RSA key, and how big" matters here: the DER walk, not OpenSSL (see dkim_key.hpp).
    auto der = decode_base64(rec->p);
    if (!der) {
      k.detail = name_text(end) + ": " + to_string(der.error());
      continue;
    }
    const int bits = rsa_modulus_bits(*der);
    if (bits == 0) {
      k.detail = name_text(end) + ": the p= value is not an RSA public key";
      continue;
    }
    k.found = true;
    k.detail = std::to_string(bits) + "-bit RSA key";
    return k;
  }
  if (k.detail.empty()) k.detail = name_text(end) + " has no DKIM key record";
  return k;
}

// ---- Easy DKIM, read as data --------------------------------------------------------------------------

// What is at an Easy DKIM name: the CNAMEs from the servers, else the first hop of the iterative resolution.
struct CnameAtName {
  Published cv, tv;                     // CNAME and TXT as the servers publish them
  const IterativeResult* it = nullptr;  // the iterative resolution of the name's TXT, when complete
  std::vector<const wire::Record*> cnames;
  bool cnames_from_it = false;          // no server answered: the CNAMEs are the iterative result's

  // The servers' CNAME answers, or the iterative result the CNAMEs came from.
  std::vector<std::string> evidence() const {
    auto out = cv.evidence();
    if (cnames_from_it) out.push_back(describe(*it));
    return out;
  }
};

CnameAtName read_cname_at(const Ctx& ctx, const wire::Name& name) {
  CnameAtName at;
  at.cv = published(ctx, name, wire::RRType::CNAME);
  at.tv = published(ctx, name, wire::RRType::TXT);
  if (const auto* it = ctx.get(name, wire::RRType::TXT, Scope::iterative); it && it->iterative && it->iterative->complete)
    at.it = &*it->iterative;
  at.cnames = at.cv.records;
  if (at.cnames.empty() && !at.cv.from_servers && at.it) {
    for (const auto& r : at.it->answer)
      if (r.type == wire::RRType::CNAME && r.owner == name) at.cnames.push_back(&r);
    at.cnames_from_it = true;
  }
  return at;
}

// What is there instead of the CNAME: a TXT (the target pasted as a TXT value) or A records (flattening,
// proxying); their evidence is added to `evidence`. Asks for the name's A records when the TXT answers show
// nothing (a follow-up, ctx.want).
std::vector<wire::Record> instead_of_cname(Ctx& ctx, const wire::Name& name, const CnameAtName& at,
                                           std::vector<std::string>& evidence) {
  std::vector<wire::Record> other;
  for (const auto* r : at.tv.at_name)
    if (r->type != wire::RRType::CNAME) other.push_back(*r);
  if (!other.empty()) {
    for (auto& line : at.tv.evidence()) evidence.push_back(std::move(line));
    return other;
  }
  if (const auto* a = ctx.want(Lookup{name, wire::RRType::A, Scope::iterative});
      a && a->iterative && a->iterative->complete) {
    // A records owned by the name itself (not reached through a CNAME).
    other = records_at(a->iterative->answer, name, wire::RRType::A);
    if (!other.empty()) evidence.push_back(describe(*a->iterative));
  }
  return other;
}

// Data beside the CNAME (RFC 1034 §3.6.2, RFC 2181 §10.1).
std::vector<wire::Record> data_beside(const CnameAtName& at) {
  std::vector<wire::Record> beside;
  for (const auto* v : {&at.cv, &at.tv})
    for (const auto* r : v->at_name)
      if (r->type != wire::RRType::CNAME) beside.push_back(*r);
  return beside;
}

enum class TargetVerdict : std::uint8_t {
  several,    // more than one CNAME value
  exact,      // the target SES gave
  regional,   // no region given: the same token's target in a real regional signing zone (SES.md)
  via_chain,  // another name, whose CNAME chain reaches the target SES gave
  wrong,      // another target (see WrongTarget)
};
enum class WrongTarget : std::uint8_t {
  unknown,          // not an SES target
  domain_appended,  // the target with the domain appended (no trailing dot at the provider)
  other_zone,       // this token's target in another signing zone
  other_token,      // the target of another token of this identity
  unknown_token,    // an SES target of a token this identity does not have
};

struct TargetState {
  TargetVerdict verdict = TargetVerdict::exact;
  WrongTarget why = WrongTarget::unknown;
  std::vector<wire::Name> targets;  // the CNAME values
  std::vector<wire::Name> chain;    // via_chain: the names after the Easy DKIM name
  std::optional<SesTarget> found;   // the (first) target read as an SES target
};

WrongTarget why_wrong(const Ctx& ctx, const ExpectedRecord& e, const wire::Name& expected, const TargetState& t) {
  if (iequals(name_text(t.targets.front()), name_text(expected) + "." + name_text(ctx.identity.domain))) {
    return WrongTarget::domain_appended;
  }
  if (!t.found) return WrongTarget::unknown;
  if (iequals(t.found->token, e.token)) return WrongTarget::other_zone;
  bool other_token = false;
  for (const auto& tok : ctx.identity.easy_dkim) other_token = other_token || iequals(tok.token, t.found->token);
  return other_token ? WrongTarget::other_token : WrongTarget::unknown_token;
}

TargetState read_target(const Ctx& ctx, const ExpectedRecord& e, const wire::Name& expected, const CnameAtName& at) {
  TargetState t;
  for (const auto* c : at.cnames)
    if (auto target = c->rdata.target()) t.targets.push_back(*target);
  if (t.targets.size() > 1) {
    t.verdict = TargetVerdict::several;
    return t;
  }
  const wire::Name& target = t.targets.front();
  t.found = parse_ses_target(target);
  if (target == expected) return t;
  // No region was given: a target in a real SES signing zone for the same token is right for an identity
  // in that region (SES.md: some regions sign under dkim.<region>.amazonses.com).
  if (e.region.empty() && t.found && iequals(t.found->token, e.token) && !t.found->region.empty() &&
      uses_regional_signing_zone(t.found->region)) {
    t.verdict = TargetVerdict::regional;
    return t;
  }
  // A chain that ends at the right target: the CNAME points at another name that points onwards.
  if (at.it) {
    auto chain = cname_chain(at.it->answer, e.name);
    if (std::find(chain.begin(), chain.end(), expected) != chain.end()) {
      t.verdict = TargetVerdict::via_chain;
      t.chain = std::move(chain);
      return t;
    }
  }
  t.verdict = TargetVerdict::wrong;
  t.why = why_wrong(ctx, e, expected, t);
  return t;
}

// ---- Easy DKIM, worded ---------------------------------------------------------------------------------

// No CNAME at the name: what is there instead, a variant name, or nothing.
void word_no_cname(Ctx& ctx, const ExpectedRecord& e, const CnameAtName& at) {
  std::vector<std::string> evidence = at.evidence();
  const auto other = instead_of_cname(ctx, e.name, at, evidence);
  if (!other.empty()) {
    const bool is_a = other.front().type == wire::RRType::A || other.front().type == wire::RRType::AAAA;
    auto& f = ctx.add(Code::DKIM_WRONG_TYPE, e.name,
                      name_text(e.name) + " has " + wire::to_string(other.front().type) + " records where SES needs a CNAME" +
                          (is_a ? ": the DNS provider flattens or proxies the CNAME, so SES never sees it."
                                : ": the record was created with the wrong type."));
    f.evidence = evidence;
    f.evidence.push_back("expected: CNAME " + e.value);
    return;
  }
  if (judge_variants(ctx, e, wire::RRType::CNAME, kDkimVariantCodes, "The DKIM CNAME for token " + e.token)) return;
  auto& f = ctx.add(Code::DKIM_RECORD_MISSING, e.name,
                    "The Easy DKIM CNAME " + name_text(e.name) + " is not published" +
                        (at.cv.nxdomain ? " (the name does not exist)." : " (the name exists but has no CNAME)."));
  if (!at.cv.nxdomain) f.ses_error = SesError::type_not_found;
  f.evidence = evidence;
  f.evidence.push_back("expected: " + name_text(e.name) + " CNAME " + e.value);
  ctx.missing.push_back(name_text(e.name));
  f.fix += ctx.delegated_to();
}

void word_beside(Ctx& ctx, const ExpectedRecord& e, const CnameAtName& at, const std::vector<wire::Record>& beside) {
  auto& f = ctx.add(Code::CNAME_WITH_OTHER_DATA, e.name,
                    name_text(e.name) + " has a CNAME and also " + wire::to_string(beside.front().type) +
                        " data; resolvers may return either, so SES may not see the CNAME.");
  f.evidence = at.cv.evidence();
  for (auto& line : at.tv.evidence()) f.evidence.push_back(std::move(line));
}

std::string wrong_target_reason(const ExpectedRecord& e, const TargetState& t) {
  switch (t.why) {
    case WrongTarget::domain_appended:
      return " The provider appended your domain to the value: enter the target with a trailing dot.";
    case WrongTarget::other_zone:
      return " That is the target in " + zone_text(t.found->region) + ", but this identity's region uses " +
             zone_text(uses_regional_signing_zone(e.region) ? e.region : std::string()) + ".";
    case WrongTarget::other_token:
      return " It is the target of another token (" + t.found->token +
             "): each token needs its own record pointing to its own target.";
    case WrongTarget::unknown_token:
      return " It is the target of a token SES did not give this identity (perhaps from an older or deleted "
             "identity).";
    case WrongTarget::unknown: break;
  }
  return {};
}

// A target other than the one SES gave (several, a chain, or another name).
void word_other_target(Ctx& ctx, const ExpectedRecord& e, const wire::Name& expected, const CnameAtName& at,
                       const TargetState& t) {
  if (t.verdict == TargetVerdict::several) {
    std::vector<std::string> ts;
    for (const auto& target : t.targets) ts.push_back(name_text(target));
    auto& f = ctx.add(Code::DKIM_MULTIPLE_VALUES, e.name,
                      name_text(e.name) + " has " + std::to_string(t.targets.size()) + " CNAME values (" + join(ts) +
                          "); a name can hold only one CNAME, so each resolver picks one at random.");
    f.evidence = at.evidence();
  } else if (t.verdict == TargetVerdict::via_chain) {
    std::vector<std::string> hops{name_text(e.name)};
    for (const auto& h : t.chain) hops.push_back(name_text(h));
    auto& f = ctx.add(Code::DKIM_CNAME_CHAIN, e.name,
                      name_text(e.name) + " reaches the SES target only through a chain of CNAMEs (" +
                          join(hops, " -> ") + "). Resolvers follow the chain to the key, but SES documents only a CNAME "
                          "pointing directly at the target; a verifier that compares the CNAME value itself "
                          "may not accept it.");
    f.evidence = at.evidence();
    f.evidence.push_back(describe(*at.it));
  } else {
    auto& f = ctx.add(Code::DKIM_WRONG_TARGET, e.name,
                      name_text(e.name) + " points to " + name_text(t.targets.front()) + " but SES expects " +
                          name_text(expected) + "." + wrong_target_reason(e, t));
    f.evidence = at.evidence();
  }
}

// The right target: does the key behind it exist?
void word_right_target(Ctx& ctx, const ExpectedRecord& e, const CnameAtName& at, const TargetState& t,
                       const KeyAtTarget& key) {
  if (key.observed && !key.found) {
    auto& f = ctx.add(Code::DKIM_TARGET_UNRESOLVABLE, e.name,
                      name_text(e.name) + " points to the right target, but " + key.detail +
                          ": the token does not belong to a live SES identity.");
    f.evidence = at.evidence();
    if (at.it) f.evidence.push_back(describe(*at.it));
    return;
  }
  auto& f = ctx.add(Code::DKIM_OK, e.name,
                    name_text(e.name) + " is a CNAME to " + name_text(t.targets.front()) +
                        (at.cv.from_servers ? " on every authoritative server" : std::string()) +
                        (key.found ? ", which publishes a " + key.detail + "." : "."));
  if (t.verdict == TargetVerdict::regional) {
    f.message += " That is the " + t.found->region +
                 " signing zone: right for an identity in that region (no --region was given).";
  }
  f.evidence = at.evidence();
}

}  // namespace

void judge_easy_dkim(Ctx& ctx, const ExpectedRecord& e) {
  auto expected_target = wire::Name::parse(e.value);
  if (!expected_target) return;
  const CnameAtName at = read_cname_at(ctx, e.name);
  if (!at.cv.observed && !at.tv.observed && !at.it) {
    ctx.incomplete.push_back(name_text(e.name) + " CNAME");
    return;
  }
  const bool inconsistent = ctx.is_inconsistent(e.name);
  if (at.cnames.empty()) {
    // When inconsistent: reported as RECORD_INCONSISTENT with the servers that lack it.
    if (!inconsistent) word_no_cname(ctx, e, at);
    return;
  }
  const auto beside = data_beside(at);
  if (!beside.empty()) word_beside(ctx, e, at, beside);
  const TargetState t = read_target(ctx, e, *expected_target, at);
  if (t.verdict != TargetVerdict::exact && t.verdict != TargetVerdict::regional) {
    word_other_target(ctx, e, *expected_target, at, t);
    return;
  }
  if (inconsistent || !beside.empty()) return;  // already reported; the key lookup would see the other data
  word_right_target(ctx, e, at, t, key_at_target(ctx, e.name));
}

}  // namespace dkimdoctor::diagnose::detail
