// Name presentation text -> wire -> text must be a fixed point; the same bytes as a message exercise
// the decompression walk (the exact one and MessageView::parse's fast path, which must agree).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "wire/name.hpp"
#include "wire/name_internal.hpp"

using namespace dkimdoctor::wire;

namespace {
[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fuzz_name: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto n = Name::parse(text)) {
    const std::string printed = n->to_string();
    auto again = Name::parse(printed);
    if (!again) die("printed name does not parse");
    if (!again->equals_exact(*n)) die("text round trip changed the name");
    if (again->to_string() != printed) die("printing is not a fixed point");
    auto from_wire = Name::from_wire(n->wire());
    if (!from_wire || !from_wire->equals_exact(*n)) die("wire round trip changed the name");
    if (!(n->lowercased() == *n)) die("lowercased copy compares unequal");
    if (n->canonical_compare(n->lowercased()) != 0) die("canonical order is case-sensitive");
    if (!n->is_subdomain_of(n->parent())) die("not below its parent");
    for (std::size_t i = 0; i < n->label_count(); ++i) (void)n->label(i);
  }
  // As a message: try every offset (bounded) so pointers meet each other.
  const std::span<const std::uint8_t> msg(data, size);
  for (std::size_t off = 12; off < size && off < 64; ++off) {
    std::size_t next = 0;
    auto n = read_name(msg, off, &next);
    auto s = skip_name(msg, off);
    if (n.ok() != s.ok()) die("read_name and skip_name disagree");
    // MessageView::parse's fast walk must accept exactly what the exact walk accepts, ending at the same offset.
    const std::size_t fast = skip_name_fast(data, size, off);
    if ((fast != 0) != s.ok() || (fast && fast != *s)) die("skip_name_fast and skip_name disagree");
    if (n) {
      if (*s != next || next <= off || next > size) die("bad next offset");
      if (n->wire_length() > kMaxNameLength) die("name longer than 255");
    }
  }
  return 0;
}
