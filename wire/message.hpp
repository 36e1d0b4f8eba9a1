// MessageView: a zero-copy, validate-once view over a DNS message.
//
// The counts in the header are attacker-controlled, so nothing is ever sized from them: parse()
// rejects a count that cannot fit (count > size / 11 for records, size / 5 for questions) before
// looking at anything else, then walks every name and every RDATA once, with zero heap allocation.
// After a successful parse() iteration cannot fail: iterators only re-skip names already validated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wire/bytes.hpp"
#include "wire/error.hpp"
#include "wire/name.hpp"
#include "wire/rdata.hpp"
#include "wire/types.hpp"

namespace dkimdoctor::wire {

inline constexpr std::size_t kHeaderSize = 12;
inline constexpr std::size_t kMaxMessageSize = 65535;

// RFC 1035 §4.1.1 header layout: octet offsets, and the bits of the 16-bit flags word.
namespace hdr {
inline constexpr std::size_t kId = 0, kFlags = 2, kQdcount = 4, kAncount = 6, kNscount = 8, kArcount = 10;
inline constexpr std::uint16_t kQr = 0x8000, kAa = 0x0400, kTc = 0x0200, kRd = 0x0100, kRa = 0x0080, kZ = 0x0040,
                               kAd = 0x0020, kCd = 0x0010, kOpcodeMask = 0x7800, kRcodeMask = 0x000F;
inline constexpr unsigned kOpcodeShift = 11;
}  // namespace hdr

// The 12-byte header (RFC 1035 §4.1.1), read and written by named offsets, never bit-fields.
struct Header {
  std::uint16_t id = 0;
  bool qr = false;
  Opcode opcode = Opcode::Query;
  bool aa = false, tc = false, rd = false, ra = false;
  bool z = false;  // reserved bit, kept so a rebuild is byte-exact
  bool ad = false, cd = false;
  std::uint8_t rcode = 0;  // low 4 bits only; see MessageView::rcode() for the extended value
  std::uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;

  // Reads the first kHeaderSize octets (a shorter span gives an all-zero header).
  static Header read(std::span<const std::uint8_t> bytes) noexcept;  // inline, below
  void write(std::uint8_t* out) const noexcept;  // writes kHeaderSize bytes
  std::uint16_t flags() const noexcept;          // the 16-bit flags word
  bool operator==(const Header&) const = default;
};

struct Question {
  Name name;
  RRType type = RRType::A;
  RRClass cls = RRClass::IN;
  bool operator==(const Question&) const = default;
  // ";owner CLASS TYPE" as dig prints a question line (with the leading ';').
  std::string to_string() const;
};

struct Record {
  Name owner;
  RRType type = RRType::A;
  RRClass cls = RRClass::IN;
  std::uint32_t ttl = 0;
  Rdata rdata;
  bool operator==(const Record& other) const {
    return owner.equals_exact(other.owner) && type == other.type && cls == other.cls && ttl == other.ttl &&
           rdata == other.rdata;
  }
  // "owner TTL CLASS TYPE RDATA", fields separated by a tab as dig does.
  std::string to_string() const;
};

// EDNS(0) from the OPT pseudo-record (RFC 6891 §6.1.3).
struct Edns {
  std::uint16_t udp_size = 0;        // OPT CLASS
  std::uint8_t extended_rcode = 0;   // upper 8 bits of the 12-bit RCODE
  std::uint8_t version = 0;
  bool do_bit = false;
  std::uint16_t flags = 0;           // the whole 16-bit flags field (DO is 0x8000)
  std::vector<EdnsOption> options;
  bool operator==(const Edns&) const = default;
};

class MessageView;
class SectionIterator;
class QuestionIterator;

namespace detail {
// Skips a name that MessageView::parse() already validated: no checks needed, it cannot run off the
// message. Only the iterators use it.
inline std::size_t skip_valid_name(const std::uint8_t* d, std::size_t pos) noexcept {
  for (;;) {
    const std::uint8_t b = d[pos];
    if (b == 0) return pos + 1;
    if (b >= 0xC0) return pos + 2;
    pos += 1u + b;
  }
}
// Decompresses the name at `offset` of a message MessageView::parse() validated (no checks left to
// make). Takes the fields, not the view: the views' inline name()/owner() then leave the iterators
// in registers.
Name valid_name_at(const std::uint8_t* data, std::size_t size, std::size_t offset);
}  // namespace detail

// Inline: parse() runs it for every message, and an out-of-line copy-out costs more than the reads.
inline Header Header::read(std::span<const std::uint8_t> b) noexcept {
  Header h;
  if (b.size() < kHeaderSize) return h;
  const std::uint8_t* p = b.data();
  h.id = get16(p + hdr::kId);
  const std::uint16_t f = get16(p + hdr::kFlags);
  h.qr = f & hdr::kQr;
  h.opcode = static_cast<Opcode>((f >> hdr::kOpcodeShift) & 0xF);
  h.aa = f & hdr::kAa;
  h.tc = f & hdr::kTc;
  h.rd = f & hdr::kRd;
  h.ra = f & hdr::kRa;
  h.z = f & hdr::kZ;
  h.ad = f & hdr::kAd;
  h.cd = f & hdr::kCd;
  h.rcode = static_cast<std::uint8_t>(f & hdr::kRcodeMask);
  h.qdcount = get16(p + hdr::kQdcount);
  h.ancount = get16(p + hdr::kAncount);
  h.nscount = get16(p + hdr::kNscount);
  h.arcount = get16(p + hdr::kArcount);
  return h;
}

// Views hold 16-bit offsets: a DNS message is at most 65535 octets (parse() enforces it), and small
// views are cheap to copy around in loops.

// A question inside a validated message (offsets only).
class QuestionView {
 public:
  Name name() const { return detail::valid_name_at(data_, size_, name_offset_); }
  RRType type() const noexcept { return type_; }
  RRClass cls() const noexcept { return cls_; }
  std::size_t name_offset() const noexcept { return name_offset_; }
  Question to_question() const { return Question{name(), type_, cls_}; }

