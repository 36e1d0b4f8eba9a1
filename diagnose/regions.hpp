// The AWS regions where SES runs, as data: each region's Easy DKIM signing zone and its MAIL FROM feedback
// host. Region names given by people are case-folded; a name that is not an SES region is refused with the
// nearest one as a suggestion ("ap-southeast3" -> "did you mean ap-southeast-3?").
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace dkimdoctor::diagnose {

struct SesRegion {
  std::string_view name;          // "eu-west-1"
  bool regional_signing;          // Easy DKIM targets under dkim.<region>.amazonses.com (SES.md)
  std::string_view mail_from_mx;  // "feedback-smtp.eu-west-1.amazonses.com"
};

std::span<const SesRegion> ses_regions() noexcept;
// Optimal string alignment distance (insertions, deletions, substitutions and adjacent transpositions),
// for short words such as region and command names ("did you mean").
std::size_t edit_distance(std::string_view a, std::string_view b);
// The region named `text` (surrounding blanks ignored, any letter case), or nullptr.
const SesRegion* find_region(std::string_view text) noexcept;
// The SES region nearest to `text` by edit distance (at most 3 edits), or "" when none is that close.
std::string nearest_region(std::string_view text);

}  // namespace dkimdoctor::diagnose
