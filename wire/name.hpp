// Domain names, held in uncompressed wire form, case-preserving, compared case-insensitively. Once
// constructed a Name is valid (labels <= 63, total <= 255 octets, ends with the root label), so walking
// its labels cannot fail. A name of up to Name::kInlineCapacity octets (nearly all: see below) lives
// inline, anything longer in a heap buffer of its own.
//
// Decompression of names inside messages lives in exactly one function, read_name() (and its
// non-copying twin used by MessageView::parse shares the same core).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <string>
#include <string_view>

#include "wire/error.hpp"

namespace dkimdoctor::wire {

inline constexpr std::size_t kMaxNameLength = 255;  // octets in wire form (RFC 1035 §3.1)
inline constexpr std::size_t kMaxLabelLength = 63;  // RFC 1035 §2.3.4

class Name {
 public:
  // Octets held inline. Every Record, Question, cache key and coroutine frame carries Names, so the
  // object is kept to 112 octets (it was 266, all 255 inline). 110 holds every name of the lab (at most
  // 79 octets) and more: a DKIM name `<32 chars>._domainkey.<domain>` is 44 octets + the domain's wire
  // form, so domains of up to 66 octets stay inline; so do IPv6 reverse names (74). Longer ones: heap.
  static constexpr std::size_t kInlineCapacity = 110;

  // The root name ".".
  Name() noexcept : len_(1), labels_(0) { inline_[0] = 0; }
  // An inline name copies as a fixed 112 octets (no loop on its length); a long one allocates.
  Name(const Name& other) : inline_(other.inline_), len_(other.len_), labels_(other.labels_) {
    if (other.on_heap()) set_heap(copy_heap(other));
  }
  // A move takes the other's heap buffer (the other is left the root name); never allocates.
  Name(Name&& other) noexcept : inline_(other.inline_), len_(other.len_), labels_(other.labels_) {
    if (other.on_heap()) other.reset();
  }
  Name& operator=(const Name& other);
  Name& operator=(Name&& other) noexcept {
    if (this != &other) {
      release();
      inline_ = other.inline_;
      len_ = other.len_;
      labels_ = other.labels_;
      if (other.on_heap()) other.reset();
    }
    return *this;
  }
  ~Name() { release(); }

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
  std::span<const std::uint8_t> wire() const noexcept { return {data(), len_}; }
  std::size_t wire_length() const noexcept { return len_; }

  // Number of labels, not counting the root label ("a.b." has 2, "." has 0).
  std::size_t label_count() const noexcept { return labels_; }
  // Label i, 0 = leftmost, as raw octets (no escaping). Precondition: i < label_count().
  std::string_view label(std::size_t i) const noexcept;

  bool is_root() const noexcept { return labels_ == 0; }
  // True when this name equals `ancestor` or lies below it (case-insensitive).
  bool is_subdomain_of(const Name& ancestor) const noexcept;
  // This name without its leftmost label; the root's parent is the root.
  Name parent() const;
  // The last `labels` labels ("b.c." = suffix(2) of "a.b.c."); clamps to label_count().
  Name suffix(std::size_t labels) const;
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
  Name lowercased() const;

 private:
  friend struct NameAccess;
  // Layout: a name of len_ <= kInlineCapacity octets is inline_[0, len_). A longer one is in a heap buffer
  // of heap_size(len_) octets (whole 8-octet words, so word loops may round up) whose address is stored
  // in inline_'s first 8 octets. len_ alone says which: no flag to keep in step.
  bool on_heap() const noexcept { return len_ > kInlineCapacity; }
  static std::size_t heap_size(std::size_t len) noexcept { return (len + 7) & ~std::size_t{7}; }
  std::uint8_t* heap() const noexcept {
    std::uint8_t* p;
    std::memcpy(&p, inline_.data(), sizeof p);
    return p;
  }
  void set_heap(std::uint8_t* p) noexcept { std::memcpy(inline_.data(), &p, sizeof p); }
  const std::uint8_t* data() const noexcept { return on_heap() ? heap() : inline_.data(); }
  std::uint8_t* data() noexcept { return on_heap() ? heap() : inline_.data(); }
  static std::uint8_t* copy_heap(const Name& other);  // a new heap buffer holding other's octets
  void release() noexcept {
    if (on_heap()) ::operator delete(heap());
  }
  void reset() noexcept {  // the root name, without releasing (the buffer was handed over)
    len_ = 1;
    labels_ = 0;
    inline_[0] = 0;
  }

  std::array<std::uint8_t, kInlineCapacity> inline_;
  std::uint8_t len_;     // 1..255
  std::uint8_t labels_;  // 0..127
};
static_assert(sizeof(Name) == 112);

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
