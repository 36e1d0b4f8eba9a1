// `dkimdoctor decode [FILE|-] [--hex] [--json]`: prints one DNS message like dig does (or as RFC 8427
// JSON). Exit status 0 for a well-formed message, 1 with a one-line error naming the problem and its
// offset for a malformed one, 2 for usage errors (unreadable file).
#pragma once

#include <iosfwd>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "wire/message.hpp"

namespace CLI {
class App;
}

namespace dkimdoctor::cli {

void add_decode_command(CLI::App& app, int& exit_status);

struct DecodeOptions {
  bool hex = false;   // input is hexadecimal text (whitespace ignored) instead of raw octets
  bool json = false;  // RFC 8427 JSON instead of dig-like text
};

// The command without the argument parsing: reads the message from `in`, writes the result to `out`
// and the one-line error to `err`, returns the exit status. `source` names the input in errors.
int run_decode(std::istream& in, const std::string& source, const DecodeOptions& options, std::ostream& out,
               std::ostream& err);

// RFC 8427 representation of a validated message.
nlohmann::json message_to_json(const wire::MessageView& message);

}  // namespace dkimdoctor::cli
