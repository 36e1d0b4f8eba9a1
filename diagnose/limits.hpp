// Bounds on what one identity may ask of a check (issue 18, "work per identity is unbounded and
// super-linear": one check with 1,000 Easy DKIM tokens sent 24.6k queries, 40k tokens ran 176 s in
// quadratic de-duplication before a query left). Each bound is what SES itself allows, so no real
// identity is refused; an input beyond one is an input error naming the limit, checked while the
// identity is built (token by token, so the work before the refusal is linear too).
#pragma once

#include <cstddef>

namespace dkimdoctor::diagnose {

// SES issues exactly 3 Easy DKIM tokens per identity and region (DkimAttributes.Tokens).
inline constexpr std::size_t kEasyDkimTokensPerRegion = 3;
// Regions one identity can be verified in: SES runs in about 30 regions (commercial, GovCloud and
// China partitions together); 32 leaves room for a few more.
inline constexpr std::size_t kMaxSesRegions = 32;
// Easy DKIM tokens per identity: 3 in every region there is, 96.
inline constexpr std::size_t kMaxEasyDkimTokens = kEasyDkimTokensPerRegion * kMaxSesRegions;
// Records one identity is expected to publish (expectations()): a CNAME per token plus at most 16
// others (BYODKIM key, verification TXT, MAIL FROM MX and SPF, domain MX, DMARC, e-mail domain MX,
// token presence TXT): 112. Every lookup a check plans comes from these.
inline constexpr std::size_t kMaxExpectedRecords = kMaxEasyDkimTokens + 16;

}  // namespace dkimdoctor::diagnose
