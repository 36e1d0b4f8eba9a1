// Zone / root-hints text: parse untrusted text; every record parsed prints as a master-file line that
// parses back to the same record.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "wire/zonefile.hpp"

using namespace dkimdoctor::wire;

namespace {
[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fuzz_zone: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto records = parse_zone_text(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!records) return 0;
  for (const auto& r : *records) {
    const std::string line = r.to_string();
    auto again = parse_zone_text(line);
    if (!again || again->size() != 1) {
      std::fprintf(stderr, "line: %s\n", line.c_str());
      die("printed record does not parse back");
    }
    if (!((*again)[0] == r)) {
      std::fprintf(stderr, "line: %s\n", line.c_str());
      die("record changed through text");
    }
  }
  return 0;
}
