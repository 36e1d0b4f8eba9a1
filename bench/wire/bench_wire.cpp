// BM_Parse/<parser>/<message>: a full validated parse of the same bytes by dkimdoctor, ldns and libknot.
//
// "Full validated parse" for dkimdoctor = MessageView::parse (every name walked and checked, every
// RDATA of a known type validated against its layout) + visiting every question and record with its
// owner name decompressed into a Name. ldns (ldns_wire2pkt) and knot (knot_pkt_new + knot_pkt_parse +
// knot_pkt_free) do their own equivalent, including their allocations. Heap allocations are counted by
// replacing the global operator new of this binary and reported per parse ("allocs").
//
// Messages: bench/wire/messages/*.bin, plus every *.bin in $DKIMDOCTOR_BENCH_CORPUS.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <vector>

#include "wire/builder.hpp"
#include "wire/message.hpp"

#ifdef DKIMDOCTOR_HAVE_LDNS
#include <ldns/ldns.h>
#endif
#ifdef DKIMDOCTOR_HAVE_KNOT
extern "C" {
#include <libknot/libknot.h>
}
#endif

namespace {
std::atomic<std::uint64_t> g_allocs{0};
}

// Replacing the global allocation functions is intentional; GCC 12 mistakes the malloc/free pairing
// inside them for a mismatch.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace dkimdoctor::wire;

struct Message {
  std::string name;
  std::vector<std::uint8_t> bytes;
};

void add_dir(const std::filesystem::path& dir, std::vector<Message>& out) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".bin") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    out.push_back({f.stem().string(), std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)), {})});
  }
}

// The parse being measured. Returns a checksum so nothing is optimised away.
std::uint64_t dkimdoctor_parse(std::span<const std::uint8_t> bytes) {
  auto m = MessageView::parse(bytes);
  if (!m) return 0;
  std::uint64_t sum = 0;
  for (const auto& q : m->questions()) sum += q.name().wire_length() + static_cast<unsigned>(q.type());
  for (Section s : {Section::Answer, Section::Authority, Section::Additional})
    for (const auto& r : m->section(s)) {
      const Name owner = r.owner();
      sum += owner.wire_length() + static_cast<unsigned>(r.type()) + r.ttl() + r.rdata_length();
    }
  return sum + 1;
}

void BM_ParseDkimdoctor(benchmark::State& state, const Message* msg) {
  if (!MessageView::parse(msg->bytes)) {
    state.SkipWithError("dkimdoctor rejects this message");
    return;
  }
  const std::uint64_t before = g_allocs.load();
  for (auto _ : state) benchmark::DoNotOptimize(dkimdoctor_parse(msg->bytes));
  state.counters["allocs"] = benchmark::Counter(static_cast<double>(g_allocs.load() - before),
                                                benchmark::Counter::kAvgIterations);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * msg->bytes.size()));
}

#ifdef DKIMDOCTOR_HAVE_LDNS
void BM_ParseLdns(benchmark::State& state, const Message* msg) {
  for (auto _ : state) {
    ldns_pkt* pkt = nullptr;
    if (ldns_wire2pkt(&pkt, msg->bytes.data(), msg->bytes.size()) != LDNS_STATUS_OK) {
      state.SkipWithError("ldns rejects this message");
      break;
    }
    benchmark::DoNotOptimize(pkt);
    ldns_pkt_free(pkt);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * msg->bytes.size()));
}
#endif

#ifdef DKIMDOCTOR_HAVE_KNOT
// flags 0: knot lowercases every owner and RDATA name (canonical form); KNOT_PF_NOCANON leaves the case,
// as dkimdoctor does (BM_Parse/knot_nocanon, for a like-for-like reading; see README).
void BM_ParseKnot(benchmark::State& state, const Message* msg, unsigned flags) {
  // knot parses in place over a mutable buffer; it does not modify the bytes when parsing.
  std::vector<std::uint8_t> buf = msg->bytes;
  for (auto _ : state) {
    knot_pkt_t* pkt = knot_pkt_new(buf.data(), static_cast<std::uint16_t>(buf.size()), nullptr);
    if (!pkt || knot_pkt_parse(pkt, flags) != KNOT_EOK) {
      knot_pkt_free(pkt);
      state.SkipWithError("knot rejects this message");
      break;
    }
    benchmark::DoNotOptimize(pkt);
    knot_pkt_free(pkt);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * msg->bytes.size()));
}
#endif

void BM_BuildQuery(benchmark::State& state) {
  const auto name = Name::parse("4hzwn5lmznmmjyl2pqf2agr3uzzzzxyz._domainkey.shop123.com.");
  std::uint16_t id = 0;
  const std::uint64_t before = g_allocs.load();
  for (auto _ : state) benchmark::DoNotOptimize(make_query(++id, *name, RRType::TXT, false, 1232));
  state.counters["allocs"] = benchmark::Counter(static_cast<double>(g_allocs.load() - before),
                                                benchmark::Counter::kAvgIterations);
}

std::vector<Message>& messages() {
  static std::vector<Message> m;
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  add_dir(DKIMDOCTOR_BENCH_MESSAGES, messages());
  if (const char* extra = std::getenv("DKIMDOCTOR_BENCH_CORPUS")) add_dir(extra, messages());
  // A fixed iteration count (for instruction counts under callgrind, see README) instead of timing.
  const char* iters_env = std::getenv("DKIMDOCTOR_BENCH_ITERATIONS");
  const long iters = iters_env ? std::atol(iters_env) : 0;
  auto fixed = [iters](benchmark::internal::Benchmark* b) {
    if (iters > 0) b->Iterations(iters);
  };
  for (const Message& m : messages()) {
    fixed(benchmark::RegisterBenchmark(("BM_Parse/dkimdoctor/" + m.name).c_str(), BM_ParseDkimdoctor, &m));
#ifdef DKIMDOCTOR_HAVE_LDNS
    fixed(benchmark::RegisterBenchmark(("BM_Parse/ldns/" + m.name).c_str(), BM_ParseLdns, &m));
#endif
#ifdef DKIMDOCTOR_HAVE_KNOT
    fixed(benchmark::RegisterBenchmark(("BM_Parse/knot/" + m.name).c_str(), BM_ParseKnot, &m, 0u));
    fixed(benchmark::RegisterBenchmark(("BM_Parse/knot_nocanon/" + m.name).c_str(), BM_ParseKnot, &m,
                                       unsigned{KNOT_PF_NOCANON}));
#endif
  }
  benchmark::RegisterBenchmark("BM_BuildQuery/edns", BM_BuildQuery);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
