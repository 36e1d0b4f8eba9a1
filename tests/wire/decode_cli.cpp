// `dkimdoctor decode`, in-process: text and RFC 8427 JSON output, exit statuses, one-line errors.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

#include "cli/decode.hpp"

using dkimdoctor::cli::DecodeOptions;
using dkimdoctor::cli::run_decode;

namespace {

// example.com A response: qr rd ra, answer 192.0.2.1, OPT 1232.
constexpr std::string_view kHex =
    "1234 8180 0001 0001 0000 0001"
    " 076578616d706c6503636f6d00 0001 0001"
    " c00c 0001 0001 00000e10 0004 c0000201"
    " 00 0029 04d0 00000000 0000";

struct Run {
  int status;
  std::string out, err;
};

Run decode(std::string input, DecodeOptions o) {
  std::istringstream in(std::move(input));
  std::ostringstream out, err;
  const int status = run_decode(in, "msg", o, out, err);
  return {status, out.str(), err.str()};
}

TEST(Decode, HexToDigText) {
  auto r = decode(std::string(kHex), {.hex = true});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4660\n"
            ";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n"
            "\n"
            ";; OPT PSEUDOSECTION:\n"
            "; EDNS: version: 0, flags:; udp: 1232\n"
            ";; QUESTION SECTION:\n"
            ";example.com.\tIN\tA\n"
            "\n"
            ";; ANSWER SECTION:\n"
            "example.com.\t3600\tIN\tA\t192.0.2.1\n"
            "\n"
            ";; MSG SIZE  rcvd: 56\n");
}

TEST(Decode, RawOctets) {
  std::string raw;
  std::string digits;
  for (char c : kHex)
    if (c != ' ') digits.push_back(c);
  for (std::size_t i = 0; i < digits.size(); i += 2) raw.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  auto r = decode(raw, {});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("example.com.\t3600\tIN\tA\t192.0.2.1\n"), std::string::npos);
}

TEST(Decode, Rfc8427Json) {
  auto r = decode(std::string(kHex), {.hex = true, .json = true});
  ASSERT_EQ(r.status, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ID"], 4660);
  EXPECT_EQ(j["QR"], 1);
  EXPECT_EQ(j["RD"], 1);
  EXPECT_EQ(j["RCODE"], 0);
  EXPECT_EQ(j["QDCOUNT"], 1);
  EXPECT_EQ(j["QNAME"], "example.com.");
  EXPECT_EQ(j["QTYPEname"], "A");
  ASSERT_EQ(j["answerRRs"].size(), 1u);
  EXPECT_EQ(j["answerRRs"][0]["NAME"], "example.com.");
  EXPECT_EQ(j["answerRRs"][0]["TYPE"], 1);
  EXPECT_EQ(j["answerRRs"][0]["TTL"], 3600);
  EXPECT_EQ(j["answerRRs"][0]["RDATAHEX"], "C0000201");
  EXPECT_EQ(j["answerRRs"][0]["rdataA"], "192.0.2.1");
  ASSERT_EQ(j["additionalRRs"].size(), 1u);
  EXPECT_EQ(j["additionalRRs"][0]["TYPE"], 41);
  EXPECT_EQ(j["additionalRRs"][0]["CLASS"], 1232);
}

TEST(Decode, MalformedIsStatusOneWithOffset) {
  // The question name is a pointer to itself.
  auto r = decode("1234 0100 0001 0000 0000 0000 c00c 0001 0001", {.hex = true});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "dkimdoctor: error: msg: malformed DNS message: compression pointer loop at offset 12\n");
}

TEST(Decode, BadHexIsStatusOne) {
  auto r = decode("12 3g", {.hex = true});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "dkimdoctor: error: msg: invalid hex text at offset 4\n");
  auto odd = decode("123", {.hex = true});
  EXPECT_EQ(odd.status, 1);
}

TEST(Decode, EmptyInputIsMalformed) {
  auto r = decode("", {});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "dkimdoctor: error: msg: malformed DNS message: message truncated at offset 0\n");
}

TEST(Decode, CommandRegistersAndReadsFile) {
  CLI::App app;
  int status = -1;
  dkimdoctor::cli::add_decode_command(app, status);
  const std::string path = std::string(DKIMDOCTOR_WIRE_TEST_DATA) + "/does-not-exist.bin";
  std::vector<std::string> args = {path, "decode"};  // CLI11 parses argv in reverse
  app.parse(args);
  EXPECT_EQ(status, 2);
}

}  // namespace
