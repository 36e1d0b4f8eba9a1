#include "tests/replay/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "wire/zonefile.hpp"

namespace dkimdoctor::replay {
namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Removes a ';' comment (outside double quotes) and surrounding blanks.
std::string strip_comment(const std::string& line) {
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"') quoted = !quoted;
    if (line[i] == ';' && !quoted) return trim(line.substr(0, i));
  }
  return trim(line);
}

std::vector<std::string> tokens(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::optional<wire::Rcode> rcode_named(const std::string& t) {
  if (t == "NOTIMPL" || t == "NOTIMP") return wire::Rcode::NotImp;
  return wire::parse_rcode(t);
}

}  // namespace

std::string algorithm_numbers(const std::string& text) {
  // DNSSEC algorithm mnemonics (RFC 4034 Appendix A.1, IANA registry) as ldns writes them.
  static const std::pair<const char*, const char*> kNames[] = {
      {"RSAMD5", "1"},           {"DH", "2"},           {"DSA", "3"},
      {"RSASHA1", "5"},          {"DSA-NSEC3-SHA1", "6"}, {"RSASHA1-NSEC3-SHA1", "7"},
      {"RSASHA256", "8"},        {"RSASHA512", "10"},   {"ECC-GOST", "12"},
      {"ECDSAP256SHA256", "13"}, {"ECDSAP384SHA384", "14"}, {"ED25519", "15"},
      {"ED448", "16"},           {"PRIVATEDNS", "253"}, {"PRIVATEOID", "254"}};
  std::istringstream lines(text);
  std::string out;
  for (std::string l; std::getline(lines, l);) {
    auto t = tokens(l);
    // Only the RDATA of the types that carry an algorithm field (never the owner name).
    bool keyed = false;
    for (std::size_t i = 1; i < t.size(); ++i) {
      const std::string u = upper(t[i]);
      if (!keyed) {
        keyed = u == "DS" || u == "DNSKEY" || u == "RRSIG" || u == "CDS" || u == "CDNSKEY" || u == "DLV";
        continue;
      }
      for (const auto& [name, number] : kNames)
        if (u == name) t[i] = number;
    }
    if (!keyed) {
      out += l + "\n";
      continue;
    }
    for (const auto& w : t) out += w + " ";
    out += "\n";
  }
  return out;
}

namespace {

// Records of one section; the testpkts default TTL is 3600. A line that does not parse is reported.
void parse_records(const std::string& raw, int line, std::vector<wire::Record>& out, Scenario& s) {
  const std::string text = algorithm_numbers(raw);
  auto all = wire::parse_zone_text("$TTL 3600\n" + text, wire::Name());
  if (all) {
    out = std::move(*all);
    return;
  }
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (trim(l).empty()) continue;
    auto one = wire::parse_zone_text("$TTL 3600\n" + l, wire::Name());
    if (one) {
      out.insert(out.end(), one->begin(), one->end());
    } else {
      s.unsupported.push_back("record near line " + std::to_string(line) + ": " + trim(l));
    }
  }
}

}  // namespace

