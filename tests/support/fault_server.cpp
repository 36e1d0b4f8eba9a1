#include "tests/support/fault_server.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "wire/builder.hpp"
#include "wire/zonefile.hpp"

namespace dkimdoctor::testsupport {

using asio::use_awaitable;
using asio::experimental::as_tuple;
using wire::Name;
using wire::Record;
using wire::RRType;

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "fault_server: %s\n", what.c_str());
  std::abort();
}

}  // namespace

Record rr(std::string_view text) {
  auto records = wire::parse_zone_text(text);
  if (!records || records->size() != 1) die("bad record text: " + std::string(text));
  return records->front();
}

Zone::Zone(std::string_view origin, std::string_view text) {
  auto o = Name::parse(origin);
  if (!o) die("bad origin " + std::string(origin));
  origin_ = *o;
  auto records = wire::parse_zone_text(text, origin_);
  if (!records) die("bad zone text for " + std::string(origin) + ": " + wire::to_string(records.error()));
  records_ = std::move(*records);
}

std::vector<std::uint8_t> make_reply(const Query& q, wire::Rcode rcode, bool aa, const std::vector<Record>& answer,
                                     const std::vector<Record>& authority, const std::vector<Record>& additional,
                                     bool tc) {
  wire::MessageBuilder b(wire::kMaxMessageSize);
  b.set_id(q.header.id).set_qr(true).set_opcode(q.header.opcode).set_rd(q.header.rd).set_aa(aa).set_tc(tc);
  b.set_rcode(rcode);
  (void)b.add_question(q.question);
  for (const auto& r : answer) (void)b.add_record(wire::Section::Answer, r);
  for (const auto& r : authority) (void)b.add_record(wire::Section::Authority, r);
  for (const auto& r : additional) (void)b.add_record(wire::Section::Additional, r);
  if (q.edns) (void)b.add_edns(1232, false);
  auto out = b.finish();
  if (!out) die("cannot build reply: " + wire::to_string(out.error()));
  return std::move(*out);
}

std::vector<std::uint8_t> Zone::answer(const Query& q) const {
  const Name& qname = q.question.name;
  const RRType qtype = q.question.type;
  auto find = [&](const Name& owner, RRType type) {
    std::vector<Record> out;
    for (const auto& r : records_) {
      if (r.owner == owner && (r.type == type || type == RRType::ANY)) out.push_back(r);
    }
    return out;
  };
  auto soa = find(origin_, RRType::SOA);
  if (!qname.is_subdomain_of(origin_)) return make_reply(q, wire::Rcode::Refused, false, {});

  // A delegation between the apex and the name: referral with glue (RFC 1034 §4.3.2 step 3b).
  for (std::size_t labels = origin_.label_count() + 1; labels <= qname.label_count(); ++labels) {
    const Name cut = qname.suffix(labels);
    auto ns = find(cut, RRType::NS);
    if (ns.empty() || (cut == qname && qtype == RRType::DS)) continue;
    std::vector<Record> glue;
    for (const auto& n : ns) {
      auto target = n.rdata.target();
      if (!target) continue;
      for (const RRType t : {RRType::A, RRType::AAAA}) {
        for (auto& g : find(*target, t)) glue.push_back(g);
      }
    }
    return make_reply(q, wire::Rcode::NoError, false, {}, ns, glue);
  }

  std::vector<Record> answer;
  Name cur = qname;
  for (int hops = 0; hops < 16; ++hops) {
    auto exact = find(cur, qtype);
    if (!exact.empty()) {
      answer.insert(answer.end(), exact.begin(), exact.end());
      break;
    }
    // DNAME at an ancestor (RFC 6672 §3.2): the DNAME and a synthesised CNAME.
    bool moved = false;
    for (std::size_t labels = origin_.label_count(); labels < cur.label_count() && !moved; ++labels) {
      const Name owner = cur.suffix(labels);
      auto dname = find(owner, RRType::DNAME);
      if (dname.empty()) continue;
      auto target = dname.front().rdata.target();
      Name out = *target;
      for (std::size_t i = cur.label_count() - owner.label_count(); i-- > 0;) out = *out.prepend(cur.label(i));
      answer.push_back(dname.front());
      Record cname;
      cname.owner = cur;
      cname.type = RRType::CNAME;
      cname.ttl = dname.front().ttl;
      cname.rdata = *wire::Rdata::from_bytes(RRType::CNAME, out.wire());
      answer.push_back(cname);
      cur = out;
      moved = true;
    }
    if (moved) {
      if (!cur.is_subdomain_of(origin_)) break;
      continue;
    }
    auto cname = find(cur, RRType::CNAME);
    if (cname.empty() || qtype == RRType::CNAME) break;
    answer.push_back(cname.front());
    cur = *cname.front().rdata.target();
    if (!cur.is_subdomain_of(origin_)) break;
  }

  wire::Rcode rcode = wire::Rcode::NoError;
  std::vector<Record> authority;
  const bool final_found = std::any_of(answer.begin(), answer.end(), [&](const Record& r) {
    return r.owner == cur && (r.type == qtype || qtype == RRType::ANY);
  });
  if (!final_found && cur.is_subdomain_of(origin_)) {
    const bool exists = std::any_of(records_.begin(), records_.end(),
                                    [&](const Record& r) { return r.owner.is_subdomain_of(cur); });
    if (!exists) rcode = wire::Rcode::NXDomain;
    authority = soa;
  } else if (ns_in_authority_ && qtype != RRType::NS) {
    authority = find(origin_, RRType::NS);
  }
  std::vector<std::uint8_t> full = make_reply(q, rcode, true, answer, authority);
  const std::size_t limit = q.tcp ? wire::kMaxMessageSize : (q.edns ? std::max<std::size_t>(q.edns_size, 512) : 512);
  if (full.size() > limit) return make_reply(q, rcode, true, {}, {}, {}, true);
  return full;
}

