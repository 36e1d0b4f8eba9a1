// The byte layer: network-order integers (RFC 1035 §2.3.2: most significant octet first) and the one
// bounds-checked cursor every variable-length read goes through. Every other file of the project
// reads and writes 16/32-bit fields through these helpers; none defines its own.
//
// Calling convention:
// - get16/get32/put16/put32 take a raw pointer and do no bounds checks: the caller has already checked
//   the length (a validated message, a fixed-size header). They are constexpr and inline because the
//   parse hot path reads every record header through them.
// - append16/append32 grow a vector (builders).
// - Cursor is for bytes that may be short. A read past the end returns 0 or an empty span and sets
//   `bad()`, which stays set: the caller reads every field, then checks once (the pattern of Knot's
//   wire_ctx). Nothing is allocated from a length read out of the data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace dkimdoctor::wire {

inline constexpr std::uint16_t get16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline constexpr std::uint32_t get32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
inline constexpr void put16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline constexpr void put32(std::uint8_t* p, std::uint32_t v) noexcept {
  put16(p, static_cast<std::uint16_t>(v >> 16));
  put16(p + 2, static_cast<std::uint16_t>(v));
}
inline void append16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
inline void append32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  append16(out, static_cast<std::uint16_t>(v >> 16));
  append16(out, static_cast<std::uint16_t>(v));
}

// A sticky-error reader over a span: every read is bounds-checked, the first failure sets `bad()`
// for good, and every read after it returns 0 / empty without moving.
class Cursor {
 public:
  constexpr explicit Cursor(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}

  constexpr bool bad() const noexcept { return bad_; }
  constexpr std::size_t pos() const noexcept { return pos_; }
  constexpr std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
  // All of the bytes consumed and no read failed: what a caller checks once at the end.
  constexpr bool done() const noexcept { return !bad_ && pos_ == bytes_.size(); }
  constexpr std::span<const std::uint8_t> data() const noexcept { return bytes_; }

  // Marks the cursor bad (a caller-level check failed, e.g. a name that does not decode).
  constexpr void fail() noexcept { bad_ = true; }
  // Are `n` more octets there? If not, the cursor goes bad.
  constexpr bool need(std::size_t n) noexcept {
    if (bad_ || remaining() < n) bad_ = true;
    return !bad_;
  }
  constexpr void skip(std::size_t n) noexcept {
    if (need(n)) pos_ += n;
  }
  // Moves to `pos` (a position a caller-level decoder, e.g. read_name, has already bounds-checked).
  constexpr void seek(std::size_t pos) noexcept {
    if (bad_ || pos > bytes_.size()) bad_ = true;
    else pos_ = pos;
  }

  constexpr std::uint8_t u8() noexcept { return need(1) ? bytes_[pos_++] : 0; }
  constexpr std::uint16_t u16() noexcept {
    if (!need(2)) return 0;
    pos_ += 2;
    return get16(bytes_.data() + pos_ - 2);
  }
  constexpr std::uint32_t u32() noexcept {
    if (!need(4)) return 0;
    pos_ += 4;
    return get32(bytes_.data() + pos_ - 4);
  }
  constexpr std::span<const std::uint8_t> take(std::size_t n) noexcept {
    if (!need(n)) return {};
    pos_ += n;
    return bytes_.subspan(pos_ - n, n);
  }
  constexpr std::span<const std::uint8_t> rest() noexcept { return take(bad_ ? 0 : remaining()); }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
  bool bad_ = false;
};

}  // namespace dkimdoctor::wire
