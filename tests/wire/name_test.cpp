// Name: presentation parse/print (RFC 1035 §5.1), limits, comparisons (RFC 4343, RFC 4034 §6.1) and
// THE decompression function read_name (RFC 1035 §4.1.4).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "wire/name.hpp"
#include "wire_test_util.hpp"

using namespace dkimdoctor::wire;
using wire_test::hex;

namespace {

Name N(std::string_view s) {
  auto n = Name::parse(s);
  EXPECT_TRUE(n) << s;
  return n ? *n : Name();
}

struct PrintCase {
  const char* name;
  std::string_view input;
  std::string_view printed;
  std::size_t labels;
};

const PrintCase kPrintCases[] = {
    {"root_dot", ".", ".", 0},
    {"root_empty", "", ".", 0},
    {"relative_made_absolute", "example.com", "example.com.", 2},
    {"absolute", "example.com.", "example.com.", 2},
    {"case_preserved", "ExAmPlE.CoM.", "ExAmPlE.CoM.", 2},
    {"escaped_dot_in_label", "a\\.b.example.", "a\\.b.example.", 2},
    {"decimal_escape_printable", "\\065bc.", "Abc.", 1},
    {"decimal_escape_space", "a\\032b.", "a\\032b.", 1},
    {"decimal_escape_nonprintable", "\\000\\255.", "\\000\\255.", 1},
    {"escaped_backslash", "a\\\\b.", "a\\\\b.", 1},
    {"special_chars_escaped", "\\;\\(\\)\\\"\\@\\$.", "\\;\\(\\)\\\"\\@\\$.", 1},
    {"underscore_label", "_domainkey.example.com", "_domainkey.example.com.", 3},
    {"single_char_escape", "\\a.", "a.", 1},
};

class NamePrint : public ::testing::TestWithParam<PrintCase> {};

TEST_P(NamePrint, ParsesAndPrints) {
  const auto& c = GetParam();
  auto n = Name::parse(c.input);
  ASSERT_TRUE(n) << to_string(n.error());
  EXPECT_EQ(n->to_string(), c.printed);
  EXPECT_EQ(n->label_count(), c.labels);
  // Printing is a fixed point: the printed text parses to the same octets.
  auto again = Name::parse(n->to_string());
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->equals_exact(*n));
}

INSTANTIATE_TEST_SUITE_P(Table, NamePrint, ::testing::ValuesIn(kPrintCases),
                         [](const auto& info) { return std::string(info.param.name); });

struct BadCase {
  const char* name;
  std::string input;
  Errc code;
  std::size_t offset;
};

std::vector<BadCase> bad_cases() {
  return {
      {"empty_label_inside", "a..b", Errc::empty_label, 2},
      {"leading_dot", ".a", Errc::empty_label, 0},
      {"label_64", std::string(64, 'a') + ".com", Errc::label_too_long, 63},
      {"escape_at_end", "abc\\", Errc::bad_escape, 3},
      {"decimal_escape_too_big", "a\\256", Errc::bad_escape, 1},
      {"decimal_escape_short", "a\\12", Errc::bad_escape, 1},
      {"decimal_escape_nondigit", "a\\1x3", Errc::bad_escape, 1},
      // 4 labels of 63 + dots = 256 octets in wire form.
      {"name_256_octets", std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                              std::string(62, 'd'),
       Errc::name_too_long, 253},
  };
}

class NameBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(NameBad, Rejected) {
  const auto& c = GetParam();
  auto n = Name::parse(c.input);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, c.code) << to_string(n.error());
  EXPECT_EQ(n.error().offset, c.offset) << to_string(n.error());
}

