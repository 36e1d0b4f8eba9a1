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

}  // namespace

void judge_easy_dkim(Ctx& ctx, const ExpectedRecord& e) {
  auto expected_target = wire::Name::parse(e.value);
  if (!expected_target) return;
  const Published cv = published(ctx, e.name, wire::RRType::CNAME);
  const Published tv = published(ctx, e.name, wire::RRType::TXT);
  const auto* it = ctx.get(e.name, wire::RRType::TXT, Scope::iterative);
  const bool it_complete = it && it->iterative && it->iterative->complete;
  if (!cv.observed && !tv.observed && !it_complete) {
    ctx.incomplete.push_back(name_text(e.name) + " CNAME");
    return;
  }
  const bool inconsistent = ctx.is_inconsistent(e.name);

  // CNAMEs at the name: from the servers, else the first hop of the iterative resolution.
  std::vector<wire::Record> cnames = cv.records;
  std::vector<std::string> evidence = cv.evidence;
  if (cnames.empty() && !cv.from_servers && it_complete) {
    cnames = records_at(it->iterative->answer, e.name, wire::RRType::CNAME);
    evidence.push_back(describe(*it->iterative));
  }

  if (cnames.empty()) {
    if (inconsistent) return;  // reported as RECORD_INCONSISTENT with the servers that lack it
    // What is there instead? A TXT (the target pasted as a TXT value) or A records (flattening, proxying).
    std::vector<wire::Record> other;
    for (const auto& r : tv.at_name)
      if (r.type != wire::RRType::CNAME) other.push_back(r);
    if (other.empty()) {
      if (const auto* a = ctx.want(Lookup{e.name, wire::RRType::A, Scope::iterative});
          a && a->iterative && a->iterative->complete) {
        // A records owned by the name itself (not reached through a CNAME).
        other = records_at(a->iterative->answer, e.name, wire::RRType::A);
        if (!other.empty()) evidence.push_back(describe(*a->iterative));
      }
    } else {
      evidence.insert(evidence.end(), tv.evidence.begin(), tv.evidence.end());
    }
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
                          (cv.nxdomain ? " (the name does not exist)." : " (the name exists but has no CNAME)."));
    if (!cv.nxdomain) f.ses_error = SesError::type_not_found;
    f.evidence = evidence;
    f.evidence.push_back("expected: " + name_text(e.name) + " CNAME " + e.value);
    ctx.missing.push_back(name_text(e.name));
    f.fix += ctx.delegated_to();
    return;
  }

  // Data beside the CNAME (RFC 1034 §3.6.2, RFC 2181 §10.1).
  std::vector<wire::Record> beside;
  for (const auto* v : {&cv, &tv})
    for (const auto& r : v->at_name)
      if (r.type != wire::RRType::CNAME) beside.push_back(r);
  if (!beside.empty()) {
    auto& f = ctx.add(Code::CNAME_WITH_OTHER_DATA, e.name,
                      name_text(e.name) + " has a CNAME and also " + wire::to_string(beside.front().type) +
                          " data; resolvers may return either, so SES may not see the CNAME.");
    f.evidence = cv.evidence;
    f.evidence.insert(f.evidence.end(), tv.evidence.begin(), tv.evidence.end());
  }

  std::vector<wire::Name> targets;
  for (const auto& c : cnames)
    if (auto t = c.rdata.target()) targets.push_back(*t);
  if (targets.size() > 1) {
    std::vector<std::string> ts;
    for (const auto& t : targets) ts.push_back(name_text(t));
    auto& f = ctx.add(Code::DKIM_MULTIPLE_VALUES, e.name,
                      name_text(e.name) + " has " + std::to_string(targets.size()) + " CNAME values (" + join(ts) +
                          "); a name can hold only one CNAME, so each resolver picks one at random.");
    f.evidence = evidence;
    return;
  }
  const wire::Name& target = targets.front();
  bool regional_match = false;
  if (!(target == *expected_target) && e.region.empty()) {
    // No region was given: a target in a real SES signing zone for the same token is right for an identity
    // in that region (SES.md: some regions sign under dkim.<region>.amazonses.com).
    if (auto found = parse_ses_target(target);
        found && iequals(found->token, e.token) && !found->region.empty() && uses_regional_signing_zone(found->region))
      regional_match = true;
  }
  if (!(target == *expected_target) && !regional_match) {
    // A chain that ends at the right target: the CNAME points at another name that points onwards.
    if (it_complete) {
      auto chain = cname_chain(it->iterative->answer, e.name);
      if (std::find(chain.begin(), chain.end(), *expected_target) != chain.end()) {
        std::vector<std::string> hops{name_text(e.name)};
        for (const auto& h : chain) hops.push_back(name_text(h));
        auto& f = ctx.add(Code::DKIM_CNAME_CHAIN, e.name,
                          name_text(e.name) + " reaches the SES target only through a chain of CNAMEs (" +
                              join(hops, " -> ") + "). Resolvers follow the chain to the key, but SES documents only a CNAME "
                              "pointing directly at the target; a verifier that compares the CNAME value itself "
                              "may not accept it.");
        f.evidence = evidence;
        f.evidence.push_back(describe(*it->iterative));
        return;
      }
    }
    std::string why;
    const std::string expected_text = name_text(*expected_target);
    const std::string found_text = name_text(target);
    auto found = parse_ses_target(target);
    if (iequals(found_text, expected_text + "." + name_text(ctx.identity.domain))) {
      why = " The provider appended your domain to the value: enter the target with a trailing dot.";
    } else if (found && iequals(found->token, e.token)) {
      why = " That is the target in " + zone_text(found->region) + ", but this identity's region uses " +
            zone_text(uses_regional_signing_zone(e.region) ? e.region : std::string()) + ".";
    } else if (found) {
      bool other_token = false;
      for (const auto& t : ctx.identity.easy_dkim) other_token = other_token || iequals(t.token, found->token);
      why = other_token ? " It is the target of another token (" + found->token +
                              "): each token needs its own record pointing to its own target."
                        : " It is the target of a token SES did not give this identity (perhaps from an older or "
                          "deleted identity).";
    }
    auto& f = ctx.add(Code::DKIM_WRONG_TARGET, e.name,
                      name_text(e.name) + " points to " + found_text + " but SES expects " + expected_text + "." + why);
    f.evidence = evidence;
    return;
  }
  if (inconsistent || !beside.empty()) return;  // already reported; the key lookup would see the other data
  const KeyAtTarget key = key_at_target(ctx, e.name);
  if (key.observed && !key.found) {
    auto& f = ctx.add(Code::DKIM_TARGET_UNRESOLVABLE, e.name,
                      name_text(e.name) + " points to the right target, but " + key.detail +
                          ": the token does not belong to a live SES identity.");
    f.evidence = evidence;
    if (it_complete) f.evidence.push_back(describe(*it->iterative));
    return;
  }
  auto& f = ctx.add(Code::DKIM_OK, e.name,
                    name_text(e.name) + " is a CNAME to " + name_text(target) +
                        (cv.from_servers ? " on every authoritative server" : std::string()) +
                        (key.found ? ", which publishes a " + key.detail + "." : "."));
  if (regional_match) {
    f.message += " That is the " + parse_ses_target(target)->region +
                 " signing zone: right for an identity in that region (no --region was given).";
  }
  f.evidence = evidence;
}

}  // namespace dkimdoctor::diagnose::detail
