// Debian's Unbound in the replay harness (replay_runner --resolver unbound, README.md): one process in
// a scenario's namespace with a config of its own (never the packaged one), and a question asked of it
// read back as a Resolution, so that CHECK_ANSWER compares Unbound's reply exactly as ours.
#pragma once

#include <sys/types.h>

#include <asio/awaitable.hpp>
#include <asio/ip/address_v4.hpp>
#include <string>
#include <vector>

#include "resolver/resolver.hpp"
#include "resolver/transport.hpp"
#include "tests/replay/scenario.hpp"

namespace dkimdoctor::replay {

// One Unbound process inside the scenario's namespace, on 127.127.0.N port 53 (N counts the
// instances of this scenario: cold runs start one per QUERY), with its config in a temp directory.
class UnboundProcess {
 public:
  UnboundProcess(std::string path, bool verbose) : path_(std::move(path)), verbose_(verbose) {}
  ~UnboundProcess() { stop(); }
  UnboundProcess(const UnboundProcess&) = delete;
  UnboundProcess& operator=(const UnboundProcess&) = delete;

  // Writes the config (the scenario's own lines, less the options this Unbound does not know, between
  // our defaults and the settings a test instance needs) and starts `unbound -d -c FILE`. Returns an
  // error text, or "" once it has forked (ready() says when it listens).
  std::string start(const Scenario& s, int instance);
  // "" once it listens on its UDP port (read from this namespace's /proc/net/udp), "starting" before,
  // or an error text (it exited).
  std::string ready();
  // Ends the process and removes its directory (with --verbose, prints its log first).
  void stop();

  asio::ip::address_v4 address() const { return address_; }
  bool running() const { return pid_ > 0; }
  // The scenario's options this Unbound does not know (dropped from its config).
  const std::vector<std::string>& dropped() const { return dropped_; }

  // module-config "validator iterator" instead of "iterator" (the val_ scenarios: their trust-anchor
  // and val-override-date lines are in their config block).
  void set_validator(bool on) { validator_ = on; }

 private:
  bool write_config(const std::string& file, const std::vector<std::string>& lines) const;
  std::string log_tail(std::size_t max = 400) const;

  std::string path_;
  bool verbose_;
  bool validator_ = false;
  std::string dir_;
  asio::ip::address_v4 address_;
  pid_t pid_ = -1;
  std::vector<std::string> dropped_;
};

// Asks Unbound at `at` (RD, no 0x20, EDNS; TC -> TCP) and reads its reply as a Resolution for the
// runner's compare(): SERVFAIL (or no reply) is a failed resolution, the answer section is the answer,
// the authority's SOA of an empty answer the negative SOA. Our transport sets DO: RRSIGs go to
// `signatures` (those of the answer and of the SOA), NSEC/NSEC3 and theirs to `denial`, and the AD flag
// is the status (secure, else insecure; checked).
asio::awaitable<resolver::Resolution> ask_unbound(resolver::Transport& transport, asio::ip::address_v4 at,
                                                  wire::Question q);

}  // namespace dkimdoctor::replay
