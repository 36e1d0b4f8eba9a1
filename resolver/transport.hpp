// Transport: one question to one server address, one validated reply back. The only place that
// touches sockets. Everything above it sees `co_await transport.exchange(request)`.
//
// What it does (RFC 5452 and RFC 7766):
// - UDP first, EDNS0 with a 1232-octet buffer; a fresh socket, hence a fresh kernel-chosen random
//   source port, for every query; the socket is connect()ed so the kernel drops datagrams from any
//   other address or port before we see them.
// - The ID comes from the CSPRNG pool; the question name is sent with random letter case (0x20) and a
//   reply must echo it byte for byte. A reply that matches except for case is never accepted; the
//   query is re-sent once without 0x20 and the server remembered as one that does not echo case.
// - A datagram that does not match (ID, QR, opcode, question) is discarded and we keep listening
//   until the real reply or the try's timer, however many come: a spoofer racing the real server
//   gains nothing by being first, and a flood of forgeries cannot make a server look dead.
// - TC=1 -> the same question over TCP (RFC 7766 §5); FORMERR/NOTIMP to an EDNS query -> the same
//   question without OPT (RFC 6891 §7), the server remembered as EDNS-less.
// - Timeouts: every wait is raced against a steady_timer. TCP messages are capped at 65535 octets by
//   their length prefix and the whole TCP exchange by kTcpTimeout, so a stalling stream costs a
//   bounded amount of time and memory.
// - Identical outstanding queries (same server, question and flags) are coalesced: the second asker
//   waits for the first one's reply instead of sending; and with a check's SharedReplies, a question the
//   server already answered within the check is answered from that reply (shared_replies.hpp).
//
// Threading: all state lives on one io_context thread.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/any_io_executor.hpp>
#include <asio/ip/udp.hpp>
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "resolver/random.hpp"
#include "wire/name.hpp"
#include "wire/types.hpp"

namespace dkimdoctor::resolver {

class SharedReplies;

enum class Protocol : std::uint8_t { udp, tcp };
const char* to_string(Protocol p);

enum class TransportError : std::uint8_t {
  none,
  timeout,         // no acceptable reply before the timer
  network,         // send/connect failed, ICMP unreachable, ...
  unreachable_from_host,  // the local stack cannot send there at all (no IPv6, no route): the host's limit
  malformed,       // reply could not be used (too short, truncated over TCP, oversized datagram)
  tcp_refused,     // TCP connect refused
  tcp_reset,       // TCP connection reset or closed mid-message
  tcp_timeout,     // TCP connect or stream stalled
  case_mismatch,   // only replies with wrong 0x20 case arrived, even after the fallback
  budget,          // the next query (a fallback or retry) would exceed ExchangeRequest::max_queries
  stopped,         // Transport::stop(): the exchange was ended, or not begun
};
const char* to_string(TransportError e);
// errno values with which socket/connect/send fail at once when this host cannot reach an address at all.
bool is_host_limit(int err) noexcept;

struct ExchangeRequest {
  asio::ip::udp::endpoint server;
  wire::Name qname;
  wire::RRType qtype = wire::RRType::A;
  bool rd = false;
  std::chrono::milliseconds timeout{400};  // per UDP try
  // The caller's deadline (the resolution's): no try, fallback, TCP exchange or wait for a
  // coalesced twin goes beyond it, whatever `timeout` and kTcpTimeout say.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  bool use_0x20 = true;
  // Queries this exchange may send (the caller's remaining per-resolution budget). Checked before
  // every datagram/TCP query, fallbacks and TC->TCP included; 0 sends nothing.
  int max_queries = 4;
};

struct ExchangeResult {
  TransportError error = TransportError::none;
  std::vector<std::uint8_t> reply;  // the accepted reply's bytes (empty on error)
  Protocol protocol = Protocol::udp;
  bool edns = true;                 // the accepted reply answered a query that carried OPT
  bool case_randomised = false;     // the accepted reply was checked for exact 0x20 case
  bool coalesced = false;           // we waited on someone else's identical query
  bool waited = false;              // the last UDP try's reply was not there one loop turn after the
                                    // send: the try waited for it in Asio's reactor, with a timer
  int queries_sent = 0;             // datagrams/TCP queries actually sent for this exchange
  int mismatched = 0;               // datagrams ignored: wrong ID/question (never end the try)
  bool tc_seen = false;             // a UDP reply had TC=1
  bool edns_fallback = false;       // EDNS was dropped after FORMERR/NOTIMP
  std::chrono::microseconds rtt{0};
  std::string detail;               // OS error text etc.
};

struct TransportStats {
  std::uint64_t udp_queries = 0;
  std::uint64_t tcp_queries = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t mismatched = 0;
  std::uint64_t coalesced = 0;
  std::uint64_t tc_fallbacks = 0;
  std::uint64_t edns_fallbacks = 0;
  std::uint64_t case_fallbacks = 0;
};

class Transport {
 public:
  Transport(asio::any_io_executor executor, RandomPool& random);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // `replies`: the check's replies (shared_replies.hpp), or null. A question its server already answered
  // within the check is answered from that reply (queries_sent 0, `coalesced` set, as for an identical
  // outstanding query), and a reply this exchange receives is kept there. A stopped transport never
  // answers from it (the exchange ends with TransportError::stopped, as every one after stop()).
  asio::awaitable<ExchangeResult> exchange(ExchangeRequest request, SharedReplies* replies = nullptr);