INSTANTIATE_TEST_SUITE_P(Table, NameBad, ::testing::ValuesIn(bad_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Name, Longest255OctetsAccepted) {
  // 63+1 +63+1 +63+1 +61+1 + root = 255.
  const std::string s = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                        std::string(61, 'd');
  auto n = Name::parse(s);
  ASSERT_TRUE(n) << to_string(n.error());
  EXPECT_EQ(n->wire_length(), 255u);
  auto longer = n->prepend("x");
  ASSERT_FALSE(longer);
  EXPECT_EQ(longer.error().code, Errc::name_too_long);
}

TEST(Name, WireForm) {
  const Name f = N("F.ISI.ARPA");
  EXPECT_EQ(std::vector<std::uint8_t>(f.wire().begin(), f.wire().end()), hex("01 46 03 49 53 49 04 41 52 50 41 00"));
  EXPECT_EQ(Name().wire().size(), 1u);
  EXPECT_TRUE(Name().is_root());
}

TEST(Name, Labels) {
  const Name n = N("www.Example.com.");
  EXPECT_EQ(n.label(0), "www");
  EXPECT_EQ(n.label(1), "Example");
  EXPECT_EQ(n.label(2), "com");
}

TEST(Name, CaseInsensitiveEqualityAndExact) {
  EXPECT_EQ(N("WWW.example.COM"), N("www.EXAMPLE.com."));
  EXPECT_FALSE(N("WWW.example.COM").equals_exact(N("www.EXAMPLE.com.")));
  EXPECT_TRUE(N("www.example.com").equals_exact(N("www.example.com.")));
  EXPECT_FALSE(N("www.example.com") == N("www.example.org"));
  EXPECT_FALSE(N("a.b") == N("ab"));
  // 0x20 differs from the case bit only for letters: '@' (0x40) and '`' (0x60) are different names.
  EXPECT_FALSE(N("\\@") == N("`"));
  NameHash h;
  EXPECT_EQ(h(N("MiXeD.Example.")), h(N("mixed.example.")));
  std::unordered_set<Name, NameHash> set{N("a.example"), N("A.EXAMPLE"), N("b.example")};
  EXPECT_EQ(set.size(), 2u);
}

TEST(Name, SubdomainParentSuffix) {
  const Name n = N("a.b.example.com");
  EXPECT_TRUE(n.is_subdomain_of(N("example.com")));
  EXPECT_TRUE(n.is_subdomain_of(N("EXAMPLE.com")));
  EXPECT_TRUE(n.is_subdomain_of(n));
  EXPECT_TRUE(n.is_subdomain_of(Name()));
  EXPECT_FALSE(n.is_subdomain_of(N("ample.com")));
  EXPECT_FALSE(N("example.com").is_subdomain_of(n));
  EXPECT_EQ(n.parent(), N("b.example.com"));
  EXPECT_EQ(Name().parent(), Name());
  EXPECT_EQ(n.suffix(2), N("example.com"));
  EXPECT_EQ(n.suffix(0), Name());
  EXPECT_EQ(n.suffix(99), n);
  EXPECT_EQ(n.lowercased().to_string(), "a.b.example.com.");
  EXPECT_EQ(N("A.B").lowercased().to_string(), "a.b.");
}

TEST(Name, PrependAppend) {
  auto p = N("example.com").prepend("_domainkey");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->to_string(), "_domainkey.example.com.");
  auto a = N("selector._domainkey").append(N("example.com"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->to_string(), "selector._domainkey.example.com.");
  EXPECT_EQ(a->label_count(), 4u);
  EXPECT_FALSE(N("x").prepend(""));
  EXPECT_EQ(N("x").prepend(std::string(64, 'a')).error().code, Errc::label_too_long);
  EXPECT_EQ(N("x").prepend("with.dot")->label_count(), 2u);  // raw label: the dot is an octet
  EXPECT_EQ(N("x").prepend("with.dot")->to_string(), "with\\.dot.x.");
}

TEST(Name, CanonicalOrderRfc4034Example) {
  // RFC 4034 §6.1: the example names in canonical order.
  const std::vector<std::string> ordered = {
      "example.",         "a.example.",  "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.",
      "z.example.",       "\\001.z.example.", "*.z.example.",     "\\200.z.example."};
  for (std::size_t i = 0; i + 1 < ordered.size(); ++i) {
    EXPECT_LT(N(ordered[i]).canonical_compare(N(ordered[i + 1])), 0) << ordered[i] << " < " << ordered[i + 1];
    EXPECT_GT(N(ordered[i + 1]).canonical_compare(N(ordered[i])), 0);
  }
  EXPECT_EQ(N("Z.a.example").canonical_compare(N("z.A.EXAMPLE")), 0);
  std::vector<Name> shuffled;
  for (auto it = ordered.rbegin(); it != ordered.rend(); ++it) shuffled.push_back(N(*it));
  std::sort(shuffled.begin(), shuffled.end(), [](const Name& a, const Name& b) { return a.canonical_compare(b) < 0; });
  for (std::size_t i = 0; i < ordered.size(); ++i) EXPECT_EQ(shuffled[i], N(ordered[i]));
}

// RFC 1035 §4.1.4 example: F.ISI.ARPA at 20, FOO.F.ISI.ARPA at 40 (pointer to 20), ARPA at 64
// (pointer to 26), the root at 92. Offsets here are shifted so the names live after a 12-byte header.
std::vector<std::uint8_t> rfc1035_message() {
  std::vector<std::uint8_t> m(20, 0);
  auto put = [&](std::size_t at, std::vector<std::uint8_t> b) {
    if (m.size() < at + b.size()) m.resize(at + b.size());
    std::copy(b.begin(), b.end(), m.begin() + static_cast<std::ptrdiff_t>(at));
  };
  put(20, hex("01 46 03 49 53 49 04 41 52 50 41 00"));  // F.ISI.ARPA
  put(40, hex("03 46 4F 4F C0 14"));                     // FOO + pointer to 20
  put(64, hex("C0 1A"));                                 // pointer to 26 (ARPA)
  put(92, hex("00"));                                    // root
  return m;
}

TEST(ReadName, Rfc1035CompressionExample) {
  const auto m = rfc1035_message();
  std::size_t next = 0;
  auto f = read_name(m, 20, &next);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->to_string(), "F.ISI.ARPA.");
  EXPECT_EQ(next, 32u);
  auto foo = read_name(m, 40, &next);
  ASSERT_TRUE(foo);
  EXPECT_EQ(foo->to_string(), "FOO.F.ISI.ARPA.");
  EXPECT_EQ(next, 46u);
  auto arpa = read_name(m, 64, &next);
  ASSERT_TRUE(arpa);
  EXPECT_EQ(arpa->to_string(), "ARPA.");
  EXPECT_EQ(next, 66u);
  auto root = read_name(m, 92, &next);
  ASSERT_TRUE(root);
  EXPECT_TRUE(root->is_root());
  EXPECT_EQ(next, 93u);
  auto skipped = skip_name(m, 40);
  ASSERT_TRUE(skipped);
  EXPECT_EQ(*skipped, 46u);
}

