// Typed views of Rdata and the EDNS option helpers. Every view re-reads the owned bytes through a
// bounds-checked cursor: the bytes were validated when the Rdata was made, but a view never relies on it.
#include <cstring>

#include "wire/bytes.hpp"
#include "wire/rdata.hpp"
#include "wire/text.hpp"

namespace dkimdoctor::wire {

namespace {

std::vector<RRType> bitmap_types(std::span<const std::uint8_t> b) {
  std::vector<RRType> types;
  for (std::size_t pos = 0; pos + 2 <= b.size();) {
    const unsigned window = b[pos];
    const std::size_t len = b[pos + 1];
    for (std::size_t k = 0; k < len && pos + 2 + k < b.size(); ++k)
      for (unsigned bit = 0; bit < 8; ++bit)
        if (b[pos + 2 + k] & (0x80 >> bit)) types.push_back(static_cast<RRType>(window * 256 + k * 8 + bit));
    pos += 2 + len;
  }
  return types;
}

// The shared sticky-error cursor (wire/bytes.hpp), plus the reads that make owned values for the views.
struct Reader : Cursor {
  using Cursor::Cursor;
  Name name() {
    if (bad()) return Name();
    std::size_t next = 0;
    auto n = read_name(data(), pos(), &next);
    if (!n) {
      fail();
      return Name();
    }
    seek(next);
    return *n;
  }
  std::vector<std::uint8_t> copy(std::size_t n) {
    const auto s = take(n);
    return {s.begin(), s.end()};
  }
  std::vector<std::uint8_t> copy_rest() { return copy(bad() ? 0 : remaining()); }
  std::string str(std::size_t n) {
    const auto s = take(n);
    return std::string(s.begin(), s.end());
  }
};

template <class T>
WireResult<T> finish(const Reader& r, T value) {
  if (!r.done()) return fail(Errc::bad_rdata, r.pos());
  return value;
}

}  // namespace

std::optional<std::array<std::uint8_t, 4>> Rdata::as_a() const {
  if (type_ != RRType::A || bytes_.size() != 4) return std::nullopt;
  std::array<std::uint8_t, 4> a;
  std::memcpy(a.data(), bytes_.data(), 4);
  return a;
}

std::optional<std::array<std::uint8_t, 16>> Rdata::as_aaaa() const {
  if (type_ != RRType::AAAA || bytes_.size() != 16) return std::nullopt;
  std::array<std::uint8_t, 16> a;
  std::memcpy(a.data(), bytes_.data(), 16);
  return a;
}

WireResult<Name> Rdata::target() const {
  if (type_ != RRType::NS && type_ != RRType::CNAME && type_ != RRType::DNAME && type_ != RRType::PTR)
    return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  Name n = r.name();
  return finish(r, n);
}

WireResult<rdata::Soa> Rdata::as_soa() const {
  if (type_ != RRType::SOA) return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  rdata::Soa s;
  s.mname = r.name();
  s.rname = r.name();
  s.serial = r.u32();
  s.refresh = r.u32();
  s.retry = r.u32();
  s.expire = r.u32();
  s.minimum = r.u32();
  return finish(r, s);
}

WireResult<rdata::Mx> Rdata::as_mx() const {
  if (type_ != RRType::MX) return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  rdata::Mx m;
  m.preference = r.u16();
  m.exchange = r.name();
  return finish(r, m);
}

WireResult<rdata::Srv> Rdata::as_srv() const {
  if (type_ != RRType::SRV) return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  rdata::Srv s;
  s.priority = r.u16();
  s.weight = r.u16();
  s.port = r.u16();
  s.target = r.name();
  return finish(r, s);
}

WireResult<rdata::Caa> Rdata::as_caa() const {
  if (type_ != RRType::CAA) return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  rdata::Caa c;
  c.flags = r.u8();
  c.tag = r.str(r.u8());
  auto rest = r.rest();
  c.value.assign(rest.begin(), rest.end());
  return finish(r, c);
}

WireResult<std::vector<std::string>> Rdata::txt_strings() const {
  if (type_ != RRType::TXT) return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  std::vector<std::string> strings;
  while (!r.bad() && r.pos() < bytes_.size()) strings.push_back(r.str(r.u8()));
  if (strings.empty()) return fail(Errc::bad_rdata, 0);
  return finish(r, strings);
}

WireResult<rdata::Ds> Rdata::as_ds() const {
  if (type_ != RRType::DS) return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  rdata::Ds d;
  d.key_tag = r.u16();
  d.algorithm = r.u8();
  d.digest_type = r.u8();
  d.digest = r.copy_rest();
  return finish(r, d);
}

WireResult<rdata::Dnskey> Rdata::as_dnskey() const {
  if (type_ != RRType::DNSKEY) return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  rdata::Dnskey d;
  d.flags = r.u16();
  d.protocol = r.u8();
  d.algorithm = r.u8();
  d.public_key = r.copy_rest();
  return finish(r, d);
}

WireResult<rdata::Rrsig> Rdata::as_rrsig() const {
  if (type_ != RRType::RRSIG) return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  rdata::Rrsig s;
  s.type_covered = static_cast<RRType>(r.u16());
  s.algorithm = r.u8();
  s.labels = r.u8();
  s.original_ttl = r.u32();
  s.expiration = r.u32();
  s.inception = r.u32();
  s.key_tag = r.u16();
  s.signer = r.name();
  s.signature = r.copy_rest();
  return finish(r, s);
}

WireResult<rdata::Nsec> Rdata::as_nsec() const {
  if (type_ != RRType::NSEC) return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  rdata::Nsec n;
  n.next = r.name();
  n.types = bitmap_types(r.rest());
  return finish(r, n);
}

WireResult<rdata::Nsec3> Rdata::as_nsec3() const {
  if (type_ != RRType::NSEC3) return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  rdata::Nsec3 n;
  n.hash_algorithm = r.u8();
  n.flags = r.u8();
  n.iterations = r.u16();
  n.salt = r.copy(r.u8());
  n.next_hashed_owner = r.copy(r.u8());
  n.types = bitmap_types(r.rest());
  return finish(r, n);
}

WireResult<rdata::Nsec3Param> Rdata::as_nsec3param() const {
  if (type_ != RRType::NSEC3PARAM) return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  rdata::Nsec3Param n;
  n.hash_algorithm = r.u8();
  n.flags = r.u8();
  n.iterations = r.u16();
  n.salt = r.copy(r.u8());
  return finish(r, n);
}

WireResult<std::vector<EdnsOption>> Rdata::edns_options() const {
  if (type_ != RRType::OPT) return fail(Errc::bad_rdata, 0);
  Reader r{bytes_};
  std::vector<EdnsOption> options;
  while (!r.bad() && r.pos() < bytes_.size()) {
    EdnsOption o;
    o.code = r.u16();
    o.data = r.copy(r.u16());
    options.push_back(std::move(o));
  }
  return finish(r, options);
}

WireResult<rdata::ExtendedError> parse_extended_error(std::span<const std::uint8_t> data) {
  if (data.size() < 2) return fail(Errc::bad_rdata, 0);
  rdata::ExtendedError e;
  e.info_code = get16(data.data());
  e.extra_text.assign(data.begin() + 2, data.end());
  return e;
}

namespace {
// RFC 8914 §4 registry names, as dig prints them.
const char* ede_name(std::uint16_t code) {
  static constexpr const char* kNames[] = {
      "Other", "Unsupported DNSKEY Algorithm", "Unsupported DS Digest Type", "Stale Answer", "Forged Answer",
      "DNSSEC Indeterminate", "DNSSEC Bogus", "Signature Expired", "Signature Not Yet Valid", "DNSKEY Missing",
      "RRSIGs Missing", "No Zone Key Bit Set", "NSEC Missing", "Cached Error", "Not Ready", "Blocked", "Censored",
      "Filtered", "Prohibited", "Stale NXDOMAIN Answer", "Not Authoritative", "Not Supported",
      "No Reachable Authority", "Network Error", "Invalid Data"};
  return code < std::size(kNames) ? kNames[code] : nullptr;
}
}  // namespace

std::string edns_option_to_string(const EdnsOption& option) {
  std::string out;
  switch (static_cast<EdnsOptionCode>(option.code)) {
    case EdnsOptionCode::Cookie:
      out = "COOKIE: ";
      text::append_hex(out, option.data);
      return out;
    case EdnsOptionCode::NSID:
      out = "NSID: ";
      text::append_hex(out, option.data);
      return out;
    case EdnsOptionCode::Padding:
      return "PADDING: " + std::to_string(option.data.size()) + " bytes";
    case EdnsOptionCode::ExtendedError: {
      auto e = parse_extended_error(option.data);
      if (!e) break;
      out = "EDE: " + std::to_string(e->info_code);
      if (const char* n = ede_name(e->info_code)) out += std::string(" (") + n + ")";
      if (!e->extra_text.empty()) {
        out += ": ";
        text::append_quoted(out, std::span<const std::uint8_t>(
                                     reinterpret_cast<const std::uint8_t*>(e->extra_text.data()), e->extra_text.size()));
      }
      return out;
    }
    default:
      break;
  }
  out = "OPT=" + std::to_string(option.code) + ": ";
  text::append_hex(out, option.data);
  return out;
}

}  // namespace dkimdoctor::wire
