// print_message: dig's layout (header and flags as ';;' lines, OPT pseudosection, section titles,
// questions as ";owner CLASS TYPE", records as "owner TTL CLASS TYPE RDATA").
#include <gtest/gtest.h>

#include "wire/builder.hpp"
#include "wire/message.hpp"
#include "wire/print.hpp"

using namespace dkimdoctor::wire;

namespace {

Name N(std::string_view s) { return *Name::parse(s); }
Record R(std::string_view owner, RRType type, std::string_view rdata, std::uint32_t ttl) {
  return Record{N(owner), type, RRClass::IN, ttl, *Rdata::parse(type, rdata)};
}

TEST(Print, NxdomainWithEdnsOptions) {
  MessageBuilder b;
  b.set_id(4242).set_qr(true).set_aa(true).set_rd(true).set_rcode(Rcode::NXDomain);
  ASSERT_TRUE(b.add_question(N("nope._domainkey.example.com"), RRType::CNAME));
  ASSERT_TRUE(b.add_record(Section::Authority,
                           R("example.com", RRType::SOA, "ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300", 300)));
  const std::vector<EdnsOption> opts = {{10, {1, 2, 3, 4, 5, 6, 7, 8}}, {15, {0, 18}}, {12, {0, 0, 0}}, {65001, {0xAB}}};
  ASSERT_TRUE(b.add_edns(1232, true, opts));
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  auto m = MessageView::parse(*bytes);
  ASSERT_TRUE(m);
  EXPECT_EQ(print_message(*m),
            ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 4242\n"
            ";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1\n"
            "\n"
            ";; OPT PSEUDOSECTION:\n"
            "; EDNS: version: 0, flags: do; udp: 1232\n"
            "; COOKIE: 0102030405060708\n"
            "; EDE: 18 (Prohibited)\n"
            "; PADDING: 3 bytes\n"
            "; OPT=65001: AB\n"
            ";; QUESTION SECTION:\n"
            ";nope._domainkey.example.com.\tIN\tCNAME\n"
            "\n"
            ";; AUTHORITY SECTION:\n"
            "example.com.\t300\tIN\tSOA\tns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300\n");
}

TEST(Print, NoEdnsTruncatedAndTrailingBytes) {
  MessageBuilder b;
  b.set_id(1).set_qr(true).set_tc(true);
  ASSERT_TRUE(b.add_question(N("example.com"), RRType::TXT));
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  bytes->push_back(0);
  bytes->push_back(0);
  auto m = MessageView::parse(*bytes);
  ASSERT_TRUE(m);
  EXPECT_EQ(print_message(*m),
            ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n"
            ";; flags: qr tc; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0\n"
            ";; WARNING: 2 trailing bytes after the message\n"
            "\n"
            ";; QUESTION SECTION:\n"
            ";example.com.\tIN\tTXT\n");
}

}  // namespace
