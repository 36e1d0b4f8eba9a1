// wire/bytes.hpp: network order both ways, and the cursor's sticky error (a short read fails, the
// failure stays, later reads return 0 / empty and do not move).
#include <gtest/gtest.h>

#include <array>

#include "wire/ascii.hpp"
#include "wire/bytes.hpp"

using namespace dkimdoctor::wire;

namespace {

TEST(Bytes, NetworkOrderRoundTrips) {
  std::array<std::uint8_t, 6> b{};
  put16(b.data(), 0x1234);
  put32(b.data() + 2, 0xdeadbeef);
  EXPECT_EQ(b, (std::array<std::uint8_t, 6>{0x12, 0x34, 0xde, 0xad, 0xbe, 0xef}));
  EXPECT_EQ(get16(b.data()), 0x1234);
  EXPECT_EQ(get32(b.data() + 2), 0xdeadbeefu);
  std::vector<std::uint8_t> v;
  append16(v, 0xff01);
  append32(v, 0x01020304);
  EXPECT_EQ(v, (std::vector<std::uint8_t>{0xff, 0x01, 0x01, 0x02, 0x03, 0x04}));
}

TEST(Bytes, CursorReadsInOrder) {
  const std::array<std::uint8_t, 9> b{0x07, 0x00, 0x35, 0x00, 0x00, 0x0e, 0x10, 'h', 'i'};
  Cursor c{b};
  EXPECT_EQ(c.u8(), 7);
  EXPECT_EQ(c.u16(), 53);
  EXPECT_EQ(c.u32(), 3600u);
  const auto s = c.take(2);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], 'h');
  EXPECT_TRUE(c.done());
  EXPECT_TRUE(c.rest().empty());
}

TEST(Bytes, CursorErrorIsSticky) {
  const std::array<std::uint8_t, 3> b{0x01, 0x02, 0x03};
  Cursor c{b};
  EXPECT_EQ(c.u16(), 0x0102);
  EXPECT_EQ(c.u16(), 0);  // one octet left: fails
  EXPECT_TRUE(c.bad());
  EXPECT_EQ(c.u8(), 0);  // the octet is there, but the cursor stays bad
  EXPECT_TRUE(c.take(0).empty());
  EXPECT_EQ(c.pos(), 2u);
  EXPECT_FALSE(c.done());
}

TEST(Bytes, CursorSeekAndSkipAreChecked) {
  const std::array<std::uint8_t, 4> b{};
  Cursor c{b};
  c.skip(4);
  EXPECT_TRUE(c.done());
  Cursor d{b};
  d.seek(5);
  EXPECT_TRUE(d.bad());
}

TEST(Ascii, LowerFoldsOnlyLetters) {
  for (int c = 0; c < 256; ++c) {
    const auto o = static_cast<std::uint8_t>(c);
    const std::uint8_t want = (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c | 0x20) : o;
    EXPECT_EQ(ascii::lower(o), want) << c;
    EXPECT_EQ(ascii::lower8(o) & 0xff, want) << c;  // the one-octet and eight-octet forms agree
  }
}

}  // namespace
