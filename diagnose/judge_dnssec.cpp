// DNSSEC findings (issue 14): what validating resolvers make of the names SES needs, and whether every
// authoritative server serves them signed. Read first (`read_dnssec`: statuses and per-server checks as
// data), then worded (`word_*`). Nothing here when the check does not validate (no trust anchor, or
// --no-validate) or when every status is `unchecked` (a resolver that does not validate yet).
//
// The per-server check validates each server's answer sans I/O with dnssec/: the answer's RRsets against the
// zone's DNSKEY set that the validating resolver trusted, at the check's validation time; negative answers
// through the SOA's signature and the NSEC/NSEC3 proof.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "diagnose/judge_internal.hpp"
#include "dnssec/crypto.hpp"
#include "dnssec/denial.hpp"
#include "dnssec/validate.hpp"
#include "wire/text.hpp"

namespace dkimdoctor::diagnose::detail {
namespace {

// SES keeps looking for the records for up to 72 hours (SES.md): signatures that expire sooner may expire
// while it still retries.
constexpr std::uint32_t kSesRetrySeconds = 72u * 3600u;

// "2026-12-07 04:21:00 UTC" for an RRSIG time (seconds since 1970, modulo 2^32).
std::string utc(std::uint32_t t) {
  std::string s;
  wire::text::append_time(s, t);  // YYYYMMDDHHmmSS
  if (s.size() != 14) return s;
  return s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2) + " " + s.substr(8, 2) + ":" + s.substr(10, 2) +
         ":" + s.substr(12, 2) + " UTC";
}

// The names whose records SES (or a receiver) must read to verify: not DMARC, not the domain's own MX.
bool needed_for_verification(Purpose p) {
  switch (p) {
    case Purpose::easy_dkim:
    case Purpose::byodkim:
    case Purpose::verification_token:
    case Purpose::mail_from_mx:
    case Purpose::mail_from_spf:
    case Purpose::email_mx: return true;
    case Purpose::dmarc:
    case Purpose::domain_mx:
    case Purpose::token_present: return false;
  }
  return false;
}

// One answer the validating resolver gave a status to: a needed name's iterative lookup, or the zone's keys.
struct Status {
  std::string what;  // "x._domainkey.example.com TXT"
  const SecurityResult* security = nullptr;
  wire::Name name;
};

// A signature window seen on secure data: for the expiring rule and its evidence.
struct Window {
  std::uint32_t inception = 0, expiration = 0;
  std::uint16_t key_tag = 0;
  std::uint8_t algorithm = 0;
};

// What one server served for one lookup, judged against the zone's keys.
struct ServerVerdict {
  std::string server;
  bool judged = false;  // an authoritative reply that could be checked
  bool secure = false;
  std::string served;   // what it served, when not secure ("no RRSIG: an unsigned copy")
};

struct DnssecState {
  std::vector<Status> statuses;
  std::vector<Window> windows;
  std::map<std::string, std::vector<std::string>> inconsistent;  // server -> "name TYPE: what it served"
  // Names some server serves validly and another does not: a bogus status there is that server's doing
  // (the resolver happened to ask it), reported as DNSSEC_SERVER_INCONSISTENT, not DNSSEC_BOGUS.
  std::vector<wire::Name> split;

