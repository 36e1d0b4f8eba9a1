// The iterative resolver: from the root (or the cache) down to the authoritative servers, over the
// Transport, with the cache shared by every resolution in flight. See resolver/README.md for the
// narrative: goals, non-goals, the loop, the limits.
//
//   asio::io_context io;
//   resolver::Resolver r(io.get_executor(), options);
//   co_await r.resolve(name, wire::RRType::TXT);   // -> Resolution
//   co_await r.probe(zone_or_name, {questions});    // -> ZoneProbe (every authoritative server)
//
// One Resolver per io_context thread; any number of resolve()/probe() coroutines may run on it at
// once. Nothing here throws for network input: failures are values in the result.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dnssec/status.hpp"
#include "resolver/address_policy.hpp"
#include "resolver/cache.hpp"
#include "resolver/limits.hpp"
#include "resolver/root_hints.hpp"
#include "resolver/shared_replies.hpp"
#include "resolver/trace.hpp"
#include "resolver/transport.hpp"
#include "wire/message.hpp"

namespace dkimdoctor::resolver {

struct Options {
  AddressPolicy policy;                        // allow_loopback for the lab
  std::optional<RootHints> root_hints;         // default: builtin_root_hints()
  bool prime = true;                           // RFC 8109 priming before the first resolution
  bool qname_minimisation = false;             // RFC 9156
  bool use_0x20 = true;                        // case randomisation (RFC 5452 §9.3 / draft-vixie-dnsext-dns0x20)
  std::size_t cache_entries = kDefaultCacheEntries;
  std::size_t cache_bytes = kDefaultCacheBytes;  // approximate bytes held, LRU-evicted
  bool trace = true;                           // record the trace (bulk users may turn it off)
  // The clock of the cache's TTLs and the server statistics; unset, std::chrono::steady_clock. A
  // replayed scenario moves it forward ("TIME_PASSES") instead of sleeping. Timeouts stay real time.
  std::function<std::chrono::steady_clock::time_point()> clock;

