#include "wire/print.hpp"

#include <cstdio>

namespace dkimdoctor::wire {

namespace {
void print_record(std::string& out, const RecordView& rv) {
  out += rv.to_record().to_string();
  out += '\n';
}
}  // namespace

std::string print_message(const MessageView& m) {
  const Header& h = m.header();
  std::string out;
  out += ";; ->>HEADER<<- opcode: " + to_string(h.opcode) + ", status: " + to_string(m.rcode()) +
         ", id: " + std::to_string(h.id) + "\n";
  out += ";; flags:";
  const std::pair<bool, const char*> flags[] = {{h.qr, "qr"}, {h.aa, "aa"}, {h.tc, "tc"}, {h.rd, "rd"},
                                                {h.ra, "ra"}, {h.z, "z"},   {h.ad, "ad"}, {h.cd, "cd"}};
  for (const auto& [on, name] : flags)
    if (on) out += std::string(" ") + name;
  out += "; QUERY: " + std::to_string(h.qdcount) + ", ANSWER: " + std::to_string(h.ancount) +
         ", AUTHORITY: " + std::to_string(h.nscount) + ", ADDITIONAL: " + std::to_string(h.arcount) + "\n";
  if (m.trailing_bytes())
    out += ";; WARNING: " + std::to_string(m.trailing_bytes()) + " trailing bytes after the message\n";

  if (auto e = m.edns()) {
    out += "\n;; OPT PSEUDOSECTION:\n";
    out += "; EDNS: version: " + std::to_string(e->version) + ", flags:";
    if (e->do_bit) out += " do";
    if (const std::uint16_t mbz = e->flags & 0x7FFF) {
      char buf[16];
      std::snprintf(buf, sizeof buf, " MBZ: 0x%04x,", mbz);
      out += buf;
    }
    out += "; udp: " + std::to_string(e->udp_size) + "\n";
    for (const auto& o : e->options) out += "; " + edns_option_to_string(o) + "\n";
  } else {
    out += "\n";  // dig separates the header from the question by a blank line unless OPT is shown
  }
  out += ";; QUESTION SECTION:\n";
  for (const auto& q : m.questions()) out += q.to_question().to_string() + "\n";

  for (Section s : {Section::Answer, Section::Authority, Section::Additional}) {
    auto range = m.section(s);
    bool any = false;
    for (const auto& rv : range) {
      if (rv.type() == RRType::OPT) continue;  // shown as the pseudosection above
      if (!any) out += std::string("\n;; ") + to_string(s) + " SECTION:\n";
      any = true;
      print_record(out, rv);
    }
  }
  return out;
}

}  // namespace dkimdoctor::wire
