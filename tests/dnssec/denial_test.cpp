// NSEC proofs on the RFC 4035 Appendix A example zone's NSEC chain, NSEC3 proofs on the hashes of the
// RFC 5155 Appendix A zone (the cases of RFC 4035 Appendix B and RFC 5155 Appendix B).
#include <gtest/gtest.h>

#include "dnssec/denial.hpp"
#include "dnssec/limits.hpp"
#include "tests/dnssec/test_util.hpp"
#include "wire/text.hpp"

namespace dkimdoctor::dnssec {
namespace {

using test::name;
using test::zone;
using wire::RRType;

// RFC 4035 Appendix A: the NSEC chain of example.
constexpr std::string_view kNsecZone = R"(
example.        3600 IN NSEC a.example. NS SOA MX RRSIG NSEC DNSKEY
a.example.      3600 IN NSEC ai.example. NS DS RRSIG NSEC
ai.example.     3600 IN NSEC b.example. A TXT AAAA RRSIG NSEC
b.example.      3600 IN NSEC ns1.example. NS RRSIG NSEC
ns1.example.    3600 IN NSEC ns2.example. A RRSIG NSEC
ns2.example.    3600 IN NSEC *.w.example. A RRSIG NSEC
*.w.example.    3600 IN NSEC x.w.example. MX RRSIG NSEC
x.w.example.    3600 IN NSEC x.y.w.example. MX RRSIG NSEC
x.y.w.example.  3600 IN NSEC xx.example. MX RRSIG NSEC
xx.example.     3600 IN NSEC example. A TXT AAAA RRSIG NSEC
)";

class Nsec : public ::testing::Test {
 protected:
  std::vector<NsecRecord> nsecs = nsec_records(zone(kNsecZone));
  wire::Name apex = name("example.");
};

TEST_F(Nsec, Covers) {
  ASSERT_EQ(nsecs.size(), 10u);
  EXPECT_TRUE(nsec_covers(nsecs[3], name("ml.example.")));   // b < ml < ns1
  EXPECT_FALSE(nsec_covers(nsecs[3], name("b.example.")));   // the owner itself is a match
  EXPECT_FALSE(nsec_covers(nsecs[3], name("ns1.example.")));
  EXPECT_TRUE(nsec_covers(nsecs[9], name("zz.example.")));   // the last NSEC wraps to the apex
  EXPECT_TRUE(nsec_covers(nsecs[0], name("*.example.")));    // '*' sorts before 'a'
}

TEST_F(Nsec, NameError) {
  EXPECT_EQ(prove_nxdomain(name("ml.example."), apex, nsecs), Outcome::secure());  // RFC 4035 B.2
  EXPECT_EQ(prove_nxdomain(name("zz.example."), apex, nsecs), Outcome::secure());
  const Outcome no = Outcome::bogus(Reason::denial_not_proven);
  EXPECT_EQ(prove_nxdomain(name("ai.example."), apex, nsecs), no);       // it exists
  EXPECT_EQ(prove_nxdomain(name("a.z.w.example."), apex, nsecs), no);    // *.w.example would answer
  EXPECT_EQ(prove_nxdomain(name("y.w.example."), apex, nsecs), no);      // an empty non-terminal
  EXPECT_EQ(prove_nxdomain(name("foo.a.example."), apex, nsecs), no);    // below the a.example cut
  EXPECT_EQ(prove_nxdomain(name("ml.example.org."), apex, nsecs), no);   // not in the zone
  // Without the NSEC covering the wildcard *.example, the name error is not proven.
  ASSERT_FALSE(nsecs.empty());
  std::vector<NsecRecord> partial(nsecs.begin() + 1, nsecs.end());
  EXPECT_EQ(prove_nxdomain(name("ml.example."), apex, partial), no);
}

TEST_F(Nsec, NoData) {
  const Outcome no = Outcome::bogus(Reason::denial_not_proven);
  EXPECT_EQ(prove_nodata(name("ns1.example."), RRType::MX, apex, nsecs), Outcome::secure());  // RFC 4035 B.3
  EXPECT_EQ(prove_nodata(name("ns1.example."), RRType::A, apex, nsecs), no);
  EXPECT_EQ(prove_nodata(name("b.example."), RRType::DS, apex, nsecs), Outcome::secure());  // unsigned delegation
  EXPECT_EQ(prove_nodata(name("a.example."), RRType::DS, apex, nsecs), no);
  EXPECT_EQ(prove_nodata(name("b.example."), RRType::A, apex, nsecs), no);  // parent side of a cut
  EXPECT_EQ(prove_nodata(name("example."), RRType::DS, apex, nsecs), no);   // child apex cannot deny DS
  EXPECT_EQ(prove_nodata(name("y.w.example."), RRType::A, apex, nsecs), Outcome::secure());  // ENT
  EXPECT_EQ(prove_nodata(name("w.example."), RRType::A, apex, nsecs), Outcome::secure());    // ENT
  // Wildcard NODATA (RFC 4035 B.7): a.z.w.example AAAA through *.w.example, which has only MX.
  EXPECT_EQ(prove_nodata(name("a.z.w.example."), RRType::AAAA, apex, nsecs), Outcome::secure());
  EXPECT_EQ(prove_nodata(name("a.z.w.example."), RRType::MX, apex, nsecs), no);
}

TEST_F(Nsec, WildcardAnswer) {
  // RFC 4035 B.6: a.z.w.example MX from *.w.example (RRSIG labels 2): z.w.example must not exist.
  EXPECT_EQ(prove_wildcard_answer(name("a.z.w.example."), 2, apex, nsecs), Outcome::secure());
  const Outcome no = Outcome::bogus(Reason::denial_not_proven);
  EXPECT_EQ(prove_wildcard_answer(name("x.w.example."), 2, apex, nsecs), no);      // x.w.example exists
  EXPECT_EQ(prove_wildcard_answer(name("a.x.y.w.example."), 2, apex, nsecs), no);  // y.w.example exists
  EXPECT_EQ(prove_wildcard_answer(name("a.z.w.example."), 4, apex, nsecs), no);    // not an expansion
}

// RFC 5155 Appendix A hashes (salt aabbccdd, 12 iterations) as one closed NSEC3 chain: example,
// ns1, x.y.w, a (delegation), x.w, ai, y.w (ENT), w (ENT), ns2, *.w, xx.
std::string nsec3_zone(int flags, int iterations) {
  const std::pair<const char*, const char*> chain[] = {
      {"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "NS SOA MX RRSIG DNSKEY NSEC3PARAM"},
      {"2t7b4g4vsa5smi47k61mv5bv1a22bojr", "A RRSIG"},
      {"2vptu5timamqttgl4luu9kg21e0aor3s", "MX RRSIG"},
      {"35mthgpgcu1qg68fab165klnsnk3dpvl", "NS DS RRSIG"},
      {"b4um86eghhds6nea196smvmlo4ors995", "MX RRSIG"},
      {"gjeqe526plbf1g8mklp59enfd789njgi", "A TXT AAAA RRSIG"},
      {"ji6neoaepv8b5o6k4ev33abha8ht9fgc", ""},
      {"k8udemvp1j2f7eg6jebps17vp3n8i58h", ""},
      {"q04jkcevqvmu85r014c7dkba38o0ji5r", "A RRSIG"},
      {"r53bq7cc2uvmubfu5ocmm6pers9tk9en", "MX RRSIG"},
      {"t644ebqk9bibcna874givr6joj62mlhv", "A TXT AAAA RRSIG"},
  };
  std::string text;
  const std::size_t n = std::size(chain);
  for (std::size_t i = 0; i < n; ++i)
    text += std::string(chain[i].first) + ".example. 3600 IN NSEC3 1 " + std::to_string(flags) + " " +
            std::to_string(iterations) + " aabbccdd " + chain[(i + 1) % n].first + " " + chain[i].second + "\n";
  return text;
}

class Nsec3 : public ::testing::Test {
 protected:
  std::vector<Nsec3Record> plain = nsec3_records(zone(nsec3_zone(0, 12)));
  std::vector<Nsec3Record> opt_out = nsec3_records(zone(nsec3_zone(1, 12)));
  wire::Name apex = name("example.");
  Outcome no = Outcome::bogus(Reason::denial_not_proven);
};

TEST_F(Nsec3, NameError) {
  // RFC 5155 B.1: a.c.x.w.example: closest encloser x.w.example, next closer c.x.w.example covered,
  // *.x.w.example covered.
  ASSERT_EQ(plain.size(), 11u);
  EXPECT_EQ(prove_nxdomain_nsec3(name("a.c.x.w.example."), apex, plain), Outcome::secure());
  // The RFC's zone has opt-out on every NSEC3: then the name error is only insecure (as Unbound).
  EXPECT_EQ(prove_nxdomain_nsec3(name("a.c.x.w.example."), apex, opt_out), Outcome::insecure(Reason::nsec3_opt_out));
  EXPECT_EQ(prove_nxdomain_nsec3(name("x.w.example."), apex, plain), no);    // exists
  EXPECT_EQ(prove_nxdomain_nsec3(name("a.z.w.example."), apex, plain), no);  // *.w.example matches
  EXPECT_EQ(prove_nxdomain_nsec3(name("b.a.example."), apex, plain), no);    // below the a.example cut
  // The last NSEC3 of a chain wraps around: without the apex's record, t644... -> 2t7b... is the last one
  // and covers the next closer c.x.w.example (0va5...), which sorts below every owner.
  std::vector<Nsec3Record> wrapped;
  for (const auto& r : plain)
    if (r.owner.label(0) != "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom") wrapped.push_back(r);
  ASSERT_EQ(wrapped.size(), 10u);
  wrapped.back().nsec3.next_hashed_owner.clear();
  ASSERT_TRUE(wire::text::decode_base32hex("2t7b4g4vsa5smi47k61mv5bv1a22bojr", 0, wrapped.back().nsec3.next_hashed_owner).ok());
  EXPECT_EQ(prove_nxdomain_nsec3(name("a.c.x.w.example."), apex, wrapped), Outcome::secure());
  // Without the NSEC3 covering the wildcard (35mt..., a.example): not proven.
  std::vector<Nsec3Record> partial;
  for (const auto& r : plain)
    if (r.owner.label(0) != "35mthgpgcu1qg68fab165klnsnk3dpvl") partial.push_back(r);
  EXPECT_EQ(prove_nxdomain_nsec3(name("a.c.x.w.example."), apex, partial), no);
}

TEST_F(Nsec3, NoData) {
  EXPECT_EQ(prove_nodata_nsec3(name("ns1.example."), RRType::MX, apex, plain), Outcome::secure());  // B.2
  EXPECT_EQ(prove_nodata_nsec3(name("ns1.example."), RRType::A, apex, plain), no);
  EXPECT_EQ(prove_nodata_nsec3(name("y.w.example."), RRType::A, apex, plain), Outcome::secure());  // B.2.1 ENT
  EXPECT_EQ(prove_nodata_nsec3(name("a.example."), RRType::DS, apex, plain), no);  // the DS is there
  EXPECT_EQ(prove_nodata_nsec3(name("a.example."), RRType::A, apex, plain), no);   // parent side of a cut
  EXPECT_EQ(prove_nodata_nsec3(name("example."), RRType::DS, apex, plain), no);
  // B.3: no NSEC3 for the unsigned delegation c.example: opt-out covers it -> insecure; without opt-out
  // nothing proves the missing DS.
  EXPECT_EQ(prove_nodata_nsec3(name("c.example."), RRType::DS, apex, opt_out), Outcome::insecure(Reason::nsec3_opt_out));
  EXPECT_EQ(prove_nodata_nsec3(name("c.example."), RRType::DS, apex, plain), no);
  // B.5 wildcard NODATA: a.z.w.example AAAA via *.w.example (MX only).
  EXPECT_EQ(prove_nodata_nsec3(name("a.z.w.example."), RRType::AAAA, apex, plain), Outcome::secure());
  EXPECT_EQ(prove_nodata_nsec3(name("a.z.w.example."), RRType::MX, apex, plain), no);
}

TEST_F(Nsec3, WildcardAnswer) {
  EXPECT_EQ(prove_wildcard_answer_nsec3(name("a.z.w.example."), 2, apex, plain), Outcome::secure());  // B.4
  EXPECT_EQ(prove_wildcard_answer_nsec3(name("x.w.example."), 2, apex, plain), no);  // next closer exists
  EXPECT_EQ(prove_wildcard_answer_nsec3(name("a.z.w.example."), 4, apex, plain), no);
}

// RFC 5155 §6, §9.2 (issue 14, group D): a next closer name inside an opt-out span may be an unsigned
// delegation, so a proof that rests on that span is insecure, neither secure nor bogus (Unbound's
// nsec3_prove_wildcard and nsec3_do_prove_nodata; the RFC's own Appendix B zone is opt-out).
TEST_F(Nsec3, OptOutSpansMakeWildcardAndNodataProofsInsecure) {
  const Outcome insecure = Outcome::insecure(Reason::nsec3_opt_out);
  EXPECT_EQ(prove_wildcard_answer_nsec3(name("a.z.w.example."), 2, apex, opt_out), insecure);  // B.4
  EXPECT_EQ(prove_nodata_nsec3(name("a.z.w.example."), RRType::AAAA, apex, opt_out), insecure);  // B.5
  EXPECT_EQ(prove_nodata_nsec3(name("a.z.w.example."), RRType::MX, apex, opt_out), no);  // the wildcard has MX
  // No matching NSEC3 and no wildcard, the next closer name c.example in an opt-out span: insecure for any
  // type (Unbound's case 5); without opt-out, nothing is proven.
  EXPECT_EQ(prove_nodata_nsec3(name("c.example."), RRType::MX, apex, opt_out), insecure);
  EXPECT_EQ(prove_nodata_nsec3(name("c.example."), RRType::MX, apex, plain), no);
  // A matching NSEC3 needs no span: opt-out or not, ns1.example MX is secure (B.2).
  EXPECT_EQ(prove_nodata_nsec3(name("ns1.example."), RRType::MX, apex, opt_out), Outcome::secure());
}

TEST_F(Nsec3, IterationsAboveTheLimitAreInsecure) {
  const auto many = nsec3_records(zone(nsec3_zone(0, kMaxNsec3Iterations + 1)));
  const Outcome insecure = Outcome::insecure(Reason::nsec3_iterations);
  EXPECT_EQ(prove_nxdomain_nsec3(name("a.c.x.w.example."), apex, many), insecure);
  EXPECT_EQ(prove_nodata_nsec3(name("ns1.example."), RRType::MX, apex, many), insecure);
  EXPECT_EQ(prove_wildcard_answer_nsec3(name("a.z.w.example."), 2, apex, many), insecure);
  // At the limit they are hashed (and these hashes, made for 12 iterations, prove nothing).
  const auto at = nsec3_records(zone(nsec3_zone(0, kMaxNsec3Iterations)));
  EXPECT_EQ(prove_nodata_nsec3(name("ns1.example."), RRType::MX, apex, at), no);
}

TEST_F(Nsec3, HostileSetsAreBounded) {
  // Over kMaxDenialRecords records: refused without hashing.
  auto big = plain;
  while (big.size() <= kMaxDenialRecords) big.push_back(plain[0]);
  EXPECT_EQ(prove_nxdomain_nsec3(name("a.c.x.w.example."), apex, big), Outcome::bogus(Reason::too_many_records));
  // Unknown hash algorithm or flags other than opt-out: ignored (RFC 5155 §8.2), so nothing is proven.
  auto odd = plain;
  for (auto& r : odd) r.nsec3.hash_algorithm = 2;
  EXPECT_EQ(prove_nodata_nsec3(name("ns1.example."), RRType::MX, apex, odd), no);
  odd = plain;
  for (auto& r : odd) r.nsec3.flags = 2;
  EXPECT_EQ(prove_nodata_nsec3(name("ns1.example."), RRType::MX, apex, odd), no);
  // A name far below the zone: the closest-encloser walk stops at kMaxNsec3Hashes.
  std::string deep;
  for (std::size_t i = 0; i < kMaxNsec3Hashes + 10; ++i) deep += "a.";
  deep += "example.";
  EXPECT_EQ(prove_nxdomain_nsec3(name(deep), apex, plain), Outcome::bogus(Reason::verification_limit));
  // Records of another zone do not count.
  EXPECT_EQ(prove_nodata_nsec3(name("ns1.example."), RRType::MX, name("other."), plain), no);
}

}  // namespace
}  // namespace dkimdoctor::dnssec
