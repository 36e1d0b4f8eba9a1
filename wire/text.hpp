// Internal presentation-text helpers shared by rdata, zonefile and print: a tokenizer for master-file
// text (RFC 1035 §5.1), character-string escaping, and the base16/base32hex/base64 codecs. Every
// decoder is bounds-checked and reports the offset of the problem.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/error.hpp"

namespace dkimdoctor::wire::text {

struct Token {
  std::string_view text;  // raw, escapes kept; without the quotes when quoted
  std::size_t offset = 0; // offset of the token in the tokenized input
  bool quoted = false;
};

// Splits presentation text into tokens: whitespace separates, "..." quotes (a quoted token may contain
// spaces), ';' starts a comment to end of line, '(' and ')' are dropped (they only group lines).
// `base` is added to every offset. Fails on an unterminated quote or a dangling '\'.
WireResult<void> tokenize(std::string_view input, std::size_t base, std::vector<Token>& out);

// Decodes a character-string token (escapes "\X" and "\DDD") into raw octets appended to `out`.
WireResult<void> unescape(const Token& token, std::string& out);

// Appends a character-string in quotes, escaping '"' and '\\' and non-printable octets as \DDD.
void append_quoted(std::string& out, std::span<const std::uint8_t> raw);

void append_hex(std::string& out, std::span<const std::uint8_t> raw);       // uppercase
void append_base64(std::string& out, std::span<const std::uint8_t> raw);
void append_base32hex(std::string& out, std::span<const std::uint8_t> raw); // uppercase, no padding
void append_ipv4(std::string& out, const std::uint8_t* four);
void append_ipv6(std::string& out, const std::uint8_t* sixteen);  // RFC 5952 form

// Decoders append to `out`; `offset` is used for the error position.
WireResult<void> decode_hex(std::string_view in, std::size_t offset, std::vector<std::uint8_t>& out);
WireResult<void> decode_base64(std::string_view in, std::size_t offset, std::vector<std::uint8_t>& out);
WireResult<void> decode_base32hex(std::string_view in, std::size_t offset, std::vector<std::uint8_t>& out);
bool parse_ipv4(std::string_view in, std::uint8_t* four);
bool parse_ipv6(std::string_view in, std::uint8_t* sixteen);
// Decimal without sign, <= max.
bool parse_uint(std::string_view in, std::uint64_t max, std::uint64_t& value);

// RRSIG times (RFC 4034 §3.2): YYYYMMDDHHmmSS in UTC, modulo 2^32.
void append_time(std::string& out, std::uint32_t t);
bool parse_time(std::string_view in, std::uint32_t& t);

}  // namespace dkimdoctor::wire::text

#include "wire/name.hpp"

namespace dkimdoctor::wire::text {
// A domain-name token: "@" is `origin`; a name without an unescaped trailing dot is relative to
// `origin`. Error offsets are absolute (token.offset added).
WireResult<Name> parse_name_token(const Token& token, const Name& origin);
}  // namespace dkimdoctor::wire::text
