#include "dnssec/validate.hpp"

#include <algorithm>
#include <vector>

#include "dnssec/canonical.hpp"
#include "dnssec/crypto.hpp"
#include "dnssec/keys.hpp"

namespace dkimdoctor::dnssec {
namespace {

// How far an RRSIG got before it failed; the furthest one gives the reported reason (a signature that
// found its key and is expired says more than one whose key is missing).
enum class Stage : std::uint8_t { none, malformed, no_key, window, crypto };

struct Furthest {
  Stage stage = Stage::none;
  Reason reason = Reason::missing_rrsig;
  const wire::rdata::Rrsig* sig = nullptr;
  void note(Stage s, Reason r, const wire::rdata::Rrsig& from) {
    if (s < stage) return;
    stage = s;
    reason = r;
    sig = &from;
  }
};

void describe(RrsetValidation& out, const wire::rdata::Rrsig& sig) {
  out.key_tag = sig.key_tag;
  out.algorithm = sig.algorithm;
  out.inception = sig.inception;
  out.expiration = sig.expiration;
  out.labels = sig.labels;
}

bool expanded_from_wildcard(const wire::Name& owner, std::uint8_t labels) {
  if (labels >= owner.label_count()) return false;
  // "*.example." signed with labels 1 is the wildcard itself, not an expansion of it.
  return !(std::size_t{labels} + 1 == owner.label_count() && owner.label(0) == "*");
}

// A usable zone key of the key set: (tag, algorithm, key).
struct ZoneKey {
  std::uint16_t tag;
  std::uint8_t algorithm;
  std::vector<std::uint8_t> public_key;
};

// Decodes the key set once. `supported` says whether any of its zone keys uses an algorithm we validate.
std::vector<ZoneKey> zone_keys(const RRset& dnskeys, bool& supported) {
  std::vector<ZoneKey> keys;
  supported = false;
  for (const auto& rd : dnskeys.rdatas) {
    auto k = rd.as_dnskey();
    if (!k || k->protocol != kDnskeyProtocol || !(k->flags & kFlagZoneKey) || (k->flags & kFlagRevoke)) continue;
    supported = supported || algorithm_supported(k->algorithm);
    keys.push_back(ZoneKey{key_tag(rd.bytes()), k->algorithm, std::move(k->public_key)});
  }
  return keys;
}

// The keys an RRSIG may have been made with; KeyTrap: colliding tags are tried a bounded number of times.
std::vector<const ZoneKey*> candidates_for(const std::vector<ZoneKey>& keys, const wire::rdata::Rrsig& sig) {
  std::vector<const ZoneKey*> out;
  for (const auto& k : keys) {
    if (k.tag != sig.key_tag || k.algorithm != sig.algorithm) continue;
    if (out.size() == kMaxKeysPerKeyTag) break;
    out.push_back(&k);
  }
  return out;
}

// No signature verified: the outcome from how far the best one got.
void settle_unverified(RrsetValidation& out, const Furthest& furthest, bool limit_hit, bool supported_key,
                       bool any_key) {
  if (furthest.sig) describe(out, *furthest.sig);
  if (limit_hit) out.outcome = Outcome::bogus(Reason::verification_limit);
  else if (furthest.stage != Stage::none) out.outcome = Outcome::bogus(furthest.reason);
  // No RRSIG of a supported algorithm. Insecure only when the trusted key set itself has no key we can use
  // (RFC 4035 §5.2, RFC 6840 §5.2); otherwise an attacker could strip the signatures, add one of an unknown
  // algorithm and downgrade a signed zone to insecure.
  else if (!supported_key && any_key) out.outcome = Outcome::insecure(Reason::unsupported_algorithm);
  else out.outcome = Outcome::bogus(Reason::missing_rrsig);
}

}  // namespace

RrsetValidation validate_rrset(const RRset& rrset, std::span<const wire::rdata::Rrsig> rrsigs,
                               const RRset& dnskeys, std::uint32_t now, ValidationBudget& budget) {
  RrsetValidation out;
  if (rrsigs.empty()) {
    out.outcome = Outcome::bogus(Reason::missing_rrsig);
    return out;
  }
  if (dnskeys.rdatas.size() > kMaxDnskeys) {
    out.outcome = Outcome::bogus(Reason::too_many_records);
    return out;
  }
  bool supported_key = false;
  const std::vector<ZoneKey> keys = zone_keys(dnskeys, supported_key);

  Furthest furthest;
  bool limit_hit = false;
  const std::size_t n = std::min(rrsigs.size(), kMaxRrsigsPerRrset);
  for (std::size_t i = 0; i < n && !limit_hit; ++i) {
    const auto& sig = rrsigs[i];
    if (sig.type_covered != rrset.type || !algorithm_supported(sig.algorithm)) continue;
    // RFC 4035 §5.3.1: the signer is the zone of the key set and an ancestor of (or equal to) the owner;
    // the labels field is not larger than the owner's label count.
    if (!(sig.signer == dnskeys.owner) || !rrset.owner.is_subdomain_of(sig.signer) ||
        sig.labels > rrset.owner.label_count()) {
      furthest.note(Stage::malformed, Reason::malformed, sig);
      continue;
    }
    const std::vector<const ZoneKey*> candidates = candidates_for(keys, sig);
    if (candidates.empty()) {
      furthest.note(Stage::no_key, Reason::no_matching_dnskey, sig);
      continue;
    }
    const Window w = check_window(sig.inception, sig.expiration, now);
    if (w != Window::valid) {
      furthest.note(Stage::window, w == Window::expired ? Reason::signature_expired : Reason::signature_not_yet_valid,
                    sig);
      continue;
    }
    const auto data = signed_data(sig, rrset);
    if (!data) {
      furthest.note(Stage::malformed, Reason::malformed, sig);
      continue;
    }
    for (const ZoneKey* k : candidates) {
      if (out.verifications == kMaxVerificationsPerRrset || budget.remaining == 0) {
        limit_hit = true;
        break;
      }
      ++out.verifications;
      --budget.remaining;
      ++budget.used;
      const Verify v = verify_signature(sig.algorithm, k->public_key, *data, sig.signature);
      if (v == Verify::valid) {
        out.outcome = Outcome::secure();
        describe(out, sig);
        out.wildcard = expanded_from_wildcard(rrset.owner, sig.labels);
        return out;
      }
      furthest.note(Stage::crypto, v == Verify::bad_key ? Reason::malformed : Reason::bad_signature, sig);
    }
  }
  settle_unverified(out, furthest, limit_hit, supported_key, !keys.empty());
  return out;
}

RrsetValidation validate_dnskeys(const RRset& ds_set, const RRset& dnskeys,
                                 std::span<const wire::rdata::Rrsig> rrsigs, std::uint32_t now,
                                 ValidationBudget& budget) {
  RrsetValidation out;
  if (ds_set.rdatas.size() > kMaxDsRecords || dnskeys.rdatas.size() > kMaxDnskeys) {
    out.outcome = Outcome::bogus(Reason::too_many_records);
    return out;
  }
  std::vector<wire::rdata::Ds> usable;
  bool any_supported_algorithm = false;
  for (const auto& rd : ds_set.rdatas) {
    auto ds = rd.as_ds();
    if (!ds || !algorithm_supported(ds->algorithm)) continue;
    any_supported_algorithm = true;
    if (digest_supported(ds->digest_type)) usable.push_back(std::move(*ds));
  }
  if (usable.empty()) {
    out.outcome = Outcome::insecure(any_supported_algorithm ? Reason::unsupported_digest : Reason::unsupported_algorithm);
    return out;
  }
  const bool has_sha256 = std::any_of(usable.begin(), usable.end(), [](const wire::rdata::Ds& d) {
    return d.digest_type == static_cast<std::uint8_t>(DigestType::sha256);
  });
  if (has_sha256)
    std::erase_if(usable, [](const wire::rdata::Ds& d) { return d.digest_type == static_cast<std::uint8_t>(DigestType::sha1); });

  RRset trusted{dnskeys.owner, wire::RRType::DNSKEY, dnskeys.cls, dnskeys.ttl, {}};
  for (const auto& key : dnskeys.rdatas)
    for (const auto& ds : usable)
      if (ds_matches(ds, dnskeys.owner, key)) {
        trusted.rdatas.push_back(key);
        break;
      }
  if (trusted.rdatas.empty()) {
    out.outcome = Outcome::bogus(Reason::no_matching_dnskey);
    out.key_tag = usable.front().key_tag;
    out.algorithm = usable.front().algorithm;
    return out;
  }
  return validate_rrset(dnskeys, rrsigs, trusted, now, budget);
}

}  // namespace dkimdoctor::dnssec
