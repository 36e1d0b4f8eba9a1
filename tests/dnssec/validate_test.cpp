// RRset validation outcomes and the KeyTrap bounds (CVE-2023-50387), with the RFC 5702 §6.1 RSA/SHA-256
// example as the one real signature.
#include <gtest/gtest.h>

#include "dnssec/keys.hpp"
#include "dnssec/limits.hpp"
#include "dnssec/validate.hpp"
#include "tests/dnssec/test_util.hpp"

namespace dkimdoctor::dnssec {
namespace {

using test::name;
using test::rrset;
using test::sigs;
using test::zone;
using wire::Rdata;
using wire::RRType;

constexpr std::string_view kZone = R"(
example.net. 3600 IN DNSKEY 256 3 8 ( AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8P
    kxUdp6p/DlUmObdk= )
www.example.net. 3600 IN A 192.0.2.91
www.example.net. 3600 IN RRSIG A 8 3 3600 20300101000000 20000101000000 9033 example.net. (
    kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg== )
)";
constexpr std::uint32_t kNow = 1500000000;  // 2017, inside 2000..2030

struct Fixture {
  std::vector<wire::Record> records = zone(kZone);
  RRset keys = rrset(records, "example.net.", RRType::DNSKEY);
  RRset a = rrset(records, "www.example.net.", RRType::A);
  std::vector<wire::rdata::Rrsig> rrsigs = sigs(records, "www.example.net.", RRType::A);
};

// `count` RSA keys with the key tag and algorithm of `key` but other moduli: two octets of the same parity
// moved in opposite directions keep the one's-complement-style sum of RFC 4034 Appendix B.
std::vector<Rdata> colliding_keys(const Rdata& key, std::size_t count) {
  const std::uint16_t tag = key_tag(key.bytes());
  std::vector<Rdata> out;
  for (std::size_t n = 1; out.size() < count; ++n) {
    auto b = key.bytes();
    const std::size_t i = 12 + 2 * (n % 20), j = i + 2;  // inside the modulus, same parity
    const int d = static_cast<int>(n / 20) + 1;
    if (b[i] + d > 255 || b[j] - d < 0) continue;
    b[i] = static_cast<std::uint8_t>(b[i] + d);
    b[j] = static_cast<std::uint8_t>(b[j] - d);
    EXPECT_EQ(key_tag(b), tag);
    out.push_back(*Rdata::from_bytes(RRType::DNSKEY, b));
  }
  return out;
}

TEST(ValidateRrset, SecureWithTheRealSignature) {
  Fixture f;
  ValidationBudget budget;
  const auto r = validate_rrset(f.a, f.rrsigs, f.keys, kNow, budget);
  EXPECT_EQ(r.outcome, Outcome::secure());
  EXPECT_EQ(r.key_tag, 9033);
  EXPECT_EQ(r.algorithm, 8);
  EXPECT_EQ(budget.used, 1u);
  EXPECT_EQ(budget.remaining, kMaxVerificationsPerResponse - 1);
}

TEST(ValidateRrset, ReasonsWhenNotSecure) {
  Fixture f;
  ValidationBudget budget;
  EXPECT_EQ(validate_rrset(f.a, {}, f.keys, kNow, budget).outcome, Outcome::bogus(Reason::missing_rrsig));
  // A key set without the key of the signature.
  RRset other = f.keys;
  other.rdatas = {*Rdata::parse(RRType::DNSKEY, "256 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=")};
  EXPECT_EQ(validate_rrset(f.a, f.rrsigs, other, kNow, budget).outcome, Outcome::bogus(Reason::no_matching_dnskey));
  // The same key without the zone-key flag, or revoked, is not usable (RFC 4034 §2.1.1, RFC 5011 §7).
  for (const char* flags : {"0", "384"}) {
    RRset k = f.keys;
    auto text = std::string(flags) + " 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=";
    k.rdatas = {*Rdata::parse(RRType::DNSKEY, text)};
    EXPECT_EQ(validate_rrset(f.a, f.rrsigs, k, kNow, budget).outcome, Outcome::bogus(Reason::no_matching_dnskey))
        << flags;
  }
  // Signer not the key set's zone; labels beyond the owner's.
  auto s = f.rrsigs;
  s[0].signer = name("example.org.");
  EXPECT_EQ(validate_rrset(f.a, s, f.keys, kNow, budget).outcome, Outcome::bogus(Reason::malformed));
  s = f.rrsigs;
  s[0].labels = 4;
  EXPECT_EQ(validate_rrset(f.a, s, f.keys, kNow, budget).outcome, Outcome::bogus(Reason::malformed));
  // Only unsupported algorithms, in the signatures and in the trusted keys: insecure, not bogus (RFC 4035
  // §5.2, RFC 6840 §5.2).
  s = f.rrsigs;
  s[0].algorithm = 3;
  RRset dsa_keys = f.keys;
  dsa_keys.rdatas = {*Rdata::parse(RRType::DNSKEY, "256 3 3 AQID")};
  EXPECT_EQ(validate_rrset(f.a, s, dsa_keys, kNow, budget).outcome, Outcome::insecure(Reason::unsupported_algorithm));
  // A zone whose trusted keys we can use does not become insecure because the RRSIG claims an unknown
  // algorithm (a downgrade): bogus. Neither do RRSIGs covering another type.
  EXPECT_EQ(validate_rrset(f.a, s, f.keys, kNow, budget).outcome, Outcome::bogus(Reason::missing_rrsig));
  s = f.rrsigs;
  s[0].type_covered = RRType::AAAA;
  EXPECT_EQ(validate_rrset(f.a, s, f.keys, kNow, budget).outcome, Outcome::bogus(Reason::missing_rrsig));
  s = f.rrsigs;
  s[0].algorithm = 3;
  // An unsupported algorithm next to a supported one that fails: bogus.
  auto mixed = f.rrsigs;
  mixed.push_back(s[0]);
  mixed[0].signature[3] ^= 0x80;
  EXPECT_EQ(validate_rrset(f.a, mixed, f.keys, kNow, budget).outcome, Outcome::bogus(Reason::bad_signature));
  // The furthest failure wins: an expired signature with its key says more than a keyless one.
  auto two = f.rrsigs;
  two.push_back(f.rrsigs[0]);
  two[0].key_tag ^= 1;
  EXPECT_EQ(validate_rrset(f.a, two, f.keys, test::rrsig_time("20300101000001"), budget).outcome,
            Outcome::bogus(Reason::signature_expired));
}

TEST(ValidateRrset, WildcardExpansionIsFlagged) {
  Fixture f;
  ValidationBudget budget;
  // Labels 2 on a three-label owner: an expansion of *.example.net. The RFC signature is over
  // www.example.net, so it does not verify as *.example.net; the flag is only set when secure.
  auto s = f.rrsigs;
  s[0].labels = 2;
  const auto r = validate_rrset(f.a, s, f.keys, kNow, budget);
  EXPECT_EQ(r.outcome, Outcome::bogus(Reason::bad_signature));
  EXPECT_FALSE(r.wildcard);
  EXPECT_TRUE(validate_rrset(f.a, f.rrsigs, f.keys, kNow, budget).wildcard == false);
}

TEST(KeyTrap, CollidingKeysAreTriedABoundedNumberOfTimes) {
  Fixture f;
  RRset hostile = f.keys;
  hostile.rdatas = colliding_keys(f.keys.rdatas[0], kMaxDnskeys - 1);
  ASSERT_EQ(hostile.rdatas.size(), kMaxDnskeys - 1);
  // One signature, 31 keys with its tag: at most kMaxKeysPerKeyTag verifications.
  ValidationBudget budget;
  auto r = validate_rrset(f.a, f.rrsigs, hostile, kNow, budget);
  EXPECT_EQ(r.outcome, Outcome::bogus(Reason::bad_signature));
  EXPECT_EQ(r.verifications, kMaxKeysPerKeyTag);
  // Many signatures: the per-RRset bound stops it.
  std::vector<wire::rdata::Rrsig> many(kMaxRrsigsPerRrset, f.rrsigs[0]);
  for (std::size_t i = 0; i < many.size(); ++i) many[i].signature[0] ^= static_cast<std::uint8_t>(i + 1);
  budget = {};
  r = validate_rrset(f.a, many, hostile, kNow, budget);
  EXPECT_EQ(r.outcome, Outcome::bogus(Reason::verification_limit));
  EXPECT_EQ(r.verifications, kMaxVerificationsPerRrset);
  EXPECT_EQ(budget.used, kMaxVerificationsPerRrset);
  // The real key placed after the colliding ones is never reached: the limit is a limit.
  hostile.rdatas.push_back(f.keys.rdatas[0]);
  budget = {};
  r = validate_rrset(f.a, f.rrsigs, hostile, kNow, budget);
  EXPECT_EQ(r.verifications, kMaxKeysPerKeyTag);
  EXPECT_EQ(r.outcome, Outcome::bogus(Reason::bad_signature));
  // A key set over kMaxDnskeys is refused before any verification.
  hostile.rdatas.push_back(f.keys.rdatas[0]);
  budget = {};
  r = validate_rrset(f.a, f.rrsigs, hostile, kNow, budget);
  EXPECT_EQ(r.outcome, Outcome::bogus(Reason::too_many_records));
  EXPECT_EQ(budget.used, 0u);
}

TEST(KeyTrap, TheResponseBudgetIsSharedAcrossRrsets) {
  Fixture f;
  RRset hostile = f.keys;
  hostile.rdatas = colliding_keys(f.keys.rdatas[0], kMaxKeysPerKeyTag);
  std::vector<wire::rdata::Rrsig> many(kMaxRrsigsPerRrset, f.rrsigs[0]);
  ValidationBudget budget;
  std::size_t rrsets = 0;
  while (budget.remaining > 0 && rrsets < 100) {
    (void)validate_rrset(f.a, many, hostile, kNow, budget);
    ++rrsets;
  }
  EXPECT_EQ(budget.used, kMaxVerificationsPerResponse);
  EXPECT_EQ(rrsets, (kMaxVerificationsPerResponse + kMaxVerificationsPerRrset - 1) / kMaxVerificationsPerRrset);
  // Spent: even the genuine signature is not checked any more.
  const auto r = validate_rrset(f.a, f.rrsigs, f.keys, kNow, budget);
  EXPECT_EQ(r.outcome, Outcome::bogus(Reason::verification_limit));
  EXPECT_EQ(r.verifications, 0u);
}

TEST(ValidateDnskeys, DsSetOutcomes) {
  Fixture f;
  ValidationBudget budget;
  RRset ds{name("example.net."), RRType::DS, wire::RRClass::IN, 3600, {}};
  const auto tag = std::to_string(key_tag(f.keys.rdatas[0].bytes()));
  // Only a GOST digest: insecure; only an unsupported algorithm: insecure.
  ds.rdatas = {*Rdata::parse(RRType::DS, tag + " 8 3 " + std::string(64, 'a'))};
  EXPECT_EQ(validate_dnskeys(ds, f.keys, {}, kNow, budget).outcome, Outcome::insecure(Reason::unsupported_digest));
  ds.rdatas = {*Rdata::parse(RRType::DS, tag + " 3 2 " + std::string(64, 'a'))};
  EXPECT_EQ(validate_dnskeys(ds, f.keys, {}, kNow, budget).outcome, Outcome::insecure(Reason::unsupported_algorithm));
  // A SHA-256 DS that matches no key: the stale DS after a provider move.
  ds.rdatas = {*Rdata::parse(RRType::DS, tag + " 8 2 " + std::string(64, 'a'))};
  const auto r = validate_dnskeys(ds, f.keys, {}, kNow, budget);
  EXPECT_EQ(r.outcome, Outcome::bogus(Reason::no_matching_dnskey));
  EXPECT_EQ(r.key_tag, key_tag(f.keys.rdatas[0].bytes()));
  // Too many DS records.
  ds.rdatas.assign(kMaxDsRecords + 1, ds.rdatas[0]);
  EXPECT_EQ(validate_dnskeys(ds, f.keys, {}, kNow, budget).outcome, Outcome::bogus(Reason::too_many_records));
  // A matching DS, but the DNSKEY RRset carries no RRSIG: bogus, missing RRSIG.
  auto digest = ds_digest(f.keys.owner, f.keys.rdatas[0].bytes(), 2);
  ASSERT_TRUE(digest.has_value());
  wire::rdata::Ds good{key_tag(f.keys.rdatas[0].bytes()), 8, 2, *digest};
  ASSERT_TRUE(ds_matches(good, f.keys.owner, f.keys.rdatas[0]));
  std::string hex;
  for (auto b : *digest) {
    static const char* d = "0123456789abcdef";
    hex += d[b >> 4];
    hex += d[b & 15];
  }
  ds.rdatas = {*Rdata::parse(RRType::DS, tag + " 8 2 " + hex)};
  EXPECT_EQ(validate_dnskeys(ds, f.keys, {}, kNow, budget).outcome, Outcome::bogus(Reason::missing_rrsig));
}

}  // namespace
}  // namespace dkimdoctor::dnssec
