// Shared by the fault suite's groups: a small world of scripted servers, a fresh resolver per case,
// and a look into the cache for anything an attacker planted.
//
// The world (hosts on this process's 127.53.B.x block, see tests/resolver/harness.hpp):
//   h1 root, h2 test., h3 example.test (www A 192.0.2.80), h4 other.test (www A 192.0.2.90),
//   h5 bank.test (www A 192.0.2.100). The attacker's data always carries 6.6.6.x, the attacker's
//   server is h66 and forged datagrams come from h250 (nothing else is bound there).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "resolver/limits.hpp"
#include "resolver/resolver.hpp"
#include "tests/resolver/harness.hpp"
#include "wire/builder.hpp"

namespace dkimdoctor::resilience {

using namespace std::chrono_literals;
using resolver::Failure;
using resolver::Outcome;
using resolver::Resolution;
using resolver::Resolver;
using testsupport::expand;
using testsupport::FaultServer;
using testsupport::Forged;
using testsupport::make_reply;
using testsupport::Net;
using testsupport::Query;
using testsupport::Reply;
using testsupport::rr;
using testsupport::TcpMode;
using testsupport::Zone;
using wire::Name;
using wire::Record;
using wire::RRType;

inline Name N(const std::string& s) { return *Name::parse(s); }

inline const char* kExampleZone = R"(
example.test. 3600 IN SOA ns1.example.test. host.example.test. 1 3600 600 86400 120
example.test. 3600 IN NS ns1.example.test.
ns1.example.test. 3600 IN A {h3}
www.example.test. 300 IN A 192.0.2.80
mail.example.test. 300 IN A 192.0.2.25
alias.example.test. 300 IN CNAME www.example.test.
)";
inline const char* kOtherZone = R"(
other.test. 3600 IN SOA ns1.other.test. host.other.test. 1 3600 600 86400 300
other.test. 3600 IN NS ns1.other.test.
ns1.other.test. 3600 IN A {h4}
www.other.test. 300 IN A 192.0.2.90
)";
inline const char* kBankZone = R"(
bank.test. 3600 IN SOA ns1.bank.test. host.bank.test. 1 3600 600 86400 300
bank.test. 3600 IN NS ns1.bank.test.
ns1.bank.test. 3600 IN A {h5}
www.bank.test. 300 IN A 192.0.2.100
)";
inline const char* kDelegations = R"(
example.test. 86400 IN NS ns1.example.test.
ns1.example.test. 86400 IN A {h3}
other.test. 86400 IN NS ns1.other.test.
ns1.other.test. 86400 IN A {h4}
bank.test. 86400 IN NS ns1.bank.test.
ns1.bank.test. 86400 IN A {h5}
)";

// Every name a case might have poisoned; the cache is searched for these.
inline const std::vector<std::string> kWatched = {
    ".", "test.", "ns1.nic.test.", "example.test.", "www.example.test.", "mail.example.test.",
    "ns1.example.test.", "alias.example.test.", "other.test.", "www.other.test.", "ns1.other.test.",
    "bank.test.", "www.bank.test.", "ns1.bank.test.", "child.example.test.", "victim.test.",
    "www.victim.test.", "ns.victim.test.", "evil.test.", "www.evil.test.", "x.evil.test.", "ns.evil.test.",
};

class World : public ::testing::Test {
 protected:
  // Root, test. and the three honest zones; `extra` is appended to the test. zone.
  void world(const std::string& extra = "") {
    testsupport::serve_root_and_test(net_, std::string(kDelegations) + extra);
    example_zone_ = std::make_shared<Zone>("example.test.", expand(net_, kExampleZone));
    other_zone_ = std::make_shared<Zone>("other.test.", expand(net_, kOtherZone));
    bank_zone_ = std::make_shared<Zone>("bank.test.", expand(net_, kBankZone));
    example_ = &net_.serve_zone(3, example_zone_);
    other_ = &net_.serve_zone(4, other_zone_);
    bank_ = &net_.serve_zone(5, bank_zone_);
  }

