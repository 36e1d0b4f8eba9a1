#include "cli/decode.hpp"

#include "cli/file_input.hpp"
#include "cli/common.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <vector>

#include "wire/print.hpp"

namespace dkimdoctor::cli {

namespace {

using nlohmann::json;
using namespace dkimdoctor::wire;

std::string hex_string(std::span<const std::uint8_t> b) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s;
  s.reserve(b.size() * 2);
  for (std::uint8_t o : b) {
    s.push_back(kDigits[o >> 4]);
    s.push_back(kDigits[o & 15]);
  }
  return s;
}

// Hex text to octets; whitespace (and a leading "0x" per token) ignored. Returns false with the offset
// of the first bad character.
bool decode_hex_text(const std::string& text, std::vector<std::uint8_t>& out, std::size_t& bad_at) {
  int hi = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X') && hi < 0) {
      ++i;
      continue;
    }
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else {
      bad_at = i;
      return false;
    }
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  if (hi >= 0) {
    bad_at = text.size();
    return false;
  }
  return true;
}

json question_json(const QuestionView& q) {
  return json{{"NAME", q.name().to_string()},
              {"TYPE", static_cast<unsigned>(q.type())},
              {"TYPEname", to_string(q.type())},
              {"CLASS", static_cast<unsigned>(q.cls())},
              {"CLASSname", to_string(q.cls())}};
}

json record_json(const RecordView& r) {
  json j{{"NAME", r.owner().to_string()},
         {"TYPE", static_cast<unsigned>(r.type())},
         {"TYPEname", to_string(r.type())},
         {"CLASS", static_cast<unsigned>(r.cls())},
         {"TTL", r.ttl()},
         {"RDLENGTH", r.rdata_length()}};
  // OPT's CLASS is the UDP size, not a class; no CLASSname for it.
  if (r.type() != RRType::OPT) j["CLASSname"] = to_string(r.cls());
  auto rd = r.rdata();
  if (rd) {
    j["RDATAHEX"] = hex_string(rd->bytes());
    // RFC 8427 §2.2: "rdata" + the type mnemonic holds the presentation format, for known types.
    if (is_known_type(r.type()) && r.type() != RRType::OPT) j["rdata" + to_string(r.type())] = rd->to_string();
  } else {
    j["RDATAHEX"] = hex_string(r.rdata_bytes());
  }
  return j;
}

}  // namespace

json message_to_json(const MessageView& m) {
  const Header& h = m.header();
  json j{{"ID", h.id},
         {"QR", h.qr ? 1 : 0},
         {"Opcode", static_cast<unsigned>(h.opcode)},
         {"AA", h.aa ? 1 : 0},
         {"TC", h.tc ? 1 : 0},
         {"RD", h.rd ? 1 : 0},
         {"RA", h.ra ? 1 : 0},
         {"AD", h.ad ? 1 : 0},
         {"CD", h.cd ? 1 : 0},
         {"RCODE", static_cast<unsigned>(m.rcode())},
         {"QDCOUNT", h.qdcount},
         {"ANCOUNT", h.ancount},
         {"NSCOUNT", h.nscount},
         {"ARCOUNT", h.arcount}};
  json questions = json::array();
  for (const auto& q : m.questions()) questions.push_back(question_json(q));
  if (!questions.empty()) {
    // RFC 8427 §2.1: the first question is also given as QNAME/QTYPE/QCLASS.
    j["QNAME"] = questions[0]["NAME"];
    j["QTYPE"] = questions[0]["TYPE"];
    j["QTYPEname"] = questions[0]["TYPEname"];
    j["QCLASS"] = questions[0]["CLASS"];
    j["QCLASSname"] = questions[0]["CLASSname"];
  }
  j["questionRRs"] = std::move(questions);
  const std::pair<Section, const char*> sections[] = {
      {Section::Answer, "answerRRs"}, {Section::Authority, "authorityRRs"}, {Section::Additional, "additionalRRs"}};
  for (const auto& [s, key] : sections) {
    json rrs = json::array();
    for (const auto& r : m.section(s)) rrs.push_back(record_json(r));
    j[key] = std::move(rrs);
  }
  return j;
}

int run_decode(std::istream& in, const std::string& source, const DecodeOptions& options, std::ostream& out,
               std::ostream& err) {
  std::string raw((std::istreambuf_iterator<char>(in)), {});
  std::vector<std::uint8_t> bytes;
  if (options.hex) {
    std::size_t bad_at = 0;
    if (!decode_hex_text(raw, bytes, bad_at)) {
      err << "dkimdoctor: error: " << source << ": invalid hex text at offset " << bad_at << "\n";
      return 1;
    }
  } else {
    bytes.assign(raw.begin(), raw.end());
  }
  auto m = MessageView::parse(bytes);
  if (!m) {
    err << "dkimdoctor: error: " << source << ": malformed DNS message: " << to_string(m.error()) << "\n";
    return 1;
  }
  if (options.json) {
    out << message_to_json(*m).dump(2) << "\n";
  } else {
    out << print_message(*m);
    out << "\n;; MSG SIZE  rcvd: " << m->message_size() << "\n";
  }
  return 0;
}

void add_decode_command(CLI::App& app, int& exit_status) {
  auto* cmd = app.add_subcommand("decode", "Print a DNS message (wire format) like dig does");
  auto path = std::make_shared<std::string>("-");
  auto options = std::make_shared<DecodeOptions>();
  cmd->add_option("file", *path, "File holding one DNS message, '-' for standard input")->capture_default_str();
  cmd->add_flag("--hex", options->hex, "The input is hexadecimal text instead of raw octets");
  cmd->add_flag("--json", options->json, "Print RFC 8427 JSON instead of dig-like text");
  cmd->footer("Examples:\n  dkimdoctor decode response.bin\n  echo 'c0de 0100 0001 0000 0000 0000 00 0001 0001' | dkimdoctor decode --hex -");
  cmd->callback([&exit_status, path, options] {
    // Capped and type-checked (issue 18: `decode /dev/urandom` grew without bound).
    auto text = read_named_file(*path, kMaxDecodeBytes);
    if (!text) {
      exit_status = usage_error(text.error());
      return;
    }
    std::istringstream in(std::move(*text));
    exit_status = run_decode(in, *path == "-" ? "<stdin>" : *path, *options, std::cout, std::cerr);
  });
}

}  // namespace dkimdoctor::cli
