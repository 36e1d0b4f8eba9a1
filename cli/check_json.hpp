// bulk's output line written straight from a CheckResult, without building to_json()'s tree first (issue 16,
// goal 3: building the tree of map nodes and strings only to flatten it was about a sixth of a lab bulk
// run's instructions). The text is byte for byte what
// `to_json(result).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)` writes: the members of
// every object in nlohmann::json's std::map order (keys sorted by octet), numbers as it prints them, strings
// through json_line's append_json_string. to_json() stays the one description of the members for
// `check --json`, the HTML dashboard and the tests; the CheckJson tests hold this writer to its dump.
#pragma once

#include <cstdint>
#include <string>

#include "cli/check.hpp"

namespace dkimdoctor::cli {

// The compact JSON object of to_json(result), appended to `out`.
void append_check_json(std::string& out, const CheckResult& result);

// bulk's JSON Lines line for a checked identity: {"line":N, then to_json(result)'s members}, no newline.
std::string numbered_check_line(std::uint64_t number, const CheckResult& result);

}  // namespace dkimdoctor::cli
