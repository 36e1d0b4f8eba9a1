// Canonical form and order (RFC 4034 §6) and the data an RRSIG signs (RFC 4034 §3.1.8.1).
//
// Calling convention: RDATA comes from wire::Rdata, which already holds it uncompressed. Names inside
// RDATA are lowercased only for the types RFC 4034 §6.2 lists, as corrected by RFC 6840 §5.1 (NSEC's
// next name is NOT lowercased; RRSIG's signer is). Nothing here trusts a count from the data.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "dnssec/status.hpp"

namespace dkimdoctor::dnssec {

// The RDATA in canonical form: embedded names of the listed types in lowercase.
std::vector<std::uint8_t> canonical_rdata(const wire::Rdata& rdata);

// The RDATAs of an RRset in canonical order (RFC 4034 §6.3: as left-justified unsigned octet
// sequences, a shorter one first when it is a prefix), duplicates removed.
std::vector<std::vector<std::uint8_t>> canonical_rdatas(const RRset& rrset);

// The owner name a signature covers (RFC 4035 §5.3.2): the owner lowercased, or "*." + its rightmost
// `labels` labels when the RRSIG labels field is smaller (a wildcard expansion). nullopt when `labels`
// exceeds the owner's label count (such an RRSIG cannot be valid).
std::optional<wire::Name> signed_owner(const wire::Name& owner, std::uint8_t labels);

// RRSIG RDATA without the signature field, signer lowercased (RFC 4034 §3.1.8.1).
std::vector<std::uint8_t> rrsig_prefix(const wire::rdata::Rrsig& sig);

// The octets the signature is over: rrsig_prefix(sig) followed by every RR of the set in canonical
// order with the RRSIG's original TTL. nullopt when the RRSIG cannot cover the set (labels too large).
std::optional<std::vector<std::uint8_t>> signed_data(const wire::rdata::Rrsig& sig, const RRset& rrset);

}  // namespace dkimdoctor::dnssec
