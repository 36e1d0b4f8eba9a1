// MessageBuilder: exact bytes for RFC-shaped messages, name compression in and out (only RFC 1035
// types compress RDATA names), section order, size limits (refuse or truncate with TC, never a silent
// drop), OPT kept on truncation, TCP length prefix, extended RCODE.
#include <gtest/gtest.h>

#include <algorithm>

#include "wire/builder.hpp"
#include "wire/message.hpp"
#include "wire_test_util.hpp"

using namespace dkimdoctor::wire;
using wire_test::hex;

namespace {

Name N(std::string_view s) { return *Name::parse(s); }
Record R(std::string_view owner, RRType type, std::string_view rdata, std::uint32_t ttl = 3600) {
  return Record{N(owner), type, RRClass::IN, ttl, *Rdata::parse(type, rdata)};
}

TEST(MakeQuery, ExactBytesWithEdns) {
  const auto q = make_query(0x1234, N("example.com"), RRType::A, true, 1232);
  EXPECT_EQ(q, hex("12 34 01 00 00 01 00 00 00 00 00 01"
                   "07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01"
                   "00 00 29 04 d0 00 00 00 00 00 00"));
}

TEST(MakeQuery, NoEdns) {
  const auto q = make_query(1, N("."), RRType::NS, false, 0);
  EXPECT_EQ(q, hex("00 01 00 00 00 01 00 00 00 00 00 00 00 00 02 00 01"));
}

TEST(MakeQuery, SameBytesAsTheBuilder) {
  // make_query writes its bytes directly; the general builder is the reference.
  const std::string longest = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                              std::string(61, 'd');  // 255 octets in wire form
  for (const std::string& text : {std::string("."), std::string("ExAmple.COM"), std::string("_amazonses.x.org"), longest}) {
    for (const std::uint16_t edns : {std::uint16_t{0}, std::uint16_t{1232}, std::uint16_t{65535}}) {
      for (const bool rd : {false, true}) {
        for (const bool dnssec_ok : {false, true}) {
          MessageBuilder b(kMaxMessageSize);
          b.set_id(0xbeef).set_rd(rd);
          ASSERT_TRUE(b.add_question(N(text), RRType::TXT, RRClass::IN));
          if (edns) {
            ASSERT_TRUE(b.add_edns(edns, dnssec_ok));
          }
          auto expected = b.finish();
          ASSERT_TRUE(expected);
          // DO only rides on an OPT record: without EDNS the flag is ignored.
          EXPECT_EQ(make_query(0xbeef, N(text), RRType::TXT, rd, edns, dnssec_ok), *expected)
              << text << " " << edns << " " << rd << " " << dnssec_ok;
        }
      }
    }
  }
}

TEST(Builder, CompressesOwnersAndRfc1035RdataNames) {
  MessageBuilder b;
  b.set_id(0x1234).set_qr(true).set_aa(true);
  ASSERT_TRUE(b.add_question(N("example.com"), RRType::MX));
  ASSERT_TRUE(b.add_record(Section::Answer, R("example.com", RRType::MX, "10 mail.example.com.")));
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  // Owner -> pointer to the question name at 12; the exchange "mail" + pointer to 12.
  EXPECT_EQ(*bytes, hex("12 34 84 00 00 01 00 01 00 00 00 00"
                        "07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 0f 00 01"
                        "c0 0c 00 0f 00 01 00 00 0e 10 00 09 00 0a 04 6d 61 69 6c c0 0c"));
}

TEST(Builder, CompressionUsesSuffixesAndPreservesCase) {
  MessageBuilder b;
  ASSERT_TRUE(b.add_question(N("www.Example.COM"), RRType::A));
  ASSERT_TRUE(b.add_record(Section::Answer, R("www.Example.COM", RRType::CNAME, "web.Example.COM.")));
  ASSERT_TRUE(b.add_record(Section::Answer, R("WEB.example.com", RRType::A, "192.0.2.1")));
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  auto m = MessageView::parse(*bytes);
  ASSERT_TRUE(m);
  auto it = m->answers().begin();
  const RecordView cname = *it;
  // Same case: the owner is one pointer; the target is "web" + pointer to "Example.COM".
  EXPECT_EQ((*bytes)[cname.owner_offset()], 0xC0);
  EXPECT_EQ(cname.rdata_length(), 6);
  EXPECT_EQ(cname.rdata()->to_string(), "web.Example.COM.");
  ++it;
  // Different case is not compressed onto the earlier spelling: it reads back exactly as given.
  EXPECT_TRUE(it->owner().equals_exact(N("WEB.example.com")));
}

TEST(Builder, NoCompressionInsideNonRfc1035Rdata) {
  // RFC 3597 §4: SRV, RRSIG, NSEC, DNAME names are written in full.
  MessageBuilder b;
  ASSERT_TRUE(b.add_question(N("_sip._tcp.example.com"), RRType::SRV));
  ASSERT_TRUE(b.add_record(Section::Answer, R("_sip._tcp.example.com", RRType::SRV, "1 1 5060 example.com.")));
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  auto m = MessageView::parse(*bytes);
  ASSERT_TRUE(m);
  const RecordView r = *m->answers().begin();
  EXPECT_EQ(r.rdata_length(), 6 + 13);  // priority, weight, port + "example.com." uncompressed
  const auto rd = r.rdata_bytes();
  EXPECT_EQ(std::vector<std::uint8_t>(rd.begin() + 6, rd.end()), N("example.com").wire().size() == 13
                                                                     ? hex("07 65 78 61 6d 70 6c 65 03 63 6f 6d 00")
                                                                     : std::vector<std::uint8_t>{});
}

TEST(Builder, CompressionTableIsBounded) {
  // Many distinct names: the table fills up, later names are written in full, all still valid.
  MessageBuilder b;
  ASSERT_TRUE(b.add_question(N("zone.example"), RRType::NS));
  std::vector<Record> records;
  for (int i = 0; i < 200; ++i) {
    records.push_back(R("zone.example", RRType::NS, "ns" + std::to_string(i) + ".provider" + std::to_string(i) + ".net."));
    ASSERT_TRUE(b.add_record(Section::Answer, records.back()));
  }
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  auto m = MessageView::parse(*bytes);
  ASSERT_TRUE(m) << to_string(m.error());
  std::size_t i = 0;
  for (const auto& r : m->answers()) {
    ASSERT_LT(i, records.size());
    EXPECT_TRUE(r.to_record() == records[i]) << i;
    ++i;
  }
  EXPECT_EQ(i, records.size());
}

TEST(Builder, SectionOrderEnforced) {
  MessageBuilder b;
  ASSERT_TRUE(b.add_question(N("example.com"), RRType::A));
  ASSERT_TRUE(b.add_record(Section::Additional, R("ns.example.com", RRType::A, "192.0.2.1")));
  auto late = b.add_record(Section::Answer, R("example.com", RRType::A, "192.0.2.2"));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Errc::section_order);
  auto q = b.add_question(N("x.example"), RRType::A);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, Errc::section_order);
}

