// The hostile-network fault suite (issue 7): named cases in five groups, each run against scripted
// servers, each checked for the property that must hold, with a tally per group printed as
//   [fault-suite] <group>: tried N, held N
// so that CI logs show what was covered. A case that does not hold fails the group's test.
#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <random>

#include "resolver/limits.hpp"
#include "resolver/resolver.hpp"
#include "tests/resolver/harness.hpp"

namespace dkimdoctor::resolver {
namespace {

using namespace std::chrono_literals;
using testsupport::expand;
using testsupport::make_reply;
using testsupport::Net;
using testsupport::Query;
using testsupport::Reply;
using testsupport::rr;
using testsupport::Script;
using testsupport::serve_root_and_test;
using testsupport::TcpMode;
using testsupport::Zone;
using wire::Name;
using wire::RRType;

Name N(const std::string& s) { return *Name::parse(s); }

const char* kExample = R"(
example.test. 3600 IN SOA ns1.example.test. h. 1 3600 600 86400 60
example.test. 3600 IN NS ns1.example.test.
ns1.example.test. 3600 IN A {h3}
www.example.test. 300 IN A 192.0.2.80
)";
const char* kOther = R"(
other.test. 3600 IN SOA ns1.other.test. h. 1 3600 600 86400 60
other.test. 3600 IN NS ns1.other.test.
ns1.other.test. 3600 IN A {h4}
www.other.test. 300 IN A 192.0.2.90
)";
const char* kDelegations =
    "example.test. 86400 IN NS ns1.example.test.\nns1.example.test. 86400 IN A {h3}\n"
    "other.test. 86400 IN NS ns1.other.test.\nns1.other.test. 86400 IN A {h4}\n";

// A world: root, test., example.test. (host 3, scripted by `example`), other.test. (host 4, honest).
struct World {
  Net net;
  std::shared_ptr<Zone> example_zone;
  testsupport::FaultServer* example = nullptr;
  testsupport::FaultServer* other = nullptr;

  explicit World(const std::string& delegations = kDelegations) {
    serve_root_and_test(net, delegations);
    example_zone = std::make_shared<Zone>("example.test.", expand(net, kExample));
    example = &net.serve_zone(3, example_zone);
    other = &net.serve_zone(4, "other.test.", expand(net, kOther));
  }
  Resolution resolve(Resolver& r, const std::string& name, RRType type = RRType::A) {
    return net.run(r.resolve(N(name), type));
  }
  std::unique_ptr<Resolver> resolver() { return std::make_unique<Resolver>(net.io.get_executor(), net.options({1})); }
};

bool has_data(const Resolution& r, const std::string& data) {
  for (const auto& rec : r.answer) {
    if (rec.rdata.to_string() == data) return true;
  }
  return false;
}

// "" when the case held, else what went wrong.
using CaseFn = std::function<std::string()>;
struct Case {
  const char* name;
  CaseFn run;
};

void run_group(const char* group, const std::vector<Case>& cases) {
  int held = 0;
  for (const auto& c : cases) {
    const std::string failure = c.run();
    if (failure.empty()) {
      ++held;
    } else {
      ADD_FAILURE() << group << "/" << c.name << ": " << failure;
    }
  }
  std::cout << "[fault-suite] " << group << ": tried " << cases.size() << ", held " << held << std::endl;
  EXPECT_EQ(held, static_cast<int>(cases.size()));
}

std::string expect_answer(const Resolution& r, const std::string& data) {
  if (r.outcome != Outcome::answer) return std::string("no answer: ") + to_string(r.failure) + " " + r.failure_detail;
  if (!has_data(r, data)) return "answer without " + data;
  for (const auto& rec : r.answer) {
    if (rec.rdata.to_string().rfind("6.6.6.", 0) == 0) return "spoofed data accepted";
  }
  return {};
}

// ---- Spoofing ---------------------------------------------------------------------------------------

// example.test's server answers honestly, and `spoof` adds datagrams/behaviour around it.
std::string spoof_case(std::function<void(const Query&, Reply&, World&)> spoof) {
  World w;
  w.example->set_script([&w, spoof](const Query& q) {
    Reply r{.message = w.example_zone->answer(q)};
    spoof(q, r, w);
    return r;
  });
  auto res = w.resolver();
  auto first = w.resolve(*res, "www.example.test.");
  if (auto e = expect_answer(first, "192.0.2.80"); !e.empty()) return e;
  // Whatever arrived late must not have reached the cache either.
  w.example->set_script([&w](const Query& q) { return Reply{.message = w.example_zone->answer(q)}; });
  auto again = w.resolve(*res, "www.example.test.");
  return expect_answer(again, "192.0.2.80");
}

