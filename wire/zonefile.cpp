#include "wire/zonefile.hpp"

#include <optional>

#include "wire/text.hpp"

namespace dkimdoctor::wire {

namespace {

// TTL as seconds or with BIND units ("1h30m", "2d"); <= 2^31-1 (RFC 2181 §8).
bool parse_ttl(std::string_view t, std::uint32_t& out) {
  std::uint64_t total = 0, cur = 0;
  bool digits = false, any_unit = false;
  for (char c : t) {
    if (c >= '0' && c <= '9') {
      cur = cur * 10 + static_cast<unsigned>(c - '0');
      if (cur > 0x7FFFFFFF) return false;
      digits = true;
      continue;
    }
    std::uint64_t mult = 0;
    switch (c | 0x20) {
      case 's': mult = 1; break;
      case 'm': mult = 60; break;
      case 'h': mult = 3600; break;
      case 'd': mult = 86400; break;
      case 'w': mult = 604800; break;
      default: return false;
    }
    if (!digits) return false;
    total += cur * mult;
    if (total > 0x7FFFFFFF) return false;
    cur = 0;
    digits = false;
    any_unit = true;
  }
  if (digits) total += cur;
  else if (!any_unit) return false;
  if (total > 0x7FFFFFFF) return false;
  out = static_cast<std::uint32_t>(total);
  return true;
}

bool starts_with_digit(std::string_view t) { return !t.empty() && t[0] >= '0' && t[0] <= '9'; }

// What earlier lines set for later ones.
struct ZoneState {
  Name origin;
  std::optional<std::uint32_t> default_ttl, last_ttl;
  std::optional<Name> last_owner;
  RRClass last_class = RRClass::IN;
};

// The end of the logical line starting at `i`: a newline outside quotes and parentheses (or the end).
WireResult<std::size_t> logical_line_end(std::string_view text, std::size_t i) {
  const std::size_t line_start = i, n = text.size();
  int depth = 0;
  bool quoted = false;
  for (; i < n; ++i) {
    const char c = text[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (quoted) {
      if (c == '"') quoted = false;
      continue;
    }
    if (c == '"') quoted = true;
    else if (c == ';') {
      while (i + 1 < n && text[i + 1] != '\n') ++i;
    } else if (c == '(') ++depth;
    else if (c == ')') {
      if (--depth < 0) return fail(Errc::bad_text, i);
    } else if (c == '\n' && depth == 0) {
      break;
    }
  }
  if (quoted || depth != 0) return fail(Errc::bad_text, line_start);
  return i;
}

// $TTL and $ORIGIN.
WireResult<void> directive(const std::vector<text::Token>& tokens, ZoneState& st) {
  const std::string_view dir = tokens[0].text;
  if (dir == "$TTL") {
    std::uint32_t ttl = 0;
    if (tokens.size() != 2 || !parse_ttl(tokens[1].text, ttl)) return fail(Errc::bad_text, tokens[0].offset);
    st.default_ttl = ttl;
  } else if (dir == "$ORIGIN") {
    if (tokens.size() != 2) return fail(Errc::bad_text, tokens[0].offset);
    auto o = text::parse_name_token(tokens[1], st.origin);
    if (!o) return Unexpected<Error>{o.error()};
    st.origin = *o;
  } else {
    // $INCLUDE would read files named by untrusted text; $GENERATE is not needed.
    return fail(Errc::bad_text, tokens[0].offset);
  }
  return {};
}

// One record line (owner or blank, [TTL] [class] in either order, type, RDATA), `line_end` its end in `text`.
WireResult<Record> record_line(std::string_view text, std::size_t line_end, const std::vector<text::Token>& tokens,
                               bool blank_owner, ZoneState& st) {
  Record rec;
  std::size_t t = 0;
  if (blank_owner) {
    if (!st.last_owner) return fail(Errc::bad_text, tokens[0].offset);
    rec.owner = *st.last_owner;
  } else {
    auto o = text::parse_name_token(tokens[0], st.origin);
    if (!o) return Unexpected<Error>{o.error()};
    rec.owner = *o;
    t = 1;
  }
  std::optional<std::uint32_t> ttl;
  std::optional<RRClass> cls;
  for (int k = 0; k < 2 && t < tokens.size(); ++k) {
    const std::string_view tok = tokens[t].text;
    std::uint32_t v = 0;
    if (!ttl && starts_with_digit(tok) && parse_ttl(tok, v)) {
      ttl = v;
      ++t;
    } else if (!cls && !tokens[t].quoted && parse_rrclass(tok)) {
      cls = parse_rrclass(tok);
      ++t;
    }
  }
  if (t >= tokens.size()) return fail(Errc::bad_text, line_end);
  auto type = parse_rrtype(tokens[t].text);
  if (!type || tokens[t].quoted) return fail(Errc::unknown_type, tokens[t].offset);
  rec.type = *type;
  ++t;
  rec.cls = cls ? *cls : st.last_class;
  if (ttl) rec.ttl = *ttl;
  else if (st.default_ttl) rec.ttl = *st.default_ttl;
  else if (st.last_ttl) rec.ttl = *st.last_ttl;
  else return fail(Errc::bad_text, tokens[0].offset);  // no TTL known (RFC 2308 §4 wants $TTL)

  const std::size_t rd_start = t < tokens.size() ? tokens[t].offset - (tokens[t].quoted ? 1 : 0) : line_end;
  auto rd = Rdata::parse(rec.type, text.substr(rd_start, line_end - rd_start), st.origin);
  if (!rd) return fail(rd.error().code, rd_start + rd.error().offset);
  rec.rdata = std::move(*rd);
  st.last_owner = rec.owner;
  st.last_class = rec.cls;
  st.last_ttl = rec.ttl;
  return rec;
}

}  // namespace

WireResult<std::vector<Record>> parse_zone_text(std::string_view text, const Name& origin_in) {
  std::vector<Record> records;
  ZoneState st;
  st.origin = origin_in;
  std::vector<text::Token> tokens;

  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const std::size_t line_start = i;
    auto end = logical_line_end(text, i);
    if (!end) return Unexpected<Error>{end.error()};
    i = *end;
    const std::size_t line_end = std::min(i, n);
    ++i;  // past the newline
    const std::string_view line = text.substr(line_start, line_end - line_start);
    tokens.clear();
    if (auto r = text::tokenize(line, line_start, tokens); !r) return Unexpected<Error>{r.error()};
    if (tokens.empty()) continue;
    const bool blank_owner = line[0] == ' ' || line[0] == '\t';
    if (!blank_owner && !tokens[0].quoted && tokens[0].text.starts_with("$")) {
      if (auto r = directive(tokens, st); !r) return Unexpected<Error>{r.error()};
      continue;
    }
    auto rec = record_line(text, line_end, tokens, blank_owner, st);
    if (!rec) return Unexpected<Error>{rec.error()};
    records.push_back(std::move(*rec));
  }
  return records;
}

}  // namespace dkimdoctor::wire
