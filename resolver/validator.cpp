// DNSSEC validation of a finished resolution: the chain of trust from an anchor down to the answer's
// signer, the answer's RRsets, the denial proofs. See validator.hpp and README.md "DNSSEC validation".
#include "resolver/validator.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "dnssec/denial.hpp"
#include "dnssec/keys.hpp"
#include "resolver/engine.hpp"
#include "wire/zonefile.hpp"

namespace dkimdoctor::resolver {


using dnssec::Reason;
using dnssec::Status;
using wire::Name;
using wire::Record;
using wire::RRType;

namespace {

// IANA's root KSKs (https://data.iana.org/root-anchors/root-anchors.xml): KSK-2017 and KSK-2024.
constexpr std::string_view kRootAnchors =
    ". 172800 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
    ". 172800 IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16\n";

int rank(Status s) {
  switch (s) {
    case Status::secure: return 0;
    case Status::insecure: return 1;
    case Status::indeterminate: return 2;
    case Status::bogus: return 3;
  }
  return 3;
}

Validation make(Status status, Reason reason, const Name& zone, std::string detail) {
  Validation v;
  v.checked = true;
  v.status = status;
  v.reason = reason;
  v.zone = zone;
  v.detail = std::move(detail);
  return v;
}

// Copies the evidence of an RRSIG check into `v`.
void evidence(Validation& v, const dnssec::RrsetValidation& r) {
  v.key_tag = r.key_tag;
  v.algorithm = r.algorithm;
  v.inception = r.inception;
  v.expiration = r.expiration;
}

std::uint32_t earliest(std::uint32_t a, std::uint32_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}

std::string what(const dnssec::RRset& s) { return s.owner.to_string() + " " + wire::to_string(s.type); }

// An RRSIG time as RRSIG presentation shows it (YYYYMMDDHHmmSS, UTC; RFC 4034 §3.2).
std::string rrsig_time(std::uint32_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y%m%d%H%M%S", &tm);
  return out;
}

std::string window(const dnssec::RrsetValidation& r) {
  return "key tag " + std::to_string(r.key_tag) + ", algorithm " + std::to_string(r.algorithm) + ", valid " +
         rrsig_time(r.inception) + " to " + rrsig_time(r.expiration);
}

std::string failure_sentence(const dnssec::RRset& s, const dnssec::RrsetValidation& r, const Name& signer) {
  switch (r.outcome.reason) {
    case Reason::missing_rrsig: return "no RRSIG of " + signer.to_string() + " covers " + what(s);
    case Reason::no_matching_dnskey:
      return "no DNSKEY of " + signer.to_string() + " matches the RRSIG of " + what(s) + " (" + window(r) + ")";
    case Reason::signature_expired: return "the RRSIG of " + what(s) + " has expired (" + window(r) + ")";
    case Reason::signature_not_yet_valid: return "the RRSIG of " + what(s) + " is not yet valid (" + window(r) + ")";
    case Reason::bad_signature: return "the RRSIG of " + what(s) + " does not verify (" + window(r) + ")";
    case Reason::verification_limit:
      return "the verification budget (KeyTrap limits) ran out validating " + what(s);
    default:
      return what(s) + ": " + dnssec::to_string(r.outcome.reason);
  }
}

// The RRsets of `records` of one of `types` (all when empty), owned at or under `zone`.
std::vector<dnssec::RRset> sets_of(const std::vector<Record>& records, std::initializer_list<RRType> types,
                                   const Name& zone) {
  std::vector<dnssec::RRset> out;
  for (auto& s : dnssec::group_rrsets(records)) {
    if (!s.owner.is_subdomain_of(zone)) continue;
    if (types.size() != 0 && std::find(types.begin(), types.end(), s.type) == types.end()) continue;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

std::vector<dnssec::RRset> trust_anchor_sets(const Options& options) {
  std::vector<Record> records = options.trust_anchors;
  if (records.empty() && !options.root_hints) {
    if (auto builtin = wire::parse_zone_text(kRootAnchors)) records = *builtin;
  }
  std::vector<Record> ds;
  for (const Record& r : records) {
    if (r.type == RRType::DS) {
      ds.push_back(r);
    } else if (r.type == RRType::DNSKEY) {
      // A DNSKEY anchor becomes the SHA-256 DS that names it.
      auto key = r.rdata.as_dnskey();
      auto digest = dnssec::ds_digest(r.owner, r.rdata.bytes(), 2);
      if (!key || !digest) continue;
      std::vector<std::uint8_t> rd{static_cast<std::uint8_t>(dnssec::key_tag(r.rdata.bytes()) >> 8),
                                   static_cast<std::uint8_t>(dnssec::key_tag(r.rdata.bytes())), key->algorithm, 2};
      rd.insert(rd.end(), digest->begin(), digest->end());
      auto rdata = wire::Rdata::from_bytes(RRType::DS, rd);
      if (!rdata) continue;
      Record d = r;
      d.type = RRType::DS;
      d.rdata = *rdata;
      ds.push_back(std::move(d));
    }
  }
  return sets_of(ds, {RRType::DS}, Name());
}

const char* reason_id(Reason reason) {
  switch (reason) {
    case Reason::none: return "none";
    case Reason::unsupported_algorithm: return "unsupported_algorithm";
    case Reason::unsupported_digest: return "unsupported_digest";
    case Reason::nsec3_iterations: return "nsec3_iterations";
    case Reason::nsec3_opt_out: return "nsec3_opt_out";
    case Reason::missing_rrsig: return "missing_rrsig";
    case Reason::no_matching_dnskey: return "no_matching_dnskey";
    case Reason::signature_expired: return "signature_expired";
    case Reason::signature_not_yet_valid: return "signature_not_yet_valid";
    case Reason::bad_signature: return "bad_signature";
    case Reason::malformed: return "malformed";
    case Reason::too_many_records: return "too_many_records";
    case Reason::verification_limit: return "verification_limit";
    case Reason::denial_not_proven: return "denial_not_proven";
  }
  return "unknown";
}

std::string describe(const Validation& v) {
  if (!v.checked) return "not validated";
  std::string out = dnssec::to_string(v.status);
  if (v.status != Status::secure && (v.reason != Reason::none || !v.detail.empty())) {
    out += " (";
    if (v.reason != Reason::none) out += std::string(reason_id(v.reason)) + ": ";
    out += v.detail + ")";
  }
  return out;
}

// ---- The chain of trust -------------------------------------------------------------------------------

namespace {

// The name whose zone holds an RRset of `type` at `owner`, as far as the name tells: a DS RRset is the
// parent zone's data (RFC 4035 §5: validated with the parent's keys), every other RRset `owner`'s own.
Name data_side(const Name& owner, RRType type) {
  return type == RRType::DS && !owner.is_root() ? owner.parent() : owner;
}

}  // namespace

// An anchor at `owner` itself does not cover its DS RRset (data_side).
const dnssec::RRset* Validator::anchor_for_data(const Name& owner, RRType type) const {
  return anchor_for(data_side(owner, type));
}

const dnssec::RRset* Validator::anchor_for(const Name& name) const {
  const dnssec::RRset* best = nullptr;
  for (const auto& a : impl_.anchors) {
    if (name.is_subdomain_of(a.owner) && (best == nullptr || a.owner.label_count() > best->owner.label_count())) {
      best = &a;
    }
  }
  return best;
}

// The zone an unsigned RRset comes from: the deepest cached delegation (or anchor) above its owner.
Name Validator::zone_of(const Name& owner) const {
  for (Name z = owner; !z.is_root(); z = z.parent()) {
    if (impl_.cache.peek_delegation(z) != nullptr) return z;
    const dnssec::RRset* a = anchor_for(z);
    if (a != nullptr && a->owner == z) return z;
  }
  return Name();
}

void Validator::trace(const Name& zone, const std::string& text) {
  impl_.note(ctx_, 1, zone, "DNSSEC: " + text);
}

ZoneKeys Validator::remember(const Name& zone, ZoneKeys keys, std::uint32_t ttl) {
  const Status s = keys.validation.status;
  if (s == Status::indeterminate) return keys;  // a network failure is not remembered
  if (s == Status::bogus) ttl = kBogusKeyTtl;
  ttl = std::min(ttl, kMaxCacheTtl);
  impl_.keys.put(zone, keys, ttl);
  return keys;
}

const ZoneKeys* KeyCache::find(const Name& zone) const {
  const auto it = entries.find(zone.lowercased());
  return it != entries.end() && it->second.expires > now() ? &it->second.keys : nullptr;
}

void KeyCache::put(const Name& zone, const ZoneKeys& keys, std::uint32_t ttl) {
  if (entries.size() >= kMaxKeyCacheEntries) entries.clear();
  entries[zone.lowercased()] = Entry{now() + std::chrono::seconds(ttl), keys};
}

asio::awaitable<ZoneKeys> Validator::keys_for(Name zone, int hops) {
  if (const ZoneKeys* cached = impl_.keys.find(zone)) co_return *cached;
  if (hops > kMaxChainZones) {
    co_return ZoneKeys{make(Status::bogus, Reason::none, zone,
                            "the chain of trust to " + zone.to_string() + " is longer than kMaxChainZones (" +
                                std::to_string(kMaxChainZones) + ")"),
                       {}};
  }
  const dnssec::RRset* anchor = anchor_for(zone);
  if (anchor == nullptr) {
    co_return ZoneKeys{make(Status::indeterminate, Reason::none, zone, "no trust anchor above " + zone.to_string()), {}};
  }
  if (anchor->owner == zone) {
    Validation parent = make(Status::secure, Reason::none, zone, "trust anchor");
    co_return co_await dnskeys_under(zone, *anchor, parent);
  }
  // Under a zone already found insecure (its DS proven absent, or only algorithms we may not validate) every
  // zone is insecure: no DS question for it (Unbound walks down from the anchor and stops there too).
  for (Name a = zone.parent(); a.is_subdomain_of(anchor->owner); a = a.parent()) {
    const ZoneKeys* k = impl_.keys.find(a);
    if (k != nullptr && k->validation.status == Status::insecure) co_return *k;
    if (a == anchor->owner) break;
  }
  co_return co_await keys_from_ds(zone, hops);
}

// DS(zone) from the parent, validated with the parent's keys, then DNSKEY(zone) under it.
asio::awaitable<ZoneKeys> Validator::keys_from_ds(Name zone, int hops) {
  // The Question is built outside the co_await: GCC 12 would destroy it twice (docs/DESIGN.md).
  auto resolving = impl_.resolve_in(ctx_, wire::Question{zone, RRType::DS, wire::RRClass::IN}, 1);
  QuestionResult ds = co_await std::move(resolving);
  if (ds.fail) {
    co_return ZoneKeys{make(Status::indeterminate, Reason::none, zone,
                            "could not fetch the DS RRset of " + zone.to_string() + ": " + to_string(ds.fail->kind)),
                       {}};
  }
  if (ds.outcome != Outcome::answer) co_return co_await no_ds(zone, std::move(ds), hops);
  auto sets = sets_of(ds.answer, {RRType::DS}, zone);
  if (sets.empty() || !(sets.front().owner == zone)) co_return co_await no_ds(zone, std::move(ds), hops);
  const dnssec::RRset& ds_set = sets.front();
  auto sigs = dnssec::rrsigs_for(ds.signatures, zone, wire::RRClass::IN, RRType::DS);
  const Name parent = !sigs.empty() && zone.is_subdomain_of(sigs.front().signer) && !(sigs.front().signer == zone)
                          ? sigs.front().signer
                          : zone_of(zone.parent());
  ZoneKeys pk = co_await keys_for(parent, hops + 1);
  if (pk.validation.status != Status::secure) co_return remember(zone, pk, ds_set.ttl);
  auto r = dnssec::validate_rrset(ds_set, sigs, pk.dnskeys, now_, budget_);
  if (r.outcome.status != Status::secure) {
    Validation v = make(r.outcome.status, r.outcome.reason, parent, failure_sentence(ds_set, r, parent));
    evidence(v, r);
    trace(zone, "DS " + zone.to_string() + " " + describe(v));
    co_return remember(zone, ZoneKeys{v, {}}, ds_set.ttl);
  }
  trace(zone, "DS " + zone.to_string() + " secure under " + parent.to_string() + " (" + window(r) + ")");
  Validation chain = pk.validation;
  chain.earliest_expiration = earliest(chain.earliest_expiration, r.expiration);
  co_return co_await dnskeys_under(zone, ds_set, chain);
}

// No DS RRset at the parent: an unsigned delegation when the parent proves it (insecure), else bogus.
asio::awaitable<ZoneKeys> Validator::no_ds(Name zone, QuestionResult ds, int hops) {
  const Name parent = ds.soa && zone.is_subdomain_of(ds.soa->owner) && !(ds.soa->owner == zone)
                          ? ds.soa->owner
                          : zone_of(zone.parent());
  // A signed referral's proof has no SOA (store_referral_ds): its records' TTL is the negative TTL.
  std::uint32_t ttl = ds.soa ? ds.soa->ttl : kBogusKeyTtl;
  if (!ds.soa && !ds.denial.empty()) {
    ttl = kMaxNegativeTtl;
    for (const Record& r : ds.denial) ttl = std::min(ttl, r.ttl);
  }
  ZoneKeys pk = co_await keys_for(parent, hops + 1);
  if (pk.validation.status != Status::secure) co_return remember(zone, pk, ttl);
  Validation v = prove_denial(zone, RRType::DS, ds.outcome == Outcome::nxdomain, pk, ds.denial, std::nullopt);
  if (v.status == Status::secure || v.status == Status::insecure) {
    v.status = Status::insecure;
    v.zone = zone;
    v.detail = "no DS for " + zone.to_string() + " at " + parent.to_string() + " (proven by " +
               (v.detail.empty() ? std::string("NSEC/NSEC3") : v.detail) + "): an unsigned delegation";
  } else {
    v.detail = "the DS of " + zone.to_string() + " is neither served nor proven absent by " + parent.to_string() +
               " (" + v.detail + ")";
  }
  trace(zone, "DS " + zone.to_string() + " " + describe(v));
  co_return remember(zone, ZoneKeys{v, {}}, ttl);
}

// DNSKEY(zone), trusted through `ds` (a validated DS RRset or an anchor); `parent` carries the chain's evidence.
// An unsigned copy (no DNSKEY RRset, or one without RRSIGs) may be one server's: a secondary serving the
// zone unsigned. As Unbound asks another server after a validation failure, every server of the zone is
// then asked, and the first copy that validates is trusted. A signed copy that does not validate (a stale
// DS, expired signatures) is not re-asked: every server of such zones serves the same (the probe costs
// about ten queries per zone).
asio::awaitable<ZoneKeys> Validator::dnskeys_under(Name zone, dnssec::RRset ds, Validation parent) {
  // The Question is built outside the co_await: GCC 12 would destroy it twice (docs/DESIGN.md).
  auto resolving = impl_.resolve_in(ctx_, wire::Question{zone, RRType::DNSKEY, wire::RRClass::IN}, 1);
  QuestionResult k = co_await std::move(resolving);
  if (k.fail) {
    co_return ZoneKeys{make(Status::indeterminate, Reason::none, zone,
                            "could not fetch the DNSKEY RRset of " + zone.to_string() + ": " + to_string(k.fail->kind)),
                       {}};
  }
  auto sets = sets_of(k.answer, {RRType::DNSKEY}, zone);
  if (k.outcome != Outcome::answer || sets.empty() || !(sets.front().owner == zone)) {
    if (auto served = co_await keys_from_other_servers(zone, ds)) co_return trusted_keys(zone, ds, *served, parent);
    Validation v = make(Status::bogus, Reason::no_matching_dnskey, zone,
                        zone.to_string() + " serves no DNSKEY RRset although " +
                            (parent.detail == "trust anchor" ? "a trust anchor names its key"
                                                             : "its parent publishes a DS"));
    trace(zone, "DNSKEY " + describe(v));
    co_return remember(zone, ZoneKeys{v, {}}, kBogusKeyTtl);
  }
  auto sigs = dnssec::rrsigs_for(k.signatures, zone, wire::RRClass::IN, RRType::DNSKEY);
  auto r = dnssec::validate_dnskeys(ds, sets.front(), sigs, now_, budget_);
  const std::uint32_t ttl = std::min(ds.ttl, sets.front().ttl);
  if (r.outcome.status == Status::bogus && sigs.empty()) {  // an unsigned copy: not a stale DS or old signatures
    if (auto served = co_await keys_from_other_servers(zone, ds)) co_return trusted_keys(zone, ds, *served, parent);
  }
  if (r.outcome.status != Status::secure) {
    std::string detail = r.outcome.reason == Reason::no_matching_dnskey
                             ? "no DNSKEY of " + zone.to_string() + " matches the DS at its parent (key tag " +
                                   std::to_string(r.key_tag) + ")"
                             : failure_sentence(sets.front(), r, zone);
    Validation v = make(r.outcome.status, r.outcome.reason, zone, std::move(detail));
    evidence(v, r);
    trace(zone, "DNSKEY " + describe(v));
    co_return remember(zone, ZoneKeys{v, {}}, ttl);
  }
  co_return trusted_keys(zone, ds, ServedKeys{sets.front(), r}, parent);
}

ZoneKeys Validator::trusted_keys(const Name& zone, const dnssec::RRset& ds, const ServedKeys& served,
                                 const Validation& parent) {
  Validation v = make(Status::secure, Reason::none, zone, "");
  evidence(v, served.result);
  v.earliest_expiration = earliest(parent.earliest_expiration, served.result.expiration);
  trace(zone, "DNSKEY " + zone.to_string() + " secure (" + window(served.result) + ")");
  return remember(zone, ZoneKeys{v, served.keys}, std::min(ds.ttl, served.keys.ttl));
}

asio::awaitable<std::optional<Validator::ServedKeys>> Validator::keys_from_other_servers(Name zone, dnssec::RRset ds) {
  const wire::Question q{zone, RRType::DNSKEY, wire::RRClass::IN};
  // The probe's own lookups (the NS names' addresses) are not validated, so this does not recurse.
  std::vector<wire::Question> questions;
  questions.push_back(q);
  ZoneProbe p = co_await impl_.probe(zone, std::move(questions), nullptr, nullptr);
  ctx_.queries += p.queries;
  if (!p.zone_found || !(p.zone == zone)) co_return std::nullopt;
  for (const auto& s : p.responses) {
    if (!(s.question == q) || s.error != ProbeError::none || !s.aa || s.rcode != wire::Rcode::NoError) continue;
    auto sets = sets_of(s.answer, {RRType::DNSKEY}, zone);
    if (sets.empty() || !(sets.front().owner == zone)) continue;
    auto sigs = dnssec::rrsigs_for(s.dnssec, zone, wire::RRClass::IN, RRType::DNSKEY);
    auto r = dnssec::validate_dnskeys(ds, sets.front(), sigs, now_, budget_);
    if (r.outcome.status == Status::secure) {
      trace(zone, "DNSKEY as served by " + describe_server(s.ns_name, s.address) + " (another server's copy did not validate)");
      co_return ServedKeys{sets.front(), r};
    }
  }
  co_return std::nullopt;
}

// ---- The answer -----------------------------------------------------------------------------------------

Validation Validator::prove_denial(const Name& name, RRType type, bool nxdomain, const ZoneKeys& keys,
                                   const std::vector<Record>& denial, std::optional<std::uint8_t> wildcard_labels) {
  const Name& zone = keys.dnskeys.owner;
  std::vector<Record> valid;  // the NSEC/NSEC3 records whose RRset validated
  std::optional<Validation> failed;
  std::uint32_t expiration = keys.validation.earliest_expiration;
  std::size_t considered = 0;
  for (auto& set : sets_of(denial, {RRType::NSEC, RRType::NSEC3}, zone)) {
    if (++considered > dnssec::kMaxDenialRecords) break;
    auto sigs = dnssec::rrsigs_for(denial, set.owner, set.cls, set.type);
    auto r = dnssec::validate_rrset(set, sigs, keys.dnskeys, now_, budget_);
    if (r.outcome.status != Status::secure) {
      if (!failed) {
        failed = make(r.outcome.status, r.outcome.reason, zone, failure_sentence(set, r, zone));
        evidence(*failed, r);
      }
      continue;
    }
    if (r.wildcard) {
      // Its RRSIG has fewer labels than its owner: expanded from a wildcard NSEC (an "*.zone NS" wildcard
      // makes one), so it says nothing about its owner (Unbound's val_wcnsec_nods): not used.
      if (!failed) {
        failed = make(Status::bogus, Reason::denial_not_proven, zone,
                      what(set) + " is a wildcard expansion, which proves nothing about its owner");
      }
      continue;
    }
    expiration = earliest(expiration, r.expiration);
    dnssec::append_records(set, valid);
  }
  const auto nsecs = dnssec::nsec_records(valid);
  const auto nsec3s = dnssec::nsec3_records(valid);
  dnssec::Outcome o;
  const bool use_nsec3 = nsecs.empty() && !nsec3s.empty();
  if (wildcard_labels) {
    o = use_nsec3 ? dnssec::prove_wildcard_answer_nsec3(name, *wildcard_labels, zone, nsec3s)
                  : dnssec::prove_wildcard_answer(name, *wildcard_labels, zone, nsecs);
  } else if (nxdomain) {
    o = use_nsec3 ? dnssec::prove_nxdomain_nsec3(name, zone, nsec3s) : dnssec::prove_nxdomain(name, zone, nsecs);
  } else {
    o = use_nsec3 ? dnssec::prove_nodata_nsec3(name, type, zone, nsec3s) : dnssec::prove_nodata(name, type, zone, nsecs);
  }
  if (o.status == Status::bogus && failed) return *failed;  // the reason a record did not validate says more
  const std::string kind = use_nsec3 ? "NSEC3" : "NSEC";
  const std::string claim = wildcard_labels ? "no closer match than the wildcard for " + name.to_string()
                            : nxdomain      ? name.to_string() + " does not exist"
                                            : name.to_string() + " has no " + wire::to_string(type);
  Validation v = make(o.status, o.reason, zone,
                      o.status == Status::bogus ? "the " + kind + " records of " + zone.to_string() +
                                                      " do not prove that " + claim
                                                : kind);
  v.earliest_expiration = expiration;
  return v;
}

asio::awaitable<Validation> Validator::validate_rrset(dnssec::RRset rrset, const QuestionResult& result) {
  auto sigs = dnssec::rrsigs_for(result.signatures, rrset.owner, rrset.cls, rrset.type);
  if (sigs.empty()) {
    // Unsigned: fine in an insecure zone, bogus in a signed one.
    const Name zone = zone_of(rrset.owner);
    ZoneKeys keys = co_await keys_for(zone, 0);
    if (keys.validation.status != Status::secure) co_return keys.validation;
    co_return make(Status::bogus, Reason::missing_rrsig, zone,
                   "no RRSIG covers " + what(rrset) + " although " + zone.to_string() + " is signed");
  }
  const Name signer = sigs.front().signer;
  if (!rrset.owner.is_subdomain_of(signer) || anchor_for(signer) == nullptr) {
    co_return make(Status::bogus, Reason::malformed, signer,
                   "the RRSIG of " + what(rrset) + " names signer " + signer.to_string() + ", not an ancestor");
  }
  ZoneKeys keys = co_await keys_for(signer, 0);
  if (keys.validation.status != Status::secure) co_return keys.validation;
  auto r = dnssec::validate_rrset(rrset, sigs, keys.dnskeys, now_, budget_);
  Validation v = make(r.outcome.status, r.outcome.reason, signer,
                      r.outcome.status == Status::secure ? "" : failure_sentence(rrset, r, signer));
  evidence(v, r);
  if (r.outcome.status == Status::secure) {
    v.earliest_expiration = earliest(keys.validation.earliest_expiration, r.expiration);
    if (r.wildcard) {
      // RFC 4035 §5.3.4: a wildcard expansion is secure only with the proof that no closer name exists.
      Validation w = prove_denial(rrset.owner, rrset.type, false, keys, result.denial, r.labels);
      if (w.status != Status::secure) co_return w;
      v.earliest_expiration = earliest(v.earliest_expiration, w.earliest_expiration);
    }
  }
  trace(signer, what(rrset) + " " + describe(v) + " (" + window(r) + ")");
  co_return v;
}

// The zone that signed a negative answer for `name` without SOA: the signer of its NSEC/NSEC3 records when
// that is `name` or an ancestor under a trust anchor (the keys are then that zone's, as Unbound takes the
// signer of the proof), else the zone the resolution found above `name`.
Name Validator::denial_signer(const Name& name, const std::vector<Record>& denial) const {
  for (const Record& r : denial) {
    auto sig = r.rdata.as_rrsig();
    if (r.type != RRType::RRSIG || !sig || (sig->type_covered != RRType::NSEC && sig->type_covered != RRType::NSEC3)) {
      continue;
    }
    if (name.is_subdomain_of(sig->signer) && anchor_for(sig->signer) != nullptr) return sig->signer;
  }
  return zone_of(name);
}

asio::awaitable<Validation> Validator::validate_negative(Name name, RRType type, bool nxdomain,
                                                         const QuestionResult& result) {
  // Without SOA, the signer of the proof (for a DS, the zone above the child's parent side, RFC 4035
  // §3.1.4.1: a signed referral's proof that a child has no DS is cached as its NODATA without SOA).
  const Name zone = result.soa && name.is_subdomain_of(result.soa->owner)
                        ? result.soa->owner
                        : denial_signer(data_side(name, type), result.denial);
  if (anchor_for(zone) == nullptr) {
    // The zone that denies lies above every anchor (an anchor below a parent that does not delegate to it):
    // nothing can validate it. RFC 4033 §5 calls that indeterminate; Unbound serves it without AD. Not
    // checked, as a name outside every anchor's tree.
    trace(zone, std::string(nxdomain ? "NXDOMAIN " : "NODATA ") + name.to_string() + " from " + zone.to_string() +
                    ", above every trust anchor: not validated");
    co_return Validation{};
  }
  ZoneKeys keys = co_await keys_for(zone, 0);
  if (keys.validation.status != Status::secure) co_return keys.validation;
  const bool proof = std::any_of(result.denial.begin(), result.denial.end(),
                                 [](const Record& r) { return r.type == RRType::NSEC || r.type == RRType::NSEC3; });
  if (!result.soa && !proof) {
    co_return make(Status::bogus, Reason::denial_not_proven, zone,
                   "a negative answer from the signed zone " + zone.to_string() + " without SOA nor proof");
  }
  // Without SOA (RFC 2308 §2 asks for it; Unbound does without), the NSEC/NSEC3 records alone prove it.
  Validation s = make(Status::secure, Reason::none, zone, "");
  if (result.soa) {
    dnssec::RRset soa{result.soa->owner, RRType::SOA, wire::RRClass::IN, result.soa->ttl, {result.soa->rdata}};
    s = co_await validate_rrset(soa, result);
    if (s.status != Status::secure) co_return s;
  }
  Validation v = prove_denial(name, type, nxdomain, keys, result.denial, std::nullopt);
  if (nxdomain && v.status == Status::bogus) {
    // An NXDOMAIN whose signed NSEC/NSEC3 prove the name exists without the type (an empty non-terminal a
    // server calls NXDOMAIN, contrary to RFC 8020): NODATA is what the zone proves. Unbound is as lenient
    // with the rcode ("be lenient with RCODE in NSEC NameError responses") and answers NOERROR.
    Validation nodata = prove_denial(name, type, false, keys, result.denial, std::nullopt);
    if (nodata.status == Status::secure) {
      trace(zone, "NXDOMAIN " + name.to_string() + ": the proof shows it exists without " + wire::to_string(type) +
                      ", answered as NODATA");
      v = std::move(nodata);
      nxdomain_is_nodata_ = true;
    }
  }
  if (v.status == Status::secure) {
    v.detail.clear();
    v.earliest_expiration = earliest(v.earliest_expiration, s.earliest_expiration);
  }
  trace(zone, std::string(nxdomain ? "NXDOMAIN " : "NODATA ") + name.to_string() + " " + describe(v));
  co_return v;
}

asio::awaitable<Validation> Validator::validate(wire::Question q, const QuestionResult& result) {
  Validation worst;  // checked false
  // A DS question at an anchor's own name asks the zone above it (Unbound looks its anchor up there too).
  if (result.fail || anchor_for_data(q.name, q.type) == nullptr) co_return worst;
  // RRSIG RRsets are not signed (RFC 4035 §2.2): an answer to an RRSIG question cannot be validated (as
  // Unbound: "no sigs on sigs"); a negative answer to one can, below.
  if (q.type == RRType::RRSIG && result.outcome == Outcome::answer) co_return worst;
  auto take = [&worst](Validation v) {
    if (!v.checked) return;  // not validatable (above every anchor): says nothing
    if (!worst.checked || rank(v.status) > rank(worst.status)) {
      worst = std::move(v);
    } else if (v.status == Status::secure && worst.status == Status::secure) {
      worst.earliest_expiration = earliest(worst.earliest_expiration, v.earliest_expiration);
    }
  };
  std::vector<Name> dnames;
  Name tail = q.name;
  for (const auto& set : dnssec::group_rrsets(result.answer)) {
    if (set.type == RRType::DNAME) dnames.push_back(set.owner);
    if (set.type == RRType::CNAME && !set.rdatas.empty()) {
      if (auto t = set.rdatas.front().target()) tail = *t;
      // A CNAME synthesised from a DNAME is unsigned by design (RFC 6672 §5.3.1): the DNAME's RRSIG speaks.
      if (std::any_of(dnames.begin(), dnames.end(), [&](const Name& d) { return set.owner.is_subdomain_of(d); })) continue;
    }
    if (anchor_for_data(set.owner, set.type) == nullptr) continue;  // a link outside every anchor's tree
    take(co_await validate_rrset(set, result));
  }
  if ((result.outcome == Outcome::nodata || result.outcome == Outcome::nxdomain) &&
      anchor_for_data(tail, q.type) != nullptr) {
    take(co_await validate_negative(tail, q.type, result.outcome == Outcome::nxdomain, result));
  }
  co_return worst;
}

}  // namespace dkimdoctor::resolver
