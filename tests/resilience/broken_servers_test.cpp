// Broken servers: silence, error rcodes, EDNS intolerance, TC=1 with a TCP side that refuses, resets,
// closes early, stalls or never stops, truncated and garbage datagrams, unreachable addresses. With
// one good server among the zone's servers, every resolution must still succeed (next server), and
// the broken server must really have been asked in a resolution that succeeded.
#include "tests/resilience/suite.hpp"

namespace dkimdoctor::resilience {
namespace {

class BrokenServers : public World {
 protected:
  static constexpr int kGood = 3, kBad = 6;

  // example.test is delegated to ns1 (h3, honest) and ns2 (h6, running `bad`). Fresh resolvers (the
  // server order is random) resolve www.example.test until one has asked the bad server; every
  // resolution must succeed. Returns the bad server.
  FaultServer& one_bad_one_good(testsupport::Script bad, int bad_host = kBad, bool serve_bad = true,
                                 std::function<void(FaultServer&)> prepare = nullptr) {
    world("example.test. 86400 IN NS ns2.example.test.\nns2.example.test. 86400 IN A {h" + std::to_string(bad_host) +
          "}\n");
    FaultServer* server = serve_bad ? &net_.serve(bad_host, std::move(bad)) : nullptr;
    if (server && prepare) prepare(*server);
    const auto bad_address = net_.addr(bad_host);
    bool bad_asked = false;
    for (int i = 0; i < 16 && !bad_asked; ++i) {
      fresh();
      auto r = resolve("www.example.test.");
      EXPECT_EQ(r.outcome, Outcome::answer) << why(r);
      EXPECT_EQ(rdata(r), "192.0.2.80");
      for (const auto& s : r.trace) {
        if (s.kind == resolver::StepKind::query && s.address == bad_address) bad_asked = true;
      }
      expect_clean_cache();
    }
    EXPECT_TRUE(bad_asked) << "the broken server was never tried";
    return server ? *server : *example_;
  }
  // The honest answer, then damaged by `edit`.
  testsupport::Script damaged(std::function<void(std::vector<std::uint8_t>&)> edit) {
    return [edit, this](const Query& q) {
      auto bytes = honest().answer(q);
      edit(bytes);
      return Reply{.message = bytes};
    };
  }
  Zone& honest() {
    if (!honest_) honest_ = std::make_shared<Zone>("example.test.", expand(net_, kExampleZone));
    return *honest_;
  }
  static testsupport::Script rcode(wire::Rcode rc) {
    return [rc](const Query& q) { return Reply{.message = make_reply(q, rc, false, {})}; };
  }
  testsupport::Script tc_then(TcpMode mode) {
    return [this, mode](const Query& q) {
      Reply r;
      r.message = q.tcp ? honest().answer(q) : make_reply(q, wire::Rcode::NoError, true, {}, {}, {}, true);
      r.tcp = mode;
      return r;
    };
  }
  std::shared_ptr<Zone> honest_;
};

TEST_F(BrokenServers, Silence) {
  auto& bad = one_bad_one_good([](const Query&) { return Reply{.drop = true}; });
  EXPECT_GT(bad.udp_queries(), 0u);
}

TEST_F(BrokenServers, Refused) { one_bad_one_good(rcode(wire::Rcode::Refused)); }
TEST_F(BrokenServers, Servfail) { one_bad_one_good(rcode(wire::Rcode::ServFail)); }
TEST_F(BrokenServers, NotAuth) { one_bad_one_good(rcode(wire::Rcode::NotAuth)); }
TEST_F(BrokenServers, OddRcode) { one_bad_one_good(rcode(wire::Rcode::YXDomain)); }

TEST_F(BrokenServers, FormerrEvenWithoutEdns) {
  // FORMERR to everything (with and without OPT): after the EDNS fallback, the next server.
  one_bad_one_good([](const Query& q) {
    Query plain = q;
    plain.edns = false;
    return Reply{.message = make_reply(plain, wire::Rcode::FormErr, false, {})};
  });
}

TEST_F(BrokenServers, FormerrToEdnsIsRetriedWithoutAndSucceeds) {
  // The only server rejects EDNS with FORMERR (no OPT, as an EDNS-less server does): the same
  // server is asked again without OPT and the resolution succeeds.
  world();
  example_->set_script([z = example_zone_](const Query& q) {
    if (!q.edns) return Reply{.message = z->answer(q)};
    Query plain = q;
    plain.edns = false;
    return Reply{.message = make_reply(plain, wire::Rcode::FormErr, false, {})};
  });
  auto r = resolve("www.example.test.");
  ASSERT_EQ(r.outcome, Outcome::answer) << why(r);
  EXPECT_EQ(rdata(r), "192.0.2.80");
  ASSERT_EQ(example_->log().size(), 2u);
  EXPECT_TRUE(example_->log()[0].edns);
  EXPECT_FALSE(example_->log()[1].edns);
  EXPECT_EQ(resolver().stats().transport.edns_fallbacks, 1u);
}

TEST_F(BrokenServers, NotimpToEdnsIsRetriedWithoutAndSucceeds) {
  world();
  example_->set_script([z = example_zone_](const Query& q) {
    if (!q.edns) return Reply{.message = z->answer(q)};
    Query plain = q;
    plain.edns = false;
    return Reply{.message = make_reply(plain, wire::Rcode::NotImp, false, {})};
  });
  auto r = resolve("www.example.test.");
  ASSERT_EQ(r.outcome, Outcome::answer) << why(r);
  EXPECT_EQ(rdata(r), "192.0.2.80");
  EXPECT_FALSE(example_->log().back().edns);
}

TEST_F(BrokenServers, TruncatedWithTcpRefused) {
  auto& bad = one_bad_one_good(tc_then(TcpMode::normal), kBad, true, [](FaultServer& s) { s.refuse_tcp(); });
  EXPECT_EQ(bad.tcp_queries(), 0u);
  EXPECT_GT(resolver().stats().transport.tc_fallbacks, 0u);
}

TEST_F(BrokenServers, TruncatedWithTcpReset) {
  auto& bad = one_bad_one_good(tc_then(TcpMode::reset));
  EXPECT_GT(bad.tcp_queries(), 0u);
}

TEST_F(BrokenServers, TruncatedWithTcpClosedEarly) {
  auto& bad = one_bad_one_good(tc_then(TcpMode::close_early));
  EXPECT_GT(bad.tcp_queries(), 0u);
}

TEST_F(BrokenServers, TruncatedWithTcpStallingMidMessage) {
  auto& bad = one_bad_one_good(tc_then(TcpMode::stall));
  EXPECT_GT(bad.tcp_queries(), 0u);
}

TEST_F(BrokenServers, TruncatedWithAnEndlessTcpStream) {
  auto& bad = one_bad_one_good(tc_then(TcpMode::endless));
  EXPECT_GT(bad.tcp_queries(), 0u);
}

TEST_F(BrokenServers, TruncatedDatagram) {
  // The honest reply cut short (no TC bit): unparsable, not data.
  one_bad_one_good(damaged([](std::vector<std::uint8_t>& b) { b.resize(b.size() - 7); }));
}

TEST_F(BrokenServers, AnswerCountLargerThanTheAnswer) {
  one_bad_one_good(damaged([](std::vector<std::uint8_t>& b) { b[7] = 9; }));  // ANCOUNT 9, one record
}

TEST_F(BrokenServers, GarbageAfterAMatchingHeaderAndQuestion) {
  // ID and question right (so the transport accepts it), then 200 bytes of noise.
  one_bad_one_good([](const Query& q) {
    auto b = make_reply(q, wire::Rcode::NoError, true, {});
    b[7] = 3;
    for (int i = 0; i < 200; ++i) b.push_back(static_cast<std::uint8_t>(i * 37 + 11));
    return Reply{.message = b};
  });
}

TEST_F(BrokenServers, GarbageDatagramsOnly) {
  // Datagrams of noise (one with our ID) and no reply: ignored, then a timeout, then the next server.
  one_bad_one_good([](const Query& q) {
    std::vector<std::uint8_t> noise(300, 0xa5), with_id(40, 0x5a), tiny{0x01};
    with_id[0] = q.bytes[0];
    with_id[1] = q.bytes[1];
    return Reply{.drop = true, .before = {noise, with_id, tiny}};
  });
}

TEST_F(BrokenServers, NonAuthoritativeEmptyReply) {
  one_bad_one_good([](const Query& q) { return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {})}; });
}

