// RRset validation (RFC 4035 §5.3) and the DS -> DNSKEY step of the chain of trust (RFC 4035 §5.2),
// with the KeyTrap bounds of limits.hpp.
//
// Calling convention: the caller has grouped the RRset and found its RRSIGs (status.hpp helpers) and
// holds the DNSKEY RRset of the zone that should have signed it, already trusted (validated by
// validate_dnskeys against a DS or a trust anchor). `now` is seconds since 1970 modulo 2^32, injected so
// that a test or a lab can pin it (like Unbound's val-override-date). One ValidationBudget is shared by
// every RRset of a response: when it is spent, validation stops with Reason::verification_limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dnssec/limits.hpp"
#include "dnssec/status.hpp"

namespace dkimdoctor::dnssec {

struct ValidationBudget {
  std::size_t remaining = kMaxVerificationsPerResponse;  // public-key operations left for this response
  std::size_t used = 0;
};

struct RrsetValidation {
  Outcome outcome;
  // The RRSIG that verified, or the one that came furthest before failing (0 when none was looked at):
  // the evidence a diagnosis shows.
  std::uint16_t key_tag = 0;
  std::uint8_t algorithm = 0;
  std::uint32_t inception = 0, expiration = 0;
  // Secure through a wildcard expansion (RFC 4035 §5.3.4): the caller must still prove, with NSEC or
  // NSEC3, that no closer name exists (denial.hpp prove_wildcard_answer*). `labels` is the RRSIG's.
  bool wildcard = false;
  std::uint8_t labels = 0;
  std::size_t verifications = 0;  // public-key operations spent on this RRset
};

// Validates `rrset` with its `rrsigs` against the trusted DNSKEY RRset `dnskeys` (owner = the zone).
RrsetValidation validate_rrset(const RRset& rrset, std::span<const wire::rdata::Rrsig> rrsigs,
                               const RRset& dnskeys, std::uint32_t now, ValidationBudget& budget);

// The DS -> DNSKEY step: the DNSKEY RRset is secure when a DNSKEY matched by a usable DS record (supported
// algorithm and digest; SHA-1 DS ignored when a SHA-256 one is there, RFC 4509 §3) signs it. Only DS
// records with unsupported algorithms/digests -> insecure. No DS matches a DNSKEY -> bogus
// no_matching_dnskey (the stale-DS-after-a-provider-move case).
RrsetValidation validate_dnskeys(const RRset& ds_set, const RRset& dnskeys,
                                 std::span<const wire::rdata::Rrsig> rrsigs, std::uint32_t now,
                                 ValidationBudget& budget);

}  // namespace dkimdoctor::dnssec
