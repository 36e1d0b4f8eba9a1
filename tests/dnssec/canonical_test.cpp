// Canonical form and order (RFC 4034 §6) and the signed data layout (RFC 4034 §3.1.8.1).
#include <gtest/gtest.h>

#include "dnssec/canonical.hpp"
#include "tests/dnssec/test_util.hpp"

namespace dkimdoctor::dnssec {
namespace {

using test::name;
using wire::Rdata;
using wire::RRType;

std::vector<std::uint8_t> bytes_of(RRType type, std::string_view text) {
  auto rd = Rdata::parse(type, text);
  EXPECT_TRUE(rd.ok()) << text;
  return rd.ok() ? rd->bytes() : std::vector<std::uint8_t>{};
}

TEST(CanonicalRdata, LowercasesNamesOfTheListedTypesOnly) {
  // RFC 4034 §6.2 item 3: MX, NS, SOA, SRV, RRSIG names lowercased.
  EXPECT_EQ(canonical_rdata(*Rdata::parse(RRType::MX, "10 Mail.EXAMPLE.com.")),
            bytes_of(RRType::MX, "10 mail.example.com."));
  EXPECT_EQ(canonical_rdata(*Rdata::parse(RRType::NS, "NS1.Example.")), bytes_of(RRType::NS, "ns1.example."));
  EXPECT_EQ(canonical_rdata(*Rdata::parse(RRType::SOA, "NS.Example. Host.EXAMPLE. 1 2 3 4 5")),
            bytes_of(RRType::SOA, "ns.example. host.example. 1 2 3 4 5"));
  EXPECT_EQ(canonical_rdata(*Rdata::parse(RRType::SRV, "1 2 3 Target.Example.")),
            bytes_of(RRType::SRV, "1 2 3 target.example."));
  // RFC 6840 §5.1: NSEC's next name keeps its case; TXT is data, never touched.
  const auto nsec = *Rdata::parse(RRType::NSEC, "Host.Example. A RRSIG");
  EXPECT_EQ(canonical_rdata(nsec), nsec.bytes());
  const auto txt = *Rdata::parse(RRType::TXT, "\"Hello WORLD\"");
  EXPECT_EQ(canonical_rdata(txt), txt.bytes());
}

TEST(CanonicalOrder, SortsAsUnsignedOctetsAndDropsDuplicates) {
  RRset set{name("example."), RRType::A, wire::RRClass::IN, 300, {}};
  for (const char* a : {"192.0.2.200", "192.0.2.3", "10.0.0.1", "192.0.2.3"})
    set.rdatas.push_back(*Rdata::parse(RRType::A, a));
  const auto sorted = canonical_rdatas(set);
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0], bytes_of(RRType::A, "10.0.0.1"));
  EXPECT_EQ(sorted[1], bytes_of(RRType::A, "192.0.2.3"));
  EXPECT_EQ(sorted[2], bytes_of(RRType::A, "192.0.2.200"));  // 200 > 3 as an octet, not as text
  // A shorter RDATA that is a prefix of a longer one sorts first (RFC 4034 §6.3).
  RRset txt{name("example."), RRType::TXT, wire::RRClass::IN, 300, {}};
  txt.rdatas = {*Rdata::parse(RRType::TXT, "\"ab\" \"c\""), *Rdata::parse(RRType::TXT, "\"ab\"")};
  const auto t = canonical_rdatas(txt);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0], txt.rdatas[1].bytes());
  // Names that differ only in case are duplicates once canonical.
  RRset ns{name("example."), RRType::NS, wire::RRClass::IN, 300, {}};
  ns.rdatas = {*Rdata::parse(RRType::NS, "NS.example."), *Rdata::parse(RRType::NS, "ns.EXAMPLE.")};
  EXPECT_EQ(canonical_rdatas(ns).size(), 1u);
}

TEST(SignedOwner, WildcardLabelCount) {
  // RFC 4035 §5.3.2: labels < owner labels -> "*." + the rightmost `labels` labels.
  EXPECT_EQ(signed_owner(name("a.Z.w.example."), 4)->to_string(), "a.z.w.example.");
  EXPECT_EQ(signed_owner(name("a.z.w.example."), 2)->to_string(), "*.w.example.");
  EXPECT_EQ(signed_owner(name("a.z.w.example."), 0)->to_string(), "*.");
  EXPECT_FALSE(signed_owner(name("w.example."), 3).has_value());
}

TEST(SignedData, LayoutIsPrefixThenCanonicalRecords) {
  wire::rdata::Rrsig sig;
  sig.type_covered = RRType::A;
  sig.algorithm = 13;
  sig.labels = 1;
  sig.original_ttl = 0x0E10;
  sig.expiration = 0x01020304;
  sig.inception = 0x01020300;
  sig.key_tag = 0xABCD;
  sig.signer = name("Example.");
  sig.signature = {1, 2, 3};
  RRset set{name("x.y.example."), RRType::A, wire::RRClass::IN, 5, {}};
  set.rdatas = {*Rdata::parse(RRType::A, "192.0.2.2"), *Rdata::parse(RRType::A, "192.0.2.1")};
  const auto data = signed_data(sig, set);
  ASSERT_TRUE(data.has_value());
  const std::vector<std::uint8_t> prefix = {0, 1, 13, 1, 0, 0, 0x0E, 0x10, 1, 2, 3, 4, 1, 2, 3, 0, 0xAB, 0xCD,
                                            7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
  ASSERT_GE(data->size(), prefix.size());
  EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), data->begin()));
  // Each RR: owner "*.example." (labels 1 < 3), type A, class IN, the ORIGINAL TTL (not 5), rdlength 4.
  const std::vector<std::uint8_t> rr1 = {1, '*', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1,
                                         0, 0, 0x0E, 0x10, 0, 4, 192, 0, 2, 1};
  ASSERT_EQ(data->size(), prefix.size() + 2 * rr1.size());
  EXPECT_TRUE(std::equal(rr1.begin(), rr1.end(), data->begin() + static_cast<std::ptrdiff_t>(prefix.size())));
  EXPECT_EQ(data->back(), 2);  // 192.0.2.2 last: canonical order
  sig.labels = 4;  // more than the owner's 3
  EXPECT_FALSE(signed_data(sig, set).has_value());
}

}  // namespace
}  // namespace dkimdoctor::dnssec
