#include "wire/text.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>

#include "wire/ascii.hpp"

namespace dkimdoctor::wire::text {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
constexpr char kHex[] = "0123456789ABCDEF";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB32[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
int b32_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'v') return c - 'a' + 10;
  if (c >= 'A' && c <= 'V') return c - 'A' + 10;
  return -1;
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm), valid for the proleptic Gregorian calendar.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}
}  // namespace

WireResult<void> tokenize(std::string_view in, std::size_t base, std::vector<Token>& out) {
  std::size_t i = 0;
  const std::size_t n = in.size();
  while (i < n) {
    const char c = in[i];
    if (is_space(c) || c == '(' || c == ')') {
      ++i;
    } else if (c == ';') {
      while (i < n && in[i] != '\n') ++i;
    } else if (c == '"') {
      const std::size_t start = ++i;
      while (i < n && in[i] != '"') {
        if (in[i] == '\\') {
          if (i + 1 >= n) return fail(Errc::bad_escape, base + i);
          ++i;
        }
        ++i;
      }
      if (i >= n) return fail(Errc::bad_text, base + start - 1);
      out.push_back(Token{in.substr(start, i - start), base + start, true});
      ++i;
    } else {
      const std::size_t start = i;
      while (i < n && !is_space(in[i]) && in[i] != '(' && in[i] != ')' && in[i] != ';' && in[i] != '"') {
        if (in[i] == '\\') {
          if (i + 1 >= n) return fail(Errc::bad_escape, base + i);
          ++i;
        }
        ++i;
      }
      out.push_back(Token{in.substr(start, i - start), base + start, false});
    }
  }
  return {};
}

WireResult<void> unescape(const Token& token, std::string& out) {
  const std::string_view t = token.text;
  for (std::size_t i = 0; i < t.size();) {
    if (t[i] != '\\') {
      out.push_back(t[i++]);
      continue;
    }
    if (i + 1 >= t.size()) return fail(Errc::bad_escape, token.offset + i);
    const char d0 = t[i + 1];
    if (d0 >= '0' && d0 <= '9') {
      if (i + 3 >= t.size() || t[i + 2] < '0' || t[i + 2] > '9' || t[i + 3] < '0' || t[i + 3] > '9')
        return fail(Errc::bad_escape, token.offset + i);
      const int v = (d0 - '0') * 100 + (t[i + 2] - '0') * 10 + (t[i + 3] - '0');
      if (v > 255) return fail(Errc::bad_escape, token.offset + i);
      out.push_back(static_cast<char>(v));
      i += 4;
    } else {
      out.push_back(d0);
      i += 2;
    }
  }
  return {};
}

void append_quoted(std::string& out, std::span<const std::uint8_t> raw) {
  out.push_back('"');
  std::size_t i = 0;
  while (i < raw.size()) {
    // A run of octets printed as they are, appended at once (keys are hundreds of them).
    std::size_t j = i + ascii::plain_prefix(raw.data() + i, raw.size() - i, false);
    out.append(reinterpret_cast<const char*>(raw.data() + i), j - i);
    if (j == raw.size()) break;
    const std::uint8_t c = raw[j];
    i = j + 1;
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c > 0x7E) {
      out.push_back('\\');
      out.push_back(static_cast<char>('0' + c / 100));
      out.push_back(static_cast<char>('0' + (c / 10) % 10));
      out.push_back(static_cast<char>('0' + c % 10));
    }
  }
  out.push_back('"');
}

