// Internal: raw access to Name's buffer for the wire code that builds names in place.
#pragma once

#include <cstdint>

#include "wire/name.hpp"

namespace dkimdoctor::wire {

struct NameAccess {
  static std::uint8_t* buffer(Name& n) noexcept { return n.buf_.data(); }
  static void set(Name& n, std::size_t len, std::size_t labels) noexcept {
    n.len_ = static_cast<std::uint8_t>(len);
    n.labels_ = static_cast<std::uint8_t>(labels);
  }
};

}  // namespace dkimdoctor::wire
