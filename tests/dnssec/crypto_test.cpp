// Algorithms we validate (RFC 8624), key decoding limits, serial arithmetic and the validity window.
#include <gtest/gtest.h>

#include "dnssec/crypto.hpp"
#include "dnssec/limits.hpp"

namespace dkimdoctor::dnssec {
namespace {

TEST(Algorithms, Rfc8624MustValidateListIsSupportedTheRestIsNot) {
  for (std::uint8_t a : {5, 7, 8, 10, 13, 14, 15}) EXPECT_TRUE(algorithm_supported(a)) << int(a);
  for (std::uint8_t a : {0, 1, 2, 3, 4, 6, 9, 11, 12, 17, 252, 253, 254, 255}) EXPECT_FALSE(algorithm_supported(a)) << int(a);
  const std::vector<std::uint8_t> any = {1, 2, 3};
  EXPECT_EQ(verify_signature(1, any, any, any), Verify::unsupported);
  EXPECT_EQ(verify_signature(3, any, any, any), Verify::unsupported);
  EXPECT_EQ(verify_signature(12, any, any, any), Verify::unsupported);
}

TEST(Keys, MalformedPublicKeysAreBadKeys) {
  const std::vector<std::uint8_t> data = {1, 2, 3}, sig(64, 1);
  EXPECT_EQ(verify_signature(8, {}, data, sig), Verify::bad_key);
  // RFC 3110: exponent length 0 -> two length octets; here it runs past the end.
  EXPECT_EQ(verify_signature(8, std::vector<std::uint8_t>{0, 0xFF, 0xFF, 1}, data, sig), Verify::bad_key);
  // An exponent longer than kMaxRsaExponentOctets.
  std::vector<std::uint8_t> long_exp = {static_cast<std::uint8_t>(kMaxRsaExponentOctets + 1)};
  long_exp.resize(1 + kMaxRsaExponentOctets + 1 + 128, 0x55);
  EXPECT_EQ(verify_signature(8, long_exp, data, sig), Verify::bad_key);
  // A modulus below kMinRsaModulusBits.
  std::vector<std::uint8_t> small = {3, 1, 0, 1};
  small.resize(4 + 32, 0xFF);
  EXPECT_EQ(verify_signature(8, small, data, sig), Verify::bad_key);
  // A modulus above kMaxRsaModulusBits.
  std::vector<std::uint8_t> big = {3, 1, 0, 1};
  big.resize(4 + kMaxRsaModulusBits / 8 + 1, 0xFF);
  EXPECT_EQ(verify_signature(8, big, data, sig), Verify::bad_key);
  // ECDSA: wrong length, and a point not on the curve.
  EXPECT_EQ(verify_signature(13, std::vector<std::uint8_t>(63, 1), data, sig), Verify::bad_key);
  EXPECT_EQ(verify_signature(13, std::vector<std::uint8_t>(64, 1), data, sig), Verify::bad_key);
  EXPECT_EQ(verify_signature(14, std::vector<std::uint8_t>(64, 1), data, sig), Verify::bad_key);
  // Ed25519: wrong length.
  EXPECT_EQ(verify_signature(15, std::vector<std::uint8_t>(31, 1), data, sig), Verify::bad_key);
}

TEST(SerialArithmetic, Rfc1982) {
  EXPECT_EQ(serial_compare(5, 5), 0);
  EXPECT_LT(serial_compare(1, 2), 0);
  EXPECT_GT(serial_compare(2, 1), 0);
  // Across the wrap: 0xFFFFFFFF precedes 1.
  EXPECT_LT(serial_compare(0xFFFFFFFFu, 1), 0);
  EXPECT_GT(serial_compare(1, 0xFFFFFFFFu), 0);
  // More than 2^31 apart: the numerically larger is earlier.
  EXPECT_LT(serial_compare(0x90000000u, 0x00000001u), 0);
}

TEST(Window, InceptionAndExpirationInclusiveAndAcrossTheWrap) {
  EXPECT_EQ(check_window(100, 200, 100), Window::valid);
  EXPECT_EQ(check_window(100, 200, 200), Window::valid);
  EXPECT_EQ(check_window(100, 200, 99), Window::not_yet_valid);
  EXPECT_EQ(check_window(100, 200, 201), Window::expired);
  // A signature valid from before 2106's wrap to after it (RFC 4034 §3.1.5).
  EXPECT_EQ(check_window(0xFFFFFF00u, 0x00000100u, 0x00000010u), Window::valid);
  EXPECT_EQ(check_window(0xFFFFFF00u, 0x00000100u, 0xFFFFFF10u), Window::valid);
  EXPECT_EQ(check_window(0xFFFFFF00u, 0x00000100u, 0x00000200u), Window::expired);
}

}  // namespace
}  // namespace dkimdoctor::dnssec
