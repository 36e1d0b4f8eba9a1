// Internal: THE name decompression walk (inline so MessageView::parse gets it without a call), and raw
// access to Name's storage for the code that builds names.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "wire/name.hpp"

namespace dkimdoctor::wire {

// A scratch buffer a whole name can be decoded into with the walks' 8-octet word copies (255 + slack).
using NameScratch = std::array<std::uint8_t, kMaxNameLength + 9>;

struct NameAccess {
  // The inline buffer of `n` (kInlineCapacity octets), for decoding in place. Precondition: `n` is not
  // on the heap (a fresh Name is the root, inline).
  static std::uint8_t* inline_buffer(Name& n) noexcept { return n.inline_.data(); }
  // Makes `n` a name of `len` octets (1..kMaxNameLength) and `labels` labels and returns where its `len`
  // octets go: inline, or a new heap buffer (of Name::heap_size(len)) when it is longer.
  static std::uint8_t* storage(Name& n, std::size_t len, std::size_t labels) {
    std::uint8_t* heap = len > Name::kInlineCapacity ? static_cast<std::uint8_t*>(::operator new(Name::heap_size(len))) : nullptr;
    n.release();
    if (heap) n.set_heap(heap);
    set(n, len, labels);
    return heap ? heap : n.inline_.data();
  }
  // `n` := the `len` octets at `wire` (a valid name of `labels` labels).
  static void assign(Name& n, const std::uint8_t* wire, std::size_t len, std::size_t labels) {
    std::memcpy(storage(n, len, labels), wire, len);
  }
  // The same from a scratch buffer: an inline name copies a fixed kInlineCapacity octets (no call to
  // memcpy for a length known only at run time; the scratch has them all).
  static void assign(Name& n, const NameScratch& scratch, std::size_t len, std::size_t labels) {
    if (len > Name::kInlineCapacity) return assign(n, scratch.data(), len, labels);
    n.release();
    std::memcpy(n.inline_.data(), scratch.data(), Name::kInlineCapacity);
    set(n, len, labels);
  }
  static void set(Name& n, std::size_t len, std::size_t labels) noexcept {
    n.len_ = static_cast<std::uint8_t>(len);
    n.labels_ = static_cast<std::uint8_t>(labels);
  }
};

// The single decompression walk; read_name, skip_name and decode_name_into are its only callers.
// Returns the offset after the name's bytes at `offset` (always >= 1) or 0 with `err` set.
// When kCopy, `out` (a NameScratch: room for kMaxNameLength + 8 octets) receives the uncompressed wire form.
//
// Attacker model: every byte and every pointer is hostile. Termination: a pointer must point strictly
// before the start of the label run it was found in, so runs strictly move backwards; the hop cap
// bounds the work anyway. Label runs are copied as whole 8-octet words where the message has the bytes
// (labels are short; a variable-length memcpy is slower to start than the copy itself).
template <bool kCopy>
inline std::size_t walk_name(const std::uint8_t* data, std::size_t size, std::size_t offset, std::uint8_t* out,
                             std::size_t& out_len, std::size_t& out_labels, Error& err) noexcept {
  std::size_t pos = offset;
  std::size_t run_start = offset;  // first byte of the current label run
  std::size_t next = 0;            // offset after the name in the original run (0 = not yet known)
  std::size_t len = 0;             // wire length so far, excluding the root label
  std::size_t run_len = 0;         // `len` when the current run started
  std::size_t labels = 0;
  std::size_t hops = 0;
  auto copy_run = [&](std::size_t upto) noexcept {
    if constexpr (kCopy) {
      const std::size_t n = upto - run_start;
      std::size_t i = 0;
      for (; i < n && run_start + i + 8 <= size; i += 8) std::memcpy(out + run_len + i, data + run_start + i, 8);
      for (; i < n; ++i) out[run_len + i] = data[run_start + i];
    }
  };
  for (;;) {
    if (pos >= size) {
      err = Error{Errc::truncated, pos};
      return 0;
    }
    const std::uint8_t b = data[pos];
    if (b == 0) {
      copy_run(pos);
      if constexpr (kCopy) out[len] = 0;
      out_len = len + 1;
      out_labels = labels;
      return next ? next : pos + 1;
    }
    if (b < 0x40) {
      if (pos + 1 + b > size) {
        err = Error{Errc::truncated, pos};
        return 0;
      }
      if (len + 1 + b + 1 > kMaxNameLength) {
        err = Error{Errc::name_too_long, pos};
        return 0;
      }
      len += 1u + b;
      ++labels;
      pos += 1u + b;
      continue;
    }
    if (b < 0xC0) {
      // 0x40 (RFC 6891 §5 extended label types, deprecated) and 0x80 (reserved).
      err = Error{Errc::bad_label_type, pos};
      return 0;
    }
    if (pos + 2 > size) {
      err = Error{Errc::truncated, pos};
      return 0;
    }
    const std::size_t target = (static_cast<std::size_t>(b & 0x3F) << 8) | data[pos + 1];
    if (target >= run_start || target < 12 || ++hops > kMaxPointerHops) {
      err = Error{target > pos        ? Errc::pointer_forward
                  : target >= run_start ? Errc::pointer_loop
                  : target < 12         ? Errc::pointer_into_header
                                        : Errc::too_many_pointers,
                  pos};
      return 0;
    }
    copy_run(pos);
    if (!next) next = pos + 2;
    run_start = pos = target;
    run_len = len;
  }
}

// The validating walk's fast path (MessageView::parse runs it for every name): accepts exactly the
// names walk_name accepts, with fewer branches per label. Returns the offset after the name, or 0 for
// ANY rejection without saying why; check_name() then reruns walk_name for the exact error, so errors
// and their offsets are walk_name's alone. Same attacker model and termination argument as walk_name:
//  - `pos < size` holds at the top of the loop (checked once per label, after the label's length);
//  - the 255-octet limit is checked once per label run instead of per label: the wire length only
//    grows, so "some label took it to >= 255" is "the run that ended took it to >= 255";
//  - pointers: same rules (strictly before the run they end, not into the header, hop cap).
inline std::size_t skip_name_fast(const std::uint8_t* data, std::size_t size, std::size_t pos) noexcept {
  if (pos >= size) return 0;
  std::size_t run_start = pos, len = 0, next = 0, hops = 0;
  for (;;) {
    const std::uint8_t b = data[pos];
    if (b - 1u < kMaxLabelLength) [[likely]] {  // a label of 1..63 octets: one compare
      pos += 1u + b;
      if (pos >= size) return 0;
      continue;
    }
    if (b == 0) return len + (pos - run_start) >= kMaxNameLength ? 0 : next ? next : pos + 1;
    if (b < 0xC0 || pos + 1 >= size) return 0;
    const std::size_t target = (static_cast<std::size_t>(b & 0x3F) << 8) | data[pos + 1];
    len += pos - run_start;
    if (target >= run_start || target < 12 || ++hops > kMaxPointerHops || len >= kMaxNameLength) return 0;
    if (!next) next = pos + 2;
    run_start = pos = target;
  }
}

// Validates the name at `offset`: skip_name_fast, and walk_name for the error when it refuses.
// Returns as walk_name.
// (The exact walk stays out of line: hostile bytes are the rare case, and its copy would bloat every
// hot caller.)
[[gnu::noinline, gnu::cold]] inline std::size_t check_name_error(const std::uint8_t* data, std::size_t size,
                                                                 std::size_t offset, Error& err) noexcept {
  std::size_t len = 0, labels = 0;
  return walk_name<false>(data, size, offset, nullptr, len, labels, err);
}
inline std::size_t check_name(const std::uint8_t* data, std::size_t size, std::size_t offset, Error& err) noexcept {
  if (const std::size_t next = skip_name_fast(data, size, offset)) [[likely]]
    return next;
  return check_name_error(data, size, offset, err);
}

// Decompresses a name that MessageView::parse() already validated (no checks left to make: every
// label fits, every pointer points backwards inside the message, the result fits 255 octets) into
// `out`, which has room for `room` octets. Label runs are copied as whole 8-octet words, so a run is
// written only while the name so far + the run + 8 octets of slack fit `room`; returns false (having
// written only inside `room`) when it would not. Only the views of a validated message use it; anything
// else decodes with decode_name_into.
inline bool decode_valid_name_to(const std::uint8_t* data, std::size_t size, std::size_t pos, std::uint8_t* out,
                                 std::size_t room, std::size_t& out_len, std::size_t& out_labels) noexcept {
  std::size_t len = 0, labels = 0;
  for (;;) {
    const std::size_t start = pos;
    std::uint8_t b;
    while ((b = data[pos]) - 1u < kMaxLabelLength) {  // 1..63: a label (0 ends, >= 0xC0 points)
      pos += 1u + b;
      ++labels;
    }
    // The run [start, pos) in whole 8-octet words, with one bounds check when the message has the bytes
    // to round up to, else word by word.
    const std::size_t run = pos - start;
    if (len + run + 8 > room) return false;
    std::size_t i = 0;
    if (start + run + 7 <= size) {
      for (; i < run; i += 8) std::memcpy(out + len + i, data + start + i, 8);
    } else {
      for (; i < run && start + i + 8 <= size; i += 8) std::memcpy(out + len + i, data + start + i, 8);
      for (; i < run; ++i) out[len + i] = data[start + i];
    }
    len += run;
    if (b == 0) break;
    pos = (static_cast<std::size_t>(b & 0x3F) << 8) | data[pos + 1];
  }
  out[len] = 0;
  out_len = len + 1;
  out_labels = labels;
  return true;
}

// The names too long to decode in place: into a scratch buffer, then copied (out of line: they are rare).
[[gnu::noinline, gnu::cold]] inline void decode_long_valid_name(const std::uint8_t* data, std::size_t size,
                                                                std::size_t pos, Name& n) {
  NameScratch scratch;
  std::size_t len = 0, labels = 0;
  decode_valid_name_to(data, size, pos, scratch.data(), scratch.size(), len, labels);
  NameAccess::assign(n, scratch, len, labels);
}

// Decodes a validated name into `n`, a fresh Name: in place when it fits the inline buffer with the
// word copies' slack (names of up to kInlineCapacity - 7 octets: nearly all), else through scratch.
inline void decode_valid_name(const std::uint8_t* data, std::size_t size, std::size_t pos, Name& n) {
  std::size_t len = 0, labels = 0;
  if (decode_valid_name_to(data, size, pos, NameAccess::inline_buffer(n), Name::kInlineCapacity, len, labels))
      [[likely]] {
    NameAccess::set(n, len, labels);
    return;
  }
  decode_long_valid_name(data, size, pos, n);
}

// Decodes into `n` (through a scratch buffer: the walk validates as it copies, so how long the name is
// is known only at its end). Returns as walk_name.
inline std::size_t decode_name_into(std::span<const std::uint8_t> msg, std::size_t offset, Name& n, Error& err) {
  NameScratch scratch;
  std::size_t len = 0, labels = 0;
  const std::size_t next = walk_name<true>(msg.data(), msg.size(), offset, scratch.data(), len, labels, err);
  if (next) NameAccess::assign(n, scratch, len, labels);
  return next;
}

}  // namespace dkimdoctor::wire
