// Every input a fuzzer found that broke an invariant, kept with its bytes and the fixed behaviour.
// The input layouts are those of the targets in fuzz/wire (fuzz_rdata: 2 octets type selector,
// 1 octet mode, then text or RDATA).
#include <gtest/gtest.h>

#include "wire/message.hpp"
#include "wire/rdata.hpp"
#include "wire_test_util.hpp"

using namespace dkimdoctor::wire;
using wire_test::hex;

namespace {

// fuzz_wire_rdata crash-9c30898c: NSEC RDATA whose type bitmap had a window with trailing zero
// octets. It printed as a type list that re-encoded to different (canonical) bytes, so text did not
// round-trip. RFC 4034 §4.1.2 forbids trailing zero octets: such RDATA is now rejected.
TEST(FuzzRegression, RdataNsecBitmapTrailingZeros) {
  const auto input = hex(
      "000d0104686f7374076578616d706c6503636f6d000006400100000003041b0000000000000000000000000000000006400100000003"
      "041b0000");
  const auto rdata = std::vector<std::uint8_t>(input.begin() + 3, input.end());
  auto rd = Rdata::from_bytes(RRType::NSEC, rdata);
  ASSERT_FALSE(rd);
  EXPECT_EQ(rd.error().code, Errc::bad_rdata);
  // The canonical form of a bitmap is still accepted.
  auto ok = Rdata::parse(RRType::NSEC, "host.example.com. A MX RRSIG NSEC TYPE1234");
  ASSERT_TRUE(ok);
  EXPECT_TRUE(Rdata::from_bytes(RRType::NSEC, ok->bytes()));
}

}  // namespace
