// RDATA text <-> wire round trips for every type. Input: 2 octets of type, 1 octet mode, the rest is
// either presentation text (mode even) or uncompressed RDATA (mode odd).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "wire/rdata.hpp"
#include "wire/rdata_layout.hpp"

using namespace dkimdoctor::wire;

namespace {
[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fuzz_rdata: %s\n", what);
  std::abort();
}

// The well-known types get most of the input space; anything else keeps its value.
RRType pick_type(std::uint16_t v) {
  static constexpr RRType kTypes[] = {RRType::A,     RRType::NS,     RRType::CNAME,    RRType::SOA,   RRType::PTR,
                                      RRType::MX,    RRType::TXT,    RRType::AAAA,     RRType::SRV,   RRType::DNAME,
                                      RRType::OPT,   RRType::DS,     RRType::RRSIG,    RRType::NSEC,  RRType::DNSKEY,
                                      RRType::NSEC3, RRType::NSEC3PARAM, RRType::CAA};
  if (v < 0xF000) return kTypes[v % std::size(kTypes)];
  return static_cast<RRType>(v);
}

void check(const Rdata& rd) {
  const std::string text = rd.to_string();
  auto again = Rdata::parse(rd.type(), text);
  if (!again) {
    std::fprintf(stderr, "text: %s\n", text.c_str());
    die("printed RDATA does not parse");
  }
  if (!(*again == rd)) {
    std::fprintf(stderr, "text: %s\n", text.c_str());
    die("text round trip changed the RDATA");
  }
  if (again->to_string() != text) die("printing is not a fixed point");
  auto from_bytes = Rdata::from_bytes(rd.type(), rd.bytes());
  if (!from_bytes || !(*from_bytes == rd)) die("bytes do not validate again");
  // Typed views never crash, whatever the type.
  (void)rd.as_a(); (void)rd.as_aaaa(); (void)rd.target(); (void)rd.as_soa(); (void)rd.as_mx(); (void)rd.as_srv();
  (void)rd.as_caa(); (void)rd.txt_strings(); (void)rd.as_ds(); (void)rd.as_dnskey(); (void)rd.as_rrsig();
  (void)rd.as_nsec(); (void)rd.as_nsec3(); (void)rd.as_nsec3param();
  if (auto opts = rd.edns_options())
    for (const auto& o : *opts) (void)edns_option_to_string(o);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const RRType type = pick_type(static_cast<std::uint16_t>((data[0] << 8) | data[1]));
  const bool wire = data[2] & 1;
  data += 3;
  size -= 3;
  if (wire) {
    if (auto rd = Rdata::from_bytes(type, {data, size})) check(*rd);
    // MessageView::parse's fast field walk must agree with the exact one: same end, or the same error.
    // The bytes as a message, the RDATA at offset 0 or 12 (then pointers have somewhere to go).
    if (const layout::Layout* l = layout::find(type))
      for (const std::size_t start : {std::size_t{0}, std::size_t{12}}) {
        if (start > size) break;
        Error fast_err{}, exact_err{};
        const std::span<const std::uint8_t> msg(data, size);
        const std::size_t fast = layout::walk_fields(*l, msg, start, size, fast_err);
        const std::size_t exact = layout::walk_fields_exact(*l, msg, start, size, exact_err);
        if (fast != exact) die("walk_fields and walk_fields_exact disagree");
        if (fast == layout::kFieldError && (fast_err.code != exact_err.code || fast_err.offset != exact_err.offset))
          die("walk_fields names another error than walk_fields_exact");
      }
  } else {
    if (auto rd = Rdata::parse(type, std::string_view(reinterpret_cast<const char*>(data), size))) check(*rd);
  }
  return 0;
}
