// Name's storage: names of up to Name::kInlineCapacity octets inline, longer ones on the heap. Every way a
// name is made (parse, read_name, the validated views, prepend/append/suffix, lowercased) and every copy,
// move and assignment between the two kinds, at the boundaries: the decoder's in-place limit
// (kInlineCapacity - 7, its 8-octet word copies need the slack), kInlineCapacity itself, one octet over,
// and 255. Run under AddressSanitizer (build-asan), these also catch a write past the inline buffer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "wire/ascii.hpp"
#include "wire/message.hpp"
#include "wire/name.hpp"

using namespace dkimdoctor::wire;

namespace {

constexpr std::size_t kInline = Name::kInlineCapacity;

// Presentation text of a name of exactly `wire_len` octets (3..255) in wire form, in mixed case, its
// octets varying with `seed` so that two names of one length differ.
std::string text_of_length(std::size_t wire_len, char seed = 'a') {
  std::string s;
  std::size_t rest = wire_len - 1;  // label octets with their length octets; the root is the 1
  std::size_t k = 0;
  while (rest > 0) {
    std::size_t piece = std::min<std::size_t>(rest, kMaxLabelLength + 1);
    if (rest - piece == 1) --piece;  // a label needs at least 2 octets: leave 2, not 1
    if (!s.empty()) s += '.';
    for (std::size_t i = 0; i + 1 < piece; ++i, ++k)
      s += static_cast<char>((k % 2 ? 'A' : 'a') + (seed - 'a' + k) % 26);
    rest -= piece;
  }
  return s;
}

Name name_of_length(std::size_t wire_len, char seed = 'a') {
  auto n = Name::parse(text_of_length(wire_len, seed));
  EXPECT_TRUE(n) << wire_len;
  EXPECT_EQ(n ? n->wire_length() : 0, wire_len);
  return n ? *n : Name();
}

std::vector<std::uint8_t> octets(const Name& n) { return {n.wire().begin(), n.wire().end()}; }

// The lengths around every boundary of the storage.
std::vector<std::size_t> boundary_lengths() {
  return {3, kInline - 9, kInline - 8, kInline - 7, kInline - 6, kInline - 1, kInline, kInline + 1, kInline + 2,
          kInline + 8, kInline + 9, 200, 254, 255};
}

// A response: the question holds `name` uncompressed, the answer's owner is "x." + a pointer to it.
std::vector<std::uint8_t> message_with(const Name& name) {
  const std::uint8_t header[] = {0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0};
  const std::uint8_t tail[] = {0, 1, 0, 1,                                      // the question: A, IN
                               1, 'x', 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,  // x.<name> A IN 60
                               192, 0, 2, 1};
  std::vector<std::uint8_t> m(sizeof header + name.wire_length() + sizeof tail);
  std::memcpy(m.data(), header, sizeof header);
  std::memcpy(m.data() + sizeof header, name.wire().data(), name.wire_length());
  std::memcpy(m.data() + sizeof header + name.wire_length(), tail, sizeof tail);
  return m;
}

TEST(NameStorage, ObjectIsSmall) { EXPECT_LE(sizeof(Name), 112u); }

TEST(NameStorage, EveryWayOfMakingANameAtEveryBoundary) {
  for (const std::size_t len : boundary_lengths()) {
    SCOPED_TRACE(len);
    const std::string text = text_of_length(len);
    const Name n = name_of_length(len);
    EXPECT_EQ(n.to_string(), text + ".");
    // From wire form, and read back out of a message (an uncompressed name: one label run).
    auto w = Name::from_wire(n.wire());
    ASSERT_TRUE(w);
    EXPECT_EQ(octets(*w), octets(n));
    const auto m = message_with(n);
    auto r = read_name(m, 12, nullptr);
    ASSERT_TRUE(r);
    EXPECT_EQ(octets(*r), octets(n));
    // The validated views' decoder (in place, or through scratch past its limit), with a compressed
    // owner when "x." still fits: two label runs.
    auto view = MessageView::parse(m);
    if (len + 2 > kMaxNameLength) {
      ASSERT_FALSE(view);
    } else {
      ASSERT_TRUE(view) << to_string(view.error());
      EXPECT_EQ(octets((*view->questions().begin()).name()), octets(n));
      const Name owner = (*view->answers().begin()).owner();
      EXPECT_EQ(owner.to_string(), "x." + text + ".");
      EXPECT_EQ(owner.wire_length(), len + 2);
      EXPECT_EQ(owner.parent(), n);
    }
    // Case folding, comparison and hashing over the whole name.
    const Name lower = n.lowercased();
    EXPECT_EQ(lower.to_string(), ascii::lowered(text) + ".");
    EXPECT_TRUE(lower == n);
    EXPECT_EQ(lower.equals_exact(n), text == ascii::lowered(text));
    EXPECT_EQ(NameHash{}(lower), NameHash{}(n));
    EXPECT_FALSE(n == name_of_length(len, 'b'));
    EXPECT_EQ(n.canonical_compare(lower), 0);
  }
}

TEST(NameStorage, PrependAppendSuffixCrossTheBoundary) {
  for (const std::size_t len : boundary_lengths()) {
    SCOPED_TRACE(len);
    const Name n = name_of_length(len);
    // One label in front: len + 2 octets (from inline to heap at kInline - 1 and kInline).
    auto p = n.prepend("q");
    if (len + 2 > kMaxNameLength) {
      ASSERT_FALSE(p);
      continue;
    }
    ASSERT_TRUE(p);
    EXPECT_EQ(p->wire_length(), len + 2);
    EXPECT_EQ(p->to_string(), "q." + n.to_string());
    EXPECT_TRUE(p->is_subdomain_of(n));
    EXPECT_EQ(p->parent(), n);
    EXPECT_EQ(p->suffix(n.label_count()), n);
    EXPECT_EQ(p->suffix(p->label_count()), *p);
    // The same name made by append: "q." + n.
    auto q = Name::parse("q");
    ASSERT_TRUE(q);
    auto a = q->append(n);
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->equals_exact(*p));
  }
}

