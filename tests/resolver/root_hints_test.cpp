// Root hints: the built-in set and named.root parsing (including hostile files).
#include <gtest/gtest.h>

#include "resolver/root_hints.hpp"

namespace dkimdoctor::resolver {
namespace {

TEST(RootHints, BuiltinAreTheThirteenRootServers) {
  const auto& h = builtin_root_hints();
  ASSERT_EQ(h.size(), 13u);
  EXPECT_EQ(h[0].name.to_string(), "a.root-servers.net.");
  EXPECT_EQ(h[0].addresses[0].to_string(), "198.41.0.4");
  for (const auto& s : h) EXPECT_EQ(s.addresses.size(), 2u);
}

TEST(RootHints, ParsesNamedRoot) {
  auto h = parse_root_hints(
      "; comment\n"
      ".                        3600000      NS    A.ROOT-SERVERS.NET.\n"
      "A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4\n"
      "A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30\n"
      ".                        3600000      NS    B.ROOT-SERVERS.NET.\n"
      "B.ROOT-SERVERS.NET.      3600000      A     170.247.170.2\n");
  ASSERT_TRUE(h.ok()) << h.error();
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].addresses.size(), 2u);
}

TEST(RootHints, RejectsBadFiles) {
  EXPECT_FALSE(parse_root_hints("").ok());
  EXPECT_FALSE(parse_root_hints(". 3600 NS a.root.\n").ok());  // no address
  EXPECT_FALSE(parse_root_hints("garbage \x01\x02 (((\n").ok());
  EXPECT_FALSE(parse_root_hints(std::string(300, 'a') + ". 3600 A 1.2.3.4\n").ok());
  EXPECT_FALSE(load_root_hints("/nonexistent/root.hints").ok());
}

}  // namespace
}  // namespace dkimdoctor::resolver
