// MessageBuilder: owning, writes a message section by section (question, answer, authority,
// additional; going back is an error), compresses names through a bounded table (exact-case matches
// only, so every name reads back with the case it was given), and never silently
// drops data: when the size limit is hit it either refuses (message_too_large) or, in truncate mode,
// stops at a record boundary, sets TC and reports message_truncated for that and every later record.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "wire/error.hpp"
#include "wire/message.hpp"
#include "wire/name.hpp"

namespace dkimdoctor::wire {

enum class Overflow { Refuse, Truncate };

class MessageBuilder {
 public:
  // `max_size` is the size limit of the finished message (512 for classic UDP, the EDNS size, ...).
  explicit MessageBuilder(std::size_t max_size = kMaxMessageSize, Overflow overflow = Overflow::Refuse);

  // Header fields (counts are maintained by the builder).
  MessageBuilder& set_id(std::uint16_t id) noexcept { header_.id = id; return *this; }
  MessageBuilder& set_qr(bool v) noexcept { header_.qr = v; return *this; }
  MessageBuilder& set_opcode(Opcode v) noexcept { header_.opcode = v; return *this; }
  MessageBuilder& set_aa(bool v) noexcept { header_.aa = v; return *this; }
  MessageBuilder& set_tc(bool v) noexcept { header_.tc = v; return *this; }
  MessageBuilder& set_rd(bool v) noexcept { header_.rd = v; return *this; }
  MessageBuilder& set_ra(bool v) noexcept { header_.ra = v; return *this; }
  MessageBuilder& set_z(bool v) noexcept { header_.z = v; return *this; }
  MessageBuilder& set_ad(bool v) noexcept { header_.ad = v; return *this; }
  MessageBuilder& set_cd(bool v) noexcept { header_.cd = v; return *this; }
  // 12-bit RCODE: low 4 bits go in the header, upper 8 into OPT (requires add_edns for > 15).
  MessageBuilder& set_rcode(Rcode v) noexcept { rcode_ = static_cast<std::uint16_t>(v); return *this; }
  // Copies every header flag and the id (not the counts).
  MessageBuilder& set_header(const Header& h) noexcept;

  // Questions must come before any record.
  WireResult<void> add_question(const Question& q);
  WireResult<void> add_question(const Name& name, RRType type, RRClass cls = RRClass::IN);
  // Records in section order. Adding an OPT record here is refused (use add_edns).
  WireResult<void> add_record(Section section, const Record& record);

  // Declares the OPT record; it is written last in the additional section by finish() and its space is
  // reserved now, so truncation never drops it. Setting it twice replaces it.
  WireResult<void> add_edns(std::uint16_t udp_size, bool do_bit, std::span<const EdnsOption> options = {},
                            std::uint8_t version = 0, std::uint16_t extra_flags = 0);

  bool truncated() const noexcept { return truncated_; }
  std::size_t size() const noexcept;  // current size including the pending OPT

  // The finished message (the builder can be reused only by constructing a new one).
  WireResult<std::vector<std::uint8_t>> finish();
  // Same with the 2-byte TCP length prefix (RFC 1035 §4.2.2).
  WireResult<std::vector<std::uint8_t>> finish_tcp();

 private:
  WireResult<void> write_name(const Name& name, bool compress);
  WireResult<void> check_room(std::size_t start);
  void rollback(std::size_t start) noexcept;
  void remember(std::size_t offset, const Name& name, std::size_t label_index);
  bool find(const Name& name, std::size_t first_label, std::uint16_t* pointer) const;

  static constexpr std::size_t kMaxCompressionEntries = 64;
  struct Entry {
    std::uint16_t offset;    // offset of a label sequence in buf_ (< 0x4000)
  };

  std::vector<std::uint8_t> buf_;
  std::size_t max_size_;
  Overflow overflow_;
  Header header_;
  std::uint16_t rcode_ = 0;
  Section current_ = Section::Question;
  std::array<std::uint16_t, 4> counts_{};
  std::array<Entry, kMaxCompressionEntries> table_{};
  std::size_t table_size_ = 0;
  bool truncated_ = false;
  bool finished_ = false;
  bool opt_written_ = false;  // an OPT record was added through add_record
  std::optional<std::vector<std::uint8_t>> opt_rr_;  // pending OPT record bytes
};

// A query: header with the given id and RD, one question of class IN, optionally an OPT with
// `edns_udp_size` (0 = no OPT), with the DO bit (RFC 3225) when `do_bit` (only with an OPT).
std::vector<std::uint8_t> make_query(std::uint16_t id, const Name& name, RRType type, bool rd,
                                     std::uint16_t edns_udp_size, bool do_bit = false);

}  // namespace dkimdoctor::wire
