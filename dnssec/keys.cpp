#include "dnssec/keys.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace dkimdoctor::dnssec {

std::uint16_t key_tag(std::span<const std::uint8_t> k) noexcept {
  // RFC 4034 B.1: for RSA/MD5 the tag is the second-to-last and third-to-last octets of the modulus,
  // i.e. of the RDATA's end.
  if (k.size() >= 4 && k[3] == 1) return static_cast<std::uint16_t>((k[k.size() - 3] << 8) | k[k.size() - 2]);
  std::uint32_t ac = 0;
  for (std::size_t i = 0; i < k.size(); ++i) ac += (i & 1) ? k[i] : std::uint32_t{k[i]} << 8;
  ac += (ac >> 16) & 0xFFFF;
  return static_cast<std::uint16_t>(ac & 0xFFFF);
}

bool digest_supported(std::uint8_t t) noexcept {
  return t == static_cast<std::uint8_t>(DigestType::sha1) || t == static_cast<std::uint8_t>(DigestType::sha256) ||
         t == static_cast<std::uint8_t>(DigestType::sha384);
}

std::optional<std::vector<std::uint8_t>> ds_digest(const wire::Name& owner, std::span<const std::uint8_t> dnskey_rdata,
                                                   std::uint8_t digest_type) {
  const EVP_MD* md = nullptr;
  switch (static_cast<DigestType>(digest_type)) {
    case DigestType::sha1: md = EVP_sha1(); break;
    case DigestType::sha256: md = EVP_sha256(); break;
    case DigestType::sha384: md = EVP_sha384(); break;
    default: return std::nullopt;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return std::nullopt;
  const auto name = owner.lowercased();
  std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  const bool ok = EVP_DigestInit_ex(ctx, md, nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, name.wire().data(), name.wire().size()) == 1 &&
                  EVP_DigestUpdate(ctx, dnskey_rdata.data(), dnskey_rdata.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return std::nullopt;
  out.resize(len);
  return out;
}

bool ds_matches(const wire::rdata::Ds& ds, const wire::Name& owner, const wire::Rdata& dnskey) {
  const auto key = dnskey.as_dnskey();
  if (!key || key->algorithm != ds.algorithm || key->protocol != kDnskeyProtocol || !(key->flags & kFlagZoneKey))
    return false;
  if (key_tag(dnskey.bytes()) != ds.key_tag) return false;
  const auto digest = ds_digest(owner, dnskey.bytes(), ds.digest_type);
  return digest && std::equal(digest->begin(), digest->end(), ds.digest.begin(), ds.digest.end());
}

}  // namespace dkimdoctor::dnssec