std::vector<std::uint8_t> forged(const Query& q, std::function<void(Query&)> change = {}) {
  Query f = q;
  if (change) change(f);
  return make_reply(f, wire::Rcode::NoError, true, {rr((f.question.name.to_string() + " 300 IN A 6.6.6.6").c_str())});
}

std::vector<Case> spoofing_cases() {
  return {
      {"wrong_id", [] { return spoof_case([](const Query& q, Reply& r, World&) {
         r.before = {forged(q, [](Query& f) { f.header.id ^= 0x5555; })};
       }); }},
      {"wrong_question_name", [] { return spoof_case([](const Query& q, Reply& r, World&) {
         r.before = {forged(q, [](Query& f) { f.question.name = *Name::parse("www.bank.test."); })};
       }); }},
      {"wrong_question_type", [] { return spoof_case([](const Query& q, Reply& r, World&) {
         r.before = {forged(q, [](Query& f) { f.question.type = RRType::MX; })};
       }); }},
      {"wrong_0x20_case", [] { return spoof_case([](const Query& q, Reply& r, World&) {
         Query lower = q;
         lower.question.name = q.question.name.lowercased();
         if (!lower.question.name.equals_exact(q.question.name)) r.before = {forged(lower)};
       }); }},
      {"wrong_source_port", [] { return spoof_case([](const Query& q, Reply& r, World&) {
         // A forgery with the right ID and question from another port of the server's address.
         r.before_other_port = {forged(q)};
       }); }},
      {"wrong_source_address", [] { return spoof_case([](const Query& q, Reply& r, World& w) {
         // A forgery with the right ID and question from another address's port 53.
         r.before_other_address = {forged(q)};
         r.spoof_address = w.net.addr(98);
       }); }},
      {"forgery_before_and_after", [] { return spoof_case([](const Query& q, Reply& r, World&) {
         r.before = {forged(q, [](Query& f) { f.header.id ^= 1; }), forged(q, [](Query& f) { f.header.id ^= 2; })};
       }); }},
      {"forgery_after_the_real_reply", [] {
         // The real reply first, then a forgery with the right ID and question 5 ms later (it meets a
         // closed port, or a socket that no longer listens): nothing may change, now or in the cache.
         World w;
         w.example->set_script([&w](const Query& q) {
           Reply r{.message = w.example_zone->answer(q)};
           return r;
         });
         auto& late = w.net.serve(97, [](const Query&) { return Reply{.drop = true}; });
         (void)late;
         auto res = w.resolver();
         auto first = w.resolve(*res, "www.example.test.");
         if (auto e = expect_answer(first, "192.0.2.80"); !e.empty()) return e;
         const auto& q = w.example->log().back();
         asio::ip::udp::socket s(w.net.io);
         s.open(asio::ip::udp::v4());
         s.bind(asio::ip::udp::endpoint(w.net.addr(3), 0));
         // Sent to the port the query came from: that socket is closed now (a fresh one per query).
         auto bytes = forged(q);
         s.send_to(asio::buffer(bytes), asio::ip::udp::endpoint(q.from_address, q.from_port));
         for (int i = 0; i < 10; ++i) w.net.io.poll();
         return expect_answer(w.resolve(*res, "www.example.test."), "192.0.2.80");
       }},
      {"flood_of_wrong_ids", [] {
         World w;
         w.example->set_script([&w](const Query& q) {
           Reply r{.message = w.example_zone->answer(q)};
           for (int i = 1; i <= 20; ++i) r.before.push_back(forged(q, [i](Query& f) { f.header.id ^= static_cast<std::uint16_t>(i); }));
           return r;
         });
         auto res = w.resolver();
         return expect_answer(w.resolve(*res, "www.example.test."), "192.0.2.80");
       }},
  };
}

TEST(FaultSuite, Spoofing) { run_group("spoofing", spoofing_cases()); }

// ---- Poisoning --------------------------------------------------------------------------------------

