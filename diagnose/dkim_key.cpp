#include "diagnose/dkim_key.hpp"
#include "diagnose/fail.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <memory>

#include "diagnose/dkim_tags.hpp"

namespace dkimdoctor::diagnose {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr int sextet(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// What each octet is in DKIM base64 text: its sextet (0..63), or one of these. One table look-up per
// character instead of a chain of range tests.
constexpr std::uint8_t kBase64Space = 64, kBase64Pad = 65, kBase64Bad = 66;
constexpr std::array<std::uint8_t, 256> kBase64Class = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    const int v = sextet(ch);
    t[static_cast<std::size_t>(c)] = v >= 0 ? static_cast<std::uint8_t>(v)
                                     : is_dkim_space(ch) ? kBase64Space
                                     : ch == '=' ? kBase64Pad
                                                 : kBase64Bad;
  }
  return t;
}();

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// OpenSSL's decoding of one key, uncached (see from_der).
Result<PublicKey, KeyError> from_der_uncached(const std::vector<std::uint8_t>& der) {
  ++key_decode_counts().openssl;
  // DER lengths are bounded by `der.size()`; OpenSSL never reads past the length it is given.
  const long len = static_cast<long>(der.size());
  bool pkcs1 = false;
  const unsigned char* p = der.data();
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, len));
  if (!key || p != der.data() + der.size()) {
    key.reset();
    p = der.data();
    key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, len));
    if (!key || p != der.data() + der.size())
      return fail(KeyError{KeyErrc::not_a_key, 0, "not a SubjectPublicKeyInfo or RSAPublicKey"});
    pkcs1 = true;
  }
  PublicKey out;
  out.pkcs1 = pkcs1;
  out.bits = EVP_PKEY_get_bits(key.get());
  const char* name = EVP_PKEY_get0_type_name(key.get());
  out.algorithm = name ? name : "unknown";
  unsigned char* spki = nullptr;
  const int n = i2d_PUBKEY(key.get(), &spki);
  if (n > 0 && spki) out.spki.assign(spki, spki + n);
  OPENSSL_free(spki);
  return out;
}

// The keys decoded last on this thread, most recent first: a pure function of the DER, so a hit is the
// same result OpenSSL would give. One check decodes its BYODKIM key file several times (judged, then
// rendered as the record to publish, in every judgement round) and each decode through OpenSSL 3's
// decoder and encoder costs ~2 million instructions (callgrind), a fifth of a lab bulk run.
struct KeyMemo {
  std::vector<std::uint8_t> der;
  Result<PublicKey, KeyError> key;
};
thread_local std::vector<KeyMemo> t_key_memo;

Result<PublicKey, KeyError> from_der(const std::vector<std::uint8_t>& der) {
  if (der.empty()) return fail(KeyError{KeyErrc::empty, 0, {}});
  auto& memo = t_key_memo;
  for (auto it = memo.begin(); it != memo.end(); ++it) {
    if (it->der != der) continue;
    ++key_decode_counts().memo_hits;
    std::rotate(memo.begin(), it, it + 1);
    return memo.front().key;
  }
  auto key = from_der_uncached(der);
  if (der.size() > kMaxMemoKeyDer) return key;
  if (memo.size() >= kKeyMemoEntries) memo.pop_back();
  memo.insert(memo.begin(), KeyMemo{der, key});
  return key;
}

// One DER TLV at `pos` (X.690 §8.1): tag, definite length (short or long form, at most 4 length octets).
struct Tlv {
  std::uint8_t tag = 0;
  std::size_t body = 0, length = 0;
};
bool read_tlv(const std::vector<std::uint8_t>& d, std::size_t pos, std::size_t end, Tlv& out) noexcept {
  if (pos + 2 > end) return false;
  out.tag = d[pos];
  std::size_t len = d[pos + 1];
  std::size_t at = pos + 2;
  if (len & 0x80) {
    const std::size_t n = len & 0x7F;
    if (n == 0 || n > 4 || at + n > end) return false;
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | d[at + i];
    at += n;
  }
  if (len > end - at) return false;
  out.body = at;
  out.length = len;
  return true;
}

// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 §A.1.1).
int pkcs1_bits(const std::vector<std::uint8_t>& d, std::size_t pos, std::size_t end) noexcept {
  Tlv seq, n, e;
  if (!read_tlv(d, pos, end, seq) || seq.tag != 0x30 || seq.body + seq.length != end) return 0;
  if (!read_tlv(d, seq.body, end, n) || n.tag != 0x02 || n.length == 0) return 0;
  if (!read_tlv(d, n.body + n.length, end, e) || e.tag != 0x02 || e.body + e.length != end) return 0;
  std::size_t i = n.body, last = n.body + n.length;
  while (i < last && d[i] == 0) ++i;  // the sign octet of a positive INTEGER
  if (i == last) return 0;
  int bits = static_cast<int>((last - i - 1) * 8);
  for (std::uint8_t top = d[i]; top; top >>= 1) ++bits;
  return bits;
}

}  // namespace

KeyDecodeCounts& key_decode_counts() noexcept {
  thread_local KeyDecodeCounts counts;
  return counts;
}

int rsa_modulus_bits(const std::vector<std::uint8_t>& d) noexcept {
  // rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 §A.1).
  static constexpr std::uint8_t kRsaOid[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};
  Tlv spki, alg, oid, bits;
  if (!read_tlv(d, 0, d.size(), spki) || spki.tag != 0x30 || spki.body + spki.length != d.size()) return 0;
  const std::size_t end = d.size();
  if (!read_tlv(d, spki.body, end, alg)) return 0;
  if (alg.tag == 0x02) return pkcs1_bits(d, 0, end);  // a bare RSAPublicKey starts with the modulus
  if (alg.tag != 0x30) return 0;
  if (!read_tlv(d, alg.body, alg.body + alg.length, oid) || oid.tag != 0x06 || oid.length != sizeof kRsaOid) return 0;
  if (!std::equal(kRsaOid, kRsaOid + sizeof kRsaOid, d.begin() + static_cast<std::ptrdiff_t>(oid.body))) return 0;
  if (!read_tlv(d, alg.body + alg.length, end, bits) || bits.tag != 0x03 || bits.length < 2) return 0;
  // The unused-bits octet should be 0, but OpenSSL accepts 1..7 too and so must we (fuzz find): a key
  // OpenSSL takes is a key.
  if (d[bits.body] > 7 || bits.body + bits.length != end) return 0;
  return pkcs1_bits(d, bits.body + 1, end);
}

std::string to_string(const KeyError& error) {
  switch (error.code) {
    case KeyErrc::empty: return "the key is empty (p= with no value: the key is revoked)";
    case KeyErrc::bad_base64: return "not valid base64 (" + error.detail + " at offset " + std::to_string(error.offset) + ")";
    case KeyErrc::not_a_key: return "the base64 does not decode to a public key (" + error.detail + ")";
    case KeyErrc::bad_pem: return "not a PEM public key (" + error.detail + ")";
  }
  return "invalid key";
}

