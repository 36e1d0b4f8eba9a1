// The authority probe: the SES troubleshooting procedure ("find the name servers, then query each
// one") done automatically. Walk to the zone that holds the name, collect its NS set as the parent
// gives it and as the zone itself serves it, resolve every NS name to every address, then ask every
// permitted address every question directly (RD=0), concurrently, and report each reply as it was
// (unscrubbed: the point is to see what each server says, nothing of it is cached).
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <algorithm>
#include <memory>

#include "resolver/gather.hpp"
#include "resolver/engine.hpp"
#include "resolver/limits.hpp"
#include "resolver/resolver.hpp"

namespace dkimdoctor::resolver {

using asio::use_awaitable;
using asio::experimental::as_tuple;
using wire::Name;
using wire::Question;
using wire::Record;
using wire::RRType;

const char* to_string(ProbeError e) {
  switch (e) {
    case ProbeError::none: return "none";
    case ProbeError::timeout: return "timeout";
    case ProbeError::refused: return "refused";
    case ProbeError::network: return "network error";
    case ProbeError::malformed: return "malformed";
    case ProbeError::policy: return "refused by address policy";
    case ProbeError::unreachable_from_host: return "not reachable from this host";
    case ProbeError::budget: return "not asked: the check's probe query budget is spent";
    case ProbeError::stopped: return "not asked: the check was stopped";
  }
  return "unknown";
}

namespace {

// A try, then one retry after a timeout (loss). An address whose last try timed out less than
// kSilentServerHoldoff ago (ServerStats::silent: this check's resolutions or probes, or another check's,
// found it silent) gets the first try only: a dead server then costs a check 1 s instead of 3 s, and the
// finding is the same timeout. The price: a server that was silent a moment ago and now answers, but
// whose one reply is lost (or comes after 1 s), is reported as timing out where the retry would have
// heard it. Unbound's infra cache likewise sends a host it holds for dead one probe, not full retries.
// The retries go out in a second round (ask_address), once every first try to the address has its
// outcome, and not at all when at least kSilentServerEvidence first tries all timed out: a dead server
// met before anything held it silent then costs a check 2 s (the first tries, then the questions that
// waited for the SOA or TXT reply), not 4 s.
constexpr std::chrono::milliseconds kProbeTimeouts[] = {std::chrono::milliseconds(1000),
                                                        std::chrono::milliseconds(2000)};

// Queries one exchange may send (the query and one fallback: 0x20, EDNS or TCP after TC=1), reserved
// from the check's budget before it starts so that concurrent asks never overspend it together;
// what it does not use goes back. (Reserving all four a chain of fallbacks could take starved the
// asks of a busy check while most of the budget stayed unused.)
constexpr int kQueriesPerExchange = 2;

ProbeError probe_error(TransportError e) {
  switch (e) {
    case TransportError::none: return ProbeError::none;
    case TransportError::timeout: return ProbeError::timeout;
    case TransportError::malformed:
    case TransportError::case_mismatch: return ProbeError::malformed;
    case TransportError::unreachable_from_host: return ProbeError::unreachable_from_host;
    case TransportError::stopped: return ProbeError::stopped;
    case TransportError::budget: return ProbeError::budget;
    default: return ProbeError::network;
  }
}

// The response and trace step of one exchange, before its reply is read.
void record_exchange(ProbeAsked& a, const Name& zone, const ExchangeResult& x) {
  ServerResponse& r = a.response;
  r.protocol = x.protocol;
  r.tc = x.tc_seen;
  r.rtt = x.rtt;
  r.error_detail = x.detail;
  r.error = probe_error(x.error);
  a.step = exchange_step(zone, r.ns_name, r.address, r.question, x);
}

// The reply as it was (unscrubbed): rcode, AA, answer and authority.
void read_probe_reply(ProbeAsked& a, const std::vector<std::uint8_t>& reply) {
  ServerResponse& r = a.response;
  TraceStep& s = a.step;
  auto view = wire::MessageView::parse(reply);
  if (!view) {
    r.error = ProbeError::malformed;
    r.error_detail = wire::to_string(view.error());
    s.error = TransportError::malformed;
    s.note = r.error_detail;
    return;
  }
  r.rcode = view->rcode();
  r.aa = view->header().aa;
  s.rcode = r.rcode;
  s.flags = view->header().flags();
  if (r.rcode == wire::Rcode::Refused) r.error = ProbeError::refused;
  // The DNSSEC records (the query set DO) go to `dnssec`: answer and authority hold what they held before.
  for (const auto& rv : view->answers()) (is_dnssec_type(rv.type()) ? r.dnssec : r.answer).push_back(rv.to_record());
  for (const auto& rv : view->authority()) (is_dnssec_type(rv.type()) ? r.dnssec : r.authority).push_back(rv.to_record());
  // An RRSIG of an answer RRset put in the additional section is that RRset's, as the resolver's scrubber
  // (and Unbound's parser) take it: a check judging this server's copy must see every signature it sent.
  for (const auto& rv : view->additional()) {
    const auto covered = rrsig_covered(rv);
    if (!covered) continue;
    const Name owner = rv.owner();
    const bool covers = std::any_of(r.answer.begin(), r.answer.end(),
                                    [&](const wire::Record& a) { return a.owner == owner && a.type == *covered; });
    if (!covers) continue;
    wire::Record sig = rv.to_record();
    if (sig.rdata.as_rrsig() && std::find(r.dnssec.begin(), r.dnssec.end(), sig) == r.dnssec.end())
      r.dnssec.push_back(std::move(sig));
  }
  s.note = std::to_string(r.answer.size()) + " answer, " + std::to_string(r.authority.size()) + " authority" +
           (r.aa ? ", AA" : "");
}

// What one question brought from one address: the last exchange and the queries of every try.
struct AskResult {
  ExchangeResult x;
  int queries = 0;
};

// Tries [first_try, end_try) of kProbeTimeouts of one question (`req`, its timeout and budget set per try)
// at one address. `replies`: the check's shared replies (may be null), owned by the probe that awaits this
// ask. `servers`: the resolver's per-address statistics; a timeout here is recorded there (once per query
// sent, as query_cut does), and an answer from an address held silent clears it. A retry (first_try > 0)
// the budget cannot pay for comes back as TransportError::budget, and the caller keeps the first try's
// timeout. The result goes to `out`, a slot of the round that outlives this ask (ask_address awaits every
// ask of the round); the reply is read after the round (probe_asked): this coroutine's frame holds only
// the request and the exchange, not the ProbeAsked with its names.
asio::awaitable<void> ask_server(Transport& transport, ResolverStats& stats, ServerStats& servers,
                                 ExchangeRequest req, std::size_t first_try, std::size_t end_try,
                                 std::shared_ptr<ProbeBudget> budget, SharedReplies* replies, AskResult& out) {
  out.x.error = TransportError::budget;
  const asio::ip::address address = req.server.address();
  for (std::size_t t = first_try; t < end_try; ++t) {
    const int reserved = std::min(kQueriesPerExchange, budget->queries_left);
    if (reserved == 0) break;  // the first try: TransportError::budget; a retry: the timeout stays
    budget->queries_left -= reserved;
    req.timeout = kProbeTimeouts[t];
    req.max_queries = reserved;
    out.x = co_await transport.exchange(req, replies);
    const ExchangeResult& x = out.x;
    budget->queries_left += reserved - x.queries_sent;
    out.queries += x.queries_sent;
    stats.queries_sent += static_cast<std::uint64_t>(x.queries_sent);
    if (!x.coalesced && x.queries_sent > 0) {
      if (x.error == TransportError::timeout) servers.record_timeout(address);
      else if (x.error == TransportError::none && servers.silent(address)) servers.record_rtt(address, x.rtt);
    }
    if (x.error != TransportError::timeout) break;  // one retry after a timeout (loss)
  }
  if (out.x.error == TransportError::budget && first_try == 0) ++budget->questions_not_asked;
}

// What the probe asks one address: the zone's SOA and NS, then the check's questions. Taken by value by
// ask_address (a coroutine): the frame owns it.
struct AddressAsks {
  Name zone;
  Name ns_name;
  asio::ip::address address;
  std::vector<Question> questions;
  std::shared_ptr<ProbeBudget> budget;
  SharedReplies* replies = nullptr;
  bool use_0x20 = true;
};

// The request for question `q` at the address of `w` (ask_server sets each try's timeout and budget).
ExchangeRequest probe_request(const AddressAsks& w, const Question& q) {
  ExchangeRequest req;
  req.server = asio::ip::udp::endpoint(w.address, 53);
  req.qname = q.name;
  req.qtype = q.type;
  req.rd = false;
  req.use_0x20 = w.use_0x20;
  return req;
}

// The response and trace step of question `q` at the address of `w`, from what ask_server brought.
ProbeAsked probe_asked(const AddressAsks& w, const Question& q, const AskResult& got) {
  ProbeAsked a;
  a.response.ns_name = w.ns_name;
  a.response.address = w.address;
  a.response.question = q;
  a.queries = got.queries;
  record_exchange(a, w.zone, got.x);
  if (got.x.error == TransportError::none) read_probe_reply(a, got.x.reply);
  return a;
}

// A question answered from another reply of the same server, without a query: the reply as it was, with
// `question` and a trace step that says where it came from.
ProbeAsked answered_from(const ProbeAsked& from, const Question& question, const char* why) {
  ProbeAsked a = from;
  a.queries = 0;
  a.response.question = question;
  a.step.question = question;
  a.step.coalesced = true;
  a.step.note = std::string("not asked: ") + why;
  return a;
}

bool plain_reply(const ServerResponse& r) {
  return r.error == ProbeError::none && r.aa && !r.tc && r.protocol == Protocol::udp && r.rcode;
}

// The zone's NS question, answered from the server's SOA reply when that reply carries the zone's NS
// RRset in its authority section (NSD's do, as do the answers in RFC 1034 §6.2's examples): the same RRset
// of the same server's copy of the zone, so asking again would give the same records. Minimal responses:
// nullopt, and the NS question is asked.
std::optional<ProbeAsked> ns_from_soa(const ProbeAsked& soa, const Name& zone) {
  const ServerResponse& r = soa.response;
  if (!plain_reply(r) || *r.rcode != wire::Rcode::NoError) return std::nullopt;
  const bool has_soa = std::any_of(r.answer.begin(), r.answer.end(),
                                   [&](const Record& x) { return x.type == RRType::SOA && x.owner == zone; });
  std::vector<Record> ns;
  for (const Record& x : r.authority)
    if (x.type == RRType::NS && x.owner == zone) ns.push_back(x);
  if (!has_soa || ns.empty()) return std::nullopt;
  ProbeAsked a = answered_from(soa, Question{zone, RRType::NS, wire::RRClass::IN},
                               "the zone's NS RRset from this server's SOA reply (authority section)");
  a.response.answer = std::move(ns);
  a.response.authority.clear();
  std::erase_if(a.response.dnssec, [&](const Record& x) {
    auto sig = x.rdata.as_rrsig();
    return !sig || sig->type_covered != RRType::NS || !(x.owner == zone);
  });
  a.step.note += ", " + std::to_string(a.response.answer.size()) + " answer, AA";
  return a;
}

// A CNAME question answered from the same server's TXT reply at the same name (RFC 1034 §4.3.2 step 3a: a
// server that holds a CNAME there answers any other type with it): a reply holding exactly the name's
// CNAME (its target outside what the server chased), or a negative reply (NODATA, NXDOMAIN: there is
// no CNAME either, or it would have been given), is what the CNAME question would get. Anything else
// (TXT data there: maybe a CNAME beside it; a chased chain; an error, no AA, TC) -> nullopt: asked.
std::optional<ProbeAsked> cname_from_txt(const ProbeAsked& txt, const Question& cname) {
  const ServerResponse& r = txt.response;
  if (!plain_reply(r)) return std::nullopt;
  if (r.answer.empty()) {
    if (*r.rcode != wire::Rcode::NoError && *r.rcode != wire::Rcode::NXDomain) return std::nullopt;
    return answered_from(txt, cname, "the answer to its TXT question at this name (no CNAME there)");
  }
  if (*r.rcode != wire::Rcode::NoError || r.answer.size() != 1) return std::nullopt;
  const Record& only = r.answer.front();
  if (only.type != RRType::CNAME || !(only.owner == cname.name)) return std::nullopt;
  return answered_from(txt, cname, "the CNAME its TXT reply at this name gave");
}

// The index in `questions` of a TXT question at `q`'s name when `q` is a CNAME question, else -1.
int txt_sibling(const std::vector<Question>& questions, const Question& q) {
  if (q.type != RRType::CNAME) return -1;
  for (std::size_t i = 0; i < questions.size(); ++i)
    if (questions[i].type == RRType::TXT && questions[i].name == q.name) return static_cast<int>(i);
  return -1;
}

// A question answered from another reply of the same server (the SOA's for the zone's NS, ns_from_soa;
// the TXT's for a CNAME, cname_from_txt) into `into`. False: that reply does not decide it, ask it. A plain
// function: the ProbeAsked it builds stays out of ask_address's coroutine frame.
bool derive(ProbeAsked& into, const ProbeAsked& base, bool ns_of_zone, const Question& q, const Name& zone) {
  auto derived = ns_of_zone ? ns_from_soa(base, zone) : cname_from_txt(base, q);
  if (!derived) return false;
  into = std::move(*derived);
  return true;
}

// Whether an address's first round shows it silent: at least kSilentServerEvidence first tries, every one
// timed out. Then its timed-out questions get no retry (loss would not take them all).
bool silent_in_first_round(const std::vector<ProbeAsked>& out, const std::vector<int>& from) {
  std::size_t tries = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (from[i] >= 0) continue;
    if (out[i].response.error != ProbeError::timeout) return false;
    ++tries;
  }
  return tries >= kSilentServerEvidence;
}

// One ask of a round: question `question` of ask_address's list, tries [first_try, end_try).
struct Ask {
  std::size_t question;
  std::size_t first_try;
  std::size_t end_try;
};

// The round's asks as tasks, each writing into its slot of `got` (sized to `which`, not resized while they
// run): spawned as they are by gather(), with no frame around each to carry a result.
std::vector<asio::awaitable<void>> ask_tasks(Transport& transport, ResolverStats& stats, ServerStats& servers,
                                             const AddressAsks& w, const std::vector<Question>& all,
                                             const std::vector<Ask>& which, std::vector<AskResult>& got) {
  std::vector<asio::awaitable<void>> asks;
  asks.reserve(which.size());
  for (std::size_t k = 0; k < which.size(); ++k) {
    asks.push_back(ask_server(transport, stats, servers, probe_request(w, all[which[k].question]), which[k].first_try,
                              which[k].end_try, w.budget, w.replies, got[k]));
  }
  return asks;
}

// Every question for one address, in the order read_answers reads them: SOA, NS, then `questions`. A
// question another reply of this server already answers (ns_from_soa, cname_from_txt) is not sent. Round
// 1 sends the first try of every other question; round 2 the retry of each that timed out (none when the
// address proved silent) and each question whose reply is final and did not decide it; round 3 each
// question whose reply was retried and did not decide it. Those asks get a try and a retry, one try once
// the address is held silent.
asio::awaitable<std::vector<ProbeAsked>> ask_address(Transport& transport, ResolverStats& stats, ServerStats& servers,
                                                     AddressAsks w) {
  std::vector<Question> all{Question{w.zone, RRType::SOA, wire::RRClass::IN},
                            Question{w.zone, RRType::NS, wire::RRClass::IN}};
  all.insert(all.end(), w.questions.begin(), w.questions.end());
  // from[i]: the index of the reply question i may be answered from (-1: asked at once). An address held
  // silent gets every question at once, each once: waiting for a reply that will most likely time out
  // before asking the rest would add a timeout to the check.
  std::vector<int> from(all.size(), -1);
  const bool held_silent = servers.silent(w.address);
  if (!held_silent) {
    from[1] = 0;
    for (std::size_t i = 2; i < all.size(); ++i)
      if (const int t = txt_sibling(w.questions, all[i]); t >= 0) from[i] = t + 2;
  }
  auto ex = co_await asio::this_coro::executor;
  std::vector<ProbeAsked> out(all.size());
  std::vector<bool> retried(all.size(), false);
  for (int round = 1; round <= 3; ++round) {
    if (round == 2) {
      const bool retry = !held_silent && !silent_in_first_round(out, from);
      for (std::size_t i = 0; i < all.size(); ++i)
        retried[i] = retry && from[i] < 0 && out[i].response.error == ProbeError::timeout;
    }
    std::vector<Ask> which;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (from[i] < 0) {
        if (round == 1) which.push_back(Ask{i, 0, 1});
        if (round == 2 && retried[i]) which.push_back(Ask{i, 1, std::size(kProbeTimeouts)});
        continue;
      }
      const auto base = static_cast<std::size_t>(from[i]);
      if (round == 1 || (round == 3) != retried[base]) continue;
      if (!derive(out[i], out[base], i == 1, all[i], w.zone))
        which.push_back(Ask{i, 0, servers.silent(w.address) ? 1 : std::size(kProbeTimeouts)});
    }
    std::vector<AskResult> got(which.size());
    co_await gather(ex, ask_tasks(transport, stats, servers, w, all, which, got));
    for (std::size_t k = 0; k < which.size(); ++k) {
      ProbeAsked& into = out[which[k].question];
      if (round == 2 && retried[which[k].question]) {
        if (got[k].x.error == TransportError::budget) continue;  // not paid for: the timeout stays
        got[k].queries += into.queries;
      }
      into = probe_asked(w, all[which[k].question], got[k]);
    }
  }
  co_return out;
}

