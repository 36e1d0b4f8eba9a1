// The check: one SES identity in, findings out, observed through the iterative resolver as SES's verifier
// and receivers would see it. The CLI (`check`, `bulk`), the tests and outside programs all call this.
//
//   Identity -> diagnose::CheckLoop (expectations, plan, judge, follow-ups: sans-I/O)
//            -> observe(): one authority probe of every server of the zone for the authoritative lookups,
//               then one iterative resolution per iterative lookup, all at once (check/observe.cpp); every
//               server is asked each question once per check: a reply one server gave is shared by the
//               check's other questions to it (resolver::SharedReplies), and a question another reply of
//               that server decides (its NS set in the SOA reply, a CNAME in the TXT reply at the same
//               name) is not sent (resolver/README.md, "A question another reply ... answers")
//            -> CheckResult (the judgement, and everything observed, for the report and the JSON)
//
// Nothing here renders, reads files or picks an exit status: that is cli/.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "diagnose/expect.hpp"
#include "diagnose/identity.hpp"
#include "diagnose/judge.hpp"
#include "diagnose/observations.hpp"
#include "resolver/resolver.hpp"

namespace dkimdoctor::check {

struct CheckResult {
  diagnose::Identity identity;
  std::vector<diagnose::ExpectedRecord> expected;
  diagnose::Observations observations;
  diagnose::Judgement judgement;
  // Problems with the input that did not stop the check (an unreadable key file). The library adds none;
  // callers that read input (cli/) record them here so the report shows them.
  std::vector<std::string> notes;
  // Server addresses this host could not send to at all (no IPv6, no route): "not checked from this host",
  // the host's limit and never the domain's fault. "ns1.example.net (2001:db8::53)".
  std::vector<std::string> host_limits;
  // Set by check_blocking() only: no root server answered, so nothing was checked (the verdict is
  // `incomplete`); one sentence for the user.
  std::string network_error;
  // Resolver::stop() ended the check before it finished: the verdict is `incomplete`, with no findings.
  bool stopped = false;
  int queries = 0;  // upstream queries the check sent
  std::chrono::microseconds elapsed{0};
};

// Whether a check through a resolver with `options` validates DNSSEC, and at what time: validation on
// (`validate`, not --no-validate) and a trust anchor known (`trust_anchors` given, or the built-in root
// hints, whose anchor is the IANA root KSKs); the time is `validation_time`, else the wall clock. check::run
// hands this to the CheckLoop, which then also looks up the zone's DNSKEY set.
diagnose::DnssecContext dnssec_context(const resolver::Options& options);

// Observes everything the identity needs through `resolver` and judges it. Never throws for network input;
// what could not be observed makes the verdict `incomplete`. Many checks may run at once on one Resolver
// (bulk does). Resolver::stop() ends every check in flight promptly (its result is then `incomplete`).
// `identity` by value: the coroutine keeps its own copy, whatever the caller's temporary.
asio::awaitable<CheckResult> run(resolver::Resolver& resolver, diagnose::Identity identity);

// The blocking convenience: its own io_context and Resolver built from `options`. Asks the root servers
// first (network_problem); when none answers the result carries `network_error` and nothing else.
CheckResult check_blocking(const diagnose::Identity& identity, resolver::Options options = {});

// Whether this host can reach the DNS at all: asks the root servers for the root's NS set (cached after the
// first time). Empty when some root server answered; else one sentence for the user ("no root server
// answered: ..."): every domain's verdict could only be "could not tell".
asio::awaitable<std::string> network_problem(resolver::Resolver& resolver);

}  // namespace dkimdoctor::check