struct DecompressBad {
  const char* name;
  std::vector<std::uint8_t> message;
  std::size_t offset;
  Errc code;
  std::size_t at;
};

std::vector<DecompressBad> decompress_bad() {
  std::vector<std::uint8_t> header(12, 0);
  auto msg = [&](std::string_view body) { return wire_test::concat({header, hex(body)}); };
  return {
      {"pointer_to_itself", msg("C0 0C"), 12, Errc::pointer_loop, 12},
      {"pointer_forward", msg("C0 0E 00 01 61 00"), 12, Errc::pointer_forward, 12},
      {"pointer_into_header", msg("C0 02"), 12, Errc::pointer_into_header, 12},
      // a.<ptr to 12>: the pointer goes back into its own run -> would loop.
      {"pointer_loop_two_step", msg("01 61 C0 0C"), 12, Errc::pointer_loop, 14},
      // Name at 16 points to 12 whose run points to 16 (forward from 14's point of view).
      {"pointer_loop_forward_back", msg("01 61 C0 10 C0 0C"), 16, Errc::pointer_forward, 14},
      {"truncated_in_label", msg("05 61 62"), 12, Errc::truncated, 12},
      {"truncated_no_terminator", msg("01 61"), 12, Errc::truncated, 14},
      {"truncated_pointer", msg("01 61 C0"), 12, Errc::truncated, 14},
      {"label_type_01", msg("41 61 00"), 12, Errc::bad_label_type, 12},
      {"label_type_10", msg("81 61 00"), 12, Errc::bad_label_type, 12},
      {"offset_past_end", msg(""), 12, Errc::truncated, 12},
  };
}

