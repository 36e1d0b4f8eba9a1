// `dkimdoctor check`: one SES identity, diagnosed. The glue between the resolver (which observes) and
// diagnose/ (which judges): expectations -> plan -> authority probe + iterative resolutions ->
// observations -> judge (-> follow-up lookups -> judge again) -> report.
//
// run_check() is reusable: `bulk` runs many of them at once on one Resolver.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "diagnose/expect.hpp"
#include "diagnose/identity.hpp"
#include "diagnose/judge.hpp"
#include "diagnose/observations.hpp"
#include "resolver/resolver.hpp"

namespace CLI {
class App;
}

namespace dkimdoctor::cli {

struct CheckResult {
  diagnose::Identity identity;
  std::vector<diagnose::ExpectedRecord> expected;
  diagnose::Observations observations;
  diagnose::Judgement judgement;
  std::vector<std::string> notes;  // problems with the input that did not stop the check (unreadable key file)
  // Server addresses this host could not send to at all (no IPv6, no route): "not checked from this host",
  // the host's limit and never the domain's fault. "ns1.example.net (2001:db8::53)".
  std::vector<std::string> host_limits;
  int queries = 0;
  std::chrono::microseconds elapsed{0};
};

// Observes everything the identity needs through `resolver` and judges it. Never throws for network
// input; failures become an `incomplete` verdict.
asio::awaitable<CheckResult> run_check(resolver::Resolver& resolver, const diagnose::Identity& identity);

// The JSON of issue 5: {"domain", "verdict", "headline", "findings": [{"code", "severity", "ses_error",
// "message", "fix", "evidence", "subject"}], "servers": [...]}.
nlohmann::json to_json(const CheckResult& result);
// `check --json`'s "cells": the grid the HTML report draws (record_cells.hpp), one object per (expected record x
// authoritative server address): {"name", "type", "server", "address", "state", "detail"}. Not in to_json(),
// so bulk's lines stay as they were (the cells would add about a fifth to each).
nlohmann::json cells_json(const CheckResult& result);

// 0 nothing wrong, 1 problems found, 3 could not complete.
int exit_status_of(const CheckResult& result);

// Whether this host can reach the DNS at all: asks the root servers for the root's NS set (cached after the
// first time). An empty string when some root server answered; else one sentence for the user ("no root
// server answered: ..."), the check's verdict could only be "could not tell" for every domain.
asio::awaitable<std::string> network_problem(resolver::Resolver& resolver);

// Observations from the resolver's results (exposed for tests).
diagnose::Delegation delegation_from(const resolver::ZoneProbe& probe);
diagnose::LookupResult lookup_from(const resolver::ZoneProbe& probe, const diagnose::Lookup& lookup);
diagnose::LookupResult lookup_from(const resolver::Resolution& resolution, const diagnose::Lookup& lookup);

void add_check_command(CLI::App& app, int& exit_status);

}  // namespace dkimdoctor::cli
