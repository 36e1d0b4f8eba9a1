#include "check/check.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <algorithm>
#include <exception>
#include <memory>
#include <utility>

#include "check/observe.hpp"
#include "diagnose/check_loop.hpp"

namespace dkimdoctor::check {
namespace {

// "ns1.example.net (2001:db8::53)" for every server address this host could not send to.
std::vector<std::string> host_limits_of(const diagnose::Observations& obs) {
  std::vector<std::string> out;
  auto add = [&out](const wire::Name& ns, const std::string& address) {
    std::string label = ns.to_string();
    if (label.size() > 1 && label.back() == '.') label.pop_back();
    label += " (" + address + ")";
    if (std::find(out.begin(), out.end(), label) == out.end()) out.push_back(std::move(label));
  };
  for (const auto& s : obs.delegation.servers)
    if (s.unreachable_from_host) add(s.ns_name, s.address);
  for (const auto& l : obs.lookups)
    for (const auto& a : l.servers)
      if (a.unreachable_from_host) add(a.ns_name, a.address);
  return out;
}

}  // namespace

diagnose::DnssecContext dnssec_context(const resolver::Options& options) {
  diagnose::DnssecContext c;
  c.validating = options.validate && (!options.trust_anchors.empty() || !options.root_hints.has_value());
  if (options.validation_time) {
    c.now = *options.validation_time;
  } else {
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    c.now = static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
  }
  return c;
}

namespace {

asio::awaitable<void> blocking_body(resolver::Resolver& resolver, const diagnose::Identity& identity,
                                    CheckResult& out) {
  out.network_error = co_await network_problem(resolver);
  if (out.network_error.empty()) {
    out = co_await run(resolver, identity);
  } else {
    out.identity = identity;
    out.judgement.verdict = diagnose::Verdict::incomplete;
    out.judgement.headline = out.network_error;
  }
}

}  // namespace

asio::awaitable<CheckResult> run(resolver::Resolver& resolver, diagnose::Identity identity) {
  const auto start = std::chrono::steady_clock::now();
  diagnose::CheckLoop loop(identity, dnssec_context(resolver.options()));
  // One probe budget for the whole check, follow-ups included (issue 18); a new loop starts at its plan.
  const auto budget =
      std::make_shared<resolver::ProbeBudget>(resolver::ProbeBudget::for_questions(loop.next()->lookups.size()));
  // Every reply of the check, for its other questions to the same server (issue 16): a retry step's and a
  // follow-up step's probes ask each server the zone's SOA and NS again, the resolutions ask what the
  // probes asked.
  const auto replies = std::make_shared<resolver::SharedReplies>();
  int queries = 0;
  bool stopped = false;
  while (const diagnose::CheckLoop::Step* step = loop.next()) {
    Observed seen =
        co_await observe(resolver, loop.identity().domain, step->lookups, step->with_delegation,
                         step->with_zone_keys, budget, replies);
    queries += seen.queries;
    if ((stopped = resolver.stopped())) break;  // what was seen is cut short: judge nothing from it
    loop.observed(std::move(seen.results), std::move(seen.delegation));
  }
  CheckResult out;
  out.identity = loop.take_identity();
  out.expected = loop.take_expected();
  out.observations = loop.take_observations();
  if (stopped) {
    out.stopped = true;
    out.judgement.verdict = diagnose::Verdict::incomplete;
    std::string domain = out.identity.domain.to_string();
    if (domain.size() > 1 && domain.back() == '.') domain.pop_back();
    out.judgement.headline = "The check of " + domain + " was stopped before it finished: nothing is known about it.";
  } else {
    out.judgement = loop.take_judgement();
  }
  out.host_limits = host_limits_of(out.observations);
  out.queries = queries;
  out.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  co_return out;
}

CheckResult check_blocking(const diagnose::Identity& identity, resolver::Options options) {
  asio::io_context io;
  resolver::Resolver resolver(io.get_executor(), std::move(options));
  CheckResult out;
  std::exception_ptr failure;
  asio::co_spawn(io, blocking_body(resolver, identity, out), [&failure](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return out;
}

asio::awaitable<std::string> network_problem(resolver::Resolver& resolver) {
  const resolver::Resolution root = co_await resolver.resolve(wire::Name(), wire::RRType::NS);
  if (root.outcome != resolver::Outcome::failed) co_return std::string();
  std::string why = resolver::to_string(root.failure);
  if (!root.failure_detail.empty()) why += ": " + root.failure_detail;
  co_return "no root server answered (" + why + "); this host cannot reach the DNS, so nothing can be checked";
}

}  // namespace dkimdoctor::check