// Every pair of (inline, heap) for source and target, and the object left behind.
TEST(NameStorage, CopyMoveAndAssignInEveryDirection) {
  const std::vector<std::size_t> lens = {3, kInline - 7, kInline, kInline + 1, 200, 255};
  for (const std::size_t from_len : lens) {
    for (const std::size_t to_len : lens) {
      SCOPED_TRACE(std::to_string(from_len) + " -> " + std::to_string(to_len));
      const Name from = name_of_length(from_len, 'c');
      const auto want = octets(from);
      {
        Name to = name_of_length(to_len, 'd');
        to = from;  // copy assignment
        EXPECT_EQ(octets(to), want);
        EXPECT_EQ(to.label_count(), from.label_count());
        EXPECT_EQ(octets(from), want);  // the source is untouched
        Name again = to;                // and the copy copies
        EXPECT_EQ(octets(again), want);
      }
      {
        Name src = from;
        Name to = name_of_length(to_len, 'd');
        to = std::move(src);  // move assignment
        EXPECT_EQ(octets(to), want);
        EXPECT_EQ(to.label_count(), from.label_count());
        // The moved-from name is valid: itself if inline, else the root; and reusable.
        EXPECT_TRUE(src.is_root() || src.equals_exact(from));
        src = to;
        EXPECT_EQ(octets(src), want);
      }
    }
    SCOPED_TRACE(from_len);
    Name src = name_of_length(from_len, 'e');
    const auto want = octets(src);
    Name moved(std::move(src));  // move construction
    EXPECT_EQ(octets(moved), want);
    EXPECT_TRUE(src.is_root() || octets(src) == want);
    src = Name::parse("reused.example").value();
    EXPECT_EQ(src.to_string(), "reused.example.");
  }
}

TEST(NameStorage, SelfAssignment) {
  for (const std::size_t len : {std::size_t{3}, kInline, kInline + 1, std::size_t{255}}) {
    SCOPED_TRACE(len);
    Name n = name_of_length(len);
    const auto want = octets(n);
    Name& alias = n;
    n = alias;  // copy
    EXPECT_EQ(octets(n), want);
    n = std::move(alias);  // move
    EXPECT_EQ(octets(n), want);
  }
}

TEST(NameStorage, MovesAreNoexceptAndNeverAllocate) {
  static_assert(std::is_nothrow_move_constructible_v<Name>);
  static_assert(std::is_nothrow_move_assignable_v<Name>);
  // A heap name's buffer is handed over: its octets stay where they were.
  Name long_name = name_of_length(200);
  const std::uint8_t* at = long_name.wire().data();
  Name taken(std::move(long_name));
  EXPECT_EQ(taken.wire().data(), at);
  Name assigned;
  assigned = std::move(taken);
  EXPECT_EQ(assigned.wire().data(), at);
}

}  // namespace