void add_unique(std::vector<Name>& v, const Name& n) {
  if (std::find(v.begin(), v.end(), n) == v.end()) v.push_back(n);
}

void add_address(ProbedNameServer& server, const AddressPolicy& policy, const asio::ip::address& a, bool glue) {
  auto it = std::find_if(server.addresses.begin(), server.addresses.end(),
                         [&](const NsAddress& n) { return n.address == a; });
  if (it == server.addresses.end()) {
    if (server.addresses.size() >= kMaxAddressesPerNs) return;
    NsAddress n;
    n.address = a;
    n.address_class = classify_address(a);
    n.permitted = policy.permits(a);
    server.addresses.push_back(n);
    it = server.addresses.end() - 1;
  }
  (glue ? it->from_glue : it->from_resolution) = true;
}

// The serials and the zone's own NS set from the answers (SOA, NS, then the questions, per address).
void read_answers(ZoneProbe& p, const std::vector<ProbeAsked>& answers, std::size_t questions) {
  for (std::size_t i = 0; i < answers.size(); i += 2 + questions) {
    const ProbeAsked& soa = answers[i];
    const ProbeAsked& ns = answers[i + 1];
    ServerSerial serial{soa.response.ns_name, soa.response.address, std::nullopt, {}};
    for (const Record& r : soa.response.answer) {
      if (r.type == RRType::SOA && r.owner == p.zone) {
        if (auto f = r.rdata.as_soa()) serial.serial = f->serial;
      }
    }
    if (!serial.serial) {
      serial.error = soa.response.error != ProbeError::none ? to_string(soa.response.error)
                     : soa.response.rcode ? "no SOA (" + wire::to_string(*soa.response.rcode) + ")"
                                          : "no SOA";
    }
    p.serials.push_back(std::move(serial));
    if (ns.response.aa) {
      for (const Record& r : ns.response.answer) {
        if (r.type != RRType::NS || !(r.owner == p.zone)) continue;
        if (auto t = r.rdata.target(); t && p.zone_ns.size() < kMaxNsPerDelegation) add_unique(p.zone_ns, *t);
      }
    }
  }
}

