// RDATA: owning bytes in uncompressed wire form plus typed views decoded from them.
//
// Each known type's layout is described ONCE, as a table of fields (wire/rdata_layout.hpp); one generic
// loop per job walks that table: validate (from the message, allocation-free), decompress (copy out
// with names expanded), print presentation text, and parse presentation text. Types without a table
// are opaque and use RFC 3597 (`\# <len> <hex>`), which also parses for ANY type.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/error.hpp"
#include "wire/name.hpp"
#include "wire/types.hpp"

namespace dkimdoctor::wire {

// EDNS option codes we give names to (IANA "DNS EDNS0 Option Codes").
enum class EdnsOptionCode : std::uint16_t {
  NSID = 3, ClientSubnet = 8, Expire = 9, Cookie = 10, TcpKeepalive = 11, Padding = 12,
  ExtendedError = 15,
};

struct EdnsOption {
  std::uint16_t code = 0;
  std::vector<std::uint8_t> data;
  bool operator==(const EdnsOption&) const = default;
};

namespace rdata {
struct Soa {
  Name mname, rname;
  std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
};
struct Mx {
  std::uint16_t preference = 0;
  Name exchange;
};
struct Srv {
  std::uint16_t priority = 0, weight = 0, port = 0;
  Name target;
};
struct Caa {
  std::uint8_t flags = 0;
  std::string tag;    // raw octets
  std::string value;  // raw octets
};
struct Ds {
  std::uint16_t key_tag = 0;
  std::uint8_t algorithm = 0, digest_type = 0;
  std::vector<std::uint8_t> digest;
};
struct Dnskey {
  std::uint16_t flags = 0;
  std::uint8_t protocol = 0, algorithm = 0;
  std::vector<std::uint8_t> public_key;
};
struct Rrsig {
  RRType type_covered{};
  std::uint8_t algorithm = 0, labels = 0;
  std::uint32_t original_ttl = 0, expiration = 0, inception = 0;
  std::uint16_t key_tag = 0;
  Name signer;
  std::vector<std::uint8_t> signature;
};
struct Nsec {
  Name next;
  std::vector<RRType> types;
};
struct Nsec3 {
  std::uint8_t hash_algorithm = 0, flags = 0;
  std::uint16_t iterations = 0;
  std::vector<std::uint8_t> salt, next_hashed_owner;
  std::vector<RRType> types;
};
struct Nsec3Param {
  std::uint8_t hash_algorithm = 0, flags = 0;
  std::uint16_t iterations = 0;
  std::vector<std::uint8_t> salt;
};
// RFC 8914 Extended DNS Error option.
struct ExtendedError {
  std::uint16_t info_code = 0;
  std::string extra_text;
};
}  // namespace rdata

// True when `type` has a field table (its layout is checked, its names may be decompressed and it
// prints in its own presentation format); false for RFC 3597 opaque types.
bool is_known_type(RRType type) noexcept;

// Allocation-free check that the RDATA at message[offset, offset+rdlength) is well formed for `type`
// and consumes exactly rdlength. Opaque types only need to fit. Used by MessageView::parse.
WireResult<void> validate_rdata(std::span<const std::uint8_t> message, std::size_t offset,
                                std::uint16_t rdlength, RRType type);

class Rdata {
 public:
  Rdata() = default;

  // From a message: decompresses embedded names, validates the type's layout, consumes exactly
  // rdlength. Errors carry message offsets.
  static WireResult<Rdata> from_wire(std::span<const std::uint8_t> message, std::size_t offset,
                                     std::uint16_t rdlength, RRType type);
  // From uncompressed RDATA bytes alone (validated the same way; a compression pointer is an error
  // since there is no message to point into).
  static WireResult<Rdata> from_bytes(RRType type, std::span<const std::uint8_t> bytes);
  // Presentation text of the RDATA alone (no owner/TTL/class/type). `\# <len> <hex>` works for
  // every type (RFC 3597 §5). Errors carry offsets into `presentation`. Relative names are taken
  // relative to `origin` (default root).
  static WireResult<Rdata> parse(RRType type, std::string_view presentation, const Name& origin = Name());

  RRType type() const noexcept { return type_; }
  const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }

  // Presentation text (dig style): known types in their own format, others as `\# <len> <hex>`.
  std::string to_string() const;
  // Appends to_string() to `out` (avoids a temporary).
  void append_to(std::string& out) const;

  bool operator==(const Rdata& other) const = default;

  // Typed views. Each fails with bad_rdata when the type does not match.
  std::optional<std::array<std::uint8_t, 4>> as_a() const;
  std::optional<std::array<std::uint8_t, 16>> as_aaaa() const;
  WireResult<Name> target() const;  // NS, CNAME, DNAME, PTR
  WireResult<rdata::Soa> as_soa() const;
  WireResult<rdata::Mx> as_mx() const;
  WireResult<rdata::Srv> as_srv() const;
  WireResult<rdata::Caa> as_caa() const;
  // TXT: every character-string separately, boundaries preserved (raw octets).
  WireResult<std::vector<std::string>> txt_strings() const;
  WireResult<rdata::Ds> as_ds() const;
  WireResult<rdata::Dnskey> as_dnskey() const;
  WireResult<rdata::Rrsig> as_rrsig() const;
  WireResult<rdata::Nsec> as_nsec() const;
  WireResult<rdata::Nsec3> as_nsec3() const;
  WireResult<rdata::Nsec3Param> as_nsec3param() const;
  WireResult<std::vector<EdnsOption>> edns_options() const;  // OPT

 private:
  Rdata(RRType type, std::vector<std::uint8_t> bytes) : type_(type), bytes_(std::move(bytes)) {}
  RRType type_ = RRType::A;
  std::vector<std::uint8_t> bytes_;
};

// Decodes an RFC 8914 EDE option payload.
WireResult<rdata::ExtendedError> parse_extended_error(std::span<const std::uint8_t> data);
// Presentation of one EDNS option as dig prints it inside the OPT pseudosection, e.g.
// "COOKIE: 0102030405060708" or "EDE: 18 (Prohibited): (text)"; others "OPT=<code>: <hex>".
std::string edns_option_to_string(const EdnsOption& option);

}  // namespace dkimdoctor::wire