  const TransportStats& stats() const { return stats_; }

  // Ends every exchange in flight (each returns TransportError::stopped at its next step) and makes every
  // later one return it at once, without sending. For a clean shutdown: once the coroutines waiting on
  // exchanges have run to their end, the io_context has no work of ours left. Call on the executor's thread.
  void stop();
  bool stopped() const { return stopped_; }

  // How long a server is remembered as EDNS-less or as not echoing 0x20 case (kServerQuirkMemory by
  // default; tests shorten it).
  void set_quirk_memory(std::chrono::steady_clock::duration d) { quirk_memory_ = d; }

 private:
  struct Pending;
  struct Tally;
  struct PendingKey;
  // Either an identical query in flight (`twin`, whose reply to wait for) or this exchange's own entry in
  // pending_ (`owned`: its key, stable until complete() erases it).
  struct Claim {
    std::shared_ptr<Pending> twin;
    const PendingKey* owned = nullptr;
  };
  Claim join_or_claim(const ExchangeRequest& request);
  void complete(const PendingKey* owned, const ExchangeResult& result);
  asio::awaitable<bool> wait_for_twin(std::shared_ptr<Pending> twin, std::chrono::steady_clock::time_point deadline,
                                      ExchangeResult& out);
  // The tries write their result into the caller's `r` (exchange()'s): an ExchangeResult returned by value
  // sits in the callee's frame and again in the caller's, and pushed exchange()'s frame past the 1020
  // octets asio recycles.
  asio::awaitable<void> fallbacks(Tally& tally, bool edns, bool use_0x20, ExchangeResult& r);
  asio::awaitable<void> udp_try(const ExchangeRequest& request, bool edns, bool use_0x20, ExchangeResult& r);
  asio::awaitable<void> tcp_try(const ExchangeRequest& request, bool edns, ExchangeResult& r);
  enum class Datagram;
  // Judges the datagram of `n` octets in udp_buffer_ against `query`; an accepted one is copied to
  // r.reply, a failing one sets r.error.
  Datagram take_datagram(std::span<const std::uint8_t> query, std::size_t n, bool use_0x20, ExchangeResult& r);
  bool drain(int s, std::span<const std::uint8_t> query, bool use_0x20, ExchangeResult& r);
  // The exchange's tally into the result and the stats.
  ExchangeResult& finish(ExchangeResult& r, int sent, int mismatched);
  std::vector<std::uint8_t> build_query(const ExchangeRequest& request, bool edns, bool use_0x20,
                                        std::uint16_t* id_out);
  // Identical outstanding queries: same server, question (case-insensitively) and RD flag.
  struct PendingKey {
    asio::ip::udp::endpoint server;
    wire::Name qname;  // lowercased
    wire::RRType qtype;
    bool rd;
    std::size_t hash = 0;  // PendingHash's, computed once per exchange (it hashes the name; the map asks thrice)
    bool operator==(const PendingKey& o) const noexcept {
      return server == o.server && qtype == o.qtype && rd == o.rd && qname.equals_exact(o.qname);
    }
    static std::size_t hash_of(const PendingKey& k) noexcept;
  };
  struct EndpointHash {
    std::size_t operator()(const asio::ip::udp::endpoint& ep) const noexcept;
  };
  struct PendingHash {
    std::size_t operator()(const PendingKey& k) const noexcept { return k.hash; }
  };
  using Marks = std::unordered_map<asio::ip::udp::endpoint, std::chrono::steady_clock::time_point, EndpointHash>;
  static bool marked(Marks& marks, const asio::ip::udp::endpoint& server);
  static void mark(Marks& marks, const asio::ip::udp::endpoint& server, std::chrono::steady_clock::duration memory);

