// The iteration loop. Shape (see README.md):
//
//   resolve_in(question):            follow CNAME/DNAME links; cache first, else walk()
//   walk(question):                  from the closest known cut down, one referral at a time
//   query_cut(cut, question):        pick a server (SRTT), exchange, scrub, classify; lame -> next
//   resolve_ns_addresses(cut):       a glueless NS name, as a nested resolve_in (depth + 1)
//
// Every loop is bounded by a named limit from limits.hpp and every step is appended to the trace.
#include "resolver/resolver.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>
#include <algorithm>
#include <array>
#include <climits>
#include <ctime>
#include <iterator>
#include <span>

#include "resolver/engine.hpp"
#include "resolver/limits.hpp"

namespace dkimdoctor::resolver {

using asio::use_awaitable;
using asio::experimental::as_tuple;
using namespace asio::experimental::awaitable_operators;
using wire::Name;
using wire::Question;
using wire::Record;
using wire::RRType;

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::answer: return "answer";
    case Outcome::nodata: return "nodata";
    case Outcome::nxdomain: return "nxdomain";
    case Outcome::yxdomain: return "yxdomain";
    case Outcome::failed: return "failed";
  }
  return "unknown";
}

namespace {

// The limits' messages name each limit and its value, from the constants themselves (limits.hpp).
const std::string kMaxQueriesText =
    "limit kMaxQueriesPerResolution (" + std::to_string(kMaxQueriesPerResolution) + " queries) reached";
const std::string kMaxCnameText = "limit kMaxCnameChain (" + std::to_string(kMaxCnameChain) + " links) reached";
const std::string kMaxDepthText =
    "limit kMaxDependencyDepth (" + std::to_string(kMaxDependencyDepth) + " nested lookups) reached";
const std::string kMaxGluelessText =
    "limit kMaxFailedGluelessLookups (" + std::to_string(kMaxFailedGluelessLookups) + ") reached";
const std::string kMaxReferralsText =
    "limit kMaxReferrals (" + std::to_string(kMaxReferrals) + ") reached: referral loop";
const std::string kResolutionTimeText =
    "limit kMaxResolutionTime (" +
    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kMaxResolutionTime).count()) + " s) reached";

}  // namespace

const char* to_string(Failure f) {
  switch (f) {
    case Failure::none: return "none";
    case Failure::max_queries: return kMaxQueriesText.c_str();
    case Failure::max_cname_chain: return kMaxCnameText.c_str();
    case Failure::max_dependency_depth: return kMaxDepthText.c_str();
    case Failure::max_failed_glueless: return kMaxGluelessText.c_str();
    case Failure::max_referrals: return kMaxReferralsText.c_str();
    case Failure::resolution_timeout: return kResolutionTimeText.c_str();
    case Failure::cname_loop: return "CNAME/DNAME loop";
    case Failure::dependency_cycle: return "cyclic NS dependency";
    case Failure::all_servers_failed: return "all servers failed";
    case Failure::no_permitted_servers: return "every server address is refused by the address policy";
    case Failure::no_server_addresses: return "no NS name resolves to an address";
    case Failure::bad_question: return "question type not resolvable";
    case Failure::stopped: return "stopped";
  }
  return "unknown";
}

bool is_limit(Failure f) {
  switch (f) {
    case Failure::max_queries:
    case Failure::max_cname_chain:
    case Failure::max_dependency_depth:
    case Failure::max_failed_glueless:
    case Failure::max_referrals:
    case Failure::resolution_timeout:
      return true;
    default:
      return false;
  }
}

std::string describe_server(const Name& name, const asio::ip::address& address) {
  return name.to_string() + " (" + address.to_string() + ")";
}

// ---- Impl basics -----------------------------------------------------------------------------------

Resolver::Impl::Impl(asio::any_io_executor ex, Options opts)
    : executor(ex),
      options(std::move(opts)),
      transport(ex, random),
      cache(options.cache_entries, options.cache_bytes),
      hints(options.root_hints ? *options.root_hints : builtin_root_hints()),
      priming_done(ex, Clock::time_point::max()) {
  if (options.validate) anchors = trust_anchor_sets(options);
  if (options.clock) {
    keys.clock = options.clock;
    cache.set_clock(options.clock);
    servers.set_clock(options.clock);
  }
}

void Resolver::Impl::trace(Context& ctx, TraceStep&& step) const {
  if (ctx.tracing) ctx.trace.push_back(std::move(step));
}

void Resolver::Impl::note(Context& ctx, int depth, const Name& zone, std::string text, StepKind kind) const {
  if (!ctx.tracing) return;
  TraceStep s;
  s.kind = kind;
  s.depth = depth;
  s.zone = zone;
  s.note = std::move(text);
  ctx.trace.push_back(std::move(s));
}

void Resolver::Impl::add_server_addresses(Context& ctx, Cut& cut, const Name& ns,
                                          std::span<const asio::ip::address> addrs, int depth) {
  std::size_t added = 0;
  for (const auto& a : addrs) {
    if (added >= kMaxAddressesPerNs) break;
    const bool dup = std::any_of(cut.servers.begin(), cut.servers.end(),
                                 [&](const CutServer& s) { return s.address == a; });
    if (dup) continue;
    if (!options.policy.permits(a)) {
      ++cut.refused_by_policy;
      RefusedAddress ref{cut.zone, ns, a, classify_address(a)};
      if (std::find(ctx.refused.begin(), ctx.refused.end(), ref) == ctx.refused.end()) {
        ctx.refused.push_back(ref);
        TraceStep s;
        s.kind = StepKind::policy;
        s.depth = depth;
        s.zone = cut.zone;
        s.server_name = ns;
        s.address = a;
        s.note = std::string("not queried: ") + to_string(ref.address_class) + " address";
        trace(ctx, std::move(s));
      }
      continue;
    }
    cut.servers.push_back(CutServer{ns, a});
    ++added;
  }
}

namespace {

// The addresses of one NS name, without duplicates, all of them (add_server_addresses applies the
// address policy and the per-NS bound). On the stack while few, as they nearly always are; a long
// hostile glue list moves to the heap.
class AddressList {
 public:
  void add(const asio::ip::address& a) {
    if (large_.empty() && n_ == small_.size()) large_.assign(small_.begin(), small_.end());
    if (!large_.empty()) {
      if (std::find(large_.begin(), large_.end(), a) == large_.end()) large_.push_back(a);
    } else if (std::find(small_.begin(), small_.begin() + static_cast<std::ptrdiff_t>(n_), a) ==
               small_.begin() + static_cast<std::ptrdiff_t>(n_)) {
      small_[n_++] = a;
    }
  }
  // The A, then AAAA, RRsets of `ns` in the cache.
  void add_cached(Cache& cache, const Name& ns) {
    const auto sets = cache.peek_addresses(ns);
    for (const auto* set : {sets.a, sets.aaaa}) {
      if (set == nullptr) continue;
      for (const Record& r : *set) {
        if (auto a = r.rdata.as_a()) add(asio::ip::address(asio::ip::address_v4(*a)));
        if (auto a6 = r.rdata.as_aaaa()) add(asio::ip::address(asio::ip::address_v6(*a6)));
      }
    }
  }
  std::span<const asio::ip::address> view() const {
    return large_.empty() ? std::span<const asio::ip::address>(small_.data(), n_)
                          : std::span<const asio::ip::address>(large_);
  }