// Names the zone lists that no probed server has: the next round.
std::vector<Name> unprobed_zone_ns(const ZoneProbe& p) {
  std::vector<Name> next;
  for (const Name& n : p.zone_ns) {
    const bool known = std::any_of(p.servers.begin(), p.servers.end(),
                                   [&](const ProbedNameServer& s) { return s.name == n; });
    if (!known) next.push_back(n);
  }
  return next;
}

}  // namespace

// One NS name's addresses: glue (first round), then its A and AAAA resolutions (`a`, `aaaa`), whose
// trace steps join this probe's.
ProbedNameServer Resolver::Impl::probe_server(Context& ctx, const ZoneProbe& p, const Name& name,
                                              std::span<const Glue> glue, std::span<Resolution, 2> found) {
  ProbedNameServer server;
  server.name = name;
  server.at_parent = std::find(p.parent_ns.begin(), p.parent_ns.end(), server.name) != p.parent_ns.end();
  for (const Glue& g : glue) {
    if (g.name == server.name) add_address(server, options.policy, g.address, true);
  }
  bool any_resolved = false;
  std::string errors;
  for (int k = 0; k < 2; ++k) {
    Resolution& r = found[static_cast<std::size_t>(k)];
    const RRType want = k == 0 ? RRType::A : RRType::AAAA;
    for (const Record& rec : r.answer) {
      if (rec.type != want) continue;
      if (auto a = rec.rdata.as_a()) add_address(server, options.policy, asio::ip::address_v4(*a), false), any_resolved = true;
      if (auto a6 = rec.rdata.as_aaaa()) add_address(server, options.policy, asio::ip::address_v6(*a6), false), any_resolved = true;
    }
    if (r.outcome == Outcome::nxdomain) errors = "NXDOMAIN";
    if (r.outcome == Outcome::failed && errors.empty()) errors = to_string(r.failure);
    for (auto& step : r.trace) {
      step.depth += 1;
      trace(ctx, std::move(step));
    }
  }
  if (!any_resolved) server.resolution_error = errors.empty() ? "NODATA" : errors;
  return server;
}