TEST(Builder, RefusesWhenFull) {
  MessageBuilder b(61, Overflow::Refuse);
  ASSERT_TRUE(b.add_question(N("example.com"), RRType::A));  // 29 octets
  ASSERT_TRUE(b.add_record(Section::Answer, R("example.com", RRType::A, "192.0.2.1")));  // 45
  auto r = b.add_record(Section::Answer, R("other.example.org", RRType::A, "192.0.2.2"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::message_too_large);
  EXPECT_FALSE(b.truncated());
  // The refused record left nothing behind; smaller records still fit.
  ASSERT_TRUE(b.add_record(Section::Answer, R("example.com", RRType::A, "192.0.2.3")));
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->size(), 61u);  // header 12 + question 17 + two records of 16
  auto m = MessageView::parse(*bytes);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header().ancount, 2);
  EXPECT_FALSE(m->header().tc);
}

TEST(Builder, RefusedRecordLeavesNoCompressionTargets) {
  // The refused record's owner was remembered while it was written; after the rollback a later
  // record with the same owner must not point into the removed bytes.
  MessageBuilder b(120, Overflow::Refuse);
  ASSERT_TRUE(b.add_question(N("a.example"), RRType::A));
  auto big = b.add_record(Section::Answer, R("somewhat-long-owner.example", RRType::TXT, "\"" + std::string(120, 'x') + "\""));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::message_too_large);
  ASSERT_TRUE(b.add_record(Section::Answer, R("pad.example", RRType::A, "192.0.2.9")));
  ASSERT_TRUE(b.add_record(Section::Answer, R("somewhat-long-owner.example", RRType::A, "192.0.2.1")));
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  auto m = MessageView::parse(*bytes);
  ASSERT_TRUE(m) << to_string(m.error());
  auto it = m->answers().begin();
  ++it;
  EXPECT_EQ(it->owner().to_string(), "somewhat-long-owner.example.");
}