  // Bogus and the zone's doing: not a name where one server's copy is to blame (`split`).
  bool zone_bogus(const Status& s) const {
    return s.security->status == Security::bogus && std::find(split.begin(), split.end(), s.name) == split.end();
  }
};

bool in_zone(const SecurityResult& s, const wire::Name& zone) {
  return s.zone.label_count() == 0 || zone.label_count() == 0 || s.zone.is_subdomain_of(zone);
}

std::vector<Status> statuses(const Ctx& ctx) {
  std::vector<Status> out;
  const DnssecContext& d = ctx.obs.dnssec;
  if (d.keys.status != Security::unchecked) out.push_back({name_text(d.zone) + " DNSKEY", &d.keys, d.zone});
  std::vector<Lookup> seen;
  for (const auto& e : ctx.expected) {
    if (!needed_for_verification(e.purpose)) continue;
    const Lookup l{e.name, e.purpose == Purpose::easy_dkim ? wire::RRType::TXT : e.type, Scope::iterative};
    if (std::find(seen.begin(), seen.end(), l) != seen.end()) continue;
    seen.push_back(l);
    const LookupResult* r = ctx.obs.find(l);
    if (!r || !r->iterative || r->iterative->security.status == Security::unchecked) continue;
    out.push_back({name_text(l.name) + " " + wire::to_string(l.type), &r->iterative->security, l.name});
  }
  return out;
}

std::string reason_words(dnssec::Reason r, const wire::rdata::Rrsig* sig) {
  switch (r) {
    case dnssec::Reason::missing_rrsig: return "no RRSIG (an unsigned copy, or signatures stripped)";
    case dnssec::Reason::no_matching_dnskey:
      return "a signature by key tag " + std::to_string(sig ? sig->key_tag : 0) +
             ", which is not in the zone's DNSKEY set (signed with other keys)";
    case dnssec::Reason::signature_expired:
      return "a signature that expired on " + (sig ? utc(sig->expiration) : std::string("?"));
    case dnssec::Reason::signature_not_yet_valid:
      return "a signature valid only from " + (sig ? utc(sig->inception) : std::string("?"));
    case dnssec::Reason::bad_signature: return "a signature that does not verify (the data changed after signing)";
    case dnssec::Reason::denial_not_proven: return "a negative answer whose NSEC/NSEC3 records do not prove it";
    default: return std::string("data that does not validate (") + dnssec::to_string(r) + ")";
  }
}

// Validates one RRset of a server's answer. Returns the failure in words, or "" when secure.
std::string check_rrset(const dnssec::RRset& set, const std::vector<wire::Record>& dnssec_records,
                        const dnssec::RRset& keys, std::uint32_t now, dnssec::ValidationBudget& budget,
                        std::vector<Window>& windows) {
  const auto sigs = dnssec::rrsigs_for(dnssec_records, set.owner, set.cls, set.type);
  const auto v = dnssec::validate_rrset(set, sigs, keys, now, budget);
  const std::string what = name_text(set.owner) + " " + wire::to_string(set.type) + ": ";
  if (v.outcome.status == dnssec::Status::secure) {
    windows.push_back({v.inception, v.expiration, v.key_tag, v.algorithm});
    return {};
  }
  if (v.outcome.status == dnssec::Status::insecure) return {};  // unsupported algorithm: not this check's finding
  const wire::rdata::Rrsig* sig = sigs.empty() ? nullptr : &sigs.front();
  for (const auto& s : sigs)
    if (s.key_tag == v.key_tag && s.expiration == v.expiration) sig = &s;
  return what + reason_words(v.outcome.reason, sig);
}

// A negative answer: its NSEC/NSEC3 proof is there, the SOA's and the proof's signatures validate, and the
// records prove the NXDOMAIN/NODATA.
std::string check_negative(const ServerAnswer& a, const Lookup& l, const wire::Name& zone, const dnssec::RRset& keys,
                           std::uint32_t now, dnssec::ValidationBudget& budget, std::vector<Window>& windows) {
  const std::string what = name_text(l.name) + " " + wire::to_string(l.type) + ": ";
  const auto nsecs = dnssec::nsec_records(a.dnssec);
  const auto nsec3s = dnssec::nsec3_records(a.dnssec);
  if (nsecs.empty() && nsec3s.empty()) return what + "a negative answer with no NSEC/NSEC3 proof (an unsigned copy)";
  std::vector<dnssec::RRset> sets;
  for (auto& set : dnssec::group_rrsets(a.authority))
    if (set.type == wire::RRType::SOA && set.owner == zone) sets.push_back(std::move(set));
  for (auto& set : dnssec::group_rrsets(a.dnssec))
    if (set.type == wire::RRType::NSEC || set.type == wire::RRType::NSEC3) sets.push_back(std::move(set));
  for (const auto& set : sets) {
    if (auto bad = check_rrset(set, a.dnssec, keys, now, budget, windows); !bad.empty())
      return what + "a negative answer whose " + bad;
  }
  const bool nx = a.rcode == wire::Rcode::NXDomain;
  dnssec::Outcome proof;
  if (!nsecs.empty()) {
    proof = nx ? dnssec::prove_nxdomain(l.name, zone, nsecs) : dnssec::prove_nodata(l.name, l.type, zone, nsecs);
  } else {
    proof = nx ? dnssec::prove_nxdomain_nsec3(l.name, zone, nsec3s)
               : dnssec::prove_nodata_nsec3(l.name, l.type, zone, nsec3s);
  }
  if (proof.status == dnssec::Status::bogus) return what + reason_words(dnssec::Reason::denial_not_proven, nullptr);
  return {};
}

// The records of a reply, as a key: servers that serve the same copy give byte-identical replies, and one
// validation answers for all of them (an ECDSA verification costs tens of microseconds; bulk checks
// thousands of domains, each with a dozen lookups at several servers).
std::string reply_key(const ServerAnswer& a) {
  std::string k(1, static_cast<char>(a.rcode));
  for (const auto* section : {&a.answer, &a.authority, &a.dnssec}) {
    k += '|';
    for (const auto& r : *section) {
      k += r.owner.to_string();
      k += ' ' + std::to_string(static_cast<unsigned>(r.type)) + ' ';
      k.append(r.rdata.bytes().begin(), r.rdata.bytes().end());
      k += ';';
    }
  }
  return k;
}

// "" when the reply validates, else what the server served, in words.
std::string check_reply(const ServerAnswer& a, const Lookup& l, const wire::Name& zone, const dnssec::RRset& keys,
                        std::uint32_t now, std::vector<Window>& windows) {
  dnssec::ValidationBudget budget;  // one per response, as a validator spends it
  if (a.answer.empty()) return check_negative(a, l, zone, keys, now, budget, windows);
  for (const auto& set : dnssec::group_rrsets(a.answer)) {
    if (!set.owner.is_subdomain_of(zone)) continue;  // out of the zone: not this server's to sign
    if (auto bad = check_rrset(set, a.dnssec, keys, now, budget, windows); !bad.empty()) return bad;
  }
  return {};
}

ServerVerdict check_server(const ServerAnswer& a, const Lookup& l, const wire::Name& zone, const dnssec::RRset& keys,
                           std::uint32_t now, std::vector<Window>& windows, std::map<std::string, std::string>& seen) {
  ServerVerdict v;
  v.server = server_label(a.ns_name, a.address);
  if (!a.queried || !a.responded || !a.aa) return v;
  if (a.rcode != wire::Rcode::NoError && a.rcode != wire::Rcode::NXDomain) return v;
  v.judged = true;
  const std::string key = reply_key(a);
  auto it = seen.find(key);
  if (it == seen.end()) it = seen.emplace(key, check_reply(a, l, zone, keys, now, windows)).first;
  v.served = it->second;
  v.secure = v.served.empty();
  return v;
}

// Each needed authoritative lookup, server by server: the servers whose copy does not validate while
// another server's does.
void read_servers(const Ctx& ctx, DnssecState& st) {
  const DnssecContext& d = ctx.obs.dnssec;
  if (d.keys.status != Security::secure) return;
  const dnssec::RRset* keys = nullptr;
  const auto sets = dnssec::group_rrsets(d.dnskeys);
  for (const auto& s : sets)
    if (s.type == wire::RRType::DNSKEY && s.owner == d.zone) keys = &s;
  if (!keys) return;
  std::vector<wire::Name> names;
  for (const auto& e : ctx.expected)
    if (needed_for_verification(e.purpose)) names.push_back(e.name);
  for (const auto& l : ctx.obs.lookups) {
    if (l.lookup.scope != Scope::authoritative) continue;
    if (std::find(names.begin(), names.end(), l.lookup.name) == names.end()) continue;
    if (!l.lookup.name.is_subdomain_of(d.zone)) continue;
    std::vector<ServerVerdict> verdicts;
    std::map<std::string, std::string> seen;  // reply -> verdict, for this lookup's servers
    bool some_secure = false;
    for (const auto& a : l.servers) {
      verdicts.push_back(check_server(a, l.lookup, d.zone, *keys, d.now, st.windows, seen));
      some_secure = some_secure || (verdicts.back().judged && verdicts.back().secure);
    }
    if (!some_secure) continue;  // nobody serves it signed: the resolver's status says so (bogus)
    for (const auto& v : verdicts) {
      if (!v.judged || v.secure) continue;
      if (std::find(st.split.begin(), st.split.end(), l.lookup.name) == st.split.end())
        st.split.push_back(l.lookup.name);
      auto& lines = st.inconsistent[v.server];
      if (std::find(lines.begin(), lines.end(), v.served) == lines.end()) lines.push_back(v.served);
    }
  }
}

// The reason as an identifier: SecurityResult::reason is dnssec::to_string(Reason) ("no matching DNSKEY"),
// or already "no_matching_dnskey"; both read the same here.
std::string reason_id(std::string_view reason) {
  std::string out = lower(reason);
  std::replace(out.begin(), out.end(), ' ', '_');
  return out;
}

std::string cause_of(const SecurityResult& security, const DnssecContext& d) {
  const std::string reason = reason_id(security.reason);
  if (reason == "no_matching_dnskey") {
    // The DS step failed (the keys themselves are bogus), or the keys are unknown: a DS nobody serves. With
    // trusted keys, it is an RRSIG by a key the zone does not publish: a signer problem, not the registrar's.
    return d.keys.status == Security::secure ? "VALIDATION_FAILED" : "DS_NO_MATCHING_DNSKEY";
  }
  if (reason == "signature_expired") return "RRSIG_EXPIRED";
  if (reason == "signature_not_yet_valid") return "RRSIG_NOT_YET_VALID";
  if (reason == "missing_rrsig") return "RRSIG_MISSING";
  if (reason == "denial_not_proven") return "DENIAL_NOT_PROVEN";
  if (reason == "bad_signature") return "BAD_SIGNATURE";
  return "VALIDATION_FAILED";  // malformed, too_many_records, verification_limit, or no reason given
}

struct CauseWords {
  std::string message, fix;
};

CauseWords cause_words(const std::string& cause, const SecurityResult& s, const std::string& zone,
                       const std::string& names) {
  const std::string servfail = "validating resolvers (receivers', and any the verifier uses) answer SERVFAIL for " +
                               names + ", so the records look missing although every server has them.";
  if (cause == "DS_NO_MATCHING_DNSKEY")
    return {"The DS record for " + zone + " at the registrar (key tag " + std::to_string(s.key_tag) +
                ") matches no key the zone's name servers serve: " + servfail,
            "Your registrar still publishes a DS record for a key your DNS provider does not serve: remove it at "
            "the registrar, or have the provider sign with that key."};
  if (cause == "RRSIG_EXPIRED")
    return {"The DNSSEC signatures of " + zone + " expired on " + utc(s.expiration) + ": " + servfail,
            "Have the zone re-signed now (at a DNS provider: its DNSSEC setting; your own signer: check that "
            "re-signing runs), then make sure it runs automatically."};
  if (cause == "RRSIG_NOT_YET_VALID")
    return {"The DNSSEC signatures of " + zone + " are valid only from " + utc(s.inception) + ": " + servfail,
            "The signer's clock is ahead: fix it and re-sign the zone."};
  if (cause == "RRSIG_MISSING")
    return {"The answers from " + zone + " carry no signatures although the zone is signed (its parent has a DS "
                "record for it): " + servfail,
            "Have every record of the zone signed (re-sign it after adding records), or, if the zone is meant to "
            "be unsigned, remove the DS record at the registrar."};
  if (cause == "DENIAL_NOT_PROVEN")
    return {"A negative answer from " + zone + " comes without a valid NSEC/NSEC3 proof: " + servfail,
            "Re-sign the zone so that its NSEC/NSEC3 chain is complete (a hand-edited signed zone or a signer "
            "bug breaks it)."};
  if (cause == "BAD_SIGNATURE")
    return {"Signatures in " + zone + " do not verify (the data changed after signing): " + servfail,
            "Re-sign the zone; if a server rewrites records after signing (a proxy, a load balancer), turn that "
            "off for signed names."};
  return {"DNSSEC validation of " + zone + " fails (" + (s.reason.empty() ? "no reason given" : s.reason) + "): " +
              servfail,
          std::string(catalog_entry(Code::DNSSEC_BOGUS).fix)};
}

// What passed on the authoritative servers but answers bogus: a validating resolver sees none of it, so the
// passed finding says so (the report marks it) instead of reading as plainly fine next to DNSSEC_BOGUS.
void mark_hidden(Ctx& ctx, const DnssecState& st) {
  std::set<std::string> hidden;
  for (const auto& s : st.statuses)  // the zone's own keys are not a record anyone checked: skip them
    if (s.security != &ctx.obs.dnssec.keys && st.zone_bogus(s)) hidden.insert(name_text(s.name));
  for (auto& f : ctx.findings)
    if (f.severity == Severity::ok && !f.subject.empty() && hidden.count(f.subject)) f.message += kHiddenByDnssec;
}

void word_bogus(Ctx& ctx, const DnssecState& st) {
  const DnssecContext& d = ctx.obs.dnssec;
  std::vector<std::pair<std::string, std::string>> groups;  // (zone, cause), in order of first appearance
  std::map<std::pair<std::string, std::string>, std::vector<const Status*>> members;
  for (const auto& s : st.statuses) {
    if (!st.zone_bogus(s)) continue;
    const std::string zone = s.security->zone.label_count() ? name_text(s.security->zone) : name_text(d.zone);
    const auto key = std::make_pair(zone, cause_of(*s.security, d));
    if (!members.count(key)) groups.push_back(key);
    members[key].push_back(&s);
  }
  for (const auto& key : groups) {
    const auto& list = members[key];
    const SecurityResult& first = *list.front()->security;
    std::vector<std::string> names;
    for (const auto* s : list) names.push_back(s->what);
    auto words = cause_words(key.second, first, key.first, join(names));
    auto& f = ctx.add(Code::DNSSEC_BOGUS, key.first, std::move(words.message));
    f.fix = std::move(words.fix);
    f.cause = key.second;
    f.evidence.push_back("zone " + key.first + ", cause " + key.second + " (" + first.reason + ")");
    if (first.key_tag || first.algorithm)
      f.evidence.push_back("key tag " + std::to_string(first.key_tag) + ", algorithm " + std::to_string(first.algorithm));
    if (first.inception || first.expiration)
      f.evidence.push_back("signature valid " + utc(first.inception) + " to " + utc(first.expiration));
    if (!first.detail.empty()) f.evidence.push_back(first.detail);
    f.evidence.push_back("bogus: " + join(names));
  }
  mark_hidden(ctx, st);
}

// Secure now, but the earliest signature expires within SES's 72 hours and more than 3/4 of its window has
// passed (online signers refresh short windows all the time: those are not reported).
void word_expiring(Ctx& ctx, const DnssecState& st) {
  const std::uint32_t now = ctx.obs.dnssec.now;
  std::vector<Window> windows = st.windows;
  for (const auto& s : st.statuses)
    if (s.security->status == Security::secure)
      windows.push_back({s.security->inception, s.security->expiration, s.security->key_tag, s.security->algorithm});
  const Window* soonest = nullptr;
  std::vector<std::string> names;
  for (const auto& s : st.statuses) {
    const std::uint32_t e = s.security->earliest_expiration;
    if (s.security->status != Security::secure || e == 0) continue;
    if (dnssec::serial_compare(e, now) <= 0 || e - now >= kSesRetrySeconds) continue;
    for (const auto& w : windows) {
      if (w.expiration != e || dnssec::serial_compare(w.inception, now) > 0) continue;
      const std::uint64_t length = w.expiration - w.inception, elapsed = now - w.inception;
      if (elapsed * 4 <= length * 3) continue;
      if (!soonest || dnssec::serial_compare(w.expiration, soonest->expiration) < 0) soonest = &w;
      names.push_back(s.what);
      break;
    }
  }
  if (!soonest) return;
  const std::uint32_t hours = (soonest->expiration - now) / 3600;
  auto& f = ctx.add(Code::DNSSEC_SIGNATURES_EXPIRING, ctx.obs.dnssec.zone,
                    "The DNSSEC signatures of " + name_text(ctx.obs.dnssec.zone) + " expire on " +
                        utc(soonest->expiration) + " (in " + std::to_string(hours) +
                        " hours, within the 72 hours SES keeps retrying) and are not being refreshed: after that, "
                        "validating resolvers answer SERVFAIL for " + join(names) + ".");
  f.evidence.push_back("key tag " + std::to_string(soonest->key_tag) + ", algorithm " +
                       std::to_string(soonest->algorithm));
  f.evidence.push_back("signature valid " + utc(soonest->inception) + " to " + utc(soonest->expiration) +
                       "; checked at " + utc(now));
  f.evidence.push_back("expiring: " + join(names));
}

void word_servers(Ctx& ctx, const DnssecState& st) {
  for (const auto& [server, lines] : st.inconsistent) {
    auto& f = ctx.add(Code::DNSSEC_SERVER_INCONSISTENT, server,
                      server + " serves records of the signed zone " + name_text(ctx.obs.dnssec.zone) +
                          " without a valid signature while the other servers' copies validate: validating "
                          "resolvers that ask it answer SERVFAIL.");
    for (const auto& l : lines) f.evidence.push_back(server + " served " + l);
  }
}

std::string algorithm_text(std::uint8_t a) {
  return std::to_string(a) + (dnssec::algorithm_supported(a) ? "" : " (not validated: RFC 8624)");
}

// Unsigned (or signed only with algorithms nobody may validate), everything indeterminate, or all secure.
void word_overall(Ctx& ctx, const DnssecState& st) {
  const DnssecContext& d = ctx.obs.dnssec;
  std::vector<std::string> secure, insecure, outside, unknown;
  for (const auto& s : st.statuses) {
    switch (s.security->status) {
      case Security::secure: secure.push_back(s.what); break;
      case Security::insecure: (in_zone(*s.security, d.zone) ? insecure : outside).push_back(s.what); break;
      case Security::indeterminate: unknown.push_back(s.what); break;
      default: break;
    }
  }
  if (!unknown.empty()) {
    auto& f = ctx.add(Code::DNSSEC_INDETERMINATE, d.zone,
                      "Whether " + join(unknown) + " validate could not be told from this host; this says "
                      "nothing against the domain.");
    f.evidence.push_back("indeterminate: " + join(unknown));
    return;
  }
  if (d.keys.status == Security::insecure || !insecure.empty() || (secure.empty() && !outside.empty())) {
    const SecurityResult* why = &d.keys;
    if (d.keys.status != Security::insecure) {
      for (const auto& s : st.statuses)
        if (s.security->status == Security::insecure) why = s.security;
    }
    std::string msg = name_text(d.zone) + " is not signed";
    if (reason_id(why->reason) == "unsupported_algorithm")
      msg = name_text(d.zone) + " is signed only with algorithm " + algorithm_text(why->algorithm) +
            ", which validators may not validate, so they treat it as unsigned";
    auto& f = ctx.add(Code::DNSSEC_INSECURE, d.zone, msg + ": validating resolvers accept its answers unchecked. "
                                                            "Nothing to fix for SES.");
    if (!why->detail.empty()) f.evidence.push_back(why->detail);
    insecure.insert(insecure.end(), outside.begin(), outside.end());
    f.evidence.push_back("insecure: " + join(insecure));
    return;
  }
  if (secure.empty()) return;
  auto& f = ctx.add(Code::DNSSEC_OK, d.zone, "Every name SES needs validates (DNSSEC secure).");
  f.evidence.push_back("secure: " + join(secure));
  if (!outside.empty()) f.evidence.push_back("unsigned beyond the domain (not its to sign): " + join(outside));
}

}  // namespace

void judge_dnssec(Ctx& ctx) {
  const DnssecContext& d = ctx.obs.dnssec;
  if (!d.validating) return;
  DnssecState st;
  st.statuses = statuses(ctx);
  read_servers(ctx, st);
  if (st.statuses.empty() && st.inconsistent.empty()) return;  // nothing was validated: say nothing
  const bool bogus =
      std::any_of(st.statuses.begin(), st.statuses.end(), [&st](const Status& s) { return st.zone_bogus(s); });
  if (bogus) {
    word_bogus(ctx, st);
  } else {
    word_overall(ctx, st);
    word_expiring(ctx, st);
  }
  word_servers(ctx, st);
  // A server problem or expiring signatures: the answers validate today, but DNSSEC_OK would say too much.
  const bool troubled = std::any_of(ctx.findings.begin(), ctx.findings.end(), [](const Finding& f) {
    return f.code == Code::DNSSEC_SERVER_INCONSISTENT || f.code == Code::DNSSEC_SIGNATURES_EXPIRING;
  });
  if (troubled) std::erase_if(ctx.findings, [](const Finding& f) { return f.code == Code::DNSSEC_OK; });
}

}  // namespace dkimdoctor::diagnose::detail
