// `dkimdoctor resolve`: one iterative resolution printed like dig (or its full trace, or JSON), or a
// batch of `NAME TYPE` lines resolved concurrently, one JSON line out per line in.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "resolver/resolver.hpp"

namespace CLI {
class App;
}

namespace dkimdoctor::cli {

inline constexpr std::size_t kDefaultResolveConcurrency = 100;

void add_resolve_command(CLI::App& app, int& exit_status);

// JSON of one record: {"name", "type", "ttl", "data"} (data in presentation format).
nlohmann::ordered_json record_to_json(const wire::Record& record);
// JSON of one trace step.
nlohmann::ordered_json trace_step_to_json(const resolver::TraceStep& step);
// The whole resolution as one JSON object (rcode or error, answer, negative SOA, refused addresses,
// queries, ms, and the trace when `with_trace`): the members are json_line.hpp's, the one writer of a
// Resolution that `resolve --json` and `resolve --batch` share.
std::string resolution_to_json(const resolver::Resolution& resolution, bool with_trace);
// One trace step as a text line, indented by depth (like `dig +trace`, but every step).
std::string trace_step_to_text(const resolver::TraceStep& step);

}  // namespace dkimdoctor::cli
