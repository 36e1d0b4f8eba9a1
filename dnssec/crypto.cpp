#include "dnssec/crypto.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <vector>

#include "dnssec/limits.hpp"

namespace dkimdoctor::dnssec {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
  void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

Ptr<EVP_PKEY> key_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld));
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return nullptr;
  return Ptr<EVP_PKEY>(key);
}

// RFC 3110 §2: exponent length (1 octet, or 0 then 2 octets), exponent, modulus.
Ptr<EVP_PKEY> rsa_key(std::span<const std::uint8_t> k) {
  if (k.empty()) return nullptr;
  std::size_t elen = k[0], pos = 1;
  if (elen == 0) {
    if (k.size() < 3) return nullptr;
    elen = (std::size_t{k[1]} << 8) | k[2];
    pos = 3;
  }
  if (elen == 0 || elen > kMaxRsaExponentOctets || k.size() - pos <= elen) return nullptr;
  const auto exponent = k.subspan(pos, elen);
  const auto modulus = k.subspan(pos + elen);
  Ptr<BIGNUM> e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
  Ptr<BIGNUM> n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  if (!e || !n) return nullptr;
  const auto bits = static_cast<std::size_t>(BN_num_bits(n.get()));
  if (bits < kMinRsaModulusBits || bits > kMaxRsaModulusBits) return nullptr;
  Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    return nullptr;
  return key_from_params("RSA", bld.get());
}

// RFC 6605 §4: the key is x||y (64 or 96 octets); OpenSSL wants the uncompressed point 0x04||x||y.
Ptr<EVP_PKEY> ec_key(std::span<const std::uint8_t> k, const char* group, std::size_t size) {
  if (k.size() != 2 * size) return nullptr;
  std::vector<std::uint8_t> point{0x04};
  point.insert(point.end(), k.begin(), k.end());
  Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    return nullptr;
  return key_from_params("EC", bld.get());
}

// RFC 6605 §4: the signature is r||s, each `size` octets; EVP wants the DER ECDSA-Sig-Value.
std::vector<std::uint8_t> ecdsa_der(std::span<const std::uint8_t> sig, std::size_t size) {
  if (sig.size() != 2 * size) return {};
  Ptr<ECDSA_SIG> s(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(sig.data(), static_cast<int>(size), nullptr);
  BIGNUM* ss = BN_bin2bn(sig.data() + size, static_cast<int>(size), nullptr);
  if (!s || !r || !ss || ECDSA_SIG_set0(s.get(), r, ss) != 1) {
    BN_free(r);
    BN_free(ss);
    return {};
  }
  const int len = i2d_ECDSA_SIG(s.get(), nullptr);
  if (len <= 0) return {};
  std::vector<std::uint8_t> der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  if (i2d_ECDSA_SIG(s.get(), &p) != len) return {};
  return der;
}

Verify digest_verify(EVP_PKEY* key, const EVP_MD* md, std::span<const std::uint8_t> data,
                     std::span<const std::uint8_t> sig) {
  if (sig.empty()) return Verify::invalid;
  Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) return Verify::bad_key;
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(), data.size()) == 1 ? Verify::valid
                                                                                             : Verify::invalid;
}

bool ed448_available() noexcept {
  static const bool available = [] {
    Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "ED448", nullptr));
    return ctx != nullptr;
  }();
  return available;
}

}  // namespace

bool algorithm_supported(std::uint8_t a) noexcept {
  switch (static_cast<Algorithm>(a)) {
    case Algorithm::rsasha1: case Algorithm::rsasha1_nsec3_sha1: case Algorithm::rsasha256:
    case Algorithm::rsasha512: case Algorithm::ecdsap256sha256: case Algorithm::ecdsap384sha384:
    case Algorithm::ed25519:
      return true;
    case Algorithm::ed448: return ed448_available();
    default: return false;
  }
}

Verify verify_signature(std::uint8_t algorithm, std::span<const std::uint8_t> public_key,
                        std::span<const std::uint8_t> data, std::span<const std::uint8_t> signature) {
  if (!algorithm_supported(algorithm)) return Verify::unsupported;
  switch (static_cast<Algorithm>(algorithm)) {
    case Algorithm::rsasha1: case Algorithm::rsasha1_nsec3_sha1: case Algorithm::rsasha256:
    case Algorithm::rsasha512: {
      auto key = rsa_key(public_key);
      if (!key) return Verify::bad_key;
      const EVP_MD* md = algorithm == 8 ? EVP_sha256() : algorithm == 10 ? EVP_sha512() : EVP_sha1();
      return digest_verify(key.get(), md, data, signature);
    }
    case Algorithm::ecdsap256sha256: case Algorithm::ecdsap384sha384: {
      const bool p256 = algorithm == 13;
      const std::size_t size = p256 ? 32 : 48;
      auto key = ec_key(public_key, p256 ? "prime256v1" : "secp384r1", size);
      if (!key) return Verify::bad_key;
      const auto der = ecdsa_der(signature, size);
      if (der.empty()) return Verify::invalid;
      return digest_verify(key.get(), p256 ? EVP_sha256() : EVP_sha384(), data, der);
    }
    case Algorithm::ed25519: case Algorithm::ed448: {
      const bool ed25519 = algorithm == 15;
      const std::size_t key_size = ed25519 ? 32 : 57, sig_size = ed25519 ? 64 : 114;
      if (public_key.size() != key_size) return Verify::bad_key;
      if (signature.size() != sig_size) return Verify::invalid;
      Ptr<EVP_PKEY> key(EVP_PKEY_new_raw_public_key(ed25519 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448, nullptr,
                                                    public_key.data(), public_key.size()));
      if (!key) return Verify::bad_key;
      return digest_verify(key.get(), nullptr, data, signature);
    }
    default: return Verify::unsupported;
  }
}

int serial_compare(std::uint32_t a, std::uint32_t b) noexcept {
  if (a == b) return 0;
  const std::uint32_t d = a - b;  // modulo 2^32
  if (d == 0x80000000u) return a > b ? 1 : -1;
  return d < 0x80000000u ? 1 : -1;
}

Window check_window(std::uint32_t inception, std::uint32_t expiration, std::uint32_t now) noexcept {
  if (serial_compare(now, inception) < 0) return Window::not_yet_valid;
  if (serial_compare(now, expiration) > 0) return Window::expired;
  return Window::valid;
}

}  // namespace dkimdoctor::dnssec
