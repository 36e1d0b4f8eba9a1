// ASCII case folding eight octets at a time (SWAR), for the hot comparisons and hashes of names
// (RFC 4343: DNS names compare ASCII case-insensitively; other octets as they are).
#pragma once

#include <cstdint>

namespace dkimdoctor::wire::ascii {

// Each octet of `x` that is 'A'..'Z' gets 0x20 added; every other octet is unchanged.
inline constexpr std::uint64_t lower8(std::uint64_t x) noexcept {
  constexpr std::uint64_t k7f = 0x7f7f7f7f7f7f7f7fULL, k80 = 0x8080808080808080ULL;
  const std::uint64_t low7 = x & k7f;
  const std::uint64_t above_z = low7 + 0x2525252525252525ULL;  // high bit: octet > 'Z'
  const std::uint64_t from_a = low7 + 0x3f3f3f3f3f3f3f3fULL;   // high bit: octet >= 'A'
  const std::uint64_t upper = (from_a ^ above_z) & ~x & k80;
  return x | (upper >> 2);
}

static_assert(lower8(0x41'5a'40'5b'61'7a'c1'00ULL) == 0x61'7a'40'5b'61'7a'c1'00ULL);

}  // namespace dkimdoctor::wire::ascii
