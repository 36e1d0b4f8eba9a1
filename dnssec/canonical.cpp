#include "wire/ascii.hpp"
#include "dnssec/canonical.hpp"

#include <algorithm>
#include <cstddef>

#include "wire/bytes.hpp"

namespace dkimdoctor::dnssec {
namespace {

constexpr std::size_t kBad = static_cast<std::size_t>(-1);

// Lowercases the uncompressed name at `pos` in place; returns the offset after it, kBad if it does not
// fit or is compressed (then nothing after it is touched).
std::size_t lower_name_at(std::vector<std::uint8_t>& b, std::size_t pos) {
  while (pos < b.size()) {
    const std::uint8_t len = b[pos];
    if (len == 0) return pos + 1;
    if (len > wire::kMaxLabelLength || b.size() - pos - 1 < len) return kBad;
    for (std::size_t i = pos + 1; i <= pos + len; ++i)
      b[i] = wire::ascii::lower(b[i]);
    pos += 1u + len;
  }
  return kBad;
}

std::size_t skip_char_string(const std::vector<std::uint8_t>& b, std::size_t pos) {
  if (pos >= b.size() || b.size() - pos - 1 < b[pos]) return kBad;
  return pos + 1u + b[pos];
}

// RFC 4034 §6.2 item 3 (with RFC 6840 §5.1: NSEC removed): the type, the octets before its first name,
// and how many names follow one another. NAPTR is handled apart (its name follows three strings).
struct NameLayout {
  std::uint16_t type;
  std::uint8_t prefix;
  std::uint8_t names;
};
constexpr NameLayout kNameLayouts[] = {
    {2, 0, 1},  {3, 0, 1},  {4, 0, 1},  {5, 0, 1},  {6, 0, 2},  {7, 0, 1},   {8, 0, 1},   {9, 0, 1},
    {12, 0, 1}, {14, 0, 2}, {15, 2, 1}, {17, 0, 2}, {18, 2, 1}, {21, 2, 1},  {24, 18, 1}, {26, 2, 2},
    {30, 0, 1}, {33, 6, 1}, {36, 2, 1}, {39, 0, 1}, {46, 18, 1},
};
constexpr std::uint16_t kNaptr = 35;

}  // namespace

std::vector<std::uint8_t> canonical_rdata(const wire::Rdata& rdata) {
  std::vector<std::uint8_t> b = rdata.bytes();
  const auto type = static_cast<std::uint16_t>(rdata.type());
  if (type == kNaptr) {
    std::size_t pos = 4;
    for (int i = 0; i < 3 && pos != kBad; ++i) pos = skip_char_string(b, pos);
    if (pos != kBad) (void)lower_name_at(b, pos);
    return b;
  }
  for (const auto& l : kNameLayouts) {
    if (l.type != type) continue;
    std::size_t pos = l.prefix;
    for (std::uint8_t i = 0; i < l.names && pos != kBad; ++i) pos = lower_name_at(b, pos);
    break;
  }
  return b;
}

std::vector<std::vector<std::uint8_t>> canonical_rdatas(const RRset& rrset) {
  std::vector<std::vector<std::uint8_t>> out;
  out.reserve(rrset.rdatas.size());
  for (const auto& rd : rrset.rdatas) out.push_back(canonical_rdata(rd));
  std::sort(out.begin(), out.end());  // vector<uint8_t> compares as unsigned octets, prefix first
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<wire::Name> signed_owner(const wire::Name& owner, std::uint8_t labels) {
  if (labels > owner.label_count()) return std::nullopt;
  if (labels == owner.label_count()) return owner.lowercased();
  auto wild = owner.suffix(labels).prepend("*");
  if (!wild) return std::nullopt;
  return wild->lowercased();
}

std::vector<std::uint8_t> rrsig_prefix(const wire::rdata::Rrsig& sig) {
  std::vector<std::uint8_t> out;
  out.reserve(18 + sig.signer.wire_length());
  wire::append16(out, static_cast<std::uint16_t>(sig.type_covered));
  out.push_back(sig.algorithm);
  out.push_back(sig.labels);
  wire::append32(out, sig.original_ttl);
  wire::append32(out, sig.expiration);
  wire::append32(out, sig.inception);
  wire::append16(out, sig.key_tag);
  const auto signer = sig.signer.lowercased();
  out.insert(out.end(), signer.wire().begin(), signer.wire().end());
  return out;
}

std::optional<std::vector<std::uint8_t>> signed_data(const wire::rdata::Rrsig& sig, const RRset& rrset) {
  const auto owner = signed_owner(rrset.owner, sig.labels);
  if (!owner) return std::nullopt;
  std::vector<std::uint8_t> out = rrsig_prefix(sig);
  for (const auto& rd : canonical_rdatas(rrset)) {
    out.insert(out.end(), owner->wire().begin(), owner->wire().end());
    wire::append16(out, static_cast<std::uint16_t>(rrset.type));
    wire::append16(out, static_cast<std::uint16_t>(rrset.cls));
    wire::append32(out, sig.original_ttl);
    wire::append16(out, static_cast<std::uint16_t>(rd.size()));
    out.insert(out.end(), rd.begin(), rd.end());
  }
  return out;
}

}  // namespace dkimdoctor::dnssec