void append_hex(std::string& out, std::span<const std::uint8_t> raw) {
  for (std::uint8_t c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
}

void append_base64(std::string& out, std::span<const std::uint8_t> raw) {
  std::size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    const std::uint32_t v = (raw[i] << 16) | (raw[i + 1] << 8) | raw[i + 2];
    out.push_back(kB64[v >> 18]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back(kB64[v & 63]);
  }
  if (raw.size() - i == 1) {
    const std::uint32_t v = raw[i] << 16;
    out.push_back(kB64[v >> 18]);
    out.push_back(kB64[(v >> 12) & 63]);
    out += "==";
  } else if (raw.size() - i == 2) {
    const std::uint32_t v = (raw[i] << 16) | (raw[i + 1] << 8);
    out.push_back(kB64[v >> 18]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back('=');
  }
}

void append_base32hex(std::string& out, std::span<const std::uint8_t> raw) {
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t c : raw) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kB32[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kB32[(buffer << (5 - bits)) & 31]);
}

void append_ipv4(std::string& out, const std::uint8_t* a) {
  for (int i = 0; i < 4; ++i) {
    if (i) out.push_back('.');
    out += std::to_string(a[i]);
  }
}

void append_ipv6(std::string& out, const std::uint8_t* a) {
  std::uint16_t w[8];
  for (int i = 0; i < 8; ++i) w[i] = static_cast<std::uint16_t>((a[2 * i] << 8) | a[2 * i + 1]);
  // RFC 5952 §4.2: the longest run (>= 2) of zero words becomes "::", the first one on a tie.
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (w[i] != 0) { ++i; continue; }
    int j = i;
    while (j < 8 && w[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) { best = i; best_len = j - i; }
    i = j;
  }
  // RFC 4291 §2.5.5.2 IPv4-mapped addresses print their last 32 bits dotted (as inet_ntop does).
  const bool mapped = best == 0 && best_len == 5 && w[5] == 0xFFFF;
  const int words = mapped ? 6 : 8;
  char buf[8];
  for (int i = 0; i < words;) {
    if (i == best) {
      out += "::";
      i += best_len;
      continue;
    }
    if (i != 0 && i != best + best_len) out.push_back(':');
    auto r = std::to_chars(buf, buf + sizeof buf, w[i], 16);
    out.append(buf, r.ptr);
    ++i;
  }
  if (mapped) {
    out.push_back(':');
    append_ipv4(out, a + 12);
  }
}

WireResult<void> decode_hex(std::string_view in, std::size_t offset, std::vector<std::uint8_t>& out) {
  if (in.size() % 2) return fail(Errc::bad_text, offset);
  for (std::size_t i = 0; i < in.size(); i += 2) {
    const int h = hex_value(in[i]), l = hex_value(in[i + 1]);
    if (h < 0 || l < 0) return fail(Errc::bad_text, offset + i);
    out.push_back(static_cast<std::uint8_t>(h * 16 + l));
  }
  return {};
}

WireResult<void> decode_base64(std::string_view in, std::size_t offset, std::vector<std::uint8_t>& out) {
  if (in.size() % 4) return fail(Errc::bad_text, offset);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + k];
      if (c == '=') {
        // Padding only in the last group, only at its end.
        if (i + 4 != in.size() || k < 2) return fail(Errc::bad_text, offset + i + k);
        v[k] = 0;
        ++pad;
      } else {
        if (pad) return fail(Errc::bad_text, offset + i + k);
        v[k] = b64_value(c);
        if (v[k] < 0) return fail(Errc::bad_text, offset + i + k);
      }
    }
    const std::uint32_t bits = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<std::uint8_t>(bits >> 16));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>(bits >> 8));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(bits));
  }
  return {};
}

WireResult<void> decode_base32hex(std::string_view in, std::size_t offset, std::vector<std::uint8_t>& out) {
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const int v = b32_value(in[i]);
    if (v < 0) return fail(Errc::bad_text, offset + i);
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<std::uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
    buffer &= 0xFF;
  }
  // Leftover bits must be zero and fewer than 5 (RFC 4648 canonical form).
  if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0) return fail(Errc::bad_text, offset);
  return {};
}

bool parse_uint(std::string_view in, std::uint64_t max, std::uint64_t& value) {
  if (in.empty() || in.size() > 20) return false;
  auto r = std::from_chars(in.data(), in.data() + in.size(), value);
  return r.ec == std::errc() && r.ptr == in.data() + in.size() && value <= max;
}

bool parse_ipv4(std::string_view in, std::uint8_t* a) {
  for (int i = 0; i < 4; ++i) {
    const std::size_t dot = i < 3 ? in.find('.') : in.size();
    if (dot == std::string_view::npos || dot == 0 || dot > 3) return false;
    std::uint64_t v = 0;
    if (!parse_uint(in.substr(0, dot), 255, v)) return false;
    a[i] = static_cast<std::uint8_t>(v);
    in.remove_prefix(i < 3 ? dot + 1 : dot);
  }
  return in.empty();
}

