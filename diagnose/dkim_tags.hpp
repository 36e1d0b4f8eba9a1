// The DKIM tag list (RFC 6376 §3.2) and the DKIM key record built on it (RFC 6376 §3.6.1).
//
// Input is untrusted text (a TXT value from any DNS server): the parser walks it once, bounds-checked,
// and returns an error value naming the offset and the offending tag. Nothing is allocated from counts in
// the input.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/result.hpp"

namespace dkimdoctor::diagnose {

struct Tag {
  std::string name;
  std::string value;  // surrounding whitespace removed, inner whitespace kept (§3.2)
  std::size_t offset = 0;  // where the tag name starts in the input
  bool operator==(const Tag&) const = default;
};

enum class TagErrc {
  empty_tag_spec,   // ";;" or a spec of whitespace only (§3.2 tag-spec needs a name)
  bad_tag_name,     // tag-name = ALPHA *(ALPHA / DIGIT / "_")
  missing_equals,   // "p" without "="
  bad_value_char,   // a character outside VALCHAR (%x21-3A / %x3C-7E) or whitespace inside a value
  duplicate_tag,    // §3.2: "Tags with duplicate names MUST NOT occur ... the entire tag-list is invalid"
};

struct TagError {
  TagErrc code{};
  std::size_t offset = 0;
  std::string tag;  // the tag concerned, when known
  bool operator==(const TagError&) const = default;
};
std::string to_string(const TagError& error);

// RFC 6376 §3.2 tag-list. A trailing ";" (followed by whitespace only) is allowed.
[[nodiscard]] Result<std::vector<Tag>, TagError> parse_tag_list(std::string_view text);

// A DKIM key record (RFC 6376 §3.6.1).
struct DkimKeyRecord {
  std::optional<std::string> version;  // v=, must be "DKIM1" and first when present
  std::string key_type = "rsa";        // k=, default rsa
  bool has_p = false;
  std::string p;                       // p= exactly as published (may hold whitespace; empty = revoked)
  bool testing = false;                // t=y
  bool strict = false;                 // t=s
  std::vector<std::string> hash_algorithms;  // h=
  std::vector<std::string> service_types;    // s=
  std::vector<std::string> unknown_tags;     // ignored by verifiers (§3.6.1), listed for the report
};

enum class DkimRecordErrc {
  tag_syntax,        // see tag_error
  version_not_first, // v= present but not the first tag (§3.6.1 "MUST be the first tag")
  bad_version,       // v= other than DKIM1
  missing_p,         // p= is REQUIRED
  bad_flags,         // t= with characters other than flag names and ':'
};

struct DkimRecordError {
  DkimRecordErrc code{};
  std::size_t offset = 0;
  std::string detail;
};
std::string to_string(const DkimRecordError& error);

[[nodiscard]] Result<DkimKeyRecord, DkimRecordError> parse_dkim_record(std::string_view text);

// True for DKIM whitespace (WSP and the CR/LF of FWS).
constexpr bool is_dkim_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace dkimdoctor::diagnose
