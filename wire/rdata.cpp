#include "wire/rdata.hpp"

#include <algorithm>
#include <cstring>

#include "wire/bytes.hpp"
#include "wire/rdata_layout.hpp"
#include "wire/text.hpp"

namespace dkimdoctor::wire {

using layout::Field;

namespace {


// OPT's options have no presentation format of their own in master files: OPT text is RFC 3597.
bool has_text_form(const layout::Layout* l) noexcept {
  return l != nullptr && l->fields[0] != Field::EdnsOptions;
}

// Walks `layout` over RDATA at msg[offset, offset+rdlength); calls visit(field, start, end) per field.
template <class Visit>
WireResult<void> walk(const layout::Layout& l, std::span<const std::uint8_t> msg, std::size_t offset,
                      std::size_t rdlength, bool compressed, Visit&& visit) {
  const std::size_t end = offset + rdlength;
  std::size_t pos = offset;
  for (std::size_t i = 0; i < l.count; ++i) {
    auto e = layout::field_end(l.fields[i], msg, pos, end, compressed);
    if (!e) return Unexpected<Error>{e.error()};
    if (auto r = visit(l.fields[i], pos, *e); !r) return r;
    pos = *e;
  }
  if (pos != end) return fail(Errc::rdata_length_mismatch, pos);
  return {};
}

void append_bitmap(std::string& out, std::span<const std::uint8_t> b) {
  for (std::size_t pos = 0; pos + 2 <= b.size();) {
    const unsigned window = b[pos];
    const std::size_t len = b[pos + 1];
    for (std::size_t k = 0; k < len && pos + 2 + k < b.size(); ++k) {
      for (unsigned bit = 0; bit < 8; ++bit) {
        if (b[pos + 2 + k] & (0x80 >> bit)) {
          if (!out.empty() && out.back() != ' ') out.push_back(' ');
          out += to_string(static_cast<RRType>(window * 256 + k * 8 + bit));
        }
      }
    }
    pos += 2 + len;
  }
}

void encode_bitmap(std::vector<std::uint16_t> types, std::vector<std::uint8_t>& out) {
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  std::size_t i = 0;
  while (i < types.size()) {
    const unsigned window = types[i] >> 8;
    std::uint8_t bits[32] = {};
    std::size_t len = 0;
    for (; i < types.size() && (types[i] >> 8) == window; ++i) {
      const unsigned low = types[i] & 0xFF;
      bits[low / 8] |= static_cast<std::uint8_t>(0x80 >> (low % 8));
      len = low / 8 + 1;
    }
    out.push_back(static_cast<std::uint8_t>(window));
    out.push_back(static_cast<std::uint8_t>(len));
    out.insert(out.end(), bits, bits + len);
  }
}

// Presentation text of one field whose bytes are b[start, end) (uncompressed RDATA).
void field_to_text(Field f, std::span<const std::uint8_t> b, std::size_t start, std::size_t end, std::string& out) {
  const std::uint8_t* p = b.data() + start;
  const std::span<const std::uint8_t> all = b.subspan(start, end - start);
  switch (f) {
    case Field::U8: out += std::to_string(p[0]); break;
    case Field::U16: out += std::to_string(get16(p)); break;
    case Field::U32: out += std::to_string(get32(p)); break;
    case Field::Ipv4: text::append_ipv4(out, p); break;
    case Field::Ipv6: text::append_ipv6(out, p); break;
    case Field::Name:
    case Field::CompName: {
      auto n = read_name(b.first(end), start, nullptr);
      if (n) n->append_to(out);
      break;
    }
    case Field::CharString: text::append_quoted(out, all.subspan(1)); break;
    case Field::CharStrings:
      for (std::size_t pos = 0; pos < all.size(); pos += 1u + all[pos]) {
        if (pos) out.push_back(' ');
        text::append_quoted(out, all.subspan(pos + 1, all[pos]));
      }
      break;
    case Field::Type: out += to_string(static_cast<RRType>(get16(p))); break;
    case Field::Time: text::append_time(out, get32(p)); break;
    case Field::Base64Rest: text::append_base64(out, all); break;
    case Field::HexRest: text::append_hex(out, all); break;
    case Field::SaltHex:
      if (p[0] == 0) out.push_back('-');
      else text::append_hex(out, all.subspan(1));
      break;
    case Field::Base32Hex: text::append_base32hex(out, all.subspan(1)); break;
    case Field::TypeBitmap: {
      std::string types;
      append_bitmap(types, all);
      out += types;
      break;
    }
    case Field::CaaTag: out.append(reinterpret_cast<const char*>(p + 1), p[0]); break;
    case Field::StringRest: text::append_quoted(out, all); break;
    case Field::EdnsOptions: text::append_hex(out, all); break;
  }
}

struct TokenCursor {
  const std::vector<text::Token>& tokens;
  std::size_t i = 0;
  std::size_t end_offset;
  bool done() const { return i >= tokens.size(); }
  const text::Token* next() { return done() ? nullptr : &tokens[i++]; }
};

// "Rest" fields take every remaining token.
bool takes_rest(Field f) {
  return f == Field::Base64Rest || f == Field::HexRest || f == Field::CharStrings || f == Field::TypeBitmap;
}

WireResult<void> rest_from_text(Field f, TokenCursor& tc, std::vector<std::uint8_t>& out) {
  if (f == Field::CharStrings && tc.done()) return fail(Errc::bad_text, tc.end_offset);
  std::vector<std::uint16_t> types;
  std::string joined;
  std::size_t first = tc.done() ? tc.end_offset : tc.tokens[tc.i].offset;
  while (const text::Token* t = tc.next()) {
    if (f == Field::CharStrings) {
      std::string s;
      if (auto r = text::unescape(*t, s); !r) return r;
      if (s.size() > 255) return fail(Errc::bad_text, t->offset);
      out.push_back(static_cast<std::uint8_t>(s.size()));
      out.insert(out.end(), s.begin(), s.end());
    } else if (f == Field::TypeBitmap) {
      auto type = parse_rrtype(t->text);
      if (!type) return fail(Errc::unknown_type, t->offset);
      types.push_back(static_cast<std::uint16_t>(*type));
    } else {
      joined += t->text;
    }
  }
  if (f == Field::TypeBitmap) encode_bitmap(std::move(types), out);
  if (f == Field::Base64Rest) return text::decode_base64(joined, first, out);
  if (f == Field::HexRest) return text::decode_hex(joined, first, out);
  return {};
}

// Character strings (one, a CAA tag or the rest as is) and the length-prefixed salt and hash fields.
WireResult<void> string_from_text(Field f, const text::Token* t, std::vector<std::uint8_t>& out) {
  switch (f) {
    case Field::CharString:
    case Field::CaaTag:
    case Field::StringRest: {
      std::string s;
      if (auto r = text::unescape(*t, s); !r) return r;
      if (f != Field::StringRest) {
        if (s.size() > 255) return fail(Errc::bad_text, t->offset);
        out.push_back(static_cast<std::uint8_t>(s.size()));
      }
      out.insert(out.end(), s.begin(), s.end());
      return {};
    }
    case Field::SaltHex:
    case Field::Base32Hex: {
      std::vector<std::uint8_t> raw;
      if (!(f == Field::SaltHex && t->text == "-")) {
        auto r = f == Field::SaltHex ? text::decode_hex(t->text, t->offset, raw)
                                     : text::decode_base32hex(t->text, t->offset, raw);
        if (!r) return r;
      }
      if (raw.size() > 255) return fail(Errc::bad_text, t->offset);
      out.push_back(static_cast<std::uint8_t>(raw.size()));
      out.insert(out.end(), raw.begin(), raw.end());
      return {};
    }
    default:
      return fail(Errc::bad_text, t->offset);
  }
}

WireResult<void> field_from_text(Field f, TokenCursor& tc, const Name& origin, std::vector<std::uint8_t>& out) {
  if (takes_rest(f)) return rest_from_text(f, tc, out);
  // The others take exactly one token.
  const text::Token* t = tc.next();
  if (!t) return fail(Errc::bad_text, tc.end_offset);
  std::uint64_t v = 0;
  switch (f) {
    case Field::U8:
      if (!text::parse_uint(t->text, 0xFF, v)) return fail(Errc::bad_text, t->offset);
      out.push_back(static_cast<std::uint8_t>(v));
      return {};
    case Field::U16:
      if (!text::parse_uint(t->text, 0xFFFF, v)) return fail(Errc::bad_text, t->offset);
      append16(out, static_cast<std::uint16_t>(v));
      return {};
    case Field::U32:
      if (!text::parse_uint(t->text, 0xFFFFFFFF, v)) return fail(Errc::bad_text, t->offset);
      append32(out, static_cast<std::uint32_t>(v));
      return {};
    case Field::Ipv4: {
      std::uint8_t a[4];
      if (!text::parse_ipv4(t->text, a)) return fail(Errc::bad_text, t->offset);
      out.insert(out.end(), a, a + 4);
      return {};
    }
    case Field::Ipv6: {
      std::uint8_t a[16];
      if (!text::parse_ipv6(t->text, a)) return fail(Errc::bad_text, t->offset);
      out.insert(out.end(), a, a + 16);
      return {};
    }
    case Field::Name:
    case Field::CompName: {
      auto n = text::parse_name_token(*t, origin);
      if (!n) return Unexpected<Error>{n.error()};
      out.insert(out.end(), n->wire().begin(), n->wire().end());
      return {};
    }
    case Field::Type: {
      auto type = parse_rrtype(t->text);
      if (!type) return fail(Errc::unknown_type, t->offset);
      append16(out, static_cast<std::uint16_t>(*type));
      return {};
    }
    case Field::Time: {
      std::uint32_t time = 0;
      if (!text::parse_time(t->text, time)) return fail(Errc::bad_text, t->offset);
      append32(out, time);
      return {};
    }
    case Field::CharString:
    case Field::CaaTag:
    case Field::StringRest:
    case Field::SaltHex:
    case Field::Base32Hex: return string_from_text(f, t, out);
    default:
      return fail(Errc::bad_text, t->offset);
  }
}

}  // namespace

bool is_known_type(RRType type) noexcept { return layout::find(type) != nullptr; }

WireResult<void> validate_rdata(std::span<const std::uint8_t> message, std::size_t offset, std::uint16_t rdlength,
                                RRType type) {
  if (message.size() < offset || message.size() - offset < rdlength) return fail(Errc::truncated, offset);
  const layout::Layout* l = layout::find(type);
  if (!l) return {};
  if (const std::size_t fixed = l->fixed_size()) {
    if (rdlength != fixed) return fail(Errc::rdata_length_mismatch, offset + std::min<std::size_t>(rdlength, fixed));
    return {};
  }
  const std::size_t end = offset + rdlength;
  Error err{};
  const std::size_t pos = layout::walk_fields(*l, message, offset, end, err);
  if (pos == layout::kFieldError) return Unexpected<Error>{err};
  if (pos != end) return fail(Errc::rdata_length_mismatch, pos);
  return {};
}

WireResult<Rdata> Rdata::from_wire(std::span<const std::uint8_t> message, std::size_t offset, std::uint16_t rdlength,
                                   RRType type) {
  if (message.size() < offset || message.size() - offset < rdlength) return fail(Errc::truncated, offset);
  const layout::Layout* l = layout::find(type);
  std::vector<std::uint8_t> out;
  out.reserve(rdlength);
  if (!l) {
    out.assign(message.begin() + static_cast<std::ptrdiff_t>(offset),
               message.begin() + static_cast<std::ptrdiff_t>(offset + rdlength));
    return Rdata(type, std::move(out));
  }
  auto r = walk(*l, message, offset, rdlength, true, [&](Field f, std::size_t s, std::size_t e) -> WireResult<void> {
    if (layout::is_name(f)) {
      auto n = read_name(message, s, nullptr);
      if (!n) return Unexpected<Error>{n.error()};
      out.insert(out.end(), n->wire().begin(), n->wire().end());
    } else {
      out.insert(out.end(), message.begin() + static_cast<std::ptrdiff_t>(s), message.begin() + static_cast<std::ptrdiff_t>(e));
    }
    return {};
  });
  if (!r) return Unexpected<Error>{r.error()};
  return Rdata(type, std::move(out));
}

WireResult<Rdata> Rdata::from_bytes(RRType type, std::span<const std::uint8_t> bytes) {
  if (bytes.size() > 65535) return fail(Errc::rdata_length_mismatch, 0);
  if (const layout::Layout* l = layout::find(type)) {
    auto r = walk(*l, bytes, 0, bytes.size(), false, [](Field, std::size_t, std::size_t) -> WireResult<void> { return {}; });
    if (!r) return Unexpected<Error>{r.error()};
  }
  return Rdata(type, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

WireResult<Rdata> Rdata::parse(RRType type, std::string_view presentation, const Name& origin) {
  std::vector<text::Token> tokens;
  if (auto r = text::tokenize(presentation, 0, tokens); !r) return Unexpected<Error>{r.error()};
  std::vector<std::uint8_t> out;
  // RFC 3597 §5: "\# <length> <hex>..." works for every type.
  if (!tokens.empty() && !tokens[0].quoted && tokens[0].text == "\\#") {
    std::uint64_t len = 0;
    if (tokens.size() < 2 || !text::parse_uint(tokens[1].text, 65535, len))
      return fail(Errc::bad_text, tokens.size() < 2 ? presentation.size() : tokens[1].offset);
    std::string hex;
    for (std::size_t i = 2; i < tokens.size(); ++i) hex += tokens[i].text;
    const std::size_t at = tokens.size() > 2 ? tokens[2].offset : presentation.size();
    if (auto r = text::decode_hex(hex, at, out); !r) return Unexpected<Error>{r.error()};
    if (out.size() != len) return fail(Errc::rdata_length_mismatch, at);
    auto rd = from_bytes(type, out);
    if (!rd) return fail(rd.error().code, at);
    return rd;
  }
  const layout::Layout* l = layout::find(type);
  if (!has_text_form(l)) return fail(Errc::bad_text, 0);
  TokenCursor tc{tokens, 0, presentation.size()};
  for (std::size_t i = 0; i < l->count; ++i)
    if (auto r = field_from_text(l->fields[i], tc, origin, out); !r) return Unexpected<Error>{r.error()};
  if (!tc.done()) return fail(Errc::bad_text, tokens[tc.i].offset);
  if (out.size() > 65535) return fail(Errc::rdata_length_mismatch, 0);
  auto rd = from_bytes(type, out);
  if (!rd) return fail(rd.error().code, 0);
  return rd;
}

std::string Rdata::to_string() const {
  std::string out;
  out.reserve(bytes_.size() + bytes_.size() / 8 + 16);
  append_to(out);
  return out;
}

void Rdata::append_to(std::string& out) const {
  const std::size_t start = out.size();
  const layout::Layout* l = layout::find(type_);
  if (has_text_form(l)) {
    bool first = true;
    auto r = walk(*l, bytes_, 0, bytes_.size(), false, [&](Field f, std::size_t s, std::size_t e) -> WireResult<void> {
      const std::size_t before = out.size();
      if (!first) out.push_back(' ');
      const std::size_t mark = out.size();
      field_to_text(f, bytes_, s, e, out);
      if (out.size() == mark) out.resize(before);  // empty field (e.g. empty bitmap): no extra space
      first = false;
      return {};
    });
    if (r) return;
    out.resize(start);  // not valid for its type (default-constructed): fall back to the generic form
  }
  out += "\\# ";
  out += std::to_string(bytes_.size());
  if (!bytes_.empty()) {
    out.push_back(' ');
    text::append_hex(out, bytes_);
  }
}

}  // namespace dkimdoctor::wire
