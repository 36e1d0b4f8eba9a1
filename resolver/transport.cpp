#include "resolver/transport.hpp"

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <variant>

#include "resolver/address_policy.hpp"
#include "resolver/limits.hpp"
#include "resolver/shared_replies.hpp"
#include "wire/ascii.hpp"
#include "wire/builder.hpp"
#include "wire/bytes.hpp"
#include "wire/message.hpp"

namespace dkimdoctor::resolver {

using asio::use_awaitable;
using asio::experimental::as_tuple;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

const char* to_string(Protocol p) { return p == Protocol::udp ? "udp" : "tcp"; }

const char* to_string(TransportError e) {
  switch (e) {
    case TransportError::none: return "none";
    case TransportError::timeout: return "timeout";
    case TransportError::network: return "network error";
    case TransportError::unreachable_from_host: return "not reachable from this host";
    case TransportError::malformed: return "malformed reply";
    case TransportError::tcp_refused: return "tcp connection refused";
    case TransportError::tcp_reset: return "tcp connection reset";
    case TransportError::tcp_timeout: return "tcp timeout";
    case TransportError::case_mismatch: return "0x20 case mismatch";
    case TransportError::budget: return "query budget exhausted";
    case TransportError::stopped: return "stopped";
  }
  return "unknown";
}

namespace {

// Length of the question (name + type + class) starting at offset 12 of a query we built: the name
// is uncompressed there, so we can walk its labels.
std::size_t question_length(std::span<const std::uint8_t> query) {
  std::size_t pos = wire::kHeaderSize;
  while (pos < query.size() && query[pos] != 0) pos += query[pos] + 1;
  return pos + 1 + 4 - wire::kHeaderSize;
}

std::chrono::microseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

// After a 0x20 reply has been accepted, the question name in it carries our random case, and so
// does every name compressed against it. Writing the caller's spelling back over the question
// (same length, same labels) gives the caller the names as it asked them.
void restore_case(std::vector<std::uint8_t>& reply, const wire::Name& qname) {
  const auto w = qname.wire();
  const unsigned qdcount = reply.size() >= wire::kHeaderSize ? wire::get16(&reply[wire::hdr::kQdcount]) : 0;
  if (qdcount != 1 || reply.size() < wire::kHeaderSize + w.size()) return;
  std::copy(w.begin(), w.end(), reply.begin() + wire::kHeaderSize);
}

}  // namespace

Match match_reply(std::span<const std::uint8_t> query, std::span<const std::uint8_t> reply, bool exact_case) {
  if (reply.size() < wire::kHeaderSize) return Match::too_short;
  if (reply[0] != query[0] || reply[1] != query[1]) return Match::wrong_id;
  // QR must be set and the opcode must be QUERY (RFC 1035 §4.1.1).
  const std::uint16_t flags = wire::get16(&reply[wire::hdr::kFlags]);
  if ((flags & wire::hdr::kQr) == 0 || (flags & wire::hdr::kOpcodeMask) != 0) return Match::not_response;
  const unsigned qdcount = wire::get16(&reply[wire::hdr::kQdcount]);
  const auto rcode = static_cast<wire::Rcode>(flags & wire::hdr::kRcodeMask);
  if (qdcount == 0 && (rcode == wire::Rcode::FormErr || rcode == wire::Rcode::NotImp)) return Match::ok;
  if (qdcount != 1) return Match::wrong_question;
  // The question name at offset 12 can never be compressed (a pointer would point into the header,
  // which we reject), so comparing octets is exact.
  const std::size_t qlen = question_length(query);
  if (reply.size() < wire::kHeaderSize + qlen) return Match::wrong_question;
  bool case_differs = false;
  for (std::size_t i = wire::kHeaderSize; i < wire::kHeaderSize + qlen; ++i) {
    if (reply[i] == query[i]) continue;
    if (wire::ascii::lower(reply[i]) != wire::ascii::lower(query[i])) return Match::wrong_question;
    case_differs = true;
  }
  if (case_differs && exact_case) return Match::wrong_case;
  return Match::ok;
}

void randomise_case(std::span<std::uint8_t> wire_name, RandomPool& random) {
  // Label lengths (0..63) are never ASCII letters, so the whole wire form is scanned as text, eight
  // octets at a time: each letter's case is bit j of one random byte, j its place in the word.
  constexpr std::uint64_t k7f = 0x7f7f7f7f7f7f7f7fULL, k80 = 0x8080808080808080ULL;
  constexpr std::uint64_t k01 = 0x0101010101010101ULL;
  std::uint64_t bits = 0;
  int bytes_left = 0;  // unused random bytes in `bits`
  for (std::size_t i = 0; i < wire_name.size(); i += 8) {
    const std::size_t take = std::min<std::size_t>(8, wire_name.size() - i);
    std::uint64_t x = 0;
    std::memcpy(&x, wire_name.data() + i, take);
    std::uint64_t lowered = wire::ascii::lower8(x);
    const std::uint64_t low7 = lowered & k7f;
    const std::uint64_t from_a = low7 + (0x80 - 'a') * k01;     // high bit: octet >= 'a'
    const std::uint64_t above_z = low7 + (0x80 - 'z' - 1) * k01;  // high bit: octet > 'z'
    const std::uint64_t letters = from_a & ~above_z & ~lowered & k80;
    if (letters == 0) continue;
    if (bytes_left == 0) {
      bits = random.next_u64();
      bytes_left = 8;
    }
    const std::uint64_t byte = bits & 0xff;
    bits >>= 8;
    --bytes_left;
    // Bit j of `byte` to the high bit of octet j.
    const std::uint64_t chosen = (((byte * k01) & 0x8040201008040201ULL) + k7f) & k80;
    lowered ^= (chosen & letters) >> 2;  // 0x20 off: upper case
    std::memcpy(wire_name.data() + i, &lowered, take);
  }
}

wire::Name randomise_case(const wire::Name& name, RandomPool& random) {
  std::array<std::uint8_t, wire::kMaxNameLength> buf{};
  const auto w = name.wire();
  std::copy(w.begin(), w.end(), buf.begin());
  randomise_case(std::span<std::uint8_t>(buf.data(), w.size()), random);
  auto out = wire::Name::from_wire(std::span<const std::uint8_t>(buf.data(), w.size()));
  return out ? *out : name;
}

struct Transport::Pending {
  explicit Pending(const asio::any_io_executor& ex) : done(ex, Clock::time_point::max()) {}
  asio::steady_timer done;  // cancelled when `result` is ready: the waiters wake up
  ExchangeResult result;
};

Transport::Transport(asio::any_io_executor executor, RandomPool& random)
    : executor_(std::move(executor)), random_(random), quirk_memory_(kServerQuirkMemory) {}

bool Transport::marked(Marks& marks, const asio::ip::udp::endpoint& server) {
  const auto it = marks.find(server);
  if (it == marks.end()) return false;
  if (it->second > Clock::now()) return true;
  marks.erase(it);  // expired: try the server the normal way again
  return false;
}

void Transport::mark(Marks& marks, const asio::ip::udp::endpoint& server, Clock::duration memory) {
  constexpr std::size_t kMaxRemembered = 10000;
  if (marks.size() >= kMaxRemembered) marks.clear();
  marks[server] = Clock::now() + memory;
}

Transport::~Transport() = default;

std::size_t Transport::EndpointHash::operator()(const asio::ip::udp::endpoint& ep) const noexcept {
  return AddressHash{}(ep.address()) * 31 ^ ep.port();
}

std::size_t Transport::PendingKey::hash_of(const PendingKey& k) noexcept {
  const std::size_t name = wire::NameHash{}(k.qname);
  return EndpointHash{}(k.server) ^ (name * 0x9e3779b97f4a7c15ULL) ^ (static_cast<std::size_t>(k.qtype) << 1) ^
         static_cast<std::size_t>(k.rd);
}

std::vector<std::uint8_t> Transport::build_query(const ExchangeRequest& request, bool edns, bool use_0x20,
                                                 std::uint16_t* id_out) {
  const std::uint16_t id = random_.next_u16();
  *id_out = id;
  std::vector<std::uint8_t> query = wire::make_query(id, request.qname, request.qtype, request.rd, edns ? kEdnsUdpSize : 0,
                                                       edns);  // DO on every EDNS query (RFC 4035 §3.2.1); CD stays 0
  // The question name sits uncompressed right after the header: its letters get their random case
  // in place.
  if (use_0x20) {
    randomise_case(std::span<std::uint8_t>(query).subspan(wire::kHeaderSize, request.qname.wire().size()), random_);
  }
  return query;
}

void Transport::StopHook::link() {
  next = transport.stop_hooks_;
  if (next != nullptr) next->prev = this;
  transport.stop_hooks_ = this;
}

Transport::StopHook::~StopHook() {
  if (prev != nullptr) prev->next = next;
  else transport.stop_hooks_ = next;
  if (next != nullptr) next->prev = prev;
}

void Transport::stop() {
  stopped_ = true;
  // A hook only cancels a socket's wait: the try itself ends (and unlinks) later, in its coroutine.
  for (StopHook* h = stop_hooks_; h != nullptr; h = h->next) h->cancel(h->sock);
}

// The queries of one exchange so far (the first, the 0x20 and EDNS fallbacks, the TCP retry).
struct Transport::Tally {
  const ExchangeRequest& request;
  const bool& stopped;  // Transport::stopped_: nothing more is sent once it is set
  int sent = 0;
  int mismatched = 0;

