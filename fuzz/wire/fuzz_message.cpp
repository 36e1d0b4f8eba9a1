// Message parse -> walk every record -> rebuild -> reparse: the rebuilt message must parse and hold
// exactly the same header, questions and records (names compared byte-exact: case is preserved).
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <vector>

#include "wire/builder.hpp"
#include "wire/message.hpp"
#include "wire/print.hpp"

using namespace dkimdoctor::wire;

namespace {
[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fuzz_message: %s\n", what);
  std::abort();
}

struct Content {
  Header header;
  std::vector<Question> questions;
  std::vector<std::pair<Section, Record>> records;
};

Content collect(const MessageView& m) {
  Content c;
  c.header = m.header();
  // The views decode names without checks (parse() validated them): they must match the checked walk.
  auto same_as_checked = [&](const Name& n, std::size_t offset) {
    auto checked = read_name(m.bytes(), offset, nullptr);
    if (!checked || !checked->equals_exact(n) || checked->label_count() != n.label_count())
      die("a view's name differs from read_name's");
  };
  for (const auto& q : m.questions()) {
    same_as_checked(q.name(), q.name_offset());
    c.questions.push_back(q.to_question());
  }
  for (Section s : {Section::Answer, Section::Authority, Section::Additional})
    for (const auto& r : m.section(s)) {
      same_as_checked(r.owner(), r.owner_offset());
      auto rd = r.rdata();
      if (!rd) die("rdata() failed on a validated message");
      c.records.emplace_back(s, r.to_record());
    }
  return c;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = MessageView::parse({data, size});
  if (!m) return 0;
  (void)print_message(*m);
  (void)m->edns();
  (void)m->rcode();
  const Content a = collect(*m);
  for (const auto& [s, r] : a.records) (void)r.to_string();

  MessageBuilder b;
  b.set_header(a.header);
  for (const auto& q : a.questions)
    if (!b.add_question(q)) die("add_question failed");
  for (const auto& [s, r] : a.records) {
    auto added = b.add_record(s, r);
    // Names that arrived compressed inside non-RFC 1035 RDATA are written in full, so a message
    // near 64 KiB may not fit again: that is reported, never a silent drop.
    if (!added) {
      if (added.error().code == Errc::message_too_large) return 0;
      die("add_record failed");
    }
  }
  auto bytes = b.finish();
  if (!bytes) die("finish failed");
  auto again = MessageView::parse(*bytes);
  if (!again) die("rebuilt message does not parse");
  const Content c = collect(*again);
  if (!(c.header == a.header)) die("header differs");
  if (c.questions.size() != a.questions.size() || c.records.size() != a.records.size()) die("counts differ");
  for (std::size_t i = 0; i < a.questions.size(); ++i)
    if (!c.questions[i].name.equals_exact(a.questions[i].name) || c.questions[i].type != a.questions[i].type ||
        c.questions[i].cls != a.questions[i].cls)
      die("question differs");
  for (std::size_t i = 0; i < a.records.size(); ++i)
    if (c.records[i].first != a.records[i].first || !(c.records[i].second == a.records[i].second))
      die("record differs");
  if (again->rcode() != m->rcode()) die("rcode differs");
  return 0;
}
