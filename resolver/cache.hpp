// The cache shared by every resolution on one Resolver: positive RRsets, negative answers (RFC 2308)
// and delegations (NS names with their glue). TTL-bounded (entries expire, TTLs are clamped) and
// capacity-bounded (least recently used entries are evicted), because the names that fill it come
// from the network.
//
// Only scrubbed data enters: glue lives inside a delegation entry and is never returned as an
// answer (RFC 2181 §5.4.1: glue ranks below authoritative data).
#pragma once

#include <asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "resolver/limits.hpp"
#include "wire/message.hpp"

namespace dkimdoctor::resolver {

struct CachedDelegation {
  wire::Name zone;
  wire::Name parent;  // the zone whose servers sent the referral
  struct Server {
    wire::Name name;
    std::vector<asio::ip::address> glue;
  };
  std::vector<Server> servers;
};

struct CachedNegative {
  bool nxdomain = false;               // the name does not exist (any type)
  std::optional<wire::Record> soa;     // TTL already reduced to what remains
  // DNSSEC (issue 14): the NSEC/NSEC3 records that came with the negative answer, their RRSIGs and the
  // SOA's RRSIGs, scrubbed like the SOA; kept so that a cached negative answer can be validated again.
  std::vector<wire::Record> proof;
};

struct CacheStats {
  std::uint64_t hits = 0, misses = 0, inserts = 0, evictions = 0, expirations = 0;
  std::uint64_t too_large = 0;  // entries not cached because they alone exceed the byte capacity
  std::size_t entries = 0;
  std::size_t bytes = 0;        // approximate bytes held (see approximate_bytes)
};

class Cache {
 public:
  using Clock = std::chrono::steady_clock;

  // `capacity` bounds the entries, `byte_capacity` the approximate bytes they hold; the least
  // recently used entries are evicted when either would be exceeded.
  explicit Cache(std::size_t capacity, std::size_t byte_capacity = kDefaultCacheBytes);

  // RRset of (name, type); TTLs in the returned records are the remaining ones.
  std::optional<std::vector<wire::Record>> rrset(const wire::Name& name, wire::RRType type);
  // Stores one RRset (all records must share owner and type). TTL = the smallest in the set.
  void store_rrset(const std::vector<wire::Record>& records);
  void store_rrset(std::vector<wire::Record>&& records);
  // Splits `records` into RRsets by (owner, type) and stores each.
  void store_records(const std::vector<wire::Record>& records);

  // DNSSEC (issue 14): the RRSIGs covering (name, type), stored apart from the RRset (under the covered
  // type) so that readers of rrset() see exactly what they saw before; a cached answer keeps its
  // signatures and can be validated again. store_signatures groups RRSIG records by (owner, covered type)
  // and stores each group with the smallest TTL of the group; other record types are ignored.
  std::optional<std::vector<wire::Record>> signatures(const wire::Name& name, wire::RRType type);
  void store_signatures(const std::vector<wire::Record>& rrsigs);
  // The NSEC/NSEC3 records (and their RRSIGs) that came with a positive answer for (name, type): the proof
  // a wildcard expansion needs (RFC 4035 §5.3.4). TTL: the smallest of the records.
  std::optional<std::vector<wire::Record>> answer_proof(const wire::Name& name, wire::RRType type);
  void store_answer_proof(const wire::Name& name, wire::RRType type, std::vector<wire::Record> records);

  // Negative answer for (name, type): NXDOMAIN for the name, or NODATA for the type.
  std::optional<CachedNegative> negative(const wire::Name& name, wire::RRType type);
  // `proof`: the NSEC/NSEC3 records and RRSIGs of the reply (CachedNegative::proof). `soa` may be absent: a
  // negative answer that came with its signed proof only (the caller then chooses the TTL from the proof).
  void store_nxdomain(const wire::Name& name, std::optional<wire::Record> soa, std::uint32_t ttl,
                      std::vector<wire::Record> proof = {});
  void store_nodata(const wire::Name& name, wire::RRType type, std::optional<wire::Record> soa, std::uint32_t ttl,
                    std::vector<wire::Record> proof = {});

  // The delegation of exactly `zone`.
  std::optional<CachedDelegation> delegation(const wire::Name& zone);
  void store_delegation(const CachedDelegation& delegation, std::uint32_t ttl);

