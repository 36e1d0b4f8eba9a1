// ASCII case folding eight octets at a time (SWAR), for the hot comparisons and hashes of names
// (RFC 4343: DNS names compare ASCII case-insensitively; other octets as they are).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

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

// How many octets at the start of [p, p + n) are printable ASCII other than '"' and '\\' (0x20..0x7E,
// and DEL 0x7F too when `del_is_plain`), eight at a time: the run a quoted-text writer copies as it is
// (zone-file presentation escapes DEL, JSON does not).
inline std::size_t plain_prefix(const std::uint8_t* p, std::size_t n, bool del_is_plain) noexcept {
  constexpr std::uint64_t k01 = 0x0101010101010101ULL, k80 = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t v) { return (v - k01) & ~v & k80; };
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x;
    std::memcpy(&x, p + i, 8);
    std::uint64_t special = (x & k80) | ((x - 0x20 * k01) & ~x & k80) |  // >= 0x80, < 0x20
                            has_zero(x ^ ('"' * k01)) | has_zero(x ^ ('\\' * k01));
    if (!del_is_plain) special |= has_zero(x ^ (0x7f * k01));
    if (special != 0) break;
  }
  for (; i < n; ++i) {
    const std::uint8_t c = p[i];
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || (c == 0x7f && !del_is_plain)) break;
  }
  return i;
}

static_assert(lower8(0x41'5a'40'5b'61'7a'c1'00ULL) == 0x61'7a'40'5b'61'7a'c1'00ULL);

}  // namespace dkimdoctor::wire::ascii
