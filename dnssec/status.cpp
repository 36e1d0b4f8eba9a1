#include "dnssec/status.hpp"

namespace dkimdoctor::dnssec {

const char* to_string(Status status) {
  switch (status) {
    case Status::secure: return "secure";
    case Status::insecure: return "insecure";
    case Status::bogus: return "bogus";
    case Status::indeterminate: return "indeterminate";
  }
  return "?";
}

const char* to_string(Reason reason) {
  switch (reason) {
    case Reason::none: return "none";
    case Reason::unsupported_algorithm: return "unsupported algorithm";
    case Reason::unsupported_digest: return "unsupported digest type";
    case Reason::nsec3_iterations: return "NSEC3 iterations above the limit";
    case Reason::nsec3_opt_out: return "NSEC3 opt-out span";
    case Reason::missing_rrsig: return "missing RRSIG";
    case Reason::no_matching_dnskey: return "no matching DNSKEY";
    case Reason::signature_expired: return "signature expired";
    case Reason::signature_not_yet_valid: return "signature not yet valid";
    case Reason::bad_signature: return "bad signature";
    case Reason::malformed: return "malformed DNSSEC data";
    case Reason::too_many_records: return "too many records";
    case Reason::verification_limit: return "signature verification limit reached";
    case Reason::denial_not_proven: return "denial not proven";
  }
  return "?";
}

void append_records(const RRset& rrset, std::vector<wire::Record>& out) {
  for (const auto& rdata : rrset.rdatas) out.push_back(wire::Record{rrset.owner, rrset.type, rrset.cls, rrset.ttl, rdata});
}

std::vector<RRset> group_rrsets(const std::vector<wire::Record>& records) {
  std::vector<RRset> out;
  for (const auto& r : records) {
    if (r.type == wire::RRType::RRSIG) continue;
    RRset* set = nullptr;
    for (auto& s : out)
      if (s.type == r.type && s.cls == r.cls && s.owner == r.owner) { set = &s; break; }
    if (!set) {
      out.push_back(RRset{r.owner, r.type, r.cls, r.ttl, {}});
      set = &out.back();
    }
    set->rdatas.push_back(r.rdata);
  }
  return out;
}

std::vector<wire::rdata::Rrsig> rrsigs_for(const std::vector<wire::Record>& records, const wire::Name& owner,
                                           wire::RRClass cls, wire::RRType type) {
  std::vector<wire::rdata::Rrsig> out;
  for (const auto& r : records) {
    if (r.type != wire::RRType::RRSIG || r.cls != cls || !(r.owner == owner)) continue;
    auto sig = r.rdata.as_rrsig();
    if (sig && sig->type_covered == type) out.push_back(std::move(*sig));
  }
  return out;
}

}  // namespace dkimdoctor::dnssec
