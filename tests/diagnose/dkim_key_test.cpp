// Base64 and public-key decoding: spec table plus the fixed test keys.
#include <gtest/gtest.h>

#include "diagnose/dkim_key.hpp"
#include "test_keys.hpp"

namespace dkimdoctor::diagnose {
namespace {

struct B64Case {
  const char* name;
  std::string input;
  bool ok;
  std::string bytes;  // when ok
  std::size_t offset = 0;
};

// RFC 4648 §10 test vectors, plus DKIM whitespace and malformed input.
const B64Case kB64[] = {
    {"rfc4648_empty", "", true, ""},
    {"rfc4648_f", "Zg==", true, "f"},
    {"rfc4648_fo", "Zm8=", true, "fo"},
    {"rfc4648_foo", "Zm9v", true, "foo"},
    {"rfc4648_foob", "Zm9vYg==", true, "foob"},
    {"rfc4648_fooba", "Zm9vYmE=", true, "fooba"},
    {"rfc4648_foobar", "Zm9vYmFy", true, "foobar"},
    {"whitespace_anywhere", " Zm9v\r\n Ym\tFy ", true, "foobar"},
    {"bad_character", "Zm9v!mFy", false, "", 4},
    {"url_safe_alphabet_rejected", "Zm-_", false, "", 2},
    {"missing_padding", "Zm9vYg", false, "", 6},
    {"three_pads", "Zg===", false, "", 4},
    {"data_after_padding", "Zg==Zm9v", false, "", 4},
    {"lone_char", "Z", false, "", 1},
    // Past whole groups of four, read at once, and inside them.
    {"long_run", "Zm9vYmFyZm9vYmFyZm9vYmFy", true, "foobarfoobarfoobar"},
    {"bad_character_after_groups", "Zm9vYmFy!m9v", false, "", 8},
    {"bad_character_in_a_spaced_group", "Zm9v Ym!y", false, "", 7},
    {"pad_inside_a_group", "Zm9=vYmF", false, "", 4},
    {"high_octet", "Zm9v\xc3\xa9mFy", false, "", 4},
};

class Base64 : public ::testing::TestWithParam<B64Case> {};

TEST_P(Base64, Decodes) {
  const auto& c = GetParam();
  auto r = decode_base64(c.input);
  ASSERT_EQ(r.ok(), c.ok) << (r.ok() ? std::string("ok") : to_string(r.error()));
  if (c.ok) {
    EXPECT_EQ(std::string(r->begin(), r->end()), c.bytes);
    std::vector<std::uint8_t> raw(c.bytes.begin(), c.bytes.end());
    if (c.input.find(' ') == std::string::npos) {
      EXPECT_EQ(encode_base64(raw), c.input);
    }
  } else {
    EXPECT_EQ(r.error().code, KeyErrc::bad_base64);
    EXPECT_EQ(r.error().offset, c.offset) << to_string(r.error());
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc4648, Base64, ::testing::ValuesIn(kB64),
                         [](const auto& info) { return std::string(info.param.name); });

struct KeyCase {
  const char* name;
  const char* base64;
  bool ok;
  int bits = 0;
  const char* algorithm = "RSA";
  bool pkcs1 = false;
  KeyErrc error = KeyErrc::empty;
};

const KeyCase kKeys[] = {
    {"rsa512", testkeys::k512_spki, true, 512},
    {"rsa1024", testkeys::k1024_spki, true, 1024},
    {"rsa2048", testkeys::k2048_spki, true, 2048},
    {"rsa4096", testkeys::k4096_spki, true, 4096},
    {"rsa1024_pkcs1", testkeys::k1024_pkcs1, true, 1024, "RSA", true},
    {"ed25519", testkeys::ed25519_spki, true, 256, "ED25519"},
    {"empty_is_revoked", "  ", false, 0, "", false, KeyErrc::empty},
    {"garbage_der", "AAAABBBBCCCC", false, 0, "", false, KeyErrc::not_a_key},
    {"not_base64", "MIIB*", false, 0, "", false, KeyErrc::bad_base64},
};

class PublicKeys : public ::testing::TestWithParam<KeyCase> {};

TEST_P(PublicKeys, Decode) {
  const auto& c = GetParam();
  auto r = decode_public_key(c.base64);
  ASSERT_EQ(r.ok(), c.ok) << (r.ok() ? std::string("ok") : to_string(r.error()));
  if (c.ok) {
    EXPECT_EQ(r->bits, c.bits);
    EXPECT_EQ(r->algorithm, c.algorithm);
    EXPECT_EQ(r->pkcs1, c.pkcs1);
    EXPECT_FALSE(r->spki.empty());
  } else {
    EXPECT_EQ(r.error().code, c.error) << to_string(r.error());
  }
}

INSTANTIATE_TEST_SUITE_P(Keys, PublicKeys, ::testing::ValuesIn(kKeys),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(RsaModulusBits, AgreesWithOpenSsl) {
  for (const char* k : {testkeys::k512_spki, testkeys::k1024_spki, testkeys::k2048_spki, testkeys::k2048b_spki,
                        testkeys::k4096_spki, testkeys::k1024_pkcs1}) {
    auto der = decode_base64(k);
    auto key = decode_public_key(k);
    ASSERT_TRUE(der.ok() && key.ok());
    EXPECT_EQ(rsa_modulus_bits(*der), key->bits) << k;
  }
  auto ed = decode_base64(testkeys::ed25519_spki);
  ASSERT_TRUE(ed.ok());
  EXPECT_EQ(rsa_modulus_bits(*ed), 0);
  auto der = *decode_base64(testkeys::k2048_spki);
  for (std::size_t cut = 0; cut < der.size(); ++cut) {
    std::vector<std::uint8_t> truncated(der.begin(), der.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_EQ(rsa_modulus_bits(truncated), 0) << cut;
  }
  der.push_back(0);
  EXPECT_EQ(rsa_modulus_bits(der), 0) << "trailing garbage";
}

// Fuzz find (fuzz_dkim_key, crash-6e1786006fbc): an SPKI whose BIT STRING says 4 unused bits. OpenSSL takes
// it as a 2048-bit key; the DER walk once said "not an RSA key".
TEST(RsaModulusBits, FuzzBitStringWithUnusedBits) {
  auto der = *decode_base64(testkeys::k2048_spki);
  ASSERT_EQ(der[0x17], 0x00);
  der[0x17] = 0x04;
  const std::string text = encode_base64(der);
  auto key = decode_public_key(text);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->bits, 2048);
  EXPECT_EQ(rsa_modulus_bits(der), 2048);
  der[0x17] = 0x08;
  EXPECT_EQ(rsa_modulus_bits(der), 0);
}

TEST(PublicKeyCompare, Pkcs1AndSpkiOfTheSameKeyAreEqual) {
  auto spki = decode_public_key(testkeys::k1024_spki);
  auto pkcs1 = decode_public_key(testkeys::k1024_pkcs1);
  ASSERT_TRUE(spki.ok() && pkcs1.ok());
  EXPECT_EQ(spki->spki, pkcs1->spki);
  EXPECT_EQ(encode_base64(spki->spki), testkeys::k1024_spki);
}

TEST(PublicKeyCompare, DifferentKeysDiffer) {
  auto a = decode_public_key(testkeys::k2048_spki);
  auto b = decode_public_key(testkeys::k2048b_spki);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->spki, b->spki);
}

TEST(Pem, SpkiAndPkcs1) {
  auto a = decode_public_key_pem(testkeys::k2048_pem);
  ASSERT_TRUE(a.ok()) << to_string(a.error());
  EXPECT_EQ(a->bits, 2048);
  EXPECT_EQ(encode_base64(a->spki), testkeys::k2048_spki);
  auto b = decode_public_key_pem(testkeys::k1024_rsa_pem);
  ASSERT_TRUE(b.ok()) << to_string(b.error());
  EXPECT_EQ(encode_base64(b->spki), testkeys::k1024_spki);
}

TEST(Pem, Malformed) {
  EXPECT_EQ(decode_public_key_pem("MIIB").error().code, KeyErrc::bad_pem);
  EXPECT_EQ(decode_public_key_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").error().code,
            KeyErrc::bad_pem);
  EXPECT_EQ(decode_public_key_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n").error().code, KeyErrc::bad_pem);
  EXPECT_EQ(decode_public_key_pem("-----BEGIN PUBLIC KEY-----\nAA!A\n-----END PUBLIC KEY-----").error().code,
            KeyErrc::bad_base64);
  EXPECT_EQ(decode_public_key_pem("-----BEGIN PUBLIC KEY").error().code, KeyErrc::bad_pem);
}

// The per-thread memo (kKeyMemoEntries): a repeated key is OpenSSL's result without OpenSSL, errors
// included, and the memo forgets the least recently used key.
TEST(KeyMemo, RepeatedKeyIsTheSameResultWithoutOpenSsl) {
  const auto before = key_decode_counts();
  auto first = decode_public_key_pem(testkeys::k2048_pem);
  auto second = decode_public_key_pem(testkeys::k2048_pem);
  auto as_spki = decode_public_key(testkeys::k2048_spki);  // the same DER, from a p= value
  ASSERT_TRUE(first.ok() && second.ok() && as_spki.ok());
  EXPECT_EQ(second->bits, 2048);
  EXPECT_EQ(second->algorithm, first->algorithm);
  EXPECT_EQ(second->pkcs1, first->pkcs1);
  EXPECT_EQ(second->spki, first->spki);
  EXPECT_EQ(as_spki->spki, first->spki);
  const auto after = key_decode_counts();
  EXPECT_LE(after.openssl - before.openssl, 1u);
  EXPECT_GE(after.memo_hits - before.memo_hits, 2u);
}

TEST(KeyMemo, ErrorsAreRemembered) {
  auto a = decode_public_key("AAAAAAAA");
  const auto openssl = key_decode_counts().openssl;
  auto b = decode_public_key("AAAAAAAA");
  ASSERT_FALSE(a.ok());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, KeyErrc::not_a_key);
  EXPECT_EQ(b.error().detail, a.error().detail);
  EXPECT_EQ(key_decode_counts().openssl, openssl);
}

TEST(KeyMemo, BoundedLeastRecentlyUsedFirstOut) {
  // kKeyMemoEntries other keys (distinct DER, not keys) push the 1024-bit key out.
  ASSERT_TRUE(decode_public_key(testkeys::k1024_spki).ok());
  for (std::size_t i = 0; i < kKeyMemoEntries; ++i) {
    std::vector<std::uint8_t> der(8, static_cast<std::uint8_t>(i));
    EXPECT_FALSE(decode_public_key(encode_base64(der)).ok());
  }
  const auto openssl = key_decode_counts().openssl;
  auto again = decode_public_key(testkeys::k1024_spki);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->bits, 1024);
  EXPECT_EQ(key_decode_counts().openssl, openssl + 1);
}

TEST(KeyMemo, LargeDerIsNotRemembered) {
  std::vector<std::uint8_t> der(kMaxMemoKeyDer + 1, 0x30);
  const std::string text = encode_base64(der);
  const auto openssl = key_decode_counts().openssl;
  EXPECT_FALSE(decode_public_key(text).ok());
  EXPECT_FALSE(decode_public_key(text).ok());
  EXPECT_EQ(key_decode_counts().openssl, openssl + 2);
}

}  // namespace
}  // namespace dkimdoctor::diagnose
