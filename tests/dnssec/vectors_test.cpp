// RFC test vectors: key tags and DS digests (RFC 4034 §5.4, RFC 6605 §6, RFC 8080 §6, RFC 5702 §6),
// signatures (RFC 5702 §6.1/§6.2 RSA/SHA-2, RFC 6605 §6.1/§6.2 ECDSA) through validate_rrset, and the
// NSEC3 hashes of RFC 5155 Appendix A.
#include <gtest/gtest.h>

#include "dnssec/crypto.hpp"
#include "dnssec/denial.hpp"
#include "dnssec/keys.hpp"
#include "dnssec/validate.hpp"
#include "tests/dnssec/test_util.hpp"
#include "wire/text.hpp"

namespace dkimdoctor::dnssec {
namespace {

using test::name;
using test::rrset;
using test::sigs;
using test::zone;
using wire::RRType;

// RFC 4034 §5.4.
constexpr std::string_view kRfc4034 = R"(
dskey.example.com. 86400 IN DNSKEY 256 3 5 ( AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJ
    aNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLU
    Uh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw== ) ; key id = 60485
dskey.example.com. 86400 IN DS 60485 5 1 ( 2BB183AF5F22588179A53B0A98631FAD1A292118 )
)";

// RFC 5702 §6.1 (RSA/SHA-256, 512-bit key) and §6.2 (RSA/SHA-512, 1024-bit key).
constexpr std::string_view kRfc5702Sha256 = R"(
example.net. 3600 IN DNSKEY 256 3 8 ( AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8P
    kxUdp6p/DlUmObdk= )
www.example.net. 3600 IN A 192.0.2.91
www.example.net. 3600 IN RRSIG A 8 3 3600 20300101000000 20000101000000 9033 example.net. (
    kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg== )
)";
constexpr std::string_view kRfc5702Sha512 = R"(
example.net. 3600 IN DNSKEY 256 3 10 ( AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFD
    xj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL )
www.example.net. 3600 IN A 192.0.2.91
www.example.net. 3600 IN RRSIG A 10 3 3600 20300101000000 20000101000000 3740 example.net. (
    tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRaeUw1ep94PzEWzr0iGYgZBWm/zpq+9fOua
    gYJRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk0fthPgxdDLw= )
)";

// RFC 6605 §6.1 (P-256) and §6.2 (P-384).
constexpr std::string_view kRfc6605P256 = R"(
example.net. 3600 IN DNSKEY 257 3 13 ( GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb
    krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== )
example.net. 3600 IN DS 55648 13 2 ( b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17 )
www.example.net. 3600 IN A 192.0.2.1
www.example.net. 3600 IN RRSIG A 13 3 3600 ( 20100909100439 20100812100439 55648 example.net.
    qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw== )
)";
constexpr std::string_view kRfc6605P384 = R"(
example.net. 3600 IN DNSKEY 257 3 14 ( xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RC
    OpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40 )
example.net. 3600 IN DS 10771 14 4 ( 72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9
    495f27e305c6a9b0563a9b5f4d288405c3008a946df983d6 )
www.example.net. 3600 IN A 192.0.2.1
www.example.net. 3600 IN RRSIG A 14 3 3600 ( 20100909102025 20100812102025 10771 example.net.
    /L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuzWTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm )
)";

// RFC 8080 §6.1 (Ed25519): the key and its DS.
constexpr std::string_view kRfc8080 = R"(
example.com. 3600 IN DNSKEY 257 3 15 ( l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= )
example.com. 3600 IN DS 3613 15 2 ( 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b )
)";

struct KeyCase {
  const char* what;
  std::string_view zone_text;
  const char* owner;
  std::uint16_t tag;
};

class KeyVector : public ::testing::TestWithParam<KeyCase> {};

TEST_P(KeyVector, KeyTagAndDsDigestMatchTheRfc) {
  const auto records = zone(GetParam().zone_text);
  const auto keys = rrset(records, GetParam().owner, RRType::DNSKEY);
  ASSERT_EQ(keys.rdatas.size(), 1u);
  EXPECT_EQ(key_tag(keys.rdatas[0].bytes()), GetParam().tag);
  const auto ds_set = rrset(records, GetParam().owner, RRType::DS);
  if (ds_set.rdatas.empty()) return;  // RFC 5702 gives no DS
  const auto ds = ds_set.rdatas[0].as_ds();
  ASSERT_TRUE(ds.ok());
  EXPECT_EQ(ds->key_tag, GetParam().tag);
  const auto digest = ds_digest(keys.owner, keys.rdatas[0].bytes(), ds->digest_type);
  ASSERT_TRUE(digest.has_value());
  EXPECT_EQ(*digest, ds->digest);
  EXPECT_TRUE(ds_matches(*ds, keys.owner, keys.rdatas[0]));
  // One bit off in the digest, or the wrong owner: no match.
  auto wrong = *ds;
  wrong.digest.back() ^= 1;
  EXPECT_FALSE(ds_matches(wrong, keys.owner, keys.rdatas[0]));
  EXPECT_FALSE(ds_matches(*ds, name("other.example."), keys.rdatas[0]));
}

