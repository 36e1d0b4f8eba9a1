#include "wire/builder.hpp"

#include "wire/bytes.hpp"
#include "wire/rdata_layout.hpp"

namespace dkimdoctor::wire {

namespace {
constexpr std::size_t kMaxPointerTarget = 0x3FFF;  // 14-bit pointer offsets (RFC 1035 §4.1.4)
}  // namespace

MessageBuilder::MessageBuilder(std::size_t max_size, Overflow overflow)
    : max_size_(std::min<std::size_t>(std::max<std::size_t>(max_size, kHeaderSize), kMaxMessageSize)),
      overflow_(overflow) {
  buf_.reserve(std::min<std::size_t>(max_size_, 512));
  buf_.resize(kHeaderSize);
}

MessageBuilder& MessageBuilder::set_header(const Header& h) noexcept {
  const auto counts = std::array<std::uint16_t, 4>{header_.qdcount, header_.ancount, header_.nscount, header_.arcount};
  header_ = h;
  header_.qdcount = counts[0];
  header_.ancount = counts[1];
  header_.nscount = counts[2];
  header_.arcount = counts[3];
  rcode_ = (rcode_ & 0xFF0) | h.rcode;
  return *this;
}

std::size_t MessageBuilder::size() const noexcept { return buf_.size() + (opt_rr_ ? opt_rr_->size() : 0); }

// Does the name at buf_[offset] (labels, possibly ending in a pointer we wrote) equal `name`'s labels
// from `first_label` on? Our own output is trusted, but the walk is bounded anyway.
bool MessageBuilder::find(const Name& name, std::size_t first_label, std::uint16_t* pointer) const {
  const auto w = name.wire();
  std::size_t start = 0;
  for (std::size_t i = 0; i < first_label; ++i) start += 1u + w[start];
  for (std::size_t e = 0; e < table_size_; ++e) {
    std::size_t p = table_[e].offset, q = start;
    bool match = true;
    for (int guard = 0; guard < 256; ++guard) {
      while (p < buf_.size() && buf_[p] >= 0xC0) p = ((buf_[p] & 0x3F) << 8) | buf_[p + 1];
      if (p >= buf_.size()) { match = false; break; }
      const std::uint8_t a = buf_[p], b = w[q];
      if (a != b) { match = false; break; }
      if (a == 0) break;
      // Exact octets: compressing "WWW.example" onto "www.example" would change the case the reader
      // sees, and case must survive (RFC 4343 §4.1; resolvers check 0x20-mixed questions).
      for (std::size_t k = 1; k <= a; ++k)
        if (buf_[p + k] != w[q + k]) { match = false; break; }
      if (!match) break;
      p += 1u + a;
      q += 1u + b;
    }
    if (match) {
      *pointer = table_[e].offset;
      return true;
    }
  }
  return false;
}

void MessageBuilder::remember(std::size_t offset, const Name&, std::size_t) {
  if (offset > kMaxPointerTarget || table_size_ >= kMaxCompressionEntries) return;
  table_[table_size_++] = Entry{static_cast<std::uint16_t>(offset)};
}

WireResult<void> MessageBuilder::write_name(const Name& name, bool compress) {
  const auto w = name.wire();
  if (!compress) {
    buf_.insert(buf_.end(), w.begin(), w.end());
    return {};
  }
  // Longest known suffix first: labels [0, i) are written, then a pointer to labels [i, n).
  const std::size_t n = name.label_count();
  std::size_t pos = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint16_t ptr = 0;
    if (find(name, i, &ptr)) {
      buf_.push_back(static_cast<std::uint8_t>(0xC0 | (ptr >> 8)));
      buf_.push_back(static_cast<std::uint8_t>(ptr));
      return {};
    }
    remember(buf_.size(), name, i);
    buf_.insert(buf_.end(), w.begin() + static_cast<std::ptrdiff_t>(pos),
                w.begin() + static_cast<std::ptrdiff_t>(pos + 1 + w[pos]));
    pos += 1u + w[pos];
  }
  buf_.push_back(0);
  return {};
}

// Back to a record boundary, forgetting compression targets inside the removed bytes (a stale target
// could later match bytes written over it and yield a pointer our own parser rejects).
void MessageBuilder::rollback(std::size_t start) noexcept {
  buf_.resize(start);
  while (table_size_ > 0 && table_[table_size_ - 1].offset >= start) --table_size_;
}

