// The check as data: which lookups to observe next, and what has been seen so far. Sans-I/O.
//
//   expectations(identity) -> plan -> observe (with the delegation) -> [observe the authoritative lookups
//   whose TCP exchange failed, once more] -> judge -> observe the judge's follow-ups -> judge -> ... done
//
// Whoever holds a CheckLoop does the observing: check/ through the resolver (check::run), the judge
// tests from a hand-built world (tests/diagnose/world.hpp). Both run this one loop.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "diagnose/expect.hpp"
#include "diagnose/identity.hpp"
#include "diagnose/judge.hpp"
#include "diagnose/observations.hpp"

namespace dkimdoctor::diagnose {

// Rounds of follow-up lookups (variant names, A records, MX host addresses) after the first judgement. Each
// round asks only what the previous judgement asked for and the judge never asks twice, so in practice the
// loop ends by itself well before this bound.
inline constexpr int kMaxFollowUpRounds = 3;

class CheckLoop {
 public:
  enum class Phase : unsigned char {
    planned,    // the plan's lookups, with the delegation
    tcp_retry,  // authoritative lookups whose TCP exchange failed, asked once more (a busy server resets)
    follow_up,  // what the last judgement asked for
    done,
  };
  struct Step {
    Phase phase = Phase::planned;
    std::vector<Lookup> lookups;
    bool with_delegation = false;  // also observe the zone's delegation (the first step only)
    // Also resolve `<zone> DNSKEY` (iteratively) once the delegation names the zone, in this same step: the
    // first step only, and only when the check validates (issue 16 counts the queries). The result goes
    // back with the step's other results as Lookup{zone, DNSKEY, iterative}.
    bool with_zone_keys = false;
  };

  // `dnssec`: whether the check validates and at what time (check::run reads them from the resolver's
  // options); the loop fills in the zone, and its keys from the DNSKEY lookup. Default: not validating.
  explicit CheckLoop(const Identity& identity, DnssecContext dnssec = {});

  // What to observe next; nullptr once the judgement is final.
  const Step* next() const { return step_.phase == Phase::done ? nullptr : &step_; }

  // The results of next()'s lookups, in any order, and the delegation when the step asked for it.
  // A lookup the observer could not make is simply absent; the judge reports what is missing.
  void observed(std::vector<LookupResult> results, std::optional<Delegation> delegation = std::nullopt);

  const Identity& identity() const { return identity_; }
  const std::vector<ExpectedRecord>& expected() const { return expected_; }
  const Observations& observations() const { return observations_; }
  const Judgement& judgement() const { return judgement_; }
  int follow_up_rounds() const { return rounds_; }

  // The loop's identity, expectations, observations and judgement, moved out (check::run, once the loop is
  // done with them: copying a check's observations cost a tenth of its instructions). The loop is spent.
  Identity take_identity() { return std::move(identity_); }
  std::vector<ExpectedRecord> take_expected() { return std::move(expected_); }
  Observations take_observations() { return std::move(observations_); }
  Judgement take_judgement() { return std::move(judgement_); }

 private:
  void judge_and_plan_follow_ups();
  void merge_retried(std::vector<LookupResult> retried);

  Identity identity_;
  std::vector<ExpectedRecord> expected_;
  Observations observations_;
  Judgement judgement_;
  Step step_;
  int rounds_ = 0;
};

// The DNSSEC context once the first step is observed: the zone from the delegation, and the zone's DNSKEY
// RRset and its security from Lookup{zone, DNSKEY, iterative} among `results` (absent: keys stay unchecked).
void fill_zone_keys(DnssecContext& dnssec, const Delegation& delegation, const std::vector<LookupResult>& results);

// The authoritative lookups of `observations` where some server's UDP reply was truncated and the TCP
// exchange then failed: worth asking once more before calling the server's TCP broken.
std::vector<Lookup> tcp_failures(const Observations& observations);

}  // namespace dkimdoctor::diagnose
