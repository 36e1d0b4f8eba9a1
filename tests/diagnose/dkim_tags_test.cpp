// RFC 6376 §3.2 tag lists and §3.6.1 key records: spec table of named cases.
#include <gtest/gtest.h>

#include "diagnose/dkim_tags.hpp"

namespace dkimdoctor::diagnose {
namespace {

struct TagCase {
  const char* name;
  std::string input;
  bool ok;
  std::vector<std::pair<std::string, std::string>> tags;  // when ok
  TagErrc error = TagErrc::empty_tag_spec;                // when !ok
  std::size_t offset = 0;
};

const TagCase kTagCases[] = {
    {"simple", "v=DKIM1; k=rsa; p=AbC", true, {{"v", "DKIM1"}, {"k", "rsa"}, {"p", "AbC"}}},
    {"trailing_semicolon", "v=DKIM1; p=x;", true, {{"v", "DKIM1"}, {"p", "x"}}},
    {"trailing_semicolon_and_space", "p=x;  ", true, {{"p", "x"}}},
    {"empty_input", "", true, {}},
    {"fws_around_everything", " \t v \t= \r\n DKIM1 ;\r\n p = a b\r\n c ", true, {{"v", "DKIM1"}, {"p", "a b\r\n c"}}},
    {"empty_value", "p=", true, {{"p", ""}}},
    {"underscore_and_digit_in_name", "x_1=y", true, {{"x_1", "y"}}},
    {"value_with_equals_and_colons", "h=sha1:sha256; n=a=b", true, {{"h", "sha1:sha256"}, {"n", "a=b"}}},
    {"double_semicolon", "v=DKIM1;; p=x", false, {}, TagErrc::empty_tag_spec, 8},
    {"leading_semicolon", ";p=x", false, {}, TagErrc::empty_tag_spec, 0},
    {"name_starts_with_digit", "1p=x", false, {}, TagErrc::bad_tag_name, 0},
    {"name_with_hyphen", "p-x=y", false, {}, TagErrc::bad_tag_name, 1},
    {"two_words_before_equals", "p x=y", false, {}, TagErrc::bad_tag_name, 2},
    {"missing_equals", "v=DKIM1; p", false, {}, TagErrc::missing_equals, 9},
    {"duplicate", "p=a; k=rsa; p=b", false, {}, TagErrc::duplicate_tag, 12},
    {"control_character_in_value", std::string("p=a\x01" "b"), false, {}, TagErrc::bad_value_char, 3},
    {"eight_bit_in_value", "p=a\xc3\xa9", false, {}, TagErrc::bad_value_char, 3},
    {"quote_is_a_valchar", "p=\"abc\"", true, {{"p", "\"abc\""}}},
};

class TagList : public ::testing::TestWithParam<TagCase> {};

TEST_P(TagList, Parses) {
  const auto& c = GetParam();
  auto r = parse_tag_list(c.input);
  ASSERT_EQ(r.ok(), c.ok) << (r.ok() ? std::string("ok") : to_string(r.error()));
  if (c.ok) {
    std::vector<std::pair<std::string, std::string>> got;
    for (const auto& t : *r) got.emplace_back(t.name, t.value);
    EXPECT_EQ(got, c.tags);
  } else {
    EXPECT_EQ(r.error().code, c.error) << to_string(r.error());
    EXPECT_EQ(r.error().offset, c.offset) << to_string(r.error());
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc6376, TagList, ::testing::ValuesIn(kTagCases),
                         [](const auto& info) { return std::string(info.param.name); });

struct RecordCase {
  const char* name;
  std::string input;
  bool ok;
  DkimRecordErrc error = DkimRecordErrc::tag_syntax;
};

const RecordCase kRecordCases[] = {
    {"minimal_p_only", "p=MIGf", true},
    {"full", "v=DKIM1; h=sha256; k=rsa; n=note; s=email; t=s:y; p=MIGf", true},
    {"version_not_first", "k=rsa; v=DKIM1; p=MIGf", false, DkimRecordErrc::version_not_first},
    {"bad_version", "v=DKIM2; p=MIGf", false, DkimRecordErrc::bad_version},
    {"lowercase_version", "v=dkim1; p=migf", false, DkimRecordErrc::bad_version},
    {"missing_p", "v=DKIM1; k=rsa", false, DkimRecordErrc::missing_p},
    {"uppercase_P_is_not_p", "v=DKIM1; P=MIGf", false, DkimRecordErrc::missing_p},
    {"bad_flags", "t=y,s; p=MIGf", false, DkimRecordErrc::bad_flags},
    {"tag_syntax", "v=DKIM1; p", false, DkimRecordErrc::tag_syntax},
    {"revoked_key_parses", "v=DKIM1; p=", true},
};

class KeyRecord : public ::testing::TestWithParam<RecordCase> {};

TEST_P(KeyRecord, Parses) {
  const auto& c = GetParam();
  auto r = parse_dkim_record(c.input);
  ASSERT_EQ(r.ok(), c.ok) << (r.ok() ? std::string("ok") : to_string(r.error()));
  if (!c.ok) {
    EXPECT_EQ(r.error().code, c.error) << to_string(r.error());
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc6376, KeyRecord, ::testing::ValuesIn(kRecordCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(KeyRecordFields, FlagsListsAndUnknownTags) {
  auto r = parse_dkim_record("v=DKIM1; k=RSA; t=s:y:zz; h=sha1 : sha256; s=email; x=1; p=AB CD");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->version, "DKIM1");
  EXPECT_EQ(r->key_type, "rsa");
  EXPECT_TRUE(r->testing);
  EXPECT_TRUE(r->strict);
  EXPECT_EQ(r->hash_algorithms, (std::vector<std::string>{"sha1", "sha256"}));
  EXPECT_EQ(r->service_types, (std::vector<std::string>{"email"}));
  EXPECT_EQ(r->unknown_tags, (std::vector<std::string>{"x"}));
  EXPECT_EQ(r->p, "AB CD");
  EXPECT_TRUE(r->has_p);
}

TEST(KeyRecordFields, DefaultsWhenAbsent) {
  auto r = parse_dkim_record("p=x");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->version);
  EXPECT_EQ(r->key_type, "rsa");
  EXPECT_FALSE(r->testing);
}

}  // namespace
}  // namespace dkimdoctor::diagnose