INSTANTIATE_TEST_SUITE_P(Rfc, KeyVector,
                         ::testing::Values(KeyCase{"rfc4034_5_4", kRfc4034, "dskey.example.com.", 60485},
                                           KeyCase{"rfc5702_6_1", kRfc5702Sha256, "example.net.", 9033},
                                           KeyCase{"rfc5702_6_2", kRfc5702Sha512, "example.net.", 3740},
                                           KeyCase{"rfc6605_6_1", kRfc6605P256, "example.net.", 55648},
                                           KeyCase{"rfc6605_6_2", kRfc6605P384, "example.net.", 10771},
                                           KeyCase{"rfc8080_6_1", kRfc8080, "example.com.", 3613}),
                         [](const auto& info) { return std::string(info.param.what); });

struct SigCase {
  const char* what;
  std::string_view zone_text;
  const char* inception;
  const char* expiration;
};

class SignatureVector : public ::testing::TestWithParam<SigCase> {};

TEST_P(SignatureVector, VerifiesInsideItsWindowOnly) {
  const auto records = zone(GetParam().zone_text);
  const auto keys = rrset(records, "example.net.", RRType::DNSKEY);
  auto a = rrset(records, "www.example.net.", RRType::A);
  const auto rrsigs = sigs(records, "www.example.net.", RRType::A);
  ASSERT_EQ(rrsigs.size(), 1u);
  const std::uint32_t inception = test::rrsig_time(GetParam().inception);
  const std::uint32_t expiration = test::rrsig_time(GetParam().expiration);

  ValidationBudget budget;
  auto r = validate_rrset(a, rrsigs, keys, inception + 60, budget);
  EXPECT_EQ(r.outcome, Outcome::secure()) << to_string(r.outcome.reason);
  EXPECT_EQ(r.key_tag, rrsigs[0].key_tag);
  EXPECT_EQ(r.verifications, 1u);
  EXPECT_FALSE(r.wildcard);

  r = validate_rrset(a, rrsigs, keys, expiration + 1, budget);
  EXPECT_EQ(r.outcome, Outcome::bogus(Reason::signature_expired));
  r = validate_rrset(a, rrsigs, keys, inception - 1, budget);
  EXPECT_EQ(r.outcome, Outcome::bogus(Reason::signature_not_yet_valid));

  // The owner in other case still verifies (canonical form lowercases it) ...
  auto upper = a;
  upper.owner = name("WWW.Example.NET.");
  EXPECT_EQ(validate_rrset(upper, rrsigs, keys, inception + 60, budget).outcome, Outcome::secure());
  // ... other data does not.
  auto changed = a;
  changed.rdatas[0] = *wire::Rdata::parse(RRType::A, "192.0.2.99");
  EXPECT_EQ(validate_rrset(changed, rrsigs, keys, inception + 60, budget).outcome,
            Outcome::bogus(Reason::bad_signature));
  auto flipped = rrsigs;
  flipped[0].signature[flipped[0].signature.size() / 2] ^= 0x01;
  EXPECT_EQ(validate_rrset(a, flipped, keys, inception + 60, budget).outcome, Outcome::bogus(Reason::bad_signature));
}

INSTANTIATE_TEST_SUITE_P(
    Rfc, SignatureVector,
    ::testing::Values(SigCase{"rfc5702_6_1_rsasha256", kRfc5702Sha256, "20000101000000", "20300101000000"},
                      SigCase{"rfc5702_6_2_rsasha512", kRfc5702Sha512, "20000101000000", "20300101000000"},
                      SigCase{"rfc6605_6_1_p256", kRfc6605P256, "20100812100439", "20100909100439"},
                      SigCase{"rfc6605_6_2_p384", kRfc6605P384, "20100812102025", "20100909102025"}),
    [](const auto& info) { return std::string(info.param.what); });

// RFC 5155 Appendix A: H(name) with salt aabbccdd and 12 iterations.
TEST(Nsec3Hash, Rfc5155AppendixA) {
  const std::vector<std::uint8_t> salt = {0xaa, 0xbb, 0xcc, 0xdd};
  const std::pair<const char*, const char*> cases[] = {
      {"example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},   {"a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
      {"ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi"}, {"ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
      {"ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r"}, {"w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h"},
      {"*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"}, {"x.w.example.", "b4um86eghhds6nea196smvmlo4ors995"},
      {"y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"}, {"x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"},
      {"xx.example.", "t644ebqk9bibcna874givr6joj62mlhv"},  {"c.x.w.example.", "0va5bpr2ou0vk0lbqeeljri88laipsfh"},
      {"*.x.w.example.", "92pqneegtaue7pjatc3l3qnk738c6v5m"},
  };
  for (const auto& [owner, hash] : cases) {
    std::vector<std::uint8_t> want;
    ASSERT_TRUE(wire::text::decode_base32hex(hash, 0, want).ok());
    const auto got = nsec3_hash(name(owner), 1, 12, salt);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, want) << owner;
  }
  // Case does not matter (the name is lowercased first); an unknown hash algorithm gives nothing.
  EXPECT_EQ(nsec3_hash(name("EXAMPLE."), 1, 12, salt), nsec3_hash(name("example."), 1, 12, salt));
  EXPECT_FALSE(nsec3_hash(name("example."), 2, 12, salt).has_value());
}

}  // namespace
}  // namespace dkimdoctor::dnssec