TEST_F(BrokenServers, ServesAnotherZoneOnly) {
  // A lame server: it serves other.test only and refuses example.test questions (as NSD does).
  one_bad_one_good([this](const Query& q) { return Reply{.message = other_zone_->answer(q)}; });
}

TEST_F(BrokenServers, NothingListensThere) {
  // ICMP port unreachable: a network error, not a wait.
  one_bad_one_good(nullptr, 8, false);
}

TEST_F(BrokenServers, ThreeBrokenOneGood) {
  world("example.test. 86400 IN NS ns2.example.test.\nns2.example.test. 86400 IN A {h6}\n"
        "example.test. 86400 IN NS ns3.example.test.\nns3.example.test. 86400 IN A {h7}\n"
        "example.test. 86400 IN NS ns4.example.test.\nns4.example.test. 86400 IN A {h8}\n");
  auto& silent = net_.serve(6, [](const Query&) { return Reply{.drop = true}; });
  auto& servfail = net_.serve(7, rcode(wire::Rcode::ServFail));
  auto& reset = net_.serve(8, tc_then(TcpMode::reset));
  // The first server is picked at random: go on (cold each time) until each broken one has been asked,
  // so that every kind of breakage is passed over at least once (six tries missed all three 1 time in 4096).
  int resolutions = 0;
  while (resolutions < 100 && (silent.udp_queries() == 0 || servfail.udp_queries() == 0 || reset.udp_queries() == 0)) {
    fresh();
    auto r = resolve("www.example.test.");
    ++resolutions;
    ASSERT_EQ(r.outcome, Outcome::answer) << why(r);
    EXPECT_EQ(rdata(r), "192.0.2.80");
  }
  EXPECT_GT(silent.udp_queries(), 0u);
  EXPECT_GT(servfail.udp_queries(), 0u);
  EXPECT_GT(reset.udp_queries(), 0u);
}

}  // namespace
}  // namespace dkimdoctor::resilience