// example.test's server adds poison to its replies; afterwards the victim must resolve truthfully and
// host 66 (the attacker's server) must never have been asked.
std::string poison_case(std::function<Reply(const Query&, World&)> poison, const std::string& first_name,
                        RRType first_type = RRType::A) {
  World w;
  auto& evil = w.net.serve(66, [](const Query& q) {
    return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {rr((q.question.name.to_string() + " 300 IN A 6.6.6.6").c_str())})};
  });
  w.example->set_script([&w, poison](const Query& q) { return poison(q, w); });
  auto res = w.resolver();
  (void)w.resolve(*res, first_name, first_type);
  auto victim = w.resolve(*res, "www.other.test.");
  if (auto e = expect_answer(victim, "192.0.2.90"); !e.empty()) return "victim: " + e;
  if (evil.udp_queries() != 0) return "the attacker's server was queried";
  return {};
}

std::vector<wire::Record> records_of(const std::vector<std::uint8_t>& msg, wire::Section section) {
  std::vector<wire::Record> out;
  auto v = wire::MessageView::parse(msg);
  for (const auto& r : v->section(section)) out.push_back(r.to_record());
  return out;
}

std::vector<Case> poisoning_cases() {
  return {
      {"out_of_bailiwick_glue", [] { return poison_case([](const Query& q, World& w) {
         return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {}, {rr("sub.example.test. 3600 IN NS ns1.other.test.")},
                                            {rr(("ns1.other.test. 3600 IN A " + w.net.ip(66)).c_str())})};
       }, "x.sub.example.test."); }},
      {"out_of_bailiwick_answer", [] { return poison_case([](const Query& q, World& w) {
         auto real = w.example_zone->answer(q);
         auto answer = records_of(real, wire::Section::Answer);
         answer.push_back(rr("www.other.test. 300 IN A 6.6.6.6"));
         return Reply{.message = make_reply(q, wire::Rcode::NoError, true, answer)};
       }, "www.example.test."); }},
      {"unrelated_additional", [] { return poison_case([](const Query& q, World& w) {
         auto real = w.example_zone->answer(q);
         return Reply{.message = make_reply(q, wire::Rcode::NoError, true, records_of(real, wire::Section::Answer), {},
                                            {rr("www.other.test. 300 IN A 6.6.6.6"),
                                             rr(("ns1.other.test. 300 IN A " + w.net.ip(66)).c_str())})};
       }, "www.example.test."); }},
      {"sibling_referral_claiming_the_parent", [] { return poison_case([](const Query& q, World& w) {
         // "I delegate other.test (and test.)": a server of example.test speaking for its siblings.
         return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {},
                                            {rr("other.test. 3600 IN NS ns.evil.example.test."),
                                             rr("test. 3600 IN NS ns.evil.example.test.")},
                                            {rr(("ns.evil.example.test. 3600 IN A " + w.net.ip(66)).c_str())})};
       }, "www.example.test."); }},
      {"cname_with_forged_target_data", [] { return poison_case([](const Query& q, World&) {
         return Reply{.message = make_reply(q, wire::Rcode::NoError, true,
                                            {rr("alias.example.test. 300 IN CNAME www.other.test."),
                                             rr("www.other.test. 300 IN A 6.6.6.6")})};
       }, "alias.example.test."); }},
      {"authority_ns_for_another_zone", [] { return poison_case([](const Query& q, World& w) {
         auto real = w.example_zone->answer(q);
         return Reply{.message = make_reply(q, wire::Rcode::NoError, true, records_of(real, wire::Section::Answer),
                                            {rr("other.test. 3600 IN NS ns.evil.test.")},
                                            {rr(("ns.evil.test. 3600 IN A " + w.net.ip(66)).c_str())})};
       }, "www.example.test."); }},
      {"nxdomain_with_forged_soa_elsewhere", [] { return poison_case([](const Query& q, World&) {
         return Reply{.message = make_reply(q, wire::Rcode::NXDomain, true, {},
                                            {rr("other.test. 3600 IN SOA ns.evil.test. h. 1 3600 600 86400 86400")})};
       }, "nope.example.test."); }},
  };
}

TEST(FaultSuite, Poisoning) { run_group("poisoning", poisoning_cases()); }

// ---- Amplification and loops ------------------------------------------------------------------------

