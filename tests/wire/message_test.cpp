// MessageView: header by named offsets, validate-once parsing, the malformed-input table (every case
// names the error and its offset), trailing bytes, EDNS and the extended RCODE.
#include <gtest/gtest.h>

#include "wire/builder.hpp"
#include "wire/message.hpp"
#include "wire_test_util.hpp"

using namespace dkimdoctor::wire;
using wire_test::concat;
using wire_test::hex;

namespace {

// Header: id 0x1234, flags 0x8180 (qr rd ra), and counts.
std::vector<std::uint8_t> header(int qd, int an, int ns, int ar, std::string_view flags = "81 80") {
  auto h = hex("12 34");
  auto f = hex(flags);
  h.insert(h.end(), f.begin(), f.end());
  for (int c : {qd, an, ns, ar}) {
    h.push_back(static_cast<std::uint8_t>(c >> 8));
    h.push_back(static_cast<std::uint8_t>(c));
  }
  return h;
}

const auto kQuestion = hex("07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01");  // example.com A IN (12..28)
const auto kAnswerA = hex("c0 0c 00 01 00 01 00 00 0e 10 00 04 c0 00 02 01");      // ptr A IN 3600 192.0.2.1
const auto kOpt = hex("00 00 29 04 d0 00 00 00 00 00 00");                         // OPT udp 1232

TEST(Header, NamedOffsets) {
  const auto b = header(1, 2, 3, 4, "85 a3");  // qr, opcode 0, aa, rd, ra, ad, rcode 3
  const Header h = Header::read(b);
  EXPECT_EQ(h.id, 0x1234);
  EXPECT_TRUE(h.qr);
  EXPECT_EQ(h.opcode, Opcode::Query);
  EXPECT_TRUE(h.aa);
  EXPECT_FALSE(h.tc);
  EXPECT_TRUE(h.rd);
  EXPECT_TRUE(h.ra);
  EXPECT_FALSE(h.z);
  EXPECT_TRUE(h.ad);
  EXPECT_FALSE(h.cd);
  EXPECT_EQ(h.rcode, 3);
  EXPECT_EQ(h.qdcount, 1);
  EXPECT_EQ(h.ancount, 2);
  EXPECT_EQ(h.nscount, 3);
  EXPECT_EQ(h.arcount, 4);
  std::uint8_t out[12];
  h.write(out);
  EXPECT_EQ(std::vector<std::uint8_t>(out, out + 12), b);
  const Header notify = Header::read(header(0, 0, 0, 0, "24 10"));  // opcode 4 (NOTIFY), aa, cd
  EXPECT_EQ(notify.opcode, Opcode::Notify);
  EXPECT_TRUE(notify.aa);
  EXPECT_TRUE(notify.cd);
  EXPECT_FALSE(notify.qr);
}

TEST(MessageView, ParsesAnswer) {
  const auto b = concat({header(1, 1, 0, 1), kQuestion, kAnswerA, kOpt});
  auto m = MessageView::parse(b);
  ASSERT_TRUE(m) << to_string(m.error());
  EXPECT_EQ(m->trailing_bytes(), 0u);
  int nq = 0;
  for (const auto& q : m->questions()) {
    ++nq;
    EXPECT_EQ(q.name().to_string(), "example.com.");
    EXPECT_EQ(q.type(), RRType::A);
    EXPECT_EQ(q.cls(), RRClass::IN);
  }
  EXPECT_EQ(nq, 1);
  int na = 0;
  for (const auto& r : m->answers()) {
    ++na;
    EXPECT_EQ(r.owner().to_string(), "example.com.");
    EXPECT_EQ(r.owner_offset(), 29u);
    EXPECT_EQ(r.type(), RRType::A);
    EXPECT_EQ(r.ttl(), 3600u);
    EXPECT_EQ(r.rdata_offset(), 41u);
    EXPECT_EQ(r.rdata_length(), 4);
    EXPECT_EQ(r.section(), Section::Answer);
    auto rd = r.rdata();
    ASSERT_TRUE(rd);
    EXPECT_EQ(rd->to_string(), "192.0.2.1");
    EXPECT_EQ(r.to_record().to_string(), "example.com.\t3600\tIN\tA\t192.0.2.1");
  }
  EXPECT_EQ(na, 1);
  EXPECT_TRUE(m->authority().empty());
  auto e = m->edns();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->udp_size, 1232);
  EXPECT_FALSE(e->do_bit);
  EXPECT_EQ(m->rcode(), Rcode::NoError);
}

TEST(MessageView, TrailingBytesReported) {
  const auto b = concat({header(1, 1, 0, 0), kQuestion, kAnswerA, hex("de ad be")});
  auto m = MessageView::parse(b);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->trailing_bytes(), 3u);
  EXPECT_EQ(m->message_size(), b.size() - 3);
}

