// One Unbound replay scenario (`.rpl`, defined by Unbound's testcode/replay.h and testpkts.h), read
// into plain data: the config lines, the scripted servers (ranges of steps, by address) and the steps.
// Only what tests/replay needs is kept; a construct we do not read is named in `unsupported` so the
// runner can say why a scenario was not replayed instead of replaying it wrongly.
#pragma once

#include <asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "wire/message.hpp"

namespace dkimdoctor::replay {

// ENTRY_BEGIN .. ENTRY_END: a MATCH rule and the reply (or, in a step, the query or the answer expected).
struct Entry {
  std::set<std::string> match;  // MATCH keywords, lowercased ("opcode", "qtype", "subdomain", "all", "tcp", ...)
  bool copy_id = false, copy_query = false;
  wire::Header header;          // REPLY flags and rcode (qr aa tc rd ra ad cd)
  bool do_bit = false;          // REPLY DO
  wire::Rcode rcode = wire::Rcode::NoError;
  std::optional<wire::Question> question;
  std::vector<wire::Record> answer, authority, additional;
  std::vector<std::uint8_t> raw;  // HEX_ANSWER_BEGIN: the reply's bytes as written
  int line = 0;
};

// RANGE_BEGIN start end: the server(s) at `addresses` (any address when empty) answer from `entries`
// while the step number is within [start, end].
struct Range {
  int start = 0, end = 0;
  std::vector<asio::ip::address> addresses;
  std::vector<Entry> entries;
};

struct Step {
  int number = 0;
  std::string kind;              // QUERY, CHECK_ANSWER, TIME_PASSES, CHECK_OUT_QUERY, REPLY, ...
  std::optional<Entry> entry;
  long elapse = 0;               // TIME_PASSES ELAPSE n
  std::optional<asio::ip::address> address;  // STEP n REPLY ADDRESS a: the query to that server
};

struct Scenario {
  std::string name;    // file name without .rpl
  std::string title;   // SCENARIO_BEGIN text
  std::vector<std::string> config;  // lines before CONFIG_END, trimmed, comments removed
  std::vector<asio::ip::address> root;  // stub-zone "." stub-addr
  std::vector<Range> ranges;
  std::vector<Step> steps;
  std::vector<std::string> unsupported;  // constructs not read ("record on line 12: ...")
};

// Reads a scenario file. An error is one line of text.
std::optional<Scenario> load_scenario(const std::string& path, std::string& error);

// The value of a config option ("qname-minimisation" -> "no"), quotes removed; nullopt when absent.
std::optional<std::string> config_value(const Scenario& s, const std::string& key);

// Every value of an option that may repeat ("trust-anchor"), quotes removed, in file order.
std::vector<std::string> config_values(const Scenario& s, const std::string& key);

// Zone text with DNSSEC algorithm mnemonics ("RSASHA1") in DS, DNSKEY and RRSIG RDATA replaced by their
// numbers, which is what wire's zone-text reader takes.
std::string algorithm_numbers(const std::string& text);

// Every address a server of the scenario answers on.
std::vector<asio::ip::address> server_addresses(const Scenario& s);

}  // namespace dkimdoctor::replay