  // Copy-free lookups for the resolver's hot path. The pointer stays valid until the cache is next
  // changed (a store, clear, or a lookup that finds an expired entry of the same key); `ttl_left`
  // receives the seconds the entry has left.
  const std::vector<wire::Record>* peek_rrset(const wire::Name& name, wire::RRType type, std::uint32_t* ttl_left);
  const CachedDelegation* peek_delegation(const wire::Name& zone, std::uint32_t* ttl_left = nullptr);
  // The A and the AAAA RRset of `name` (either null when not cached), hashing the name once.
  struct AddressSets {
    const std::vector<wire::Record>* a = nullptr;
    const std::vector<wire::Record>* aaaa = nullptr;
  };
  AddressSets peek_addresses(const wire::Name& name);

  void clear();
  CacheStats stats() const;

  // Where "now" comes from; unset, the steady clock. A test that replays a scenario moves it forward
  // (TTLs expire as written) instead of sleeping.
  using NowFn = std::function<Clock::time_point()>;
  void set_clock(NowFn now);

 private:
  using Value = std::variant<std::vector<wire::Record>, CachedNegative, CachedDelegation>;
  // Keys are kind ('R' RRset, 'S' its RRSIGs, 'P' a positive answer's NSEC/NSEC3 proof, 'N' negative, 'D' delegation) + the lowercased wire name + the type (two
  // octets), stored with their hash; a lookup hashes and compares the name in place through KeyRef
  // (no key is built per lookup). The hash is seeded per cache: the names come from the network.
  struct StoredKey {
    std::string bytes;
    std::size_t hash;
    std::uint64_t name_hash;  // of the name alone (the presence filter)
    bool operator==(const StoredKey& o) const noexcept { return hash == o.hash && bytes == o.bytes; }
  };
  struct KeyRef {
    char kind;
    const wire::Name* name;
    std::uint16_t type;
    std::size_t hash;
    std::uint64_t name_hash;
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(const StoredKey& key) const noexcept { return key.hash; }
    std::size_t operator()(const KeyRef& key) const noexcept { return key.hash; }
  };
  struct KeyEq {
    using is_transparent = void;
    bool operator()(const StoredKey& a, const StoredKey& b) const noexcept { return a == b; }
    bool operator()(const KeyRef& a, const StoredKey& b) const noexcept;
    bool operator()(const StoredKey& a, const KeyRef& b) const noexcept { return (*this)(b, a); }
  };
  struct Entry;
  using Slot = std::pair<const StoredKey, Entry>;
  struct Entry {
    Clock::time_point expires;
    Value value;
    std::size_t bytes = 0;
    Slot* newer = nullptr;  // LRU list, intrusive: map nodes never move, so pointers stay valid
    Slot* older = nullptr;
  };
  using Map = std::unordered_map<StoredKey, Entry, KeyHash, KeyEq>;

  Clock::time_point now() const;

  // What an entry holds, approximately: the stored objects and their heap parts, key and overhead.
  static std::size_t approximate_bytes(std::size_t key_size, const Value& value);
  StoredKey make_key(char kind, const wire::Name& name, wire::RRType type) const;
  KeyRef key_ref(char kind, const wire::Name& name, wire::RRType type) const;
  KeyRef key_ref(char kind, const wire::Name& name, wire::RRType type, std::uint64_t name_hash) const;
  std::uint32_t& presence(std::uint64_t name_hash);
  void erase(Map::iterator it);
  Entry* find(const KeyRef& key);
  void insert(StoredKey key, Clock::time_point expires, Value value);
  void lru_unlink(Slot& slot);
  void lru_push_front(Slot& slot);

  std::size_t capacity_;
  std::size_t byte_capacity_;
  std::size_t bytes_ = 0;
  std::uint64_t seed_;
  // How many entries each slot's names hold (slot = bits of the name's hash): a count of 0 proves the
  // name has no entry at all. Twice the entry capacity in slots, 4 octets each (800 KB by default).
  std::vector<std::uint32_t> presence_;
  Map entries_;
  Slot* newest_ = nullptr;
  Slot* oldest_ = nullptr;
  CacheStats stats_;
  NowFn now_;
};

}  // namespace dkimdoctor::resolver
