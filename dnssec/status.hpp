// The outcome of validating something: a status (RFC 4033 §5: secure, insecure, bogus, indeterminate)
// and, when it is not secure, why. The reason is what the diagnosis will turn into a finding.
#pragma once

#include <cstdint>
#include <vector>

#include "wire/message.hpp"
#include "wire/name.hpp"
#include "wire/rdata.hpp"
#include "wire/types.hpp"

namespace dkimdoctor::dnssec {

enum class Status : std::uint8_t { secure, insecure, bogus, indeterminate };

enum class Reason : std::uint8_t {
  none,                     // secure
  // insecure
  unsupported_algorithm,    // only algorithms we may not validate (RFC 8624 §3.1, RFC 6840 §5.2)
  unsupported_digest,       // only DS digest types we may not use (RFC 8624 §3.3)
  nsec3_iterations,         // NSEC3 iterations above kMaxNsec3Iterations (RFC 9276 §3.2)
  nsec3_opt_out,            // the proof rests on an opt-out NSEC3 span (RFC 5155 §6, §8.6)
  // bogus
  missing_rrsig,            // no RRSIG covers the RRset
  no_matching_dnskey,       // no DNSKEY matches the RRSIG (signer, algorithm, key tag) or the DS
  signature_expired,        // now is after the RRSIG expiration (RFC 4034 §3.1.5)
  signature_not_yet_valid,  // now is before the RRSIG inception
  bad_signature,            // a matching key, in its window, and the signature does not verify
  malformed,                // RRSIG/DNSKEY/DS/NSEC3 data that cannot be right (labels, signer, key)
  too_many_records,         // a DS, DNSKEY, RRSIG or NSEC3 set over its limit
  verification_limit,       // KeyTrap: the verification budget ran out before a signature verified
  denial_not_proven,        // NSEC/NSEC3 records do not prove the NXDOMAIN/NODATA/wildcard
};

const char* to_string(Status status);
const char* to_string(Reason reason);

struct Outcome {
  Status status = Status::indeterminate;
  Reason reason = Reason::none;
  bool operator==(const Outcome&) const = default;
  static Outcome secure() { return {Status::secure, Reason::none}; }
  static Outcome insecure(Reason r) { return {Status::insecure, r}; }
  static Outcome bogus(Reason r) { return {Status::bogus, r}; }
};

// One RRset: records of the same owner, class and type. `rdatas` in any order, duplicates allowed (the
// canonical form sorts and removes them).
struct RRset {
  wire::Name owner;
  wire::RRType type = wire::RRType::A;
  wire::RRClass cls = wire::RRClass::IN;
  std::uint32_t ttl = 0;
  std::vector<wire::Rdata> rdatas;
};

// Groups records into RRsets in order of first appearance; RRSIG records are left out (see rrsigs_for).
std::vector<RRset> group_rrsets(const std::vector<wire::Record>& records);
// The inverse of group_rrsets for one RRset: its records (owner, type, class, TTL, each RDATA) appended to `out`.
void append_records(const RRset& rrset, std::vector<wire::Record>& out);
// The RRSIG records among `records` that cover (owner, class, type) — decoded; malformed ones skipped.
std::vector<wire::rdata::Rrsig> rrsigs_for(const std::vector<wire::Record>& records, const wire::Name& owner,
                                           wire::RRClass cls, wire::RRType type);

}  // namespace dkimdoctor::dnssec
