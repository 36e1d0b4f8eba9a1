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
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

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
};

struct CacheStats {
  std::uint64_t hits = 0, misses = 0, inserts = 0, evictions = 0, expirations = 0;
  std::size_t entries = 0;
};

class Cache {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Cache(std::size_t capacity);

  // RRset of (name, type); TTLs in the returned records are the remaining ones.
  std::optional<std::vector<wire::Record>> rrset(const wire::Name& name, wire::RRType type);
  // Stores one RRset (all records must share owner and type). TTL = the smallest in the set.
  void store_rrset(const std::vector<wire::Record>& records);
  // Splits `records` into RRsets by (owner, type) and stores each.
  void store_records(const std::vector<wire::Record>& records);

  // Negative answer for (name, type): NXDOMAIN for the name, or NODATA for the type.
  std::optional<CachedNegative> negative(const wire::Name& name, wire::RRType type);
  void store_nxdomain(const wire::Name& name, const wire::Record& soa, std::uint32_t ttl);
  void store_nodata(const wire::Name& name, wire::RRType type, const wire::Record& soa, std::uint32_t ttl);

  // The delegation of exactly `zone`.
  std::optional<CachedDelegation> delegation(const wire::Name& zone);
  void store_delegation(const CachedDelegation& delegation, std::uint32_t ttl);

  void clear();
  CacheStats stats() const;

 private:
  struct Entry {
    Clock::time_point expires;
    std::variant<std::vector<wire::Record>, CachedNegative, CachedDelegation> value;
    std::list<std::string>::iterator lru;
  };
  static std::string key(char kind, const wire::Name& name, wire::RRType type);
  Entry* find(const std::string& key);
  void insert(std::string key, Clock::time_point expires,
              std::variant<std::vector<wire::Record>, CachedNegative, CachedDelegation> value);

  std::size_t capacity_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // front = most recently used
  CacheStats stats_;
};

}  // namespace dkimdoctor::resolver