class ReadNameBad : public ::testing::TestWithParam<DecompressBad> {};

TEST_P(ReadNameBad, Rejected) {
  const auto& c = GetParam();
  std::size_t next = 0;
  auto n = read_name(c.message, c.offset, &next);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, c.code) << to_string(n.error());
  EXPECT_EQ(n.error().offset, c.at) << to_string(n.error());
  auto s = skip_name(c.message, c.offset);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), n.error());
}

INSTANTIATE_TEST_SUITE_P(Table, ReadNameBad, ::testing::ValuesIn(decompress_bad()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ReadName, NameOver255ViaPointersRejected) {
  // Four 63-octet labels chained by pointers: each piece is fine, the total is 257 octets.
  std::vector<std::uint8_t> m(12, 0);
  auto label63 = [&](char c) {
    m.push_back(63);
    m.insert(m.end(), 63, static_cast<std::uint8_t>(c));
  };
  label63('a');
  m.push_back(0);  // "aaa...": at 12, 65 octets
  const std::size_t b = m.size();
  label63('b');
  m.push_back(0xC0);
  m.push_back(12);
  const std::size_t c = m.size();
  label63('c');
  m.push_back(static_cast<std::uint8_t>(0xC0 | (b >> 8)));
  m.push_back(static_cast<std::uint8_t>(b));
  const std::size_t d = m.size();
  label63('d');
  m.push_back(static_cast<std::uint8_t>(0xC0 | (c >> 8)));
  m.push_back(static_cast<std::uint8_t>(c));
  ASSERT_TRUE(read_name(m, c, nullptr));  // 3 labels: 193 octets
  auto n = read_name(m, d, nullptr);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, Errc::name_too_long);
}

TEST(ReadName, HopCap) {
  // A chain of pointers each to the one before, ending at a root label: more hops than allowed.
  std::vector<std::uint8_t> m(12, 0);
  m.push_back(0);  // root at 12
  std::size_t prev = 12;
  for (int i = 0; i < 200; ++i) {
    const std::size_t at = m.size();
    m.push_back(static_cast<std::uint8_t>(0xC0 | (prev >> 8)));
    m.push_back(static_cast<std::uint8_t>(prev));
    prev = at;
  }
  auto n = read_name(m, prev, nullptr);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, Errc::too_many_pointers);
  // 127 hops are fine.
  std::size_t start = 13 + 2 * 126;
  EXPECT_TRUE(read_name(m, start, nullptr));
}

TEST(Name, FromWire) {
  EXPECT_EQ(Name::from_wire(hex("03 77 77 77 00"))->to_string(), "www.");
  EXPECT_FALSE(Name::from_wire(hex("03 77 77 77 00 00")));  // extra byte
  EXPECT_FALSE(Name::from_wire(hex("03 77 77")));
  EXPECT_FALSE(Name::from_wire(hex("C0 00")));
}

}  // namespace

TEST(NamePresentation, EveryOctetAtEveryPositionOfALabel) {
  // The octet-at-a-time rule (RFC 1035 §5.1 specials as "\\X", non-printables as "\\DDD") that the
  // run-at-a-time printer must reproduce, and the text must parse back to the same octets.
  for (int c = 0; c < 256; ++c) {
    for (std::size_t at = 0; at < 12; ++at) {
      std::string label(12, 'k');
      label[at] = static_cast<char>(c);
      auto name = dkimdoctor::wire::Name().prepend(label);
      ASSERT_TRUE(static_cast<bool>(name));
      std::string expected;
      for (unsigned char o : label) {
        if (std::string_view(".;\\()\"@$").find(static_cast<char>(o)) != std::string_view::npos) {
          expected += '\\';
          expected += static_cast<char>(o);
        } else if (o < 0x21 || o > 0x7E) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03u", o);
          expected += buf;
        } else {
          expected += static_cast<char>(o);
        }
      }
      expected += '.';
      ASSERT_EQ(name->to_string(), expected) << c << " at " << at;
      auto back = dkimdoctor::wire::Name::parse(expected);
      ASSERT_TRUE(static_cast<bool>(back));
      ASSERT_TRUE(back->equals_exact(*name));
    }
  }
}

