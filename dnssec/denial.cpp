#include "dnssec/denial.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <string>
#include <utility>

#include "dnssec/limits.hpp"
#include "wire/text.hpp"

namespace dkimdoctor::dnssec {
namespace {

using wire::Name;
using wire::RRType;

Outcome not_proven() { return Outcome::bogus(Reason::denial_not_proven); }

Name common_ancestor(const Name& a, const Name& b) {
  for (std::size_t k = std::min(a.label_count(), b.label_count());; --k) {
    if (a.suffix(k) == b.suffix(k) || k == 0) return a.suffix(k);
  }
}

// The type bitmap says "delegation" (parent side of a zone cut) or "DNAME": nothing below the owner is
// proven by this zone's denial records (RFC 6840 §4.1, RFC 5155 §8.3).
bool cut_or_dname(const std::vector<RRType>& types) {
  return (has_type(types, RRType::NS) && !has_type(types, RRType::SOA)) || has_type(types, RRType::DNAME);
}

std::optional<Name> wildcard_at(const Name& ce) {
  auto wc = ce.prepend("*");
  if (!wc) return std::nullopt;
  return *wc;
}

// The records of the zone, bounded.
std::vector<const NsecRecord*> in_zone(const Name& zone, std::span<const NsecRecord> nsecs) {
  std::vector<const NsecRecord*> out;
  for (const auto& n : nsecs) {
    if (out.size() == kMaxDenialRecords) break;
    if (n.owner.is_subdomain_of(zone)) out.push_back(&n);
  }
  return out;
}

// The NSEC covering `name` that really proves it absent: not an empty non-terminal (next below name),
// not below a delegation or DNAME at an ancestor.
const NsecRecord* absence(const Name& name, const std::vector<const NsecRecord*>& nsecs) {
  for (const NsecRecord* n : nsecs) {
    if (!nsec_covers(*n, name)) continue;
    if (n->nsec.next.is_subdomain_of(name)) continue;
    if (name.is_subdomain_of(n->owner) && cut_or_dname(n->nsec.types)) continue;
    return n;
  }
  return nullptr;
}

Name closest_encloser(const Name& qname, const NsecRecord& n) {
  Name a = common_ancestor(qname, n.owner), b = common_ancestor(qname, n.nsec.next);
  return a.label_count() >= b.label_count() ? a : b;
}

}  // namespace

std::vector<NsecRecord> nsec_records(const std::vector<wire::Record>& records) {
  std::vector<NsecRecord> out;
  for (const auto& r : records)
    if (r.type == RRType::NSEC)
      if (auto n = r.rdata.as_nsec()) out.push_back(NsecRecord{r.owner, std::move(*n)});
  return out;
}

std::vector<Nsec3Record> nsec3_records(const std::vector<wire::Record>& records) {
  std::vector<Nsec3Record> out;
  for (const auto& r : records)
    if (r.type == RRType::NSEC3)
      if (auto n = r.rdata.as_nsec3()) out.push_back(Nsec3Record{r.owner, std::move(*n)});
  return out;
}

bool has_type(const std::vector<RRType>& types, RRType type) noexcept {
  return std::find(types.begin(), types.end(), type) != types.end();
}

bool nsec_covers(const NsecRecord& n, const Name& name) noexcept {
  if (n.owner.canonical_compare(name) >= 0) return false;
  // The last NSEC of the zone points back to the apex: it covers everything after its owner.
  if (n.nsec.next.canonical_compare(n.owner) <= 0) return true;
  return name.canonical_compare(n.nsec.next) < 0;
}

Outcome prove_nxdomain(const Name& qname, const Name& zone, std::span<const NsecRecord> records) {
  if (!qname.is_subdomain_of(zone)) return not_proven();
  const auto nsecs = in_zone(zone, records);
  const NsecRecord* n = absence(qname, nsecs);
  if (!n) return not_proven();
  const auto wc = wildcard_at(closest_encloser(qname, *n));
  if (!wc) return not_proven();
  for (const NsecRecord* m : nsecs)
    if (nsec_covers(*m, *wc)) return Outcome::secure();
  return not_proven();
}

Outcome prove_nodata(const Name& qname, RRType qtype, const Name& zone, std::span<const NsecRecord> records) {
  if (!qname.is_subdomain_of(zone)) return not_proven();
  const auto nsecs = in_zone(zone, records);
  for (const NsecRecord* n : nsecs) {
    if (!(n->owner == qname)) continue;
    const auto& types = n->nsec.types;
    if (has_type(types, qtype) || has_type(types, RRType::CNAME)) return not_proven();
    if (qtype == RRType::DS) {
      // The child's apex NSEC cannot deny the parent's DS (RFC 4035 §5.4 / RFC 6840 §4.4).
      if (has_type(types, RRType::SOA) && !qname.is_root()) continue;
    } else if (cut_or_dname(types) && has_type(types, RRType::NS)) {
      continue;  // the parent's NSEC at a delegation says nothing about the child's data
    }
    return Outcome::secure();
  }
  // An empty non-terminal: nothing at qname, but a name below it exists (RFC 4035 §3.1.3.2).
  for (const NsecRecord* n : nsecs)
    if (nsec_covers(*n, qname) && n->nsec.next.is_subdomain_of(qname) && !(n->nsec.next == qname))
      return Outcome::secure();
  // Wildcard NODATA (RFC 4035 §3.1.3.4): qname absent, the wildcard at its closest encloser lacks qtype.
  if (const NsecRecord* n = absence(qname, nsecs)) {
    const auto wc = wildcard_at(closest_encloser(qname, *n));
    if (wc)
      for (const NsecRecord* m : nsecs)
        if (m->owner == *wc && !has_type(m->nsec.types, qtype) && !has_type(m->nsec.types, RRType::CNAME))
          return Outcome::secure();
  }
  return not_proven();
}

Outcome prove_wildcard_answer(const Name& qname, std::uint8_t labels, const Name& zone,
                              std::span<const NsecRecord> records) {
  if (!qname.is_subdomain_of(zone) || labels >= qname.label_count()) return not_proven();
  // The next closer name (one label more than the wildcard's parent) must not exist (RFC 4035 §5.3.4).
  const Name next_closer = qname.suffix(std::size_t{labels} + 1);
  return absence(next_closer, in_zone(zone, records)) ? Outcome::secure() : not_proven();
}

std::optional<std::vector<std::uint8_t>> nsec3_hash(const Name& name, std::uint8_t algorithm,
                                                    std::uint16_t iterations, std::span<const std::uint8_t> salt) {
  if (algorithm != 1) return std::nullopt;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return std::nullopt;
  const Name lower = name.lowercased();
  std::vector<std::uint8_t> h(lower.wire().begin(), lower.wire().end());
  unsigned len = 0;
  bool ok = true;
  for (std::uint32_t i = 0; ok && i <= iterations; ++i) {
    std::uint8_t out[EVP_MAX_MD_SIZE];
    ok = EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) == 1 && EVP_DigestUpdate(ctx, h.data(), h.size()) == 1 &&
         EVP_DigestUpdate(ctx, salt.data(), salt.size()) == 1 && EVP_DigestFinal_ex(ctx, out, &len) == 1;
    if (ok) h.assign(out, out + len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return std::nullopt;
  return h;
}

namespace {

// The usable NSEC3 records of one zone with one parameter set, hashes decoded, and a bounded hasher.
class Nsec3Set {
 public:
  Nsec3Set(const Name& zone, std::span<const Nsec3Record> records) : zone_(zone) {
    if (records.size() > kMaxDenialRecords) {
      ready_ = Outcome::bogus(Reason::too_many_records);
      return;
    }
    for (const auto& r : records) {
      const auto& p = r.nsec3;
      // RFC 5155 §8.2: ignore unknown hash algorithms and flags other than opt-out.
      if (p.hash_algorithm != 1 || p.flags > 1) continue;
      if (r.owner.label_count() != zone.label_count() + 1 || !(r.owner.parent() == zone)) continue;
      std::vector<std::uint8_t> hash;
      const auto label = r.owner.label(0);
      if (!wire::text::decode_base32hex(label, 0, hash) || hash.size() != p.next_hashed_owner.size() ||
          hash.empty())
        continue;
      if (entries_.empty()) {
        iterations_ = p.iterations;
        salt_ = p.salt;
      } else if (p.iterations != iterations_ || p.salt != salt_) {
        continue;
      }
      entries_.push_back(Entry{std::move(hash), &r});
    }
    if (entries_.empty()) ready_ = not_proven();
    else if (iterations_ > kMaxNsec3Iterations) ready_ = Outcome::insecure(Reason::nsec3_iterations);
    else ready_ = Outcome::secure();
  }

  bool usable() const { return ready_.status == Status::secure; }
  Outcome ready() const { return ready_; }
  const Name& zone() const { return zone_; }

  std::optional<std::vector<std::uint8_t>> hash(const Name& name) {
    for (const auto& [n, h] : cache_)
      if (n == name) return h;
    if (cache_.size() == kMaxNsec3Hashes) return std::nullopt;
    auto h = nsec3_hash(name, 1, iterations_, salt_);
    if (h) cache_.emplace_back(name, *h);
    return h;
  }
  const Nsec3Record* match(const std::vector<std::uint8_t>& h) const {
    for (const auto& e : entries_)
      if (e.hash == h) return e.record;
    return nullptr;
  }
  const Nsec3Record* cover(const std::vector<std::uint8_t>& h) const {
    for (const auto& e : entries_) {
      const auto& next = e.record->nsec3.next_hashed_owner;
      const bool after_owner = e.hash < h;
      // The last NSEC3 of the chain wraps: it covers hashes after its owner and before the first one.
      if (next <= e.hash ? (after_owner || h < next) : (after_owner && h < next)) return e.record;
    }
    return nullptr;
  }

 private:
  struct Entry {
    std::vector<std::uint8_t> hash;
    const Nsec3Record* record;
  };
  Name zone_;
  Outcome ready_;
  std::uint16_t iterations_ = 0;
  std::vector<std::uint8_t> salt_;
  std::vector<Entry> entries_;
  std::vector<std::pair<Name, std::vector<std::uint8_t>>> cache_;
};

struct CeProof {
  Outcome failure = Outcome::secure();  // secure = the proof held
  bool qname_exists = false;            // qname itself has a matching NSEC3
  Name closest;
  const Nsec3Record* next_closer = nullptr;  // the NSEC3 covering the next closer name
};

Outcome limit() { return Outcome::bogus(Reason::verification_limit); }

// RFC 5155 §8.3: the closest encloser has a matching NSEC3 and the next closer name is covered.
CeProof closest_encloser_proof(const Name& qname, Nsec3Set& set) {
  CeProof p;
  if (!qname.is_subdomain_of(set.zone())) {
    p.failure = not_proven();
    return p;
  }
  Name sname = qname;
  std::optional<Name> next_closer;
  const Nsec3Record* ce = nullptr;
  for (;;) {
    const auto h = set.hash(sname);
    if (!h) {
      p.failure = limit();
      return p;
    }
    if ((ce = set.match(*h))) break;
    if (sname == set.zone()) {
      p.failure = not_proven();
      return p;
    }
    next_closer = sname;
    sname = sname.parent();
  }
  p.closest = sname;
  if (!next_closer) {
    p.qname_exists = true;
    return p;
  }
  if (cut_or_dname(ce->nsec3.types)) {
    p.failure = not_proven();
    return p;
  }
  const auto h = set.hash(*next_closer);
  if (!h) {
    p.failure = limit();
    return p;
  }
  p.next_closer = set.cover(*h);
  if (!p.next_closer) p.failure = not_proven();
  return p;
}

bool opt_out(const Nsec3Record* r) { return r && (r->nsec3.flags & 1); }

}  // namespace

Outcome prove_nxdomain_nsec3(const Name& qname, const Name& zone, std::span<const Nsec3Record> nsec3s) {
  Nsec3Set set(zone, nsec3s);
  if (!set.usable()) return set.ready();
  const CeProof p = closest_encloser_proof(qname, set);
  if (p.failure.status != Status::secure) return p.failure;
  if (p.qname_exists) return not_proven();
  const auto wc = wildcard_at(p.closest);
  if (!wc) return not_proven();
  const auto h = set.hash(*wc);
  if (!h) return limit();
  if (!set.cover(*h)) return not_proven();
  // An opt-out span may hide an unsigned delegation: the name error is not proven secure (as Unbound).
  if (opt_out(p.next_closer)) return Outcome::insecure(Reason::nsec3_opt_out);
  return Outcome::secure();
}

Outcome prove_nodata_nsec3(const Name& qname, RRType qtype, const Name& zone, std::span<const Nsec3Record> nsec3s) {
  Nsec3Set set(zone, nsec3s);
  if (!set.usable()) return set.ready();
  if (!qname.is_subdomain_of(zone)) return not_proven();
  const auto h = set.hash(qname);
  if (!h) return limit();
  if (const Nsec3Record* m = set.match(*h)) {  // RFC 5155 §8.5 / §8.6
    const auto& types = m->nsec3.types;
    if (has_type(types, qtype) || has_type(types, RRType::CNAME)) return not_proven();
    if (qtype == RRType::DS && has_type(types, RRType::SOA) && !qname.is_root()) return not_proven();
    if (qtype != RRType::DS && has_type(types, RRType::NS) && !has_type(types, RRType::SOA)) return not_proven();
    return Outcome::secure();
  }
  const CeProof p = closest_encloser_proof(qname, set);
  if (p.failure.status != Status::secure) return p.failure;
  if (p.qname_exists) return not_proven();
  // An opt-out span covering the next closer name may hide an unsigned delegation there (RFC 5155 §6, §9.2):
  // what it proves is insecure, never secure (Unbound's nsec3_do_prove_nodata, cases 4 and 5).
  const Outcome optout_or_bogus = opt_out(p.next_closer) ? Outcome::insecure(Reason::nsec3_opt_out) : not_proven();
  if (qtype == RRType::DS) return optout_or_bogus;  // §8.6: no DS under an opt-out span
  // §8.7: wildcard NODATA.
  const auto wc = wildcard_at(p.closest);
  if (!wc) return not_proven();
  const auto wh = set.hash(*wc);
  if (!wh) return limit();
  if (const Nsec3Record* m = set.match(*wh)) {
    const auto& types = m->nsec3.types;
    if (has_type(types, qtype) || has_type(types, RRType::CNAME)) return not_proven();
    if (has_type(types, RRType::NS) && !has_type(types, RRType::SOA)) return not_proven();
    return opt_out(p.next_closer) ? Outcome::insecure(Reason::nsec3_opt_out) : Outcome::secure();
  }
  // §8.6 for any type: no match and no wildcard, but the next closer name lies in an opt-out span.
  return optout_or_bogus;
}

Outcome prove_wildcard_answer_nsec3(const Name& qname, std::uint8_t labels, const Name& zone,
                                    std::span<const Nsec3Record> nsec3s) {
  Nsec3Set set(zone, nsec3s);
  if (!set.usable()) return set.ready();
  if (!qname.is_subdomain_of(zone) || labels >= qname.label_count() || labels < zone.label_count())
    return not_proven();
  // §8.8: the next closer name, one label below the closest encloser (the wildcard's parent), is covered.
  const auto h = set.hash(qname.suffix(std::size_t{labels} + 1));
  if (!h) return limit();
  const Nsec3Record* covering = set.cover(*h);
  if (!covering) return not_proven();
  // An opt-out span over the next closer name: an unsigned delegation may hide there (as Unbound's
  // nsec3_prove_wildcard): insecure.
  return opt_out(covering) ? Outcome::insecure(Reason::nsec3_opt_out) : Outcome::secure();
}

}  // namespace dkimdoctor::dnssec
