#include "resolver/server_stats.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

#include "resolver/limits.hpp"

namespace dkimdoctor::resolver {

void ServerStats::trim() {
  // The table is keyed by attacker-influenced addresses (any zone can list any address): bound it.
  if (entries_.size() >= kMaxEntries) entries_.clear();
}

namespace {

std::int64_t clamp_rto(std::int64_t us) {
  return std::clamp<std::int64_t>(us, kMinTryTimeout.count() * 1000, kMaxTryTimeout.count() * 1000);
}

}  // namespace

void ServerStats::record_rtt(const asio::ip::address& address, std::chrono::microseconds rtt) {
  trim();
  Entry& e = entries_[address];
  const std::int64_t sample = std::max<std::int64_t>(rtt.count(), 1);
  if (e.srtt_us == 0 || e.consecutive_timeouts > 0 || e.rto_us == 0) {
    // First sample, or a recovered server: start again from the truth (RFC 6298 §2.2).
    e.srtt_us = sample;
    e.rttvar_us = sample / 2;
  } else {
    // RFC 6298 §2.3 for the variance; the SRTT keeps BIND's faster weight (it drives selection).
    e.rttvar_us = (3 * e.rttvar_us + std::abs(e.srtt_us - sample)) / 4;
    e.srtt_us = (7 * e.srtt_us + 3 * sample) / 10;
  }
  e.rto_us = clamp_rto(e.srtt_us + 4 * e.rttvar_us);
  e.consecutive_timeouts = 0;
}

void ServerStats::record_timeout(const asio::ip::address& address) {
  trim();
  Entry& e = entries_[address];
  const std::int64_t base = std::max<std::int64_t>(e.srtt_us, kUnknownServerTimeout.count() * 1000);
  e.srtt_us = std::min(base * 2, kMaxSrttUs);
  // RFC 6298 §5.5: back off the RTO (the one the lost try used) by doubling it.
  const std::int64_t rto = e.rto_us > 0 ? e.rto_us : kUnknownServerTimeout.count() * 1000;
  e.rto_us = clamp_rto(rto * 2);
  ++e.consecutive_timeouts;
  e.last_timeout = now();
}

void ServerStats::record_failure(const asio::ip::address& address) {
  trim();
  Entry& e = entries_[address];
  e.srtt_us = std::min(std::max<std::int64_t>(e.srtt_us, 1000) + 200'000, kMaxSrttUs);
}

std::int64_t ServerStats::srtt_us(const asio::ip::address& address) const {
  const auto it = entries_.find(address);
  return it == entries_.end() ? 0 : it->second.srtt_us;
}

bool ServerStats::silent(const asio::ip::address& address) const {
  const auto it = entries_.find(address);
  return it != entries_.end() && it->second.consecutive_timeouts > 0 &&
         now() - it->second.last_timeout < kSilentServerHoldoff;
}

bool ServerStats::known(const asio::ip::address& address) const { return entries_.count(address) != 0; }

std::chrono::milliseconds ServerStats::try_timeout(const asio::ip::address& address) const {
  const auto it = entries_.find(address);
  if (it == entries_.end() || it->second.rto_us == 0) return kUnknownServerTimeout;
  return std::chrono::milliseconds(clamp_rto(it->second.rto_us) / 1000);
}

void ServerStats::set_clock(NowFn now) { now_ = std::move(now); }

ServerStats::Clock::time_point ServerStats::now() const { return now_ ? now_() : Clock::now(); }

}  // namespace dkimdoctor::resolver
