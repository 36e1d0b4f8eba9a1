#include "resolver/classify.hpp"

#include <algorithm>

#include "resolver/limits.hpp"

namespace dkimdoctor::resolver {

using wire::Name;
using wire::Record;
using wire::RRType;

const char* to_string(Classification c) {
  switch (c) {
    case Classification::answer: return "answer";
    case Classification::cname: return "cname";
    case Classification::referral: return "referral";
    case Classification::nodata: return "nodata";
    case Classification::nxdomain: return "nxdomain";
    case Classification::yxdomain: return "yxdomain";
    case Classification::lame: return "lame";
    case Classification::throwaway: return "throwaway";
  }
  return "unknown";
}

std::optional<Name> dname_substitute(const Name& name, const Name& owner, const Name& target) {
  if (!name.is_subdomain_of(owner) || name.label_count() <= owner.label_count()) return std::nullopt;
  Name out = target;
  const std::size_t prefix = name.label_count() - owner.label_count();
  for (std::size_t i = prefix; i-- > 0;) {
    auto next = out.prepend(name.label(i));
    if (!next) return std::nullopt;  // RFC 6672 §2.2: too long -> YXDOMAIN, no substitution
    out = *next;
  }
  return out;
}

std::uint32_t negative_ttl(const Record& soa) {
  auto fields = soa.rdata.as_soa();
  const std::uint32_t minimum = fields ? fields->minimum : 0;
  return std::min(soa.ttl, minimum);
}

namespace {

bool type_matches(RRType have, RRType want) { return have == want || want == RRType::ANY; }

std::optional<Name> target_of(const Record& r) {
  auto t = r.rdata.target();
  if (!t) return std::nullopt;
  return *t;
}

// Whether a CNAME at `name` comes in `answer` before any record of the asked type there. RFC 2181 §10.1
// allows no other data beside a CNAME; a server that sends both anyway is taken at its first word, as
// Unbound's scrubber does since 2026-05 (iter_scrub.c, scrub_normalize: a CNAME after the answer is
// removed, data after a CNAME is not the CNAME target's): the data answers when it comes first, the CNAME
// is followed when it does.
bool cname_comes_first(const std::vector<Record>& answer, const Name& name, RRType qtype) {
  if (qtype == RRType::CNAME || qtype == RRType::ANY) return false;
  for (const Record& r : answer) {
    if (!(r.owner == name)) continue;
    if (r.type == RRType::CNAME) return true;
    if (r.type == qtype) return false;
  }
  return false;
}

// Follows the chain from the question name through `answer`, appending kept records to `out` in
// chain order. Returns the name the chain ends at. The final RRset's records are moved out of `answer`
// (the chain ends there; only its size is read afterwards), the links copied (a link may be kept twice).
Name keep_chain(std::vector<Record>& answer, const wire::Question& q, const Name& zone, std::vector<Record>& out,
                int& synthesised) {
  Name cur = q.name;
  std::vector<Name> visited;
  for (int links = 0; links <= kMaxCnameChain + 1; ++links) {
    if (!cur.is_subdomain_of(zone)) break;  // the target's data must come from its own servers
    if (std::find(visited.begin(), visited.end(), cur) != visited.end()) break;  // loop
    visited.push_back(cur);
    bool final_found = false;
    const bool cname_first = cname_comes_first(answer, cur, q.type);
    for (Record& r : answer) {
      if (cname_first) break;
      // An RRSIG is data only for an RRSIG question (RFC 4035 §3.1.5 lets a server answer it); else it
      // travels with the RRset it covers (keep_dnssec).
      if (r.owner == cur && type_matches(r.type, q.type) && (r.type != RRType::RRSIG || q.type == RRType::RRSIG)) {
        out.push_back(std::move(r));
        final_found = true;
      }
    }
    if (final_found || q.type == RRType::CNAME) break;
    std::optional<Name> next;
    // DNAME at an ancestor of `cur` inside the zone (RFC 6672 §3.2: servers send the DNAME and a
    // synthesised CNAME; we synthesise it ourselves when it is missing).
    for (const Record& r : answer) {
      if (r.type != RRType::DNAME || r.owner == cur || !cur.is_subdomain_of(r.owner) ||
          !r.owner.is_subdomain_of(zone)) {
        continue;
      }
      auto target = target_of(r);
      if (!target) continue;
      auto substituted = dname_substitute(cur, r.owner, *target);
      if (!substituted) {
        // The substitution overflows (RFC 6672 §2.2): the chain ends here, the DNAME is the proof
        // of the server's YXDOMAIN.
        out.push_back(r);
        return cur;
      }
      out.push_back(r);
      next = *substituted;
      break;
    }
    const Record* cname = nullptr;
    for (const Record& r : answer) {
      if (r.type == RRType::CNAME && r.owner == cur) {
        cname = &r;
        break;
      }
    }
    // A CNAME that contradicts the DNAME synthesis is ignored in favour of the DNAME (RFC 6672 §3.2):
    // the CNAME is synthesised as if it were missing, and the chain goes on at the DNAME's target.
    const std::optional<Name> cname_target = cname != nullptr ? target_of(*cname) : std::nullopt;
    if (cname_target && (!next || *cname_target == *next)) {
      out.push_back(*cname);
      next = *cname_target;
    } else if (next) {
      Record synth;
      synth.owner = cur;
      synth.type = RRType::CNAME;
      synth.cls = wire::RRClass::IN;
      synth.ttl = out.back().ttl;
      auto rd = wire::Rdata::from_bytes(RRType::CNAME, next->wire());
      if (!rd) break;
      synth.rdata = *rd;
      out.push_back(std::move(synth));
      ++synthesised;
    }
    if (!next) break;
    cur = *next;
  }
  return cur;
}

// A signed referral's DS records below `zone`, and the RRSIGs covering them (ScrubbedReply::referral_ds).
void keep_referral_ds(const wire::MessageView& reply, const Name& zone, ScrubbedReply& s) {
  for (const auto& rv : reply.authority()) {
    if (s.referral_ds.size() >= kMaxReferralDsKept) return;
    if (rv.cls() != wire::RRClass::IN || rv.type() != RRType::DS) continue;
    const Name owner = rv.owner();
    if (owner.is_subdomain_of(zone) && !(owner == zone)) s.referral_ds.push_back(rv.to_record());
  }
  if (s.referral_ds.empty()) return;
  for (const auto& rv : reply.authority()) {
    if (s.referral_ds.size() >= kMaxReferralDsKept) return;
    if (rrsig_covered(rv) != RRType::DS) continue;  // an RRSIG over anything but DS is not copied
    const Name owner = rv.owner();
    const bool covers = std::any_of(s.referral_ds.begin(), s.referral_ds.end(),
                                    [&](const Record& d) { return d.type == RRType::DS && d.owner == owner; });
    if (!covers) continue;
    Record r = rv.to_record();
    if (r.rdata.as_rrsig()) s.referral_ds.push_back(std::move(r));
  }
}

// The DNSSEC records of the reply that speak for what the scrubber kept (see ScrubbedReply::dnssec).
void keep_dnssec(const wire::MessageView& reply, const Name& zone, ScrubbedReply& s) {
  auto kept = [](const std::vector<Record>& v, const Name& owner, RRType type) {
    return std::any_of(v.begin(), v.end(), [&](const Record& r) { return r.type == type && r.owner == owner; });
  };
  std::size_t denial = 0;
  for (const auto& rv : reply.authority()) {
    if (rv.cls() != wire::RRClass::IN || (rv.type() != RRType::NSEC && rv.type() != RRType::NSEC3)) continue;
    if (denial >= kMaxDenialRecordsKept) break;
    const Name owner = rv.owner();
    if (!owner.is_subdomain_of(zone)) continue;
    s.dnssec.push_back(rv.to_record());
    ++denial;
  }
  // An RRSIG speaks for the RRset it covers wherever the server put it (as Unbound's parser joins them): one
  // in the additional section covering an answer RRset is that RRset's, one in the answer section covering
  // an additional record is nobody's here. Each distinct RRSIG once.
  std::size_t sigs = 0;
  // Decided on the view (the covered type is the RDATA's first two octets), so that an RRSIG we drop is
  // never copied out of the reply; only a kept one is materialised and parsed whole.
  auto take_rrsig = [&](const wire::RecordView& rv) {
    const auto covered = rrsig_covered(rv);
    if (!covered || sigs >= kMaxDenialRecordsKept) return;
    const RRType t = *covered;
    const Name owner = rv.owner();
    if (!owner.is_subdomain_of(zone)) return;
    const bool covers = kept(s.answer, owner, t) || (t == RRType::SOA && kept(s.authority, owner, t)) ||
                        ((t == RRType::NSEC || t == RRType::NSEC3) && kept(s.dnssec, owner, t));
    if (!covers) return;
    Record r = rv.to_record();
    if (!r.rdata.as_rrsig() || std::find(s.dnssec.begin(), s.dnssec.end(), r) != s.dnssec.end()) return;
    s.dnssec.push_back(std::move(r));
    ++sigs;
  };
  for (const auto& rv : reply.answers()) take_rrsig(rv);
  for (const auto& rv : reply.authority()) take_rrsig(rv);
  for (const auto& rv : reply.additional()) take_rrsig(rv);
  keep_referral_ds(reply, zone, s);
}

}  // namespace

std::optional<RRType> rrsig_covered(const wire::RecordView& rv) noexcept {
  if (rv.cls() != wire::RRClass::IN || rv.type() != RRType::RRSIG) return std::nullopt;
  const auto rdata = rv.rdata_bytes();
  if (rdata.size() < 2) return std::nullopt;
  return static_cast<RRType>((rdata[0] << 8) | rdata[1]);
}

bool is_dnssec_type(RRType type) noexcept {
  return type == RRType::RRSIG || type == RRType::NSEC || type == RRType::NSEC3;
}

ScrubbedReply scrub(const wire::MessageView& reply, const wire::Question& question, const Name& zone) {
  ScrubbedReply s;
  s.header = reply.header();
  s.rcode = reply.rcode();

  // Reserved up to a small bound (the counts come from the network; a typical reply has a handful).
  const auto reserve = [](std::vector<Record>& v, std::uint16_t count) { v.reserve(std::min<std::size_t>(count, 16)); };
  std::vector<Record> answer;
  reserve(answer, reply.header().ancount);
  reserve(s.answer, reply.header().ancount);
  reserve(s.authority, reply.header().nscount);
  reserve(s.additional, reply.header().arcount);
  for (const auto& rv : reply.answers()) {
    // keep_chain() keeps an RRSIG only as the answer to an RRSIG question (keep_dnssec() takes the ones
    // covering the chain from the view): dropped here, not copied out first.
    if (rv.cls() != wire::RRClass::IN || (rv.type() == RRType::RRSIG && question.type != RRType::RRSIG)) {
      ++s.dropped;
      continue;
    }
    answer.push_back(rv.to_record());
  }
  int synthesised = 0;
  const Name tail = keep_chain(answer, question, zone, s.answer, synthesised);
  s.dropped += std::max(0, static_cast<int>(answer.size()) - (static_cast<int>(s.answer.size()) - synthesised));

  auto relevant = [&](const Name& owner) {
    return question.name.is_subdomain_of(owner) || tail.is_subdomain_of(owner);
  };
  bool have_soa = false;
  for (const auto& rv : reply.authority()) {
    if (rv.cls() != wire::RRClass::IN) {
      ++s.dropped;
      continue;
    }
    const RRType t = rv.type();
    if (t != RRType::SOA && t != RRType::NS) {
      // DNSSEC proofs (NSEC, NSEC3, RRSIG, DS) are not validated here: not kept, not counted as hostile.
      if (t != RRType::NSEC && t != RRType::NSEC3 && t != RRType::RRSIG && t != RRType::DS) ++s.dropped;
      continue;
    }
    const Name owner = rv.owner();
    if (t == RRType::NS && !owner.is_subdomain_of(zone) && zone.is_subdomain_of(owner)) s.upward_ns = true;
    if (!owner.is_subdomain_of(zone) || !relevant(owner) || (t == RRType::SOA && have_soa)) {
      ++s.dropped;
      continue;
    }
    if (t == RRType::SOA) have_soa = true;
    s.authority.push_back(rv.to_record());
  }

  std::vector<Name> ns_targets;
  ns_targets.reserve(std::min<std::size_t>(s.authority.size() + s.answer.size(), 16));
  // NS names from the authority section (referrals) and, for an NS question, from the answer
  // (priming, RFC 8109 §3.3: the root servers' addresses come in the additional section).
  for (const Record& r : s.authority) {
    if (r.type != RRType::NS) continue;
    if (auto t = target_of(r)) ns_targets.push_back(*t);
  }
  for (const Record& r : s.answer) {
    if (r.type != RRType::NS) continue;
    if (auto t = target_of(r)) ns_targets.push_back(*t);
  }
  for (const auto& rv : reply.additional()) {
    if (rv.type() == RRType::OPT) continue;
    if (rv.cls() != wire::RRClass::IN || (rv.type() != RRType::A && rv.type() != RRType::AAAA)) {
      if (rv.type() != RRType::RRSIG) ++s.dropped;
      continue;
    }
    const Name owner = rv.owner();
    if (!owner.is_subdomain_of(zone) ||
        std::find(ns_targets.begin(), ns_targets.end(), owner) == ns_targets.end()) {
      ++s.dropped;
      continue;
    }
    s.additional.push_back(rv.to_record());
  }
  keep_dnssec(reply, zone, s);
  return s;
}

namespace {

// NS records of a zone strictly below `zone`, above or at the question: a referral.
bool delegates_below(const Record& r, const wire::Question& q, const Name& zone) {
  return r.type == RRType::NS && !(r.owner == zone) && q.name.is_subdomain_of(r.owner);
}

// A reply with RA and without AA comes from a recursive server answering from its cache, not from
// an authority of the zone: lame (as Unbound's REC_LAME), whatever it answers. Referrals stay
// usable (they are checked by bailiwick and lead to the real servers).
bool referral_shape(const ScrubbedReply& reply, const wire::Question& q, const Name& zone, bool has_final,
                    int chain_links, const Record* soa) {
  return !has_final && chain_links == 0 && soa == nullptr && reply.rcode == wire::Rcode::NoError &&
         std::any_of(reply.authority.begin(), reply.authority.end(),
                     [&](const Record& r) { return delegates_below(r, q, zone); });
}

// A referral without DS: the NSEC/NSEC3 records it carries and the RRSIGs covering them, the parent's proof
// that the child has no DS (RFC 4035 §3.1.4), validated later with the parent's keys.
void keep_no_ds_proof(Classified& c, const ScrubbedReply& reply) {
  for (const Record& r : reply.dnssec) {
    if (r.type != RRType::NSEC && r.type != RRType::NSEC3) continue;
    std::vector<Record> set{r};  // the record and the RRSIGs covering it, kept together or not at all
    for (const Record& s : reply.dnssec) {
      if (s.type != RRType::RRSIG || !(s.owner == r.owner)) continue;
      auto sig = s.rdata.as_rrsig();
      if (sig && sig->type_covered == r.type) set.push_back(s);
    }
    if (c.child_no_ds.size() + set.size() > kMaxReferralNoDsProofKept) return;
    c.child_no_ds.insert(c.child_no_ds.end(), set.begin(), set.end());
  }
}

// A referral: the deepest such NS RRset, its names (at most kMaxNsPerDelegation) and their glue.
// Returns false when the reply is no referral.
bool read_referral(Classified& c, const ScrubbedReply& reply, const wire::Question& q, const Name& zone) {
  const Record* first_ns = nullptr;
  for (const Record& r : reply.authority) {
    if (delegates_below(r, q, zone)) {
      if (first_ns == nullptr || r.owner.label_count() > first_ns->owner.label_count()) first_ns = &r;
    }
  }
  if (first_ns == nullptr) return false;
  c.kind = Classification::referral;
  c.child_zone = first_ns->owner;
  c.ns_ttl = first_ns->ttl;
  for (const Record& r : reply.referral_ds) {
    if (r.owner == c.child_zone) c.child_ds.push_back(r);
  }
  if (c.child_ds.empty()) keep_no_ds_proof(c, reply);
  for (const Record& r : reply.authority) {
    if (r.type != RRType::NS || !(r.owner == c.child_zone)) continue;
    auto t = target_of(r);
    if (!t || std::find(c.ns_names.begin(), c.ns_names.end(), *t) != c.ns_names.end()) continue;
    if (c.ns_names.size() >= kMaxNsPerDelegation) break;  // NXNSAttack: ignore the rest
    c.ns_names.push_back(*t);
  }
  for (const Record& r : reply.additional) {
    if (std::find(c.ns_names.begin(), c.ns_names.end(), r.owner) == c.ns_names.end()) continue;
    const auto count = std::count_if(c.glue.begin(), c.glue.end(), [&](const Glue& g) { return g.name == r.owner; });
    if (static_cast<std::size_t>(count) >= kMaxAddressesPerNs) continue;
    if (auto a = r.rdata.as_a()) {
      c.glue.push_back({r.owner, asio::ip::address(asio::ip::address_v4(*a))});
    } else if (auto aaaa = r.rdata.as_aaaa()) {
      c.glue.push_back({r.owner, asio::ip::address(asio::ip::address_v6(*aaaa))});
    }
  }
  return true;
}

// Rcodes other than NOERROR and NXDOMAIN decide alone. Returns true when `c` is decided.
bool classify_rcode(Classified& c, const ScrubbedReply& reply) {
  // RFC 6672 §2.2: YXDOMAIN with the DNAME whose substitution overflows is an answer (the scrubber
  // kept only a DNAME on the question's chain); without one it is junk.
  if (reply.rcode == wire::Rcode::YXDomain &&
      std::any_of(reply.answer.begin(), reply.answer.end(), [](const Record& r) { return r.type == RRType::DNAME; })) {
    c.kind = Classification::yxdomain;
    c.records = reply.answer;
    c.dnssec = reply.dnssec;  // the DNAME's RRSIGs
    return true;
  }
  if (reply.rcode != wire::Rcode::NoError && reply.rcode != wire::Rcode::NXDomain) {
    c.kind = (reply.rcode == wire::Rcode::Refused || reply.rcode == wire::Rcode::NotAuth) ? Classification::lame
                                                                                          : Classification::throwaway;
    c.reason = wire::to_string(reply.rcode);
    return true;
  }
  return false;
}

// A CNAME chain without the final RRset, ending at `tail`: NODATA there, or continue at `tail`.
void classify_chain_end(Classified& c, const ScrubbedReply& reply, const Name& zone, const Name& tail,
                        const Record* soa) {
  // A chain whose last name still owns a CNAME here went round in a loop: not NODATA; the caller
  // follows it to the name it has seen and reports the loop.
  const bool loops = std::any_of(reply.answer.begin(), reply.answer.end(),
                                 [&](const Record& r) { return r.type == RRType::CNAME && r.owner == tail; });
  if (!loops && reply.header.aa && soa != nullptr && tail.is_subdomain_of(zone) && tail.is_subdomain_of(soa->owner)) {
    c.kind = Classification::nodata;  // the target exists in this zone, without the type
    return;
  }
  c.kind = Classification::cname;
  c.next_name = tail;
}

// The reply's signed denial of `name` (Unbound's iter_resptype.c takes any NOERROR reply without answer,
// SOA or referral as NODATA, AA or not; we ask for more): an NSEC or NSEC3 record the scrubber kept (owned
// inside `zone`) with an RRSIG covering its RRset, signed by `name` or an ancestor of it inside `zone`. Such
// a reply speaks for the zone's signed data, which a lame server's (an empty reply, a referral, a cache's
// copy with RA) does not carry; whether the records prove the NODATA is the validator's to say.
bool has_signed_denial(const ScrubbedReply& reply, const Name& name, const Name& zone) {
  for (const Record& r : reply.dnssec) {
    if (r.type != RRType::RRSIG) continue;
    auto sig = r.rdata.as_rrsig();
    if (!sig || (sig->type_covered != RRType::NSEC && sig->type_covered != RRType::NSEC3)) continue;
    if (!name.is_subdomain_of(sig->signer) || !sig->signer.is_subdomain_of(zone)) continue;
    const bool covers = std::any_of(reply.dnssec.begin(), reply.dnssec.end(), [&](const Record& d) {
      return d.type == sig->type_covered && d.owner == r.owner;
    });
    if (covers) return true;
  }
  return false;
}

}  // namespace

Classified classify(const ScrubbedReply& reply, const wire::Question& q, const Name& zone) {
  Classified c;
  if (classify_rcode(c, reply)) return c;
  // The scrubber left the answer in chain order: walk it to find where it ends.
  Name tail = q.name;
  bool has_final = false;
  for (const Record& r : reply.answer) {
    if (r.owner == tail && type_matches(r.type, q.type)) {
      has_final = true;
    } else if (r.type == RRType::CNAME && r.owner == tail) {
      if (auto t = target_of(r)) {
        tail = *t;
        ++c.chain_links;
      }
    }
  }
  c.records = reply.answer;
  c.dnssec = reply.dnssec;
  const Record* soa = nullptr;
  for (const Record& r : reply.authority) {
    if (r.type == RRType::SOA) soa = &r;
  }
  if (soa != nullptr) c.soa = *soa;

  // A reply with RA and without AA comes from a recursive server answering from its cache, not from
  // an authority of the zone: lame (as Unbound's REC_LAME), whatever it answers. Referrals stay
  // usable (they are checked by bailiwick and lead to the real servers).
  if (reply.header.ra && !reply.header.aa && !referral_shape(reply, q, zone, has_final, c.chain_links, soa)) {
    c.kind = Classification::lame;
    c.reason = "recursive reply (RA without AA)";
    c.recursive_lame = true;
    c.records.clear();
    c.dnssec.clear();
    c.soa.reset();
    return c;
  }

  if (has_final) {
    c.kind = Classification::answer;
    return c;
  }
  if (reply.rcode == wire::Rcode::NXDomain && (c.chain_links == 0 || tail.is_subdomain_of(zone))) {
    // NXDOMAIN after a chain is about the chain's last name (RFC 6604 §2.1), which this server can
    // only speak for inside its zone; a chain leaving the zone is followed instead (as Unbound does).
    c.kind = Classification::nxdomain;
    return c;
  }
  if (c.chain_links > 0) {
    classify_chain_end(c, reply, zone, tail, soa);
    return c;
  }
  if (soa != nullptr) {
    c.kind = Classification::nodata;
    return c;
  }
  if (read_referral(c, reply, q, zone)) return c;
  if (reply.header.aa && !reply.upward_ns) {
    c.kind = Classification::nodata;  // authoritative, empty, no SOA: NODATA we cannot cache
    return c;
  }
  if (!reply.upward_ns && has_signed_denial(reply, q.name, zone)) {
    c.kind = Classification::nodata;  // AA clear, no SOA, only the zone's signed NSEC/NSEC3 proof
    return c;
  }
  const bool upward = std::any_of(reply.authority.begin(), reply.authority.end(),
                                  [](const Record& r) { return r.type == RRType::NS; });
  c.kind = Classification::lame;
  c.reason = (upward || reply.upward_ns) ? "upward or lateral referral" : "non-authoritative empty reply";
  return c;
}

}  // namespace dkimdoctor::resolver
