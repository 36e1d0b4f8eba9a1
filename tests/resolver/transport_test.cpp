// The transport against the scripted server: every RFC 5452 matching rule, 0x20 and its fallback,
// EDNS fallback, TC=1 -> TCP and every TCP failure, timeouts, coalescing, size bounds.
#include <gtest/gtest.h>

#include <asio/executor_work_guard.hpp>

#include <cctype>
#include <set>
#include <thread>

#include "resolver/gather.hpp"
#include "resolver/limits.hpp"
#include "resolver/transport.hpp"
#include "wire/builder.hpp"
#include "tests/resolver/harness.hpp"

namespace dkimdoctor::resolver {
namespace {

using namespace std::chrono_literals;
using testsupport::make_reply;
using testsupport::Net;
using testsupport::Query;
using testsupport::Reply;
using testsupport::rr;
using testsupport::TcpMode;
using wire::Name;
using wire::RRType;

// A long name so that 0x20 randomisation leaves it all-lowercase with probability 2^-30.
const char* kName = "abcdefghijklmno.pqrstuvwxyzabcd.example.";

class TransportTest : public ::testing::Test {
 protected:
  TransportTest() : transport_(net_.io.get_executor(), random_) {}

  ExchangeResult exchange(std::chrono::milliseconds timeout = 300ms, RRType type = RRType::A, int max_queries = 4) {
    ExchangeRequest req;
    req.max_queries = max_queries;
    req.server = asio::ip::udp::endpoint(net_.addr(1), 53);
    req.qname = *Name::parse(kName);
    req.qtype = type;
    req.timeout = timeout;
    return net_.run(transport_.exchange(req));
  }
  static std::vector<std::uint8_t> good(const Query& q, const char* address = "192.0.2.1") {
    return make_reply(q, wire::Rcode::NoError, true, {rr((std::string(kName) + " 300 IN A " + address).c_str())});
  }
  static std::string answer_of(const ExchangeResult& x) {
    auto v = wire::MessageView::parse(x.reply);
    if (!v) return "unparsable";
    for (const auto& r : v->answers()) return r.to_record().rdata.to_string();
    return "none";
  }

