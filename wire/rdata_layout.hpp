// Internal: the one description of each RDATA layout, and the primitive that measures/validates one
// field. Everything that touches RDATA structure (validate, decompress, compress in the builder,
// print, parse, typed views) walks these tables; no type-specific layout code exists elsewhere.
#pragma once

#include <array>
#include <cstdint>
#include <iterator>
#include <span>

#include "wire/error.hpp"
#include "wire/name_internal.hpp"
#include "wire/types.hpp"

namespace dkimdoctor::wire::layout {

enum class Field : std::uint8_t {
  U8, U16, U32,
  Ipv4,         // 4 octets, dotted quad
  Ipv6,         // 16 octets, RFC 5952 text
  Name,         // domain name; decompressed on input, written uncompressed
  CompName,     // domain name of an RFC 1035 type: the builder may compress it (RFC 3597 §4)
  CharString,   // one <character-string>: u8 length + octets, quoted text
  CharStrings,  // one or more <character-string> to the end (TXT)
  Type,         // u16 RR type, mnemonic text (RRSIG type covered)
  Time,         // u32 seconds, YYYYMMDDHHmmSS text (RRSIG, RFC 4034 §3.2)
  Base64Rest,   // the rest, base64 text (may be split into several tokens)
  HexRest,      // the rest, hex text (may be split)
  SaltHex,      // u8 length + octets, hex text or "-" when empty (NSEC3, RFC 5155 §3.3)
  Base32Hex,    // u8 length (>= 1) + octets, base32hex text (NSEC3 next hashed owner)
  TypeBitmap,   // the rest: RFC 4034 §4.1.2 window blocks, list of type mnemonics
  CaaTag,       // u8 length (>= 1) + alphanumeric octets, bare text (RFC 8659 §4.1)
  StringRest,   // the rest as one quoted string (CAA value)
  EdnsOptions,  // the rest: {u16 code, u16 length, data}* (RFC 6891 §6.1.2)
};

// Octets of a fixed-width field, 0 for variable-width ones.
constexpr std::size_t fixed_width(Field f) noexcept {
  switch (f) {
    case Field::U8: return 1;
    case Field::U16: case Field::Type: return 2;
    case Field::U32: case Field::Time: case Field::Ipv4: return 4;
    case Field::Ipv6: return 16;
    default: return 0;
  }
}

// One step of the parse-time walk: a variable-width field, or (width > 0) a run of consecutive
// fixed-width fields checked as one (SOA's five counters are one 20-octet step).
struct Step {
  Field field = Field::U8;
  std::uint8_t width = 0;
};

struct Layout {
  RRType type;
  std::uint8_t count;
  std::array<Field, 9> fields;
  // Total width when every field is fixed-width (A, AAAA), else 0: such RDATA is valid exactly when
  // RDLENGTH equals it. Derived from `fields` when the table is built, never written by hand.
  std::uint8_t fixed = 0;
  // `fields` with fixed-width runs merged, for walk_fields; derived when the table is built.
  std::uint8_t step_count = 0;
  std::array<Step, 9> steps{};
  constexpr std::size_t fixed_size() const noexcept { return fixed; }
  constexpr void compute_steps() noexcept {
    step_count = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const auto w = static_cast<std::uint8_t>(fixed_width(fields[i]));
      if (w && step_count && steps[step_count - 1u].width) {
        steps[step_count - 1u].width = static_cast<std::uint8_t>(steps[step_count - 1u].width + w);
      } else {
        steps[step_count++] = Step{fields[i], w};
      }
    }
  }
  constexpr std::uint8_t compute_fixed() const noexcept {
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (fixed_width(fields[i]) == 0) return 0;
      total += fixed_width(fields[i]);
    }
    return static_cast<std::uint8_t>(total);
  }
};

namespace detail {
using F = Field;
// One row per known type. Order is the wire order.
inline constexpr auto kLayouts = [] {
  std::array<Layout, 18> t{{
    {RRType::A, 1, {F::Ipv4}},
    {RRType::NS, 1, {F::CompName}},
    {RRType::CNAME, 1, {F::CompName}},
    {RRType::SOA, 7, {F::CompName, F::CompName, F::U32, F::U32, F::U32, F::U32, F::U32}},
    {RRType::PTR, 1, {F::CompName}},
    {RRType::MX, 2, {F::U16, F::CompName}},
    {RRType::TXT, 1, {F::CharStrings}},
    {RRType::AAAA, 1, {F::Ipv6}},
    {RRType::SRV, 4, {F::U16, F::U16, F::U16, F::Name}},                 // RFC 2782
    {RRType::DNAME, 1, {F::Name}},                                       // RFC 6672
    {RRType::OPT, 1, {F::EdnsOptions}},                                  // RFC 6891
    {RRType::DS, 4, {F::U16, F::U8, F::U8, F::HexRest}},                 // RFC 4034 §5
    {RRType::RRSIG, 9, {F::Type, F::U8, F::U8, F::U32, F::Time, F::Time, F::U16, F::Name, F::Base64Rest}},
    {RRType::NSEC, 2, {F::Name, F::TypeBitmap}},                         // RFC 4034 §4
    {RRType::DNSKEY, 4, {F::U16, F::U8, F::U8, F::Base64Rest}},          // RFC 4034 §2
    {RRType::NSEC3, 6, {F::U8, F::U8, F::U16, F::SaltHex, F::Base32Hex, F::TypeBitmap}},  // RFC 5155 §3
    {RRType::NSEC3PARAM, 4, {F::U8, F::U8, F::U16, F::SaltHex}},         // RFC 5155 §4
    {RRType::CAA, 3, {F::U8, F::CaaTag, F::StringRest}},                 // RFC 8659
}};
  for (auto& l : t) {
    l.fixed = l.compute_fixed();
    l.compute_steps();
  }
  return t;
}();


// Direct index for the types below 64 (all but CAA): find() runs for every record parsed.
inline constexpr std::array<std::int8_t, 64> kIndex = [] {
  std::array<std::int8_t, 64> idx{};
  for (auto& i : idx) i = -1;
  for (std::size_t k = 0; k < std::size(kLayouts); ++k) {
    const auto t = static_cast<std::size_t>(kLayouts[k].type);
    if (t < idx.size()) idx[t] = static_cast<std::int8_t>(k);
  }
  return idx;
}();
}  // namespace detail

