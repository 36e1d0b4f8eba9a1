// Smoothed round-trip time per server address, shared by all resolutions, and the choice of which
// address of a zone cut to ask next.
//
// Selection follows BIND's approach: an address never measured gets a small random SRTT so that it
// is explored early; otherwise the lowest SRTT wins, except that with a small probability a random
// candidate is picked so that a server that was slow once gets re-measured (a server whose last try
// timed out is left out of those random picks for kSilentServerHoldoff). A timeout is a penalty
// that doubles the SRTT (capped), so a dead server sinks to the end of the list but is not
// forgotten; penalties decay when the server answers again.
#pragma once

#include <asio/ip/address.hpp>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <unordered_map>

#include "resolver/address_policy.hpp"
#include "resolver/limits.hpp"
#include "resolver/random.hpp"

namespace dkimdoctor::resolver {

class ServerStats {
 public:
  using Clock = std::chrono::steady_clock;

  // Exponential smoothing with weight 0.3 for the new sample (BIND's choice: adapts faster than
  // RFC 6298's 1/8, which matters for servers we talk to only a few times).
  void record_rtt(const asio::ip::address& address, std::chrono::microseconds rtt);
  void record_timeout(const asio::ip::address& address);
  // A server that answered with garbage/REFUSED/SERVFAIL: penalised less than a timeout.
  void record_failure(const asio::ip::address& address);

  // SRTT in microseconds; 0 when never measured.
  std::int64_t srtt_us(const asio::ip::address& address) const;
  bool known(const asio::ip::address& address) const;
  // The address's last try timed out less than kSilentServerHoldoff ago (and nothing answered since).
  bool silent(const asio::ip::address& address) const;

  // Index into `candidates` of the address to ask next. Precondition: !candidates.empty().
  std::size_t select(std::span<const asio::ip::address> candidates, RandomPool& random) const {
    return select(candidates.size(), [candidates](std::size_t i) -> const asio::ip::address& { return candidates[i]; },
                  random);
  }
  // The same over `n` candidates read through address_at(i), so a caller need not copy them.
  template <typename AddressAt>
  std::size_t select(std::size_t n, AddressAt address_at, RandomPool& random) const;

  // Per-try timeout (RTO) for an address: srtt + 4 * rttvar of its measured RTTs (RFC 6298), doubled
  // by each timeout since its last answer; kUnknownServerTimeout when never measured; always within
  // [kMinTryTimeout, kMaxTryTimeout] (limits.hpp).
  std::chrono::milliseconds try_timeout(const asio::ip::address& address) const;

  std::size_t size() const { return entries_.size(); }

  // Where "now" comes from (the silent-server holdoff); unset, the steady clock. See Cache::set_clock.
  using NowFn = std::function<Clock::time_point()>;
  void set_clock(NowFn now);

 private:
  struct Entry {
    std::int64_t srtt_us = 0;
    std::int64_t rttvar_us = 0;
    std::int64_t rto_us = 0;  // 0: no RTT measured yet
    int consecutive_timeouts = 0;
    Clock::time_point last_timeout{};
  };
  static constexpr std::int64_t kMaxSrttUs = 5'000'000;
  static constexpr std::size_t kMaxEntries = 100000;
  void trim();
  Clock::time_point now() const;

  std::unordered_map<asio::ip::address, Entry, AddressHash> entries_;
  NowFn now_;
};

template <typename AddressAt>
std::size_t ServerStats::select(std::size_t n, AddressAt address_at, RandomPool& random) const {
  if (n == 1) return 0;
  // Exploration: one query in 20 goes to a random candidate, among those not silent lately.
  if (random.uniform(20) == 0) {
    std::array<std::size_t, kMaxNsPerDelegation * kMaxAddressesPerNs> pool;  // every candidate of a cut
    std::size_t k = 0;
    for (std::size_t i = 0; i < n && k < pool.size(); ++i) {
      if (!silent(address_at(i))) pool[k++] = i;
    }
    if (k > 0) return pool[random.uniform(static_cast<std::uint32_t>(k))];
  }
  std::size_t best = 0;
  std::int64_t best_score = INT64_MAX;
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t score = srtt_us(address_at(i));
    // Never measured: a small random SRTT (0..32 ms) so unknown servers are tried early and in
    // random order (spreads load, defeats an attacker who predicts which server we ask).
    if (score == 0) score = random.uniform(32'000);
    if (score < best_score) {
      best_score = score;
      best = i;
    }
  }
  return best;
}

}  // namespace dkimdoctor::resolver
