// `dkimdoctor check` through the real resolver against the lab: for every domain of the manifest, the
// findings of severity error or warning are exactly the scenario's expected codes, the expected info
// codes appear, and the verdict matches. Plus golden human reports for a few scenarios (normalised so that
// the lab's seed does not matter). Needs `tests/lab/lab up`; run inside the lab's namespace.
// DKIMDOCTOR_UPDATE_GOLDEN=1 rewrites the golden files.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/check.hpp"
#include "cli/report.hpp"
#include "diagnose/identity.hpp"
#include "resolver/resolver.hpp"

namespace dkimdoctor::cli {
namespace {

std::string lab_dir() {
  const char* dir = std::getenv("DKIMDOCTOR_LAB");
  if (dir == nullptr || *dir == '\0') {
    ADD_FAILURE() << "DKIMDOCTOR_LAB is not set: bring the lab up (tests/lab/lab up) and run inside it";
    return {};
  }
  return dir;
}

nlohmann::json load_manifest(const std::string& dir) {
  std::ifstream in(dir + "/manifest.json");
  EXPECT_TRUE(in.good()) << dir << "/manifest.json";
  return nlohmann::json::parse(in, nullptr, false);
}

resolver::Options lab_options(const std::string& dir) {
  resolver::Options o;
  o.policy.allow_loopback = true;
  o.trace = false;
  auto hints = resolver::load_root_hints(dir + "/root.hints");
  EXPECT_TRUE(hints.ok()) << (hints ? "" : hints.error());
  if (hints) o.root_hints = *hints;
  return o;
}

// At most this many domains per scenario (a 10,000-domain lab has ~213 of each).
constexpr std::size_t kPerScenario = 3;

struct Checked {
  nlohmann::json entry;
  CheckResult result;
};

// Checks the chosen domains concurrently on one resolver, as `bulk` does.
std::vector<Checked> check_all(const std::string& dir, const std::vector<nlohmann::json>& entries) {
  asio::io_context io;
  resolver::Resolver res(io.get_executor(), lab_options(dir));
  std::vector<Checked> out(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    out[i].entry = entries[i];
    auto identity = diagnose::parse_bulk_line(entries[i]["identity"].dump());
    EXPECT_TRUE(identity.ok()) << entries[i]["domain"] << ": " << (identity ? "" : diagnose::to_string(identity.error()));
    if (!identity) continue;
    asio::co_spawn(
        io, [&res, &out, i, id = *identity]() -> asio::awaitable<void> { out[i].result = co_await run_check(res, id); },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
  }
  io.run();
  return out;
}

std::vector<nlohmann::json> pick(const nlohmann::json& manifest, const std::set<std::string>& only = {}) {
  std::map<std::string, std::size_t> taken;
  std::vector<nlohmann::json> out;
  for (const auto& d : manifest["domains"]) {
    const std::string s = d["scenario"];
    if (!only.empty() && !only.count(s)) continue;
    if (taken[s]++ >= kPerScenario) continue;
    out.push_back(d);
  }
  return out;
}

std::string dump(const CheckResult& r) {
  ReportOptions o;
  o.show_servers = false;
  return render_report(r, o);
}

TEST(DiagnoseLab, EveryScenarioYieldsItsExpectedFindingsAndNothingElse) {
  const std::string dir = lab_dir();
  if (dir.empty()) return;
  const auto manifest = load_manifest(dir);
  ASSERT_TRUE(manifest.is_object());
  const auto entries = pick(manifest);
  ASSERT_FALSE(entries.empty());
  std::set<std::string> scenarios_seen;
  for (const auto& c : check_all(dir, entries)) {
    const std::string domain = c.entry["domain"];
    const std::string scenario = c.entry["scenario"];
    SCOPED_TRACE(domain + " (" + scenario + ")");
    scenarios_seen.insert(scenario);
    std::set<std::string> want, got, all;
    for (const auto& code : c.entry["expect"]["codes"]) want.insert(code.get<std::string>());
    for (const auto& f : c.result.judgement.findings) {
      all.insert(std::string(diagnose::to_string(f.code)));
      if (f.severity == diagnose::Severity::error || f.severity == diagnose::Severity::warning)
        got.insert(std::string(diagnose::to_string(f.code)));
    }
    EXPECT_EQ(got, want) << dump(c.result);
    for (const auto& code : c.entry["expect"]["info"])
      EXPECT_TRUE(all.count(code.get<std::string>())) << code << "\n" << dump(c.result);
    EXPECT_EQ(std::string(diagnose::to_string(c.result.judgement.verdict)), c.entry["expect"]["verdict"].get<std::string>())
        << dump(c.result);
    const auto j = to_json(c.result);
    EXPECT_EQ(j["domain"], domain);
    EXPECT_TRUE(j["findings"].is_array());
    EXPECT_TRUE(j["servers"].is_array());
  }
  for (const auto& s : manifest["scenarios"]) EXPECT_TRUE(scenarios_seen.count(s["name"].get<std::string>())) << s["name"];
}

// The report with every lab-specific string replaced by a placeholder, so the golden file does not
// depend on the seed (tokens, TLD, provider, addresses).
std::string normalise(std::string text, const nlohmann::json& entry) {
  std::vector<std::pair<std::string, std::string>> subs;
  subs.emplace_back(entry["domain"].get<std::string>(), "DOMAIN");
  int n = 1;
  for (const auto& t : entry["identity"]["easy_dkim_tokens"]) subs.emplace_back(t.get<std::string>(), "TOKEN" + std::to_string(n++));
  if (entry["identity"]["verification_token"].is_string())
    subs.emplace_back(entry["identity"]["verification_token"].get<std::string>(), "VERIFICATION-TOKEN");
  n = 1;
  for (const auto& s : entry["servers"]) {
    for (const auto& a : s["addresses"]) subs.emplace_back(a.get<std::string>(), "ADDR" + std::to_string(n++));
  }
  subs.emplace_back(entry["provider"].get<std::string>(), "PROVIDER");
  // The domain's TLD is drawn from the seed too; it shows as the delegating zone.
  const std::string domain = entry["domain"];
  subs.emplace_back("(delegated from " + domain.substr(domain.rfind('.') + 1) + ")", "(delegated from TLD)");
  // Longest first, so a domain is replaced before a shorter string inside it.
  std::stable_sort(subs.begin(), subs.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& [from, to] : subs) {
    if (from.empty()) continue;
    for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) text.replace(pos, from.size(), to);
  }
  return text;
}

TEST(DiagnoseLab, GoldenHumanReports) {
  const std::string dir = lab_dir();
  if (dir.empty()) return;
  const auto manifest = load_manifest(dir);
  // Providers (and so the server lines) are drawn from the seed: the files are for the default lab.
  if (manifest.value("seed", 0) != 1) GTEST_SKIP() << "golden reports are for the default lab seed 1";
  const std::set<std::string> golden = {"easy-dkim-ok", "stale-secondary", "dkim-one-missing", "byodkim-lowercased",
                                        "private-ns"};
  std::map<std::string, nlohmann::json> first;
  for (const auto& d : manifest["domains"])
    if (golden.count(d["scenario"]) && !first.count(d["scenario"])) first[d["scenario"]] = d;
  std::vector<nlohmann::json> entries;
  for (const auto& [s, d] : first) entries.push_back(d);
  const bool update = std::getenv("DKIMDOCTOR_UPDATE_GOLDEN") != nullptr;
  for (const auto& c : check_all(dir, entries)) {
    const std::string scenario = c.entry["scenario"];
    const std::string path = std::string(DKIMDOCTOR_GOLDEN_DIR) + "/diagnose_" + scenario + ".txt";
    const std::string got = normalise(render_report(c.result, ReportOptions{}), c.entry);
    if (update) {
      std::ofstream(path) << got;
      continue;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << "missing golden file " << path << " (DKIMDOCTOR_UPDATE_GOLDEN=1 writes it)";
    std::stringstream want;
    want << in.rdbuf();
    EXPECT_EQ(got, want.str()) << scenario;
  }
}

}  // namespace
}  // namespace dkimdoctor::cli
