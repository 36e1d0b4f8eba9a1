// How long the diagnosis itself takes for one domain, observations already gathered (the resolver's
// time is measured in bench/resolver). Run: build/bench/diagnose/bench_diagnose
#include <benchmark/benchmark.h>

#include "diagnose/dkim_key.hpp"
#include "diagnose/dkim_tags.hpp"
#include "diagnose/judge.hpp"
#include "tests/diagnose/test_keys.hpp"
#include "tests/diagnose/world.hpp"

namespace dkimdoctor::diagnose {
namespace {

using testing::chunks;
using testing::N;
using testing::RR;
using testing::TXT;
using testing::World;
using wire::RRType;

World domain_world(bool broken) {
  World w;
  w.identity.domain = N("example.com");
  w.identity.region = "us-east-1";
  w.identity.verification_token = "fmxqxT/icOYx4aA/bEUrDPMeax9/s3frblS+niixmqk=";
  w.zone_records = {
      RR("example.com", RRType::SOA, "ns1.provider.test. hostmaster.example.com. 2026112601 3600 600 86400 900"),
      RR("example.com", RRType::NS, "ns1.provider.test."),
      RR("example.com", RRType::NS, "ns2.provider.test."),
      RR("_dmarc.example.com", RRType::TXT, "\"v=DMARC1; p=quarantine\""),
      TXT("_amazonses.example.com", {"fmxqxT/icOYx4aA/bEUrDPMeax9/s3frblS+niixmqk="}),
  };
  const char* tokens[] = {"t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "t2bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                          "t3cccccccccccccccccccccccccccccc"};
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string t = tokens[i];
    w.identity.easy_dkim.push_back({t, "us-east-1"});
    // The broken domain misses one CNAME and has another at the underscore-stripped name.
    if (broken && i == 2) w.zone_records.push_back(RR(t + "domainkey.example.com", RRType::CNAME, t + ".dkim.amazonses.com."));
    else w.zone_records.push_back(RR(t + "._domainkey.example.com", RRType::CNAME, t + ".dkim.amazonses.com."));
    w.elsewhere.push_back(TXT(t + ".dkim.amazonses.com", chunks(std::string("v=DKIM1; k=rsa; p=") + testkeys::k2048_spki)));
  }
  return w;
}

// Observations after every follow-up round, as run_check ends with them.
Observations observed(const World& w) {
  Observations obs;
  obs.delegation = w.default_delegation();
  const auto expected = expectations(w.identity);
  for (const auto& l : plan(expected)) obs.lookups.push_back(w.observe(l));
  for (int round = 0; round < 4; ++round) {
    auto j = judge(w.identity, expected, obs);
    if (j.follow_ups.empty()) break;
    for (const auto& l : j.follow_ups) obs.lookups.push_back(w.observe(l));
  }
  return obs;
}

void judge_domain(benchmark::State& state, bool broken) {
  const World w = domain_world(broken);
  const auto expected = expectations(w.identity);
  const Observations obs = observed(w);
  for (auto _ : state) {
    auto j = judge(w.identity, expected, obs);
    benchmark::DoNotOptimize(j);
  }
}
BENCHMARK_CAPTURE(judge_domain, healthy_easy_dkim, false);
BENCHMARK_CAPTURE(judge_domain, underscore_stripped, true);

void expectations_and_plan(benchmark::State& state) {
  const World w = domain_world(false);
  for (auto _ : state) {
    auto p = plan(expectations(w.identity));
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(expectations_and_plan);

void parse_key_record_2048(benchmark::State& state) {
  const std::string text = std::string("v=DKIM1; k=rsa; p=") + testkeys::k2048_spki;
  for (auto _ : state) {
    auto r = parse_dkim_record(text);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(parse_key_record_2048);

void decode_key_2048(benchmark::State& state) {
  for (auto _ : state) {
    auto k = decode_public_key(testkeys::k2048_spki);
    benchmark::DoNotOptimize(k);
  }
}
BENCHMARK(decode_key_2048);

}  // namespace
}  // namespace dkimdoctor::diagnose
