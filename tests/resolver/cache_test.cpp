// The cache: RRsets with TTLs, negative answers, delegations, TTL 0, capacity eviction (entries and bytes).
#include <gtest/gtest.h>

#include "resolver/cache.hpp"
#include "resolver/limits.hpp"
#include "tests/support/fault_server.hpp"

namespace dkimdoctor::resolver {
namespace {

using testsupport::rr;
using wire::Name;
using wire::RRType;

Name N(const char* s) { return *Name::parse(s); }

TEST(Cache, StoresRRsetsCaseInsensitivelyWithOneTtl) {
  Cache c(100);
  c.store_records({rr("www.example. 300 IN A 192.0.2.1"), rr("WWW.example. 100 IN A 192.0.2.2"),
                   rr("www.example. 300 IN TXT \"x\"")});
  auto a = c.rrset(N("www.EXAMPLE."), RRType::A);
  ASSERT_TRUE(a.has_value());
  ASSERT_EQ(a->size(), 2u);
  for (const auto& r : *a) EXPECT_LE(r.ttl, 100u);  // RFC 2181 §5.2: the RRset's TTL is the smallest
  EXPECT_TRUE(c.rrset(N("www.example."), RRType::TXT).has_value());
  EXPECT_FALSE(c.rrset(N("www.example."), RRType::AAAA).has_value());
}

TEST(Cache, PeekAddressesFindsBothFamiliesOfOneName) {
  Cache c(100);
  c.store_records({rr("ns1.example. 300 IN A 192.0.2.1"), rr("ns1.example. 300 IN AAAA 2001:db8::1"),
                   rr("ns2.example. 300 IN A 192.0.2.2"), rr("ns1.example. 300 IN TXT \"not an address\"")});
  const auto both = c.peek_addresses(N("NS1.Example."));
  ASSERT_NE(both.a, nullptr);
  ASSERT_NE(both.aaaa, nullptr);
  ASSERT_EQ(both.a->size(), 1u);
  EXPECT_EQ(both.a->front().rdata.to_string(), "192.0.2.1");
  EXPECT_EQ(both.aaaa->front().rdata.to_string(), "2001:db8::1");
  const auto v4 = c.peek_addresses(N("ns2.example."));
  ASSERT_NE(v4.a, nullptr);
  EXPECT_EQ(v4.aaaa, nullptr);
  const auto none = c.peek_addresses(N("ns3.example."));
  EXPECT_EQ(none.a, nullptr);
  EXPECT_EQ(none.aaaa, nullptr);
}

TEST(Cache, TtlZeroIsNotCached) {
  Cache c(100);
  c.store_records({rr("www.example. 0 IN A 192.0.2.1")});
  EXPECT_FALSE(c.rrset(N("www.example."), RRType::A).has_value());
}

TEST(Cache, HugeTtlsAreClamped) {
  Cache c(100);
  c.store_records({rr("www.example. 2147483647 IN A 192.0.2.1")});
  auto a = c.rrset(N("www.example."), RRType::A);
  ASSERT_TRUE(a.has_value());
  EXPECT_LE(a->front().ttl, kMaxCacheTtl);
}

TEST(Cache, NegativeAnswers) {
  Cache c(100);
  const auto soa = rr("example. 300 IN SOA ns.example. host.example. 1 3600 600 86400 60");
  c.store_nxdomain(N("gone.example."), soa, 60);
  c.store_nodata(N("www.example."), RRType::TXT, soa, 60);
  auto nx = c.negative(N("gone.example."), RRType::MX);  // NXDOMAIN covers every type
  ASSERT_TRUE(nx.has_value());
  EXPECT_TRUE(nx->nxdomain);
  auto nodata = c.negative(N("www.example."), RRType::TXT);
  ASSERT_TRUE(nodata.has_value());
  EXPECT_FALSE(nodata->nxdomain);
  EXPECT_FALSE(c.negative(N("www.example."), RRType::A).has_value());
  // A signed referral's proof that a child has no DS: a NODATA without SOA, its records kept.
  c.store_nodata(N("sub.example."), RRType::DS, std::nullopt, 60, {rr("sub.example. 60 IN NSEC z.example. NS RRSIG NSEC")});
  auto no_ds = c.negative(N("sub.example."), RRType::DS);
  ASSERT_TRUE(no_ds.has_value());
  EXPECT_FALSE(no_ds->soa.has_value());
  ASSERT_EQ(no_ds->proof.size(), 1u);
  EXPECT_EQ(no_ds->proof.front().type, RRType::NSEC);
}

TEST(Cache, Delegations) {
  Cache c(100);
  CachedDelegation d;
  d.zone = N("example.");
  d.parent = N(".");
  d.servers.push_back({N("ns1.example."), {asio::ip::make_address("192.0.2.53")}});
  c.store_delegation(d, 3600);
  auto got = c.delegation(N("EXAMPLE."));
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->servers.size(), 1u);
  EXPECT_EQ(got->servers[0].glue.size(), 1u);
  EXPECT_FALSE(c.delegation(N("www.example.")).has_value());
}

TEST(Cache, CapacityEvictsLeastRecentlyUsed) {
  Cache c(16);
  for (int i = 0; i < 16; ++i) {
    c.store_records({rr(("n" + std::to_string(i) + ".example. 300 IN A 192.0.2.1").c_str())});
  }
  ASSERT_TRUE(c.rrset(N("n0.example."), RRType::A).has_value());  // n0 is now the most recent
  c.store_records({rr("new.example. 300 IN A 192.0.2.1")});
  EXPECT_TRUE(c.rrset(N("n0.example."), RRType::A).has_value());
  EXPECT_FALSE(c.rrset(N("n1.example."), RRType::A).has_value());  // the least recently used went
  EXPECT_EQ(c.stats().entries, 16u);
  EXPECT_EQ(c.stats().evictions, 1u);
}

std::vector<wire::Record> big_rrset(const std::string& owner, int n) {
  std::vector<wire::Record> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(rr((owner + " 300 IN A 10." + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) +
                      "." + std::to_string(i % 256)).c_str()));
  }
  return out;
}