TEST(Builder, TruncatesAtRecordBoundaryWithTcAndKeepsOpt) {
  MessageBuilder b(200, Overflow::Truncate);
  b.set_qr(true);
  ASSERT_TRUE(b.add_question(N("example.com"), RRType::TXT));
  ASSERT_TRUE(b.add_edns(1232, true));
  int added = 0;
  WireResult<void> last;
  for (int i = 0; i < 20; ++i) {
    last = b.add_record(Section::Answer, R("example.com", RRType::TXT, "\"record number " + std::to_string(i) + "\""));
    if (!last) break;
    ++added;
  }
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, Errc::message_truncated);
  EXPECT_TRUE(b.truncated());
  // Every later record is refused the same way, never silently dropped.
  auto after = b.add_record(Section::Additional, R("a.example.com", RRType::A, "192.0.2.1"));
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, Errc::message_truncated);
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  EXPECT_LE(bytes->size(), 200u);
  auto m = MessageView::parse(*bytes);
  ASSERT_TRUE(m) << to_string(m.error());
  EXPECT_TRUE(m->header().tc);
  EXPECT_EQ(m->header().ancount, added);
  ASSERT_TRUE(m->edns());
  EXPECT_TRUE(m->edns()->do_bit);
  EXPECT_EQ(m->trailing_bytes(), 0u);
}

TEST(Builder, TcpLengthPrefix) {
  MessageBuilder b;
  ASSERT_TRUE(b.add_question(N("example.com"), RRType::A));
  auto tcp = b.finish_tcp();
  ASSERT_TRUE(tcp);
  ASSERT_EQ(tcp->size(), 31u);
  EXPECT_EQ((*tcp)[0], 0);
  EXPECT_EQ((*tcp)[1], 29);
}

TEST(Builder, ExtendedRcodeNeedsOpt) {
  MessageBuilder plain;
  plain.set_rcode(Rcode::BadVers);
  auto r = plain.finish();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::rcode_needs_edns);

  MessageBuilder b;
  b.set_qr(true).set_rcode(Rcode::BadVers);
  ASSERT_TRUE(b.add_edns(1232, false));
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  auto m = MessageView::parse(*bytes);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header().rcode, 0);
  EXPECT_EQ(m->rcode(), Rcode::BadVers);
}

TEST(Builder, EdnsOptionsRoundTrip) {
  MessageBuilder b;
  ASSERT_TRUE(b.add_question(N("example.com"), RRType::A));
  const std::vector<EdnsOption> opts = {{10, hex("0102030405060708")}, {12, std::vector<std::uint8_t>(6, 0)}};
  ASSERT_TRUE(b.add_edns(4096, true, opts));
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  auto m = MessageView::parse(*bytes);
  ASSERT_TRUE(m);
  auto e = m->edns();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->udp_size, 4096);
  EXPECT_TRUE(e->do_bit);
  EXPECT_EQ(e->options, opts);
}

TEST(Builder, OptRulesOnAddRecord) {
  MessageBuilder b;
  Record opt{Name(), RRType::OPT, static_cast<RRClass>(1232), 0, *Rdata::parse(RRType::OPT, "\\# 0")};
  EXPECT_EQ(b.add_record(Section::Answer, opt).error().code, Errc::opt_not_in_additional);
  Record owned = opt;
  owned.owner = N("example.com");
  EXPECT_EQ(b.add_record(Section::Additional, owned).error().code, Errc::opt_bad_owner);
  ASSERT_TRUE(b.add_record(Section::Additional, opt));
  EXPECT_EQ(b.add_record(Section::Additional, opt).error().code, Errc::multiple_opt);
  EXPECT_EQ(b.add_edns(512, false).error().code, Errc::multiple_opt);
}

TEST(Builder, HeaderFlagsRoundTrip) {
  MessageBuilder b;
  Header h;
  h.id = 0xBEEF;
  h.qr = h.aa = h.tc = h.rd = h.ra = h.z = h.ad = h.cd = true;
  h.opcode = Opcode::Update;
  h.rcode = 5;
  b.set_header(h);
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  EXPECT_EQ(Header::read(*bytes), h);
}

}  // namespace