// ---- The server ---------------------------------------------------------------------------------------

struct FaultServer::State : std::enable_shared_from_this<FaultServer::State> {
  State(asio::io_context& io, asio::ip::address a, Script s)
      : io(io), address(a), script(std::move(s)), udp(io), other(io), acceptor(io) {}
  asio::io_context& io;
  asio::ip::address address;
  Script script;
  asio::ip::udp::socket udp;
  asio::ip::udp::socket other;  // "another port" on the same address
  asio::ip::tcp::acceptor acceptor;
  std::vector<std::shared_ptr<asio::ip::tcp::socket>> connections;
  std::size_t udp_count = 0, tcp_count = 0;
  std::vector<Query> log;
  bool stopped = false;

  bool parse(std::vector<std::uint8_t> bytes, bool tcp, Query& q) {
    auto view = wire::MessageView::parse(bytes);
    if (!view || view->header().qr) return false;
    q.header = view->header();
    for (const auto& qv : view->questions()) {
      q.question = qv.to_question();
      break;
    }
    if (auto e = view->edns()) {
      q.edns = true;
      q.edns_size = e->udp_size;
      q.dnssec_ok = e->do_bit;
    }
    q.tcp = tcp;
    q.server = address;
    q.bytes = std::move(bytes);
    return true;
  }