// The questions for every permitted address of `server` (SOA, NS, then `questions`: one ask_address each),
// within the check's address budget; refused addresses are listed in the probe.
void Resolver::Impl::queue_asks(Context& ctx, ZoneProbe& p, ProbedNameServer& server,
                                const std::vector<Question>& questions, const std::shared_ptr<ProbeBudget>& budget,
                                std::vector<asio::awaitable<std::vector<ProbeAsked>>>& asks) {
  for (NsAddress& a : server.addresses) {
    if (a.permitted && std::find(budget->addresses.begin(), budget->addresses.end(), a.address) ==
                           budget->addresses.end()) {
      if (budget->addresses.size() >= kMaxProbeAddresses) {
        a.asked = false;
        ++budget->addresses_not_asked;
        note(ctx, 0, p.zone, "not asking " + describe_server(server.name, a.address) +
                                 ": kMaxProbeAddresses (" + std::to_string(kMaxProbeAddresses) +
                                 " addresses per check) reached");
        continue;
      }
      budget->addresses.push_back(a.address);
    }
    if (!a.permitted) {
      RefusedAddress ref{p.zone, server.name, a.address, a.address_class};
      if (std::find(p.refused_addresses.begin(), p.refused_addresses.end(), ref) == p.refused_addresses.end()) {
        p.refused_addresses.push_back(ref);
      }
      continue;
    }
    asks.push_back(ask_address(transport, stats, servers,
                               AddressAsks{p.zone, server.name, a.address, questions, budget, ctx.replies,
                                           options.use_0x20}));
  }
}

