// Signature verification through OpenSSL 3 EVP, one function per DNSSEC algorithm family, and the
// validity window in serial-number arithmetic.
//
// Algorithms (IANA "DNS Security Algorithm Numbers"; which ones we validate: RFC 8624 §3.1):
//   5 RSASHA1, 7 RSASHA1-NSEC3-SHA1   RFC 3110 — MUST validate (RFC 8624), still seen in the wild
//   8 RSASHA256, 10 RSASHA512         RFC 5702
//   13 ECDSAP256SHA256, 14 ECDSAP384SHA384   RFC 6605 (raw r||s signatures, x||y keys)
//   15 ED25519, 16 ED448              RFC 8080 (ED448 only when OpenSSL provides it)
// Anything else (RSAMD5, DSA, GOST, private algorithms) is unsupported: a zone signed only with those
// is insecure, never bogus (RFC 4035 §5.2, RFC 6840 §5.2).
#pragma once

#include <cstdint>
#include <span>

namespace dkimdoctor::dnssec {

enum class Algorithm : std::uint8_t {
  rsamd5 = 1, dsa = 3, rsasha1 = 5, dsa_nsec3_sha1 = 6, rsasha1_nsec3_sha1 = 7, rsasha256 = 8, rsasha512 = 10,
  ecc_gost = 12, ecdsap256sha256 = 13, ecdsap384sha384 = 14, ed25519 = 15, ed448 = 16,
};

bool algorithm_supported(std::uint8_t algorithm) noexcept;

enum class Verify : std::uint8_t {
  valid,        // the signature verifies
  invalid,      // well-formed key, the signature does not verify (or has the wrong size)
  bad_key,      // the DNSKEY public key does not decode for its algorithm (or is outside the size limits)
  unsupported,  // an algorithm we do not validate
};

// Verifies `signature` over `data` with the DNSKEY public key field `public_key` of `algorithm`.
Verify verify_signature(std::uint8_t algorithm, std::span<const std::uint8_t> public_key,
                        std::span<const std::uint8_t> data, std::span<const std::uint8_t> signature);

// RFC 1982 serial number comparison on 32 bits: <0 when a precedes b, 0 when equal, >0 when a follows b.
// Two values exactly 2^31 apart are undefined by RFC 1982; we call the larger one later.
int serial_compare(std::uint32_t a, std::uint32_t b) noexcept;

enum class Window : std::uint8_t { valid, expired, not_yet_valid };
// RFC 4034 §3.1.5: valid when inception <= now <= expiration, in serial arithmetic (the fields are
// seconds since 1970 modulo 2^32).
Window check_window(std::uint32_t inception, std::uint32_t expiration, std::uint32_t now) noexcept;

}  // namespace dkimdoctor::dnssec