TEST(MessageView, ExtendedRcodeCombinesWithOpt) {
  // Header RCODE 0 + OPT extended RCODE 1 = 16 (BADVERS), RFC 6891 §6.1.3; DO bit set.
  const auto b = concat({header(1, 0, 0, 1, "81 00"), kQuestion, hex("00 00 29 10 00 01 00 80 00 00 00")});
  auto m = MessageView::parse(b);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rcode(), Rcode::BadVers);
  EXPECT_TRUE(m->edns()->do_bit);
  EXPECT_EQ(m->edns()->udp_size, 4096);
  EXPECT_EQ(m->edns()->extended_rcode, 1);
}

TEST(MessageView, EdnsOptions) {
  // COOKIE (8-octet client cookie) and EDE 18 "Prohibited" with text "no".
  const auto b = concat({header(1, 0, 0, 1), kQuestion,
                         hex("00 00 29 04 d0 00 00 00 00 00 14"
                             "00 0a 00 08 01 02 03 04 05 06 07 08"
                             "00 0f 00 04 00 12 6e 6f")});
  auto m = MessageView::parse(b);
  ASSERT_TRUE(m) << to_string(m.error());
  auto e = m->edns();
  ASSERT_TRUE(e);
  ASSERT_EQ(e->options.size(), 2u);
  EXPECT_EQ(e->options[0].code, static_cast<std::uint16_t>(EdnsOptionCode::Cookie));
  EXPECT_EQ(edns_option_to_string(e->options[0]), "COOKIE: 0102030405060708");
  EXPECT_EQ(edns_option_to_string(e->options[1]), "EDE: 18 (Prohibited): \"no\"");
  auto ede = parse_extended_error(e->options[1].data);
  ASSERT_TRUE(ede);
  EXPECT_EQ(ede->info_code, 18);
  EXPECT_EQ(ede->extra_text, "no");
}

struct Malformed {
  const char* name;
  std::vector<std::uint8_t> bytes;
  Errc code;
  std::size_t offset;
};

