// What every command shares: one-line usage errors, resolver flags, readable-file checks, colour.
#pragma once

#include <cstdint>
#include <optional>
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

// DNSSEC (issue 14): --trust-anchor FILE (DS or DNSKEY records in zone text), --no-validate,
// --validation-time YYYYMMDDHHMMSS|EPOCH. Shared by resolve, check and bulk.
struct DnssecFlags {
  std::string trust_anchor;
  bool no_validate = false;
  std::string validation_time;
};
void add_dnssec_flags(CLI::App* command, DnssecFlags& flags);
// Sets Options::validate, trust_anchors and validation_time; an unreadable anchor file or a bad time is an error.
Result<void, std::string> apply_dnssec_flags(const DnssecFlags& flags, resolver::Options& options);
// "20300101000000" (UTC) or seconds since 1970.
std::optional<std::uint32_t> parse_validation_time(std::string_view text);

// --color=auto|always|never with NO_COLOR (https://no-color.org) and a terminal check on `fd`.
bool use_color(std::string_view mode, int fd);

}  // namespace dkimdoctor::cli
