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

namespace dkimdoctor::testsupport {

// Replaces every "{hN}" in `text` with the address of host N of `net` (zone texts for tests).
inline std::string expand(const Net& net, std::string text) {
  for (std::size_t pos = text.find("{h"); pos != std::string::npos; pos = text.find("{h", pos)) {
    const std::size_t end = text.find('}', pos);
    const int host = std::stoi(text.substr(pos + 2, end - pos - 2));
    text.replace(pos, end - pos + 1, net.ip(host));
  }
  return text;
}

// The usual top of a test hierarchy: host 1 serves the root (delegating test. to host 2) and host 2
// serves test. with `test_zone_body` appended (delegations of the test's own zones).
inline void serve_root_and_test(Net& net, const std::string& test_zone_body) {
  net.serve_zone(1, ".", expand(net, R"(
. 86400 IN SOA a.root-servers.test. host.test. 1 3600 600 86400 3600
. 86400 IN NS a.root-servers.test.
test. 86400 IN NS ns1.nic.test.
ns1.nic.test. 86400 IN A {h2}
)"));
  net.serve_zone(2, "test.", expand(net, R"(
test. 86400 IN SOA ns1.nic.test. host.test. 1 3600 600 86400 3600
test. 86400 IN NS ns1.nic.test.
ns1.nic.test. 86400 IN A {h2}
)" + test_zone_body));
}

}  // namespace dkimdoctor::testsupport
