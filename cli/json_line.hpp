// JSON text written directly into a string, for the hot output of `resolve --batch` (one line per
// name, tens of thousands a second): the same text nlohmann::json would dump for
// resolution_to_json(), without building a tree of allocated nodes first. Everything else in the CLI
// keeps using nlohmann::json; a test holds the two to the same output.
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

// The members of resolution_to_json(resolution, false), without the braces: "name":...,"ms":...
void append_resolution_members(std::string& out, const resolver::Resolution& resolution);

}  // namespace dkimdoctor::cli
