// Compact JSON text of an nlohmann::json value, byte for byte what
// `j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)` writes, appended to a string.
// bulk writes one such line per identity; nlohmann's serializer walks every string octet by octet
// through its UTF-8 state machine, which was about a tenth of a lab bulk run's instructions
// (callgrind, issue 16). Here strings go through json_line's append_json_string (runs of plain ASCII at
// once, the same escapes and U+FFFD replacements), and floating-point numbers through nlohmann itself.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace dkimdoctor::cli {

void append_compact_json(std::string& out, const nlohmann::json& value);

// bulk's JSON Lines line for an object (an input line that is no identity): {"line":N, then the object's
// members}, no newline. cli/check_json.hpp writes the line of a checked identity the same way.
std::string numbered_json_line(std::uint64_t number, const nlohmann::json& object);

}  // namespace dkimdoctor::cli
