// From the resolver's results to diagnose's observations (plain data), and the observing of one step of
// the check loop. Exposed for the tests; check::run() is the way in.
#pragma once

#include <asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "diagnose/observations.hpp"
#include "resolver/resolver.hpp"

namespace dkimdoctor::check {

// The resolver's DNSSEC status of an answer as diagnose reads it (reason: dnssec::to_string of the Reason).
diagnose::SecurityResult security_from(const resolver::Validation& validation);
// address.to_string(), the same text, without inet_ntop's sprintf for IPv4 (every server answer carries
// its address as text; the sprintf was the largest cost of observe()).
std::string address_text(const asio::ip::address& address);
diagnose::Delegation delegation_from(const resolver::ZoneProbe& probe);
diagnose::LookupResult lookup_from(const resolver::ZoneProbe& probe, const diagnose::Lookup& lookup);
diagnose::LookupResult lookup_from(const resolver::Resolution& resolution, const diagnose::Lookup& lookup);

// What one step observed.
struct Observed {
  std::vector<diagnose::LookupResult> results;
  std::optional<diagnose::Delegation> delegation;  // when asked for
  int queries = 0;
};

// Observes `lookups` of `domain`: first the authoritative ones through authority probes of the zone's
// servers (at most resolver::kMaxProbeQuestions questions per probe, all at once; the first also gives the
// delegation when `with_delegation`), then each iterative one through a resolution, all at once. Every
// probe of one check shares `budget`; every probe and resolution of one check shares `replies`, so a
// resolution that asks one of the zone's servers a question the probe asked it takes the probe's reply
// (and starts from the delegation the probe's walk cached) instead of asking again (issue 16).
// `with_zone_keys` (validating checks, first step): once the first probe has found the zone, `<zone> DNSKEY`
// is resolved with the other iterative lookups, in the same step (no extra round), and returned as
// Lookup{zone, DNSKEY, iterative}.
asio::awaitable<Observed> observe(resolver::Resolver& resolver, const wire::Name& domain,
                                  const std::vector<diagnose::Lookup>& lookups, bool with_delegation,
                                  bool with_zone_keys,
                                  std::shared_ptr<resolver::ProbeBudget> budget,
                                  std::shared_ptr<resolver::SharedReplies> replies);

}  // namespace dkimdoctor::check
