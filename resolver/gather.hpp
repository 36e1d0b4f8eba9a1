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
#include <exception>
#include <memory>
#include <vector>

namespace dkimdoctor::resolver {

// Results in the order of `tasks`. A task that throws (a bug: resolutions report failures as values)
// leaves a default-constructed result so that one bug cannot lose the other results.
template <class T>
asio::awaitable<std::vector<T>> gather(asio::any_io_executor ex, std::vector<asio::awaitable<T>> tasks) {
  struct State {
    State(asio::any_io_executor e, std::size_t n)
        : results(n), remaining(n), done(e, asio::steady_timer::time_point::max()) {}
    std::vector<T> results;
    std::size_t remaining;
    asio::steady_timer done;
  };
  auto st = std::make_shared<State>(ex, tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    asio::co_spawn(ex, std::move(tasks[i]), [st, i](std::exception_ptr e, T value) {
      if (!e) st->results[i] = std::move(value);
      if (--st->remaining == 0) st->done.cancel();
    });
  }
  if (st->remaining > 0) co_await st->done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  co_return std::move(st->results);
}

}  // namespace dkimdoctor::resolver