std::vector<Malformed> malformed() {
  const auto q = kQuestion;
  return {
      {"empty", {}, Errc::truncated, 0},
      {"truncated_header", hex("12 34 81 80 00 01 00 00 00 00 00"), Errc::truncated, 11},
      {"qdcount_lies", header(1, 0, 0, 0), Errc::count_too_large, 4},
      {"ancount_65535", concat({header(1, 65535, 0, 0), q}), Errc::count_too_large, 6},
            // Plausible counts pass the size/11 check; the walk then finds the record missing.
      {"arcount_lies_by_one", concat({header(1, 1, 0, 1), q, kAnswerA}), Errc::truncated, 45},
      {"counts_exceed_in_sum", concat({header(1, 1, 0, 1), q, hex("00 00 01 00 01 00 00")}), Errc::count_too_large, 10},
      {"rr_header_cut", concat({header(1, 1, 0, 0), q, hex("00 00 01 00 01 00 00")}), Errc::truncated, 30},
      {"truncated_question", concat({header(1, 0, 0, 0), hex("07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01")}),
       Errc::truncated, 25},
      {"truncated_question_name", concat({header(1, 0, 0, 0), hex("07 65 78 61 6d 70 6c")}), Errc::truncated, 12},
      {"truncated_rr_fixed_part", concat({header(1, 1, 0, 0), q, hex("c0 0c 00 01 00 01 00 00 0e 10 00")}),
       Errc::truncated, 31},
      {"truncated_rdata", concat({header(1, 1, 0, 0), q, hex("c0 0c 00 01 00 01 00 00 0e 10 00 04 c0 00")}),
       Errc::truncated, 39},
      {"rdlength_too_short_a", concat({header(1, 1, 0, 0), q, hex("c0 0c 00 01 00 01 00 00 0e 10 00 03 c0 00 02")}),
       Errc::rdata_length_mismatch, 44},
      {"rdlength_too_long_a",
       concat({header(1, 1, 0, 0), q, hex("c0 0c 00 01 00 01 00 00 0e 10 00 05 c0 00 02 01 00")}),
       Errc::rdata_length_mismatch, 45},
      // MX: preference + name, RDLENGTH 4 cuts the name "mx.example.com" short.
      {"rdlength_too_short_mx",
       concat({header(1, 1, 0, 0), q, hex("c0 0c 00 0f 00 01 00 00 0e 10 00 04 00 0a 02 6d 78 c0 0c")}),
       Errc::rdata_length_mismatch, 43},
      // NS with RDLENGTH 5 but the name (pointer) is 2 octets: 3 octets left over.
      {"rdlength_too_long_ns",
       concat({header(1, 1, 0, 0), q, hex("c0 0c 00 02 00 01 00 00 0e 10 00 05 c0 0c 00 00 00")}),
       Errc::rdata_length_mismatch, 43},
      {"txt_empty_rdata", concat({header(1, 1, 0, 0), q, hex("c0 0c 00 10 00 01 00 00 0e 10 00 00")}),
       Errc::bad_rdata, 41},
      {"txt_string_overruns",
       concat({header(1, 1, 0, 0), q, hex("c0 0c 00 10 00 01 00 00 0e 10 00 03 05 61 62")}),
       Errc::rdata_length_mismatch, 41},
      {"two_opts", concat({header(1, 0, 0, 2), q, kOpt, kOpt}), Errc::multiple_opt, 40},
      {"opt_in_answer", concat({header(1, 1, 0, 0), q, kOpt}), Errc::opt_not_in_additional, 29},
      {"opt_in_authority", concat({header(1, 0, 1, 0), q, kOpt}), Errc::opt_not_in_additional, 29},
      {"opt_owner_not_root", concat({header(1, 0, 0, 1), q, hex("c0 0c 00 29 04 d0 00 00 00 00 00 00")}),
       Errc::opt_bad_owner, 29},
      {"opt_option_overruns", concat({header(1, 0, 0, 1), q, hex("00 00 29 04 d0 00 00 00 00 00 06 00 0a 00 08 01 02")}),
       Errc::rdata_length_mismatch, 40},
      {"pointer_loop_in_question", concat({header(1, 0, 0, 0), hex("c0 0c 00 01 00 01")}), Errc::pointer_loop, 12},
      {"pointer_forward_in_question", concat({header(1, 0, 0, 0), hex("c0 12 00 01 00 01 00")}),
       Errc::pointer_forward, 12},
      {"pointer_into_header_owner", concat({header(1, 1, 0, 0), q, hex("c0 04 00 01 00 01 00 00 0e 10 00 04 c0 00 02 01")}),
       Errc::pointer_into_header, 29},
      {"pointer_forward_in_rdata",
       concat({header(1, 1, 0, 0), q, hex("c0 0c 00 05 00 01 00 00 0e 10 00 02 c0 30 00 00 00 00 00")}),
       Errc::pointer_forward, 41},
      // Length octet 0x40 = label type 01: a "label" of 64 can only be written this way.
      {"label_over_63", concat({header(1, 0, 0, 0), hex("40"), std::vector<std::uint8_t>(64, 'a'), hex("00 00 01 00 01")}),
       Errc::bad_label_type, 12},
      {"name_over_255", [] {
         auto b = header(1, 0, 0, 0);
         for (int i = 0; i < 5; ++i) {
           b.push_back(63);
           b.insert(b.end(), 63, 'x');
         }
         b.push_back(0);
         auto tail = hex("00 01 00 01");
         b.insert(b.end(), tail.begin(), tail.end());
         return b;
       }(),
       Errc::name_too_long, 12 + 64 * 3},
      {"bad_caa_tag",
       concat({header(1, 1, 0, 0), q, hex("c0 0c 01 01 00 01 00 00 0e 10 00 05 00 02 69 2d 78")}),
       Errc::bad_rdata, 44},
      {"nsec_bitmap_window_order",
       concat({header(1, 1, 0, 0), q, hex("c0 0c 00 2f 00 01 00 00 0e 10 00 08 00 01 01 40 00 01 40 00")}),
       Errc::bad_rdata, 45},
  };
}

class MessageMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(MessageMalformed, RejectedWithCodeAndOffset) {
  const auto& c = GetParam();
  auto m = MessageView::parse(c.bytes);
  ASSERT_FALSE(m) << "accepted";
  EXPECT_EQ(m.error().code, c.code) << to_string(m.error());
  EXPECT_EQ(m.error().offset, c.offset) << to_string(m.error());
  EXPECT_FALSE(to_string(m.error()).empty());
}

INSTANTIATE_TEST_SUITE_P(Table, MessageMalformed, ::testing::ValuesIn(malformed()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(MessageView, ErrorText) {
  EXPECT_EQ(to_string(Error{Errc::pointer_loop, 45}), "compression pointer loop at offset 45");
}

TEST(MessageView, UnknownTypeOnlyNeedsToFit) {
  // TYPE65280 with 4 octets of opaque RDATA is accepted and prints per RFC 3597.
  const auto b = concat({header(1, 1, 0, 0), kQuestion, hex("c0 0c ff 00 00 01 00 00 0e 10 00 04 0a 00 00 01")});
  auto m = MessageView::parse(b);
  ASSERT_TRUE(m) << to_string(m.error());
  EXPECT_EQ(m->answers().begin()->to_record().to_string(), "example.com.\t3600\tIN\tTYPE65280\t\\# 4 0A000001");
}

TEST(MessageView, OversizedInputRefused) {
  std::vector<std::uint8_t> big(70000, 0);
  auto m = MessageView::parse(big);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Errc::message_too_large);
}

}  // namespace
