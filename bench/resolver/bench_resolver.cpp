// Micro-benchmarks of the resolver's per-reply work: scrub + classify of a referral and of an answer,
// cache lookups, 0x20 case randomisation, address classification.
#include <benchmark/benchmark.h>

#include "resolver/address_policy.hpp"
#include "resolver/cache.hpp"
#include "resolver/classify.hpp"
#include "resolver/random.hpp"
#include "resolver/transport.hpp"
#include "wire/builder.hpp"
#include "wire/zonefile.hpp"

namespace {

using namespace dkimdoctor;

wire::Record rr(const char* text) { return wire::parse_zone_text(text)->front(); }

std::vector<std::uint8_t> reply(const wire::Question& q, bool aa, std::vector<wire::Record> an, std::vector<wire::Record> ns,
                                std::vector<wire::Record> ad) {
  wire::MessageBuilder b;
  b.set_id(1).set_qr(true).set_aa(aa);
  (void)b.add_question(q);
  for (auto& r : an) (void)b.add_record(wire::Section::Answer, r);
  for (auto& r : ns) (void)b.add_record(wire::Section::Authority, r);
  for (auto& r : ad) (void)b.add_record(wire::Section::Additional, r);
  (void)b.add_edns(1232, false);
  return *b.finish();
}

void BM_ScrubClassifyReferral(benchmark::State& state) {
  const wire::Question q{*wire::Name::parse("token._domainkey.example.com."), wire::RRType::TXT, wire::RRClass::IN};
  auto bytes = reply(q, false, {},
                     {rr("example.com. 172800 IN NS ns1.example.com."), rr("example.com. 172800 IN NS ns2.example.net."),
                      rr("example.com. 172800 IN NS ns3.example.com."), rr("example.com. 172800 IN NS ns4.example.org.")},
                     {rr("ns1.example.com. 172800 IN A 192.0.2.1"), rr("ns3.example.com. 172800 IN A 192.0.2.3"),
                      rr("ns1.example.com. 172800 IN AAAA 2001:db8::1")});
  const auto zone = *wire::Name::parse("com.");
  for (auto _ : state) {
    auto view = wire::MessageView::parse(bytes);
    auto s = resolver::scrub(*view, q, zone);
    auto c = resolver::classify(s, q, zone);
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScrubClassifyReferral);

void BM_ScrubClassifyCnameAnswer(benchmark::State& state) {
  const wire::Question q{*wire::Name::parse("abc._domainkey.example.com."), wire::RRType::TXT, wire::RRClass::IN};
  auto bytes = reply(q, true, {rr("abc._domainkey.example.com. 3600 IN CNAME abc.dkim.amazonses.com.")}, {}, {});
  const auto zone = *wire::Name::parse("example.com.");
  for (auto _ : state) {
    auto view = wire::MessageView::parse(bytes);
    auto s = resolver::scrub(*view, q, zone);
    auto c = resolver::classify(s, q, zone);
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScrubClassifyCnameAnswer);

void BM_CacheHit(benchmark::State& state) {
  resolver::Cache cache(100000);
  for (int i = 0; i < 10000; ++i) {
    // Built with append: GCC 12's -Wrestrict misfires on `"literal" + std::string` at -O3 (bug 105651).
    std::string text = "n";
    text.append(std::to_string(i)).append(".example.com. 3600 IN A 192.0.2.1");
    cache.store_records({rr(text.c_str())});
  }
  const auto name = *wire::Name::parse("n4242.example.com.");
  for (auto _ : state) benchmark::DoNotOptimize(cache.rrset(name, wire::RRType::A));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CacheHit);

void BM_RandomiseCase(benchmark::State& state) {
  resolver::RandomPool random;
  const auto name = *wire::Name::parse("abcdefghijklmnop._domainkey.example.com.");
  for (auto _ : state) benchmark::DoNotOptimize(resolver::randomise_case(name, random));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RandomiseCase);

void BM_AddressPolicy(benchmark::State& state) {
  resolver::AddressPolicy policy;
  const auto a = asio::ip::make_address("2001:4860:4860::8888");
  for (auto _ : state) benchmark::DoNotOptimize(policy.permits(a));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddressPolicy);

}  // namespace
