// Unpredictable numbers for query IDs and 0x20 case bits (RFC 5452 §9.2). Drawn from OpenSSL's
// CSPRNG (RAND_bytes) through a buffer so that thousands of queries per second cost one RAND_bytes
// call per few hundred queries. Not thread-safe: one pool per io_context thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace dkimdoctor::resolver {

class RandomPool {
 public:
  std::uint16_t next_u16();
  std::uint32_t next_u32();
  std::uint64_t next_u64();
  // Uniform in [0, bound) (bound > 0), without modulo bias.
  std::uint32_t uniform(std::uint32_t bound);

 private:
  void refill();
  std::uint8_t next_byte();

  std::array<std::uint8_t, 1024> buf_{};
  std::size_t pos_ = buf_.size();
};

}  // namespace dkimdoctor::resolver