  Resolver& fresh(std::optional<resolver::Options> o = std::nullopt) {
    resolver_ = std::make_unique<Resolver>(net_.io.get_executor(), o ? *o : net_.options({1}));
    return *resolver_;
  }
  Resolver& resolver() {
    if (!resolver_) fresh();
    return *resolver_;
  }
  Resolution resolve(const std::string& name, RRType type = RRType::A) {
    return net_.run(resolver().resolve(N(name), type));
  }

  // The honest answer of `zone` to `q`, as records.
  static std::vector<Record> answer_of(const Zone& zone, const Query& q) {
    auto bytes = zone.answer(q);
    auto v = wire::MessageView::parse(bytes);
    std::vector<Record> out;
    for (const auto& r : v->answers()) out.push_back(r.to_record());
    return out;
  }
  // A reply to `q` whose answer is `records` (AA, NOERROR), with ID, name or type changed.
  static std::vector<std::uint8_t> forged(const Query& q, const std::vector<std::string>& records,
                                          int id_delta = 0) {
    Query f = q;
    f.header.id = static_cast<std::uint16_t>(q.header.id + id_delta);
    std::vector<Record> rs;
    for (const auto& t : records) rs.push_back(rr(t));
    return make_reply(f, wire::Rcode::NoError, true, rs);
  }

  // Everything the cache holds for the watched names, one line per record, as text.
  std::string cache_text(const std::vector<std::string>& extra = {}) {
    std::string out;
    auto& cache = resolver().cache();
    std::vector<std::string> names = kWatched;
    names.insert(names.end(), extra.begin(), extra.end());
    for (const auto& n : names) {
      const Name name = N(n);
      for (RRType t : {RRType::A, RRType::AAAA, RRType::NS, RRType::CNAME, RRType::TXT, RRType::DNAME, RRType::MX,
                       RRType::SOA}) {
        if (auto set = cache.rrset(name, t)) {
          for (const auto& r : *set) out += "rrset " + r.to_string() + "\n";
        }
        if (auto neg = cache.negative(name, t)) {
          out += std::string(neg->nxdomain ? "nxdomain " : "nodata ") + n + " " + wire::to_string(t) + "\n";
        }
      }
      if (auto d = cache.delegation(name)) {
        for (const auto& s : d->servers) {
          out += "delegation " + n + " NS " + s.name.to_string();
          for (const auto& a : s.glue) out += " " + a.to_string();
          out += "\n";
        }
      }
    }
    return out;
  }
  // The cache holds nothing from the attacker: no 6.6.6.x, no attacker server address.
  void expect_clean_cache(const std::vector<std::string>& extra = {}) {
    const std::string text = cache_text(extra);
    EXPECT_EQ(text.find("6.6.6."), std::string::npos) << text;
    EXPECT_EQ(text.find(net_.ip(66) + "\n"), std::string::npos) << text;
    EXPECT_EQ(text.find(net_.ip(66) + " "), std::string::npos) << text;
    EXPECT_EQ(text.find(net_.ip(250)), std::string::npos) << text;
  }

  static std::string rdata(const Resolution& r) {
    std::string s;
    for (const auto& rec : r.answer) s += (s.empty() ? "" : " ") + rec.rdata.to_string();
    return s;
  }
  static int mismatched(const Resolution& r) {
    int n = 0;
    for (const auto& s : r.trace) n += s.mismatched;
    return n;
  }
  static int scrubbed(const Resolution& r) {
    int n = 0;
    for (const auto& s : r.trace) n += s.scrubbed;
    return n;
  }
  static std::string why(const Resolution& r) {
    return std::string(resolver::to_string(r.outcome)) + " / " + resolver::to_string(r.failure) + " / " +
           r.failure_detail;
  }

  Net net_;
  std::shared_ptr<Zone> example_zone_, other_zone_, bank_zone_;
  FaultServer* example_ = nullptr;
  FaultServer* other_ = nullptr;
  FaultServer* bank_ = nullptr;
  std::unique_ptr<Resolver> resolver_;
};

}  // namespace dkimdoctor::resilience
