// Someone else's program running a real check through the installed library: find_package(dkimdoctor),
// one call (check::check_blocking). Usage: lab_check ROOT_HINTS IDENTITY_JSON (a bulk line). Prints the
// verdict and the codes of the findings that are problems (severity error or warning), sorted:
//   problems DKIM_RECORD_MISSING,NEGATIVE_CACHE_TTL
// Run inside the lab's network namespace: the root hints are the lab's.
#include <cstdio>
#include <set>
#include <string>

#include "check/check.hpp"
#include "diagnose/identity.hpp"
#include "resolver/root_hints.hpp"

int main(int argc, char** argv) {
  using namespace dkimdoctor;
  if (argc != 3) {
    std::fprintf(stderr, "usage: lab_check ROOT_HINTS IDENTITY_JSON\n");
    return 2;
  }
  auto identity = diagnose::parse_bulk_line(argv[2]);
  if (!identity) {
    std::fprintf(stderr, "identity: %s\n", diagnose::to_string(identity.error()).c_str());
    return 2;
  }
  resolver::Options options;
  auto hints = resolver::load_root_hints(argv[1]);
  if (!hints) {
    std::fprintf(stderr, "root hints: %s\n", hints.error().c_str());
    return 2;
  }
  options.root_hints = *hints;
  options.policy.allow_loopback = true;  // the lab's servers live on 127.53.0.0/16
  const check::CheckResult result = check::check_blocking(*identity, options);
  if (!result.network_error.empty()) {
    std::fprintf(stderr, "%s\n", result.network_error.c_str());
    return 3;
  }
  std::set<std::string> codes;
  for (const auto& f : result.judgement.findings)
    if (f.severity == diagnose::Severity::error || f.severity == diagnose::Severity::warning)
      codes.insert(std::string(diagnose::to_string(f.code)));
  std::string joined;
  for (const auto& c : codes) joined += (joined.empty() ? "" : ",") + c;
  std::printf("%s %s\n", std::string(diagnose::to_string(result.judgement.verdict)).c_str(), joined.c_str());
  return 0;
}