  asio::awaitable<void> udp_loop() {
    auto self = shared_from_this();
    std::vector<std::uint8_t> buf(65535);
    for (;;) {
      asio::ip::udp::endpoint from;
      auto [ec, n] = co_await udp.async_receive_from(asio::buffer(buf), from, as_tuple(use_awaitable));
      if (ec == asio::error::operation_aborted || stopped) co_return;
      if (ec) continue;
      Query q;
      if (!parse(std::vector<std::uint8_t>(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n)), false, q)) continue;
      q.from_port = from.port();
      q.from_address = from.address();
      ++udp_count;
      log.push_back(q);
      Reply r = script(q);
      asio::co_spawn(io, send_udp(self, from, std::move(r)), asio::detached);
    }
  }

  static asio::awaitable<void> send_from(std::shared_ptr<State> self, asio::ip::address from,
                                         asio::ip::udp::endpoint to, const std::vector<std::uint8_t>& bytes) {
    // Another address's port 53: a fresh socket (SO_REUSEADDR, the address may serve DNS too).
    asio::ip::udp::socket spoof(self->io);
    asio::error_code ec;
    spoof.open(from.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), ec);
    if (!ec) spoof.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) spoof.bind(asio::ip::udp::endpoint(from, 53), ec);
    if (!ec) co_await spoof.async_send_to(asio::buffer(bytes), to, as_tuple(use_awaitable));
  }

  static asio::awaitable<void> send_udp(std::shared_ptr<State> self, asio::ip::udp::endpoint to, Reply r) {
    for (const auto& d : r.before_other_port) co_await self->other.async_send_to(asio::buffer(d), to, as_tuple(use_awaitable));
    if (r.spoof_address) {
      for (const auto& d : r.before_other_address) co_await send_from(self, *r.spoof_address, to, d);
    }
    for (const auto& d : r.before) co_await self->udp.async_send_to(asio::buffer(d), to, as_tuple(use_awaitable));
    if (r.drop) co_return;
    if (r.delay.count() > 0) {
      asio::steady_timer t(self->io, r.delay);
      co_await t.async_wait(as_tuple(use_awaitable));
      if (self->stopped) co_return;
    }
    for (const auto& f : r.forged) {
      if (!f.address) {
        co_await self->other.async_send_to(asio::buffer(f.bytes), to, as_tuple(use_awaitable));
        continue;
      }
      asio::ip::udp::socket forger(self->io);
      asio::error_code ec;
      forger.open(to.protocol(), ec);
      if (!ec) forger.bind(asio::ip::udp::endpoint(*f.address, 53), ec);
      if (ec) die("cannot bind a forger on " + f.address->to_string() + ":53 (" + ec.message() + ")");
      co_await forger.async_send_to(asio::buffer(f.bytes), to, as_tuple(use_awaitable));
    }
    if (r.from_address) {
      co_await send_from(self, *r.from_address, to, r.message);
      co_return;
    }
    auto& sock = r.from_other_port ? self->other : self->udp;
    co_await sock.async_send_to(asio::buffer(r.message), to, as_tuple(use_awaitable));
    for (const auto& d : r.after) co_await self->udp.async_send_to(asio::buffer(d), to, as_tuple(use_awaitable));
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto conn = std::make_shared<asio::ip::tcp::socket>(io);
      auto [ec] = co_await acceptor.async_accept(*conn, as_tuple(use_awaitable));
      if (ec == asio::error::operation_aborted || stopped) co_return;
      if (ec) continue;
      connections.push_back(conn);
      asio::co_spawn(io, serve_tcp(self, conn), asio::detached);
    }
  }

  static asio::awaitable<void> serve_tcp(std::shared_ptr<State> self, std::shared_ptr<asio::ip::tcp::socket> conn) {
    for (;;) {
      std::array<std::uint8_t, 2> len{};
      auto [ec, n] = co_await asio::async_read(*conn, asio::buffer(len), as_tuple(use_awaitable));
      if (ec) co_return;
      std::vector<std::uint8_t> msg((std::size_t{len[0]} << 8) | len[1]);
      auto [ec2, n2] = co_await asio::async_read(*conn, asio::buffer(msg), as_tuple(use_awaitable));
      if (ec2) co_return;
      Query q;
      if (!self->parse(std::move(msg), true, q)) co_return;
      ++self->tcp_count;
      self->log.push_back(q);
      Reply r = self->script(q);
      if (r.drop) continue;
      if (r.delay.count() > 0) {
        asio::steady_timer t(self->io, r.delay);
        co_await t.async_wait(as_tuple(use_awaitable));
      }
      std::vector<std::uint8_t> framed{static_cast<std::uint8_t>(r.message.size() >> 8),
                                       static_cast<std::uint8_t>(r.message.size() & 0xff)};
      switch (r.tcp) {
        case TcpMode::reset: {
          asio::error_code ignored;
          conn->set_option(asio::socket_base::linger(true, 0), ignored);
          conn->close(ignored);
          co_return;
        }
        case TcpMode::close_early: {
          co_await asio::async_write(*conn, asio::buffer(framed), as_tuple(use_awaitable));
          asio::error_code ignored;
          conn->close(ignored);
          co_return;
        }
        case TcpMode::stall:
          framed.insert(framed.end(), r.message.begin(), r.message.begin() + static_cast<std::ptrdiff_t>(r.message.size() / 2));
          co_await asio::async_write(*conn, asio::buffer(framed), as_tuple(use_awaitable));
          co_return;  // the socket stays open (held in `connections`) and silent
        case TcpMode::endless: {
          // A message the client cannot match (ID flipped), then filler, as long as anyone reads.
          std::vector<std::uint8_t> junk(2 + 65535, 0xee);
          junk[0] = junk[1] = 0xff;
          junk[2] = static_cast<std::uint8_t>(~q.header.id >> 8);
          junk[3] = static_cast<std::uint8_t>(~q.header.id & 0xff);
          while (!self->stopped) {
            auto [wec, wn] = co_await asio::async_write(*conn, asio::buffer(junk), as_tuple(use_awaitable));
            (void)wn;
            if (wec) co_return;
          }
          co_return;
        }
        case TcpMode::normal:
          framed.insert(framed.end(), r.message.begin(), r.message.end());
          co_await asio::async_write(*conn, asio::buffer(framed), as_tuple(use_awaitable));
          break;
      }
    }
  }

  void stop() {
    stopped = true;
    asio::error_code ignored;
    udp.close(ignored);
    other.close(ignored);
    acceptor.close(ignored);
    for (auto& c : connections) c->close(ignored);
  }
};

