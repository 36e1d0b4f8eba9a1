#include "diagnose/regions.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "wire/ascii.hpp"

namespace dkimdoctor::diagnose {
namespace {

#define REGION(name, regional) SesRegion{name, regional, "feedback-smtp." name ".amazonses.com"}

// Every region of the SES endpoint list (AWS General Reference, "Amazon Simple Email Service endpoints"),
// with the regions that sign Easy DKIM under their own zone (SES.md). Kept as data: a new region is a row.
constexpr std::array kRegions = {
    REGION("us-east-1", false),      REGION("us-east-2", false),      REGION("us-west-1", false),
    REGION("us-west-2", false),      REGION("af-south-1", true),      REGION("ap-south-1", false),
    REGION("ap-south-2", true),      REGION("ap-northeast-1", false), REGION("ap-northeast-2", false),
    REGION("ap-northeast-3", true),  REGION("ap-southeast-1", false), REGION("ap-southeast-2", false),
    REGION("ap-southeast-3", true),  REGION("ap-southeast-5", true),  REGION("ca-central-1", false),
    REGION("ca-west-1", true),       REGION("eu-central-1", false),   REGION("eu-central-2", true),
    REGION("eu-west-1", false),      REGION("eu-west-2", false),      REGION("eu-west-3", false),
    REGION("eu-south-1", true),      REGION("eu-north-1", false),     REGION("il-central-1", true),
    REGION("me-south-1", false),     REGION("me-central-1", true),    REGION("sa-east-1", false),
    REGION("us-gov-west-1", false),  REGION("us-gov-east-1", true),
};
#undef REGION

std::string folded(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return wire::ascii::lowered(text);
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> d((n + 1) * (m + 1));
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * (m + 1) + j]; };
  for (std::size_t i = 0; i <= n; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j <= m; ++j) at(0, j) = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(n, m);
}

std::span<const SesRegion> ses_regions() noexcept { return kRegions; }

const SesRegion* find_region(std::string_view text) noexcept {
  if (text.size() > 64) return nullptr;
  const std::string name = folded(text);
  for (const auto& r : kRegions)
    if (r.name == name) return &r;
  return nullptr;
}

std::string nearest_region(std::string_view text) {
  constexpr std::size_t kMaxEdits = 3;
  if (text.size() > 64) return {};
  const std::string name = folded(text);
  std::string best;
  std::size_t best_d = kMaxEdits + 1;
  for (const auto& r : kRegions) {
    const std::size_t d = edit_distance(name, r.name);
    if (d < best_d) {
      best_d = d;
      best = std::string(r.name);
    }
  }
  return best;
}

}  // namespace dkimdoctor::diagnose