 private:
  std::array<asio::ip::address, 2 * kMaxAddressesPerNs> small_;
  std::vector<asio::ip::address> large_;
  std::size_t n_ = 0;
};

CachedDelegation delegation_from_hints(const RootHints& hints) {
  CachedDelegation d;
  for (const auto& h : hints) {
    if (d.servers.size() >= kMaxNsPerDelegation) break;
    d.servers.push_back({h.name, h.addresses});
  }
  return d;
}

}  // namespace

Cut Resolver::Impl::make_cut(Context& ctx, const CachedDelegation& d, int depth) {
  Cut cut;
  cut.zone = d.zone;
  cut.parent = d.parent;
  const std::size_t n = std::min(d.servers.size(), kMaxNsPerDelegation);
  cut.ns_count = n;
  std::size_t glue = 0;
  for (std::size_t i = 0; i < n; ++i) glue += d.servers[i].glue.size();
  if (ctx.keep_delegation) {
    cut.ns_names.reserve(n);
    cut.glue.reserve(glue);
  }
  cut.servers.reserve(glue + n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& s = d.servers[i];
    if (ctx.keep_delegation) {
      cut.ns_names.push_back(s.name);
      for (const auto& a : s.glue) cut.glue.push_back({s.name, a});
    }
    // The glue, then addresses of the NS name already in the cache.
    AddressList list;
    for (const auto& a : s.glue) list.add(a);
    list.add_cached(cache, s.name);
    const auto addrs = list.view();
    if (addrs.empty()) {
      cut.unresolved.push_back(s.name);
      continue;
    }
    const std::size_t servers_before = cut.servers.size();
    const int refused_before = cut.refused_by_policy;
    add_server_addresses(ctx, cut, s.name, addrs, depth);
    // Every address refused by the policy (glue of ::1 only, say): the name is glueless for us, and
    // its addresses are looked up when nothing else is left to ask (Unbound's iter_failreply), as
    // for any glueless name (lazy, and bounded by kMaxFailedGluelessLookups and the query budget).
    // Not a name at or below the cut's zone: its lookup would come back to this cut, which has no
    // usable address for it.
    const bool all_refused = cut.servers.size() == servers_before &&
                             static_cast<std::size_t>(cut.refused_by_policy - refused_before) == addrs.size();
    if (all_refused && !s.name.is_subdomain_of(cut.zone)) cut.unresolved.push_back(s.name);
  }
  return cut;
}

// make_cut() reads the cached delegation in place: it only looks up other entries (addresses),
// which never moves or removes this one.
Cut Resolver::Impl::root_cut(Context& ctx, int depth) {
  if (const auto* d = cache.peek_delegation(Name())) return make_cut(ctx, *d, depth);
  return make_cut(ctx, delegation_from_hints(hints), depth);
}

Cut Resolver::Impl::closest_cut(Context& ctx, const Name& name, int depth) {
  for (Name z = name; !z.is_root(); z = z.parent()) {
    if (const auto* d = cache.peek_delegation(z)) return make_cut(ctx, *d, depth);
  }
  return root_cut(ctx, depth);
}

// ---- Priming (RFC 8109) -----------------------------------------------------------------------------

asio::awaitable<void> Resolver::Impl::prime(Context& ctx) {
  if (!needs_priming()) co_return;
  if (priming) {
    // Someone else is priming: wait for it rather than send the same question again.
    co_await priming_done.async_wait(as_tuple(use_awaitable));
    co_return;
  }
  priming = true;
  // Its own budget (kPrimingTime, queries not charged to this resolution); its steps still go to
  // this resolution's trace.
  Context pctx;
  pctx.tracing = ctx.tracing;
  pctx.deadline = pctx.start + kPrimingTime;
  pctx.min_try_timeout = kMaxTryTimeout;
  Cut cut = make_cut(pctx, delegation_from_hints(hints), 1);
  note(pctx, 1, Name(), "priming: asking a root server for the root NS set");
  CutReply reply;
  // A named local, not a temporary of the co_await: GCC 12 destroys an aggregate temporary of a co_await
  // expression twice (docs/DESIGN.md), and query_cut takes it by reference.
  const Question root_ns{Name(), RRType::NS, wire::RRClass::IN};
  const bool failed = (co_await query_cut(pctx, cut, root_ns, 1, reply)).has_value();
  std::move(pctx.trace.begin(), pctx.trace.end(), std::back_inserter(ctx.trace));
  for (auto& ref : pctx.refused) ctx.refused.push_back(std::move(ref));
  if (!failed && reply.classified.kind == Classification::answer) {
    CachedDelegation d;
    std::uint32_t ttl = UINT32_MAX;
    for (const Record& r : reply.classified.records) {
      if (r.type != RRType::NS || !r.owner.is_root()) continue;
      auto target = r.rdata.target();
      if (!target || d.servers.size() >= kMaxNsPerDelegation) continue;
      ttl = std::min(ttl, r.ttl);
      CachedDelegation::Server s{*target, {}};
      for (const Record& g : reply.scrubbed.additional) {
        if (!(g.owner == *target)) continue;
        if (auto a = g.rdata.as_a()) s.glue.emplace_back(asio::ip::address_v4(*a));
        if (auto a6 = g.rdata.as_aaaa()) s.glue.emplace_back(asio::ip::address_v6(*a6));
      }
      d.servers.push_back(std::move(s));
    }
    // Names without addresses in the priming reply keep the hints' addresses.
    for (auto& s : d.servers) {
      if (!s.glue.empty()) continue;
      for (const auto& h : hints) {
        if (h.name == s.name) s.glue = h.addresses;
      }
    }
    std::erase_if(d.servers, [](const CachedDelegation::Server& s) { return s.glue.empty(); });
    if (!d.servers.empty()) {
      cache.store_delegation(d, ttl);
      note(ctx, 1, Name(), "priming: " + std::to_string(d.servers.size()) + " root servers");
    }
  } else {
    note(ctx, 1, Name(), "priming failed: using the root hints as they are");
  }
  primed = true;
  priming = false;
  priming_done.cancel();
}

// ---- One question to the servers of one cut ---------------------------------------------------------

namespace {

std::string summarise(const Classified& c) {
  switch (c.kind) {
    case Classification::referral: {
      std::string s = "referral to " + c.child_zone.to_string() + " (" + std::to_string(c.ns_names.size()) + " NS, " +
                      std::to_string(c.glue.size()) + " glue)";
      return s;
    }
    case Classification::answer: return std::to_string(c.records.size()) + " records";
    case Classification::cname: return "chain continues at " + c.next_name.to_string();
    case Classification::lame:
    case Classification::throwaway: return c.reason;
    default: return {};
  }
}

}  // namespace