  Net net_;
  RandomPool random_;
  Transport transport_;
};

TEST_F(TransportTest, PlainUdpWithEdnsAnd0x20) {
  auto& s = net_.serve(1, [](const Query& q) { return Reply{.message = good(q)}; });
  auto x = exchange();
  ASSERT_EQ(x.error, TransportError::none) << x.detail;
  EXPECT_EQ(x.protocol, Protocol::udp);
  EXPECT_TRUE(x.edns);
  EXPECT_TRUE(x.case_randomised);
  EXPECT_EQ(answer_of(x), "192.0.2.1");
  ASSERT_EQ(s.log().size(), 1u);
  const Query& q = s.log()[0];
  EXPECT_TRUE(q.edns);
  EXPECT_EQ(q.edns_size, kEdnsUdpSize);
  EXPECT_FALSE(q.header.rd);
  EXPECT_EQ(q.question.name, *Name::parse(kName));
  EXPECT_FALSE(q.question.name.equals_exact(*Name::parse(kName)));  // some letters went upper case
  // The caller gets its own spelling back.
  auto v = wire::MessageView::parse(x.reply);
  EXPECT_TRUE(v->answers().begin()->owner().equals_exact(*Name::parse(kName)));
}

TEST_F(TransportTest, FreshIdAndSourcePortPerQuery) {
  auto& s = net_.serve(1, [](const Query& q) { return Reply{.message = good(q)}; });
  for (int i = 0; i < 20; ++i) ASSERT_EQ(exchange().error, TransportError::none);
  std::set<std::uint16_t> ids, ports;
  for (const auto& q : s.log()) {
    ids.insert(q.header.id);
    ports.insert(q.from_port);
  }
  EXPECT_GE(ids.size(), 18u);    // 20 draws from 65536: a collision or two at most
  EXPECT_GE(ports.size(), 15u);  // the kernel's random ephemeral ports
}

TEST_F(TransportTest, WrongIdIsIgnoredTheRealReplyAccepted) {
  net_.serve(1, [](const Query& q) {
    Query spoof = q;
    spoof.header.id = static_cast<std::uint16_t>(q.header.id + 1);
    return Reply{.message = good(q), .before = {good(spoof, "192.0.2.66")}};
  });
  auto x = exchange();
  ASSERT_EQ(x.error, TransportError::none);
  EXPECT_EQ(answer_of(x), "192.0.2.1");
  EXPECT_EQ(x.mismatched, 1);
}

TEST_F(TransportTest, WrongQuestionIsIgnored) {
  net_.serve(1, [](const Query& q) {
    Query other = q;
    other.question.name = *Name::parse("www.bank.test.");
    Query other_type = q;
    other_type.question.type = RRType::AAAA;
    return Reply{.message = good(q), .before = {good(other, "192.0.2.66"), good(other_type, "192.0.2.67")}};
  });
  auto x = exchange();
  ASSERT_EQ(x.error, TransportError::none);
  EXPECT_EQ(answer_of(x), "192.0.2.1");
  EXPECT_EQ(x.mismatched, 2);
}

TEST_F(TransportTest, ReplyFromAnotherPortIsNeverAccepted) {
  net_.serve(1, [](const Query& q) { return Reply{.message = good(q), .from_other_port = true}; });
  auto x = exchange(200ms);
  EXPECT_EQ(x.error, TransportError::timeout);
}

TEST_F(TransportTest, GarbageAndShortDatagramsAreIgnored) {
  net_.serve(1, [](const Query& q) {
    std::vector<std::uint8_t> garbage(100, 0xff);
    garbage[0] = q.bytes[0];
    garbage[1] = q.bytes[1];
    return Reply{.message = good(q), .before = {{1, 2, 3}, garbage}};
  });
  auto x = exchange();
  ASSERT_EQ(x.error, TransportError::none);
  EXPECT_EQ(answer_of(x), "192.0.2.1");
  EXPECT_EQ(x.mismatched, 2);
}

TEST_F(TransportTest, SilenceIsATimeout) {
  net_.serve(1, [](const Query&) { return Reply{.drop = true}; });
  auto x = exchange(150ms);
  EXPECT_EQ(x.error, TransportError::timeout);
  EXPECT_EQ(x.queries_sent, 1);
}

TEST_F(TransportTest, LateReplyAfterTimeoutIsNotUsed) {
  net_.serve(1, [](const Query& q) { return Reply{.message = good(q), .delay = 400ms}; });
  const auto x = exchange(100ms);
  EXPECT_EQ(x.error, TransportError::timeout);
  EXPECT_TRUE(x.waited);  // the timer ended a try that was waiting in the reactor
}

TEST_F(TransportTest, AReplyThatComesWhileTheTryWaitsIsRead) {
  net_.serve(1, [](const Query& q) { return Reply{.message = good(q), .delay = 30ms}; });
  const auto x = exchange();
  ASSERT_EQ(x.error, TransportError::none) << x.detail;
  EXPECT_TRUE(x.waited);
  EXPECT_EQ(answer_of(x), "192.0.2.1");
}

// The other path: a reply already queued when the try looks, read without the reactor. A server on its
// own thread answers at once, a spoof with the wrong ID first; with many tries in flight, replies are
// there before their tries look again. Each reply is judged the same either way: the spoof counted and
// ignored, the reply accepted.
TEST_F(TransportTest, RepliesAlreadyQueuedAreReadWithoutWaitingAndStillChecked) {
  asio::io_context server_io;
  testsupport::FaultServer server(server_io, net_.addr(2), [](const Query& q) {
    auto spoof = good(q, "203.0.113.66");
    spoof[0] ^= 0x5a;  // wrong ID
    return Reply{.message = good(q), .before = {spoof}};
  });
  std::thread server_thread([&] { server_io.run(); });
  // No server of this test runs on net_.io: without the guard it would stop whenever a batch ends with
  // nothing left to do, and the next batch would never run.
  auto keep_running = asio::make_work_guard(net_.io);
  ExchangeRequest req;
  req.server = asio::ip::udp::endpoint(net_.addr(2), 53);
  req.qname = *Name::parse(kName);
  req.qtype = RRType::A;
  req.timeout = 2000ms;
  int read_at_once = 0, total = 0;
  // Each batch has a negligible chance of every reply being late; keep going until one was on time.
  for (int batch = 0; batch < 20 && read_at_once == 0; ++batch) {
    std::vector<asio::awaitable<ExchangeResult>> tries;
    for (int i = 0; i < 32; ++i) {
      ExchangeRequest r = req;
      // Distinct questions: identical ones would be coalesced into one query.
      r.qname = *Name::parse("q" + std::to_string(batch * 32 + i) + "." + kName);
      tries.push_back(transport_.exchange(r));
    }
    for (const auto& x : net_.run(gather(net_.io.get_executor(), std::move(tries)))) {
      ++total;
      ASSERT_EQ(x.error, TransportError::none) << x.detail;
      EXPECT_EQ(x.mismatched, 1);
      read_at_once += x.waited ? 0 : 1;
    }
  }
  server_io.stop();
  server_thread.join();
  EXPECT_GT(read_at_once, 0) << "of " << total << " tries";
  EXPECT_EQ(transport_.stats().mismatched, static_cast<std::uint64_t>(total));
}

TEST_F(TransportTest, ServerThatDoesNotEchoCaseGetsThePlainCaseFallback) {
  auto& s = net_.serve(1, [](const Query& q) {
    Query lower = q;
    lower.question.name = q.question.name.lowercased();
    return Reply{.message = good(lower)};
  });
  auto x = exchange();
  ASSERT_EQ(x.error, TransportError::none);
  EXPECT_FALSE(x.case_randomised);
  EXPECT_EQ(s.udp_queries(), 2u);
  EXPECT_EQ(transport_.stats().case_fallbacks, 1u);
  // Remembered: the next query to this server goes without 0x20 at once.
  ASSERT_EQ(exchange().error, TransportError::none);
  EXPECT_EQ(s.udp_queries(), 3u);
}

TEST_F(TransportTest, NoCaseMarkExpires) {
  // One wrong-case datagram (a server that does not echo case, or a spoofer who guessed ID and port)
  // switches 0x20 off for the server only for a while, not for good.
  transport_.set_quirk_memory(100ms);
  auto& s = net_.serve(1, [](const Query& q) {
    Query lower = q;
    lower.question.name = q.question.name.lowercased();
    return Reply{.message = good(lower)};
  });
  ASSERT_EQ(exchange().error, TransportError::none);
  EXPECT_EQ(s.udp_queries(), 2u);  // 0x20, then plain case
  ASSERT_EQ(exchange().error, TransportError::none);
  EXPECT_EQ(s.udp_queries(), 3u);  // remembered: plain case at once
  std::this_thread::sleep_for(150ms);
  auto x = exchange();
  ASSERT_EQ(x.error, TransportError::none);
  EXPECT_EQ(s.udp_queries(), 5u);  // forgotten: 0x20 again, then the fallback
  EXPECT_EQ(transport_.stats().case_fallbacks, 2u);
}

TEST_F(TransportTest, SpoofWithWrongCaseIsNeverAccepted) {
  // The spoofer guessed ID and port of the 0x20 query but not the case (the real server echoes case
  // properly). The spoof is rejected; the plain-case retry gets the real answer.
  net_.serve(1, [](const Query& q) {
    Query lower = q;
    lower.question.name = q.question.name.lowercased();
    const bool mixed = !q.question.name.equals_exact(lower.question.name);
    Reply r{.message = good(q)};
    if (mixed) r.before = {good(lower, "192.0.2.66")};
    return r;
  });
  auto x = exchange();
  ASSERT_EQ(x.error, TransportError::none);
  EXPECT_EQ(answer_of(x), "192.0.2.1");
}

TEST_F(TransportTest, FormerrToEdnsRetriesWithout) {
  auto& s = net_.serve(1, [](const Query& q) {
    if (q.edns) {
      Query plain = q;
      plain.edns = false;  // an EDNS-less server's FORMERR carries no OPT
      return Reply{.message = make_reply(plain, wire::Rcode::FormErr, false, {})};
    }
    return Reply{.message = good(q)};
  });
  auto x = exchange();
  ASSERT_EQ(x.error, TransportError::none);
  EXPECT_FALSE(x.edns);
  EXPECT_TRUE(x.edns_fallback);
  ASSERT_EQ(s.log().size(), 2u);
  EXPECT_TRUE(s.log()[0].edns);
  EXPECT_FALSE(s.log()[1].edns);
}

TEST_F(TransportTest, FormerrWithOptIsAnAnswerNotAFallback) {
  auto& s = net_.serve(1, [](const Query& q) { return Reply{.message = make_reply(q, wire::Rcode::FormErr, false, {})}; });
  auto x = exchange();
  ASSERT_EQ(x.error, TransportError::none);
  EXPECT_TRUE(x.edns);
  EXPECT_EQ(s.udp_queries(), 1u);
}

TEST_F(TransportTest, TruncatedGoesToTcp) {
  auto& s = net_.serve(1, [](const Query& q) {
    return Reply{.message = q.tcp ? good(q) : make_reply(q, wire::Rcode::NoError, true, {}, {}, {}, true)};
  });
  auto x = exchange();
  ASSERT_EQ(x.error, TransportError::none) << x.detail;
  EXPECT_EQ(x.protocol, Protocol::tcp);
  EXPECT_TRUE(x.tc_seen);
  EXPECT_EQ(answer_of(x), "192.0.2.1");
  EXPECT_EQ(s.tcp_queries(), 1u);
  EXPECT_EQ(x.queries_sent, 2);
}

TEST_F(TransportTest, FallbacksStayWithinTheQueryAllowance) {
  // TC=1 by UDP: the TCP retry is a second query. With an allowance of one it is not sent, and the
  // exchange ends with the budget error instead.
  auto& s = net_.serve(1, [](const Query& q) {
    return Reply{.message = q.tcp ? good(q) : make_reply(q, wire::Rcode::NoError, true, {}, {}, {}, true)};
  });
  auto x = exchange(300ms, RRType::A, 1);
  EXPECT_EQ(x.error, TransportError::budget);
  EXPECT_EQ(x.queries_sent, 1);
  EXPECT_EQ(s.tcp_queries(), 0u);
  // Nothing at all with no allowance left.
  auto none = exchange(300ms, RRType::A, 0);
  EXPECT_EQ(none.error, TransportError::budget);
  EXPECT_EQ(none.queries_sent, 0);
  EXPECT_EQ(s.udp_queries(), 1u);
}

TEST_F(TransportTest, PlainCaseRetryStaysWithinTheQueryAllowance) {
  auto& c = net_.serve(1, [](const Query& q) {
    Query lower = q;
    lower.question.name = q.question.name.lowercased();
    return Reply{.message = good(lower)};
  });
  auto y = exchange(300ms, RRType::A, 1);
  EXPECT_EQ(y.error, TransportError::budget);
  EXPECT_EQ(c.udp_queries(), 1u);
}

struct TcpFaultCase {
  const char* name;
  TcpMode mode;
  bool refuse;
  TransportError expected;
};

class TcpFaults : public TransportTest, public ::testing::WithParamInterface<TcpFaultCase> {};

TEST_P(TcpFaults, EndInAClearError) {
  const auto c = GetParam();
  auto& s = net_.serve(1, [mode = c.mode](const Query& q) {
    Reply r;
    r.message = q.tcp ? good(q) : make_reply(q, wire::Rcode::NoError, true, {}, {}, {}, true);
    r.tcp = mode;
    return r;
  });
  if (c.refuse) s.refuse_tcp();
  auto x = exchange();
  EXPECT_EQ(x.error, c.expected) << c.name << ": " << to_string(x.error) << " " << x.detail;
  EXPECT_TRUE(x.reply.empty());
}

INSTANTIATE_TEST_SUITE_P(Transport, TcpFaults,
                         ::testing::Values(TcpFaultCase{"refused", TcpMode::normal, true, TransportError::tcp_refused},
                                           TcpFaultCase{"reset", TcpMode::reset, false, TransportError::tcp_reset},
                                           TcpFaultCase{"close_early", TcpMode::close_early, false,
                                                        TransportError::tcp_reset},
                                           TcpFaultCase{"stall", TcpMode::stall, false, TransportError::tcp_timeout}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(TransportTest, LargestTcpMessageIsAccepted) {
  net_.serve(1, [](const Query& q) {
    if (!q.tcp) return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {}, {}, {}, true)};
    std::vector<wire::Record> txt;
    const std::string value(250, 'v');
    for (int i = 0; i < 240; ++i) {
      txt.push_back(rr((std::string(kName) + " 300 IN TXT \"" + std::to_string(i) + value + "\"").c_str()));
    }
    return Reply{.message = make_reply(q, wire::Rcode::NoError, true, txt)};
  });
  auto x = exchange(300ms, RRType::TXT);
  ASSERT_EQ(x.error, TransportError::none) << x.detail;
  EXPECT_GT(x.reply.size(), 60000u);
  EXPECT_LE(x.reply.size(), kMaxTcpMessage);
}

TEST_F(TransportTest, OversizedDatagramIsNotData) {
  net_.serve(1, [](const Query& q) {
    std::vector<wire::Record> txt;
    for (int i = 0; i < 40; ++i) {
      txt.push_back(rr((std::string(kName) + " 300 IN TXT \"" + std::string(200, 'x') + std::to_string(i) + "\"").c_str()));
    }
    return Reply{.message = make_reply(q, wire::Rcode::NoError, true, txt)};  // ~9 kB, ignoring our 1232
  });
  auto x = exchange(150ms, RRType::TXT);
  EXPECT_EQ(x.error, TransportError::timeout);
  EXPECT_EQ(x.mismatched, 1);
}

TEST_F(TransportTest, IdenticalOutstandingQueriesAreCoalesced) {
  auto& s = net_.serve(1, [](const Query& q) { return Reply{.message = good(q), .delay = 50ms}; });
  ExchangeRequest req;
  req.server = asio::ip::udp::endpoint(net_.addr(1), 53);
  req.qname = *Name::parse(kName);
  req.qtype = RRType::A;
  req.timeout = 500ms;
  std::vector<ExchangeResult> results;
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(net_.io, transport_.exchange(req), [&](std::exception_ptr, ExchangeResult r) { results.push_back(r); });
  }
  while (results.size() < 5) net_.io.run_one();
  EXPECT_EQ(s.udp_queries(), 1u);
  int coalesced = 0;
  for (const auto& r : results) {
    EXPECT_EQ(r.error, TransportError::none);
    coalesced += r.coalesced ? 1 : 0;
  }
  EXPECT_EQ(coalesced, 4);
  EXPECT_EQ(transport_.stats().coalesced, 4u);
}

TEST_F(TransportTest, UnreachableServerIsANetworkErrorNotAWait) {
  // Nothing listens on .99: the kernel answers with ICMP port unreachable.
  ExchangeRequest req;
  req.server = asio::ip::udp::endpoint(net_.addr(99), 53);
  req.qname = *Name::parse(kName);
  req.timeout = 2000ms;
  auto x = net_.run(transport_.exchange(req));
  EXPECT_EQ(x.error, TransportError::network);
}

// match_reply as a table: the rules stated once.
TEST(MatchReply, Rules) {
  auto q = wire::make_query(0x1234, *Name::parse("MiXeD.example."), RRType::A, false, 0);
  auto reply = q;
  reply[2] |= 0x80;  // QR
  EXPECT_EQ(match_reply(q, reply, true), Match::ok);
  auto wrong_id = reply;
  wrong_id[1] ^= 1;
  EXPECT_EQ(match_reply(q, wrong_id, true), Match::wrong_id);
  EXPECT_EQ(match_reply(q, q, true), Match::not_response);
  auto notify = reply;
  notify[2] |= 0x20;  // opcode 4
  EXPECT_EQ(match_reply(q, notify, true), Match::not_response);
  auto lower = reply;
  lower[13] = 'm';
  EXPECT_EQ(match_reply(q, lower, true), Match::wrong_case);
  EXPECT_EQ(match_reply(q, lower, false), Match::ok);
  auto other = reply;
  other[14] = 'z';
  EXPECT_EQ(match_reply(q, other, false), Match::wrong_question);
  auto other_type = reply;
  other_type[other_type.size() - 3] = 28;
  EXPECT_EQ(match_reply(q, other_type, false), Match::wrong_question);
  EXPECT_EQ(match_reply(q, std::vector<std::uint8_t>(reply.begin(), reply.begin() + 11), false), Match::too_short);
  auto cut = std::vector<std::uint8_t>(reply.begin(), reply.end() - 2);
  EXPECT_EQ(match_reply(q, cut, false), Match::wrong_question);
  auto formerr_no_question = std::vector<std::uint8_t>(reply.begin(), reply.begin() + 12);
  formerr_no_question[5] = 0;
  formerr_no_question[3] = 1;
  EXPECT_EQ(match_reply(q, formerr_no_question, true), Match::ok);
  formerr_no_question[3] = 0;
  EXPECT_EQ(match_reply(q, formerr_no_question, true), Match::wrong_question);
}

// 0x20 on a name in wire form: only letters change, only in case, and every letter gets its own
// random bit, past the 64 letters one random word covers too.
TEST(RandomiseCase, OnlyTheCaseOfLettersChangesAndEveryLetterVaries) {
  RandomPool random;
  const std::string text = "0123-" + std::string(58, 'q') + ".x_y." + std::string(40, 'K') + ".example.";
  const auto name = Name::parse(text);
  ASSERT_TRUE(name);
  const auto w = name->wire();
  std::vector<int> upper(w.size(), 0);
  constexpr int kRounds = 64;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::uint8_t> b(w.begin(), w.end());
    randomise_case(std::span<std::uint8_t>(b), random);
    ASSERT_EQ(b.size(), w.size());
    for (std::size_t i = 0; i < b.size(); ++i) {
      const bool letter = std::isalpha(w[i]) != 0;
      if (!letter) {
        EXPECT_EQ(b[i], w[i]) << "octet " << i << " is no letter and must stay";
        continue;
      }
      ASSERT_EQ(std::tolower(b[i]), std::tolower(w[i])) << "octet " << i;
      upper[i] += std::isupper(b[i]) != 0 ? 1 : 0;
    }
    // The name still parses as the same name.
    const auto again = Name::from_wire(std::span<const std::uint8_t>(b));
    ASSERT_TRUE(again);
    EXPECT_TRUE(*again == *name);
  }
  // Each letter was upper case in some rounds and lower case in others (all 64 the same: 2^-63).
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (std::isalpha(w[i]) == 0) continue;
    EXPECT_GT(upper[i], 0) << "octet " << i;
    EXPECT_LT(upper[i], kRounds) << "octet " << i;
  }
}

// The query build applies 0x20 to the question name in place, afresh for every query.
TEST_F(TransportTest, EveryQueryGetsItsOwnRandomCase) {
  auto& s = net_.serve(1, [](const Query& q) { return Reply{.message = good(q)}; });
  for (int i = 0; i < 4; ++i) {
    const auto r = exchange();
    ASSERT_EQ(r.error, TransportError::none) << r.detail;
    EXPECT_TRUE(r.case_randomised);
  }
  ASSERT_EQ(s.log().size(), 4u);
  std::set<std::string> spellings;
  for (const auto& q : s.log()) {
    EXPECT_EQ(q.question.name, *Name::parse(kName));
    spellings.insert(q.question.name.to_string());
  }
  EXPECT_GT(spellings.size(), 1u);  // four identical spellings of 30 letters: 2^-90
}

}  // namespace
}  // namespace dkimdoctor::resolver
