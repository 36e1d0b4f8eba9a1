// Domain names, held in uncompressed wire form in a fixed inline buffer (no heap), case-preserving,
// compared case-insensitively. Once constructed a Name is valid (labels <= 63, total <= 255 octets,
// ends with the root label), so walking its labels cannot fail.
//
// Decompression of names inside messages lives in exactly one function, read_name() (and its
// non-copying twin used by MessageView::parse shares the same core).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "wire/error.hpp"

namespace dkimdoctor::wire {

inline constexpr std::size_t kMaxNameLength = 255;  // octets in wire form (RFC 1035 §3.1)
inline constexpr std::size_t kMaxLabelLength = 63;  // RFC 1035 §2.3.4

class Name {
 public:
  // The root name ".".
  Name() noexcept : len_(1), labels_(0) { buf_[0] = 0; }
  // Copies only the used octets (names are copied on hot paths; most are far shorter than 255).
  Name(const Name& other) noexcept : len_(other.len_), labels_(other.labels_) { copy_from(other); }
  Name& operator=(const Name& other) noexcept {
    len_ = other.len_;
    labels_ = other.labels_;
    copy_from(other);
    return *this;
  }

  // Presentation format (RFC 1035 §5.1): labels separated by '.', escapes "\." and "\DDD" (decimal)
  // and "\X" for any other character X. The trailing dot is optional; the name is always absolute.
  // "." and "" are the root. Errors carry the offset into `presentation`.
  static WireResult<Name> parse(std::string_view presentation);

  // Builds from uncompressed wire form (must be exactly one complete name).
  static WireResult<Name> from_wire(std::span<const std::uint8_t> wire);

  // Presentation format with trailing dot; '.', '\\', '"', '(', ')', ';', '@', '$' and spaces
  // escaped as "\X"; non-printable octets as "\DDD".
  std::string to_string() const;
  // Appends to_string() to `out` (avoids a temporary).
  void append_to(std::string& out) const;

  // Uncompressed wire form including the terminating root label.
  std::span<const std::uint8_t> wire() const noexcept { return {buf_.data(), len_}; }
  std::size_t wire_length() const noexcept { return len_; }

  // Number of labels, not counting the root label ("a.b." has 2, "." has 0).
  std::size_t label_count() const noexcept { return labels_; }
  // Label i, 0 = leftmost, as raw octets (no escaping). Precondition: i < label_count().
  std::string_view label(std::size_t i) const noexcept;

  bool is_root() const noexcept { return labels_ == 0; }
  // True when this name equals `ancestor` or lies below it (case-insensitive).
  bool is_subdomain_of(const Name& ancestor) const noexcept;
  // This name without its leftmost label; the root's parent is the root.
  Name parent() const noexcept;
  // The last `labels` labels ("b.c." = suffix(2) of "a.b.c."); clamps to label_count().
  Name suffix(std::size_t labels) const noexcept;
  // `raw_label` (raw octets, 1..63) + this name.
  WireResult<Name> prepend(std::string_view raw_label) const;
  // This name taken as relative (its root label dropped) followed by `origin`.
  WireResult<Name> append(const Name& origin) const;

  // ASCII case-insensitive equality (RFC 4343).
  bool operator==(const Name& other) const noexcept;
  // Byte-exact equality, for 0x20-bit mixed case checks.
  bool equals_exact(const Name& other) const noexcept;
  // Canonical DNS name order (RFC 4034 §6.1): <0, 0 or >0.
  int canonical_compare(const Name& other) const noexcept;
  // ASCII-lowercased copy.
  Name lowercased() const noexcept;

 private:
  friend struct NameAccess;
  void copy_from(const Name& other) noexcept {
    // Whole 8-octet words: buf_ has room for the rounding.
    for (std::size_t i = 0; i < len_; i += 8) std::memcpy(buf_.data() + i, other.buf_.data() + i, 8);
  }
  // 255 octets + slack so the decoder can copy whole 8-octet words.
  std::array<std::uint8_t, kMaxNameLength + 9> buf_;
  std::uint8_t len_;     // 1..255
  std::uint8_t labels_;  // 0..127
};

// Case-insensitive hash, consistent with Name::operator==.
struct NameHash {
  std::size_t operator()(const Name& name) const noexcept;
};

// THE decompression function. Reads the (possibly compressed) name starting at `offset` in
// `message`. Rules: every compression pointer must point strictly backwards, before the label
// that holds it; pointers into the 12-byte header are rejected; at most kMaxPointerHops hops; labels
// <= 63; total <= 255 octets; label types 0b01/0b10 rejected. On success *next_offset (if given) is the
// offset just after the name's bytes at `offset` (after the first pointer, if any).
inline constexpr std::size_t kMaxPointerHops = 127;
WireResult<Name> read_name(std::span<const std::uint8_t> message, std::size_t offset,
                           std::size_t* next_offset);

// Same validation as read_name without building the name: returns the offset after the name. Shares
// the implementation (walk_name) with read_name; MessageView::parse runs its fast path, skip_name_fast
// (name_internal.hpp), which fuzz_wire_name checks against this.
WireResult<std::size_t> skip_name(std::span<const std::uint8_t> message, std::size_t offset);

}  // namespace dkimdoctor::wire
