// Authenticated denial of existence: NSEC (RFC 4035 §5.4, RFC 4034 §4) and NSEC3 (RFC 5155 §8).
//
// Calling convention: every NSEC/NSEC3 record handed in has already been validated secure
// (validate_rrset on its RRset) and belongs to `zone`, the signer. These functions only decide whether
// the records prove the claim; they never verify signatures. Each returns secure (proven), insecure
// (NSEC3 opt-out or iterations over the limit) or bogus denial_not_proven.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dnssec/status.hpp"

namespace dkimdoctor::dnssec {

struct NsecRecord {
  wire::Name owner;
  wire::rdata::Nsec nsec;
};
struct Nsec3Record {
  wire::Name owner;
  wire::rdata::Nsec3 nsec3;
};

// The decodable NSEC / NSEC3 records among `records`.
std::vector<NsecRecord> nsec_records(const std::vector<wire::Record>& records);
std::vector<Nsec3Record> nsec3_records(const std::vector<wire::Record>& records);

bool has_type(const std::vector<wire::RRType>& types, wire::RRType type) noexcept;

// NSEC: true when `name` sorts strictly between owner and next (the last NSEC of a zone wraps).
bool nsec_covers(const NsecRecord& nsec, const wire::Name& name) noexcept;

// qname does not exist: an NSEC covers it and one covers the wildcard at its closest encloser.
Outcome prove_nxdomain(const wire::Name& qname, const wire::Name& zone, std::span<const NsecRecord> nsecs);
// qname exists without qtype: a matching NSEC without qtype and CNAME, an empty non-terminal, or a
// wildcard NODATA (no qname, the wildcard has no qtype).
Outcome prove_nodata(const wire::Name& qname, wire::RRType qtype, const wire::Name& zone,
                     std::span<const NsecRecord> nsecs);
// A wildcard expansion (RRSIG labels < qname's labels) is legitimate: no closer name exists.
Outcome prove_wildcard_answer(const wire::Name& qname, std::uint8_t rrsig_labels, const wire::Name& zone,
                              std::span<const NsecRecord> nsecs);

// RFC 5155 §5: IH(salt, x, 0) = H(x || salt), IH(k) = H(IH(k-1) || salt), x the lowercased wire name.
// nullopt for a hash algorithm other than 1 (SHA-1). The caller bounds `iterations`.
std::optional<std::vector<std::uint8_t>> nsec3_hash(const wire::Name& name, std::uint8_t algorithm,
                                                    std::uint16_t iterations, std::span<const std::uint8_t> salt);

Outcome prove_nxdomain_nsec3(const wire::Name& qname, const wire::Name& zone, std::span<const Nsec3Record> nsec3s);
Outcome prove_nodata_nsec3(const wire::Name& qname, wire::RRType qtype, const wire::Name& zone,
                           std::span<const Nsec3Record> nsec3s);
Outcome prove_wildcard_answer_nsec3(const wire::Name& qname, std::uint8_t rrsig_labels, const wire::Name& zone,
                                    std::span<const Nsec3Record> nsec3s);

}  // namespace dkimdoctor::dnssec
