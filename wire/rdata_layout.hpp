// Internal: the one description of each RDATA layout, and the primitive that measures/validates one
// field. Everything that touches RDATA structure (validate, decompress, compress in the builder,
// print, parse, typed views) walks these tables; no type-specific layout code exists elsewhere.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "wire/error.hpp"
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

struct Layout {
  RRType type;
  std::uint8_t count;
  std::array<Field, 9> fields;
  // Total width when every field is fixed-width (A, AAAA), else 0: such RDATA is valid exactly when
  // RDLENGTH equals it. Derived from `fields`, never written by hand.
  constexpr std::size_t fixed_size() const noexcept {
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (fixed_width(fields[i]) == 0) return 0;
      total += fixed_width(fields[i]);
    }
    return total;
  }
};

// The table for `type`, or nullptr for opaque (RFC 3597) types.
const Layout* find(RRType type) noexcept;

// Measures and validates the field starting at `pos`, which must end at or before `end`. Names may
// use compression pointers into `msg` when `compressed` is true; otherwise pointers are an error.
// Returns the offset after the field.
WireResult<std::size_t> field_end(Field field, std::span<const std::uint8_t> msg, std::size_t pos,
                                  std::size_t end, bool compressed) noexcept;

inline bool is_name(Field f) noexcept { return f == Field::Name || f == Field::CompName; }

}  // namespace dkimdoctor::wire::layout
