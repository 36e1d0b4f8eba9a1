// The scripted fault server: an in-process authoritative DNS server on Asio (UDP and TCP) whose every
// reply comes from a script, so that a test can make it drop, delay, truncate, lie, spoof, loop or
// stall exactly when it wants. It is for faults only: the real hierarchy lives in the lab (NSD).
//
// A script is a function from the received query to a Reply. Zone gives scripts an honest
// authoritative answer to start from (referral with glue, answer, CNAME/DNAME, NODATA, NXDOMAIN,
// TC=1 when too big for UDP, as NSD answers), which the script may then corrupt.
//
// Servers bind port 53 on 127.53.x.y. Unit tests run inside a private network namespace (CI), or
// locally under `unshare -n bash -c 'ip link set lo up; ctest ...'`.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/root_hints.hpp"
#include "wire/message.hpp"

namespace dkimdoctor::testsupport {

struct Query {
  std::vector<std::uint8_t> bytes;
  wire::Header header;
  wire::Question question;  // as received: the 0x20 case is preserved
  bool edns = false;
  std::uint16_t edns_size = 0;
  bool dnssec_ok = false;  // the OPT record's DO bit (RFC 3225)
  bool tcp = false;
  asio::ip::address server;  // which of our servers got it
  std::uint16_t from_port = 0;  // the client's source port
  asio::ip::address from_address;  // the client's source address
};

enum class TcpMode : std::uint8_t {
  normal,
  reset,       // accept, read the query, then reset the connection (SO_LINGER 0)
  stall,       // send the length prefix and half of the message, then nothing (until the test ends)
  close_early, // send the length prefix only, then close
  endless,     // never answer: keep sending 65535-octet non-matching messages until the peer goes away
};

// A datagram sent (before `message`) from another source than this server's port-53 socket.
struct Forged {
  std::vector<std::uint8_t> bytes;
  std::optional<asio::ip::address> address{};  // unset: this server's address, another port;
                                                // set: that address, port 53 (nothing may be bound there)
};

struct Reply {
  bool drop = false;                          // send nothing
  std::vector<std::uint8_t> message{};        // the reply
  std::chrono::milliseconds delay{0};         // wait before sending `message`
  std::vector<std::vector<std::uint8_t>> before{};  // datagrams sent first from the same socket (spoofs)
  bool from_other_port = false;               // send `message` from another source port (UDP)
  std::optional<asio::ip::address> from_address{};  // send `message` from another address, port 53 (UDP)
  std::vector<std::vector<std::uint8_t>> before_other_port{};  // forgeries sent first from another port
  std::vector<std::vector<std::uint8_t>> before_other_address{};  // ... from `spoof_address`:53
  std::optional<asio::ip::address> spoof_address{};
  TcpMode tcp = TcpMode::normal;
  std::vector<Forged> forged{};                     // spoofs from another address or port, sent first
  std::vector<std::vector<std::uint8_t>> after{};   // datagrams sent after `message`, same socket
};

using Script = std::function<Reply(const Query&)>;

// Zone data and NSD-like authoritative answers from it.
class Zone {
 public:
  // `text` in master-file format relative to `origin`. Aborts the test program on a parse error.
  Zone(std::string_view origin, std::string_view text);

  const wire::Name& origin() const { return origin_; }
  const std::vector<wire::Record>& records() const { return records_; }

  // An authoritative server's reply to `q`. Too large for the query's UDP size -> TC=1.
  std::vector<std::uint8_t> answer(const Query& q) const;

  // Positive answers carry the zone's NS RRset in the authority section, as NSD's do (RFC 1034 §4.3.2
  // step 3a); off by default: minimal responses.
  void set_ns_in_authority(bool on) { ns_in_authority_ = on; }

 private:
  wire::Name origin_;
  std::vector<wire::Record> records_;
  bool ns_in_authority_ = false;
};

// Builds a reply to `q` (same ID, question echoed as received, OPT when the query had one).
std::vector<std::uint8_t> make_reply(const Query& q, wire::Rcode rcode, bool aa,
                                     const std::vector<wire::Record>& answer,
                                     const std::vector<wire::Record>& authority = {},
                                     const std::vector<wire::Record>& additional = {}, bool tc = false);

// One record from presentation text ("name TTL IN TYPE RDATA"), absolute names. Aborts on error.
wire::Record rr(std::string_view text);

class FaultServer {
 public:
  FaultServer(asio::io_context& io, asio::ip::address address, Script script);
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  void set_script(Script script);
  // Closes the TCP listener: connection attempts are refused.
  void refuse_tcp();
  // Sends `bytes` now from this server's port-53 UDP socket to `to`: a reply decided after the script
  // returned (a replayed scenario's STEP REPLY, tests/replay).
  void send_udp(const asio::ip::udp::endpoint& to, const std::vector<std::uint8_t>& bytes);

  const asio::ip::address& address() const;
  std::size_t udp_queries() const;
  std::size_t tcp_queries() const;
  const std::vector<Query>& log() const;
  void clear_log();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// An address block for one test process: 127.53.B.1..254 with B in 200..249, reserved for the
// process (a socket on 127.53.B.255:53 held open), so tests running in parallel (ctest -j) in one
// namespace never collide.
class AddressBlock {
 public:
  AddressBlock();
  asio::ip::address at(int host) const;  // 127.53.B.host

 private:
  int block_;
};

// Root hints naming `servers` as a.root-servers.test., b.root-servers.test., ...
resolver::RootHints hints_for(const std::vector<asio::ip::address>& servers);

}  // namespace dkimdoctor::testsupport
