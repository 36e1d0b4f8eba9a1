// Every bound of the validator, named, with its reason. The inputs (RRsets, signatures, keys, NSEC3
// parameters) come from whoever answers a query: each loop over them is capped here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dkimdoctor::dnssec {

// KeyTrap (CVE-2023-50387): a zone can publish many DNSKEYs with the same key tag and many RRSIGs per
// RRset, so "try every key for every signature" costs keys x signatures public-key operations for one
// answer. We bound the signature verifications per RRset, per response (one ValidationBudget shared by
// every RRset of a response) and the keys tried for one key tag. A legitimate zone needs one verification
// per RRset (two or three during an algorithm roll-over); BIND allows 16 per fetch, Unbound 8 collisions.
inline constexpr std::size_t kMaxVerificationsPerRrset = 8;
inline constexpr std::size_t kMaxVerificationsPerResponse = 32;
inline constexpr std::size_t kMaxKeysPerKeyTag = 4;
// RRSIGs looked at for one RRset at all (cheap checks only, but still a loop over attacker data).
inline constexpr std::size_t kMaxRrsigsPerRrset = 16;
// DS and DNSKEY sets larger than this are refused outright (bogus): no real zone publishes more.
inline constexpr std::size_t kMaxDsRecords = 16;
inline constexpr std::size_t kMaxDnskeys = 32;

// NSEC3 iterations (CVE-2023-50868; RFC 9276 §3.2: validators may treat high counts as insecure). Each
// iteration is one SHA-1 per name hashed; 50 is BIND's limit since 9.19 (Unbound: 150), RFC 9276 asks
// zones for 0. Above it the denial is reported insecure, not bogus, as RFC 9276 §3.2 says.
inline constexpr std::uint16_t kMaxNsec3Iterations = 50;
// NSEC or NSEC3 records considered for one proof, and distinct names hashed for one closest-encloser walk
// (one per ancestor of the query name: at most 127, bounded here more tightly).
inline constexpr std::size_t kMaxDenialRecords = 32;
inline constexpr std::size_t kMaxNsec3Hashes = 64;

// RSA keys (RFC 3110, RFC 5702 §2): modulus 512..4096 bits. The exponent is capped at 8 octets so a key
// cannot make verification arbitrarily slow (real keys use 3 = 65537).
inline constexpr std::size_t kMinRsaModulusBits = 512;
inline constexpr std::size_t kMaxRsaModulusBits = 4096;
inline constexpr std::size_t kMaxRsaExponentOctets = 8;

}  // namespace dkimdoctor::dnssec
