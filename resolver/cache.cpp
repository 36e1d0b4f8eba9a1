#include "resolver/cache.hpp"

#include <algorithm>
#include <set>

#include "resolver/limits.hpp"

namespace dkimdoctor::resolver {

Cache::Cache(std::size_t capacity, std::size_t byte_capacity)
    : capacity_(std::max<std::size_t>(capacity, 16)), byte_capacity_(std::max<std::size_t>(byte_capacity, 64 * 1024)) {}

std::size_t Cache::approximate_bytes(const std::string& k, const Value& value) {
  // Map node, LRU node and two copies of the key (map and list), roughly.
  std::size_t n = sizeof(Entry) + 2 * (k.size() + sizeof(std::string)) + 64;
  auto record = [](const wire::Record& r) { return sizeof(wire::Record) + r.rdata.bytes().capacity(); };
  if (const auto* records = std::get_if<std::vector<wire::Record>>(&value)) {
    for (const auto& r : *records) n += record(r);
  } else if (const auto* neg = std::get_if<CachedNegative>(&value)) {
    if (neg->soa) n += record(*neg->soa);
  } else if (const auto* d = std::get_if<CachedDelegation>(&value)) {
    for (const auto& server : d->servers) n += sizeof(server) + server.glue.size() * sizeof(asio::ip::address);
  }
  return n;
}

void Cache::erase(std::unordered_map<std::string, Entry>::iterator it) {
  bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

std::string Cache::key(char kind, const wire::Name& name, wire::RRType type) {
  const auto lower = name.lowercased();
  std::string k;
  k.reserve(lower.wire_length() + 3);
  k += kind;
  k.append(reinterpret_cast<const char*>(lower.wire().data()), lower.wire_length());
  const auto t = static_cast<std::uint16_t>(type);
  k += static_cast<char>(t >> 8);
  k += static_cast<char>(t & 0xff);
  return k;
}

Cache::Entry* Cache::find(const std::string& k) {
  auto it = entries_.find(k);
  if (it == entries_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  if (it->second.expires <= Clock::now()) {
    erase(it);
    ++stats_.expirations;
    ++stats_.misses;
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  ++stats_.hits;
  return &it->second;
}

void Cache::insert(std::string k, Clock::time_point expires, Value value) {
  const std::size_t bytes = approximate_bytes(k, value);
  if (auto it = entries_.find(k); it != entries_.end()) erase(it);  // replaced: re-inserted below
  if (bytes > byte_capacity_) {
    ++stats_.too_large;
    return;
  }
  while ((entries_.size() >= capacity_ || bytes_ + bytes > byte_capacity_) && !lru_.empty()) {
    erase(entries_.find(lru_.back()));
    ++stats_.evictions;
  }
  lru_.push_front(k);
  entries_.emplace(std::move(k), Entry{expires, std::move(value), lru_.begin(), bytes});
  bytes_ += bytes;
  ++stats_.inserts;
}

namespace {

std::uint32_t remaining_ttl(Cache::Clock::time_point expires) {
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(expires - Cache::Clock::now()).count();
  return left <= 0 ? 0 : static_cast<std::uint32_t>(left);
}

Cache::Clock::time_point expiry(std::uint32_t ttl, std::uint32_t max) {
  return Cache::Clock::now() + std::chrono::seconds(std::min(ttl, max));
}

}  // namespace

std::optional<std::vector<wire::Record>> Cache::rrset(const wire::Name& name, wire::RRType type) {
  Entry* e = find(key('R', name, type));
  if (e == nullptr) return std::nullopt;
  auto records = std::get<std::vector<wire::Record>>(e->value);
  const std::uint32_t ttl = remaining_ttl(e->expires);
  for (auto& r : records) r.ttl = std::min(r.ttl, ttl);
  return records;
}

void Cache::store_rrset(const std::vector<wire::Record>& records) {
  if (records.empty()) return;
  std::uint32_t ttl = UINT32_MAX;
  for (const auto& r : records) ttl = std::min(ttl, r.ttl);
  if (ttl == 0) return;  // TTL 0 means use once, do not cache (RFC 1035 §3.2.1)
  std::vector<wire::Record> stored = records;
  for (auto& r : stored) r.ttl = std::min(ttl, kMaxCacheTtl);  // RFC 2181 §5.2: one TTL per RRset
  insert(key('R', records.front().owner, records.front().type), expiry(ttl, kMaxCacheTtl), std::move(stored));
}

void Cache::store_records(const std::vector<wire::Record>& records) {
  // Grouped through a hash map and de-duplicated through a set: one hostile 64 KiB answer carries
  // thousands of records, and pairwise grouping cost about a second of CPU per such answer.
  std::unordered_map<std::string, std::size_t> slot;  // cache key -> index in `sets`
  std::vector<std::vector<wire::Record>> sets;
  std::vector<std::set<std::vector<std::uint8_t>>> seen;
  for (const auto& r : records) {
    const auto [it, added] = slot.try_emplace(key('R', r.owner, r.type), sets.size());
    if (added) {
      sets.emplace_back();
      seen.emplace_back();
    }
    if (seen[it->second].insert(r.rdata.bytes()).second) sets[it->second].push_back(r);
  }
  for (const auto& set : sets) store_rrset(set);
}

std::optional<CachedNegative> Cache::negative(const wire::Name& name, wire::RRType type) {
  // NXDOMAIN is stored under type 0 (it covers every type of the name).
  for (const wire::RRType t : {wire::RRType{0}, type}) {
    Entry* e = find(key('N', name, t));
    if (e == nullptr) continue;
    auto neg = std::get<CachedNegative>(e->value);
    if (neg.soa) neg.soa->ttl = std::min(neg.soa->ttl, remaining_ttl(e->expires));
    return neg;
  }
  return std::nullopt;
}

void Cache::store_nxdomain(const wire::Name& name, const wire::Record& soa, std::uint32_t ttl) {
  if (ttl == 0) return;
  insert(key('N', name, wire::RRType{0}), expiry(ttl, kMaxNegativeTtl), CachedNegative{true, soa});
}

void Cache::store_nodata(const wire::Name& name, wire::RRType type, const wire::Record& soa, std::uint32_t ttl) {
  if (ttl == 0) return;
  insert(key('N', name, type), expiry(ttl, kMaxNegativeTtl), CachedNegative{false, soa});
}

std::optional<CachedDelegation> Cache::delegation(const wire::Name& zone) {
  Entry* e = find(key('D', zone, wire::RRType::NS));
  if (e == nullptr) return std::nullopt;
  return std::get<CachedDelegation>(e->value);
}

void Cache::store_delegation(const CachedDelegation& delegation, std::uint32_t ttl) {
  if (ttl == 0) ttl = 1;  // a delegation with TTL 0 is still needed for the rest of this resolution
  insert(key('D', delegation.zone, wire::RRType::NS), expiry(ttl, kMaxCacheTtl), delegation);
}

void Cache::clear() {
  entries_.clear();
  lru_.clear();
  bytes_ = 0;
}

CacheStats Cache::stats() const {
  CacheStats s = stats_;
  s.entries = entries_.size();
  s.bytes = bytes_;
  return s;
}

}  // namespace dkimdoctor::resolver