Result<std::vector<std::uint8_t>, KeyError> decode_base64(std::string_view text) {
  // Every four sextets make three octets, written by index (no capacity test per octet), trimmed at the end.
  std::vector<std::uint8_t> out(text.size() / 4 * 3 + 3);
  std::size_t n = 0;  // octets written
  std::uint32_t acc = 0;
  int have = 0;       // sextets in acc
  int padding = 0;
  std::size_t count = 0;  // significant characters including '='
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (have == 0 && padding == 0 && i + 4 <= text.size()) {
      // Four sextets in a row, as nearly all of a key is, make three octets at once (a class of 64 or
      // more has bit 6 set, so the OR is below 64 only when all four are sextets).
      const auto* q = reinterpret_cast<const unsigned char*>(text.data()) + i;
      const std::uint32_t a = kBase64Class[q[0]], b = kBase64Class[q[1]], c = kBase64Class[q[2]], d = kBase64Class[q[3]];
      if ((a | b | c | d) < 64) {
        const std::uint32_t v = a << 18 | b << 12 | c << 6 | d;
        out[n] = static_cast<std::uint8_t>(v >> 16);
        out[n + 1] = static_cast<std::uint8_t>(v >> 8);
        out[n + 2] = static_cast<std::uint8_t>(v);
        n += 3;
        count += 4;
        i += 3;
        continue;
      }
    }
    const char c = text[i];
    const std::uint8_t v = kBase64Class[static_cast<unsigned char>(c)];
    if (v == kBase64Space) continue;
    if (v == kBase64Pad) {
      ++padding;
      ++count;
      if (padding > 2) return fail(KeyError{KeyErrc::bad_base64, i, "too much '=' padding"});
      continue;
    }
    if (v == kBase64Bad) {
      std::string what = "character '";
      what += (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F) ? std::string(1, c) : "?";
      return fail(KeyError{KeyErrc::bad_base64, i, what + "' is not base64"});
    }
    if (padding) return fail(KeyError{KeyErrc::bad_base64, i, "data after '=' padding"});
    ++count;
    acc = (acc << 6) | v;
    if (++have == 4) {
      out[n] = static_cast<std::uint8_t>(acc >> 16);
      out[n + 1] = static_cast<std::uint8_t>(acc >> 8);
      out[n + 2] = static_cast<std::uint8_t>(acc);
      n += 3;
      acc = 0;
      have = 0;
    }
  }
  if (count % 4 != 0) return fail(KeyError{KeyErrc::bad_base64, text.size(), "length is not a multiple of 4"});
  if (have == 2 && padding == 2) {
    out[n++] = static_cast<std::uint8_t>(acc >> 4);
  } else if (have == 3 && padding == 1) {
    out[n] = static_cast<std::uint8_t>(acc >> 10);
    out[n + 1] = static_cast<std::uint8_t>(acc >> 2);
    n += 2;
  } else if (have != 0 || padding != 0) {
    return fail(KeyError{KeyErrc::bad_base64, text.size(), "bad '=' padding"});
  }
  out.resize(n);
  return out;
}

std::string encode_base64(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    const std::uint32_t v = std::uint32_t{bytes[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (bytes.size() - i == 2) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<PublicKey, KeyError> decode_public_key(std::string_view base64_text) {
  bool blank = true;
  for (char c : base64_text)
    if (!is_dkim_space(c)) blank = false;
  if (blank) return fail(KeyError{KeyErrc::empty, 0, {}});
  auto der = decode_base64(base64_text);
  if (!der) return fail(der.error());
  return from_der(*der);
}

Result<PublicKey, KeyError> decode_public_key_pem(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  const auto begin = pem.find(kBegin);
  if (begin == std::string_view::npos) return fail(KeyError{KeyErrc::bad_pem, 0, "no -----BEGIN line"});
  const auto label_end = pem.find("-----", begin + kBegin.size());
  if (label_end == std::string_view::npos) return fail(KeyError{KeyErrc::bad_pem, begin, "unterminated BEGIN line"});
  const std::string_view label = pem.substr(begin + kBegin.size(), label_end - begin - kBegin.size());
  if (label != "PUBLIC KEY" && label != "RSA PUBLIC KEY")
    return fail(KeyError{KeyErrc::bad_pem, begin, "-----BEGIN " + std::string(label) + "----- is not a public key"});
  const std::size_t body = label_end + 5;
  const std::string end_line = "-----END " + std::string(label) + "-----";
  const auto end = pem.find(end_line, body);
  if (end == std::string_view::npos) return fail(KeyError{KeyErrc::bad_pem, body, "no " + end_line + " line"});
  auto der = decode_base64(pem.substr(body, end - body));
  if (!der) {
    auto e = der.error();
    e.offset += body;
    return fail(e);
  }
  return from_der(*der);
}

}  // namespace dkimdoctor::diagnose
