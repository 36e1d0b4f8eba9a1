// A response's RRsets validated against the DNSKEY sets the response itself carries (as if they were
// trusted), one ValidationBudget for the whole response, and its NSEC/NSEC3 records run through every
// denial proof for the question. Invariants: nothing crashes, the per-RRset and per-response bounds hold.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "dnssec/denial.hpp"
#include "dnssec/limits.hpp"
#include "dnssec/validate.hpp"
#include "wire/message.hpp"

using namespace dkimdoctor;
using namespace dkimdoctor::dnssec;
using wire::RRType;

namespace {
[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fuzz_dnssec_response: %s\n", what);
  std::abort();
}
// Grouping is quadratic in the record count: a real response has far fewer.
constexpr std::size_t kMaxRecords = 256;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto view = wire::MessageView::parse({data, size});
  if (!view) return 0;
  std::vector<wire::Record> records;
  for (auto s : {wire::Section::Answer, wire::Section::Authority, wire::Section::Additional})
    for (const auto& rv : view->section(s)) {
      if (rv.type() == RRType::OPT || records.size() == kMaxRecords) continue;
      records.push_back(rv.to_record());
    }
  wire::Name qname;
  RRType qtype = RRType::A;
  for (const auto& q : view->questions()) {
    qname = q.name();
    qtype = q.type();
    break;
  }
  const auto sets = group_rrsets(records);
  ValidationBudget budget;
  for (const auto& set : sets) {
    const auto sigs = rrsigs_for(records, set.owner, set.cls, set.type);
    const RRset* keys = nullptr;
    for (const auto& k : sets)
      if (k.type == RRType::DNSKEY && !sigs.empty() && k.owner == sigs[0].signer) keys = &k;
    if (!keys) continue;
    const std::size_t before = budget.used;
    const auto r = validate_rrset(set, sigs, *keys, sigs[0].inception, budget);
    if (r.verifications > kMaxVerificationsPerRrset || budget.used - before != r.verifications)
      die("per-RRset bound broken");
    if (r.outcome.status == Status::secure && r.wildcard)
      (void)prove_wildcard_answer(set.owner, r.labels, keys->owner, nsec_records(records));
    if (set.type == RRType::DS)
      for (const auto& k : sets)
        if (k.type == RRType::DNSKEY && k.owner == set.owner)
          (void)validate_dnskeys(set, k, rrsigs_for(records, k.owner, k.cls, RRType::DNSKEY), 0, budget);
  }
  if (budget.used > kMaxVerificationsPerResponse) die("per-response bound broken");

  const auto nsecs = nsec_records(records);
  const auto nsec3s = nsec3_records(records);
  for (const wire::Name& zone : {qname.parent(), qname.suffix(1), wire::Name()}) {
    (void)prove_nxdomain(qname, zone, nsecs);
    (void)prove_nodata(qname, qtype, zone, nsecs);
    (void)prove_wildcard_answer(qname, 1, zone, nsecs);
    (void)prove_nxdomain_nsec3(qname, zone, nsec3s);
    (void)prove_nodata_nsec3(qname, qtype, zone, nsec3s);
    (void)prove_wildcard_answer_nsec3(qname, 1, zone, nsec3s);
  }
  for (const auto& n : nsec3s)  // the zone each NSEC3 names by its owner
    (void)prove_nxdomain_nsec3(qname, n.owner.parent(), nsec3s);
  return 0;
}