  // A try in flight, while it waits on its socket: stop() cancels that wait. Lives in the try's coroutine
  // frame, linked into stop_hooks_ for its lifetime (no allocation per try).
  struct StopHook {
    template <class Socket>
    StopHook(Transport& t, Socket& socket)
        : transport(t), sock(&socket), cancel([](void* s) noexcept {
            asio::error_code ignored;
            static_cast<Socket*>(s)->cancel(ignored);
          }) {
      link();
    }
    ~StopHook();
    StopHook(const StopHook&) = delete;
    StopHook& operator=(const StopHook&) = delete;
    void link();

    Transport& transport;
    void* sock;
    void (*cancel)(void*) noexcept;
    StopHook* prev = nullptr;
    StopHook* next = nullptr;
  };

  asio::any_io_executor executor_;
  RandomPool& random_;
  bool stopped_ = false;
  StopHook* stop_hooks_ = nullptr;  // the tries waiting now
  // Where UDP datagrams are read: a Transport runs on one thread and a datagram is judged and copied
  // out before the next read. Larger than any reply to a 1232-octet EDNS query, so a datagram that
  // fills it is a broken server's.
  std::array<std::uint8_t, 4096> udp_buffer_{};
  TransportStats stats_;
  std::unordered_map<PendingKey, std::shared_ptr<Pending>, PendingHash> pending_;
  // Servers that answered EDNS queries with FORMERR/NOTIMP, or did not echo 0x20 case, and until
  // when that is remembered. Bounded: a hostile zone can make us talk to many addresses. The marks
  // expire (kServerQuirkMemory): a spoofer who once got a wrong-case or FORMERR datagram accepted
  // past the ID and port checks must not switch 0x20 or EDNS off for a server for good.
  Marks no_edns_;
  Marks no_0x20_;
  std::chrono::steady_clock::duration quirk_memory_;
};

// Reply matching, exposed for the tests. `query` is what we sent. Returns true when `reply` is a
// response (QR=1, opcode QUERY) with the same ID and the same question; `exact_case` demands the
// question name byte for byte (0x20), otherwise ASCII case-insensitively. A FORMERR/NOTIMP reply
// with no question section is accepted too (servers that reject EDNS often echo no question).
enum class Match { ok, wrong_id, not_response, wrong_question, wrong_case, too_short };
Match match_reply(std::span<const std::uint8_t> query, std::span<const std::uint8_t> reply, bool exact_case);

// Applies random 0x20 case to the letters of `name`.
wire::Name randomise_case(const wire::Name& name, RandomPool& random);
// The same on a name in wire form (uncompressed), in place; one random bit per letter.
void randomise_case(std::span<std::uint8_t> wire_name, RandomPool& random);

}  // namespace dkimdoctor::resolver
