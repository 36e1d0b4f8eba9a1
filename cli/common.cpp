#include "cli/common.hpp"

#include "cli/file_input.hpp"

#include <CLI/CLI.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace dkimdoctor::cli {

int usage_error(std::string_view message) {
  std::string line(message);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::fprintf(stderr, "dkimdoctor: error: %s\n", line.c_str());
  return 2;
}

Result<void, std::string> check_readable_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Unexpected{"cannot read " + path + ": " + std::strerror(errno)};
  if (S_ISDIR(st.st_mode)) return Unexpected{"cannot read " + path + ": it is a directory"};
  if (::access(path.c_str(), R_OK) != 0) return Unexpected{"cannot read " + path + ": " + std::strerror(errno)};
  return {};
}

void add_resolver_flags(CLI::App* command, std::string& root_hints, bool& allow_loopback) {
  command->add_option("--root-hints", root_hints,
                      "Start from the root servers in FILE (named.root format) instead of the built-in ones");
  command->add_flag("--allow-loopback", allow_loopback,
                    "Allow queries to 127.0.0.0/8 and ::1 (a lab on loopback); private ranges stay refused");
}

Result<resolver::Options, std::string> make_resolver_options(const std::string& root_hints, bool allow_loopback) {
  resolver::Options options;
  options.policy.allow_loopback = allow_loopback;
  if (!root_hints.empty()) {
    auto text = read_named_file(root_hints, kMaxRootHintsBytes);
    if (!text) return Unexpected{text.error()};
    auto hints = resolver::parse_root_hints(*text);
    if (!hints) return Unexpected{"root hints " + root_hints + ": " + hints.error()};
    options.root_hints = std::move(*hints);
  }
  return options;
}

bool use_color(std::string_view mode, int fd) {
  if (mode == "never") return false;
  if (mode == "always") return true;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  return ::isatty(fd) == 1;
}

}  // namespace dkimdoctor::cli
