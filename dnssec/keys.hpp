// DNSKEY identity: key tags (RFC 4034 Appendix B), DS digests (RFC 4034 §5.1.4, RFC 4509, RFC 6605 §2)
// and DS -> DNSKEY matching (RFC 4035 §5.2).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "wire/name.hpp"
#include "wire/rdata.hpp"

namespace dkimdoctor::dnssec {

// DNSKEY flags (RFC 4034 §2.1.1, RFC 5011 §7) and the only protocol value (RFC 4034 §2.1.2).
inline constexpr std::uint16_t kFlagZoneKey = 0x0100, kFlagSep = 0x0001, kFlagRevoke = 0x0080;
inline constexpr std::uint8_t kDnskeyProtocol = 3;

// DS digest types (IANA "Delegation Signer (DS) Resource Record (RR) Type Digest Algorithms").
enum class DigestType : std::uint8_t { sha1 = 1, sha256 = 2, gost = 3, sha384 = 4 };

// Key tag over the DNSKEY RDATA (RFC 4034 Appendix B; the algorithm-1 special case of B.1 included).
std::uint16_t key_tag(std::span<const std::uint8_t> dnskey_rdata) noexcept;

// RFC 8624 §3.3: SHA-1 and SHA-256 MUST be validated, SHA-384 MAY (we do); GOST is not.
bool digest_supported(std::uint8_t digest_type) noexcept;

// digest(canonical owner name | DNSKEY RDATA); nullopt for an unsupported digest type.
std::optional<std::vector<std::uint8_t>> ds_digest(const wire::Name& owner, std::span<const std::uint8_t> dnskey_rdata,
                                                   std::uint8_t digest_type);

// True when `ds` names this DNSKEY: same key tag, same algorithm, a supported digest that equals the
// computed one, and the DNSKEY is a zone key of protocol 3 (RFC 4035 §5.2).
bool ds_matches(const wire::rdata::Ds& ds, const wire::Name& owner, const wire::Rdata& dnskey);

}  // namespace dkimdoctor::dnssec