// NS names whose addresses reached the cache since the cut was made (another resolution looked them
// up) join the servers at no cost. Not a coroutine, like pick_server: its buffers stay on the stack.
void Resolver::Impl::promote_cached(Context& ctx, Cut& cut, int depth) {
  for (std::size_t i = 0; i < cut.unresolved.size();) {
    AddressList addrs;
    addrs.add_cached(cache, cut.unresolved[i]);
    if (addrs.view().empty()) {
      ++i;
      continue;
    }
    add_server_addresses(ctx, cut, cut.unresolved[i], addrs.view(), depth);
    cut.unresolved.erase(cut.unresolved.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

// Not a coroutine: the candidate indexes live on the stack, not in a coroutine frame. A cut holds at
// most kMaxNsPerDelegation * kMaxAddressesPerNs addresses.
std::size_t Resolver::Impl::pick_server(const Cut& cut, int min_tries) {
  std::array<std::uint16_t, kMaxNsPerDelegation * kMaxAddressesPerNs> index;  // only [0, n) is read
  std::size_t n = 0;
  for (std::size_t i = 0; i < cut.servers.size() && i <= UINT16_MAX && n < index.size(); ++i) {
    if (!cut.servers[i].dead && cut.servers[i].tries == min_tries) index[n++] = static_cast<std::uint16_t>(i);
  }
  const auto address_at = [&](std::size_t k) -> const asio::ip::address& { return cut.servers[index[k]].address; };
  return index[servers.select(n, address_at, random)];
}

namespace {

// Tries per address: kTriesPerZoneCut spread over the live addresses (a zone with few servers gets
// more tries each, so loss is survivable), within [kMinTriesPerAddress, kMaxTriesPerAddress].
int tries_per_address(const Cut& cut) {
  int live = 0;
  for (const auto& s : cut.servers) live += s.dead ? 0 : 1;
  return live == 0 ? kMinTriesPerAddress
                   : std::clamp((kTriesPerZoneCut + live - 1) / live, kMinTriesPerAddress, kMaxTriesPerAddress);
}

// The fewest tries among live addresses with tries left; INT_MAX when none is left.
int least_tries(const Cut& cut, int per_address) {
  int min_tries = INT_MAX;
  for (const auto& s : cut.servers) {
    if (!s.dead && s.tries < per_address) min_tries = std::min(min_tries, s.tries);
  }
  return min_tries;
}

// Why the cut failed when no server is left to ask and nothing kept will do.
Fail cut_failure(const Cut& cut) {
  std::string detail = cut.zone.to_string() + ": ";
  Failure kind = Failure::all_servers_failed;
  if (cut.servers.empty()) {
    if (cut.lookup_limit) {
      kind = cut.lookup_limit->kind;
      detail += cut.lookup_limit->detail;
    } else if (cut.refused_by_policy > 0) {
      kind = Failure::no_permitted_servers;
      detail += std::to_string(cut.refused_by_policy) + " addresses refused by policy";
    } else {
      kind = Failure::no_server_addresses;
      detail += std::to_string(cut.ns_count) + " NS names without an address";
    }
  } else {
    for (std::size_t i = 0; i < cut.errors.size() && i < 6; ++i) detail += (i ? "; " : "") + cut.errors[i];
    if (cut.lookup_limit && is_limit(cut.lookup_limit->kind)) kind = cut.lookup_limit->kind;
  }
  return Fail{kind, std::move(detail)};
}

// The trace step of one exchange. Filled only when tracing: a bulk run resolves with the trace off
// and must not pay for names copied and notes formatted that nobody reads.
TraceStep query_step(const Context& ctx, const Cut& cut, const CutServer& server, const Question& asked,
                     const ExchangeResult& x, int depth) {
  if (!ctx.tracing) return TraceStep{};
  TraceStep step = exchange_step(cut.zone, server.ns_name, server.address, asked, x);
  step.depth = depth;
  if (x.tc_seen) step.note = "TC=1, retried over TCP; ";
  if (x.edns_fallback) step.note += "FORMERR/NOTIMP to EDNS, retried without; ";
  return step;
}

}  // namespace

// The state next_cut_step() decides on. `min_tries` from least_tries().
CutState Resolver::Impl::cut_state(const Context& ctx, const Cut& cut, int min_tries, const CutLastResorts& last) {
  CutState st;
  st.nothing_left = min_tries == INT_MAX;
  st.only_retries = min_tries != INT_MAX && min_tries > 0;
  st.only_silent = true;  // every server still to be asked timed out lately
  for (const auto& s : cut.servers) {
    if (!s.dead && s.tries == min_tries && !servers.silent(s.address)) st.only_silent = false;
  }
  st.unresolved_ns = !cut.unresolved.empty();
  st.fallback_pending = !cut.fallback_tried || cut.fallback_looked_up != cut.looked_up.size();
  st.have_empty_reply = last.empty_reply != nullptr;
  st.have_recursive_lame = last.recursive_lame != nullptr;
  st.budget_spent = ctx.queries >= ctx.max_queries;
  return st;
}

ExchangeRequest Resolver::Impl::exchange_request(const Context& ctx, const CutServer& server, const Question& asked) {
  auto timeout = std::max(servers.try_timeout(server.address), ctx.min_try_timeout);
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline - Clock::now());
  ExchangeRequest req;
  req.server = asio::ip::udp::endpoint(server.address, 53);
  req.qname = asked.name;
  req.qtype = asked.type;
  req.rd = false;
  req.timeout = std::max(std::min(timeout, left), std::chrono::milliseconds(1));
  req.deadline = ctx.deadline;
  req.use_0x20 = options.use_0x20;
  req.max_queries = ctx.max_queries - ctx.queries;
  return req;
}

// Carries out reply_step() for an exchange that brought no reply (x.error set).
ReplyStep Resolver::Impl::take_failed_exchange(Context& ctx, Cut& cut, CutServer& server, const ExchangeResult& x,
                                               TraceStep step) {
  const ReplyStep r = reply_step(ReplyFacts{x.error});
  if (r == ReplyStep::retry_later) {
    if (!x.coalesced) servers.record_timeout(server.address);  // one loss, one back-off
  } else if (r == ReplyStep::drop_server) {
    servers.record_failure(server.address);
    server.dead = true;
    server.unreachable = x.error == TransportError::network || x.error == TransportError::unreachable_from_host;
  }
  step.note += x.detail;
  if (r != ReplyStep::out_of_queries) {
    cut.errors.push_back(describe_server(server.ns_name, server.address) + " " + to_string(x.error));
  }
  trace(ctx, std::move(step));
  return r;
}

// Carries out reply_step() for a reply: parse, scrub, classify, trace; the server's state and the
// cut's last resorts. `accepted` is set when the step is ReplyStep::accept. Not a coroutine.
ReplyStep Resolver::Impl::take_reply(Context& ctx, Cut& cut, CutServer& server, const Question& asked,
                                     const ExchangeResult& x, TraceStep step, CutLastResorts& last,
                                     CutReply& accepted) {
  auto view = wire::MessageView::parse(x.reply);
  if (!view) {
    servers.record_failure(server.address);
    server.dead = true;
    step.error = TransportError::malformed;
    if (ctx.tracing) step.note += "unparsable reply: " + wire::to_string(view.error());
    cut.errors.push_back(describe_server(server.ns_name, server.address) + " malformed reply");
    trace(ctx, std::move(step));
    return reply_step(ReplyFacts{TransportError::none, false});
  }
  if (!x.coalesced) servers.record_rtt(server.address, x.rtt);
  ScrubbedReply scrubbed = scrub(*view, asked, cut.zone);
  Classified classified = classify(scrubbed, asked, cut.zone);
  if (ctx.tracing) {
    step.rcode = view->rcode();
    step.flags = view->header().flags();
    step.classification = classified.kind;
    step.scrubbed = scrubbed.dropped;
    step.note += summarise(classified);
    trace(ctx, std::move(step));
  }
  if (classified.recursive_lame && !last.recursive_lame) {
    ScrubbedReply as_authority = scrubbed;
    as_authority.header.ra = false;
    as_authority.header.aa = true;
    Classified c = classify(as_authority, asked, cut.zone);
    if (c.kind != Classification::lame && c.kind != Classification::throwaway) {
      last.recursive_lame =
          std::make_unique<CutReply>(CutReply{std::move(c), std::move(as_authority), server.ns_name, server.address});
    }
  }
  const ReplyStep r = reply_step(ReplyFacts{TransportError::none, true, classified.kind,
                                            scrubbed.answer.empty() && scrubbed.authority.empty()});
  if (r == ReplyStep::keep_as_empty) {
    if (!last.empty_reply)
      last.empty_reply = std::make_unique<CutReply>(CutReply{classified, scrubbed, server.ns_name, server.address});
    server.dead = true;
    cut.errors.push_back(describe_server(server.ns_name, server.address) + " empty reply");
  } else if (r == ReplyStep::drop_lame) {
    servers.record_failure(server.address);
    server.dead = true;
    cut.errors.push_back(describe_server(server.ns_name, server.address) + " " + classified.reason);
  } else {
    accepted = CutReply{std::move(classified), std::move(scrubbed), server.ns_name, server.address};
  }
  return r;
}

// The loop: decide (next_cut_step), act; ask a server, take its reply (reply_step).
asio::awaitable<std::optional<Fail>> Resolver::Impl::query_cut(Context& ctx, Cut& cut, const Question& asked, int depth,
                                                                CutReply& reply) {
  // Tries count per question; `dead` (lame, refused, unreachable) stays for the whole cut. The
  // timeout backoff is per question too: an earlier step's losses say nothing about this cut.
  for (auto& s : cut.servers) s.tries = 0;
  CutLastResorts last;
  for (;;) {
    if (transport.stopped()) co_return Fail{Failure::stopped, "at " + cut.zone.to_string()};
    if (Clock::now() >= ctx.deadline) co_return Fail{Failure::resolution_timeout, cut.zone.to_string()};
    const int per_address = tries_per_address(cut);
    promote_cached(ctx, cut, depth);
    const int min_tries = least_tries(cut, per_address);
    CutState state = cut_state(ctx, cut, min_tries, last);
    CutStep next = next_cut_step(state);
    if (next == CutStep::try_fallback) {
      cut.fallback_tried = true;
      cut.fallback_looked_up = cut.looked_up.size();
      if (add_fallback_servers(ctx, cut, depth)) continue;
      // Nothing added: what is kept, else failure (no new lookup: the unresolved names were looked up).
      state.fallback_pending = state.unresolved_ns = false;
      next = next_cut_step(state);
    }
    switch (next) {
      case CutStep::look_up_ns:
        co_await resolve_ns_addresses(ctx, cut, depth);
        if (ctx.queries >= ctx.max_queries) {
          co_return Fail{Failure::max_queries, "while looking up name server addresses for " + cut.zone.to_string()};
        }
        continue;
      case CutStep::use_empty_reply:
        if (ctx.tracing) note(ctx, depth, cut.zone, "only empty replies: NODATA from the first one");
        reply = std::move(*last.empty_reply);
        co_return std::nullopt;
      case CutStep::use_recursive_lame:
        if (ctx.tracing) note(ctx, depth, cut.zone, "only recursive-lame servers answered: using the first one's reply");
        reply = std::move(*last.recursive_lame);
        co_return std::nullopt;
      case CutStep::give_up: co_return cut_failure(cut);
      case CutStep::out_of_queries: co_return Fail{Failure::max_queries, "at " + cut.zone.to_string()};
      case CutStep::try_fallback:
      case CutStep::ask: break;
    }

    CutServer& server = cut.servers[pick_server(cut, min_tries)];
    ++server.tries;
    const ExchangeResult x = co_await transport.exchange(exchange_request(ctx, server, asked), ctx.replies);
    ctx.queries += x.queries_sent;
    stats.queries_sent += static_cast<std::uint64_t>(x.queries_sent);
    if (x.error == TransportError::stopped) {  // Resolver::stop(): no server is to blame
      trace(ctx, query_step(ctx, cut, server, asked, x, depth));
      co_return Fail{Failure::stopped, "at " + cut.zone.to_string()};
    }
    const ReplyStep r = x.error != TransportError::none
                            ? take_failed_exchange(ctx, cut, server, x, query_step(ctx, cut, server, asked, x, depth))
                            : take_reply(ctx, cut, server, asked, x, query_step(ctx, cut, server, asked, x, depth),
                                         last, reply);
    if (r == ReplyStep::out_of_queries) {
      // A fallback inside the exchange (0x20, EDNS, TC->TCP) would have gone over the budget.
      co_return Fail{Failure::max_queries, "at " + cut.zone.to_string() + " (" + x.detail + ")"};
    }
    if (r == ReplyStep::accept) co_return std::nullopt;
  }
}

// When every address of a cut has failed: the parent side's view of the NS names (Unbound's
// parent-side fallback, iter_pcdiff). A child zone may publish addresses for its name servers that
// differ from the glue its parent holds, and the child's may be the broken ones; so
//  - the glue that the zone above each NS name gave for it (a cached delegation) joins the servers;
//  - an NS name whose every address was unreachable (a network error, not a timeout or a bad reply)
//    is looked up (its A and AAAA), e.g. glue of one address family this host cannot reach
//    (iter_got6only);
//  - an NS name that only the child's own NS RRset lists (cached from its authoritative answers) is
//    looked up and used (iter_pcnamech).
// Only after everything else failed (once, and again after the lookups it caused: at most once per NS
// name), so it costs nothing while the servers answer.
bool Resolver::Impl::add_fallback_servers(Context& ctx, Cut& cut, int depth) {
  const std::size_t before = cut.servers.size() + cut.unresolved.size();
  std::vector<Name> names;
  for (const auto& s : cut.servers) {
    if (std::find(names.begin(), names.end(), s.ns_name) == names.end()) names.push_back(s.ns_name);
  }
  for (const auto& n : cut.looked_up) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  // NS names whose addresses duplicate another name's have no server entry of their own: the cut's
  // delegation names them all (iter_pcnamerec: two names, one broken address between them).
  if (const auto* d = cache.peek_delegation(cut.zone)) {
    for (const auto& s : d->servers) {
      if (std::find(names.begin(), names.end(), s.name) == names.end()) names.push_back(s.name);
    }
  }
  const std::size_t known = names.size();  // names before this are the parent's (or already used)
  // And the names only the child lists in its own NS RRset (iter_pcnamech), cached from the authority
  // section of its authoritative answers: they rank above the parent's referral (RFC 2181 5.4.1).
  if (auto child = cache.rrset(cut.zone, RRType::NS)) {
    for (const Record& r : *child) {
      auto t = r.rdata.target();
      if (t && names.size() < kMaxNsPerDelegation && std::find(names.begin(), names.end(), *t) == names.end()) {
        names.push_back(*t);
      }
    }
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Name& ns = names[i];
    if (ns.is_root()) continue;
    std::vector<asio::ip::address> glue;
    for (Name z = ns.parent();; z = z.parent()) {
      if (const auto* d = cache.peek_delegation(z)) {
        for (const auto& s : d->servers) {
          if (s.name == ns) glue.insert(glue.end(), s.glue.begin(), s.glue.end());
        }
        break;
      }
      if (z.is_root()) break;
    }
    if (!glue.empty()) add_server_addresses(ctx, cut, ns, glue, depth);
    // Looked up: a name only the child lists, or one whose every address was unreachable. Not a name
    // that has no server entry here: one without addresses, or whose addresses the policy refused
    // (make_cut already made the latter glueless when it lies outside the cut's zone).
    bool has_server = false, unreachable = true;
    for (const auto& s : cut.servers) {
      if (!(s.ns_name == ns)) continue;
      has_server = true;
      unreachable = unreachable && s.unreachable;
    }
    if (((has_server && unreachable) || i >= known) &&
        std::find(cut.looked_up.begin(), cut.looked_up.end(), ns) == cut.looked_up.end() &&
        std::find(cut.unresolved.begin(), cut.unresolved.end(), ns) == cut.unresolved.end()) {
      cut.unresolved.push_back(ns);
    }
  }
  const bool added = cut.servers.size() + cut.unresolved.size() > before;
  if (added && ctx.tracing) note(ctx, depth, cut.zone, "every server failed: trying parent-side glue and NS name lookups");
  return added;
}

asio::awaitable<void> Resolver::Impl::resolve_ns_addresses(Context& ctx, Cut& cut, int depth) {
  const Name ns = cut.unresolved.front();
  cut.unresolved.erase(cut.unresolved.begin());
  cut.looked_up.push_back(ns);
  if (depth + 1 > kMaxDependencyDepth) {
    cut.lookup_limit = Fail{Failure::max_dependency_depth, "NS " + ns.to_string() + " needs a lookup nested too deep"};
    note(ctx, depth, cut.zone, "not looking up " + ns.to_string() + ": " + to_string(Failure::max_dependency_depth));
    co_return;
  }
  if (ctx.failed_glueless >= kMaxFailedGluelessLookups) {
    cut.lookup_limit = Fail{Failure::max_failed_glueless, "NS " + ns.to_string() + " not looked up"};
    note(ctx, depth, cut.zone, "not looking up " + ns.to_string() + ": " + to_string(Failure::max_failed_glueless));
    co_return;
  }
  if (ctx.tracing) note(ctx, depth, cut.zone, "looking up the address of NS " + ns.to_string(), StepKind::subresolution);
  std::vector<asio::ip::address> addrs;
  std::optional<Fail> failure;
  for (const RRType type : {RRType::A, RRType::AAAA}) {
    // The Question is built outside the co_await: GCC 12 would destroy it twice (docs/DESIGN.md).
    auto resolving = resolve_in(ctx, Question{ns, type, wire::RRClass::IN}, depth + 1);
    QuestionResult r = co_await std::move(resolving);
    for (const Record& rec : r.answer) {
      if (rec.type != type) continue;
      if (auto a = rec.rdata.as_a()) addrs.emplace_back(asio::ip::address_v4(*a));
      if (auto a6 = rec.rdata.as_aaaa()) addrs.emplace_back(asio::ip::address_v6(*a6));
    }
    if (r.fail) failure = r.fail;
    // IPv4 first; AAAA only when there is no A (saves a query per NS name in the common case), and
    // not after a cycle or a limit: the AAAA lookup would meet the same wall.
    if (!addrs.empty()) break;
    if (r.fail && (r.fail->kind == Failure::dependency_cycle || is_limit(r.fail->kind))) break;
  }
  if (addrs.empty()) {
    ++ctx.failed_glueless;
    if (failure && (failure->kind == Failure::dependency_cycle || is_limit(failure->kind))) {
      cut.lookup_limit = Fail{failure->kind, "NS " + ns.to_string() + ": " + failure->detail};
    }
    cut.errors.push_back("NS " + ns.to_string() + " has no address" +
                         (failure ? std::string(" (") + to_string(failure->kind) + ")" : std::string()));
    co_return;
  }
  add_server_addresses(ctx, cut, ns, addrs, depth);
}

// ---- Walking down the tree --------------------------------------------------------------------------

// Releases the waiters of a walk step however query_cut ends (a waiter left behind would wait forever).
struct Resolver::Impl::StepRelease {
  Impl& impl;
  const Name& key;
  bool owns;
  ~StepRelease() {
    if (!owns) return;
    const auto it = impl.inflight_steps.find(key);
    if (it == impl.inflight_steps.end()) return;
    std::shared_ptr<InflightStep> waiters = std::move(it->second);
    impl.inflight_steps.erase(it);
    if (waiters) waiters->done.cancel();
  }
};

// Waits for the walk that owns a step (its slot in inflight_steps). False: this walk's deadline came first.
asio::awaitable<bool> Resolver::Impl::wait_for_step(Context& ctx, std::shared_ptr<InflightStep>& slot) {
  // The first waiter creates what the owner signals (most steps have no waiter).
  if (!slot) slot = std::make_shared<InflightStep>(executor);
  std::shared_ptr<InflightStep> other = slot;
  // The owner runs against its own deadline; a walk that joined late waits no longer than its
  // own (issue 18: 18 of 20 joiners ran 17 s).
  asio::steady_timer limit(executor, ctx.deadline);
  auto woke = co_await (other->done.async_wait(as_tuple(use_awaitable)) || limit.async_wait(as_tuple(use_awaitable)));
  co_return woke.index() == 0;
}

// The referral's delegation, cached, as the next cut.
Cut Resolver::Impl::follow_referral(Context& ctx, const Cut& from, const Classified& c, int depth) {
  CachedDelegation d;
  d.zone = c.child_zone;
  d.parent = from.zone;
  for (const Name& ns : c.ns_names) {
    CachedDelegation::Server s{ns, {}};
    for (const Glue& g : c.glue) {
      if (g.name == ns) s.glue.push_back(g.address);
    }
    d.servers.push_back(std::move(s));
  }
  // A delegation learnt through a cached one lives no longer than it (Unbound's fix for the ghost
  // domain names, CVE-2022-30698): once the parent's delegation expires, the parent is asked again
  // and a zone it has removed takes its children with it (iter_ghost_ns_childapex).
  std::uint32_t ttl = c.ns_ttl;
  std::uint32_t parent_left = 0;
  if (cache.peek_delegation(from.zone, &parent_left) != nullptr) ttl = std::min(ttl, std::max(parent_left, 1u));
  cache.store_delegation(d, ttl);
  store_referral_ds(c);
  return make_cut(ctx, d, depth);
}

// A signed referral's DS RRset and its RRSIGs, cached as the parent's answer to "<child> DS" (RFC 4035
// §3.1.4: the parent sends them with the delegation): the validator's DS step then reads them from the
// cache instead of asking the parent again. They are validated there with the parent's keys like a fetched
// DS, so a forged one can only make the child bogus, as a forged answer to the DS question could.
//
// A referral without DS gives instead the NSEC/NSEC3 records proving the child has none (Classified::
// child_no_ds): cached as the parent's NODATA for "<child> DS", without SOA (a referral has none), for the
// smallest TTL of the records (an NSEC's TTL is the zone's negative TTL, RFC 4034 §4, RFC 5155 §3). The
// validator proves it with the parent's keys: an unsigned or insufficient proof leaves the child bogus under
// a signed parent (it would be bogus if the parent answered the DS question with it, too).
void Resolver::Impl::store_referral_ds(const Classified& c) {
  if (!options.validate) return;
  if (c.child_ds.empty()) {
    const bool signed_proof = std::any_of(c.child_no_ds.begin(), c.child_no_ds.end(),
                                          [](const Record& r) { return r.type == RRType::RRSIG; });
    if (!signed_proof) return;  // nothing to prove with: the validator asks the parent
    std::uint32_t ttl = c.ns_ttl;
    for (const Record& r : c.child_no_ds) ttl = std::min(ttl, r.ttl);
    cache.store_nodata(c.child_zone, RRType::DS, std::nullopt, ttl, c.child_no_ds);
    return;
  }
  std::vector<Record> ds, sigs;
  for (const Record& r : c.child_ds) (r.type == RRType::DS ? ds : sigs).push_back(r);
  if (ds.empty() || sigs.empty()) return;  // an unsigned DS proves nothing: the validator asks for it
  cache.store_rrset(std::move(ds));
  cache.store_signatures(sigs);
}

// The zone's own NS RRset, from the authority section of its authoritative answer: the servers the
// child lists may differ from the parent's referral (used when the referral's servers fail).
void Resolver::Impl::store_child_ns(const ScrubbedReply& reply, const Name& zone) {
  if (!reply.header.aa) return;
  std::vector<Record> child_ns;
  for (const Record& r : reply.authority) {
    if (r.type == RRType::NS && r.owner == zone && child_ns.size() < kMaxNsPerDelegation) child_ns.push_back(r);
  }
  if (!child_ns.empty()) cache.store_rrset(std::move(child_ns));
}

namespace {

// A DS question the parent's servers refer to the child (a server without DNSSEC): no DS there, and no proof
// of it (RFC 4035 §3.1.4.1 wants the parent to answer). Read as NODATA without an SOA.
Classified ds_referral_as_nodata() {
  Classified c;
  c.kind = Classification::nodata;
  c.reason = "DS question referred to the child";
  return c;
}

}  // namespace

// After waiting for another walk's step: the closer cut it cached, when there is one, becomes this walk's.
// Not a coroutine: the Cut it looks up stays out of walk()'s frame.
bool Resolver::Impl::take_closer_cut(Context& ctx, Walk& w, const Name& cut_name, int depth) {
  Cut closer = closest_cut(ctx, cut_name, depth);
  if (closer.zone.label_count() <= w.cut.zone.label_count()) return false;
  w.cut = std::move(closer);
  w.via_referral = true;
  return true;
}

asio::awaitable<void> Resolver::Impl::walk(Context& ctx, Question q, int depth, Walk& w) {
  // DS lives at the parent side of a cut (RFC 4035 §3.1.4.1, §4.2): start at the closest cut above the name.
  const bool parent_side = q.type == RRType::DS && !q.name.is_root();
  const Name cut_name = parent_side ? q.name.parent() : q.name;
  w.cut = closest_cut(ctx, cut_name, depth);
  int referrals = 0;
  // RFC 9156: ask the cut's servers about one more label than the cut has, as type A, until the
  // answer is not a referral; then ask the full question.
  std::size_t qmin_labels = w.cut.zone.label_count() + 1;
  for (;;) {
    Question asked = q;
    const bool minimised = options.qname_minimisation && q.name.label_count() > qmin_labels;
    if (minimised) asked = Question{q.name.suffix(qmin_labels), RRType::A, wire::RRClass::IN};
    // Step coalescing: when the name lies strictly below the child candidate, this step can only be a
    // referral to it (or a negative answer); if another walk is asking this cut about the same child,
    // wait for it and continue from the cache. Only top-level walks (depth 0) wait or own a step, and
    // an owner releases its step before it could wait again: nobody waits while holding, so no
    // deadlock, whatever cycles the NS graph has.
    Name step_key;
    bool owns_step = false;
    if (depth == 0 && q.name.label_count() > w.cut.zone.label_count() + 1) {
      step_key = q.name.suffix(w.cut.zone.label_count() + 1).lowercased();
      if (auto it = inflight_steps.find(step_key); it != inflight_steps.end()) {
        if (!co_await wait_for_step(ctx, it->second)) {
          w.fail = Fail{Failure::resolution_timeout, "waiting for a shared step at " + w.cut.zone.to_string()};
          co_return;
        }
        if (take_closer_cut(ctx, w, cut_name, depth)) {
          qmin_labels = w.cut.zone.label_count() + 1;
          continue;
        }
      } else {
        inflight_steps.emplace(step_key, nullptr);
        owns_step = true;
      }
    }
    StepRelease release{*this, step_key, owns_step};
    std::optional<Fail> failed = co_await query_cut(ctx, w.cut, asked, depth, w.reply);
    if (failed && minimised && failed->kind == Failure::all_servers_failed) {
      // RFC 9156 §2.3 (and Unbound): servers that refuse or fail the shortened name may still answer
      // the full question; ask it, once, of the same servers.
      if (ctx.tracing) note(ctx, depth, w.cut.zone, "minimised query failed: asking the full question");
      qmin_labels = q.name.label_count();
      for (auto& s : w.cut.servers) s.dead = false;
      w.cut.errors.clear();
      w.cut.fallback_tried = false;
      continue;
    }
    if (failed) {
      w.fail = std::move(failed);
      co_return;
    }
    Classified& c = w.reply.classified;
    if (parent_side && c.kind == Classification::referral && c.child_zone == q.name) c = ds_referral_as_nodata();
    if (c.kind == Classification::referral) {
      if (++referrals > kMaxReferrals) {
        w.fail = Fail{Failure::max_referrals, "at " + c.child_zone.to_string()};
        co_return;
      }
      w.cut = follow_referral(ctx, w.cut, c, depth);
      w.via_referral = true;
      qmin_labels = w.cut.zone.label_count() + 1;
      continue;
    }
    if (minimised) {
      // No zone cut at this label (or a server that answers NXDOMAIN for an empty non-terminal,
      // RFC 9156 §2.3): NXDOMAIN sends the full question, anything else adds one label.
      qmin_labels = c.kind == Classification::nxdomain ? q.name.label_count() : qmin_labels + 1;
      continue;
    }
    store_child_ns(w.reply.scrubbed, w.cut.zone);
    co_return;
  }
}

// ---- Following the chain ----------------------------------------------------------------------------

namespace {

// An RRSIG covering an NSEC or NSEC3 RRset (part of a denial proof, not of the answer).
bool is_denial_rrsig(const Record& r) {
  auto sig = r.rdata.as_rrsig();
  return sig && (sig->type_covered == RRType::NSEC || sig->type_covered == RRType::NSEC3);
}

// A reply's DNSSEC records into the result: RRSIGs of the answer and SOA to `signatures`, NSEC/NSEC3 and
// their RRSIGs to `denial`.
void split_dnssec(std::vector<Record> records, QuestionResult& out) {
  for (Record& r : records) {
    const bool sig = r.type == RRType::RRSIG && !is_denial_rrsig(r);
    (sig ? out.signatures : out.denial).push_back(std::move(r));
  }
}

// How long a negative answer without SOA is cached: RFC 2308's negative TTL needs the SOA, so the smallest
// TTL of its NSEC/NSEC3 records and their RRSIGs, as Unbound caches a reply for the smallest TTL of its
// RRsets (util/data/msgreply.c); 0 (not cached) when it has no NSEC/NSEC3 record.
std::uint32_t proof_ttl(const std::vector<Record>& dnssec) {
  std::optional<std::uint32_t> ttl;
  bool denial = false;
  for (const Record& r : dnssec) {
    const bool record = r.type == RRType::NSEC || r.type == RRType::NSEC3;
    if (!record && !is_denial_rrsig(r)) continue;
    denial = denial || record;
    ttl = std::min(ttl.value_or(r.ttl), r.ttl);
  }
  return denial ? ttl.value_or(0) : 0;
}

}  // namespace

// The cache's answer for `name`: the RRset or a negative entry (true: `out` is final), or a CNAME
// (`next` set, the link counted).
bool Resolver::Impl::answer_from_cache(Context& ctx, const Question& q, const Name& name, int depth, QuestionResult& out,
                                       std::optional<Name>& next, int& links) {
  // The RRSIGs of a cached RRset, and the proof that came with a wildcard answer, are cached beside it.
  auto add_signatures = [&](RRType type) {
    if (auto sigs = cache.signatures(name, type)) out.signatures.insert(out.signatures.end(), sigs->begin(), sigs->end());
    if (auto proof = cache.answer_proof(name, type)) out.denial.insert(out.denial.end(), proof->begin(), proof->end());
  };
  if (auto rr = cache.rrset(name, q.type)) {
    if (ctx.tracing) note(ctx, depth, name, "cache: " + name.to_string() + " " + wire::to_string(q.type), StepKind::cache);
    out.answer.insert(out.answer.end(), rr->begin(), rr->end());
    out.outcome = Outcome::answer;
    add_signatures(q.type);
    return true;
  }
  if (auto neg = cache.negative(name, q.type)) {
    if (ctx.tracing) note(ctx, depth, name, std::string("cache: ") + (neg->nxdomain ? "NXDOMAIN " : "NODATA ") + name.to_string(),
         StepKind::cache);
    out.outcome = neg->nxdomain ? Outcome::nxdomain : Outcome::nodata;
    out.soa = neg->soa;
    split_dnssec(std::move(neg->proof), out);
    return true;
  }
  // Not for DS: it belongs to the parent side of the name, whose CNAME the child's data says nothing of (as
  // Unbound's dns_cache_lookup; val_unsec_cname).
  if (q.type != RRType::CNAME && q.type != RRType::DS) {
    if (auto cn = cache.rrset(name, RRType::CNAME); cn && !cn->empty()) {
      if (ctx.tracing) note(ctx, depth, name, "cache: " + name.to_string() + " CNAME", StepKind::cache);
      out.answer.push_back(cn->front());
      add_signatures(RRType::CNAME);
      if (auto t = cn->front().rdata.target()) next = *t;
      ++links;
    }
  }
  return false;
}

// A walk's final reply for `name`: cached and added to `out` (true: `out` is final), or a chain that
// continues at `next`.
bool Resolver::Impl::take_walk(Classified& c, const Question& q, const Name& name, QuestionResult& out,
                               std::optional<Name>& next, int& links) {
  cache.store_records(c.records);
  Name tail = name;
  for (const Record& r : c.records) {
    if (r.type == RRType::CNAME && r.owner == tail) {
      if (auto t = r.rdata.target()) tail = *t;
    }
  }
  // DNSSEC records: the RRSIGs cached beside their RRsets; a positive answer's NSEC/NSEC3 (a wildcard's
  // proof) beside the final RRset; a negative answer's with its negative entry (below).
  const std::vector<Record> dnssec = c.dnssec;
  const bool negative = c.kind == Classification::nxdomain || c.kind == Classification::nodata;
  if (!negative) {
    cache.store_signatures(c.dnssec);
    std::vector<Record> proof;
    for (const Record& r : c.dnssec) {
      if (r.type != RRType::RRSIG || is_denial_rrsig(r)) proof.push_back(r);
    }
    if (!proof.empty() && c.kind == Classification::answer) cache.store_answer_proof(tail, q.type, proof);
  }
  split_dnssec(std::move(c.dnssec), out);
  std::move(c.records.begin(), c.records.end(), std::back_inserter(out.answer));  // not read again
  c.records.clear();
  links += c.chain_links;
  if (links > kMaxCnameChain) {
    out.fail = Fail{Failure::max_cname_chain, "at " + name.to_string()};
    return true;
  }
  switch (c.kind) {
    case Classification::answer: out.outcome = Outcome::answer; return true;
    case Classification::nxdomain:
    case Classification::nodata:
      out.outcome = c.kind == Classification::nxdomain ? Outcome::nxdomain : Outcome::nodata;
      out.soa = c.soa;
      // RFC 2308 §5: the SOA of a negative answer carries the negative TTL, min(TTL, MINIMUM); without
      // one, the signed proof's TTL (a NODATA or NXDOMAIN that came with its NSEC/NSEC3 only).
      if (out.soa) out.soa->ttl = negative_ttl(*c.soa);
      if (const std::uint32_t ttl = out.soa ? out.soa->ttl : proof_ttl(dnssec); ttl > 0) {
        if (out.outcome == Outcome::nxdomain) {
          cache.store_nxdomain(tail, c.soa, ttl, dnssec);
        } else {
          cache.store_nodata(tail, q.type, c.soa, ttl, dnssec);
        }
      }
      return true;
    case Classification::yxdomain: out.outcome = Outcome::yxdomain; return true;
    case Classification::cname: next = c.next_name; return false;
    default:
      out.fail = Fail{Failure::all_servers_failed, "unexpected classification"};
      return true;
  }
}

asio::awaitable<QuestionResult> Resolver::Impl::resolve_in(Context& ctx, Question q, int depth) {
  QuestionResult out;
  if (depth > kMaxDependencyDepth) {
    out.fail = Fail{Failure::max_dependency_depth, q.name.to_string()};
    co_return out;
  }
  if (std::find(ctx.stack.begin(), ctx.stack.end(), q) != ctx.stack.end()) {
    out.fail = Fail{Failure::dependency_cycle, q.name.to_string() + " " + wire::to_string(q.type) +
                                                   " is needed to resolve itself"};
    note(ctx, depth, Name(), out.fail->detail);
    co_return out;
  }
  ctx.stack.push_back(q);
  struct Pop {
    Context& c;
    ~Pop() { c.stack.pop_back(); }
  } pop{ctx};

  Name name = q.name;
  std::vector<Name> visited{name};
  int links = 0;
  for (;;) {
    std::optional<Name> next;
    if (answer_from_cache(ctx, q, name, depth, out, next, links)) co_return out;
    if (!next) {
      Walk w;
      // The Question is built outside the co_await: GCC 12 would destroy it twice (docs/DESIGN.md).
      auto walking = walk(ctx, Question{name, q.type, q.cls}, depth, w);
      co_await std::move(walking);
      if (w.fail) {
        out.fail = std::move(w.fail);
        co_return out;
      }
      if (take_walk(w.reply.classified, q, name, out, next, links)) co_return out;
    }
    if (links > kMaxCnameChain) {
      out.fail = Fail{Failure::max_cname_chain, "at " + next->to_string()};
      co_return out;
    }
    if (std::find(visited.begin(), visited.end(), *next) != visited.end()) {
      out.fail = Fail{Failure::cname_loop, next->to_string() + " seen twice"};
      co_return out;
    }
    visited.push_back(*next);
    name = *next;
  }
}

// ---- Top level --------------------------------------------------------------------------------------

asio::awaitable<void> Resolver::Impl::resolve_into(Resolution& res, Name name, RRType type, int max_queries,
                                                   std::shared_ptr<SharedReplies> replies, bool validate) {
  ++stats.resolutions;
  Context ctx;
  ctx.tracing = options.trace;
  ctx.replies = replies.get();  // `replies` (this frame's) keeps it alive until the resolution ends
  ctx.max_queries = std::min(max_queries, kMaxQueriesPerResolution);
  res.question = Question{name, type, wire::RRClass::IN};
  const auto t = static_cast<std::uint16_t>(type);
  // OPT, and the transfer / meta types (RFC 6895 §3.1: 128-255 are QTYPEs only; ANY we do ask).
  if (type == RRType::OPT || t == 0 || (t >= 128 && t <= 254)) {
    res.failure = Failure::bad_question;
    res.failure_detail = wire::to_string(type);
    co_return;
  }
  if (needs_priming()) co_await prime(ctx);
  QuestionResult r = co_await resolve_in(ctx, res.question, 0);
  if (validate && !anchors.empty() && !r.fail) {
    const auto now = options.validation_time ? *options.validation_time : static_cast<std::uint32_t>(std::time(nullptr));
    Validator validator(*this, ctx, now);
    res.validation = co_await validator.validate(res.question, r);
    if (validator.nxdomain_is_nodata() && r.outcome == Outcome::nxdomain) r.outcome = Outcome::nodata;
  }
  res.signatures = std::move(r.signatures);
  res.denial = std::move(r.denial);
  res.outcome = r.fail ? Outcome::failed : r.outcome;
  switch (res.outcome) {
    case Outcome::answer:
    case Outcome::nodata: res.rcode = wire::Rcode::NoError; break;
    case Outcome::nxdomain: res.rcode = wire::Rcode::NXDomain; break;
    case Outcome::yxdomain: res.rcode = wire::Rcode::YXDomain; break;
    case Outcome::failed: res.rcode = wire::Rcode::ServFail; break;
  }
  res.answer = std::move(r.answer);
  res.negative_soa = std::move(r.soa);
  if (r.fail) {
    res.failure = r.fail->kind;
    res.failure_detail = std::move(r.fail->detail);
  }
  res.refused_addresses = std::move(ctx.refused);
  res.queries = ctx.queries;
  res.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - ctx.start);
  res.trace = std::move(ctx.trace);
}

asio::awaitable<Resolution> Resolver::Impl::resolve(Name name, RRType type, int max_queries,
                                                    std::shared_ptr<SharedReplies> replies, bool validate) {
  Resolution res;
  co_await resolve_into(res, std::move(name), type, max_queries, std::move(replies), validate);
  co_return res;
}

// ---- Public face ------------------------------------------------------------------------------------

Resolver::Resolver(asio::any_io_executor executor, Options options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(options))) {}

