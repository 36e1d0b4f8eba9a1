// Interop: responses captured from NSD 4.6 with ldns's drill 1.8.3 and Knot's kdig 3.2.6
// (tests/wire/data/interop/capture.sh) decode to the same text each tool printed for those bytes.
//
// Compared: header (id, opcode, rcode, flags, counts), the EDNS line, the question, and every record
// line of every section, in order. Normalisations, each a documented formatting difference of ldns:
//   - whitespace runs collapse to one space (ldns writes "salt  hash" and a trailing space in NSEC3);
//   - ldns appends " ;{id = N (ksk), size = Nb}" to DNSKEY lines: a comment, dropped;
//   - ldns prints hex and base32hex (DS digest, NSEC3 salt/next hash, RFC 3597 data) in lowercase; we
//     print uppercase as BIND does: those record types compare case-insensitively;
//   - ldns prints control characters inside character-strings raw; we escape them as \DDD (RFC 1035
//     §5.1): our \009 becomes a tab (then a space) before comparing;
//   - ldns's ADDITIONAL count leaves out the OPT pseudo-record; it writes questions as ";; name".
// kdig prints records as we do; its only differences: the NSEC3 next hashed owner in lowercase base32hex
// (we print uppercase as BIND does: NSEC3 compares case-insensitively), whitespace padding after owners,
// and ";; name" questions.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>

#include "wire/message.hpp"
#include "wire/print.hpp"
#include "wire_test_util.hpp"

using namespace dkimdoctor::wire;

namespace {

const std::string kDir = std::string(DKIMDOCTOR_WIRE_TEST_DATA) + "/interop";

std::string collapse(std::string s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string normalise_theirs(std::string line) {
  static const std::regex kDnskeyComment(R"( ;\{id = \d+ \((ksk|zsk)\), size = \d+b\}$)");
  line = std::regex_replace(line, kDnskeyComment, "");
  return collapse(line);
}

std::string normalise_ours(const std::string& line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line.compare(i, 4, "\\009") == 0) {
      out.push_back('\t');
      i += 3;
    } else {
      out.push_back(line[i]);
    }
  }
  return collapse(out);
}

bool case_insensitive_type(RRType t) {
  return t == RRType::DS || t == RRType::NSEC3 || t == RRType::NSEC3PARAM || !is_known_type(t);
}

struct DrillText {
  std::string header_line, flags_line, edns_line;
  std::vector<std::string> question;
  std::vector<std::string> sections[3];  // answer, authority, additional
};

DrillText parse_drill(const std::string& text) {
  DrillText d;
  std::istringstream in(text);
  std::string line;
  int section = -1;  // -1 none, 0 question, 1..3 records
  while (std::getline(in, line)) {
    if (line.starts_with(";; ->>HEADER<<-")) d.header_line = line;
    else if (line.starts_with(";; flags:")) d.flags_line = line;
    else if (line.starts_with(";; EDNS:")) d.edns_line = line;
    else if (line == ";; QUESTION SECTION:") section = 0;
    else if (line == ";; ANSWER SECTION:") section = 1;
    else if (line == ";; AUTHORITY SECTION:") section = 2;
    else if (line == ";; ADDITIONAL SECTION:") section = 3;
    else if (line.empty()) section = -1;
    else if (section == 0) d.question.push_back(line);
    else if (section > 0 && !line.starts_with(";")) d.sections[section - 1].push_back(line);
  }
  return d;
}

std::vector<std::string> fixtures() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(kDir, ec))
    if (e.path().extension() == ".bin" && !e.path().stem().string().ends_with(".kdig"))
      names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class Interop : public ::testing::TestWithParam<std::string> {};