WireResult<void> MessageBuilder::check_room(std::size_t start) {
  const std::size_t reserved = opt_rr_ ? opt_rr_->size() : 0;
  if (buf_.size() + reserved <= max_size_) return {};
  rollback(start);
  if (overflow_ == Overflow::Refuse) return fail(Errc::message_too_large, start);
  truncated_ = true;
  header_.tc = true;
  return fail(Errc::message_truncated, start);
}

WireResult<void> MessageBuilder::add_question(const Question& q) { return add_question(q.name, q.type, q.cls); }

WireResult<void> MessageBuilder::add_question(const Name& name, RRType type, RRClass cls) {
  if (finished_) return fail(Errc::builder_finished, buf_.size());
  if (current_ != Section::Question) return fail(Errc::section_order, buf_.size());
  if (truncated_) return fail(Errc::message_truncated, buf_.size());
  if (counts_[0] == 0xFFFF) return fail(Errc::too_many_records, buf_.size());
  const std::size_t start = buf_.size();
  if (auto r = write_name(name, true); !r) return r;
  append16(buf_, static_cast<std::uint16_t>(type));
  append16(buf_, static_cast<std::uint16_t>(cls));
  if (auto r = check_room(start); !r) return r;
  ++counts_[0];
  return {};
}

WireResult<void> MessageBuilder::add_record(Section section, const Record& record) {
  if (finished_) return fail(Errc::builder_finished, buf_.size());
  if (section == Section::Question || section < current_) return fail(Errc::section_order, buf_.size());
  if (truncated_) return fail(Errc::message_truncated, buf_.size());
  const auto idx = static_cast<std::size_t>(section);
  if (counts_[idx] == 0xFFFF) return fail(Errc::too_many_records, buf_.size());
  if (record.type == RRType::OPT) {
    // An OPT copied from another message keeps its place; the rules of RFC 6891 §6.1.1 still hold.
    if (section != Section::Additional) return fail(Errc::opt_not_in_additional, buf_.size());
    if (opt_rr_ || opt_written_) return fail(Errc::multiple_opt, buf_.size());
    if (!record.owner.is_root()) return fail(Errc::opt_bad_owner, buf_.size());
  }
  const auto& rd = record.rdata.bytes();
  if (rd.size() > 0xFFFF) return fail(Errc::rdata_length_mismatch, buf_.size());
  current_ = section;
  const std::size_t start = buf_.size();
  if (auto r = write_name(record.owner, true); !r) return r;
  append16(buf_, static_cast<std::uint16_t>(record.type));
  append16(buf_, static_cast<std::uint16_t>(record.cls));
  append32(buf_, record.ttl);
  const std::size_t rdlength_at = buf_.size();
  append16(buf_, 0);
  // Only RFC 1035 types get their RDATA names compressed (RFC 3597 §4); the layout marks them.
  const layout::Layout* l = layout::find(record.type);
  bool compressible = false;
  if (l && record.rdata.type() == record.type)
    for (std::size_t i = 0; i < l->count; ++i) compressible |= l->fields[i] == layout::Field::CompName;
  if (compressible) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < l->count; ++i) {
      auto e = layout::field_end(l->fields[i], rd, pos, rd.size(), false);
      if (!e) {  // Rdata objects are validated on construction; refuse rather than write garbage
        rollback(start);
        return fail(Errc::bad_rdata, start);
      }
      if (l->fields[i] == layout::Field::CompName) {
        auto n = read_name(rd, pos, nullptr);
        if (!n) {
          rollback(start);
          return fail(Errc::bad_rdata, start);
        }
        if (auto r = write_name(*n, true); !r) return r;
      } else {
        buf_.insert(buf_.end(), rd.begin() + static_cast<std::ptrdiff_t>(pos), rd.begin() + static_cast<std::ptrdiff_t>(*e));
      }
      pos = *e;
    }
  } else {
    buf_.insert(buf_.end(), rd.begin(), rd.end());
  }
  const std::size_t rdlength = buf_.size() - rdlength_at - 2;
  buf_[rdlength_at] = static_cast<std::uint8_t>(rdlength >> 8);
  buf_[rdlength_at + 1] = static_cast<std::uint8_t>(rdlength);
  if (auto r = check_room(start); !r) return r;
  ++counts_[idx];
  if (record.type == RRType::OPT) opt_written_ = true;
  return {};
}

