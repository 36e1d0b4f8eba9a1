// DKIM public keys: base64 (with whitespace, RFC 6376 §3.6.1 p=) and PEM decoding, RSA size, comparison.
// Decoding goes through OpenSSL 3 (d2i_PUBKEY for SubjectPublicKeyInfo, d2i_PublicKey for the PKCS#1
// RSAPublicKey that some people publish); everything the caller keeps is plain data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wire/result.hpp"

namespace dkimdoctor::diagnose {

// SES accepts RSA keys of 1024 to 2048 bits for BYODKIM.
inline constexpr int kSesMinKeyBits = 1024;
inline constexpr int kSesMaxKeyBits = 2048;

enum class KeyErrc {
  empty,         // p= empty: the key is revoked (RFC 6376 §3.6.1)
  bad_base64,    // a character outside the base64 alphabet, bad padding or length
  not_a_key,     // decodes, but is neither SubjectPublicKeyInfo nor PKCS#1 RSAPublicKey DER
  bad_pem,       // no BEGIN/END armour around a PUBLIC KEY
};

struct KeyError {
  KeyErrc code{};
  std::size_t offset = 0;  // into the text, for bad_base64
  std::string detail;
};
std::string to_string(const KeyError& error);

struct PublicKey {
  std::string algorithm;            // "RSA", "ED25519", ...
  int bits = 0;
  bool pkcs1 = false;               // published as a bare PKCS#1 RSAPublicKey rather than SPKI
  std::vector<std::uint8_t> spki;   // normalised SubjectPublicKeyInfo DER, for comparing keys
};

// Strict base64 (RFC 4648 §4) ignoring DKIM whitespace: returns the octets or the offset of the problem.
[[nodiscard]] Result<std::vector<std::uint8_t>, KeyError> decode_base64(std::string_view text);

// A p= value: base64 of SubjectPublicKeyInfo DER (or PKCS#1 RSAPublicKey DER).
[[nodiscard]] Result<PublicKey, KeyError> decode_public_key(std::string_view base64_text);

// The RSA modulus size of a SubjectPublicKeyInfo (rsaEncryption) or PKCS#1 RSAPublicKey, read with a small
// bounds-checked DER walk instead of OpenSSL: 0 when the bytes are not such a key. For the Easy DKIM
// targets, where only "is there an RSA key, how big" matters; OpenSSL's decoder costs ~0.2 ms per key.
int rsa_modulus_bits(const std::vector<std::uint8_t>& der) noexcept;

// Decoded keys are remembered per thread (the last kKeyMemoEntries distinct DER encodings of at most
// kMaxMemoKeyDer octets): a check decodes its BYODKIM key in every judgement round, and OpenSSL 3's
// decoder costs ~2 million instructions a key. The memo holds at most 16 x 2 x 4 KB per thread.
inline constexpr std::size_t kKeyMemoEntries = 16;
inline constexpr std::size_t kMaxMemoKeyDer = 4096;  // an RSA-16384 SPKI is ~2.1 KB
struct KeyDecodeCounts {
  std::uint64_t openssl = 0;    // decodes that went to OpenSSL
  std::uint64_t memo_hits = 0;  // decodes answered from the memo
};
// This thread's counts (for tests and benchmarks).
KeyDecodeCounts& key_decode_counts() noexcept;

// "-----BEGIN PUBLIC KEY-----" (SPKI) or "-----BEGIN RSA PUBLIC KEY-----" (PKCS#1) text.
[[nodiscard]] Result<PublicKey, KeyError> decode_public_key_pem(std::string_view pem);

// The p= value SES expects for a key: base64 of its SPKI DER, no whitespace.
std::string encode_base64(const std::vector<std::uint8_t>& bytes);

}  // namespace dkimdoctor::diagnose