// The table for `type`, or nullptr for opaque (RFC 3597) types.
inline const Layout* find(RRType type) noexcept {
  const auto t = static_cast<std::size_t>(type);
  if (t < detail::kIndex.size())
    return detail::kIndex[t] < 0 ? nullptr : &detail::kLayouts[static_cast<std::size_t>(detail::kIndex[t])];
  for (const auto& l : detail::kLayouts)
    if (l.type == type) return &l;
  return nullptr;
}

// Measures and validates the field starting at `pos`, which must end at or before `end`. Names may
// use compression pointers into `msg` when `compressed` is true; otherwise pointers are an error.
// Returns the offset after the field.
WireResult<std::size_t> field_end(Field field, std::span<const std::uint8_t> msg, std::size_t pos,
                                  std::size_t end, bool compressed) noexcept;

inline bool is_name(Field f) noexcept { return f == Field::Name || f == Field::CompName; }

// Validates the fields of `l` over RDATA at msg[pos, end) inside a message, field by field, naming the
// first problem. Returns the offset after the last field (the caller compares it with `end`), or
// kFieldError with `err` set. walk_fields runs it only to name an error.
inline constexpr std::size_t kFieldError = static_cast<std::size_t>(-1);
[[gnu::noinline, gnu::cold]] inline std::size_t walk_fields_exact(const Layout& l, std::span<const std::uint8_t> msg,
                                                                  std::size_t pos, std::size_t end,
                                                                  Error& err) noexcept {
  for (std::size_t i = 0; i < l.count; ++i) {
    const Field f = l.fields[i];
    if (const std::size_t w = fixed_width(f)) {
      if (end - pos < w) {
        err = Error{Errc::rdata_length_mismatch, pos};
        return kFieldError;
      }
      pos += w;
    } else {
      // Names through walk_name (check_name's error path), the rest through field_end.
      auto e = field_end(f, msg, pos, end, true);
      if (!e) {
        err = e.error();
        return kFieldError;
      }
      pos = *e;
    }
  }
  return pos;
}

// The same validation, fast (hot: runs for every record parsed): merged fixed-width steps, names through
// skip_name_fast, TXT strings and EDNS options inline, the rarer fields through field_end. It accepts
// exactly what walk_fields_exact accepts, ending at the same offset; on any refusal walk_fields_exact
// reruns from the start to name the error, so errors and offsets are the exact walk's.
inline std::size_t walk_fields(const Layout& l, std::span<const std::uint8_t> msg, std::size_t pos, std::size_t end,
                               Error& err) noexcept {
  const std::size_t start = pos;
  const std::uint8_t* d = msg.data();
  for (std::size_t i = 0; i < l.step_count; ++i) {
    const Step st = l.steps[i];
    if (st.width) {
      if (end - pos < st.width) [[unlikely]] return walk_fields_exact(l, msg, start, end, err);
      pos += st.width;
      continue;
    }
    switch (st.field) {
      case Field::Name:
      case Field::CompName:
        pos = skip_name_fast(d, end, pos);
        if (!pos) [[unlikely]] return walk_fields_exact(l, msg, start, end, err);
        break;
      case Field::CharStrings:  // one or more <character-string> filling the rest
        if (pos >= end) [[unlikely]] return walk_fields_exact(l, msg, start, end, err);
        while (pos < end) pos += 1u + d[pos];
        if (pos != end) [[unlikely]] return walk_fields_exact(l, msg, start, end, err);
        break;
      case Field::EdnsOptions:  // {code, length, data}* filling the rest
        while (pos + 4 <= end) pos += 4u + ((std::size_t{d[pos + 2]} << 8) | d[pos + 3]);
        if (pos != end) [[unlikely]] return walk_fields_exact(l, msg, start, end, err);
        break;
      default: {
        auto e = field_end(st.field, msg, pos, end, true);
        if (!e) [[unlikely]] return walk_fields_exact(l, msg, start, end, err);
        pos = *e;
      }
    }
  }
  return pos;
}

}  // namespace dkimdoctor::wire::layout
