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
// RTO up to kMaxTryTimeout (RFC 6298 §5.5 back-off; Unbound's ceiling is higher, ours is 3 s: a
// server that answers within 3 s is usable, 2 s left one answering after 2.1 s never usable, issue 18).
inline constexpr std::chrono::milliseconds kUnknownServerTimeout = 376ms;
inline constexpr std::chrono::milliseconds kMinTryTimeout = 50ms;
inline constexpr std::chrono::milliseconds kMaxTryTimeout = 3000ms;
// Priming (RFC 8109) runs once per process, before the first resolution, with a budget of its own
// (its queries are not the first resolution's): at most kPrimingTime, and every try waits
// kMaxTryTimeout from the start, since no root's RTT is known yet. Before (issue 18) it iterated
// with the unknown-server RTO, so roots answering after 1.9 s made it spend the first resolution's
// whole 10 s. A failed priming leaves the root hints as they are.
inline constexpr std::chrono::milliseconds kPrimingTime = 4000ms;
// A server whose last try timed out is left out of the random exploration picks (one query in 20)
// for this long: exploration re-measures slow servers, and asking a silent one at random would put
// its backed-off RTO on an unlucky resolution's path. It is still asked when it is the best or the
// last choice of a cut. (Unbound likewise keeps a timed-out host out of its selection band.)
inline constexpr std::chrono::seconds kSilentServerHoldoff{60};
// A probe's first tries to one address that all timed out, this many or more, and none answered: the
// address is silent, not losing a packet now and then, and the timed-out questions get no retry (issue
// 16: the retry, 2 s, then the questions waiting for the SOA reply, 1 s more, made a check that met a
// dead server first take 4 s). Fewer (a step asking only the SOA and one question) still get their retry.
inline constexpr std::size_t kSilentServerEvidence = 3;
// The whole resolution, sub-resolutions included.
inline constexpr std::chrono::milliseconds kMaxResolutionTime = 10000ms;
// A TCP exchange (connect + write + read) after TC=1; a stalled stream is dropped at this point.
inline constexpr std::chrono::milliseconds kTcpTimeout = 2000ms;

// The authority probe asks every server of a zone directly, so the zone's owner picks how many
// addresses and how many queries a check sends (issue 18: 13 NS names x 8 addresses, and 13 more
// names at the zone, made one check send 4,270 queries to 208 addresses). Bounds per check, shared
// by its probes (resolver::ProbeBudget):
// - kMaxProbeAddresses distinct server addresses asked (Route 53 delegates to 4 NS names of 2
//   addresses each; 16 is twice that);
// - kMaxProbeNsNames NS names probed, the parent's and the zone's own together;
// - queries: kProbeQueriesBase (NS-name lookups, the zone's SOA and NS at each address, retries)
//   plus kProbeQueriesPerQuestion per question the check asks (each permitted address once), so
//   the budget grows linearly with the identity (whose size diagnose/limits.hpp bounds), and never
//   beyond kMaxProbeQueries.
// Zonemaster and DNSViz state no such caps that we could find: both ask every listed address.
inline constexpr std::size_t kMaxProbeAddresses = 16;
inline constexpr std::size_t kMaxProbeNsNames = kMaxNsPerDelegation;
inline constexpr int kProbeQueriesBase = 200;
inline constexpr int kProbeQueriesPerQuestion = static_cast<int>(kMaxProbeAddresses);
inline constexpr int kMaxProbeQueries = 4000;
// Questions one probe asks of each server beyond the zone's own SOA and NS. A caller with more (a check
// of many Easy DKIM tokens) runs several probes, one per kMaxProbeQuestions questions, sharing one
// ProbeBudget; Resolver::probe() rejects none but asks only the first kMaxProbeQuestions.
inline constexpr std::size_t kMaxProbeQuestions = 16;

// EDNS0 UDP payload size we advertise (DNS Flag Day 2020 value, avoids IP fragmentation).
inline constexpr std::uint16_t kEdnsUdpSize = 1232;
// Largest DNS message over TCP: the 2-octet length prefix caps it (RFC 1035 §4.2.2).
inline constexpr std::size_t kMaxTcpMessage = 65535;
// How long a server is remembered as one that rejects EDNS or does not echo 0x20 case: Unbound keeps
// such per-host facts for infra-host-ttl (900 s).
inline constexpr std::chrono::seconds kServerQuirkMemory{900};
// Messages on one TCP stream that fail to match our query, skipped before the stream is given up.
// (TCP only: the handshake means only the server itself can put them there.)
inline constexpr int kMaxMismatchedDatagrams = 32;
// UDP datagrams that fail to match (wrong ID, question) never end a try: an off-path attacker who
// can aim datagrams at our port must not be able to make a server look dead (issue 18). The try
// keeps listening until the real reply or its timer; the attacker pays one datagram per read and
// gains nothing. Datagrams read per wake-up before the try's timer is looked at again: a flood
// cannot keep the loop reading past the try's end.
inline constexpr int kMaxDatagramsPerRead = 64;

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

// ---- DNSSEC validation (issue 14; the crypto bounds are dnssec/limits.hpp) --------------------------
// RRSIGs kept per covered RRset by the scrubber and the cache (dnssec::kMaxRrsigsPerRrset are looked at).
inline constexpr std::size_t kMaxCachedSignatures = 16;
// NSEC/NSEC3 records (with their RRSIGs) kept from one reply: dnssec::kMaxDenialRecords are considered
// for a proof; RRSIGs of each of those come on top.
inline constexpr std::size_t kMaxDenialRecordsKept = 96;
// DS records (and the RRSIGs covering them) kept from one referral: dnssec's kMaxDsRecords (16) and as many
// signatures; a larger set is cut, and the validator then finds it incomplete or asks the parent.
inline constexpr std::size_t kMaxReferralDsKept = 32;
// NSEC/NSEC3 records and their RRSIGs kept from one referral without DS as the proof that the child has
// none (RFC 4035 §3.1.4, RFC 5155 §7.2.7: an NSEC, or up to three NSEC3 with an opt-out closest encloser
// proof, each with a signature or two); more is cut, and what is left must still prove it.
inline constexpr std::size_t kMaxReferralNoDsProofKept = 16;
// A zone found bogus in the key cache is remembered this long (Unbound: val-bogus-ttl 60): long enough not
// to refetch its keys for every name under it, short enough that a fixed zone validates a minute later.
inline constexpr std::uint32_t kBogusKeyTtl = 60;
// Zones the validator walks through from the trust anchor down to one signer (a DS and a DNSKEY fetch each):
// a chain deeper than this is not followed (bogus). Real chains are 2-5 zones (root, TLD, maybe an eTLD,
// the domain, a delegated subzone); a name has at most 127 labels.
inline constexpr int kMaxChainZones = 16;
// Entries of the key cache (zone -> trusted DNSKEY set or insecure/bogus); the oldest go when over.
inline constexpr std::size_t kMaxKeyCacheEntries = 10000;

}  // namespace dkimdoctor::resolver
