// DNSSEC validation of a finished resolution (issue 14), the coroutine side: it fetches DS and DNSKEY
// RRsets with the resolver's own resolve_in() (cached, counted in the resolution's queries and limits) and
// hands every decision to dnssec/ (signatures, DS matching, NSEC/NSEC3 proofs).
//
// Like Unbound's validator: the answer's signer zone Z must have a trusted DNSKEY RRset; DNSKEY(Z) is
// trusted when DS(Z), itself validated by DNSKEY(parent), matches it; and so on up to a trust anchor
// (DS or DNSKEY records for a zone: Options::trust_anchors, else the IANA root KSKs). A DS NODATA proven by
// the parent's NSEC/NSEC3 makes Z and everything under it insecure. The key cache (Resolver::Impl::keys)
// remembers each zone's trusted DNSKEY set, or that it is insecure, for the TTL of its DS and DNSKEY
// RRsets; a bogus zone for kBogusKeyTtl; a zone whose keys could not be fetched not at all.
//
// Internal to resolver/ (engine.hpp).
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "dnssec/status.hpp"
#include "dnssec/validate.hpp"
#include "resolver/resolver.hpp"

namespace dkimdoctor::resolver {

struct Context;
struct QuestionResult;

// What the chain of trust says about one zone: secure with its trusted DNSKEY RRset, insecure (and why,
// where), bogus (and why, where), or indeterminate (the keys could not be fetched).
struct ZoneKeys {
  Validation validation;  // status, reason, zone, evidence of the step that decided
  dnssec::RRset dnskeys;  // secure only
};

// The key cache: lowercased zone -> ZoneKeys, with expiry on the resolver's clock (Options::clock, else
// steady_clock). At most kMaxKeyCacheEntries: a full cache is cleared (crude, bounded; real chains share few
// zones).
struct KeyCache {
  using Clock = std::chrono::steady_clock;
  struct Entry {
    Clock::time_point expires;
    ZoneKeys keys;
  };
  std::function<Clock::time_point()> clock;  // unset: steady_clock
  std::unordered_map<wire::Name, Entry, wire::NameHash> entries;

  // The entry of `zone` while it lives, else null.
  const ZoneKeys* find(const wire::Name& zone) const;
  void put(const wire::Name& zone, const ZoneKeys& keys, std::uint32_t ttl);

 private:
  Clock::time_point now() const { return clock ? clock() : Clock::now(); }
};

// The trust anchors as DS RRsets per zone (DNSKEY anchors turned into SHA-256 DS records).
std::vector<dnssec::RRset> trust_anchor_sets(const Options& options);

class Validator {
 public:
  Validator(Resolver::Impl& impl, Context& ctx, std::uint32_t now) : impl_(impl), ctx_(ctx), now_(now) {}

  // The answer's status (worst link of a CNAME chain), or checked false when no anchor covers the name.
  asio::awaitable<Validation> validate(wire::Question question, const QuestionResult& result);
  // After validate(): the NXDOMAIN it was given is a NODATA its validated NSEC/NSEC3 records prove (an empty
  // non-terminal): the resolution answers NOERROR.
  bool nxdomain_is_nodata() const { return nxdomain_is_nodata_; }

 private:
  asio::awaitable<Validation> validate_rrset(dnssec::RRset rrset, const QuestionResult& result);
  asio::awaitable<Validation> validate_negative(wire::Name name, wire::RRType type, bool nxdomain,
                                                const QuestionResult& result);
  asio::awaitable<ZoneKeys> keys_for(wire::Name zone, int hops);
  asio::awaitable<ZoneKeys> keys_from_ds(wire::Name zone, int hops);
  asio::awaitable<ZoneKeys> no_ds(wire::Name zone, QuestionResult ds, int hops);
  asio::awaitable<ZoneKeys> dnskeys_under(wire::Name zone, dnssec::RRset ds, Validation parent);
  // The zone's DNSKEY RRset as every server of the zone serves it (an authority probe), for when the copy
  // the resolver got does not validate under `ds`: the first copy that does, if any.
  struct ServedKeys {
    dnssec::RRset keys;
    dnssec::RrsetValidation result;
  };
  asio::awaitable<std::optional<ServedKeys>> keys_from_other_servers(wire::Name zone, dnssec::RRset ds);
  ZoneKeys trusted_keys(const wire::Name& zone, const dnssec::RRset& ds, const ServedKeys& served,
                        const Validation& parent);
  // The NSEC/NSEC3 proof for (name, type) in `zone` with its trusted keys.
  Validation prove_denial(const wire::Name& name, wire::RRType type, bool nxdomain, const ZoneKeys& keys,
                          const std::vector<wire::Record>& denial, std::optional<std::uint8_t> wildcard_labels);
  wire::Name denial_signer(const wire::Name& name, const std::vector<wire::Record>& denial) const;
  const dnssec::RRset* anchor_for(const wire::Name& name) const;
  const dnssec::RRset* anchor_for_data(const wire::Name& owner, wire::RRType type) const;
  wire::Name zone_of(const wire::Name& owner) const;
  ZoneKeys remember(const wire::Name& zone, ZoneKeys keys, std::uint32_t ttl);
  void trace(const wire::Name& zone, const std::string& text);

  Resolver::Impl& impl_;
  Context& ctx_;
  std::uint32_t now_;
  dnssec::ValidationBudget budget_;  // one per resolution
  bool nxdomain_is_nodata_ = false;
};

}  // namespace dkimdoctor::resolver
