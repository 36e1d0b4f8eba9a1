// Every bound the resolver enforces, in one place. Defaults are at least as strict as the strictest
// peer (BIND 9, PowerDNS Recursor, Unbound, Knot Resolver). Hitting one ends the resolution with an
// outcome that names the limit (resolver::Failure), never a hang and never unbounded work.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace dkimdoctor::resolver {

using namespace std::chrono_literals;

// Upstream queries per resolution, sub-resolutions (glueless NS addresses) included. BIND's
// max-recursion-queries and PowerDNS's max-qperq are both 50.
inline constexpr int kMaxQueriesPerResolution = 50;
// CNAME/DNAME links followed before giving up. 11 as in BIND/Unbound (max-restarts).
inline constexpr int kMaxCnameChain = 11;
// Nesting of sub-resolutions (an NS name whose address needs a lookup whose NS name needs a lookup...).
inline constexpr int kMaxDependencyDepth = 7;
// Glueless NS-name lookups that may fail within one resolution (NXNSAttack, CVE-2020-8616).
inline constexpr int kMaxFailedGluelessLookups = 5;
// NS records considered from one delegation; the rest are ignored (NXNSAttack mitigation).
inline constexpr std::size_t kMaxNsPerDelegation = 13;
// Addresses kept per NS name (a hostile zone may list hundreds).
inline constexpr std::size_t kMaxAddressesPerNs = 8;
// Referrals followed within one resolution step before we call it a loop.
inline constexpr int kMaxReferrals = 30;
// Tries of one question at one zone cut, alternating among the cut's addresses (fewest tries
// first): each address gets ceil(kTriesPerZoneCut / live addresses) tries, at least
// kMinTriesPerAddress and at most kMaxTriesPerAddress. Unbound's outbound-msg-retry is 5 per server;
// 10 per cut makes a 2-server zone survive 30% loss (0.3^10 ~ 6e-6 per step). The query budget and
// the resolution deadline bound the total whatever the cut looks like.
inline constexpr int kTriesPerZoneCut = 10;
inline constexpr int kMinTriesPerAddress = 2;
inline constexpr int kMaxTriesPerAddress = 5;

// Per-try timeout (retransmission timeout, RTO), per server address, as Unbound's infra cache and
// RFC 6298 compute it: srtt + 4 * rttvar from measured RTTs, at least kMinTryTimeout (Unbound
// RTT_MIN_TIMEOUT 50 ms) and at most kMaxTryTimeout; a server never measured starts at
// kUnknownServerTimeout (Unbound UNKNOWN_SERVER_NICENESS 376 ms); each timeout doubles the server's
// RTO up to kMaxTryTimeout (RFC 6298 §5.5 back-off; Unbound's ceiling is higher, ours is 2 s).
inline constexpr std::chrono::milliseconds kUnknownServerTimeout = 376ms;
inline constexpr std::chrono::milliseconds kMinTryTimeout = 50ms;
inline constexpr std::chrono::milliseconds kMaxTryTimeout = 2000ms;
// A server whose last try timed out is left out of the random exploration picks (one query in 20)
// for this long: exploration re-measures slow servers, and asking a silent one at random would put
// its backed-off RTO on an unlucky resolution's path. It is still asked when it is the best or the
// last choice of a cut. (Unbound likewise keeps a timed-out host out of its selection band.)
inline constexpr std::chrono::seconds kSilentServerHoldoff{60};
// The whole resolution, sub-resolutions included.
inline constexpr std::chrono::milliseconds kMaxResolutionTime = 10000ms;
// A TCP exchange (connect + write + read) after TC=1; a stalled stream is dropped at this point.
inline constexpr std::chrono::milliseconds kTcpTimeout = 2000ms;

// EDNS0 UDP payload size we advertise (DNS Flag Day 2020 value, avoids IP fragmentation).
inline constexpr std::uint16_t kEdnsUdpSize = 1232;
// Largest DNS message over TCP: the 2-octet length prefix caps it (RFC 1035 §4.2.2).
inline constexpr std::size_t kMaxTcpMessage = 65535;
// How long a server is remembered as one that rejects EDNS or does not echo 0x20 case: Unbound keeps
// such per-host facts for infra-host-ttl (900 s).
inline constexpr std::chrono::seconds kServerQuirkMemory{900};
// Datagrams that fail to match (wrong ID, question, case) tolerated per try before giving up on it.
inline constexpr int kMaxMismatchedDatagrams = 32;

// Cache capacity (entries) and TTL bounds. TTLs above a week are clamped (RFC 8767 §4 reasoning;
// BIND max-cache-ttl); negative answers are clamped to 3 hours like BIND's max-ncache-ttl.
inline constexpr std::size_t kDefaultCacheEntries = 100000;
// Cache capacity in (approximate) bytes held: records as stored (wire::Record with its fixed-size
// owner name) plus their RDATA and a per-entry overhead; least recently used entries go first when
// over. Entries alone do not bound memory: one entry may be a 4000-record RRset from a 64 KiB answer
// (~1.2 MB). Unbound bounds its caches in bytes too (rrset-cache-size + msg-cache-size, 4 MB each by
// default); BIND has max-cache-size. An entry larger than the whole budget is not cached.
inline constexpr std::size_t kDefaultCacheBytes = 32 * 1024 * 1024;
inline constexpr std::uint32_t kMaxCacheTtl = 7 * 24 * 3600;
inline constexpr std::uint32_t kMaxNegativeTtl = 3 * 3600;

}  // namespace dkimdoctor::resolver
