// DNSKEY, RRSIG and NSEC3 RDATA from the input into the validator. Input: u16 length + DNSKEY RDATA,
// u16 length + RRSIG RDATA, the rest both the covered RRset's one RDATA and an NSEC3 RDATA.
// Invariants: nothing crashes; the KeyTrap bounds hold; a "secure" verdict agrees with a direct verify.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "dnssec/canonical.hpp"
#include "dnssec/crypto.hpp"
#include "dnssec/denial.hpp"
#include "dnssec/keys.hpp"
#include "dnssec/limits.hpp"
#include "dnssec/validate.hpp"
#include "wire/bytes.hpp"
#include "wire/text.hpp"

using namespace dkimdoctor;
using namespace dkimdoctor::dnssec;
using wire::RRType;

namespace {
[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fuzz_dnssec_rdata: %s\n", what);
  std::abort();
}

void nsec3_proofs(std::span<const std::uint8_t> rest) {
  auto rd = wire::Rdata::from_bytes(RRType::NSEC3, rest);
  if (!rd) return;
  auto n3 = rd->as_nsec3();
  if (!n3) return;
  std::string label;
  wire::text::append_base32hex(label, n3->next_hashed_owner);
  const auto zone = *wire::Name::parse("example.");
  auto owner = zone.prepend(label);
  if (!owner) return;
  const Nsec3Record records[] = {{*owner, *n3}, {zone, *n3}};
  const auto q = *wire::Name::parse("a.b.example.");
  (void)prove_nxdomain_nsec3(q, zone, records);
  (void)prove_nodata_nsec3(q, RRType::TXT, zone, records);
  (void)prove_nodata_nsec3(zone, RRType::DS, zone, records);
  (void)prove_wildcard_answer_nsec3(q, 1, zone, records);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  wire::Cursor c({data, size});
  const auto key_bytes = c.take(c.u16());
  const auto sig_bytes = c.take(c.u16());
  const auto rest = c.rest();
  if (c.bad()) return 0;
  nsec3_proofs(rest);
  auto key = wire::Rdata::from_bytes(RRType::DNSKEY, key_bytes);
  if (!key) return 0;
  (void)key_tag(key->bytes());
  for (std::uint8_t t : {1, 2, 3, 4}) (void)ds_digest(wire::Name(), key->bytes(), t);
  auto sig_rd = wire::Rdata::from_bytes(RRType::RRSIG, sig_bytes);
  if (!sig_rd) return 0;
  auto sig = sig_rd->as_rrsig();
  auto dnskey = key->as_dnskey();
  if (!sig || !dnskey) return 0;
  (void)verify_signature(sig->algorithm, dnskey->public_key, rest, sig->signature);

  RRset keys{sig->signer, RRType::DNSKEY, wire::RRClass::IN, 0, {*key, *key}};
  RRset set{sig->signer, sig->type_covered, wire::RRClass::IN, 0, {}};
  if (auto rd = wire::Rdata::from_bytes(sig->type_covered, rest)) set.rdatas.push_back(*rd);
  const wire::rdata::Rrsig sigs[] = {*sig, *sig};
  ValidationBudget budget;
  const auto r = validate_rrset(set, sigs, keys, sig->inception, budget);
  if (r.verifications > kMaxVerificationsPerRrset || budget.used != r.verifications) die("verification bound broken");
  if (r.outcome.status == Status::secure) {
    const auto signed_bytes = signed_data(*sig, set);
    if (!signed_bytes || verify_signature(sig->algorithm, dnskey->public_key, *signed_bytes, sig->signature) != Verify::valid)
      die("secure without a valid signature");
  }
  // The DS step with a DS made from the key itself.
  if (auto digest = ds_digest(sig->signer, key->bytes(), 2)) {
    std::vector<std::uint8_t> ds;
    wire::append16(ds, key_tag(key->bytes()));
    ds.push_back(dnskey->algorithm);
    ds.push_back(2);
    ds.insert(ds.end(), digest->begin(), digest->end());
    if (auto ds_rd = wire::Rdata::from_bytes(RRType::DS, ds)) {
      RRset ds_set{sig->signer, RRType::DS, wire::RRClass::IN, 0, {*ds_rd}};
      ValidationBudget b2;
      (void)validate_dnskeys(ds_set, keys, sigs, sig->inception, b2);
      if (b2.used > kMaxVerificationsPerRrset) die("DS step verification bound broken");
    }
  }
  return 0;
}