FaultServer::FaultServer(asio::io_context& io, asio::ip::address address, Script script)
    : state_(std::make_shared<State>(io, address, std::move(script))) {
  asio::error_code ec;
  const asio::ip::udp::endpoint ep(address, 53);
  state_->udp.open(ep.protocol(), ec);
  if (!ec) state_->udp.bind(ep, ec);
  if (ec) die("cannot bind UDP " + address.to_string() + ":53 (" + ec.message() +
              "): run the tests as root inside a network namespace (unshare -n)");
  state_->other.open(ep.protocol(), ec);
  if (!ec) state_->other.bind(asio::ip::udp::endpoint(address, 0), ec);
  const asio::ip::tcp::endpoint tep(address, 53);
  state_->acceptor.open(tep.protocol(), ec);
  if (!ec) state_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) state_->acceptor.bind(tep, ec);
  if (!ec) state_->acceptor.listen(64, ec);
  if (ec) die("cannot listen on TCP " + address.to_string() + ":53 (" + ec.message() + ")");
  asio::co_spawn(io, state_->udp_loop(), asio::detached);
  asio::co_spawn(io, state_->accept_loop(), asio::detached);
}

FaultServer::~FaultServer() { state_->stop(); }

void FaultServer::set_script(Script script) { state_->script = std::move(script); }

void FaultServer::refuse_tcp() {
  asio::error_code ignored;
  state_->acceptor.close(ignored);
}

void FaultServer::send_udp(const asio::ip::udp::endpoint& to, const std::vector<std::uint8_t>& bytes) {
  asio::error_code ignored;
  state_->udp.send_to(asio::buffer(bytes), to, 0, ignored);
}

const asio::ip::address& FaultServer::address() const { return state_->address; }
std::size_t FaultServer::udp_queries() const { return state_->udp_count; }
std::size_t FaultServer::tcp_queries() const { return state_->tcp_count; }
const std::vector<Query>& FaultServer::log() const { return state_->log; }
void FaultServer::clear_log() { state_->log.clear(); }

namespace {

// Reserves a block for this process: a UDP socket bound to 127.53.B.255:53 (a host no test uses),
// held open until the process exits, so that concurrent test processes (ctest -j) never share a
// block. The search starts at a PID-derived block to keep the common case to one bind().
int reserve_block() {
  for (int i = 0; i < 50; ++i) {
    const int block = 200 + static_cast<int>((::getpid() + i) % 50);
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(53);
    sa.sin_addr.s_addr = htonl((127u << 24) | (53u << 16) | (static_cast<unsigned>(block) << 8) | 255u);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) return block;  // fd stays open
    ::close(fd);
  }
  die("no free 127.53.B.x block (or no permission to bind port 53): run as root in a network namespace");
}

}  // namespace

AddressBlock::AddressBlock() {
  static const int block = reserve_block();
  block_ = block;
}

asio::ip::address AddressBlock::at(int host) const {
  return asio::ip::make_address("127.53." + std::to_string(block_) + "." + std::to_string(host));
}

resolver::RootHints hints_for(const std::vector<asio::ip::address>& servers) {
  resolver::RootHints hints;
  char letter = 'a';
  for (const auto& a : servers) {
    hints.push_back({*Name::parse(std::string(1, letter++) + ".root-servers.test."), {a}});
  }
  return hints;
}

}  // namespace dkimdoctor::testsupport