  void add(const ExchangeResult& r, bool udp) {
    sent += r.queries_sent;
    if (udp) mismatched += r.mismatched;
  }
  // Every query sent is checked against the caller's allowance first: one exchange can never overshoot
  // the per-resolution budget. True (and `r` says why) when `what` may not be sent.
  bool out_of_budget(ExchangeResult& r, const char* what) const {
    if (stopped) {
      r = ExchangeResult{};
      r.error = TransportError::stopped;
      r.detail = std::string("stopped before ") + what;
      return true;
    }
    if (Clock::now() >= request.deadline) {
      r = ExchangeResult{};
      r.error = TransportError::timeout;
      r.detail = std::string("deadline reached before ") + what;
      return true;
    }
    if (sent < request.max_queries) return false;
    r = ExchangeResult{};
    r.error = TransportError::budget;
    r.detail = std::string("no query left for ") + what;
    return true;
  }
};

namespace {

std::uint16_t reply_flags(const ExchangeResult& r) { return wire::get16(&r.reply[wire::hdr::kFlags]); }

// RFC 6891 §7: a responder without EDNS answers FORMERR or NOTIMP, without an OPT record.
bool refuses_edns(const ExchangeResult& r) {
  const auto rcode = static_cast<wire::Rcode>(reply_flags(r) & wire::hdr::kRcodeMask);
  if (rcode != wire::Rcode::FormErr && rcode != wire::Rcode::NotImp) return false;
  auto view = wire::MessageView::parse(r.reply);
  return !view || !view->opt_record();
}

// What the waiters of an exchange that threw (a bug) are told.
ExchangeResult internal_error() {
  ExchangeResult failed;
  failed.error = TransportError::network;
  failed.detail = "internal error";
  return failed;
}

// Whether the first try's result calls for one of the fallbacks (Transport::fallbacks): a reply with the
// wrong 0x20 case, FORMERR/NOTIMP to EDNS, or TC=1.
bool needs_fallback(const ExchangeResult& r, bool edns, bool use_0x20) {
  if (r.error == TransportError::case_mismatch) return use_0x20;
  return r.error == TransportError::none && ((edns && refuses_edns(r)) || (reply_flags(r) & wire::hdr::kTc) != 0);
}

}  // namespace

// The coalescing of identical outstanding queries, in plain functions: the key (a lowercased copy of the
// name) lives on the stack, not in exchange()'s coroutine frame, and is hashed once.
Transport::Claim Transport::join_or_claim(const ExchangeRequest& request) {
  PendingKey key{request.server, request.qname.lowercased(), request.qtype, request.rd};
  key.hash = PendingKey::hash_of(key);
  if (const auto it = pending_.find(key); it != pending_.end()) {
    // The first waiter creates the shared state the owner will complete (most queries have no waiter
    // and never pay for it).
    if (!it->second) it->second = std::make_shared<Pending>(executor_);
    return Claim{it->second, nullptr};
  }
  // An element of an unordered_map keeps its address until it is erased, which only its owner does.
  return Claim{nullptr, &pending_.emplace(std::move(key), nullptr).first->first};
}

// Completes the waiters, if any came, however the owner's exchange ended.
void Transport::complete(const PendingKey* owned, const ExchangeResult& result) {
  const auto it = pending_.find(*owned);
  if (it == pending_.end()) return;
  std::shared_ptr<Pending> waiters = std::move(it->second);
  pending_.erase(it);
  if (!waiters) return;
  waiters->result = result;
  waiters->done.cancel();
}

// Waits for the owner of an identical query. True: `out` is its reply, or a timeout when our own deadline
// came first (the owner's exchange is bounded by the owner's deadline, not ours: issue 18). False: the
// owner ran out of *its* budget, and we ask for ourselves with ours (at most once per owner, and every
// owner sends at least one query or ends at once).
asio::awaitable<bool> Transport::wait_for_twin(std::shared_ptr<Pending> twin, Clock::time_point deadline,
                                               ExchangeResult& out) {
  asio::steady_timer limit(executor_, deadline);
  auto woke = co_await (twin->done.async_wait(as_tuple(use_awaitable)) || limit.async_wait(as_tuple(use_awaitable)));
  if (woke.index() == 1) {
    out = ExchangeResult{};
    out.error = TransportError::timeout;
    out.coalesced = true;
    out.detail = "deadline reached waiting for an identical query";
    co_return true;
  }
  if (twin->result.error == TransportError::budget) co_return false;
  ++stats_.coalesced;
  out = twin->result;
  out.coalesced = true;
  out.queries_sent = 0;
  co_return true;
}

// One coroutine frame per query on the common path (this one, and udp_try's): the check's shared reply,
// the wait for an identical query and the fallbacks are plain functions or coroutines of their own that
// only the queries needing them enter.
asio::awaitable<ExchangeResult> Transport::exchange(ExchangeRequest request, SharedReplies* replies) {
  ExchangeResult r;
  if (replies && !stopped_ && replies->reuse(request, r)) co_return r;
  Claim claim = join_or_claim(request);
  while (claim.twin) {
    if (co_await wait_for_twin(std::move(claim.twin), request.deadline, r)) {
      if (replies) replies->keep(request, r);
      co_return r;
    }
    claim = join_or_claim(request);
  }
  Tally tally{request, stopped_};
  const bool edns = !marked(no_edns_, request.server);
  const bool use_0x20 = request.use_0x20 && !marked(no_0x20_, request.server);
  try {
    if (!tally.out_of_budget(r, "the query")) {
      co_await udp_try(request, edns, use_0x20, r);
      tally.add(r, true);
      if (needs_fallback(r, edns, use_0x20)) co_await fallbacks(tally, edns, use_0x20, r);
    }
  } catch (...) {
    complete(claim.owned, internal_error());
    throw;
  }
  finish(r, tally.sent, tally.mismatched);
  complete(claim.owned, r);
  if (replies) replies->keep(request, r);
  co_return r;
}

ExchangeResult& Transport::finish(ExchangeResult& r, int sent, int mismatched) {
  r.queries_sent = sent;
  r.mismatched = mismatched;
  if (r.error == TransportError::timeout) ++stats_.timeouts;
  stats_.mismatched += static_cast<std::uint64_t>(mismatched);
  return r;
}

// After the first try `r` (which needs_fallback): the 0x20, EDNS and TC->TCP fallbacks, in that order,
// each within the tally's budget. `r` becomes the last result; exchange() tallies it.
asio::awaitable<void> Transport::fallbacks(Tally& tally, bool edns, bool use_0x20, ExchangeResult& r) {
  const ExchangeRequest& request = tally.request;
  const asio::ip::udp::endpoint& key = request.server;
  if (r.error == TransportError::case_mismatch && use_0x20) {
    // RFC 5452 §9.3 fallback: the server answers but does not preserve case. Ask once more without
    // 0x20; the ID, port and question checks still hold.
    if (tally.out_of_budget(r, "the plain-case retry")) co_return;
    mark(no_0x20_, key, quirk_memory_);
    ++stats_.case_fallbacks;
    use_0x20 = false;
    co_await udp_try(request, edns, false, r);
    tally.add(r, true);
  }

  if (r.error == TransportError::none && edns && refuses_edns(r)) {
    mark(no_edns_, key, quirk_memory_);
    if (tally.out_of_budget(r, "the retry without EDNS")) co_return;
    ++stats_.edns_fallbacks;
    edns = false;
    co_await udp_try(request, false, use_0x20, r);
    tally.add(r, true);
    r.edns_fallback = true;
  }

  if (r.error == TransportError::none && (reply_flags(r) & wire::hdr::kTc) != 0) {
    // TC=1: the answer did not fit; RFC 7766 §5 says retry over TCP. The truncated reply is discarded.
    const bool fell_back = r.edns_fallback;
    if (tally.out_of_budget(r, "the TCP retry after TC=1")) {
      r.tc_seen = true;
      r.edns_fallback = fell_back;
      co_return;
    }
    ++stats_.tc_fallbacks;
    co_await tcp_try(request, edns, r);
    tally.add(r, false);
    r.tc_seen = true;
    r.edns_fallback = fell_back;
  }
}

namespace {

// A socket descriptor we own until it is handed to Asio (or closed here).
class OwnedFd {
 public:
  explicit OwnedFd(int fd) : fd_(fd) {}
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  ~OwnedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

asio::error_code errno_code() { return asio::error_code(errno, asio::error::get_system_category()); }

}  // namespace

bool is_host_limit(int err) noexcept {
  return err == ENETUNREACH || err == EHOSTUNREACH || err == EADDRNOTAVAIL || err == EAFNOSUPPORT ||
         err == EPROTONOSUPPORT;
}

// What one datagram read from the try's socket means for the try.
enum class Transport::Datagram { accepted, ignored, failed };

Transport::Datagram Transport::take_datagram(std::span<const std::uint8_t> query, std::size_t n, bool use_0x20,
                                             ExchangeResult& r) {
  const Match m = n >= udp_buffer_.size() ? Match::too_short  // larger than a 1232-octet EDNS query
                                                               // allows: a broken server, not data
                                          : match_reply(query, std::span<const std::uint8_t>(udp_buffer_.data(), n),
                                                        use_0x20);
  if (m == Match::ok) {
    r.reply.assign(udp_buffer_.begin(), udp_buffer_.begin() + static_cast<std::ptrdiff_t>(n));
    return Datagram::accepted;
  }
  ++r.mismatched;
  if (m == Match::wrong_case) {
    // Either a server that does not echo case or a spoofer who guessed ID and port. Either way this
    // reply is never used; the caller falls back to a plain-case query.
    r.error = TransportError::case_mismatch;
    return Datagram::failed;
  }
  // However many come, a forged or broken datagram never ends the try (issue 18): ending it would
  // hand an off-path attacker the power to mark a server dead and fail a one-server zone at once.
  return Datagram::ignored;
}

// One UDP query and the wait for its reply. The socket is a plain descriptor first: a new one per
// query, connected, so the kernel picks a fresh random ephemeral port (RFC 5452 §9.2, RFC 6056) and
// drops datagrams from any other address. After the send the coroutine lets every other ready
// handler run once; with many queries in flight the reply is nearly always there by then and is read
// at once. Only a try whose reply has not arrived hands its socket to Asio's reactor, with a timer.
// (Registering every socket with epoll and Asio switching it to non-blocking mode cost two of the seven
// system calls a query made, and every try armed and cancelled a timer.)
namespace {

void set_network_error(ExchangeResult& r, const asio::error_code& ec) {
  r.error = TransportError::network;
  r.detail = ec.message();
}

// socket(), connect() and send() fail at once, from the local stack, when this host cannot send to the
// address at all (no IPv6, no route): a limit of the checking host, not a fault of the server.
void set_local_error(ExchangeResult& r, const asio::error_code& ec) {
  r.error = is_host_limit(ec.value()) ? TransportError::unreachable_from_host : TransportError::network;
  r.detail = ec.message();
}

// A new connected socket, and the query sent on it (r.queries_sent counts it; `start` is the time just
// before the send). False: `r` says why not.
bool open_and_send(OwnedFd& fd, const ExchangeRequest& request, std::span<const std::uint8_t> query,
                   ExchangeResult& r, Clock::time_point& start) {
  fd.reset(::socket(request.server.protocol().family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0 || ::connect(fd.get(), request.server.data(), static_cast<socklen_t>(request.server.size())) != 0) {
    set_local_error(r, errno_code());
    return false;
  }
  start = Clock::now();
  // A fresh socket's send buffer holds a query many times over: a datagram that does not go out at
  // once is an error of the host, not something to wait for.
  ssize_t sent_n = 0;
  do {
    sent_n = ::send(fd.get(), query.data(), query.size(), MSG_NOSIGNAL);
  } while (sent_n < 0 && errno == EINTR);
  ++r.queries_sent;
  if (sent_n < 0) {
    set_local_error(r, errno_code());
    return false;
  }
  return true;
}

}  // namespace

// Reads the datagrams already queued (at most kMaxDatagramsPerRead); `false` when none of them ended
// the try and it goes on.
bool Transport::drain(int s, std::span<const std::uint8_t> query, bool use_0x20, ExchangeResult& r) {
  for (int read = 0; read < kMaxDatagramsPerRead; ++read) {
    const ssize_t n = ::recv(s, udp_buffer_.data(), udp_buffer_.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      // ICMP port/host unreachable surfaces here on a connected socket: the server is not there.
      set_network_error(r, errno_code());
      return true;
    }
    if (take_datagram(query, static_cast<std::size_t>(n), use_0x20, r) != Datagram::ignored) return true;
  }
  return false;
}

// One UDP query and the wait for its reply. The socket is a plain descriptor first: a new one per
// query, connected, so the kernel picks a fresh random ephemeral port (RFC 5452 §9.2, RFC 6056) and
// drops datagrams from any other address. After the send the coroutine lets every other ready
// handler run once; with many queries in flight the reply is nearly always there by then and is read
// at once. Only a try whose reply has not arrived hands its socket to Asio's reactor, with a timer.
// (Registering every socket with epoll and Asio switching it to non-blocking mode cost two of the seven
// system calls a query made, and every try armed and cancelled a timer.)
asio::awaitable<void> Transport::udp_try(const ExchangeRequest& request, bool edns, bool use_0x20, ExchangeResult& r) {
  r = ExchangeResult{};
  r.protocol = Protocol::udp;
  r.edns = edns;
  r.case_randomised = use_0x20;
  std::uint16_t id = 0;
  const std::vector<std::uint8_t> query = build_query(request, edns, use_0x20, &id);
  OwnedFd fd(-1);
  Clock::time_point start;
  const bool sent = open_and_send(fd, request, query, r, start);
  stats_.udp_queries += static_cast<std::uint64_t>(r.queries_sent);
  if (!sent) co_return;
  co_await asio::post(executor_, use_awaitable);

  if (!drain(fd.get(), query, use_0x20, r)) {
    // Shared with the timer's handler, which may run after this coroutine has ended (a timer that
    // expired while a datagram was being read still runs its handler): it must find a live socket.
    auto sock = std::make_shared<asio::ip::udp::socket>(executor_);
    asio::error_code ec;
    sock->assign(request.server.protocol(), fd.get(), ec);
    if (ec) {
      set_network_error(r, ec);
      co_return;
    }
    fd.release();
    r.waited = true;
    // The timer cancels the pending wait, which then ends with operation_aborted.
    asio::steady_timer timer(executor_, std::min(start + request.timeout, request.deadline));
    timer.async_wait([sock](const asio::error_code& timer_ec) {
      if (!timer_ec) {
        asio::error_code ignored;
        sock->cancel(ignored);
      }
    });
    struct CancelTimer {
      asio::steady_timer& t;
      ~CancelTimer() { t.cancel(); }
    } cancel_timer{timer};
    const StopHook on_stop(*this, *sock);
    for (;;) {
      if (stopped_) {
        r.error = TransportError::stopped;
        break;
      }
      auto [wait_ec] = co_await sock->async_wait(asio::socket_base::wait_read, as_tuple(use_awaitable));
      if (wait_ec == asio::error::operation_aborted) {
        r.error = stopped_ ? TransportError::stopped : TransportError::timeout;
        break;
      }
      if (wait_ec) {
        set_network_error(r, wait_ec);
        break;
      }
      if (drain(sock->native_handle(), query, use_0x20, r)) break;
      // Listen again only while the try has time left: a timer that expired while these datagrams
      // were read has already run its cancel, and a new wait would wait for nothing.
      if (Clock::now() >= timer.expiry()) {
        r.error = TransportError::timeout;
        break;
      }
    }
  }
  r.rtt = since(start);
  if (r.error == TransportError::none && use_0x20) restore_case(r.reply, request.qname);
}

namespace {

struct TcpOutcome {
  TransportError error = TransportError::none;
  std::vector<std::uint8_t> reply;
  std::string detail;
  int mismatched = 0;
};

TransportError classify_tcp_error(const asio::error_code& ec) {
  if (ec == asio::error::connection_refused) return TransportError::tcp_refused;
  if (ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::error::broken_pipe) {
    return TransportError::tcp_reset;
  }
  if (ec == asio::error::operation_aborted) return TransportError::tcp_timeout;
  return TransportError::network;
}

asio::awaitable<TcpOutcome> tcp_exchange(asio::ip::tcp::socket& sock, const asio::ip::tcp::endpoint& server,
                                         const std::vector<std::uint8_t>& framed_query) {
  TcpOutcome out;
  auto fail = [&out](const asio::error_code& ec) {
    out.error = classify_tcp_error(ec);
    out.detail = ec.message();
    return out;
  };
  auto [cec] = co_await sock.async_connect(server, as_tuple(use_awaitable));
  if (cec) co_return fail(cec);
  auto [wec, wn] = co_await asio::async_write(sock, asio::buffer(framed_query), as_tuple(use_awaitable));
  (void)wn;
  if (wec) co_return fail(wec);
  const auto query = std::span<const std::uint8_t>(framed_query).subspan(2);
  // RFC 7766 §7: a server may send other responses first on a shared connection; ours is not shared,
  // but we still skip (a bounded number of) non-matching messages rather than accept them.
  for (int i = 0; i <= kMaxMismatchedDatagrams; ++i) {
    std::array<std::uint8_t, 2> len_buf{};
    auto [lec, ln] = co_await asio::async_read(sock, asio::buffer(len_buf), as_tuple(use_awaitable));
    (void)ln;
    if (lec) co_return fail(lec);
    // The length prefix caps a message at 65535 octets (kMaxTcpMessage): never more memory than that.
    const std::size_t len = wire::get16(len_buf.data());
    std::vector<std::uint8_t> msg(len);
    auto [rec, rn] = co_await asio::async_read(sock, asio::buffer(msg), as_tuple(use_awaitable));
    (void)rn;
    if (rec) co_return fail(rec);
    // Over TCP the case cannot be spoofed off-path, but a server that does not echo case must still work.
    const Match m = match_reply(query, msg, false);
    if (m == Match::ok) {
      out.reply = std::move(msg);
      co_return out;
    }
    ++out.mismatched;
  }
  out.error = TransportError::malformed;
  out.detail = "no matching message on the TCP stream";
  co_return out;
}

}  // namespace

asio::awaitable<void> Transport::tcp_try(const ExchangeRequest& request, bool edns, ExchangeResult& r) {
  r = ExchangeResult{};
  r.protocol = Protocol::tcp;
  r.edns = edns;
  r.case_randomised = false;
  std::uint16_t id = 0;
  // 0x20 buys nothing over TCP (the handshake already defeats off-path spoofing).
  std::vector<std::uint8_t> query = build_query(request, edns, false, &id);
  std::vector<std::uint8_t> framed;
  framed.reserve(query.size() + 2);
  wire::append16(framed, static_cast<std::uint16_t>(query.size()));
  framed.insert(framed.end(), query.begin(), query.end());

  asio::ip::tcp::socket sock(executor_);
  const asio::ip::tcp::endpoint server(request.server.address(), request.server.port());
  const auto start = Clock::now();
  // A fresh kTcpTimeout, but never past the caller's deadline (issue 18: TCP after TC=1 late in a
  // resolution overran its 10 s).
  asio::steady_timer timer(executor_, std::min(start + kTcpTimeout, request.deadline));
  ++r.queries_sent;
  ++stats_.tcp_queries;
  const StopHook on_stop(*this, sock);
  auto raced = co_await (tcp_exchange(sock, server, framed) || timer.async_wait(use_awaitable));
  r.rtt = since(start);
  if (raced.index() == 1) {
    r.error = TransportError::tcp_timeout;
    co_return;
  }
  TcpOutcome& got = std::get<0>(raced);
  r.error = stopped_ && got.error != TransportError::none ? TransportError::stopped : got.error;
  r.detail = std::move(got.detail);
  r.reply = std::move(got.reply);
  r.mismatched = got.mismatched;
  if (r.error == TransportError::none && wire::Header::read(r.reply).tc) {
    // TC=1 over TCP: nowhere left to retry and the reply is incomplete by its own account.
    r.error = TransportError::malformed;
    r.detail = "TC=1 over TCP";
    r.reply.clear();
  }
}

}  // namespace dkimdoctor::resolver
