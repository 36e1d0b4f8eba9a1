// RDATA of every supported type: round trip builder -> view -> text -> builder, alternative input
// forms, RFC 3597 for unknown and known types, typed views, and bad text.
#include <gtest/gtest.h>

#include "wire/builder.hpp"
#include "wire/message.hpp"
#include "wire/rdata.hpp"
#include "wire_test_util.hpp"

using namespace dkimdoctor::wire;
using wire_test::hex;

namespace {

struct RoundTrip {
  const char* name;
  RRType type;
  std::string_view text;       // canonical presentation (what to_string prints)
  std::string_view wire_hex;   // expected uncompressed RDATA, or "" to skip the byte check
};

const RoundTrip kRoundTrips[] = {
    {"A", RRType::A, "192.0.2.1", "c0000201"},
    {"AAAA_compressed_zeros", RRType::AAAA, "2001:db8::1", "20010db8000000000000000000000001"},
    {"AAAA_all_zero", RRType::AAAA, "::", "00000000000000000000000000000000"},
    {"AAAA_single_zero_word_not_compressed", RRType::AAAA, "2001:db8:0:1:1:1:1:1", ""},
    {"AAAA_v4_mapped", RRType::AAAA, "::ffff:192.0.2.1", "00000000000000000000ffffc0000201"},
    {"AAAA_longest_run_wins", RRType::AAAA, "2001:0:0:1::1", ""},
    {"NS", RRType::NS, "ns1.example.com.", "036e7331076578616d706c6503636f6d00"},
    {"CNAME", RRType::CNAME, "target.dkim.amazonses.com.", ""},
    {"DNAME", RRType::DNAME, "example.org.", ""},
    {"PTR", RRType::PTR, "host.example.com.", ""},
    {"SOA", RRType::SOA, "ns1.example.com. hostmaster.example.com. 2026112601 7200 3600 1209600 3600", ""},
    {"MX", RRType::MX, "10 mx.example.com.", "000a026d78076578616d706c6503636f6d00"},
    {"MX_null", RRType::MX, "0 .", "000000"},
    {"TXT_one", RRType::TXT, "\"v=spf1 -all\"", "0b763d73706631202d616c6c"},
    {"TXT_boundaries_kept", RRType::TXT, "\"a\" \"b c\" \"\"", "0161036220630 0"},
    {"TXT_escapes", RRType::TXT, "\"say \\\"hi\\\" \\\\ \\001\\255\"", ""},
    {"TXT_dkim_two_strings", RRType::TXT, "\"v=DKIM1; k=rsa; p=MIGfMA0\" \"GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC\"", ""},
    {"SRV", RRType::SRV, "10 60 5060 sip.example.com.", ""},
    {"CAA", RRType::CAA, "0 issue \"letsencrypt.org\"", "00 05 6973737565 6c657473656e63727970742e6f7267"},
    {"CAA_critical_iodef", RRType::CAA, "128 iodef \"mailto:security@example.com\"", ""},
    {"DS", RRType::DS, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
     "ec4505012bb183af5f22588179a53b0a98631fad1a292118"},
    {"DNSKEY", RRType::DNSKEY, "257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjF", ""},
    {"RRSIG", RRType::RRSIG, "A 8 3 3600 20260101000000 20251201000000 12345 example.com. c2lnbmF0dXJl", ""},
    {"NSEC", RRType::NSEC, "host.example.com. A MX RRSIG NSEC TYPE1234", ""},
    {"NSEC_no_types", RRType::NSEC, "host.example.com.", ""},
    {"NSEC3", RRType::NSEC3, "1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG", ""},
    {"NSEC3_no_salt_no_types", RRType::NSEC3, "1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR", ""},
    {"NSEC3PARAM", RRType::NSEC3PARAM, "1 0 12 AABBCCDD", "01 00 000c 04 aabbccdd"},
    {"NSEC3PARAM_no_salt", RRType::NSEC3PARAM, "1 0 0 -", "01 00 0000 00"},
    {"unknown_type_rfc3597", static_cast<RRType>(65280), "\\# 4 0A000001", "0a000001"},
    {"unknown_type_empty", static_cast<RRType>(65280), "\\# 0", ""},
    {"OPT_as_rfc3597", RRType::OPT, "\\# 12 000A000801020304050607 08", "000a00080102030405060708"},
};

class RdataRoundTrip : public ::testing::TestWithParam<RoundTrip> {};

TEST_P(RdataRoundTrip, BuilderViewTextBuilder) {
  const auto& c = GetParam();
  auto rd = Rdata::parse(c.type, c.text);
  ASSERT_TRUE(rd) << to_string(rd.error());
  if (!c.wire_hex.empty()) {
    EXPECT_EQ(rd->bytes(), hex(c.wire_hex));
  }
  // Canonical text for the OPT case is the RFC 3597 form without the split.
  const std::string canonical = c.type == RRType::OPT ? "\\# 12 000A00080102030405060708" : std::string(c.text);
  EXPECT_EQ(rd->to_string(), canonical);
  // append_to() appends the same text after what is there, leaving that alone.
  std::string appended = "prefix ";
  rd->append_to(appended);
  EXPECT_EQ(appended, "prefix " + canonical);

  // builder -> view
  const Name owner = *Name::parse(c.type == RRType::OPT ? "." : "www.example.com.");
  Record rec{owner, c.type, RRClass::IN, 3600, *rd};
  MessageBuilder b;
  b.set_id(7).set_qr(true);
  ASSERT_TRUE(b.add_question(*Name::parse("www.example.com."), c.type));
  ASSERT_TRUE(b.add_record(c.type == RRType::OPT ? Section::Additional : Section::Answer, rec));
  auto bytes = b.finish();
  ASSERT_TRUE(bytes);
  auto m = MessageView::parse(*bytes);
  ASSERT_TRUE(m) << to_string(m.error());
  const auto range = m->section(c.type == RRType::OPT ? Section::Additional : Section::Answer);
  ASSERT_FALSE(range.empty());
  const RecordView view = *range.begin();
  auto back = view.rdata();
  ASSERT_TRUE(back) << to_string(back.error());
  EXPECT_EQ(*back, *rd);
  EXPECT_TRUE(view.to_record() == rec);

  // view -> text -> builder
  auto again = Rdata::parse(c.type, back->to_string());
  ASSERT_TRUE(again) << to_string(again.error());
  EXPECT_EQ(*again, *rd);
  // RFC 3597 generic form parses to the same RDATA for known types too.
  std::string generic = "\\# " + std::to_string(rd->bytes().size()) + " ";
  for (auto o : rd->bytes()) {
    static const char* d = "0123456789abcdef";
    generic += d[o >> 4];
    generic += d[o & 15];
  }
  auto from_generic = Rdata::parse(c.type, generic);
  ASSERT_TRUE(from_generic) << generic << ": " << to_string(from_generic.error());
  EXPECT_EQ(*from_generic, *rd);
}

INSTANTIATE_TEST_SUITE_P(Table, RdataRoundTrip, ::testing::ValuesIn(kRoundTrips),
                         [](const auto& info) { return std::string(info.param.name); });

struct Alternative {
  const char* name;
  RRType type;
  std::string_view input;
  std::string_view canonical;
};

const Alternative kAlternatives[] = {
    {"A_generic", RRType::A, "\\# 4 c0000201", "192.0.2.1"},
    {"AAAA_uppercase_full", RRType::AAAA, "2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
    {"AAAA_embedded_v4", RRType::AAAA, "64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
    {"TXT_unquoted", RRType::TXT, "hello", "\"hello\""},
    {"TXT_decimal_escape", RRType::TXT, "\"\\104i\"", "\"hi\""},
    {"RRSIG_numeric_times", RRType::RRSIG, "A 8 3 3600 1767225600 1764547200 12345 example.com. c2lnbmF0dXJl",
     "A 8 3 3600 20260101000000 20251201000000 12345 example.com. c2lnbmF0dXJl"},
    {"DNSKEY_split_base64", RRType::DNSKEY, "257 3 8 ( AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29 euxhJhVVLOyQbSEW0O8gcCjF )",
     "257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjF"},
    {"DS_lowercase_split_hex", RRType::DS, "60485 5 1 2bb183af5f22588179a5 3b0a98631fad1a292118",
     "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"},
    {"NSEC_types_unsorted", RRType::NSEC, "a.example. NSEC A RRSIG MX A", "a.example. A MX RRSIG NSEC"},
    {"MX_comment_ignored", RRType::MX, "10 mx.example.com. ; backup", "10 mx.example.com."},
    {"CAA_unquoted_value", RRType::CAA, "0 issue ca.example.net", "0 issue \"ca.example.net\""},
};

class RdataAlternative : public ::testing::TestWithParam<Alternative> {};

TEST_P(RdataAlternative, ParsesToCanonical) {
  const auto& c = GetParam();
  auto rd = Rdata::parse(c.type, c.input);
  ASSERT_TRUE(rd) << to_string(rd.error());
  EXPECT_EQ(rd->to_string(), c.canonical);
}

INSTANTIATE_TEST_SUITE_P(Table, RdataAlternative, ::testing::ValuesIn(kAlternatives),
                         [](const auto& info) { return std::string(info.param.name); });

const std::string kTxt256 = "\"" + std::string(256, 'x') + "\"";

struct BadText {
  const char* name;
  RRType type;
  std::string_view input;
  Errc code;
};

const BadText kBadTexts[] = {
    {"A_octet_256", RRType::A, "192.0.2.256", Errc::bad_text},
    {"A_three_octets", RRType::A, "192.0.2", Errc::bad_text},
    {"A_extra_token", RRType::A, "192.0.2.1 5", Errc::bad_text},
    {"AAAA_two_gaps", RRType::AAAA, "1::2::3", Errc::bad_text},
    {"AAAA_nine_words", RRType::AAAA, "1:2:3:4:5:6:7:8:9", Errc::bad_text},
    {"MX_missing_name", RRType::MX, "10", Errc::bad_text},
    {"MX_preference_too_big", RRType::MX, "65536 mx.example.", Errc::bad_text},
    {"TXT_unterminated_quote", RRType::TXT, "\"abc", Errc::bad_text},
    {"TXT_string_256", RRType::TXT, kTxt256, Errc::bad_text},
    {"TXT_empty", RRType::TXT, "", Errc::bad_text},
    {"generic_length_mismatch", RRType::A, "\\# 5 c0000201", Errc::rdata_length_mismatch},
    {"generic_bad_hex", static_cast<RRType>(65280), "\\# 2 zz00", Errc::bad_text},
    {"generic_known_type_invalid", RRType::A, "\\# 3 c00002", Errc::rdata_length_mismatch},
    {"DS_odd_hex", RRType::DS, "1 5 1 ABC", Errc::bad_text},
    {"DNSKEY_bad_base64", RRType::DNSKEY, "257 3 8 A*==", Errc::bad_text},
    {"NSEC_unknown_type", RRType::NSEC, "a.example. A BOGUS", Errc::unknown_type},
    {"NSEC3_empty_hash", RRType::NSEC3, "1 0 0 - ", Errc::bad_text},
    {"CAA_empty_tag", RRType::CAA, "0 \"\" \"x\"", Errc::bad_rdata},
    {"unknown_type_without_generic", static_cast<RRType>(65280), "0a000001", Errc::bad_text},
    {"RRSIG_bad_time", RRType::RRSIG, "A 8 3 3600 20261301000000 20251201000000 1 example.com. AA==", Errc::bad_text},
};

class RdataBadText : public ::testing::TestWithParam<BadText> {};

TEST_P(RdataBadText, Rejected) {
  const auto& c = GetParam();
  auto rd = Rdata::parse(c.type, c.input);
  ASSERT_FALSE(rd) << rd->to_string();
  EXPECT_EQ(rd.error().code, c.code) << to_string(rd.error());
}

INSTANTIATE_TEST_SUITE_P(Table, RdataBadText, ::testing::ValuesIn(kBadTexts),
                         [](const auto& info) { return std::string(info.param.name); });

// A default-constructed Rdata is no valid A (or any typed) RDATA: its text is the RFC 3597 form, and
// append_to() falls back to it without dropping what the string held before.
TEST(RdataText, InvalidForItsTypeFallsBackToTheGenericFormWhenAppended) {
  const Rdata empty;
  EXPECT_EQ(empty.to_string(), "\\# 0");
  std::string s = "kept ";
  empty.append_to(s);
  EXPECT_EQ(s, "kept \\# 0");
}

TEST(RdataTyped, Views) {
  auto soa = Rdata::parse(RRType::SOA, "ns1.example.com. hostmaster.example.com. 1 2 3 4 5")->as_soa();
  ASSERT_TRUE(soa);
  EXPECT_EQ(soa->mname.to_string(), "ns1.example.com.");
  EXPECT_EQ(soa->rname.to_string(), "hostmaster.example.com.");
  EXPECT_EQ(soa->serial, 1u);
  EXPECT_EQ(soa->minimum, 5u);
  auto mx = Rdata::parse(RRType::MX, "10 mx.example.com.")->as_mx();
  ASSERT_TRUE(mx);
  EXPECT_EQ(mx->preference, 10);
  EXPECT_EQ(mx->exchange.to_string(), "mx.example.com.");
  auto txt = Rdata::parse(RRType::TXT, "\"v=DKIM1; p=AB\" \"CD\"")->txt_strings();
  ASSERT_TRUE(txt);
  ASSERT_EQ(txt->size(), 2u);
  EXPECT_EQ((*txt)[0], "v=DKIM1; p=AB");
  EXPECT_EQ((*txt)[1], "CD");
  EXPECT_EQ(Rdata::parse(RRType::CNAME, "x.example.")->target()->to_string(), "x.example.");
  EXPECT_FALSE(Rdata::parse(RRType::MX, "1 x.")->target());
  EXPECT_EQ(*Rdata::parse(RRType::A, "10.0.0.1")->as_a(), (std::array<std::uint8_t, 4>{10, 0, 0, 1}));
  EXPECT_FALSE(Rdata::parse(RRType::A, "10.0.0.1")->as_aaaa());
  EXPECT_EQ((*Rdata::parse(RRType::AAAA, "::1")->as_aaaa())[15], 1);
  auto srv = Rdata::parse(RRType::SRV, "1 2 3 t.example.")->as_srv();
  ASSERT_TRUE(srv);
  EXPECT_EQ(srv->port, 3);
  EXPECT_EQ(srv->target.to_string(), "t.example.");
  auto caa = Rdata::parse(RRType::CAA, "0 issue \"ca.example\"")->as_caa();
  ASSERT_TRUE(caa);
  EXPECT_EQ(caa->tag, "issue");
  EXPECT_EQ(caa->value, "ca.example");
  auto ds = Rdata::parse(RRType::DS, "60485 5 1 2BB1")->as_ds();
  ASSERT_TRUE(ds);
  EXPECT_EQ(ds->key_tag, 60485);
  EXPECT_EQ(ds->digest, hex("2bb1"));
  auto key = Rdata::parse(RRType::DNSKEY, "257 3 8 AwEA")->as_dnskey();
  ASSERT_TRUE(key);
  EXPECT_EQ(key->flags, 257);
  EXPECT_EQ(key->public_key, hex("030100"));
  auto sig = Rdata::parse(RRType::RRSIG, "TXT 13 2 300 20260101000000 20251201000000 9 example.com. AA==")->as_rrsig();
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->type_covered, RRType::TXT);
  EXPECT_EQ(sig->expiration, 1767225600u);
  EXPECT_EQ(sig->signer.to_string(), "example.com.");
  auto nsec = Rdata::parse(RRType::NSEC, "b.example. A TXT TYPE65280")->as_nsec();
  ASSERT_TRUE(nsec);
  EXPECT_EQ(nsec->types, (std::vector<RRType>{RRType::A, RRType::TXT, static_cast<RRType>(65280)}));
  auto n3 = Rdata::parse(RRType::NSEC3, "1 1 12 AABB 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR NS")->as_nsec3();
  ASSERT_TRUE(n3);
  EXPECT_EQ(n3->iterations, 12);
  EXPECT_EQ(n3->salt, hex("aabb"));
  EXPECT_EQ(n3->next_hashed_owner.size(), 20u);
  EXPECT_EQ(n3->types, std::vector<RRType>{RRType::NS});
  auto n3p = Rdata::parse(RRType::NSEC3PARAM, "1 0 5 -")->as_nsec3param();
  ASSERT_TRUE(n3p);
  EXPECT_TRUE(n3p->salt.empty());
  auto opts = Rdata::parse(RRType::OPT, "\\# 8 000c0004 00000000")->edns_options();
  ASSERT_TRUE(opts);
  ASSERT_EQ(opts->size(), 1u);
  EXPECT_EQ(edns_option_to_string((*opts)[0]), "PADDING: 4 bytes");
}

TEST(RdataWire, FromBytesRejectsPointers) {
  // A name in stand-alone RDATA cannot be compressed: there is no message to point into.
  auto r = Rdata::from_bytes(RRType::NS, hex("01 61 c0 00"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(Rdata::from_bytes(RRType::NS, hex("01 61 00")));
}

TEST(RdataText, RelativeNamesUseOrigin) {
  auto rd = Rdata::parse(RRType::MX, "10 mail", *Name::parse("example.com."));
  ASSERT_TRUE(rd);
  EXPECT_EQ(rd->to_string(), "10 mail.example.com.");
  EXPECT_EQ(Rdata::parse(RRType::NS, "@", *Name::parse("example.com."))->to_string(), "example.com.");
}

}  // namespace

namespace {

// The octet-at-a-time rule that append_quoted's eight-at-a-time scan must reproduce.
std::string quoted_reference(const std::string& raw) {
  std::string out = "\"";
  for (unsigned char c : raw) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c > 0x7E) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03u", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

TEST(TxtPresentation, EveryOctetAtEveryOffsetOfALongString) {
  // A long run of plain text with one special octet moved across every position of an 8-octet word:
  // the word-at-a-time scan must stop exactly there, whatever the octet.
  for (int special = 0; special < 256; ++special) {
    for (std::size_t at = 0; at < 20; ++at) {
      std::string raw(40, 'k');
      raw[at] = static_cast<char>(special);
      std::vector<std::uint8_t> rdata(raw.size() + 1);
      rdata[0] = static_cast<std::uint8_t>(raw.size());
      std::copy(raw.begin(), raw.end(), rdata.begin() + 1);
      auto r = Rdata::from_bytes(RRType::TXT, rdata);
      ASSERT_TRUE(static_cast<bool>(r));
      ASSERT_EQ(r->to_string(), quoted_reference(raw)) << special << " at " << at;
    }
  }
}
