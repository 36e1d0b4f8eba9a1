#include "cli/common.hpp"

#include "cli/file_input.hpp"
#include "wire/zonefile.hpp"

#include <CLI/CLI.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
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

void add_dnssec_flags(CLI::App* command, DnssecFlags& flags) {
  command->add_option("--trust-anchor", flags.trust_anchor,
                      "Validate DNSSEC from the DS or DNSKEY records in FILE (zone text) instead of the IANA root KSKs");
  command->add_flag("--no-validate", flags.no_validate, "Do not validate DNSSEC");
  command->add_option("--validation-time", flags.validation_time,
                      "Validate signatures as of YYYYMMDDHHMMSS (UTC) or EPOCH seconds instead of now");
}

std::optional<std::uint32_t> parse_validation_time(std::string_view text) {
  if (text.empty() || text.size() > 14 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  if (text.size() != 14) {
    const unsigned long long v = std::stoull(std::string(text));
    if (v > 0xffffffffULL) return std::nullopt;
    return static_cast<std::uint32_t>(v);
  }
  std::tm tm{};
  const std::string t(text);
  tm.tm_year = std::stoi(t.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(t.substr(4, 2)) - 1;
  tm.tm_mday = std::stoi(t.substr(6, 2));
  tm.tm_hour = std::stoi(t.substr(8, 2));
  tm.tm_min = std::stoi(t.substr(10, 2));
  tm.tm_sec = std::stoi(t.substr(12, 2));
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  const long long epoch = static_cast<long long>(timegm(&tm));
  if (epoch < 0) return std::nullopt;
  return static_cast<std::uint32_t>(epoch);  // RRSIG time: modulo 2^32 (RFC 4034 §3.1.5)
}

Result<void, std::string> apply_dnssec_flags(const DnssecFlags& flags, resolver::Options& options) {
  options.validate = !flags.no_validate;
  if (!flags.validation_time.empty()) {
    auto t = parse_validation_time(flags.validation_time);
    if (!t) return Unexpected{"--validation-time: '" + flags.validation_time + "' is neither YYYYMMDDHHMMSS nor EPOCH"};
    options.validation_time = *t;
  }
  if (flags.trust_anchor.empty()) return {};
  auto text = read_named_file(flags.trust_anchor, kMaxTrustAnchorBytes);
  if (!text) return Unexpected{text.error()};
  auto records = wire::parse_zone_text(*text);
  if (!records) return Unexpected{"trust anchor " + flags.trust_anchor + ": " + wire::to_string(records.error())};
  for (auto& r : *records) {
    if (r.type == wire::RRType::DS || r.type == wire::RRType::DNSKEY) options.trust_anchors.push_back(std::move(r));
  }
  if (options.trust_anchors.empty()) return Unexpected{"trust anchor " + flags.trust_anchor + ": no DS or DNSKEY record"};
  return {};
}

bool use_color(std::string_view mode, int fd) {
  if (mode == "never") return false;
  if (mode == "always") return true;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  return ::isatty(fd) == 1;
}

}  // namespace dkimdoctor::cli
