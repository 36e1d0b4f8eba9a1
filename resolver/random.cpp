#include "resolver/random.hpp"

#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

namespace dkimdoctor::resolver {

void RandomPool::refill() {
  // A failing CSPRNG is not an error to recover from: predictable IDs would make us spoofable.
  if (RAND_bytes(buf_.data(), static_cast<int>(buf_.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  pos_ = 0;
}

std::uint8_t RandomPool::next_byte() {
  if (pos_ >= buf_.size()) refill();
  return buf_[pos_++];
}

std::uint16_t RandomPool::next_u16() {
  const std::uint16_t hi = next_byte();
  return static_cast<std::uint16_t>((hi << 8) | next_byte());
}

std::uint32_t RandomPool::next_u32() {
  return (std::uint32_t{next_u16()} << 16) | next_u16();
}

std::uint64_t RandomPool::next_u64() {
  if (buf_.size() - pos_ < sizeof(std::uint64_t)) refill();
  std::uint64_t v = 0;
  std::memcpy(&v, buf_.data() + pos_, sizeof v);
  pos_ += sizeof v;
  return v;
}

std::uint32_t RandomPool::uniform(std::uint32_t bound) {
  if (bound <= 1) return 0;
  // Rejection sampling: discard the top partial range.
  const std::uint32_t limit = UINT32_MAX - (UINT32_MAX % bound);
  for (;;) {
    const std::uint32_t v = next_u32();
    if (v < limit) return v % bound;
  }
}

}  // namespace dkimdoctor::resolver
