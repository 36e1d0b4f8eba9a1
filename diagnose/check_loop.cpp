#include "diagnose/check_loop.hpp"

#include <utility>

namespace dkimdoctor::diagnose {

std::vector<Lookup> tcp_failures(const Observations& observations) {
  std::vector<Lookup> out;
  for (const auto& l : observations.lookups) {
    if (l.lookup.scope != Scope::authoritative) continue;
    for (const auto& a : l.servers) {
      if (a.truncated_udp && !a.responded) {
        out.push_back(l.lookup);
        break;
      }
    }
  }
  return out;
}

void fill_zone_keys(DnssecContext& dnssec, const Delegation& delegation, const std::vector<LookupResult>& results) {
  if (!delegation.complete || delegation.not_delegated) return;
  dnssec.zone = delegation.zone;
  for (const auto& r : results) {
    if (r.lookup.scope != Scope::iterative || r.lookup.type != wire::RRType::DNSKEY || !r.iterative) continue;
    if (!(r.lookup.name == delegation.zone)) continue;
    dnssec.keys = r.iterative->security;
    dnssec.dnskeys.clear();
    for (const auto& rec : r.iterative->answer)
      if (rec.type == wire::RRType::DNSKEY && rec.owner == delegation.zone) dnssec.dnskeys.push_back(rec);
  }
}

CheckLoop::CheckLoop(const Identity& identity, DnssecContext dnssec)
    : identity_(identity), expected_(expectations(identity_)) {
  observations_.dnssec.validating = dnssec.validating;
  observations_.dnssec.now = dnssec.now;
  step_.phase = Phase::planned;
  step_.lookups = plan(expected_);
  step_.with_delegation = true;
  step_.with_zone_keys = dnssec.validating;
}

void CheckLoop::observed(std::vector<LookupResult> results, std::optional<Delegation> delegation) {
  switch (step_.phase) {
    case Phase::planned: {
      if (delegation) observations_.delegation = std::move(*delegation);
      if (observations_.dnssec.validating) fill_zone_keys(observations_.dnssec, observations_.delegation, results);
      for (auto& r : results) observations_.lookups.push_back(std::move(r));
      std::vector<Lookup> again = tcp_failures(observations_);
      if (!again.empty()) {
        step_ = Step{Phase::tcp_retry, std::move(again), false, false};
        return;
      }
      break;
    }
    case Phase::tcp_retry:
      merge_retried(std::move(results));
      break;
    case Phase::follow_up:
      for (auto& r : results) observations_.lookups.push_back(std::move(r));
      break;
    case Phase::done:
      return;  // nothing was asked: a caller's mistake, ignored
  }
  judge_and_plan_follow_ups();
}

// Each server keeps its better answer: one that did not respond the first time takes the retry's reply.
void CheckLoop::merge_retried(std::vector<LookupResult> retried) {
  for (auto& again : retried) {
    for (auto& first : observations_.lookups) {
      if (!(first.lookup == again.lookup)) continue;
      for (auto& a : first.servers) {
        if (a.responded) continue;
        for (auto& b : again.servers)
          if (b.responded && b.ns_name == a.ns_name && b.address == a.address) a = b;
      }
    }
  }
}

void CheckLoop::judge_and_plan_follow_ups() {
  judgement_ = judge(identity_, expected_, observations_);
  if (judgement_.follow_ups.empty() || rounds_ >= kMaxFollowUpRounds) {
    step_ = Step{Phase::done, {}, false, false};
    return;
  }
  ++rounds_;
  step_ = Step{Phase::follow_up, judgement_.follow_ups, false, false};
}

}  // namespace dkimdoctor::diagnose
