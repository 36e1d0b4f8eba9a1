#include "resolver/cache.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>
#include <set>

#include "resolver/limits.hpp"
#include "wire/ascii.hpp"
#include "wire/bytes.hpp"

namespace dkimdoctor::resolver {

namespace {

using wire::ascii::hash_folded;  // a name's octets, lowercased: both key forms hash through it
using wire::ascii::kHashK1;
using wire::ascii::kHashK2;
using wire::ascii::lower;
using wire::ascii::mum;

// The key's hash: the name's, with the kind and type mixed in.
std::uint64_t hash_key(std::uint64_t seed, std::uint64_t name_hash, char kind, std::uint16_t type) noexcept {
  return mum(name_hash ^ kHashK2, (std::uint64_t{static_cast<unsigned char>(kind)} << 16 | type) ^ seed ^ kHashK1);
}

std::uint64_t random_seed() {
  std::random_device rd;
  return (std::uint64_t{rd()} << 32) ^ rd();
}

}  // namespace

bool Cache::KeyEq::operator()(const KeyRef& a, const StoredKey& stored) const noexcept {
  const auto w = a.name->wire();
  const std::string& b = stored.bytes;
  if (stored.hash != a.hash || b.size() != w.size() + 3 || b[0] != a.kind) return false;
  const auto* p = reinterpret_cast<const std::uint8_t*>(b.data());
  if (wire::get16(p + w.size() + 1) != a.type) return false;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (lower(w[i]) != p[i + 1]) return false;  // stored keys are lowercase already
  }
  return true;
}

Cache::Cache(std::size_t capacity, std::size_t byte_capacity)
    : capacity_(std::max<std::size_t>(capacity, 16)),
      byte_capacity_(std::max<std::size_t>(byte_capacity, 64 * 1024)),
      seed_(random_seed()),
      presence_(std::bit_ceil(2 * capacity_), 0) {}

std::size_t Cache::approximate_bytes(std::size_t key_size, const Value& value) {
  // Map node with its key, roughly.
  std::size_t n = sizeof(Slot) + key_size + 64;
  auto record = [](const wire::Record& r) { return sizeof(wire::Record) + r.rdata.bytes().capacity(); };
  if (const auto* records = std::get_if<std::vector<wire::Record>>(&value)) {
    for (const auto& r : *records) n += record(r);
  } else if (const auto* neg = std::get_if<CachedNegative>(&value)) {
    if (neg->soa) n += record(*neg->soa);
    for (const auto& r : neg->proof) n += record(r);
  } else if (const auto* d = std::get_if<CachedDelegation>(&value)) {
    for (const auto& server : d->servers) n += sizeof(server) + server.glue.size() * sizeof(asio::ip::address);
  }
  return n;
}

void Cache::lru_unlink(Slot& slot) {
  Entry& e = slot.second;
  (e.newer ? e.newer->second.older : newest_) = e.older;
  (e.older ? e.older->second.newer : oldest_) = e.newer;
  e.newer = e.older = nullptr;
}

void Cache::lru_push_front(Slot& slot) {
  Entry& e = slot.second;
  e.newer = nullptr;
  e.older = newest_;
  (newest_ ? newest_->second.newer : oldest_) = &slot;
  newest_ = &slot;
}

void Cache::erase(Map::iterator it) {
  --presence(it->first.name_hash);
  bytes_ -= it->second.bytes;
  lru_unlink(*it);
  entries_.erase(it);
}

Cache::StoredKey Cache::make_key(char kind, const wire::Name& name, wire::RRType type) const {
  // The name's octets lowercased straight into the key (no lowercased copy of the Name first); the hash
  // folds case itself.
  const auto w = name.wire();
  StoredKey k;
  k.bytes.resize(w.size() + 3);
  k.bytes[0] = kind;
  for (std::size_t i = 0; i < w.size(); ++i) k.bytes[i + 1] = static_cast<char>(lower(w[i]));
  const auto t = static_cast<std::uint16_t>(type);
  k.bytes[w.size() + 1] = static_cast<char>(t >> 8);
  k.bytes[w.size() + 2] = static_cast<char>(t & 0xff);
  k.name_hash = hash_folded(seed_, w.data(), w.size());
  k.hash = hash_key(seed_, k.name_hash, kind, t);
  return k;
}

