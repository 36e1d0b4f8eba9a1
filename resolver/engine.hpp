// Internal to resolver/: the state behind Resolver (its pimpl) and the pieces resolver.cpp (the
// iteration loop) and probe.cpp (the authority probe) share. Not installed, not for other parts.
#pragma once

#include <asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "resolver/cache.hpp"
#include "resolver/classify.hpp"
#include "resolver/cut_step.hpp"
#include "resolver/limits.hpp"
#include "resolver/random.hpp"
#include "resolver/resolver.hpp"
#include "resolver/server_stats.hpp"
#include "resolver/shared_replies.hpp"
#include "resolver/transport.hpp"
#include "resolver/validator.hpp"

namespace dkimdoctor::resolver {

using Clock = std::chrono::steady_clock;

// Per top-level resolution: the budget every nested sub-resolution draws from.
struct Context {
  Clock::time_point start = Clock::now();
  Clock::time_point deadline = start + kMaxResolutionTime;
  int queries = 0;
  // Upstream queries this resolution may send: kMaxQueriesPerResolution, or less when the authority
  // probe's per-check budget (kMaxProbeQueries) gives an NS-name lookup a smaller share.
  int max_queries = kMaxQueriesPerResolution;
  int failed_glueless = 0;
  // Every try waits at least this long (priming: kMaxTryTimeout); zero for ordinary resolutions.
  std::chrono::milliseconds min_try_timeout{0};
  std::vector<wire::Question> stack;      // questions being resolved, outermost first (cycle check)
  bool tracing = true;
  // Cuts keep their NS names and glue as the parent gave them (the authority probe reports them);
  // a plain resolution needs neither and does not copy them per cut.
  bool keep_delegation = false;
  std::vector<TraceStep> trace;
  std::vector<RefusedAddress> refused;
  // The check's replies (shared_replies.hpp), owned by the caller of resolve()/probe(); null: none shared.
  SharedReplies* replies = nullptr;
};

struct Fail {
  Failure kind = Failure::all_servers_failed;
  std::string detail;
};

// One server address of a zone cut, with its state within this resolution.
struct CutServer {
  wire::Name ns_name;
  asio::ip::address address;
  int tries = 0;
  bool dead = false;  // answered junk, refused, lame or unreachable: not asked again here
  bool unreachable = false;  // the send failed (network error: e.g. no route for its address family)
};

// A zone cut being iterated: its servers, and the NS names still without an address.
struct Cut {
  wire::Name zone;
  wire::Name parent;
  std::size_t ns_count = 0;           // NS names of the delegation (at most kMaxNsPerDelegation)
  std::vector<wire::Name> ns_names;   // with Context::keep_delegation only (for the probe)
  std::vector<Glue> glue;             // as the parent gave it; with Context::keep_delegation only
  std::vector<CutServer> servers;
  std::vector<wire::Name> unresolved;  // NS names with no address yet, not yet looked up
  int refused_by_policy = 0;
  std::optional<Fail> lookup_limit;   // why an NS-name lookup was skipped or failed (limit, cycle)
  std::vector<std::string> errors;    // per failed try, for the failure detail
  std::vector<wire::Name> looked_up;  // NS names whose addresses were resolved here
  bool fallback_tried = false;        // add_fallback_servers ran ...
  std::size_t fallback_looked_up = 0; // ... when looked_up had this many names (it runs again after more)
};

// What resolving one question came to, before it becomes a public Resolution: the outcome, the answer
// (CNAME chain first), the negative answer's SOA, or why it failed. Used for the top level and for the
// nested resolutions of NS addresses.
struct QuestionResult {
  Outcome outcome = Outcome::failed;
  std::vector<wire::Record> answer;
  std::optional<wire::Record> soa;
  std::optional<Fail> fail;
  std::vector<wire::Record> signatures;  // RRSIGs covering `answer` and `soa` (Resolution::signatures)
  std::vector<wire::Record> denial;      // NSEC/NSEC3 and their RRSIGs (Resolution::denial)
};

// A usable reply from one server of a cut.
struct CutReply {
  Classified classified;
  ScrubbedReply scrubbed;
  wire::Name server_name;
  asio::ip::address address;
};

// What query_cut keeps from one server in case no server of the cut answers better. On the heap, and only
// when kept (rarely): two inline CutReplies made up half of query_cut's coroutine frame.
struct CutLastResorts {
  // The first recursive-lame reply, read as if authoritative (Unbound does the same: iter_reclame_two).
  std::unique_ptr<CutReply> recursive_lame;
  std::unique_ptr<CutReply> empty_reply;  // the first empty authoritative reply: NODATA
};

// One question asked of one server address by the authority probe.
struct ProbeAsked {
  ServerResponse response;
  TraceStep step;
  int queries = 0;
};

// The end of a walk down the tree for one question. The caller's (walk() fills it in): it holds a Cut and
// a CutReply, which as walk()'s result sat in walk()'s coroutine frame twice and in its caller's once more.
struct Walk {
  std::optional<Fail> fail;   // set when no usable final reply came
  CutReply reply;             // without `fail`: the final reply (reply.classified is not a referral)
  Cut cut;                    // the cut whose servers gave it (or that failed)
  bool via_referral = false;  // `cut` was entered by a referral seen in this walk
};

struct Resolver::Impl {
  Impl(asio::any_io_executor executor, Options options);

