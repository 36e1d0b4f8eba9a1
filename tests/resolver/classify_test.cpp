// scrub() and classify(): spec tables of replies from a server of a given zone, and what survives
// the scrubber and what the reply means. No I/O.
#include <gtest/gtest.h>

#include "resolver/classify.hpp"
#include "resolver/limits.hpp"
#include "tests/support/fault_server.hpp"

namespace dkimdoctor::resolver {
namespace {

using testsupport::make_reply;
using testsupport::Query;
using testsupport::rr;
using wire::Name;
using wire::Record;
using wire::RRType;

Name N(const char* s) { return *Name::parse(s); }

struct Built {
  std::vector<std::uint8_t> bytes;
  ScrubbedReply scrubbed;
  Classified classified;
};

Built run(const char* qname, RRType qtype, const char* zone, wire::Rcode rcode, bool aa, std::vector<Record> answer,
          std::vector<Record> authority = {}, std::vector<Record> additional = {}) {
  Query q;
  q.header.id = 7;
  q.question = wire::Question{N(qname), qtype, wire::RRClass::IN};
  Built b;
  b.bytes = make_reply(q, rcode, aa, answer, authority, additional);
  auto view = wire::MessageView::parse(b.bytes);
  if (!view) {
    ADD_FAILURE() << wire::to_string(view.error());
    return b;
  }
  b.scrubbed = scrub(*view, q.question, N(zone));
  b.classified = classify(b.scrubbed, q.question, N(zone));
  return b;
}

const wire::Rcode kOk = wire::Rcode::NoError;

TEST(Classify, Answer) {
  auto b = run("www.example.", RRType::A, "example.", kOk, true, {rr("www.example. 300 IN A 192.0.2.1")});
  EXPECT_EQ(b.classified.kind, Classification::answer);
  ASSERT_EQ(b.classified.records.size(), 1u);
  EXPECT_EQ(b.scrubbed.dropped, 0);
}

TEST(Classify, CnameChainInsideTheZoneEndsInAnswer) {
  auto b = run("a.example.", RRType::A, "example.", kOk, true,
               {rr("a.example. 300 IN CNAME b.example."), rr("b.example. 300 IN A 192.0.2.2")});
  EXPECT_EQ(b.classified.kind, Classification::answer);
  EXPECT_EQ(b.classified.records.size(), 2u);
  EXPECT_EQ(b.classified.chain_links, 1);
}

TEST(Classify, CnameLeavingTheZoneContinuesAndDropsTheTargetsData) {
  // A server of example. has no say over other.test.: its A record for the target is dropped.
  auto b = run("a.example.", RRType::A, "example.", kOk, true,
               {rr("a.example. 300 IN CNAME x.other.test."), rr("x.other.test. 300 IN A 192.0.2.66")});
  EXPECT_EQ(b.classified.kind, Classification::cname);
  EXPECT_EQ(b.classified.next_name, N("x.other.test."));
  EXPECT_EQ(b.classified.records.size(), 1u);
  EXPECT_EQ(b.scrubbed.dropped, 1);
}

TEST(Classify, DnameIsFollowedAndCnameSynthesisedWhenMissing) {
  auto b = run("www.old.example.", RRType::A, "example.", kOk, true, {rr("old.example. 300 IN DNAME new.example."),
                                                                      rr("www.new.example. 300 IN A 192.0.2.3")});
  EXPECT_EQ(b.classified.kind, Classification::answer);
  ASSERT_EQ(b.classified.records.size(), 3u);  // DNAME, synthesised CNAME, A
  EXPECT_EQ(b.classified.records[1].type, RRType::CNAME);
  EXPECT_EQ(b.classified.records[1].owner, N("www.old.example."));
}

TEST(Classify, UnrelatedAnswerRecordsAreScrubbed) {
  auto b = run("www.example.", RRType::A, "example.", kOk, true,
               {rr("www.example. 300 IN A 192.0.2.1"), rr("mail.example. 300 IN A 192.0.2.99"),
                rr("www.bank.test. 300 IN A 192.0.2.66")});
  EXPECT_EQ(b.classified.kind, Classification::answer);
  EXPECT_EQ(b.scrubbed.answer.size(), 1u);
  EXPECT_EQ(b.scrubbed.dropped, 2);
}

TEST(Classify, ReferralWithInBailiwickGlueOnly) {
  auto b = run("www.example.test.", RRType::A, "test.", kOk, false,
               {},
               {rr("example.test. 3600 IN NS ns1.example.test."), rr("example.test. 3600 IN NS ns.other.test."),
                rr("example.test. 3600 IN NS ns.elsewhere.")},
               {rr("ns1.example.test. 3600 IN A 192.0.2.10"), rr("ns.other.test. 3600 IN A 192.0.2.11"),
                rr("ns.elsewhere. 3600 IN A 192.0.2.66"), rr("unrelated.test. 3600 IN A 192.0.2.67")});
  ASSERT_EQ(b.classified.kind, Classification::referral);
  EXPECT_EQ(b.classified.child_zone, N("example.test."));
  EXPECT_EQ(b.classified.ns_names.size(), 3u);
  ASSERT_EQ(b.classified.glue.size(), 2u);  // ns.elsewhere. is out of bailiwick of test.; unrelated.test. is no NS
  for (const auto& g : b.classified.glue) EXPECT_NE(g.address.to_string(), "192.0.2.66");
  EXPECT_EQ(b.scrubbed.dropped, 2);
}

// A signed referral to an unsigned child carries the NSEC/NSEC3 records proving the child has no DS (RFC 4035
// §3.1.4): kept with their RRSIGs in Classified::child_no_ds, each record with its signatures or not at all,
// at most kMaxReferralNoDsProofKept; not when the referral has the DS itself.
TEST(Classify, ReferralWithoutDsKeepsItsNoDsProofBounded) {
  const char* sig = "example.test. 3600 IN RRSIG NSEC 13 2 3600 20360101000000 20260101000000 1234 test. AAAA";
  auto b = run("www.example.test.", RRType::A, "test.", kOk, false, {},
               {rr("example.test. 3600 IN NS ns.example.test."), rr("example.test. 3600 IN NSEC zz.test. NS RRSIG NSEC"),
                rr(sig)},
               {rr("ns.example.test. 3600 IN A 192.0.2.10")});
  ASSERT_EQ(b.classified.kind, Classification::referral);
  ASSERT_EQ(b.classified.child_no_ds.size(), 2u);
  EXPECT_EQ(b.classified.child_no_ds[0].type, RRType::NSEC);
  EXPECT_EQ(b.classified.child_no_ds[1].type, RRType::RRSIG);
  EXPECT_TRUE(b.classified.child_ds.empty());

  // A flood of NSEC3 records, each with its RRSIG: cut to whole pairs within the bound.
  std::vector<Record> auth{rr("example.test. 3600 IN NS ns.example.test.")};
  for (int i = 0; i < 60; ++i) {
    const std::string owner = "h" + std::to_string(i) + ".test.";
    auth.push_back(rr((owner + " 3600 IN NSEC3 1 1 0 - 0123456789ABCDEF0123456789ABCDEF NS").c_str()));
    auth.push_back(rr((owner + " 3600 IN RRSIG NSEC3 13 2 3600 20360101000000 20260101000000 1234 test. AAAA").c_str()));
  }
  auto flood = run("www.example.test.", RRType::A, "test.", kOk, false, {}, auth);
  ASSERT_EQ(flood.classified.kind, Classification::referral);
  EXPECT_EQ(flood.classified.child_no_ds.size(), kMaxReferralNoDsProofKept);
  for (std::size_t i = 0; i + 1 < flood.classified.child_no_ds.size(); i += 2) {
    EXPECT_EQ(flood.classified.child_no_ds[i].type, RRType::NSEC3);
    EXPECT_EQ(flood.classified.child_no_ds[i + 1].type, RRType::RRSIG);
  }

  // With the DS in the referral, no proof of absence is kept.
  auto with_ds = run("www.example.test.", RRType::A, "test.", kOk, false, {},
                     {rr("example.test. 3600 IN NS ns.example.test."),
                      rr("example.test. 3600 IN DS 1234 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"),
                      rr("example.test. 3600 IN RRSIG DS 13 2 3600 20360101000000 20260101000000 1234 test. AAAA"),
                      rr("example.test. 3600 IN NSEC zz.test. NS DS RRSIG NSEC"), rr(sig)});
  ASSERT_EQ(with_ds.classified.kind, Classification::referral);
  EXPECT_FALSE(with_ds.classified.child_ds.empty());
  EXPECT_TRUE(with_ds.classified.child_no_ds.empty());
}

TEST(Classify, ReferralForASiblingIsScrubbedToLame) {
  // A server of example.test. claims bank.test. (not below it, and not above the question).
  auto b = run("www.example.test.", RRType::A, "example.test.", kOk, false, {},
               {rr("bank.test. 3600 IN NS ns.evil.test.")});
  EXPECT_EQ(b.classified.kind, Classification::lame);
  EXPECT_EQ(b.scrubbed.dropped, 1);
}

TEST(Classify, UpwardReferralIsLame) {
  auto b = run("www.example.test.", RRType::A, "example.test.", kOk, false, {},
               {rr("test. 3600 IN NS ns1.nic.test.")});
  EXPECT_EQ(b.classified.kind, Classification::lame);  // test. is outside example.test.: scrubbed
  auto same = run("www.example.test.", RRType::A, "example.test.", kOk, false, {},
                  {rr("example.test. 3600 IN NS ns1.example.test.")});
  EXPECT_EQ(same.classified.kind, Classification::lame);  // referral to itself
  EXPECT_EQ(same.classified.reason, "upward or lateral referral");
}

TEST(Classify, NxdomainWithSoa) {
  auto b = run("nope.example.", RRType::A, "example.", wire::Rcode::NXDomain, true, {},
               {rr("example. 300 IN SOA ns.example. host.example. 1 3600 600 86400 60")});
  EXPECT_EQ(b.classified.kind, Classification::nxdomain);
  ASSERT_TRUE(b.classified.soa.has_value());
  EXPECT_EQ(negative_ttl(*b.classified.soa), 60u);  // RFC 2308 §5: min(TTL, MINIMUM)
}

TEST(Classify, NodataWithSoa) {
  auto b = run("www.example.", RRType::TXT, "example.", kOk, true, {},
               {rr("example. 30 IN SOA ns.example. host.example. 1 3600 600 86400 600")});
  EXPECT_EQ(b.classified.kind, Classification::nodata);
  EXPECT_EQ(negative_ttl(*b.classified.soa), 30u);
}

TEST(Classify, SoaOfAnotherZoneIsScrubbed) {
  auto b = run("www.example.", RRType::TXT, "example.", kOk, false, {},
               {rr("other.test. 30 IN SOA ns.other.test. host. 1 3600 600 86400 600")});
  EXPECT_EQ(b.classified.kind, Classification::lame);
  EXPECT_EQ(b.scrubbed.dropped, 1);
}

TEST(Classify, RcodesToNextServer) {
  EXPECT_EQ(run("a.example.", RRType::A, "example.", wire::Rcode::Refused, false, {}).classified.kind,
            Classification::lame);
  EXPECT_EQ(run("a.example.", RRType::A, "example.", wire::Rcode::ServFail, false, {}).classified.kind,
            Classification::throwaway);
  EXPECT_EQ(run("a.example.", RRType::A, "example.", wire::Rcode::FormErr, false, {}).classified.kind,
            Classification::throwaway);
}

TEST(Classify, NonAuthoritativeEmptyReplyIsLame) {
  auto b = run("a.example.", RRType::A, "example.", kOk, false, {});
  EXPECT_EQ(b.classified.kind, Classification::lame);
}

// The scrubber keeps an RRSIG only when it covers an RRset it kept (decided from the covered type in the
// RDATA before the record is copied out of the reply): the answer's A, the SOA, the NSEC, a referral's DS.
TEST(Scrub, KeepsOnlyTheSignaturesOfWhatItKept) {
  auto sig = [](const char* owner, const char* covered) {
    return rr((std::string(owner) + " 300 IN RRSIG " + covered +
               " 13 2 300 20300101000000 20260101000000 1 example. AAAA")
                  .c_str());
  };
  auto answer = run("www.example.", RRType::A, "example.", kOk, true,
                    {rr("www.example. 300 IN A 192.0.2.1"), sig("www.example.", "A"), sig("www.example.", "TXT"),
                     sig("other.example.", "A")});
  ASSERT_EQ(answer.scrubbed.dnssec.size(), 1u);
  EXPECT_EQ(answer.scrubbed.dnssec[0].rdata.as_rrsig()->type_covered, RRType::A);
  EXPECT_EQ(answer.scrubbed.dnssec[0].owner, N("www.example."));
  EXPECT_EQ(answer.scrubbed.answer.size(), 1u);
  EXPECT_EQ(answer.scrubbed.dropped, 3);  // the answer section's RRSIGs count as scrubbed, as they always did

  auto nodata = run("www.example.", RRType::A, "example.", kOk, true, {},
                    {rr("example. 300 IN SOA ns.example. h.example. 1 2 3 4 300"), sig("example.", "SOA"),
                     sig("example.", "NS"), rr("www.example. 300 IN NSEC z.example. TXT RRSIG NSEC"),
                     sig("www.example.", "NSEC"), sig("www.example.", "NSEC3")});
  ASSERT_EQ(nodata.scrubbed.dnssec.size(), 3u);  // the NSEC, then the RRSIGs over SOA and NSEC
  EXPECT_EQ(nodata.scrubbed.dnssec[1].rdata.as_rrsig()->type_covered, RRType::SOA);
  EXPECT_EQ(nodata.scrubbed.dnssec[2].rdata.as_rrsig()->type_covered, RRType::NSEC);

  auto referral = run("www.child.example.", RRType::A, "example.", kOk, false, {},
                      {rr("child.example. 300 IN NS ns.child.example."),
                       rr("child.example. 300 IN DS 1 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
                       sig("child.example.", "DS"), sig("child.example.", "NS"), sig("other.example.", "DS")});
  ASSERT_EQ(referral.scrubbed.referral_ds.size(), 2u);
  EXPECT_EQ(referral.scrubbed.referral_ds[0].type, RRType::DS);
  EXPECT_EQ(referral.scrubbed.referral_ds[1].rdata.as_rrsig()->type_covered, RRType::DS);
}

// Unbound's val_nodata: a signed zone's NODATA with only its NSEC/NSEC3 proof, no SOA, AA clear. The zone's
// signed proof for the name makes it NODATA (the validator then checks it); unsigned NSEC, a proof signed by
// another zone, or one signed below the name does not.
TEST(Classify, NonAuthoritativeReplyWithTheZonesSignedProofIsNodata) {
  const Record nsec = rr("www.example. 300 IN NSEC z.example. TXT RRSIG NSEC");
  auto sig = [](const char* signer) {
    return rr((std::string("www.example. 300 IN RRSIG NSEC 13 2 300 20300101000000 20260101000000 1 ") + signer +
               " AAAA")
                  .c_str());
  };
  auto b = run("www.example.", RRType::A, "example.", kOk, false, {}, {nsec, sig("example.")});
  EXPECT_EQ(b.classified.kind, Classification::nodata);
  EXPECT_FALSE(b.classified.soa.has_value());
  EXPECT_EQ(b.classified.dnssec.size(), 2u);
  const Record nsec3 = rr("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. 300 IN NSEC3 1 1 0 - 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG");
  const Record nsec3_sig = rr("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. 300 IN RRSIG NSEC3 13 2 300 20300101000000 20260101000000 1 example. AAAA");
  auto n3 = run("ent.example.", RRType::A, "example.", kOk, false, {}, {nsec3, nsec3_sig});
  EXPECT_EQ(n3.classified.kind, Classification::nodata);
  auto unsigned_nsec = run("www.example.", RRType::A, "example.", kOk, false, {}, {nsec});
  EXPECT_EQ(unsigned_nsec.classified.kind, Classification::lame);
  EXPECT_EQ(unsigned_nsec.classified.reason, "non-authoritative empty reply");
  auto other_signer = run("www.example.", RRType::A, "example.", kOk, false, {}, {nsec, sig("other.")});
  EXPECT_EQ(other_signer.classified.kind, Classification::lame);
  auto below = run("www.example.", RRType::A, "example.", kOk, false, {}, {nsec, sig("sub.www.example.")});
  EXPECT_EQ(below.classified.kind, Classification::lame);
  // Out of the zone asked: scrubbed, so the reply is empty.
  auto outside = run("www.example.", RRType::A, "example.", kOk, false, {},
                     {rr("www.other. 300 IN NSEC z.other. TXT RRSIG NSEC"),
                      rr("www.other. 300 IN RRSIG NSEC 13 2 300 20300101000000 20260101000000 1 other. AAAA")});
  EXPECT_EQ(outside.classified.kind, Classification::lame);
  // With an upward referral beside it, the server is lame whatever it signs.
  auto upward = run("www.example.", RRType::A, "example.", kOk, false, {},
                    {nsec, sig("example."), rr(". 3600 IN NS a.root-servers.net.")});
  EXPECT_EQ(upward.classified.kind, Classification::lame);
}

TEST(Classify, CnameLoopInsideOneReplyStops) {
  auto b = run("a.example.", RRType::A, "example.", kOk, true,
               {rr("a.example. 300 IN CNAME b.example."), rr("b.example. 300 IN CNAME a.example.")});
  EXPECT_EQ(b.classified.kind, Classification::cname);
  EXPECT_EQ(b.classified.next_name, N("a.example."));  // back where it started: the caller sees the loop
}

TEST(Classify, NxdomainAfterCnameIsAboutTheTarget) {
  auto b = run("a.example.", RRType::A, "example.", wire::Rcode::NXDomain, true,
               {rr("a.example. 300 IN CNAME gone.example.")},
               {rr("example. 300 IN SOA ns.example. host.example. 1 3600 600 86400 60")});
  EXPECT_EQ(b.classified.kind, Classification::nxdomain);
  EXPECT_EQ(b.classified.records.size(), 1u);
}

TEST(Classify, TooManyNsNamesAreCut) {
  std::vector<Record> ns;
  for (int i = 0; i < 100; ++i) {
    ns.push_back(rr(("victim.test. 3600 IN NS ns" + std::to_string(i) + ".nx" + std::to_string(i) + ".test.").c_str()));
  }
  auto b = run("www.victim.test.", RRType::A, "test.", kOk, false, {}, ns);
  ASSERT_EQ(b.classified.kind, Classification::referral);
  EXPECT_EQ(b.classified.ns_names.size(), kMaxNsPerDelegation);
}

TEST(Classify, DnameSubstitution) {
  EXPECT_EQ(*dname_substitute(N("a.b.old.example."), N("old.example."), N("new.test.")), N("a.b.new.test."));
  EXPECT_FALSE(dname_substitute(N("old.example."), N("old.example."), N("new.test.")).has_value());
  // Substitution that would exceed 255 octets fails (RFC 6672 §2.2, YXDOMAIN).
  std::string longtarget;
  for (int i = 0; i < 4; ++i) longtarget += std::string(60, 'x') + ".";
  std::string prefix = std::string(20, 'p') + ".";
  EXPECT_FALSE(dname_substitute(*Name::parse(prefix + "d.example."), N("d.example."), *Name::parse(longtarget)).has_value());
}


namespace {

// The same as run(), on a reply whose header `tweak` changes first (flags make_reply does not set).
template <typename Tweak>
Built run_tweaked(Tweak tweak, const char* qname, RRType qtype, const char* zone, wire::Rcode rcode, bool aa,
                  std::vector<Record> answer, std::vector<Record> authority = {}, std::vector<Record> additional = {}) {
  Query q;
  q.header.id = 7;
  q.question = wire::Question{N(qname), qtype, wire::RRClass::IN};
  Built b;
  b.bytes = make_reply(q, rcode, aa, answer, authority, additional);
  wire::Header h = wire::Header::read(b.bytes);
  tweak(h);
  h.write(b.bytes.data());
  auto view = wire::MessageView::parse(b.bytes);
  if (!view) {
    ADD_FAILURE() << wire::to_string(view.error());
    return b;
  }
  b.scrubbed = scrub(*view, q.question, N(zone));
  b.classified = classify(b.scrubbed, q.question, N(zone));
  return b;
}

const auto kRecursive = [](wire::Header& h) { h.ra = true; };

}  // namespace

// Unbound's iter_ranoaa_lame: RA without AA is a recursive server answering from its cache.
TEST(Classify, RecursiveAnswerWithoutAaIsLame) {
  auto b = run_tweaked(kRecursive, "www.example.", RRType::A, "example.", kOk, false,
                       {rr("www.example. 300 IN A 192.0.2.50")});
  EXPECT_EQ(b.classified.kind, Classification::lame);
  EXPECT_TRUE(b.classified.recursive_lame);
  EXPECT_TRUE(b.classified.records.empty());
  // With AA it is an authority that also recurses: an answer.
  auto aa = run_tweaked(kRecursive, "www.example.", RRType::A, "example.", kOk, true,
                        {rr("www.example. 300 IN A 192.0.2.50")});
  EXPECT_EQ(aa.classified.kind, Classification::answer);
}

TEST(Classify, RecursiveNegativeAnswerWithoutAaIsLame) {
  auto b = run_tweaked(kRecursive, "nope.example.", RRType::A, "example.", wire::Rcode::NXDomain, false, {},
                       {rr("example. 300 IN SOA ns.example. host.example. 1 2 3 4 5")});
  EXPECT_EQ(b.classified.kind, Classification::lame);
}

// A recursive server (RA without AA) stays lame even with a signed proof: its cache's copy.
TEST(Classify, RecursiveReplyWithASignedProofIsStillLame) {
  auto b = run_tweaked(kRecursive, "www.example.", RRType::A, "example.", kOk, false, {},
                       {rr("www.example. 300 IN NSEC z.example. TXT RRSIG NSEC"),
                        rr("www.example. 300 IN RRSIG NSEC 13 2 300 20300101000000 20260101000000 1 example. AAAA")});
  EXPECT_EQ(b.classified.kind, Classification::lame);
  EXPECT_TRUE(b.classified.recursive_lame);
}

TEST(Classify, ReferralWithRaIsStillAReferral) {
  auto b = run_tweaked(kRecursive, "www.sub.example.", RRType::A, "example.", kOk, false, {},
                       {rr("sub.example. 300 IN NS ns.sub.example.")}, {rr("ns.sub.example. 300 IN A 192.0.2.7")});
  EXPECT_EQ(b.classified.kind, Classification::referral);
  EXPECT_FALSE(b.classified.recursive_lame);
}

// Unbound's iter_lame_aaaa: AA, nothing answered, the root's NS in authority: an upward referral, lame
// (not NODATA, which would be cached and answered).
TEST(Classify, AuthoritativeUpwardReferralIsLameNotNodata) {
  auto b = run("example.com.", RRType::AAAA, "example.com.", kOk, true, {},
               {rr(". 3600 IN NS a.root-servers.net.")}, {rr("a.root-servers.net. 3600 IN A 198.41.0.4")});
  EXPECT_TRUE(b.scrubbed.upward_ns);
  EXPECT_EQ(b.classified.kind, Classification::lame);
  // The zone's own NS with AA stays the NODATA-without-SOA it was.
  auto own = run("example.com.", RRType::AAAA, "example.com.", kOk, true, {},
                 {rr("example.com. 3600 IN NS ns.example.com.")});
  EXPECT_FALSE(own.scrubbed.upward_ns);
  EXPECT_EQ(own.classified.kind, Classification::nodata);
}

// Unbound's iter_dname_yx, RFC 6672 §2.2: YXDOMAIN with the DNAME whose substitution would exceed 255
// octets is the answer.
TEST(Classify, YxdomainWithOverflowingDnameIsAnAnswer) {
  // 253 octets: any name substituted below it exceeds 255.
  const std::string label(63, 'x');
  const std::string target = label + "." + label + "." + label + "." + std::string(59, 'y') + ".";
  auto b = run("too.long.", RRType::A, "long.", wire::Rcode::YXDomain, true,
               {rr(("long. 3600 IN DNAME " + target).c_str())});
  EXPECT_EQ(b.classified.kind, Classification::yxdomain);
  ASSERT_EQ(b.classified.records.size(), 1u);
  EXPECT_EQ(b.classified.records[0].type, RRType::DNAME);
  // Without the DNAME, YXDOMAIN is junk from this server.
  auto bare = run("too.long.", RRType::A, "long.", wire::Rcode::YXDomain, true, {});
  EXPECT_EQ(bare.classified.kind, Classification::throwaway);
}

// Unbound's val_ta_algo_dnskey and val_unalgo_anchor: a server puts the answer's second RRSIG in the
// additional section and an RRSIG of the additional record in the answer section. Every RRSIG covering the
// answer RRset is kept, from whichever section (as Unbound's parser joins them); the misplaced one is not.
TEST(Classify, EveryRrsigOfTheAnswerIsKeptFromAnySection) {
  const char* sig5 = "www.example. 3600 IN RRSIG A 5 2 3600 20070926134150 20070829134150 30899 example. AAAA";
  const char* sig3 = "www.example. 3600 IN RRSIG A 3 2 3600 20070926134150 20070829134150 2854 example. AQID";
  const char* ns_sig = "ns.example. 3600 IN RRSIG A 3 2 3600 20070926134150 20070829134150 2854 example. BAUG";
  auto b = run("www.example.", RRType::A, "example.", kOk, true,
               {rr("www.example. 300 IN A 192.0.2.1"), rr(ns_sig), rr(sig5)}, {rr("example. 3600 IN NS ns.example.")},
               {rr("ns.example. 3600 IN A 192.0.2.53"), rr(sig3), rr(sig5)});
  EXPECT_EQ(b.classified.kind, Classification::answer);
  std::vector<Record> want{rr(sig5), rr(sig3)};
  EXPECT_EQ(b.classified.dnssec, want);  // each once, the answer section's first; not ns.example.'s
}

// Unbound's val_dnametoolong: the YXDOMAIN's DNAME keeps its RRSIG (the validator and a DO reply need it).
TEST(Classify, YxdomainKeepsTheDnamesRrsig) {
  const std::string label(63, 'x');
  const std::string target = label + "." + label + "." + label + "." + std::string(59, 'y') + ".";
  const char* sig = "long. 3600 IN RRSIG DNAME 8 1 3600 20070926134150 20070829134150 2854 long. AQID";
  auto b = run("too.long.", RRType::A, "long.", wire::Rcode::YXDomain, true,
               {rr(("long. 3600 IN DNAME " + target).c_str()), rr(sig)});
  EXPECT_EQ(b.classified.kind, Classification::yxdomain);
  EXPECT_EQ(b.classified.dnssec, std::vector<Record>{rr(sig)});
}

// Unbound's val_rrsig: for an RRSIG question the RRSIG records are the answer (RFC 4035 §3.1.5), not an
// empty reply beside an NS RRset (which read as an upward referral).
TEST(Classify, RrsigQuestionIsAnsweredWithRrsigs) {
  const char* sig = "www.example. 3600 IN RRSIG A 8 2 3600 20070926134150 20070829134150 2854 example. AQID";
  auto b = run("www.example.", RRType::RRSIG, "example.", kOk, false, {rr(sig)}, {rr("example. 3600 IN NS ns.example.")});
  EXPECT_EQ(b.classified.kind, Classification::answer);
  EXPECT_EQ(b.classified.records, std::vector<Record>{rr(sig)});
  // For any other question an RRSIG is never the data.
  auto a = run("www.example.", RRType::A, "example.", kOk, true, {rr(sig)});
  EXPECT_TRUE(a.classified.records.empty());
}

// Unbound's val_cnameother: a CNAME and data of the asked type at one name (RFC 2181 §10.1 allows no other
// data beside a CNAME). The server's first word decides, as in Unbound: the data when it comes first, the
// CNAME (followed) when it does.
TEST(Classify, CnameAndDataAtOneNameTakeTheFirstTheServerSent) {
  const char* a = "www.example. 300 IN A 192.0.2.1";
  const char* cname = "www.example. 300 IN CNAME tgt.example.";
  const char* tgt = "tgt.example. 300 IN A 192.0.2.2";
  auto data_first = run("www.example.", RRType::A, "example.", kOk, true, {rr(a), rr(cname)});
  EXPECT_EQ(data_first.classified.kind, Classification::answer);
  EXPECT_EQ(data_first.classified.records, std::vector<Record>{rr(a)});
  auto cname_first = run("www.example.", RRType::A, "example.", kOk, true, {rr(cname), rr(a)});
  EXPECT_EQ(cname_first.classified.kind, Classification::cname);
  EXPECT_EQ(cname_first.classified.next_name, N("tgt.example."));
  EXPECT_EQ(cname_first.classified.records, std::vector<Record>{rr(cname)});
  auto with_target = run("www.example.", RRType::A, "example.", kOk, true, {rr(cname), rr(a), rr(tgt)});
  EXPECT_EQ(with_target.classified.kind, Classification::answer);
  EXPECT_EQ(with_target.classified.records, (std::vector<Record>{rr(cname), rr(tgt)}));
  // A CNAME question takes the CNAME, an ANY question everything at the name, whatever the order.
  auto cname_q = run("www.example.", RRType::CNAME, "example.", kOk, true, {rr(a), rr(cname)});
  EXPECT_EQ(cname_q.classified.records, std::vector<Record>{rr(cname)});
  auto any_q = run("www.example.", RRType::ANY, "example.", kOk, true, {rr(cname), rr(a)});
  EXPECT_EQ(any_q.classified.records.size(), 2u);
}

}  // namespace
}  // namespace dkimdoctor::resolver