Resolver::~Resolver() = default;

asio::awaitable<Resolution> Resolver::resolve(const Name& name, RRType type, std::shared_ptr<SharedReplies> replies) {
  return impl_->resolve(name, type, kMaxQueriesPerResolution, std::move(replies));
}

asio::awaitable<void> Resolver::resolve_into(Resolution& out, const Name& name, RRType type,
                                             std::shared_ptr<SharedReplies> replies) {
  return impl_->resolve_into(out, name, type, kMaxQueriesPerResolution, std::move(replies));
}

asio::awaitable<ZoneProbe> Resolver::probe(const Name& name, std::vector<Question> questions,
                                           std::shared_ptr<ProbeBudget> budget, std::shared_ptr<SharedReplies> replies) {
  return impl_->probe(name, std::move(questions), std::move(budget), std::move(replies));
}

void Resolver::stop() { impl_->transport.stop(); }

bool Resolver::stopped() const { return impl_->transport.stopped(); }

ResolverStats Resolver::stats() const {
  ResolverStats s = impl_->stats;
  s.transport = impl_->transport.stats();
  s.cache = impl_->cache.stats();
  return s;
}

const Options& Resolver::options() const { return impl_->options; }

std::optional<Resolver::TrustedKeys> Resolver::trusted_keys(const wire::Name& zone) const {
  const ZoneKeys* keys = impl_->keys.find(zone);
  if (keys == nullptr) return std::nullopt;
  TrustedKeys out;
  out.validation = keys->validation;
  dnssec::append_records(keys->dnskeys, out.dnskeys);
  return out;
}

Cache& Resolver::cache() { return impl_->cache; }

}  // namespace dkimdoctor::resolver
