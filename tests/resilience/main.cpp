// The fault suite's main: runs every case and prints the tally, one line per group and a total.
// A group is a test suite name (the part after any "Instance/" prefix); see kGroups.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

namespace {

struct Group {
  const char* suite;
  const char* title;
};
constexpr Group kGroups[] = {
    {"Spoofing", "spoofing"},
    {"Poisoning", "poisoning"},
    {"AmplificationAndLoops", "amplification and loops"},
    {"BrokenServers", "broken servers"},
    {"Loss", "loss"},
    {"Memory", "memory"},
    {"OutsideAttacker", "outside attacker (issue 18)"},
};

class Tally : public ::testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (info.result()->Skipped()) return;
    std::string suite = info.test_suite_name();
    if (auto slash = suite.rfind('/'); slash != std::string::npos) suite = suite.substr(slash + 1);
    auto& c = counts_[suite];
    ++c.tried;
    if (info.result()->Passed()) ++c.held;
  }
  void OnTestProgramEnd(const ::testing::UnitTest&) override {
    int passed = 0, failed = 0;
    for (const auto& g : kGroups) {
      const auto& c = counts_[g.suite];
      std::printf("fault suite: %s %d tried, %d held\n", g.title, c.tried, c.held);
    }
    for (const auto& [suite, c] : counts_) {
      passed += c.held;
      failed += c.tried - c.held;
    }
    std::printf("fault suite: %d passed, %d failed\n", passed, failed);
    std::fflush(stdout);
  }

 private:
  struct Count {
    int tried = 0, held = 0;
  };
  std::map<std::string, Count> counts_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new Tally);
  return RUN_ALL_TESTS();
}