  asio::any_io_executor executor;
  Options options;
  RandomPool random;
  Transport transport;
  ServerStats servers;
  Cache cache;
  RootHints hints;
  bool primed = false;
  bool priming = false;
  asio::steady_timer priming_done;
  ResolverStats stats;
  // DNSSEC: the trust anchors as DS RRsets (validator.hpp trust_anchor_sets; empty: nothing is validated)
  // and the key cache shared by every resolution.
  std::vector<dnssec::RRset> anchors;
  KeyCache keys;
  // Walks in flight, keyed by the child zone candidate they are asking about (cut + one label of the
  // name): a walk that would ask the same cut about a name under the same candidate waits for the
  // first one's referral instead (a cold cache and a thousand names under one TLD ask the root once).
  struct InflightStep {
    explicit InflightStep(const asio::any_io_executor& ex) : done(ex, Clock::time_point::max()) {}
    asio::steady_timer done;
  };
  // Keyed by the lowercased candidate; the value is created by the first waiter (null until then).
  std::unordered_map<wire::Name, std::shared_ptr<InflightStep>, wire::NameHash> inflight_steps;

  // By value: the coroutine frame must own what it reads after its first suspension.
  // validate false: no DNSSEC status (the probe's NS-address lookups: it reports addresses, and the
  // validator's own probe of a zone's servers must not validate the zone's in-zone NS names again).
  asio::awaitable<Resolution> resolve(wire::Name name, wire::RRType type, int max_queries = kMaxQueriesPerResolution,
                                      std::shared_ptr<SharedReplies> replies = nullptr, bool validate = true);
  // The same into `out` (a default-constructed Resolution its caller keeps until this ends; see
  // Resolver::resolve_into).
  asio::awaitable<void> resolve_into(Resolution& out, wire::Name name, wire::RRType type,
                                     int max_queries = kMaxQueriesPerResolution,
                                     std::shared_ptr<SharedReplies> replies = nullptr, bool validate = true);
  asio::awaitable<ZoneProbe> probe(wire::Name name, std::vector<wire::Question> questions,
                                   std::shared_ptr<ProbeBudget> budget, std::shared_ptr<SharedReplies> replies);

  // walk's and resolve_in's parts.
  struct StepRelease;
  asio::awaitable<bool> wait_for_step(Context& ctx, std::shared_ptr<InflightStep>& slot);
  Cut follow_referral(Context& ctx, const Cut& from, const Classified& c, int depth);
  void store_child_ns(const ScrubbedReply& reply, const wire::Name& zone);
  void store_referral_ds(const Classified& c);
  bool answer_from_cache(Context& ctx, const wire::Question& q, const wire::Name& name, int depth, QuestionResult& out,
                         std::optional<wire::Name>& next, int& links);
  bool take_walk(Classified& c, const wire::Question& q, const wire::Name& name, QuestionResult& out,
                 std::optional<wire::Name>& next, int& links);

