// Shared by the resolver's unit tests: a little network of scripted servers on this process's
// 127.53.B.x block, the resolver options pointing at them, and a way to run one coroutine to the end
// while the servers keep serving.
#pragma once

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "resolver/resolver.hpp"
#include "tests/support/fault_server.hpp"

namespace dkimdoctor::testsupport {

class Net {
 public:
  asio::io_context io;

  asio::ip::address addr(int host) const { return block_.at(host); }
  std::string ip(int host) const { return addr(host).to_string(); }

  FaultServer& serve(int host, Script script) {
    servers_.push_back(std::make_unique<FaultServer>(io, addr(host), std::move(script)));
    return *servers_.back();
  }
  // An honest authoritative server for `zone` (the test may swap its script later).
  FaultServer& serve_zone(int host, std::shared_ptr<Zone> zone) {
    return serve(host, [zone](const Query& q) {
      Reply r;
      r.message = zone->answer(q);
      return r;
    });
  }
  FaultServer& serve_zone(int host, std::string_view origin, const std::string& text) {
    return serve_zone(host, std::make_shared<Zone>(origin, text));
  }

  resolver::Options options(std::vector<int> root_hosts) const {
    resolver::Options o;
    o.policy.allow_loopback = true;
    std::vector<asio::ip::address> roots;
    for (int h : root_hosts) roots.push_back(addr(h));
    o.root_hints = hints_for(roots);
    o.prime = false;
    return o;
  }

  // Runs `task` until it completes (the servers' loops never end, so io.run() would not return).
  template <class T>
  T run(asio::awaitable<T> task) {
    std::optional<T> out;
    std::exception_ptr error;
    asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
      error = e;
      out = std::move(value);
    });
    while (!out && !error) io.run_one();
    if (error) std::rethrow_exception(error);
    return std::move(*out);
  }

  std::size_t total_queries() const {
    std::size_t n = 0;
    for (const auto& s : servers_) n += s->udp_queries() + s->tcp_queries();
    return n;
  }

 private:
  AddressBlock block_;
  std::vector<std::unique_ptr<FaultServer>> servers_;
};

}  // namespace dkimdoctor::testsupport
