// Resolver::stop(): every resolution and probe in flight ends with "stopped" without another query, later
// ones end at once without sending anything, and the io_context is left with no work of the resolver's,
// so a caller (bulk after Ctrl-C) can tear everything down cleanly.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>

#include <optional>
#include <vector>

#include "resolver/resolver.hpp"
#include "tests/resolver/harness.hpp"

namespace dkimdoctor::resolver {
namespace {

using testsupport::Net;
using testsupport::Query;
using testsupport::Reply;

wire::Name N(std::string_view text) { return *wire::Name::parse(text); }

TEST(Stop, EndsWhatIsInFlightAndSendsNothingMore) {
  Net net;
  // A root that never answers: every resolution and probe waits on it.
  auto& silent = net.serve(1, [](const Query&) { return Reply{.drop = true}; });
  Resolver res(net.io.get_executor(), net.options({1}));
  std::vector<std::optional<Resolution>> resolved(3);
  std::optional<ZoneProbe> probed;
  for (std::size_t i = 0; i < resolved.size(); ++i) {
    asio::co_spawn(net.io, res.resolve(N("name" + std::to_string(i) + ".example.test"), wire::RRType::TXT),
                   [&resolved, i](std::exception_ptr e, Resolution r) {
                     ASSERT_FALSE(e);
                     resolved[i] = std::move(r);
                   });
  }
  asio::co_spawn(net.io, res.probe(N("example.test"), {}), [&probed](std::exception_ptr e, ZoneProbe p) {
    ASSERT_FALSE(e);
    probed = std::move(p);
  });
  // Until the silent root has seen a query: the walks are waiting for its replies.
  while (silent.udp_queries() == 0) net.io.run_one();
  ASSERT_FALSE(resolved[0] || probed) << "nothing can have ended yet";

  res.stop();
  EXPECT_TRUE(res.stopped());
  // Counted as each datagram or TCP query leaves (queries_sent is added up as exchanges end).
  auto sent = [&res] { return res.stats().transport.udp_queries + res.stats().transport.tcp_queries; };
  const std::uint64_t sent_at_stop = sent();
  ASSERT_GT(sent_at_stop, 0u);
  auto all_done = [&] {
    for (const auto& r : resolved)
      if (!r) return false;
    return probed.has_value();
  };
  while (!all_done()) net.io.run_one();

  for (const auto& r : resolved) {
    EXPECT_EQ(r->outcome, Outcome::failed);
    EXPECT_EQ(r->failure, Failure::stopped) << to_string(r->failure) << ": " << r->failure_detail;
  }
  EXPECT_FALSE(probed->zone_found);
  EXPECT_EQ(probed->failure, Failure::stopped) << to_string(probed->failure);
  EXPECT_EQ(sent(), sent_at_stop) << "a query went out after stop()";

  // Later work ends at once, without a query.
  const Resolution later = net.run(res.resolve(N("later.example.test"), wire::RRType::A));
  EXPECT_EQ(later.failure, Failure::stopped);
  EXPECT_EQ(later.queries, 0);
  EXPECT_EQ(sent(), sent_at_stop);
}

}  // namespace
}  // namespace dkimdoctor::resolver
