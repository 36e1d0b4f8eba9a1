// Files a user or an input line names (issue 18, "a bulk input line reads any file the process
// can"). Every such path is read here, with a byte cap and a type check, before any event loop
// runs or off it:
// - only a regular file is read: a FIFO would block the whole run for ever, /dev/zero or
//   /dev/urandom would grow memory until the allocator fails, a directory is an error;
// - the file is opened without blocking (O_NONBLOCK: opening a FIFO with no writer returns at
//   once) and judged by fstat() on the descriptor actually opened, not by a stat() of the path;
// - at most `max_bytes` are read: one octet more and it is an error, never a truncated read.
// Standard input ("-") may be a pipe or a terminal (that is its point); it is capped the same way.
#pragma once

#include <cstddef>
#include <string>

#include "wire/result.hpp"

namespace dkimdoctor::cli {

// Byte caps, one per kind of file. Each is far above any honest input of its kind.
inline constexpr std::size_t kMaxRootHintsBytes = 1 << 20;   // IANA's named.root is ~3.3 KiB
inline constexpr std::size_t kMaxTrustAnchorBytes = 1 << 20;  // a few DS/DNSKEY lines; the lab's is < 1 KiB
inline constexpr std::size_t kMaxPublicKeyBytes = 64 << 10;  // a 4096-bit RSA key in PEM is ~800 octets
inline constexpr std::size_t kMaxDecodeBytes = 1 << 20;      // one DNS message (<= 65535 octets), as hex text
inline constexpr std::size_t kMaxBatchLineBytes = 64 << 10;  // one line of `resolve --batch` (bulk: kMaxBulkLineBytes)

// The whole file at `path` ("-": standard input), or one line of error text naming the path.
Result<std::string, std::string> read_named_file(const std::string& path, std::size_t max_bytes);

}  // namespace dkimdoctor::cli
