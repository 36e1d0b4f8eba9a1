// gather(): run coroutines concurrently on one executor and collect their results in order (Asio 1.22
// has no when_all for awaitables). Used by the authority probe (every server at once) and by the check
// pipeline (every iterative lookup at once).
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <cstddef>
#include <exception>
#include <memory>
#include <utility>
#include <vector>

namespace dkimdoctor::resolver {

// Tasks that leave their results themselves, in places their caller keeps until gather() returns: each is
// spawned as it is. Returns when the last one ended; a task that throws (a bug: resolutions report
// failures as values) ends like the others, so one bug cannot keep gather() from returning.
inline asio::awaitable<void> gather(asio::any_io_executor ex, std::vector<asio::awaitable<void>> tasks) {
  struct State {
    State(asio::any_io_executor e, std::size_t n) : remaining(n), done(e, asio::steady_timer::time_point::max()) {}
    std::size_t remaining;
    asio::steady_timer done;
  };
  auto st = std::make_shared<State>(ex, tasks.size());
  for (auto& task : tasks) {
    asio::co_spawn(ex, std::move(task), [st](std::exception_ptr) {
      if (--st->remaining == 0) st->done.cancel();
    });
  }
  if (st->remaining > 0) co_await st->done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

namespace detail {

// One task, its result moved straight into its slot: passed through co_spawn's completion handler, a
// result was moved four or five times on the way (a Resolution or a probe's answer holds several
// wire::Names). `results` is shared: it outlives gather() should the io_context drop it half-way.
template <class T>
asio::awaitable<void> gather_into(std::shared_ptr<std::vector<T>> results, std::size_t i, asio::awaitable<T> task) {
  (*results)[i] = co_await std::move(task);
}

}  // namespace detail

// Results in the order of `tasks`, each written into its slot by the void gather() above. A task that
// throws leaves a default-constructed result so that one bug cannot lose the other results.
template <class T>
asio::awaitable<std::vector<T>> gather(asio::any_io_executor ex, std::vector<asio::awaitable<T>> tasks) {
  auto results = std::make_shared<std::vector<T>>(tasks.size());
  std::vector<asio::awaitable<void>> slots;
  slots.reserve(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) slots.push_back(detail::gather_into(results, i, std::move(tasks[i])));
  co_await gather(std::move(ex), std::move(slots));
  co_return std::move(*results);
}

}  // namespace dkimdoctor::resolver