WireResult<void> MessageBuilder::add_edns(std::uint16_t udp_size, bool do_bit, std::span<const EdnsOption> options,
                                          std::uint8_t version, std::uint16_t extra_flags) {
  if (finished_) return fail(Errc::builder_finished, buf_.size());
  if (opt_written_) return fail(Errc::multiple_opt, buf_.size());
  std::size_t rdlength = 0;
  for (const auto& o : options) rdlength += 4 + o.data.size();
  if (rdlength > 0xFFFF) return fail(Errc::message_too_large, buf_.size());
  std::vector<std::uint8_t> rr;
  rr.reserve(11 + rdlength);
  rr.push_back(0);  // root owner
  append16(rr, static_cast<std::uint16_t>(RRType::OPT));
  append16(rr, udp_size);
  rr.push_back(0);  // extended RCODE, filled in by finish()
  rr.push_back(version);
  append16(rr, static_cast<std::uint16_t>(extra_flags | (do_bit ? 0x8000 : 0)));
  append16(rr, static_cast<std::uint16_t>(rdlength));
  for (const auto& o : options) {
    append16(rr, o.code);
    append16(rr, static_cast<std::uint16_t>(o.data.size()));
    rr.insert(rr.end(), o.data.begin(), o.data.end());
  }
  if (buf_.size() + rr.size() > max_size_) return fail(Errc::message_too_large, buf_.size());
  opt_rr_ = std::move(rr);
  return {};
}

WireResult<std::vector<std::uint8_t>> MessageBuilder::finish() {
  if (finished_) return fail(Errc::builder_finished, buf_.size());
  if (rcode_ > 0xF && !opt_rr_ && !opt_written_) return fail(Errc::rcode_needs_edns, 2);
  std::uint16_t arcount = counts_[3];
  if (opt_rr_) {
    if (arcount == 0xFFFF) return fail(Errc::too_many_records, buf_.size());
    (*opt_rr_)[5] = static_cast<std::uint8_t>(rcode_ >> 4);  // owner(1) type(2) class(2), then TTL's top octet
    buf_.insert(buf_.end(), opt_rr_->begin(), opt_rr_->end());
    ++arcount;
  }
  header_.rcode = static_cast<std::uint8_t>(rcode_ & 0xF);
  header_.qdcount = counts_[0];
  header_.ancount = counts_[1];
  header_.nscount = counts_[2];
  header_.arcount = arcount;
  header_.write(buf_.data());
  finished_ = true;
  return std::move(buf_);
}

WireResult<std::vector<std::uint8_t>> MessageBuilder::finish_tcp() {
  auto r = finish();
  if (!r) return r;
  std::vector<std::uint8_t> out;
  out.reserve(r->size() + 2);
  append16(out, static_cast<std::uint16_t>(r->size()));
  out.insert(out.end(), r->begin(), r->end());
  return out;
}

std::vector<std::uint8_t> make_query(std::uint16_t id, const Name& name, RRType type, bool rd,
                                     std::uint16_t edns_udp_size, bool do_bit) {
  // Written directly, in one allocation of the exact size (a resolver builds one per query): the
  // header, one question (nothing to compress) and an empty OPT record when asked for.
  const auto w = name.wire();
  std::vector<std::uint8_t> q(kHeaderSize + w.size() + 4 + (edns_udp_size ? 11 : 0));
  q[0] = static_cast<std::uint8_t>(id >> 8);
  q[1] = static_cast<std::uint8_t>(id);
  q[2] = rd ? 0x01 : 0x00;
  q[5] = 1;                        // QDCOUNT
  q[11] = edns_udp_size ? 1 : 0;   // ARCOUNT
  std::size_t p = kHeaderSize;
  std::copy(w.begin(), w.end(), q.begin() + static_cast<std::ptrdiff_t>(p));
  p += w.size();
  const auto t = static_cast<std::uint16_t>(type);
  q[p++] = static_cast<std::uint8_t>(t >> 8);
  q[p++] = static_cast<std::uint8_t>(t);
  q[p++] = 0;
  q[p++] = 1;  // class IN
  if (edns_udp_size) {
    // Root owner, TYPE OPT (41), CLASS = UDP payload size, TTL (extended RCODE 0, version 0, flags: DO
    // when asked, RFC 3225 §3), RDLENGTH 0 (RFC 6891 §6.1.2).
    q[p++] = 0;
    q[p++] = 0;
    q[p++] = 41;
    q[p++] = static_cast<std::uint8_t>(edns_udp_size >> 8);
    q[p++] = static_cast<std::uint8_t>(edns_udp_size);
    if (do_bit) q[p + 2] = 0x80;
  }
  return q;
}

}  // namespace dkimdoctor::wire
