// A CheckResult made from a diagnose::testing::World, for the cli tests that render or write one.
#pragma once

#include "cli/check.hpp"
#include "tests/diagnose/world.hpp"

namespace dkimdoctor::cli::testing {

// `w`'s identity with every lookup of its plan answered by `w`, delegated from com; not judged yet.
inline CheckResult observed(const diagnose::testing::World& w) {
  CheckResult r;
  r.identity = w.identity;
  r.expected = diagnose::expectations(r.identity);
  r.observations.delegation = w.default_delegation();
  r.observations.delegation.parent = diagnose::testing::N("com");
  for (const auto& l : diagnose::plan(r.expected)) r.observations.lookups.push_back(w.observe(l));
  return r;
}

}  // namespace dkimdoctor::cli::testing
