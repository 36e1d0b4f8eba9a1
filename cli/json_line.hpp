// JSON text written directly into a string: the one writer of a Resolution, for `resolve --json` and the
// hot output of `resolve --batch` (one line per name, tens of thousands a second), without building a
// tree of allocated nodes first. Everything else in the CLI uses nlohmann::json; a test holds this writer
// to the text nlohmann dumps for the same members.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "resolver/resolver.hpp"

namespace dkimdoctor::cli {

// `text` as a JSON string, quotes included: '"', '\' and control characters escaped (\n, \t, ...,
// \u00XX), anything that is not valid UTF-8 replaced by U+FFFD (as nlohmann's error_handler::replace
// does), so hostile input bytes always make valid JSON.
void append_json_string(std::string& out, std::string_view text);

// A name's presentation form (trailing dot, escapes as Name::to_string gives them) as a JSON string.
void append_json_name(std::string& out, const wire::Name& name);

// A JSON string whose text is appended to `out` raw, between the two calls (no temporary string):
//   const std::size_t from = open_json_string(out); name.append_to(out); close_json_string(out, from);
// writes what append_json_string would have: the text is escaped when it needs to be (most text does not,
// and is then not copied).
std::size_t open_json_string(std::string& out);
void close_json_string(std::string& out, std::size_t from);

// The members of one resolution, without the braces: "name":...,"ms":... (resolve.hpp's resolution_to_json
// adds the braces and the trace).
void append_resolution_members(std::string& out, const resolver::Resolution& resolution);

}  // namespace dkimdoctor::cli