TEST_P(Interop, DecodesToWhatDrillPrinted) {
  const auto bytes = wire_test::read_file(kDir + "/" + GetParam() + ".bin");
  const auto drill = parse_drill(wire_test::read_text(kDir + "/" + GetParam() + ".drill.txt"));
  ASSERT_FALSE(bytes.empty());
  ASSERT_FALSE(drill.header_line.empty());
  auto m = MessageView::parse(bytes);
  ASSERT_TRUE(m) << to_string(m.error());
  EXPECT_EQ(m->trailing_bytes(), 0u);
  (void)print_message(*m);

  // ";; ->>HEADER<<- opcode: QUERY, rcode: NOERROR, id: 34469"
  const Header& h = m->header();
  EXPECT_EQ(drill.header_line, ";; ->>HEADER<<- opcode: " + to_string(h.opcode) + ", rcode: " + to_string(m->rcode()) +
                                   ", id: " + std::to_string(h.id));
  // ";; flags: qr aa rd ; QUERY: 1, ANSWER: 1, AUTHORITY: 2, ADDITIONAL: 2 "
  std::string flags = ";; flags:";
  for (auto [on, name] : {std::pair{h.qr, "qr"}, {h.aa, "aa"}, {h.tc, "tc"}, {h.rd, "rd"}, {h.cd, "cd"}, {h.ra, "ra"},
                          {h.ad, "ad"}})
    if (on) flags += std::string(" ") + name;
  const int opt = m->edns() ? 1 : 0;
  flags += " ; QUERY: " + std::to_string(h.qdcount) + ", ANSWER: " + std::to_string(h.ancount) +
           ", AUTHORITY: " + std::to_string(h.nscount) + ", ADDITIONAL: " + std::to_string(h.arcount - opt) + " ";
  EXPECT_EQ(drill.flags_line, flags);
  if (auto e = m->edns()) {
    EXPECT_EQ(drill.edns_line, ";; EDNS: version " + std::to_string(e->version) + "; flags:" +
                                   (e->do_bit ? " do " : " ") + "; udp: " + std::to_string(e->udp_size));
  } else {
    EXPECT_EQ(drill.edns_line, "");
  }

  std::vector<std::string> questions;
  for (const auto& q : m->questions()) {
    std::string line = ";; ";
    line.append(q.to_question().to_string(), 1);
    questions.push_back(collapse(line));
  }
  std::vector<std::string> their_questions;
  for (const auto& q : drill.question) their_questions.push_back(collapse(q));
  EXPECT_EQ(questions, their_questions);

  const Section sections[] = {Section::Answer, Section::Authority, Section::Additional};
  for (int s = 0; s < 3; ++s) {
    std::vector<RecordView> ours;
    for (const auto& r : m->section(sections[s]))
      if (r.type() != RRType::OPT) ours.push_back(r);
    ASSERT_EQ(ours.size(), drill.sections[s].size()) << to_string(sections[s]);
    for (std::size_t i = 0; i < ours.size(); ++i) {
      std::string mine = normalise_ours(ours[i].to_record().to_string());
      std::string theirs = normalise_theirs(drill.sections[s][i]);
      if (case_insensitive_type(ours[i].type())) {
        mine = upper(mine);
        theirs = upper(theirs);
      }
      EXPECT_EQ(mine, theirs) << to_string(sections[s]) << " record " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Nsd, Interop, ::testing::ValuesIn(fixtures()),
                         [](const auto& info) { return info.param; });

TEST(InteropFixtures, Present) { EXPECT_GE(fixtures().size(), 20u); }

struct KdigText {
  std::string header_line, flags_line, edns_line;
  std::vector<std::string> question;
  std::vector<std::string> sections[3];
};

KdigText parse_kdig(const std::string& text) {
  KdigText k;
  std::istringstream in(text);
  std::string line;
  int section = -1;
  bool edns = false;
  while (std::getline(in, line)) {
    if (line.starts_with(";; ->>HEADER<<-")) k.header_line = line;
    else if (line.starts_with(";; Flags:")) k.flags_line = line;
    else if (line == ";; EDNS PSEUDOSECTION:") edns = true;
    else if (edns && line.starts_with(";; Version:")) k.edns_line = line;
    else if (line == ";; QUESTION SECTION:") section = 0;
    else if (line == ";; ANSWER SECTION:") section = 1;
    else if (line == ";; AUTHORITY SECTION:") section = 2;
    else if (line == ";; ADDITIONAL SECTION:") section = 3;
    else if (line.empty()) section = -1;
    else if (section == 0) k.question.push_back(line);
    else if (section > 0) k.sections[section - 1].push_back(line);
  }
  return k;
}

class KdigInterop : public ::testing::TestWithParam<std::string> {};

TEST_P(KdigInterop, DecodesToWhatKdigPrinted) {
  const auto bytes = wire_test::read_file(kDir + "/" + GetParam() + ".kdig.bin");
  const auto kdig = parse_kdig(wire_test::read_text(kDir + "/" + GetParam() + ".kdig.txt"));
  ASSERT_FALSE(bytes.empty());
  ASSERT_FALSE(kdig.header_line.empty());
  auto m = MessageView::parse(bytes);
  ASSERT_TRUE(m) << to_string(m.error());
  const Header& h = m->header();
  EXPECT_EQ(kdig.header_line, ";; ->>HEADER<<- opcode: " + to_string(h.opcode) + "; status: " + to_string(m->rcode()) +
                                  "; id: " + std::to_string(h.id));
  std::string flags = ";; Flags:";
  for (auto [on, name] : {std::pair{h.qr, "qr"}, {h.aa, "aa"}, {h.tc, "tc"}, {h.rd, "rd"}, {h.ra, "ra"}, {h.z, "z"},
                          {h.ad, "ad"}, {h.cd, "cd"}})
    if (on) flags += std::string(" ") + name;
  flags += "; QUERY: " + std::to_string(h.qdcount) + "; ANSWER: " + std::to_string(h.ancount) +
           "; AUTHORITY: " + std::to_string(h.nscount) + "; ADDITIONAL: " + std::to_string(h.arcount);
  EXPECT_EQ(kdig.flags_line, flags);
  if (auto e = m->edns()) {
    EXPECT_EQ(kdig.edns_line, ";; Version: " + std::to_string(e->version) + "; flags:" + (e->do_bit ? " do" : "") +
                                  "; UDP size: " + std::to_string(e->udp_size) + " B; ext-rcode: " +
                                  to_string(static_cast<Rcode>(e->extended_rcode << 4)));
  } else {
    EXPECT_EQ(kdig.edns_line, "");
  }
  std::vector<std::string> questions, theirs;
  for (const auto& q : m->questions()) {
    std::string line = ";; ";
    line.append(q.to_question().to_string(), 1);
    questions.push_back(collapse(line));
  }
  for (const auto& q : kdig.question) theirs.push_back(collapse(q));
  EXPECT_EQ(questions, theirs);
  const Section sections[] = {Section::Answer, Section::Authority, Section::Additional};
  for (int s = 0; s < 3; ++s) {
    std::vector<RecordView> ours;
    for (const auto& r : m->section(sections[s]))
      if (r.type() != RRType::OPT) ours.push_back(r);
    ASSERT_EQ(ours.size(), kdig.sections[s].size()) << to_string(sections[s]);
    for (std::size_t i = 0; i < ours.size(); ++i) {
      std::string mine = collapse(ours[i].to_record().to_string());
      std::string their = collapse(kdig.sections[s][i]);
      if (ours[i].type() == RRType::NSEC3) {
        mine = upper(mine);
        their = upper(their);
      }
      EXPECT_EQ(mine, their) << to_string(sections[s]) << " record " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Nsd, KdigInterop, ::testing::ValuesIn(fixtures()),
                         [](const auto& info) { return info.param; });

}  // namespace