std::string budget_case(const std::string& delegations, const std::function<void(World&)>& setup, const std::string& name,
                        Failure expected) {
  World w(delegations);
  if (setup) setup(w);
  auto res = w.resolver();
  auto r = w.resolve(*res, name);
  if (r.outcome != Outcome::failed) return "resolution did not fail";
  if (r.failure != expected) return std::string("ended by ") + to_string(r.failure) + ", expected " + to_string(expected);
  if (r.queries > kMaxQueriesPerResolution) return "over the query budget: " + std::to_string(r.queries);
  if (w.net.total_queries() > static_cast<std::size_t>(kMaxQueriesPerResolution)) return "servers saw too many queries";
  return {};
}

std::vector<Case> amplification_cases() {
  std::string nxns;
  for (int i = 0; i < 100; ++i) nxns += "victim.test. 86400 IN NS ns" + std::to_string(i) + ".nx" + std::to_string(i) + ".test.\n";
  std::string chain;
  for (int i = 0; i <= kMaxCnameChain; ++i) {
    chain += "c" + std::to_string(i) + ".example.test. 300 IN CNAME c" + std::to_string(i + 1) + ".example.test.\n";
  }
  std::string deps;
  for (int i = 1; i <= 9; ++i) deps += "z" + std::to_string(i) + ".test. 86400 IN NS ns.z" + std::to_string(i + 1) + ".test.\n";
  deps += "z10.test. 86400 IN NS ns.z10.test.\nns.z10.test. 86400 IN A {h3}\n";
  return {
      {"nxns_100_glueless_ns", [=] { return budget_case(std::string(kDelegations) + nxns, {}, "www.victim.test.", Failure::max_failed_glueless); }},
      {"tsuname_cyclic_ns", [] { return budget_case(std::string(kDelegations) + "a.test. 86400 IN NS ns.b.test.\nb.test. 86400 IN NS ns.a.test.\n",
                                                    {}, "www.a.test.", Failure::dependency_cycle); }},
      {"cname_loop", [] { return budget_case(kDelegations, [](World& w) {
         w.example->set_script([](const Query& q) {
           return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {rr("loop.example.test. 300 IN CNAME www.other.test.")})};
         });
         w.other->set_script([](const Query& q) {
           return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {rr("www.other.test. 300 IN CNAME loop.example.test.")})};
         });
       }, "loop.example.test.", Failure::cname_loop); }},
      {"cname_chain_too_long", [=] { return budget_case(kDelegations, [=](World& w) {
         auto z = std::make_shared<Zone>("example.test.", expand(w.net, std::string(kExample) + chain));
         w.example->set_script([z](const Query& q) { return Reply{.message = z->answer(q)}; });
       }, "c0.example.test.", Failure::max_cname_chain); }},
      {"endless_referrals", [] { return budget_case(kDelegations, [](World& w) {
         auto asked = std::make_shared<std::size_t>(0);
         w.example->set_script([&w, asked](const Query& q) {
           const Name child = q.question.name.suffix(3 + (*asked)++);
           const std::string ns = "ns." + child.to_string();
           return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {}, {rr((child.to_string() + " 3600 IN NS " + ns).c_str())},
                                              {rr((ns + " 3600 IN A " + w.net.ip(3)).c_str())})};
         });
       }, [] {
         std::string n = "example.test.";
         for (int i = 0; i < 60; ++i) n = "l" + std::to_string(i) + "." + n;
         return n;
       }(), Failure::max_referrals); }},
      {"upward_referral", [] { return budget_case(kDelegations, [](World& w) {
         w.example->set_script([&w](const Query& q) {
           return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {}, {rr("test. 86400 IN NS ns1.nic.test.")},
                                              {rr(("ns1.nic.test. 86400 IN A " + w.net.ip(2)).c_str())})};
         });
       }, "www.example.test.", Failure::all_servers_failed); }},
      {"dependency_chain_too_deep", [=] { return budget_case(std::string(kDelegations) + deps, [](World& w) {
         w.example->set_script([&w](const Query& q) {
           if (q.question.type != RRType::A) return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {})};
           return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {rr((q.question.name.to_string() + " 300 IN A " + w.net.ip(3)).c_str())})};
         });
       }, "www.z1.test.", Failure::max_dependency_depth); }},
  };
}

