// Root hints: where iteration starts. Built in are the real root servers (IANA named.root); a file
// in the same format (`--root-hints FILE`) replaces them, which is how the lab points us at its own
// root. Priming (RFC 8109) then asks a root server for the current root NS set.
#pragma once

#include <asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "wire/name.hpp"
#include "wire/result.hpp"

namespace dkimdoctor::resolver {

struct RootHint {
  wire::Name name;
  std::vector<asio::ip::address> addresses;
};
using RootHints = std::vector<RootHint>;

// a.root-servers.net .. m.root-servers.net with their IPv4 and IPv6 addresses.
const RootHints& builtin_root_hints();

// named.root text: NS records of "." and A/AAAA records of the NS names. Errors are one line of text
// (with the byte offset of a parse error). A file with no usable address is an error.
Result<RootHints, std::string> parse_root_hints(std::string_view text);

// Reads and parses a file (at most 1 MiB).
Result<RootHints, std::string> load_root_hints(const std::string& path);

}  // namespace dkimdoctor::resolver