Cache::KeyRef Cache::key_ref(char kind, const wire::Name& name, wire::RRType type) const {
  return key_ref(kind, name, type, hash_folded(seed_, name.wire().data(), name.wire_length()));
}

Cache::KeyRef Cache::key_ref(char kind, const wire::Name& name, wire::RRType type, std::uint64_t name_hash) const {
  const auto t = static_cast<std::uint16_t>(type);
  return KeyRef{kind, &name, t, hash_key(seed_, name_hash, kind, t), name_hash};
}

std::uint32_t& Cache::presence(std::uint64_t name_hash) {
  return presence_[static_cast<std::size_t>(name_hash >> 32) & (presence_.size() - 1)];
}

Cache::Entry* Cache::find(const KeyRef& k) {
  if (presence(k.name_hash) == 0) {
    // No entry of any kind for this name: most lookups (every suffix tried for a delegation, every
    // kind for a new name) end here with one read of a small array instead of a walk into the map.
    ++stats_.misses;
    return nullptr;
  }
  auto it = entries_.find(k);
  if (it == entries_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  if (it->second.expires <= now()) {
    erase(it);
    ++stats_.expirations;
    ++stats_.misses;
    return nullptr;
  }
  if (newest_ != &*it) {
    lru_unlink(*it);
    lru_push_front(*it);
  }
  ++stats_.hits;
  return &it->second;
}

void Cache::insert(StoredKey k, Clock::time_point expires, Value value) {
  const std::size_t bytes = approximate_bytes(k.bytes.size(), value);
  if (auto it = entries_.find(k); it != entries_.end()) erase(it);  // replaced: re-inserted below
  if (bytes > byte_capacity_) {
    ++stats_.too_large;
    return;
  }
  while ((entries_.size() >= capacity_ || bytes_ + bytes > byte_capacity_) && oldest_ != nullptr) {
    erase(entries_.find(oldest_->first));
    ++stats_.evictions;
  }
  auto [it, added] = entries_.emplace(std::move(k), Entry{expires, std::move(value), bytes});
  (void)added;
  ++presence(it->first.name_hash);
  lru_push_front(*it);
  bytes_ += bytes;
  ++stats_.inserts;
}

namespace {

std::uint32_t remaining_ttl(Cache::Clock::time_point expires, Cache::Clock::time_point now) {
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(expires - now).count();
  return left <= 0 ? 0 : static_cast<std::uint32_t>(left);
}

Cache::Clock::time_point expiry(std::uint32_t ttl, std::uint32_t max, Cache::Clock::time_point now) {
  return now + std::chrono::seconds(std::min(ttl, max));
}

}  // namespace

std::optional<std::vector<wire::Record>> Cache::rrset(const wire::Name& name, wire::RRType type) {
  std::uint32_t ttl = 0;
  const auto* stored = peek_rrset(name, type, &ttl);
  if (stored == nullptr) return std::nullopt;
  auto records = *stored;
  for (auto& r : records) r.ttl = std::min(r.ttl, ttl);
  return records;
}

const std::vector<wire::Record>* Cache::peek_rrset(const wire::Name& name, wire::RRType type, std::uint32_t* ttl_left) {
  Entry* e = find(key_ref('R', name, type));
  if (e == nullptr) return nullptr;
  if (ttl_left != nullptr) *ttl_left = remaining_ttl(e->expires, now());
  return &std::get<std::vector<wire::Record>>(e->value);
}

Cache::AddressSets Cache::peek_addresses(const wire::Name& name) {
  const std::uint64_t h = hash_folded(seed_, name.wire().data(), name.wire_length());
  AddressSets out;
  if (Entry* e = find(key_ref('R', name, wire::RRType::A, h))) out.a = &std::get<std::vector<wire::Record>>(e->value);
  if (Entry* e = find(key_ref('R', name, wire::RRType::AAAA, h))) {
    out.aaaa = &std::get<std::vector<wire::Record>>(e->value);
  }
  return out;
}

void Cache::store_rrset(const std::vector<wire::Record>& records) { store_rrset(std::vector<wire::Record>(records)); }

void Cache::store_rrset(std::vector<wire::Record>&& records) {
  if (records.empty()) return;
  std::uint32_t ttl = UINT32_MAX;
  for (const auto& r : records) ttl = std::min(ttl, r.ttl);
  if (ttl == 0) return;  // TTL 0 means use once, do not cache (RFC 1035 §3.2.1)
  for (auto& r : records) r.ttl = std::min(ttl, kMaxCacheTtl);  // RFC 2181 §5.2: one TTL per RRset
  StoredKey key = make_key('R', records.front().owner, records.front().type);
  insert(std::move(key), expiry(ttl, kMaxCacheTtl, now()), std::move(records));
}

void Cache::store_records(const std::vector<wire::Record>& records) {
  std::vector<std::vector<wire::Record>> sets;
  if (records.size() <= 16) {
    // The common case (a CNAME and an RRset or two): grouped and de-duplicated pairwise.
    for (const auto& r : records) {
      auto set = std::find_if(sets.begin(), sets.end(), [&](const std::vector<wire::Record>& s) {
        return s.front().type == r.type && s.front().owner == r.owner;
      });
      if (set == sets.end()) {
        sets.emplace_back().push_back(r);
      } else if (std::none_of(set->begin(), set->end(), [&](const wire::Record& o) { return o.rdata == r.rdata; })) {
        set->push_back(r);
      }
    }
  } else {
    // Grouped through a hash map and de-duplicated through a set: one hostile 64 KiB answer carries
    // thousands of records, and pairwise grouping cost about a second of CPU per such answer.
    std::unordered_map<std::string, std::size_t> slot;  // key bytes -> index in `sets`
    std::vector<std::set<std::vector<std::uint8_t>>> seen;
    for (const auto& r : records) {
      const auto [it, added] = slot.try_emplace(make_key('R', r.owner, r.type).bytes, sets.size());
      if (added) {
        sets.emplace_back();
        seen.emplace_back();
      }
      if (seen[it->second].insert(r.rdata.bytes()).second) sets[it->second].push_back(r);
    }
  }
  for (auto& set : sets) store_rrset(std::move(set));
}

std::optional<CachedNegative> Cache::negative(const wire::Name& name, wire::RRType type) {
  // NXDOMAIN is stored under type 0 (it covers every type of the name).
  const std::uint64_t name_hash = hash_folded(seed_, name.wire().data(), name.wire_length());
  for (const wire::RRType t : {wire::RRType{0}, type}) {
    Entry* e = find(key_ref('N', name, t, name_hash));
    if (e == nullptr) continue;
    auto neg = std::get<CachedNegative>(e->value);
    if (neg.soa) neg.soa->ttl = std::min(neg.soa->ttl, remaining_ttl(e->expires, now()));
    return neg;
  }
  return std::nullopt;
}

std::optional<std::vector<wire::Record>> Cache::signatures(const wire::Name& name, wire::RRType type) {
  Entry* e = find(key_ref('S', name, type));
  if (e == nullptr) return std::nullopt;
  auto records = std::get<std::vector<wire::Record>>(e->value);
  const std::uint32_t ttl = remaining_ttl(e->expires, now());
  for (auto& r : records) r.ttl = std::min(r.ttl, ttl);
  return records;
}

void Cache::store_signatures(const std::vector<wire::Record>& rrsigs) {
  std::vector<std::pair<wire::RRType, std::vector<wire::Record>>> sets;
  for (const auto& r : rrsigs) {
    if (r.type != wire::RRType::RRSIG) continue;
    auto sig = r.rdata.as_rrsig();
    if (!sig) continue;
    auto set = std::find_if(sets.begin(), sets.end(), [&](const auto& s) {
      return s.first == sig->type_covered && s.second.front().owner == r.owner;
    });
    if (set == sets.end()) {
      sets.emplace_back(sig->type_covered, std::vector<wire::Record>{r});
    } else if (set->second.size() < kMaxCachedSignatures) {
      set->second.push_back(r);
    }
  }
  for (auto& [covered, set] : sets) {
    std::uint32_t ttl = UINT32_MAX;
    for (const auto& r : set) ttl = std::min(ttl, r.ttl);
    if (ttl == 0) continue;
    StoredKey key = make_key('S', set.front().owner, covered);
    insert(std::move(key), expiry(ttl, kMaxCacheTtl, now()), std::move(set));
  }
}

std::optional<std::vector<wire::Record>> Cache::answer_proof(const wire::Name& name, wire::RRType type) {
  Entry* e = find(key_ref('P', name, type));
  if (e == nullptr) return std::nullopt;
  return std::get<std::vector<wire::Record>>(e->value);
}

void Cache::store_answer_proof(const wire::Name& name, wire::RRType type, std::vector<wire::Record> records) {
  if (records.empty() || records.size() > kMaxDenialRecordsKept * 2) return;
  std::uint32_t ttl = UINT32_MAX;
  for (const auto& r : records) ttl = std::min(ttl, r.ttl);
  if (ttl == 0) return;
  insert(make_key('P', name, type), expiry(ttl, kMaxCacheTtl, now()), std::move(records));
}

void Cache::store_nxdomain(const wire::Name& name, std::optional<wire::Record> soa, std::uint32_t ttl,
                           std::vector<wire::Record> proof) {
  if (ttl == 0) return;
  insert(make_key('N', name, wire::RRType{0}), expiry(ttl, kMaxNegativeTtl, now()), CachedNegative{true, std::move(soa), std::move(proof)});
}

void Cache::store_nodata(const wire::Name& name, wire::RRType type, std::optional<wire::Record> soa, std::uint32_t ttl,
                         std::vector<wire::Record> proof) {
  if (ttl == 0) return;
  insert(make_key('N', name, type), expiry(ttl, kMaxNegativeTtl, now()),
         CachedNegative{false, std::move(soa), std::move(proof)});
}

std::optional<CachedDelegation> Cache::delegation(const wire::Name& zone) {
  const CachedDelegation* d = peek_delegation(zone);
  if (d == nullptr) return std::nullopt;
  return *d;
}

const CachedDelegation* Cache::peek_delegation(const wire::Name& zone, std::uint32_t* ttl_left) {
  Entry* e = find(key_ref('D', zone, wire::RRType::NS));
  if (e == nullptr) return nullptr;
  if (ttl_left != nullptr) *ttl_left = remaining_ttl(e->expires, now());
  return &std::get<CachedDelegation>(e->value);
}

void Cache::store_delegation(const CachedDelegation& delegation, std::uint32_t ttl) {
  if (ttl == 0) ttl = 1;  // a delegation with TTL 0 is still needed for the rest of this resolution
  insert(make_key('D', delegation.zone, wire::RRType::NS), expiry(ttl, kMaxCacheTtl, now()), delegation);
}

void Cache::clear() {
  entries_.clear();
  std::fill(presence_.begin(), presence_.end(), 0);
  newest_ = oldest_ = nullptr;
  bytes_ = 0;
}

CacheStats Cache::stats() const {
  CacheStats s = stats_;
  s.entries = entries_.size();
  s.bytes = bytes_;
  return s;
}

void Cache::set_clock(NowFn now) { now_ = std::move(now); }

Cache::Clock::time_point Cache::now() const { return now_ ? now_() : Clock::now(); }

}  // namespace dkimdoctor::resolver
