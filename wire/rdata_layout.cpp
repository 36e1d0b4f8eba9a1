#include "wire/rdata_layout.hpp"

#include "wire/name_internal.hpp"

namespace dkimdoctor::wire::layout {

namespace {
using F = Field;
bool is_alnum(std::uint8_t c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Names inside RDATA without a message to point into: labels only.
WireResult<std::size_t> plain_name_end(std::span<const std::uint8_t> msg, std::size_t pos, std::size_t end) noexcept {
  std::size_t len = 0;
  for (;;) {
    if (pos >= end) return fail(Errc::rdata_length_mismatch, pos);
    const std::uint8_t b = msg[pos];
    if (b == 0) return pos + 1;
    if ((b & 0xC0) == 0xC0) return fail(Errc::bad_rdata, pos);  // pointer where none may be
    if (b & 0xC0) return fail(Errc::bad_label_type, pos);
    len += 1 + b;
    if (len + 1 > kMaxNameLength) return fail(Errc::name_too_long, pos);
    pos += 1 + b;
  }
}
// A name that may hold compression pointers (checked as in a message; see name_internal.hpp).
WireResult<std::size_t> compressed_name_end(std::span<const std::uint8_t> msg, std::size_t pos,
                                            std::size_t end) noexcept {
  Error err{};
  std::size_t len = 0, labels = 0;
  const std::size_t next = walk_name<false>(msg.data(), end, pos, nullptr, len, labels, err);
  if (!next) {
    // Running off the end of the RDATA is an RDLENGTH problem, not a message truncation.
    if (err.code == Errc::truncated) err.code = Errc::rdata_length_mismatch;
    return Unexpected<Error>{err};
  }
  return next;
}

WireResult<std::size_t> char_strings_end(std::span<const std::uint8_t> msg, std::size_t pos, std::size_t end) noexcept {
  if (pos >= end) return fail(Errc::bad_rdata, pos);  // TXT needs at least one string
  while (pos < end) {
    const std::size_t len = 1u + msg[pos];
    if (end - pos < len) return fail(Errc::rdata_length_mismatch, pos);
    pos += len;
  }
  return pos;
}

WireResult<std::size_t> caa_tag_end(std::span<const std::uint8_t> msg, std::size_t pos, std::size_t end) noexcept {
  if (pos >= end) return fail(Errc::rdata_length_mismatch, pos);
  const std::size_t len = msg[pos];
  if (len == 0) return fail(Errc::bad_rdata, pos);
  if (end - pos < 1 + len) return fail(Errc::rdata_length_mismatch, pos);
  for (std::size_t k = 1; k <= len; ++k)
    if (!is_alnum(msg[pos + k])) return fail(Errc::bad_rdata, pos + k);
  return pos + 1 + len;
}

// RFC 4034 §4.1.2: window blocks in increasing window order, bitmap length 1..32.
WireResult<std::size_t> type_bitmap_end(std::span<const std::uint8_t> msg, std::size_t pos, std::size_t end) noexcept {
  int last_window = -1;
  while (pos < end) {
    if (end - pos < 2) return fail(Errc::rdata_length_mismatch, pos);
    const int window = msg[pos];
    const std::size_t len = msg[pos + 1];
    if (window <= last_window || len == 0 || len > 32) return fail(Errc::bad_rdata, pos);
    if (end - pos - 2 < len) return fail(Errc::rdata_length_mismatch, pos);
    // "Trailing zero octets in the bitmap MUST be omitted" (which also rules out empty windows):
    // otherwise two encodings of one type list would exist and text could not round-trip.
    if (msg[pos + 1 + len] == 0) return fail(Errc::bad_rdata, pos + 1 + len);
    last_window = window;
    pos += 2 + len;
  }
  return pos;
}

WireResult<std::size_t> edns_options_end(std::span<const std::uint8_t> msg, std::size_t pos, std::size_t end) noexcept {
  while (pos < end) {
    if (end - pos < 4) return fail(Errc::rdata_length_mismatch, pos);
    const std::size_t len = (static_cast<std::size_t>(msg[pos + 2]) << 8) | msg[pos + 3];
    if (end - pos - 4 < len) return fail(Errc::rdata_length_mismatch, pos);
    pos += 4 + len;
  }
  return pos;
}

}  // namespace

WireResult<std::size_t> field_end(Field field, std::span<const std::uint8_t> msg, std::size_t pos,
                                  std::size_t end, bool compressed) noexcept {
  auto fixed = [&](std::size_t n) -> WireResult<std::size_t> {
    if (end - pos < n) return fail(Errc::rdata_length_mismatch, pos);
    return pos + n;
  };
  switch (field) {
    case F::U8: case F::U16: case F::Type: case F::U32: case F::Time: case F::Ipv4: case F::Ipv6:
      return fixed(fixed_width(field));
    case F::Name:
    case F::CompName: return compressed ? compressed_name_end(msg, pos, end) : plain_name_end(msg, pos, end);
    case F::CharString: {
      if (pos >= end) return fail(Errc::rdata_length_mismatch, pos);
      return fixed(1u + msg[pos]);
    }
    case F::CharStrings: return char_strings_end(msg, pos, end);
    case F::Base64Rest: case F::HexRest: case F::StringRest: return end;
    case F::SaltHex: {
      if (pos >= end) return fail(Errc::rdata_length_mismatch, pos);
      return fixed(1u + msg[pos]);
    }
    case F::Base32Hex: {
      if (pos >= end) return fail(Errc::rdata_length_mismatch, pos);
      if (msg[pos] == 0) return fail(Errc::bad_rdata, pos);
      return fixed(1u + msg[pos]);
    }
    case F::CaaTag: return caa_tag_end(msg, pos, end);
    case F::TypeBitmap: return type_bitmap_end(msg, pos, end);
    case F::EdnsOptions: return edns_options_end(msg, pos, end);
  }
  return fail(Errc::bad_rdata, pos);
}

}  // namespace dkimdoctor::wire::layout