 private:
  friend class MessageView;
  friend class QuestionIterator;
  const std::uint8_t* data_ = nullptr;
  std::uint16_t size_ = 0;
  std::uint16_t name_offset_ = 0;
  RRType type_{};
  RRClass cls_{};
};

// A resource record inside a validated message (offsets only).
class RecordView {
 public:
  std::size_t owner_offset() const noexcept { return owner_offset_; }
  RRType type() const noexcept { return type_; }
  RRClass cls() const noexcept { return cls_; }
  std::uint32_t ttl() const noexcept { return ttl_; }
  std::size_t rdata_offset() const noexcept { return rdata_offset_; }
  std::uint16_t rdata_length() const noexcept { return rdlength_; }
  Section section() const noexcept { return section_; }
  std::span<const std::uint8_t> message() const noexcept { return {data_, size_}; }
  std::span<const std::uint8_t> rdata_bytes() const noexcept { return {data_ + rdata_offset_, rdlength_}; }

  Name owner() const { return detail::valid_name_at(data_, size_, owner_offset_); }
  WireResult<Rdata> rdata() const;  // decompressed copy (cannot fail for a validated message)
  Record to_record() const;

 private:
  friend class MessageView;
  friend class SectionIterator;
  const std::uint8_t* data_ = nullptr;
  std::uint16_t size_ = 0;
  std::uint16_t owner_offset_ = 0;
  std::uint16_t rdata_offset_ = 0;
  std::uint16_t rdlength_ = 0;
  RRType type_{};
  RRClass cls_{};
  std::uint32_t ttl_ = 0;
  Section section_ = Section::Answer;
};

// Forward iterator over the records of one section; the end is std::default_sentinel.
class SectionIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using difference_type = std::ptrdiff_t;
  using value_type = RecordView;
  using pointer = const RecordView*;
  using reference = const RecordView&;

  SectionIterator() = default;
  const RecordView& operator*() const noexcept { return rec_; }
  const RecordView* operator->() const noexcept { return &rec_; }
  SectionIterator& operator++() noexcept {
    if (remaining_ && --remaining_) load();
    return *this;
  }
  SectionIterator operator++(int) noexcept { auto t = *this; ++*this; return t; }
  bool operator==(const SectionIterator& o) const noexcept { return remaining_ == o.remaining_; }
  bool operator==(std::default_sentinel_t) const noexcept { return remaining_ == 0; }

 private:
  friend class MessageView;
  SectionIterator(const std::uint8_t* data, std::uint16_t size, std::uint16_t offset, std::uint16_t count,
                  Section s) noexcept
      : next_(offset), remaining_(count) {
    rec_.data_ = data;
    rec_.size_ = size;
    rec_.section_ = s;
    if (remaining_) load();
  }
  void load() noexcept {
    const std::uint8_t* d = rec_.data_;
    rec_.owner_offset_ = next_;
    const std::size_t p = detail::skip_valid_name(d, next_);
    rec_.type_ = static_cast<RRType>(get16(d + p));
    rec_.cls_ = static_cast<RRClass>(get16(d + p + 2));
    rec_.ttl_ = get32(d + p + 4);
    rec_.rdlength_ = get16(d + p + 8);
    rec_.rdata_offset_ = static_cast<std::uint16_t>(p + 10);
    next_ = static_cast<std::uint16_t>(p + 10 + rec_.rdlength_);
  }
  RecordView rec_;
  std::uint16_t next_ = 0;
  std::uint16_t remaining_ = 0;
};

class QuestionIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using difference_type = std::ptrdiff_t;
  using value_type = QuestionView;
  using pointer = const QuestionView*;
  using reference = const QuestionView&;

  QuestionIterator() = default;
  const QuestionView& operator*() const noexcept { return q_; }
  const QuestionView* operator->() const noexcept { return &q_; }
  QuestionIterator& operator++() noexcept {
    if (remaining_ && --remaining_) load();
    return *this;
  }
  QuestionIterator operator++(int) noexcept { auto t = *this; ++*this; return t; }
  bool operator==(const QuestionIterator& o) const noexcept { return remaining_ == o.remaining_; }
  bool operator==(std::default_sentinel_t) const noexcept { return remaining_ == 0; }

 private:
  friend class MessageView;
  QuestionIterator(const std::uint8_t* data, std::uint16_t size, std::uint16_t offset, std::uint16_t count) noexcept
      : next_(offset), remaining_(count) {
    q_.data_ = data;
    q_.size_ = size;
    if (remaining_) load();
  }
  void load() noexcept {
    const std::uint8_t* d = q_.data_;
    q_.name_offset_ = next_;
    const std::size_t p = detail::skip_valid_name(d, next_);
    q_.type_ = static_cast<RRType>(get16(d + p));
    q_.cls_ = static_cast<RRClass>(get16(d + p + 2));
    next_ = static_cast<std::uint16_t>(p + 4);
  }
  QuestionView q_;
  std::uint16_t next_ = 0;
  std::uint16_t remaining_ = 0;
};

// begin() iterator + std::default_sentinel end (range-for and <ranges> friendly).
template <class It>
struct Range {
  It b;
  It begin() const noexcept { return b; }
  std::default_sentinel_t end() const noexcept { return {}; }
  bool empty() const noexcept { return b == std::default_sentinel; }
};

class MessageView {
 public:
  // Validates everything once; zero heap allocation. The span must outlive the view. Inputs longer
  // than 65535 octets are refused (message_too_large): no DNS message is.
  static WireResult<MessageView> parse(std::span<const std::uint8_t> bytes) noexcept;

  // Decoded from the bytes on each call: parse() reads only the counts (a caller that never looks at
  // the flags does not pay for them; knot_pkt_parse likewise leaves them in the wire).
  Header header() const noexcept { return Header::read(msg_); }
  std::span<const std::uint8_t> bytes() const noexcept { return msg_; }
  // Bytes after the last record (not part of the message; reported, not an error).
  std::size_t trailing_bytes() const noexcept { return msg_.size() - end_; }
  std::size_t message_size() const noexcept { return end_; }

  Range<QuestionIterator> questions() const noexcept {
    return {QuestionIterator(msg_.data(), static_cast<std::uint16_t>(msg_.size()), section_offset_[0], count_[0])};
  }
  // Records of one section (Answer, Authority or Additional; Question gives an empty range).
  Range<SectionIterator> section(Section s) const noexcept {
    const auto i = static_cast<std::size_t>(s) & 3;
    return {SectionIterator(msg_.data(), static_cast<std::uint16_t>(msg_.size()), section_offset_[i],
                            i ? count_[i] : std::uint16_t{0}, s)};
  }
  Range<SectionIterator> answers() const noexcept { return section(Section::Answer); }
  Range<SectionIterator> authority() const noexcept { return section(Section::Authority); }
  Range<SectionIterator> additional() const noexcept { return section(Section::Additional); }

  // The OPT record, if any (validated: at most one, in additional, root owner).
  std::optional<RecordView> opt_record() const noexcept;
  std::optional<Edns> edns() const;
  // 12-bit RCODE: header RCODE combined with the OPT extended RCODE (RFC 6891 §6.1.3).
  Rcode rcode() const noexcept;

 private:
  std::optional<Error> validate(std::span<const std::uint8_t> bytes) noexcept;

  std::span<const std::uint8_t> msg_;
  std::array<std::uint16_t, 4> count_{};           // QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT
  std::array<std::uint16_t, 4> section_offset_{};  // Question, Answer, Authority, Additional
  std::uint16_t end_ = 0;
  std::uint16_t opt_offset_ = 0;  // owner offset of OPT, 0 = none (offset 0 is inside the header)
};

}  // namespace dkimdoctor::wire
