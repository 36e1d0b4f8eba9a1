// gather() of tasks that leave their results themselves (resolver/gather.hpp): every task runs, gather()
// returns only after the last one ended, whatever order they end in, and a task that throws (a bug) does not
// keep the others from ending or gather() from returning.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "resolver/gather.hpp"

namespace dkimdoctor::resolver {
namespace {

// Lets the other tasks run `turns` times before writing `value` into `slot` and counting itself done.
asio::awaitable<void> write_after(int turns, int value, int& slot, int& done) {
  auto ex = co_await asio::this_coro::executor;
  for (int i = 0; i < turns; ++i) co_await asio::post(ex, asio::use_awaitable);
  slot = value;
  ++done;
}

asio::awaitable<void> throw_after(int turns, int& done) {
  auto ex = co_await asio::this_coro::executor;
  for (int i = 0; i < turns; ++i) co_await asio::post(ex, asio::use_awaitable);
  ++done;
  throw std::runtime_error("a bug");
}

// Runs gather() over `make(slots, done)`'s tasks; returns how many had ended when gather() returned.
template <class Make>
int gathered(Make make, std::vector<int>& slots) {
  asio::io_context io;
  int done = 0;
  int done_at_return = -1;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await gather(io.get_executor(), make(slots, done));
        done_at_return = done;
      },
      asio::detached);
  io.run();
  return done_at_return;
}

TEST(GatherVoid, EveryTaskWritesItsSlotBeforeGatherReturns) {
  std::vector<int> slots(5, -1);
  // The first task ends last, the last first.
  const int done = gathered(
      [](std::vector<int>& s, int& d) {
        std::vector<asio::awaitable<void>> tasks;
        for (int i = 0; i < 5; ++i) tasks.push_back(write_after(5 - i, 10 * i, s[static_cast<std::size_t>(i)], d));
        return tasks;
      },
      slots);
  EXPECT_EQ(done, 5);
  EXPECT_EQ(slots, (std::vector<int>{0, 10, 20, 30, 40}));
}

TEST(GatherVoid, NoTasksReturnsAtOnce) {
  std::vector<int> slots;
  EXPECT_EQ(gathered([](std::vector<int>&, int&) { return std::vector<asio::awaitable<void>>{}; }, slots), 0);
}

TEST(GatherVoid, ATaskThatThrowsLosesNoOtherResult) {
  std::vector<int> slots(3, -1);
  const int done = gathered(
      [](std::vector<int>& s, int& d) {
        std::vector<asio::awaitable<void>> tasks;
        tasks.push_back(write_after(3, 1, s[0], d));
        tasks.push_back(throw_after(1, d));
        tasks.push_back(write_after(2, 3, s[2], d));
        return tasks;
      },
      slots);
  EXPECT_EQ(done, 3);
  EXPECT_EQ(slots, (std::vector<int>{1, -1, 3}));
}

}  // namespace
}  // namespace dkimdoctor::resolver
