// What every command shares: one-line usage errors, resolver flags, readable-file checks, colour.
#pragma once

#include <string>
#include <string_view>

#include "resolver/resolver.hpp"
#include "wire/result.hpp"

namespace CLI {
class App;
}

namespace dkimdoctor::cli {

// Prints "dkimdoctor: error: MESSAGE" (one line: newlines become spaces) and returns 2.
int usage_error(std::string_view message);

// The file can be opened for reading as a stream of bytes (not a directory).
Result<void, std::string> check_readable_file(const std::string& path);

// --root-hints FILE and --allow-loopback.
void add_resolver_flags(CLI::App* command, std::string& root_hints, bool& allow_loopback);

// Resolver options from those flags; an unreadable or unusable hints file is an error message.
Result<resolver::Options, std::string> make_resolver_options(const std::string& root_hints, bool allow_loopback);

// --color=auto|always|never with NO_COLOR (https://no-color.org) and a terminal check on `fd`.
bool use_color(std::string_view mode, int fd);

}  // namespace dkimdoctor::cli