// One round: resolve the addresses of `to_probe`, ask every permitted address, read the answers.
// Returns the NS names for the next round.
asio::awaitable<std::vector<Name>> Resolver::Impl::probe_round(Context& ctx, ZoneProbe& p, std::vector<Name> to_probe,
                                                               std::span<const Glue> glue,
                                                               const std::vector<Question>& questions,
                                                               std::shared_ptr<ProbeBudget> budget) {
  if (p.servers.size() + to_probe.size() > kMaxProbeNsNames) to_probe.resize(kMaxProbeNsNames - p.servers.size());
  // Addresses: glue from the referral, plus a full resolution of A and AAAA for every name. Each
  // lookup gets an equal share of what the check's budget has left (at most the usual 50); what a
  // lookup does not use goes back.
  std::vector<Resolution> found(2 * to_probe.size());
  std::vector<asio::awaitable<void>> lookups;
  const int share = to_probe.empty() ? 0
                                     : std::min(kMaxQueriesPerResolution,
                                                budget->queries_left / static_cast<int>(2 * to_probe.size()));
  for (std::size_t i = 0; i < to_probe.size(); ++i) {
    // Addresses only: not validated. Each into its slot of `found`, which is not resized while they run.
    lookups.push_back(resolve_into(found[2 * i], to_probe[i], RRType::A, share, nullptr, false));
    lookups.push_back(resolve_into(found[2 * i + 1], to_probe[i], RRType::AAAA, share, nullptr, false));
  }
  budget->queries_left -= share * static_cast<int>(lookups.size());
  co_await gather(executor, std::move(lookups));
  for (const Resolution& r : found) budget->queries_left += share - std::min(r.queries, share);
  std::vector<asio::awaitable<std::vector<ProbeAsked>>> asks;
  for (std::size_t i = 0; i < to_probe.size(); ++i) {
    p.queries += found[2 * i].queries + found[2 * i + 1].queries;
    ProbedNameServer server = probe_server(ctx, p, to_probe[i], glue, std::span<Resolution, 2>(&found[2 * i], 2));
    queue_asks(ctx, p, server, questions, budget, asks);
    p.servers.push_back(std::move(server));
  }
  // Per address as it came (not copied into one list first: a ProbeAsked's move copies its names' octets).
  std::vector<std::vector<ProbeAsked>> answered = co_await gather(executor, std::move(asks));
  for (const auto& per_address : answered) read_answers(p, per_address, questions.size());
  for (auto& per_address : answered) {
    for (auto& a : per_address) {
      p.queries += a.queries;
      trace(ctx, std::move(a.step));
      p.responses.push_back(std::move(a.response));
    }
  }
  co_return unprobed_zone_ns(p);
}