  // DNSSEC (RFC 4033-4035, RFC 6840; issue 14). Validation is on when a trust anchor is known: the given
  // `trust_anchors`, else the IANA root KSKs (tags 20326, 38696) when the root hints are the built-in ones.
  // With other root hints (a lab) and no anchor, answers are not validated (Validation::checked false).
  bool validate = true;                            // --no-validate turns it off
  std::vector<wire::Record> trust_anchors;         // DS or DNSKEY records (zone text: --trust-anchor FILE)
  // The validation time, seconds since 1970 (RRSIG arithmetic is modulo 2^32, RFC 4034 §3.1.5); unset: the
  // wall clock. Pinned like Unbound's val-override-date so a signed lab or a replayed scenario stays valid.
  std::optional<std::uint32_t> validation_time;
};

// The DNSSEC status of one answer (or one delegation step), and the evidence a diagnosis shows.
struct Validation {
  bool checked = false;                       // false: validation off, or no trust anchor above the name
  dnssec::Status status = dnssec::Status::indeterminate;
  dnssec::Reason reason = dnssec::Reason::none;  // why not secure
  wire::Name zone;                            // the zone that decided: the signer, or where the chain broke or went insecure
  std::uint16_t key_tag = 0;                  // the deciding RRSIG's (or DS's) key tag, 0: none
  std::uint8_t algorithm = 0;
  std::uint32_t inception = 0, expiration = 0;  // the deciding RRSIG's window, 0: none
  // The soonest expiration among the RRSIGs the secure answer rests on (its own, the DNSKEY and DS sets up to
  // the anchor), 0: none. DNSSEC_SIGNATURES_EXPIRING reads it.
  std::uint32_t earliest_expiration = 0;
  std::string detail;                         // one sentence for people ("no DNSKEY of example.com. matches the DS at com. (key tag 12345)")
};
// "secure", "insecure (no DS for x. at com. ...)", "bogus (signature_expired: the RRSIG of ... has expired ...)";
// "not validated" when not checked.
std::string describe(const Validation& v);
// The reason as an identifier, the enumerator's name ("signature_expired"): JSON and the status line.
const char* reason_id(dnssec::Reason reason);

enum class Outcome : std::uint8_t {
  answer,    // NOERROR with the RRset (and any CNAME chain leading to it)
  nodata,    // NOERROR, the name exists without that type
  nxdomain,  // NXDOMAIN
  yxdomain,  // YXDOMAIN: a DNAME substitution would exceed 255 octets (RFC 6672 §2.2); `answer` has the DNAME
  failed,    // SERVFAIL: see `failure`
};
const char* to_string(Outcome o);

// Why a resolution failed. Every limit in limits.hpp has its own value so that the caller can say
// which one was hit.
enum class Failure : std::uint8_t {
  none,
  max_queries,              // kMaxQueriesPerResolution
  max_cname_chain,          // kMaxCnameChain
  max_dependency_depth,     // kMaxDependencyDepth
  max_failed_glueless,      // kMaxFailedGluelessLookups
  max_referrals,            // kMaxReferrals (referral loop)
  resolution_timeout,       // kMaxResolutionTime
  cname_loop,               // a CNAME/DNAME chain revisits a name
  dependency_cycle,         // an NS name needs itself to be resolved (tsuNAME shape)
  all_servers_failed,       // every server of a zone timed out, refused or answered junk
  no_permitted_servers,     // every address of a zone is refused by the address policy
  no_server_addresses,      // no NS name of a zone resolves to an address
  bad_question,             // e.g. a meta type we do not resolve
  stopped,                  // Resolver::stop() ended it
};
const char* to_string(Failure f);
// "limit" for the max_* and resolution_timeout values: the CLI's `"error"` prefix.
bool is_limit(Failure f);

struct Resolution {
  wire::Question question;
  Outcome outcome = Outcome::failed;
  wire::Rcode rcode = wire::Rcode::ServFail;
  std::vector<wire::Record> answer;          // CNAME/DNAME chain then the final RRset
  std::optional<wire::Record> negative_soa;  // nodata / nxdomain (RFC 2308)
  Validation validation;                     // the answer's DNSSEC status (the worst link of a CNAME chain)
  // Every RRSIG the servers sent covering an RRset of `answer` (and `negative_soa`), from whichever section,
  // of every algorithm, whether or not it verified, for insecure data too: what a DO reply carries.
  std::vector<wire::Record> signatures;
  std::vector<wire::Record> denial;          // NSEC/NSEC3 records (and their RRSIGs) proving a nodata/nxdomain
  Failure failure = Failure::none;
  std::string failure_detail;                // e.g. "example.com.: 3 servers: timeout, REFUSED, timeout"
  std::vector<RefusedAddress> refused_addresses;
  int queries = 0;                           // upstream queries this resolution caused (sub-resolutions included)
  std::chrono::microseconds elapsed{0};
  std::vector<TraceStep> trace;
};

// ---- The authority probe -------------------------------------------------------------------------

struct NsAddress {
  asio::ip::address address;
  bool from_glue = false;        // given as glue in the parent's referral
  bool from_resolution = false;  // found by resolving the NS name
  bool permitted = true;         // address policy allows querying it
  bool asked = true;             // false: over the check's probe budget (kMaxProbeAddresses), not asked
  AddressClass address_class = AddressClass::global;
};

struct ProbedNameServer {
  wire::Name name;
  bool at_parent = false;  // listed in the parent's referral
  bool at_zone = false;    // listed in the zone's own NS RRset (as answered by any of its servers)
  std::vector<NsAddress> addresses;
  // Set when the NS name did not resolve: "NXDOMAIN", "NODATA", or the resolution's failure.
  std::string resolution_error;
};

// unreachable_from_host: this host cannot send to the address at all (no IPv6, no route), see
// TransportError::unreachable_from_host; the server is not to blame. budget: not asked, the check's probe
// budget (kMaxProbeQueries) was spent.
enum class ProbeError : std::uint8_t { none, timeout, refused, network, malformed, policy, unreachable_from_host, budget, stopped };
const char* to_string(ProbeError e);

struct ServerResponse {
  wire::Name ns_name;
  asio::ip::address address;
  wire::Question question;
  ProbeError error = ProbeError::none;
  std::string error_detail;
  Protocol protocol = Protocol::udp;       // tcp when the UDP reply had TC=1
  std::optional<wire::Rcode> rcode;
  bool aa = false;
  bool tc = false;                         // a UDP reply had TC=1, so the question went to TCP
  std::vector<wire::Record> answer, authority;
  // The reply's RRSIG, NSEC and NSEC3 records, from both sections, and the additional section's RRSIGs of
  // `answer`'s RRsets (the probe sets DO): kept apart so that `answer` and `authority` hold what a
  // non-validating reader expects.
  std::vector<wire::Record> dnssec;
  std::chrono::microseconds rtt{0};
};

struct ServerSerial {
  wire::Name ns_name;
  asio::ip::address address;
  std::optional<std::uint32_t> serial;  // nullopt: no SOA came back (see `error`)
  std::string error;
};

struct ZoneProbe {
  wire::Name name;                      // what was asked about
  wire::Name zone;                      // the closest enclosing zone cut that holds `name`
  wire::Name parent;                    // the zone that delegated `zone` ("." for the root)
  bool zone_found = false;              // false: the walk failed (see failure)
  // The zone holding the name says it does not exist: with zone != name's registrable domain this is
  // "not delegated" (the parent answered NXDOMAIN).
  bool name_nxdomain = false;
  std::optional<wire::Rcode> walk_rcode;  // rcode of the authoritative reply that ended the walk
  std::vector<wire::Name> parent_ns;    // NS set in the parent's referral
  std::vector<wire::Name> zone_ns;      // NS set served by the zone itself (union over its servers)
  std::vector<ProbedNameServer> servers;
  // One per (address, question): for each address the zone's SOA, the zone's NS, then the questions.
  std::vector<ServerResponse> responses;
  std::vector<ServerSerial> serials;      // one per address
  std::vector<RefusedAddress> refused_addresses;
  Failure failure = Failure::none;
  std::string failure_detail;
  int queries = 0;
  std::chrono::microseconds elapsed{0};
  std::vector<TraceStep> trace;
};

// What the authority probes of one check may still spend (issue 18: without it a zone listing 13 NS
// names of 8 addresses each, whose servers listed 13 more, made one check send 4,270 queries to 208
// addresses the zone chose). Shared by every probe a caller runs for one check; a probe without one
// gets a fresh budget of its own (for 16 questions). Addresses beyond kMaxProbeAddresses are listed
// in the report but never asked (NsAddress::asked false); questions past the query budget end as
// ProbeError::budget.
struct ProbeBudget {
  // The budget of a check that asks `questions` questions in all (limits.hpp).
  static ProbeBudget for_questions(std::size_t questions) {
    ProbeBudget b;
    const std::size_t q = std::min<std::size_t>(questions, kMaxProbeQueries);
    b.queries_left = std::min(kMaxProbeQueries, kProbeQueriesBase + kProbeQueriesPerQuestion * static_cast<int>(q));
    return b;
  }
  int queries_left = kProbeQueriesBase + kProbeQueriesPerQuestion * static_cast<int>(kMaxProbeQuestions);
  std::vector<asio::ip::address> addresses;  // distinct addresses asked so far
  int addresses_not_asked = 0;
  int questions_not_asked = 0;
};

struct ResolverStats {
  std::uint64_t resolutions = 0;
  std::uint64_t probes = 0;
  std::uint64_t queries_sent = 0;  // every datagram and TCP query that left
  TransportStats transport;
  CacheStats cache;
};

class Resolver {
 public:
  Resolver(asio::any_io_executor executor, Options options = {});
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // `replies`: the check's replies (shared_replies.hpp): a server is not asked again a question it already
  // answered within the check, by a probe or a resolution given the same SharedReplies. Null: none shared.
  asio::awaitable<Resolution> resolve(const wire::Name& name, wire::RRType type,
                                      std::shared_ptr<SharedReplies> replies = nullptr);
  // resolve() into `out`, a default-constructed Resolution the caller keeps until the awaitable ends: for
  // many resolutions at once (gather.hpp's void tasks), without a coroutine around each to carry its
  // Resolution (over 1 KB) and a move of it on the way.
  asio::awaitable<void> resolve_into(Resolution& out, const wire::Name& name, wire::RRType type,
                                     std::shared_ptr<SharedReplies> replies = nullptr);
  // `budget`: shared by the probes of one check (see ProbeBudget); null gives this probe its own. Asks at
  // most kMaxProbeQuestions of `questions` (limits.hpp); the others are counted in
  // budget->questions_not_asked, not asked. `replies`: as for resolve().
  asio::awaitable<ZoneProbe> probe(const wire::Name& name, std::vector<wire::Question> questions,
                                   std::shared_ptr<ProbeBudget> budget = nullptr,
                                   std::shared_ptr<SharedReplies> replies = nullptr);

  // Ends every resolution and probe in flight promptly (each ends with Failure::stopped, or its servers
  // with ProbeError::stopped) and makes later ones end at once without sending a query. After it, the
  // coroutines that were waiting on this resolver run to their end and leave the io_context without work:
  // a caller can stop (Ctrl-C) and tear down cleanly. Call on the resolver's executor.
  void stop();
  bool stopped() const;

  // The validator's key cache for `zone` (lowercase or not): the DNSKEY RRset the chain of trust trusted
  // (status secure), or why the zone is not secure (insecure, bogus). nullopt: not cached (no resolution
  // validated anything of that zone yet, or its entry expired). A check reads the keys the validator trusted
  // here rather than the copy one server happened to answer its own DNSKEY question with.
  struct TrustedKeys {
    Validation validation;
    std::vector<wire::Record> dnskeys;  // secure only
  };
  std::optional<TrustedKeys> trusted_keys(const wire::Name& zone) const;

  ResolverStats stats() const;
  const Options& options() const;
  Cache& cache();

 private:
  friend class Validator;  // resolver/validator.hpp: fetches DS/DNSKEY through the same iteration
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dkimdoctor::resolver