  // probe's parts (probe.cpp): a round of NS names, one name's addresses, the questions for them.
  asio::awaitable<std::vector<wire::Name>> probe_round(Context& ctx, ZoneProbe& p, std::vector<wire::Name> to_probe,
                                                       std::span<const Glue> glue,
                                                       const std::vector<wire::Question>& questions,
                                                       std::shared_ptr<ProbeBudget> budget);
  ProbedNameServer probe_server(Context& ctx, const ZoneProbe& p, const wire::Name& name, std::span<const Glue> glue,
                                std::span<Resolution, 2> found);
  void queue_asks(Context& ctx, ZoneProbe& p, ProbedNameServer& server, const std::vector<wire::Question>& questions,
                  const std::shared_ptr<ProbeBudget>& budget,
                  std::vector<asio::awaitable<std::vector<ProbeAsked>>>& asks);

  // Priming (RFC 8109) runs once per Resolver: every resolution and probe asks needs_priming() first, so
  // that only the first ones pay for prime()'s coroutine frame (a few KB, it holds a Cut and a Context).
  bool needs_priming() const { return options.prime && !primed; }
  asio::awaitable<void> prime(Context& ctx);
  asio::awaitable<QuestionResult> resolve_in(Context& ctx, wire::Question question, int depth);
  asio::awaitable<void> walk(Context& ctx, wire::Question question, int depth, Walk& w);
  bool take_closer_cut(Context& ctx, Walk& w, const wire::Name& cut_name, int depth);
  // One question to the servers of `cut`: nullopt when a reply was accepted (in `reply`), else why none was.
  // `reply` is the caller's: held as this coroutine's result it sat in query_cut's frame twice over (the
  // accepted reply and the awaitable's result), 3 KB a cut step.
  asio::awaitable<std::optional<Fail>> query_cut(Context& ctx, Cut& cut, const wire::Question& asked, int depth,
                                                 CutReply& reply);
  asio::awaitable<void> resolve_ns_addresses(Context& ctx, Cut& cut, int depth);

  // query_cut's parts: the state its decision reads, the request, and carrying out a reply's step.
  CutState cut_state(const Context& ctx, const Cut& cut, int min_tries, const CutLastResorts& last);
  ExchangeRequest exchange_request(const Context& ctx, const CutServer& server, const wire::Question& asked);
  ReplyStep take_failed_exchange(Context& ctx, Cut& cut, CutServer& server, const ExchangeResult& x, TraceStep step);
  ReplyStep take_reply(Context& ctx, Cut& cut, CutServer& server, const wire::Question& asked, const ExchangeResult& x,
                       TraceStep step, CutLastResorts& last, CutReply& accepted);

  void promote_cached(Context& ctx, Cut& cut, int depth);
  bool add_fallback_servers(Context& ctx, Cut& cut, int depth);
  std::size_t pick_server(const Cut& cut, int min_tries);
  Cut make_cut(Context& ctx, const CachedDelegation& d, int depth);
  Cut closest_cut(Context& ctx, const wire::Name& name, int depth);
  Cut root_cut(Context& ctx, int depth);
  void add_server_addresses(Context& ctx, Cut& cut, const wire::Name& ns, std::span<const asio::ip::address> addrs,
                            int depth);
  void trace(Context& ctx, TraceStep&& step) const;  // &&: no copy of its names when not tracing
  void note(Context& ctx, int depth, const wire::Name& zone, std::string text, StepKind kind = StepKind::note) const;
};

// "ns1.example. (192.0.2.1)"
std::string describe_server(const wire::Name& name, const asio::ip::address& address);

}  // namespace dkimdoctor::resolver
