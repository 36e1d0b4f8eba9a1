#include "wire/message.hpp"

#include <algorithm>

#include "wire/bytes.hpp"
#include "wire/name_internal.hpp"
#include "wire/rdata_layout.hpp"

namespace dkimdoctor::wire {

namespace {

using namespace hdr;
// Smallest question (root name + type + class) and smallest record (root owner + 10 octets).
constexpr std::size_t kMinQuestion = 5, kMinRecord = 11;

}  // namespace

std::uint16_t Header::flags() const noexcept {
  std::uint16_t f = static_cast<std::uint16_t>((static_cast<unsigned>(opcode) & 0xF) << kOpcodeShift);
  if (qr) f |= kQr;
  if (aa) f |= kAa;
  if (tc) f |= kTc;
  if (rd) f |= kRd;
  if (ra) f |= kRa;
  if (z) f |= kZ;
  if (ad) f |= kAd;
  if (cd) f |= kCd;
  return static_cast<std::uint16_t>(f | (rcode & 0xF));
}

void Header::write(std::uint8_t* out) const noexcept {
  put16(out + kId, id);
  put16(out + kFlags, flags());
  put16(out + kQdcount, qdcount);
  put16(out + kAncount, ancount);
  put16(out + kNscount, nscount);
  put16(out + kArcount, arcount);
}

WireResult<MessageView> MessageView::parse(std::span<const std::uint8_t> bytes) noexcept {
  // One named result, filled in place and returned by every path: the view is not copied on return
  // (a copy right after the field-by-field writes costs more than the rest of a small parse).
  WireResult<MessageView> result{MessageView{}};
  if (const auto err = result->validate(bytes)) result = Unexpected<Error>{*err};
  return result;
}

std::optional<Error> MessageView::validate(std::span<const std::uint8_t> bytes) noexcept {
  if (bytes.size() < kHeaderSize) return Error{Errc::truncated, bytes.size()};
  if (bytes.size() > kMaxMessageSize) return Error{Errc::message_too_large, kMaxMessageSize};
  msg_ = bytes;
  const std::size_t size = bytes.size();
  const std::uint8_t* d = bytes.data();
  const std::uint16_t qdcount = get16(d + kQdcount), ancount = get16(d + kAncount), nscount = get16(d + kNscount),
                      arcount = get16(d + kArcount);
  // The counts are attacker-controlled: before reading anything else, reject counts whose minimal
  // encodings cannot fit in the bytes we have (each question >= 5 octets, each record >= 11).
  const std::size_t room = size - kHeaderSize;
  const std::size_t need_q = std::size_t{qdcount} * kMinQuestion;
  const std::size_t need_an = need_q + std::size_t{ancount} * kMinRecord;
  const std::size_t need_ns = need_an + std::size_t{nscount} * kMinRecord;
  const std::size_t need_ar = need_ns + std::size_t{arcount} * kMinRecord;
  if (need_ar > room) {
    const std::size_t off = need_q > room ? kQdcount : need_an > room ? kAncount : need_ns > room ? kNscount : kArcount;
    return Error{Errc::count_too_large, off};
  }

  count_ = {qdcount, ancount, nscount, arcount};
  std::size_t pos = kHeaderSize;
  section_offset_[0] = static_cast<std::uint16_t>(pos);
  Error err{};
  for (unsigned i = 0; i < qdcount; ++i) {
    pos = check_name(d, size, pos, err);
    if (!pos) [[unlikely]] return err;
    if (size - pos < 4) return Error{Errc::truncated, pos};
    pos += 4;
  }
  const std::uint16_t counts[3] = {ancount, nscount, arcount};
  for (unsigned s = 0; s < 3; ++s) {
    section_offset_[s + 1] = static_cast<std::uint16_t>(pos);
    for (unsigned i = 0; i < counts[s]; ++i) {
      const std::size_t owner = pos;
      pos = check_name(d, size, pos, err);
      if (!pos) [[unlikely]] return err;
      if (size - pos < 10) return Error{Errc::truncated, pos};
      const auto type = static_cast<RRType>(get16(d + pos));
      const std::uint16_t rdlength = get16(d + pos + 8);
      pos += 10;
      if (size - pos < rdlength) return Error{Errc::truncated, pos - 2};
      if (type == RRType::OPT) {
        // RFC 6891 §6.1.1: at most one OPT, in the additional section, owned by the root.
        if (s != 2) return Error{Errc::opt_not_in_additional, owner};
        if (opt_offset_ != 0) return Error{Errc::multiple_opt, owner};
        if (d[owner] != 0) return Error{Errc::opt_bad_owner, owner};
        opt_offset_ = static_cast<std::uint16_t>(owner);
      }
      // Opaque types only need to fit; fixed-size layouts (A, AAAA) need RDLENGTH to match; a layout
      // of one name (NS, CNAME, PTR, DNAME) needs the name to fill the RDATA; the rest walk their field
      // table (which also names the error when the one-name check fails).
      if (const layout::Layout* l = layout::find(type)) {
        if (const std::size_t fixed = l->fixed_size()) {
          if (rdlength != fixed) return Error{Errc::rdata_length_mismatch, pos + std::min<std::size_t>(rdlength, fixed)};
        } else if (l->step_count == 1 && layout::is_name(l->steps[0].field) &&
                   skip_name_fast(d, pos + rdlength, pos) == pos + rdlength) {
          // valid
        } else {
          const std::size_t rd_end = layout::walk_fields(*l, bytes, pos, pos + rdlength, err);
          if (rd_end == layout::kFieldError) return err;
          if (rd_end != pos + rdlength) return Error{Errc::rdata_length_mismatch, rd_end};
        }
      }
      pos += rdlength;
    }
  }
  end_ = static_cast<std::uint16_t>(pos);
  return std::nullopt;
}

std::optional<RecordView> MessageView::opt_record() const noexcept {
  if (opt_offset_ == 0) return std::nullopt;
  SectionIterator it(msg_.data(), static_cast<std::uint16_t>(msg_.size()), opt_offset_, 1, Section::Additional);
  return *it;
}

std::optional<Edns> MessageView::edns() const {
  auto opt = opt_record();
  if (!opt) return std::nullopt;
  Edns e;
  e.udp_size = static_cast<std::uint16_t>(opt->cls());
  const std::uint32_t ttl = opt->ttl();
  e.extended_rcode = static_cast<std::uint8_t>(ttl >> 24);
  e.version = static_cast<std::uint8_t>(ttl >> 16);
  e.flags = static_cast<std::uint16_t>(ttl);
  e.do_bit = e.flags & 0x8000;
  // Options were validated by parse(): each header fits.
  auto data = opt->rdata_bytes();
  for (std::size_t p = 0; p + 4 <= data.size();) {
    EdnsOption o;
    o.code = get16(&data[p]);
    const std::size_t len = get16(&data[p + 2]);
    o.data.assign(data.begin() + static_cast<std::ptrdiff_t>(p + 4),
                  data.begin() + static_cast<std::ptrdiff_t>(p + 4 + len));
    e.options.push_back(std::move(o));
    p += 4 + len;
  }
  return e;
}

Rcode MessageView::rcode() const noexcept {
  unsigned r = msg_[kFlags + 1] & kRcodeMask;
  if (opt_offset_ != 0) {
    const std::size_t ttl_at = opt_offset_ + 1 + 4;  // root owner (1) + type (2) + class (2)
    r |= static_cast<unsigned>(msg_[ttl_at]) << 4;
  }
  return static_cast<Rcode>(r);
}

// Views only exist over a message parse() validated: its names decode without checks.
Name detail::valid_name_at(const std::uint8_t* data, std::size_t size, std::size_t offset) {
  Name n;
  decode_valid_name(data, size, offset, n);
  return n;
}

WireResult<Rdata> RecordView::rdata() const { return Rdata::from_wire({data_, size_}, rdata_offset_, rdlength_, type_); }

Record RecordView::to_record() const {
  Record r;
  r.owner = owner();
  r.type = type_;
  r.cls = cls_;
  r.ttl = ttl_;
  if (auto rd = rdata()) r.rdata = std::move(*rd);
  return r;
}

std::string Question::to_string() const {
  std::string s = ";";
  name.append_to(s);
  s += '\t';
  s += wire::to_string(cls);
  s += '\t';
  s += wire::to_string(type);
  return s;
}

std::string Record::to_string() const {
  std::string s;
  owner.append_to(s);
  s += '\t';
  s += std::to_string(ttl);
  s += '\t';
  s += wire::to_string(cls);
  s += '\t';
  s += wire::to_string(type);
  const std::string rd = rdata.to_string();
  if (!rd.empty()) {
    s += '\t';
    s += rd;
  }
  return s;
}

}  // namespace dkimdoctor::wire
