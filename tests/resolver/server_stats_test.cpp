// Server selection: SRTT smoothing, preference for the fastest, exploration of unknown servers,
// timeout penalties and their recovery, per-try timeouts within the limits.
#include <gtest/gtest.h>

#include <map>

#include "resolver/limits.hpp"
#include "resolver/server_stats.hpp"

namespace dkimdoctor::resolver {
namespace {

using namespace std::chrono_literals;

const auto kA = asio::ip::make_address("192.0.2.1");
const auto kB = asio::ip::make_address("192.0.2.2");
const auto kC = asio::ip::make_address("2001:db8::3");

std::map<std::size_t, int> choose(const ServerStats& s, const std::vector<asio::ip::address>& c, int n) {
  RandomPool random;
  std::map<std::size_t, int> picks;
  for (int i = 0; i < n; ++i) ++picks[s.select(c, random)];
  return picks;
}

TEST(ServerStats, SmoothsRtt) {
  ServerStats s;
  EXPECT_FALSE(s.known(kA));
  s.record_rtt(kA, 10ms);
  EXPECT_EQ(s.srtt_us(kA), 10000);
  s.record_rtt(kA, 20ms);
  EXPECT_EQ(s.srtt_us(kA), 13000);  // 0.7 * 10 + 0.3 * 20
}

TEST(ServerStats, PrefersTheFastestButStillExplores) {
  ServerStats s;
  s.record_rtt(kA, 10ms);
  s.record_rtt(kB, 80ms);
  auto picks = choose(s, {kA, kB}, 2000);
  EXPECT_GT(picks[0], 1800);
  EXPECT_GT(picks[1], 10);  // one in 20 goes to a random candidate: about 50 here
}

TEST(ServerStats, UnknownServersAreTriedBeforeSlowOnes) {
  ServerStats s;
  s.record_rtt(kA, 100ms);
  auto picks = choose(s, {kA, kB, kC}, 1000);
  EXPECT_LT(picks[0], 100);
  EXPECT_GT(picks[1], 300);  // B and C (never measured) share the rest at random
  EXPECT_GT(picks[2], 300);
}

TEST(ServerStats, TimeoutsPenaliseAndAnAnswerRecovers) {
  ServerStats s;
  s.record_rtt(kA, 5ms);
  s.record_rtt(kB, 30ms);
  s.record_timeout(kA);
  EXPECT_GE(s.srtt_us(kA), 2 * kUnknownServerTimeout.count() * 1000);
  EXPECT_GT(choose(s, {kA, kB}, 1000)[1], 900);
  for (int i = 0; i < 10; ++i) s.record_timeout(kA);
  EXPECT_LE(s.srtt_us(kA), 5'000'000);  // capped
  s.record_rtt(kA, 5ms);
  EXPECT_EQ(s.srtt_us(kA), 5000);  // back to the truth at once
}

TEST(ServerStats, ASilentServerIsLeftOutOfExploration) {
  ServerStats s;
  s.record_rtt(kA, 10ms);
  s.record_timeout(kB);  // its last try timed out: no random pick may send a query its way
  auto picks = choose(s, {kA, kB}, 4000);
  EXPECT_EQ(picks[1], 0);
  EXPECT_EQ(picks[0], 4000);
  // When every candidate is silent, the choice falls back to the best SRTT rather than to nothing.
  s.record_timeout(kA);
  s.record_timeout(kB);
  auto all_silent = choose(s, {kA, kB}, 200);
  EXPECT_EQ(all_silent[0] + all_silent[1], 200);
  // An answer ends the silence: B is explored again.
  s.record_rtt(kB, 80ms);
  s.record_rtt(kA, 10ms);
  EXPECT_GT(choose(s, {kA, kB}, 4000)[1], 20);
}

TEST(ServerStats, TryTimeoutStaysWithinLimits) {
  ServerStats s;
  EXPECT_EQ(s.try_timeout(kA), kUnknownServerTimeout);  // never measured
  s.record_rtt(kA, 100ms);
  EXPECT_EQ(s.try_timeout(kA), 300ms);  // RFC 6298 first sample: srtt + 4 * (srtt / 2)
  s.record_rtt(kB, 1500ms);
  EXPECT_EQ(s.try_timeout(kB), kMaxTryTimeout);
  s.record_rtt(kC, 1ms);
  EXPECT_EQ(s.try_timeout(kC), kMinTryTimeout);  // a fast server: the floor, not 400 ms
}

TEST(ServerStats, RtoFollowsVarianceAndDoublesOnTimeouts) {
  ServerStats s;
  for (int i = 0; i < 20; ++i) s.record_rtt(kA, 60ms);
  EXPECT_LT(s.try_timeout(kA), 100ms);  // steady RTT: rttvar shrinks towards 0, RTO towards the SRTT
  EXPECT_GE(s.try_timeout(kA), 60ms);
  const auto before = s.try_timeout(kA);
  s.record_timeout(kA);
  EXPECT_NEAR(s.try_timeout(kA).count(), 2 * before.count(), 2);
  s.record_timeout(kA);
  EXPECT_NEAR(s.try_timeout(kA).count(), 4 * before.count(), 4);
  for (int i = 0; i < 10; ++i) s.record_timeout(kA);
  EXPECT_EQ(s.try_timeout(kA), kMaxTryTimeout);
  s.record_rtt(kA, 60ms);  // an answer: back to the measured RTO at once
  EXPECT_EQ(s.try_timeout(kA), 180ms);
  s.record_timeout(kB);  // never measured: backs off from the unknown-server timeout
  EXPECT_EQ(s.try_timeout(kB), 2 * kUnknownServerTimeout);
}

TEST(RandomPool, UniformStaysInRangeAndCoversIt) {
  RandomPool r;
  std::map<std::uint32_t, int> seen;
  for (int i = 0; i < 7000; ++i) {
    const auto v = r.uniform(7);
    ASSERT_LT(v, 7u);
    ++seen[v];
  }
  EXPECT_EQ(seen.size(), 7u);
  for (const auto& [v, n] : seen) EXPECT_GT(n, 700) << v;
  EXPECT_EQ(r.uniform(1), 0u);
  EXPECT_EQ(r.uniform(0), 0u);
}

}  // namespace
}  // namespace dkimdoctor::resolver
