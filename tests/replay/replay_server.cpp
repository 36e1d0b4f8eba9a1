#include "tests/replay/replay_server.hpp"

#include <algorithm>

#include "wire/builder.hpp"

namespace dkimdoctor::replay {

bool matches(const Entry& e, const testsupport::Query& q) {
  const auto& m = e.match;
  if (m.contains("opcode") && q.header.opcode != e.header.opcode) return false;
  if (m.contains("tcp") && !q.tcp) return false;
  if (m.contains("udp") && q.tcp) return false;
  if (m.contains("noedns") && q.edns) return false;
  const bool by_question = m.contains("qtype") || m.contains("qname") || m.contains("subdomain") || m.contains("question");
  if (by_question && !e.question) return false;
  if ((m.contains("qtype") || m.contains("question")) && q.question.type != e.question->type) return false;
  if ((m.contains("qname") || m.contains("question")) && !(q.question.name == e.question->name)) return false;
  if (m.contains("subdomain") && !q.question.name.is_subdomain_of(e.question->name)) return false;
  return true;
}

std::vector<std::uint8_t> reply_for(const Entry& e, const testsupport::Query& q) {
  if (!e.raw.empty()) {
    auto out = e.raw;
    if (out.size() >= 2) {
      out[0] = static_cast<std::uint8_t>(q.header.id >> 8);
      out[1] = static_cast<std::uint8_t>(q.header.id & 0xFF);
    }
    return out;
  }
  wire::MessageBuilder b(wire::kMaxMessageSize);
  wire::Header h = e.header;
  // Unbound's harness hands a scripted reply to the query that matched it, whatever its ID (the fake
  // network never compares IDs), so entries without copy_id still answer (iter_ns_badip). Our transport
  // does compare them: the reply carries the query's ID always.
  h.id = q.header.id;
  b.set_header(h);
  b.set_rcode(e.rcode);
  // copy_query, or the entry's own question when it is the query's (kept as received: case).
  if (e.copy_query || (e.question && e.question->name == q.question.name && e.question->type == q.question.type)) {
    (void)b.add_question(q.question);
  } else if (e.question) {
    (void)b.add_question(*e.question);
  }
  for (const auto& r : e.answer) (void)b.add_record(wire::Section::Answer, r);
  for (const auto& r : e.authority) (void)b.add_record(wire::Section::Authority, r);
  for (const auto& r : e.additional) {
    if (r.type != wire::RRType::OPT) (void)b.add_record(wire::Section::Additional, r);
  }
  if (q.edns) (void)b.add_edns(4096, e.do_bit);
  auto out = b.finish();
  return out ? std::move(*out) : std::vector<std::uint8_t>{};
}

testsupport::Script serve(const Scenario& scenario, asio::ip::address address, const int& step,
                          std::function<void(const testsupport::Query&)> unmatched) {
  return [&scenario, address, &step, unmatched](const testsupport::Query& q) -> testsupport::Reply {
    // Unbound's harness keeps its ranges in a list it prepends to while reading: the range defined
    // last is searched first (it matters where ranges overlap, e.g. iter_ghost_sub at step 100).
    for (auto it = scenario.ranges.rbegin(); it != scenario.ranges.rend(); ++it) {
      const auto& range = *it;
      if (step < range.start || step > range.end) continue;
      if (!range.addresses.empty() &&
          std::find(range.addresses.begin(), range.addresses.end(), address) == range.addresses.end())
        continue;
      for (const auto& e : range.entries) {
        if (matches(e, q)) return testsupport::Reply{.message = reply_for(e, q)};
      }
    }
    if (unmatched) unmatched(q);
    return testsupport::Reply{.drop = true};
  };
}

}  // namespace dkimdoctor::replay