asio::awaitable<ZoneProbe> Resolver::Impl::probe(Name name, std::vector<Question> questions,
                                                 std::shared_ptr<ProbeBudget> budget,
                                                 std::shared_ptr<SharedReplies> replies) {
  ++stats.probes;
  if (!budget) budget = std::make_shared<ProbeBudget>();
  Context ctx;
  ctx.max_queries = std::min(kMaxQueriesPerResolution, budget->queries_left);
  ctx.tracing = options.trace;
  ctx.keep_delegation = true;  // the parent's NS names and glue are part of the report
  ctx.replies = replies.get();  // the walk's SOA reply answers that server's SOA ask below
  ZoneProbe p;
  p.name = name;
  if (questions.size() > kMaxProbeQuestions) {  // the caller splits larger sets (limits.hpp)
    budget->questions_not_asked += static_cast<int>(questions.size() - kMaxProbeQuestions);
    questions.resize(kMaxProbeQuestions);
  }

  if (needs_priming()) co_await prime(ctx);

  // 1. The zone that holds the name: walk down asking for its SOA; the servers that answer with
  //    authority (anything but a referral) are the zone's.
  Walk w;
  // The Question is built outside the co_await: GCC 12 would destroy it twice (docs/DESIGN.md).
  auto walking = walk(ctx, Question{name, RRType::SOA, wire::RRClass::IN}, 0, w);
  co_await std::move(walking);
  budget->queries_left -= std::min(ctx.queries, budget->queries_left);
  p.zone = w.cut.zone;
  p.parent = w.cut.parent;
  p.parent_ns = w.cut.ns_names;
  p.zone_found = !w.fail || !w.cut.zone.is_root();
  if (w.fail) {
    p.failure = w.fail->kind;
    p.failure_detail = w.fail->detail;
  } else {
    p.name_nxdomain = w.reply.classified.kind == Classification::nxdomain;
    p.walk_rcode = p.name_nxdomain ? wire::Rcode::NXDomain : wire::Rcode::NoError;
  }

  // 2..4 run in up to two rounds: the parent's NS names, then NS names only the zone itself lists
  // (glue only in the first). At most kMaxProbeNsNames NS names in all (a hostile zone may list 13
  // more than its parent does).
  std::vector<Name> to_probe = p.parent_ns;
  for (int round = 0; round < 2 && !to_probe.empty(); ++round) {
    to_probe = co_await probe_round(ctx, p, std::move(to_probe),
                                    round == 0 ? std::span<const Glue>(w.cut.glue) : std::span<const Glue>(),
                                    questions, budget);
  }
  for (auto& s : p.servers) {
    s.at_zone = std::find(p.zone_ns.begin(), p.zone_ns.end(), s.name) != p.zone_ns.end();
  }
  for (const auto& ref : ctx.refused) {
    if (std::find(p.refused_addresses.begin(), p.refused_addresses.end(), ref) == p.refused_addresses.end()) {
      p.refused_addresses.push_back(ref);
    }
  }
  p.queries += ctx.queries;
  p.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - ctx.start);
  p.trace = std::move(ctx.trace);
  co_return p;
}

}  // namespace dkimdoctor::resolver