TEST(FaultSuite, AmplificationAndLoops) { run_group("amplification-and-loops", amplification_cases()); }

// ---- Broken servers ---------------------------------------------------------------------------------

// example.test has a broken server with glue (so it is always tried first) and a good one without
// glue (ns2.other.test, which also serves example.test; test. has no address for it). The resolution
// must get past the broken one.
std::string broken_case(std::function<Reply(const Query&, World&)> broken, std::function<void(testsupport::FaultServer&)> tweak = {}) {
  World w("example.test. 86400 IN NS bad.example.test.\nexample.test. 86400 IN NS ns2.other.test.\n"
          "bad.example.test. 86400 IN A {h5}\n"
          "other.test. 86400 IN NS ns1.other.test.\nns1.other.test. 86400 IN A {h4}\n");
  auto other_zone = std::make_shared<Zone>("other.test.", expand(w.net, std::string(kOther) + "ns2.other.test. 3600 IN A {h4}\n"));
  w.other->set_script([&w, other_zone](const Query& q) {
    return Reply{.message = q.question.name.is_subdomain_of(N("example.test.")) ? w.example_zone->answer(q) : other_zone->answer(q)};
  });
  auto& bad = w.net.serve(5, [&w, broken](const Query& q) { return broken(q, w); });
  if (tweak) tweak(bad);
  auto res = w.resolver();
  auto r = w.resolve(*res, "www.example.test.");
  if (bad.udp_queries() + bad.tcp_queries() == 0) return std::string("the broken server was never asked");
  return expect_answer(r, "192.0.2.80");
}

Reply truncated(const Query& q, World& w, TcpMode mode) {
  if (q.tcp) return Reply{.message = w.example_zone->answer(q), .tcp = mode};
  return Reply{.message = make_reply(q, wire::Rcode::NoError, true, {}, {}, {}, true)};
}

std::vector<Case> broken_cases() {
  return {
      {"silence", [] { return broken_case([](const Query&, World&) { return Reply{.drop = true}; }); }},
      {"refused", [] { return broken_case([](const Query& q, World&) { return Reply{.message = make_reply(q, wire::Rcode::Refused, false, {})}; }); }},
      {"servfail", [] { return broken_case([](const Query& q, World&) { return Reply{.message = make_reply(q, wire::Rcode::ServFail, false, {})}; }); }},
      {"formerr_to_edns_always", [] { return broken_case([](const Query& q, World&) {
         Query plain = q;
         plain.edns = false;
         return Reply{.message = make_reply(plain, wire::Rcode::FormErr, false, {})};
       }); }},
      {"tc_then_tcp_refused", [] { return broken_case([](const Query& q, World& w) { return truncated(q, w, TcpMode::normal); },
                                                      [](testsupport::FaultServer& s) { s.refuse_tcp(); }); }},
      {"tc_then_tcp_reset", [] { return broken_case([](const Query& q, World& w) { return truncated(q, w, TcpMode::reset); }); }},
      {"tc_then_tcp_stall_mid_message", [] { return broken_case([](const Query& q, World& w) { return truncated(q, w, TcpMode::stall); }); }},
      {"truncated_datagram", [] { return broken_case([](const Query& q, World& w) {
         auto m = w.example_zone->answer(q);
         m.resize(m.size() - 7);
         return Reply{.message = m};
       }); }},
      {"garbage_datagram", [] { return broken_case([](const Query& q, World&) {
         std::vector<std::uint8_t> g(300);
         std::mt19937 rng(q.header.id);
         for (auto& b : g) b = static_cast<std::uint8_t>(rng());
         return Reply{.message = g};
       }); }},
      {"answer_from_wrong_zone_lame", [] { return broken_case([](const Query& q, World&) {
         return Reply{.message = make_reply(q, wire::Rcode::NoError, false, {})};
       }); }},
  };
}

TEST(FaultSuite, BrokenServers) { run_group("broken-servers", broken_cases()); }

// ---- Loss -------------------------------------------------------------------------------------------