std::optional<Scenario> load_scenario(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  Scenario s;
  {
    auto slash = path.find_last_of('/');
    s.name = path.substr(slash == std::string::npos ? 0 : slash + 1);
    if (s.name.size() > 4 && s.name.ends_with(".rpl")) s.name.resize(s.name.size() - 4);
  }
  bool in_config = true;
  bool root_stub = false;
  std::string block;
  std::optional<Range> range;
  std::optional<Entry> entry;
  std::optional<Step> step;  // a step waiting for its entry
  std::string section;
  std::string section_text;
  int section_line = 0;
  bool hex = false;
  std::string hex_text;
  int lineno = 0;

  auto flush_section = [&] {
    if (!entry || section.empty()) return;
    if (section == "QUESTION") {
      std::istringstream q(section_text);
      for (std::string l; std::getline(q, l);) {
        auto t = tokens(l);
        if (t.empty()) continue;
        auto name = wire::Name::parse(t[0]);
        std::optional<wire::RRType> type;
        wire::RRClass cls = wire::RRClass::IN;
        for (std::size_t i = 1; i < t.size() && !type; ++i) {
          // "name CLASS TYPE" or "name TYPE": a class mnemonic followed by another token is the class
          // ("www.example.com. ANY A" asks class ANY, type A).
          if (auto c = wire::parse_rrclass(t[i]); c && i + 1 < t.size()) {
            cls = *c;
            continue;
          }
          type = wire::parse_rrtype(upper(t[i]));
        }
        if (!name || !type) {
          s.unsupported.push_back("question near line " + std::to_string(section_line) + ": " + l);
          continue;
        }
        if (!entry->question) entry->question = wire::Question{*name, *type, cls};
      }
    } else if (section == "ANSWER") {
      parse_records(section_text, section_line, entry->answer, s);
    } else if (section == "AUTHORITY") {
      parse_records(section_text, section_line, entry->authority, s);
    } else if (section == "ADDITIONAL") {
      parse_records(section_text, section_line, entry->additional, s);
    }
    section.clear();
    section_text.clear();
  };

  for (std::string raw; std::getline(in, raw);) {
    ++lineno;
    const std::string line = strip_comment(raw);
    if (line.empty()) continue;
    auto t = tokens(line);
    const std::string& kw = t[0];
    if (in_config) {
      if (kw == "CONFIG_END") {
        in_config = false;
        continue;
      }
      s.config.push_back(line);
      if (line.back() == ':' && t.size() == 1) {
        block = line;
        root_stub = false;
        continue;
      }
      if (block == "stub-zone:" && kw == "name:" && t.size() > 1) {
        std::string n = t[1];
        std::erase(n, '"');
        root_stub = (n == "." || n.empty());
      }
      if (block == "stub-zone:" && root_stub && kw == "stub-addr:" && t.size() > 1) {
        std::string a = t[1];
        if (auto at = a.find('@'); at != std::string::npos) a.resize(at);
        asio::error_code ec;
        auto addr = asio::ip::make_address(a, ec);
        if (!ec) s.root.push_back(addr);
      }
      continue;
    }
    if (hex) {
      if (kw == "HEX_ANSWER_END") {
        hex = false;
        for (std::size_t i = 0; i + 1 < hex_text.size(); i += 2) {
          entry->raw.push_back(static_cast<std::uint8_t>(std::stoi(hex_text.substr(i, 2), nullptr, 16)));
        }
        hex_text.clear();
      } else {
        for (char c : line) {
          if (std::isxdigit(static_cast<unsigned char>(c))) hex_text.push_back(c);
        }
      }
      continue;
    }
    if (kw == "SCENARIO_BEGIN") {
      s.title = trim(line.substr(kw.size()));
    } else if (kw == "SCENARIO_END") {
      break;
    } else if (kw == "RANGE_BEGIN") {
      range = Range{};
      if (t.size() >= 3) {
        range->start = std::stoi(t[1]);
        range->end = std::stoi(t[2]);
      }
    } else if (kw == "ADDRESS" && range && !entry) {
      asio::error_code ec;
      auto addr = asio::ip::make_address(t.size() > 1 ? t[1] : "", ec);
      if (ec) {
        s.unsupported.push_back("ADDRESS on line " + std::to_string(lineno));
      } else {
        range->addresses.push_back(addr);
      }
    } else if (kw == "RANGE_END") {
      if (range) s.ranges.push_back(std::move(*range));
      range.reset();
    } else if (kw == "STEP") {
      Step st;
      st.number = t.size() > 1 ? std::stoi(t[1]) : 0;
      st.kind = t.size() > 2 ? t[2] : "";
      for (std::size_t i = 3; i + 1 < t.size(); ++i) {
        if (t[i] != "ADDRESS") continue;
        asio::error_code ec;
        auto addr = asio::ip::make_address(t[i + 1], ec);
        if (!ec) st.address = addr;
      }
      if (st.kind == "TIME_PASSES") {
        if (t.size() > 4 && t[3] == "ELAPSE") {
          st.elapse = std::stol(t[4]);
        } else {
          s.unsupported.push_back("TIME_PASSES on line " + std::to_string(lineno) + ": " + line);
        }
      }
      if (st.kind == "QUERY" || st.kind == "CHECK_ANSWER" || st.kind == "CHECK_OUT_QUERY" || st.kind == "REPLY") {
        step = st;
      } else {
        s.steps.push_back(st);
      }
    } else if (kw == "ENTRY_BEGIN") {
      entry = Entry{};
      entry->line = lineno;
      entry->header.opcode = wire::Opcode::Query;
    } else if (kw == "ENTRY_END") {
      flush_section();
      if (entry) {
        if (step) {
          step->entry = std::move(*entry);
          s.steps.push_back(std::move(*step));
          step.reset();
        } else if (range) {
          range->entries.push_back(std::move(*entry));
        }
      }
      entry.reset();
    } else if (entry && kw == "MATCH") {
      for (std::size_t i = 1; i < t.size(); ++i) entry->match.insert(lower(t[i]));
    } else if (entry && kw == "ADJUST") {
      for (std::size_t i = 1; i < t.size(); ++i) {
        if (t[i] == "copy_id") entry->copy_id = true;
        else if (t[i] == "copy_query") entry->copy_query = true;
      }
    } else if (entry && kw == "REPLY") {
      for (std::size_t i = 1; i < t.size(); ++i) {
        const std::string f = upper(t[i]);
        if (f == "QR") entry->header.qr = true;
        else if (f == "AA") entry->header.aa = true;
        else if (f == "TC") entry->header.tc = true;
        else if (f == "RD") entry->header.rd = true;
        else if (f == "RA") entry->header.ra = true;
        else if (f == "AD") entry->header.ad = true;
        else if (f == "CD") entry->header.cd = true;
        else if (f == "DO") entry->do_bit = true;
        else if (f == "QUERY") entry->header.opcode = wire::Opcode::Query;
        else if (auto rc = rcode_named(f)) entry->rcode = *rc;
        else s.unsupported.push_back("REPLY " + f + " on line " + std::to_string(lineno));
      }
    } else if (entry && kw == "SECTION") {
      flush_section();
      section = t.size() > 1 ? upper(t[1]) : "";
      section_line = lineno;
    } else if (entry && kw == "HEX_ANSWER_BEGIN") {
      flush_section();
      hex = true;
    } else if (entry && kw == "EXTRA_PACKET") {
      s.unsupported.push_back("EXTRA_PACKET on line " + std::to_string(lineno));
    } else if (entry && !section.empty()) {
      section_text += line;
      section_text += '\n';
    } else if (entry) {
      s.unsupported.push_back("line " + std::to_string(lineno) + ": " + line);
    }
  }
  return s;
}

std::optional<std::string> config_value(const Scenario& s, const std::string& key) {
  for (const auto& line : s.config) {
    if (line.rfind(key + ":", 0) == 0) {
      std::string v = trim(line.substr(key.size() + 1));
      std::erase(v, '"');
      return trim(v);
    }
  }
  return std::nullopt;
}

std::vector<std::string> config_values(const Scenario& s, const std::string& key) {
  std::vector<std::string> out;
  for (const auto& line : s.config) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::string v = trim(line.substr(key.size() + 1));
    std::erase(v, '"');
    out.push_back(trim(v));
  }
  return out;
}

std::vector<asio::ip::address> server_addresses(const Scenario& s) {
  std::vector<asio::ip::address> out = s.root;
  for (const auto& r : s.ranges) out.insert(out.end(), r.addresses.begin(), r.addresses.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace dkimdoctor::replay
