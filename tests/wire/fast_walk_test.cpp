// MessageView::parse's fast walks (skip_name_fast, layout::walk_fields) against the exact ones they stand
// in for (walk_name via skip_name, layout::walk_fields_exact): over the reference messages and every
// one-octet mutation of them (0x00, 0x3F, 0x40, 0xC0, 0xFF and the octet +/- 1 at each position), both
// must accept the same names and RDATA, end at the same offset, and name the same error (the fuzz
// targets check the same on random input). Also: the
// views' names (decoded without checks) equal read_name's on every parsed mutation.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "wire/message.hpp"
#include "wire/name_internal.hpp"
#include "wire/rdata_layout.hpp"

using namespace dkimdoctor::wire;

namespace {

std::vector<std::vector<std::uint8_t>> reference_messages() {
  std::vector<std::vector<std::uint8_t>> out;
  for (const auto& e : std::filesystem::directory_iterator(DKIMDOCTOR_BENCH_MESSAGES)) {
    if (e.path().extension() != ".bin") continue;
    std::ifstream in(e.path(), std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

// The original and every one-octet mutation worth trying at each position after the header (the
// original alone for messages over `max_size` octets: root_referral would take long under sanitizers).
std::vector<std::vector<std::uint8_t>> mutations(const std::vector<std::uint8_t>& m, std::size_t max_size = 600) {
  std::vector<std::vector<std::uint8_t>> out{m};
  if (m.size() > max_size) return out;
  for (std::size_t i = 12; i < m.size(); ++i)
    for (const int v : {0x00, 0x3F, 0x40, 0xC0, 0xFF, m[i] + 1, m[i] - 1}) {
      auto c = m;
      c[i] = static_cast<std::uint8_t>(v);
      out.push_back(std::move(c));
    }
  return out;
}

void expect_names_agree(const std::vector<std::uint8_t>& m, std::size_t& accepted) {
  for (std::size_t off = 0; off <= m.size(); ++off) {
    const auto exact = skip_name({m.data(), m.size()}, off);
    const std::size_t fast = skip_name_fast(m.data(), m.size(), off);
    ASSERT_EQ(fast != 0, exact.ok()) << "offset " << off;
    if (exact) {
      ASSERT_EQ(fast, *exact) << "offset " << off;
      ++accepted;
    }
  }
}

// Every layout over msg[start, end), for each window.
void expect_fields_agree(const std::vector<std::uint8_t>& m,
                         const std::vector<std::pair<std::size_t, std::size_t>>& windows) {
  const std::span<const std::uint8_t> msg(m.data(), m.size());
  for (const layout::Layout& l : layout::detail::kLayouts)
    for (const auto& [start, end] : windows) {
      Error fast_err{}, exact_err{};
      const std::size_t fast = layout::walk_fields(l, msg, start, end, fast_err);
      const std::size_t exact = layout::walk_fields_exact(l, msg, start, end, exact_err);
      ASSERT_EQ(fast, exact) << to_string(l.type) << " over " << start << ".." << end;
      if (fast == layout::kFieldError) {
        ASSERT_EQ(fast_err, exact_err) << to_string(l.type) << " over " << start << ".." << end;
      }
    }
}

// The RDATA of every record of the original message, and (small messages) every start to the end.
std::vector<std::pair<std::size_t, std::size_t>> field_windows(const std::vector<std::uint8_t>& m) {
  std::vector<std::pair<std::size_t, std::size_t>> w;
  auto view = MessageView::parse(m);
  EXPECT_TRUE(view);
  if (view)
    for (Section s : {Section::Answer, Section::Authority, Section::Additional})
      for (const auto& r : view->section(s)) w.emplace_back(r.rdata_offset(), r.rdata_offset() + r.rdata_length());
  if (m.size() <= 300)
    for (std::size_t start = 12; start < m.size(); ++start) w.emplace_back(start, m.size());
  return w;
}

void expect_views_match_read_name(const std::vector<std::uint8_t>& m, std::size_t& parsed) {
  auto view = MessageView::parse(m);
  if (!view) return;
  ++parsed;
  for (const auto& q : view->questions()) {
    auto checked = read_name(m, q.name_offset(), nullptr);
    ASSERT_TRUE(checked);
    EXPECT_TRUE(checked->equals_exact(q.name()));
    EXPECT_EQ(checked->label_count(), q.name().label_count());
  }
  for (Section s : {Section::Answer, Section::Authority, Section::Additional})
    for (const auto& r : view->section(s)) {
      auto checked = read_name(m, r.owner_offset(), nullptr);
      ASSERT_TRUE(checked);
      EXPECT_TRUE(checked->equals_exact(r.owner()));
      EXPECT_EQ(checked->label_count(), r.owner().label_count());
    }
}

TEST(FastWalk, NamesAgreeWithTheExactWalkOnEveryMutation) {
  std::size_t accepted = 0;
  for (const auto& m : reference_messages())
    for (const auto& c : mutations(m)) expect_names_agree(c, accepted);
  EXPECT_GT(accepted, 1000u);  // the comparison saw valid names, not only refusals
}

TEST(FastWalk, FieldsAgreeWithTheExactWalkOnEveryMutation) {
  for (const auto& m : reference_messages()) {
    const auto windows = field_windows(m);
    for (const auto& c : mutations(m)) expect_fields_agree(c, windows);
  }
}

TEST(FastWalk, ViewNamesEqualReadNameOnEveryParsedMutation) {
  std::size_t parsed = 0;
  for (const auto& m : reference_messages())
    for (const auto& c : mutations(m)) expect_views_match_read_name(c, parsed);
  EXPECT_GT(parsed, 100u);
}

}  // namespace