bool parse_ipv6(std::string_view in, std::uint8_t* a) {
  std::uint16_t head[8], tail[8];
  int nh = 0, nt = 0;
  bool gap = false;
  std::uint8_t v4[4];
  bool has_v4 = false;
  if (in.size() < 2 || in.size() > 45) return false;
  std::size_t i = 0;
  if (in.substr(0, 2) == "::") {
    gap = true;
    i = 2;
  } else if (in[0] == ':') {
    return false;
  }
  while (i < in.size()) {
    std::size_t j = i;
    while (j < in.size() && in[j] != ':') ++j;
    const std::string_view part = in.substr(i, j - i);
    if (part.empty()) return false;
    if (part.find('.') != std::string_view::npos) {
      if (j != in.size() || !parse_ipv4(part, v4)) return false;
      has_v4 = true;
      i = j;
      break;
    }
    if (part.size() > 4) return false;
    unsigned word = 0;
    for (char c : part) {
      const int h = hex_value(c);
      if (h < 0) return false;
      word = word * 16 + static_cast<unsigned>(h);
    }
    std::uint16_t* dst = gap ? tail : head;
    int& n = gap ? nt : nh;
    if (n >= 8) return false;
    dst[n++] = static_cast<std::uint16_t>(word);
    if (j == in.size()) { i = j; break; }
    // j points at ':'
    if (j + 1 < in.size() && in[j + 1] == ':') {
      if (gap) return false;
      gap = true;
      i = j + 2;
    } else {
      if (j + 1 == in.size()) return false;  // trailing single ':'
      i = j + 1;
    }
  }
  const int words = nh + nt + (has_v4 ? 2 : 0);
  if (gap ? words > 7 : words != 8) return false;
  std::uint16_t w[8] = {};
  for (int k = 0; k < nh; ++k) w[k] = head[k];
  const int end = has_v4 ? 6 : 8;
  for (int k = 0; k < nt; ++k) w[end - nt + k] = tail[k];
  for (int k = 0; k < 8; ++k) {
    a[2 * k] = static_cast<std::uint8_t>(w[k] >> 8);
    a[2 * k + 1] = static_cast<std::uint8_t>(w[k]);
  }
  if (has_v4)
    for (int k = 0; k < 4; ++k) a[12 + k] = v4[k];
  return true;
}

void append_time(std::string& out, std::uint32_t t) {
  const std::int64_t secs = t;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(secs / 86400, y, m, d);
  const unsigned rem = static_cast<unsigned>(secs % 86400);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02u%02u%02u%02u", static_cast<long long>(y), m, d, rem / 3600,
                (rem / 60) % 60, rem % 60);
  out += buf;
}

bool parse_time(std::string_view in, std::uint32_t& t) {
  std::uint64_t v = 0;
  if (in.size() != 14) {
    // RFC 4034 §3.2 also allows the plain decimal number of seconds.
    if (!parse_uint(in, 0xFFFFFFFFull, v)) return false;
    t = static_cast<std::uint32_t>(v);
    return true;
  }
  for (char c : in)
    if (c < '0' || c > '9') return false;
  auto num = [&](std::size_t pos, std::size_t len) {
    unsigned r = 0;
    for (std::size_t k = 0; k < len; ++k) r = r * 10 + static_cast<unsigned>(in[pos + k] - '0');
    return r;
  };
  const unsigned y = num(0, 4), mo = num(4, 2), d = num(6, 2), h = num(8, 2), mi = num(10, 2), s = num(12, 2);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return false;
  const std::int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  t = static_cast<std::uint32_t>(static_cast<std::uint64_t>(secs));  // modulo 2^32 (serial arithmetic)
  return true;
}

}  // namespace dkimdoctor::wire::text

namespace dkimdoctor::wire::text {

WireResult<Name> parse_name_token(const Token& token, const Name& origin) {
  const std::string_view t = token.text;
  if (t == "@") return origin;
  auto n = Name::parse(t);
  if (!n) return fail(n.error().code, token.offset + n.error().offset);
  // Absolute when the last character is a '.' preceded by an even number of backslashes.
  bool absolute = false;
  if (!t.empty() && t.back() == '.') {
    std::size_t backslashes = 0;
    for (std::size_t i = t.size() - 1; i > 0 && t[i - 1] == '\\'; --i) ++backslashes;
    absolute = backslashes % 2 == 0;
  }
  if (absolute || origin.is_root()) return n;
  auto full = n->append(origin);
  if (!full) return fail(full.error().code, token.offset);
  return full;
}

}  // namespace dkimdoctor::wire::text