// fuzz_wire_name's crash (fuzz/corpus/fuzz_wire_name/crash-59aa27d3e259): a label of 50 octets has the length
// octet '2', a plain octet, and the one-copy printer counted octets that need an escape over the whole wire
// form, so that length octet hid the backslash inside the label and the name printed unescaped. Every label
// length that is itself a plain octet (45 '-', 48-57 the digits), with one octet to escape anywhere in it.
TEST(NamePresentation, FuzzLengthOctetThatIsPlainDoesNotHideAnEscape) {
  for (std::size_t length : {45u, 48u, 50u, 57u}) {
    for (char special : {'\\', '.', '"', ' '}) {
      std::string label(length, 'h');
      label[length / 2] = special;
      auto name = dkimdoctor::wire::Name().prepend(label);
      ASSERT_TRUE(static_cast<bool>(name));
      const std::string text = name->to_string();
      EXPECT_NE(text.find('\\'), std::string::npos) << length << " " << text;
      auto back = dkimdoctor::wire::Name::parse(text);
      ASSERT_TRUE(static_cast<bool>(back)) << text;
      EXPECT_TRUE(back->equals_exact(*name)) << text;
    }
  }
  const std::string crash = "\\\\2HHHHHHHHHHHHHHHHH192.0.2.1HHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHH8";
  auto n = dkimdoctor::wire::Name::parse(crash);
  ASSERT_TRUE(static_cast<bool>(n));
  auto again = dkimdoctor::wire::Name::parse(n->to_string());
  ASSERT_TRUE(static_cast<bool>(again)) << n->to_string();
  EXPECT_TRUE(again->equals_exact(*n));
}

TEST(NameCompare, CaseFoldingOverWordBoundariesAndOnlyAtLabelBoundaries) {
  // Names of every length around the 8-octet words the comparison works in, in both cases.
  for (std::size_t n = 1; n <= 40; ++n) {
    const std::string lower_label(n, 'q'), upper_label(n, 'Q');
    const Name a = N(lower_label + ".example.org"), b = N(upper_label + ".EXAMPLE.org");
    EXPECT_TRUE(a == b) << n;
    EXPECT_TRUE(a.is_subdomain_of(N("Example.ORG"))) << n;
    EXPECT_EQ(a.lowercased().to_string(), lower_label + ".example.org.");
    EXPECT_EQ(b.lowercased().to_string(), lower_label + ".example.org.");
    // One octet different at the end of a long label: not equal.
    std::string other = upper_label;
    other.back() = 'R';
    EXPECT_FALSE(a == N(other + ".example.org")) << n;
    // Case folding is ASCII only: '@' (0x40) and '`' (0x60) stay distinct, as do 0xC1 and 0xE1.
    EXPECT_FALSE(N(lower_label + "\\064.x") == N(lower_label + "\\096.x"));
    EXPECT_FALSE(N(lower_label + "\\193.x") == N(lower_label + "\\225.x"));
  }
  // A suffix only counts on a label boundary, and never when the ancestor is longer.
  EXPECT_FALSE(N("a.bexample.org").is_subdomain_of(N("example.org")));
  EXPECT_FALSE(N("xexample.org").is_subdomain_of(N("example.org")));
  EXPECT_TRUE(N("x.y.z.example.org").is_subdomain_of(N("Z.Example.Org")));
  EXPECT_FALSE(N("org").is_subdomain_of(N("example.org")));
}
