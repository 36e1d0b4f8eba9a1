// Fuzz one bulk input line (JSON object or a plain domain): never throws, never crashes; an accepted
// identity always has a domain below the root and gives a plan.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "diagnose/expect.hpp"
#include "diagnose/identity.hpp"

using namespace dkimdoctor::diagnose;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = parse_bulk_line(text);
  if (r) {
    if (r->domain.is_root()) std::abort();
    (void)plan(expectations(*r));
  } else {
    (void)to_string(r.error());
  }
  return 0;
}
