// ASCII case folding eight octets at a time (SWAR), for the hot comparisons and hashes of names
// (RFC 4343: DNS names compare ASCII case-insensitively; other octets as they are).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace dkimdoctor::wire::ascii {

// One octet, ASCII letters to lower case (RFC 4343 §3): the single-octet form of lower8 below. The one
// definition of ASCII lowering in the project; every other file calls it.
inline constexpr std::uint8_t lower(std::uint8_t c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + 0x20) : c;
}

// A copy of `s` with ASCII letters lowered (tags, tokens, domain text: RFC 6376 §3.2 tags and DNS
// names compare ASCII case-insensitively; other octets stay as they are).
inline std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(lower(static_cast<std::uint8_t>(c)));
  return out;
}

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

// Keyed word mixing after wyhash: each word and the running state are XORed with the secret seed and
// multiplied into 128 bits, folded back to 64. A plain multiply-xorshift has seed-independent
// collisions (flip the top bit of one word and a fixed mask of the next); this one leaves an attacker
// who does not know the seed nothing to aim at, so hostile names cannot pile into one bucket.
inline std::uint64_t mum(std::uint64_t a, std::uint64_t b) noexcept {
  const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
}

inline constexpr std::uint64_t kHashK1 = 0xa0761d6478bd642fULL, kHashK2 = 0xe7037ed1a0b428dbULL;

// A keyed hash of [p, p + len) with ASCII letters folded to lower case, eight octets at a time: names
// equal under RFC 4343 hash alike. The cache's keys and wire::NameHash both use it.
inline std::uint64_t hash_folded(std::uint64_t seed, const std::uint8_t* p, std::size_t len) noexcept {
  const std::uint64_t s1 = seed ^ kHashK1, s2 = ((seed << 32) | (seed >> 32)) ^ kHashK2;
  std::uint64_t h = mum(seed ^ len, s2);
  std::size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = mum(lower8(w) ^ s1, h ^ s2);
  }
  if (i < len) {
    std::uint64_t w = 0;
    std::memcpy(&w, p + i, len - i);
    h = mum(lower8(w) ^ s1, h ^ s2);
  }
  return mum(h ^ s1, std::uint64_t{len} ^ s2);
}

static_assert(lower('A') == 'a' && lower('Z') == 'z' && lower('@') == '@' && lower('[') == '[');
static_assert(lower8(0x41'5a'40'5b'61'7a'c1'00ULL) == 0x61'7a'40'5b'61'7a'c1'00ULL);

}  // namespace dkimdoctor::wire::ascii
