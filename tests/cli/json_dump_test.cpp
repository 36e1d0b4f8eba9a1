// append_compact_json writes what nlohmann's dump(-1, ' ', false, replace) writes, for every kind of value
// and every kind of string (the fast path and the fallback).
#include <gtest/gtest.h>

#include <string>

#include "cli/json_dump.hpp"

namespace dkimdoctor::cli {
namespace {

std::string reference(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::string ours(const nlohmann::json& j) {
  std::string out = "prefix";
  append_compact_json(out, j);
  return out.substr(6);
}

TEST(CompactJson, SameAsNlohmannForEveryKindOfValue) {
  const nlohmann::json values[] = {
      nullptr, true, false, 0, -1, 42, std::int64_t{-9223372036854775807LL - 1}, std::uint64_t{18446744073709551615ULL},
      0.5, 522.819, 1e300, -0.0, 3.0, "", "plain text", nlohmann::json::array(), nlohmann::json::object(),
      nlohmann::json::array({1, "two", nullptr, nlohmann::json::array({3.25})}),
      {{"b", 1}, {"a", {{"z", "x"}, {"y", nlohmann::json::array()}}}, {"line", "first?"}},
  };
  for (const auto& v : values) EXPECT_EQ(ours(v), reference(v)) << reference(v);
}

TEST(CompactJson, SameAsNlohmannForHostileStrings) {
  const std::string strings[] = {
      "quote \" and backslash \\",
      "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">",
      std::string("nul \0 inside", 12),
      "controls \b\f\n\r\t\x01\x1f and DEL \x7f",
      "UTF-8: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
      "invalid UTF-8: \xff\xfe \xc3 truncated \xe2\x82",
      "overlong \xc0\xaf and surrogate \xed\xa0\x80",
  };
  for (const auto& s : strings) {
    EXPECT_EQ(ours(s), reference(s)) << reference(s);
    const nlohmann::json as_key = {{s, s}};
    EXPECT_EQ(ours(as_key), reference(as_key)) << reference(as_key);
  }
}

TEST(CompactJson, SameAsNlohmannForEveryOctet) {
  for (int c = 0; c < 256; ++c) {
    const std::string alone(1, static_cast<char>(c));
    const std::string inside = "a" + alone + "b\"" + alone;
    EXPECT_EQ(ours(alone), reference(alone)) << c;
    EXPECT_EQ(ours(inside), reference(inside)) << c;
  }
}

}  // namespace
}  // namespace dkimdoctor::cli
