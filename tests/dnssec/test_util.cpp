#include "tests/dnssec/test_util.hpp"

#include "wire/text.hpp"

namespace dkimdoctor::dnssec::test {

std::uint32_t rrsig_time(std::string_view text) {
  std::uint32_t t = 0;
  EXPECT_TRUE(wire::text::parse_time(text, t)) << text;
  return t;
}

}  // namespace dkimdoctor::dnssec::test
