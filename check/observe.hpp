// From the resolver's results to diagnose's observations (plain data), and the observing of one step of
// the check loop. Exposed for the tests; check::run() is the way in.
#pragma once

#include <asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "diagnose/observations.hpp"
#include "resolver/resolver.hpp"

namespace dkimdoctor::check {

diagnose::Delegation delegation_from(const resolver::ZoneProbe& probe);
diagnose::LookupResult lookup_from(const resolver::ZoneProbe& probe, const diagnose::Lookup& lookup);
diagnose::LookupResult lookup_from(const resolver::Resolution& resolution, const diagnose::Lookup& lookup);

// What one step observed.
struct Observed {
  std::vector<diagnose::LookupResult> results;
  std::optional<diagnose::Delegation> delegation;  // when asked for
  int queries = 0;
};

// Observes `lookups` of `domain` all at once: the authoritative ones through authority probes of the
// zone's servers (at most resolver::kMaxProbeQuestions questions per probe; the first also gives the
// delegation when `with_delegation`), each iterative one through a resolution. Every probe of one check
// shares `budget`.
asio::awaitable<Observed> observe(resolver::Resolver& resolver, const wire::Name& domain,
                                  const std::vector<diagnose::Lookup>& lookups, bool with_delegation,
                                  std::shared_ptr<resolver::ProbeBudget> budget);

}  // namespace dkimdoctor::check
