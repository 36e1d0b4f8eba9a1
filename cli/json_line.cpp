#include "cli/json_line.hpp"

#include <cstdint>
#include <cstring>

#include "wire/ascii.hpp"
#include "wire/message.hpp"

namespace dkimdoctor::cli {

namespace {

// The UTF-8 sequence starting at text[i] (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF): its length and whether it is valid. An invalid one spans its maximal valid prefix (at
// least one octet), which becomes one U+FFFD, the Unicode "maximal subpart" practice that
// nlohmann::json follows too.
struct Utf8 {
  std::size_t length;
  bool valid;
};

Utf8 utf8_sequence(std::string_view text, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = b(i);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // bounds of the second octet
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return {1, false};
  }
  for (std::size_t k = 1; k < n; ++k) {
    if (i + k >= text.size()) return {k, false};
    const unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xbf;
    if (b(i + k) < min || b(i + k) > max) return {k, false};
  }
  return {n, true};
}

void append_record(std::string& out, const wire::Record& r) {
  out += "{\"name\":";
  append_json_name(out, r.owner);
  out += ",\"type\":";
  append_json_string(out, wire::to_string(r.type));
  out += ",\"ttl\":";
  out += std::to_string(r.ttl);
  out += ",\"data\":";
  const std::size_t from = open_json_string(out);
  r.rdata.append_to(out);
  close_json_string(out, from);
  out += '}';
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    // A run of printable ASCII that needs no escape, appended at once.
    const std::size_t j =
        i + wire::ascii::plain_prefix(reinterpret_cast<const std::uint8_t*>(text.data()) + i, text.size() - i, true);
    out.append(text.substr(i, j - i));
    if (j == text.size()) break;
    i = j;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const Utf8 seq = utf8_sequence(text, i);
      if (seq.valid) {
        out.append(text.substr(i, seq.length));
      } else {
        out += "\xef\xbf\xbd";  // U+FFFD
      }
      i += seq.length;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

std::size_t open_json_string(std::string& out) {
  out += '"';
  return out.size();
}

void close_json_string(std::string& out, std::size_t from) {
  const std::size_t n = out.size() - from;
  if (wire::ascii::plain_prefix(reinterpret_cast<const std::uint8_t*>(out.data()) + from, n, true) == n) {
    out += '"';
    return;
  }
  thread_local std::string raw;  // reused: no allocation per escaped text
  raw.assign(out, from, n);
  out.resize(from - 1);  // the opening quote too: append_json_string writes both
  append_json_string(out, raw);
}

void append_json_name(std::string& out, const wire::Name& name) {
  const std::size_t from = open_json_string(out);
  name.append_to(out);
  close_json_string(out, from);
}

// "dnssec": {"status","reason","zone","key_tag","algorithm","inception","expiration","earliest_expiration","detail"}
void append_validation(std::string& out, const resolver::Validation& v) {
  out += ",\"dnssec\":{\"status\":";
  append_json_string(out, dnssec::to_string(v.status));
  out += ",\"reason\":";
  append_json_string(out, resolver::reason_id(v.reason));
  out += ",\"zone\":";
  append_json_name(out, v.zone);
  out += ",\"key_tag\":" + std::to_string(v.key_tag) + ",\"algorithm\":" + std::to_string(v.algorithm) +
         ",\"inception\":" + std::to_string(v.inception) + ",\"expiration\":" + std::to_string(v.expiration) +
         ",\"earliest_expiration\":" + std::to_string(v.earliest_expiration) + ",\"detail\":";
  append_json_string(out, v.detail);
  out += '}';
}

void append_resolution_members(std::string& out, const resolver::Resolution& r) {
  out += "\"name\":";
  append_json_name(out, r.question.name);
  out += ",\"type\":";
  append_json_string(out, wire::to_string(r.question.type));
  if (r.outcome == resolver::Outcome::failed) {
    out += ",\"error\":";
    append_json_string(out, std::string(resolver::is_limit(r.failure) ? "limit: " : "") + resolver::to_string(r.failure) +
                                (r.failure_detail.empty() ? "" : ": " + r.failure_detail));
  } else {
    out += ",\"rcode\":";
    append_json_string(out, wire::to_string(r.rcode));
  }
  out += ",\"answer\":[";
  for (std::size_t i = 0; i < r.answer.size(); ++i) {
    if (i > 0) out += ',';
    append_record(out, r.answer[i]);
  }
  out += ']';
  if (r.negative_soa) {
    out += ",\"soa\":";
    append_record(out, *r.negative_soa);
  }
  if (r.validation.checked) append_validation(out, r.validation);
  if (!r.refused_addresses.empty()) {
    out += ",\"refused_addresses\":[";
    for (std::size_t i = 0; i < r.refused_addresses.size(); ++i) {
      const auto& ref = r.refused_addresses[i];
      out += i > 0 ? ",{\"zone\":" : "{\"zone\":";
      append_json_name(out, ref.zone);
      out += ",\"ns\":";
      append_json_name(out, ref.ns_name);
      out += ",\"address\":";
      append_json_string(out, ref.address.to_string());
      out += ",\"class\":";
      append_json_string(out, resolver::to_string(ref.address_class));
      out += '}';
    }
    out += ']';
  }
  out += ",\"queries\":";
  out += std::to_string(r.queries);
  // Tenths of a millisecond (printed as nlohmann prints k / 10.0).
  const long long tenths = static_cast<long long>(r.elapsed.count() / 100);
  out += ",\"ms\":";
  out += std::to_string(tenths / 10);
  out += '.';
  out += static_cast<char>('0' + tenths % 10);
}

}  // namespace dkimdoctor::cli
