// Fuzz the `aws sesv2 get-email-identity` JSON reader: never throws, never crashes, and what it accepts
// feeds expectations() and plan() without trouble.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "diagnose/expect.hpp"
#include "diagnose/identity.hpp"

using namespace dkimdoctor::diagnose;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Identity id;
  id.domain = *dkimdoctor::wire::Name::parse("example.com");
  auto r = apply_ses_identity_json(text, id);
  if (r) {
    (void)plan(expectations(id));
  } else {
    (void)to_string(r.error());
  }
  return 0;
}