// Five zones, four servers each (and four for the root and test.), every server dropping 30% of the
// queries it gets at random. Every name must resolve to the same answer as without loss.
TEST(FaultSuite, ThirtyPercentLoss) {
  Net net;
  auto rng = std::make_shared<std::mt19937>(20261126);
  auto lossy = [rng](std::shared_ptr<Zone> z) -> Script {
    return [z, rng](const Query& q) {
      if (std::uniform_real_distribution<>(0, 1)(*rng) < 0.30) return Reply{.drop = true};
      return Reply{.message = z->answer(q)};
    };
  };
  std::string root = ". 86400 IN SOA a.root-servers.test. h. 1 3600 600 86400 3600\n";
  std::string tld = "test. 86400 IN SOA ns0.nic.test. h. 1 3600 600 86400 3600\n";
  for (int i = 0; i < 4; ++i) {
    root += ". 86400 IN NS r" + std::to_string(i) + ".root-servers.test.\n";
    root += "test. 86400 IN NS ns" + std::to_string(i) + ".nic.test.\nns" + std::to_string(i) + ".nic.test. 86400 IN A {h" + std::to_string(10 + i) + "}\n";
    tld += "test. 86400 IN NS ns" + std::to_string(i) + ".nic.test.\nns" + std::to_string(i) + ".nic.test. 86400 IN A {h" + std::to_string(10 + i) + "}\n";
  }
  std::vector<std::string> names;
  std::vector<std::shared_ptr<Zone>> zones;
  for (int z = 0; z < 5; ++z) {
    const std::string zone = "zone" + std::to_string(z) + ".test.";
    std::string text = zone + " 3600 IN SOA ns0." + zone + " h. 1 3600 600 86400 60\n";
    for (int s = 0; s < 4; ++s) {
      const std::string host = "{h" + std::to_string(20 + 4 * z + s) + "}";
      tld += zone + " 86400 IN NS ns" + std::to_string(s) + "." + zone + "\nns" + std::to_string(s) + "." + zone + " 86400 IN A " + host + "\n";
      text += zone + " 3600 IN NS ns" + std::to_string(s) + "." + zone + "\nns" + std::to_string(s) + "." + zone + " 3600 IN A " + host + "\n";
    }
    for (int n = 0; n < 4; ++n) {
      text += "n" + std::to_string(n) + "." + zone + " 300 IN TXT \"value " + std::to_string(z * 10 + n) + "\"\n";
      names.push_back("n" + std::to_string(n) + "." + zone);
    }
    names.push_back("missing." + zone);
    zones.push_back(std::make_shared<Zone>(zone, expand(net, text)));
  }
  auto root_zone = std::make_shared<Zone>(".", expand(net, root));
  auto tld_zone = std::make_shared<Zone>("test.", expand(net, tld));
  std::vector<int> roots;
  for (int i = 0; i < 4; ++i) {
    net.serve(1 + i, lossy(root_zone));
    roots.push_back(1 + i);
    net.serve(10 + i, lossy(tld_zone));
  }
  for (int z = 0; z < 5; ++z) {
    for (int s = 0; s < 4; ++s) net.serve(20 + 4 * z + s, lossy(zones[static_cast<std::size_t>(z)]));
  }
  Resolver resolver(net.io.get_executor(), net.options(roots));
  std::vector<Resolution> results(names.size());
  std::size_t done = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    asio::co_spawn(net.io, resolver.resolve(N(names[i]), RRType::TXT), [&, i](std::exception_ptr, Resolution r) {
      results[i] = std::move(r);
      ++done;
    });
  }
  while (done < names.size()) net.io.run_one();
  int held = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const bool missing = names[i].rfind("missing.", 0) == 0;
    const auto& r = results[i];
    bool ok = missing ? r.outcome == Outcome::nxdomain : (r.outcome == Outcome::answer && r.answer.size() == 1);
    if (ok && !missing) {
      const int z = names[i][7] - '0', n = names[i][1] - '0';  // "nN.zoneZ.test."

      ok = r.answer[0].rdata.to_string() == "\"value " + std::to_string(z * 10 + n) + "\"";
    }
    if (ok) {
      ++held;
    } else {
      ADD_FAILURE() << names[i] << ": " << to_string(r.outcome) << " " << to_string(r.failure) << " " << r.failure_detail;
    }
  }
  std::cout << "[fault-suite] loss-30%: tried " << names.size() << ", held " << held << " (" << resolver.stats().transport.timeouts
            << " timeouts absorbed)" << std::endl;
}

}  // namespace
}  // namespace dkimdoctor::resolver
