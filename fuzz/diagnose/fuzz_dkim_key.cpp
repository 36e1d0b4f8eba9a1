// Fuzz base64 and public-key decoding (OpenSSL DER parsing behind it), as p= text and as PEM text.
// Checks: a decoded key re-encodes to base64 that decodes to the same key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "diagnose/dkim_key.hpp"

using namespace dkimdoctor::diagnose;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto bytes = decode_base64(text);
  if (bytes) {
    auto again = decode_base64(encode_base64(*bytes));
    if (!again || *again != *bytes) std::abort();
  }
  auto key = decode_public_key(text);
  // The DER walk must agree with OpenSSL on every RSA key OpenSSL accepts, and never read out of bounds.
  if (bytes) {
    const int fast = rsa_modulus_bits(*bytes);
    if (key && key->algorithm == "RSA" && fast != key->bits) std::abort();
  }
  if (key) {
    if (key->spki.empty()) std::abort();
    auto again = decode_public_key(encode_base64(key->spki));
    if (!again || again->spki != key->spki || again->bits != key->bits) std::abort();
  } else {
    (void)to_string(key.error());
  }
  auto pem = decode_public_key_pem(text);
  if (!pem) (void)to_string(pem.error());
  return 0;
}