TEST(Cache, BytesAreBoundedAndLeastRecentlyUsedGoFirst) {
  // 1 MiB of bytes, plenty of entries: 1000-record RRsets (~0.3 MB each as stored) fit about three at
  // a time.
  Cache c(100000, 1024 * 1024);
  const auto one = big_rrset("r0.example.", 1000);
  c.store_rrset(one);
  const std::size_t per_set = c.stats().bytes;
  EXPECT_GE(per_set, 1000 * sizeof(wire::Record));
  for (int i = 1; i < 20; ++i) {
    c.store_rrset(big_rrset("r" + std::to_string(i) + ".example.", 1000));
    EXPECT_TRUE(c.rrset(N("r1.example."), RRType::A).has_value());  // r1 kept: used at every step
    EXPECT_LE(c.stats().bytes, 1024u * 1024u);
  }
  EXPECT_LE(c.stats().entries, 1024 * 1024 / per_set);
  EXPECT_GT(c.stats().evictions, 10u);
  EXPECT_FALSE(c.rrset(N("r0.example."), RRType::A).has_value());  // least recently used: gone
  EXPECT_TRUE(c.rrset(N("r1.example."), RRType::A).has_value());   // used at every step: kept
  EXPECT_TRUE(c.rrset(N("r19.example."), RRType::A).has_value());  // newest: kept
  // Small entries still fit alongside; clear() gives every byte back.
  c.store_records({rr("www.example. 300 IN A 192.0.2.1")});
  EXPECT_TRUE(c.rrset(N("www.example."), RRType::A).has_value());
  c.clear();
  EXPECT_EQ(c.stats().bytes, 0u);
}

TEST(Cache, AnEntryLargerThanTheByteCapacityIsNotCached) {
  Cache c(100000, 64 * 1024);
  c.store_records({rr("www.example. 300 IN A 192.0.2.1")});
  c.store_rrset(big_rrset("huge.example.", 1000));
  EXPECT_FALSE(c.rrset(N("huge.example."), RRType::A).has_value());
  EXPECT_TRUE(c.rrset(N("www.example."), RRType::A).has_value());  // and it evicted nothing
  EXPECT_EQ(c.stats().too_large, 1u);
}

}  // namespace
}  // namespace dkimdoctor::resolver
