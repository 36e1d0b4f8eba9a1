#include "diagnose/dkim_tags.hpp"
#include "diagnose/fail.hpp"
#include "wire/ascii.hpp"

namespace dkimdoctor::diagnose {
namespace {

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
// VALCHAR = %x21-3A / %x3C-7E (printable ASCII except ';').
bool is_valchar(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 0x21 && u <= 0x3A) || (u >= 0x3C && u <= 0x7E);
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_dkim_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_dkim_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  return wire::ascii::lowered(s);
}

std::vector<std::string> split_list(std::string_view value, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    auto end = value.find(sep, start);
    if (end == std::string_view::npos) end = value.size();
    auto item = trim(value.substr(start, end - start));
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string to_string(const TagError& error) {
  std::string what;
  switch (error.code) {
    case TagErrc::empty_tag_spec: what = "empty tag (two ';' in a row)"; break;
    case TagErrc::bad_tag_name: what = "invalid tag name"; break;
    case TagErrc::missing_equals: what = "tag without '='"; break;
    case TagErrc::bad_value_char: what = "invalid character in tag value"; break;
    case TagErrc::duplicate_tag: what = "tag appears twice"; break;
  }
  if (!error.tag.empty()) what += " '" + error.tag + "'";
  return what + " at offset " + std::to_string(error.offset);
}

Result<std::vector<Tag>, TagError> parse_tag_list(std::string_view text) {
  std::vector<Tag> tags;
  std::size_t pos = 0;
  while (true) {
    auto end = text.find(';', pos);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    const std::string_view spec = text.substr(pos, end - pos);
    const std::string_view body = trim(spec);
    if (body.empty()) {
      // Only a trailing empty spec (after the last ';', or an empty input) is allowed.
      if (last) break;
      return fail(TagError{TagErrc::empty_tag_spec, pos, {}});
    }
    const std::size_t body_at = pos + static_cast<std::size_t>(body.data() - spec.data());
    std::size_t i = 0;
    if (!is_alpha(body[0])) {
      std::size_t name_end = body.find('=');
      return fail(TagError{TagErrc::bad_tag_name, body_at,
                                 std::string(trim(body.substr(0, name_end == std::string_view::npos ? body.size() : name_end)))});
    }
    while (i < body.size() && (is_alpha(body[i]) || is_digit(body[i]) || body[i] == '_')) ++i;
    std::string name(body.substr(0, i));
    while (i < body.size() && is_dkim_space(body[i])) ++i;
    if (i >= body.size()) return fail(TagError{TagErrc::missing_equals, body_at, name});
    if (body[i] != '=') {
      // A name character outside ALNUMPUNC ("p-x=") or a second word before '=' ("p x=").
      return fail(TagError{TagErrc::bad_tag_name, body_at + i, name});
    }
    ++i;
    const std::string_view value = trim(body.substr(i));
    // tag-value = [ tval *( 1*(WSP / FWS) tval ) ]: whitespace between tvals is allowed.
    for (std::size_t k = 0; k < value.size(); ++k) {
      if (!is_valchar(value[k]) && !is_dkim_space(value[k])) {
        const std::size_t at = body_at + static_cast<std::size_t>(value.data() - body.data()) + k;
        return fail(TagError{TagErrc::bad_value_char, at, name});
      }
    }
    for (const auto& t : tags)
      if (t.name == name) return fail(TagError{TagErrc::duplicate_tag, body_at, name});
    tags.push_back(Tag{std::move(name), std::string(value), body_at});
    if (last) break;
    pos = end + 1;
  }
  return tags;
}

std::string to_string(const DkimRecordError& error) {
  switch (error.code) {
    case DkimRecordErrc::tag_syntax: return error.detail;
    case DkimRecordErrc::version_not_first: return "v= must be the first tag (RFC 6376 §3.6.1)";
    case DkimRecordErrc::bad_version:
      // "v=DKIM1 k=rsa": the ';' between two tags is missing, so the second became part of the first's value.
      if (error.detail.find('=') != std::string::npos)
        return "v=" + error.detail + " is not v=DKIM1 (a ';' between two tags is missing)";
      return "v=" + error.detail + " is not v=DKIM1";
    case DkimRecordErrc::missing_p: return "no p= tag (the public key is required)";
    case DkimRecordErrc::bad_flags: return "invalid t= flags '" + error.detail + "'";
  }
  return "invalid DKIM record";
}

Result<DkimKeyRecord, DkimRecordError> parse_dkim_record(std::string_view text) {
  auto tags = parse_tag_list(text);
  if (!tags) return fail(DkimRecordError{DkimRecordErrc::tag_syntax, tags.error().offset, to_string(tags.error())});
  DkimKeyRecord rec;
  for (std::size_t i = 0; i < tags->size(); ++i) {
    const Tag& t = (*tags)[i];
    // Tag names are case-sensitive (§3.2); "P=" is an unknown tag, not the key.
    if (t.name == "v") {
      if (i != 0) return fail(DkimRecordError{DkimRecordErrc::version_not_first, t.offset, t.value});
      if (t.value != "DKIM1") return fail(DkimRecordError{DkimRecordErrc::bad_version, t.offset, t.value});
      rec.version = t.value;
    } else if (t.name == "k") {
      rec.key_type = lower(t.value);
    } else if (t.name == "p") {
      rec.has_p = true;
      rec.p = t.value;
    } else if (t.name == "t") {
      for (const auto& flag : split_list(t.value, ':')) {
        for (char c : flag)
          if (!is_alpha(c) && !is_digit(c)) return fail(DkimRecordError{DkimRecordErrc::bad_flags, t.offset, t.value});
        // Unknown flags are ignored (§3.6.1).
        if (flag == "y") rec.testing = true;
        if (flag == "s") rec.strict = true;
      }
    } else if (t.name == "h") {
      rec.hash_algorithms = split_list(t.value, ':');
    } else if (t.name == "s") {
      rec.service_types = split_list(t.value, ':');
    } else if (t.name != "n") {
      rec.unknown_tags.push_back(t.name);
    }
  }
  if (!rec.has_p) return fail(DkimRecordError{DkimRecordErrc::missing_p, text.size(), {}});
  return rec;
}

}  // namespace dkimdoctor::diagnose
