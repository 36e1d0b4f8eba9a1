#include "resolver/address_policy.hpp"

#include <array>
#include <cstdint>

#include "wire/bytes.hpp"

namespace dkimdoctor::resolver {

const char* to_string(AddressClass cls) {
  switch (cls) {
    case AddressClass::global: return "global";
    case AddressClass::loopback: return "loopback";
    case AddressClass::private_net: return "private";
    case AddressClass::link_local: return "link-local";
    case AddressClass::cgnat: return "cgnat";
    case AddressClass::multicast: return "multicast";
    case AddressClass::unspecified: return "unspecified";
    case AddressClass::documentation: return "documentation";
    case AddressClass::reserved: return "reserved";
    case AddressClass::benchmarking: return "benchmarking";
    case AddressClass::special_purpose: return "special-purpose";
    case AddressClass::translated: return "translated non-global";
  }
  return "unknown";
}

namespace {

using C = AddressClass;

// One row per range, first match wins. From the IANA IPv4 Special-Purpose Address Registry
// (iana-ipv4-special-registry, every entry not globally reachable) plus multicast. 192.0.0.0/24 is
// refused whole, its two globally reachable anycast /32s included (PCP and TURN: no DNS server lives
// there). AS112 (192.31.196/24, 192.175.48/24) and AMT (192.52.193/24) are globally reachable and
// serve DNS or could: allowed.
struct V4Row {
  std::uint32_t net;
  int bits;
  AddressClass cls;
};
constexpr V4Row kV4[] = {
    {0x00000000, 8, C::unspecified},      // 0.0.0.0/8 "this network" (RFC 791)
    {0x0a000000, 8, C::private_net},      // 10/8 (RFC 1918)
    {0x64400000, 10, C::cgnat},           // 100.64/10 shared address space (RFC 6598)
    {0x7f000000, 8, C::loopback},         // 127/8 (RFC 1122)
    {0xa9fe0000, 16, C::link_local},      // 169.254/16 (RFC 3927)
    {0xac100000, 12, C::private_net},     // 172.16/12 (RFC 1918)
    {0xc0000000, 24, C::special_purpose}, // 192.0.0/24 IETF protocol assignments (RFC 6890)
    {0xc0000200, 24, C::documentation},   // 192.0.2/24 TEST-NET-1 (RFC 5737)
    {0xc0586300, 24, C::special_purpose}, // 192.88.99/24 deprecated 6to4 relay anycast (RFC 7526)
    {0xc0a80000, 16, C::private_net},     // 192.168/16 (RFC 1918)
    {0xc6120000, 15, C::benchmarking},    // 198.18/15 (RFC 2544)
    {0xc6336400, 24, C::documentation},   // 198.51.100/24 TEST-NET-2 (RFC 5737)
    {0xcb007100, 24, C::documentation},   // 203.0.113/24 TEST-NET-3 (RFC 5737)
    {0xe0000000, 4, C::multicast},        // 224/4 (RFC 5771)
    {0xf0000000, 4, C::reserved},         // 240/4 reserved (RFC 1112) and 255.255.255.255 (RFC 919)
};

AddressClass classify_v4(std::uint32_t a) {
  for (const V4Row& row : kV4) {
    const std::uint32_t mask = ~std::uint32_t{0} << (32 - row.bits);
    if ((a & mask) == row.net) return row.cls;
  }
  return C::global;
}

// From the IANA IPv6 Special-Purpose Address Registry (iana-ipv6-special-registry); first match
// wins, so the globally reachable entries inside 2001::/23 come before it. Teredo (2001::/32,
// "N/A") is refused with the rest of 2001::/23: its embedded addresses are a NAT's.
struct V6Row {
  std::array<std::uint8_t, 16> net;
  int bits;
  AddressClass cls;
};
constexpr V6Row kV6[] = {
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, C::special_purpose},  // 64:ff9b:1::/48 local-use (RFC 8215)
    {{0x01, 0x00}, 64, C::special_purpose},                          // 100::/64 discard-only (RFC 6666)
    {{0x01, 0x00, 0, 0, 0, 0, 0, 0x01}, 64, C::special_purpose},    // 100:0:0:1::/64 dummy (RFC 9780)
    {{0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}, 128, C::global},  // PCP anycast
    {{0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02}, 128, C::global},  // TURN anycast
    {{0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03}, 128, C::global},  // DNS-SD SRP anycast
    {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, C::benchmarking},     // 2001:2::/48 (RFC 5180)
    {{0x20, 0x01, 0x00, 0x03}, 32, C::global},                       // 2001:3::/32 AMT (RFC 7450)
    {{0x20, 0x01, 0x00, 0x04, 0x01, 0x12}, 48, C::global},           // 2001:4:112::/48 AS112-v6 (RFC 7535)
    {{0x20, 0x01, 0x00, 0x20}, 28, C::global},                       // 2001:20::/28 ORCHIDv2 (RFC 7343)
    {{0x20, 0x01, 0x00, 0x30}, 28, C::global},                       // 2001:30::/28 drone remote ID (RFC 9374)
    {{0x20, 0x01, 0x00, 0x00}, 23, C::special_purpose},              // 2001::/23 IETF protocol assignments (RFC 2928)
    {{0x20, 0x01, 0x0d, 0xb8}, 32, C::documentation},                // 2001:db8::/32 (RFC 3849)
    {{0x3f, 0xff}, 20, C::documentation},                            // 3fff::/20 (RFC 9637)
    {{0x5f, 0x00}, 16, C::special_purpose},                          // 5f00::/16 SRv6 SIDs (RFC 9602)
    {{0xfc}, 7, C::private_net},                                     // fc00::/7 unique local (RFC 4193)
    {{0xfe, 0x80}, 10, C::link_local},                               // fe80::/10 (RFC 4291)
    {{0xfe, 0xc0}, 10, C::reserved},                                 // fec0::/10 site-local, deprecated (RFC 3879)
    {{0xff}, 8, C::multicast},                                       // ff00::/8 (RFC 4291)
};

bool in_v6(const std::array<unsigned char, 16>& b, const V6Row& row) {
  int bits = row.bits;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((b[i] & mask) != row.net[i]) return false;
  }
  return true;
}

std::uint32_t v4_at(const std::array<unsigned char, 16>& b, std::size_t at) {
  return wire::get32(b.data() + at);
}

bool zero(const std::array<unsigned char, 16>& b, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

AddressClass classify_v6(const std::array<unsigned char, 16>& b) {
  if (zero(b, 0, 15) && b[15] == 0) return C::unspecified;
  if (zero(b, 0, 15) && b[15] == 1) return C::loopback;
  // Forms that carry an IPv4 address are judged by it, but never as "loopback": allow_loopback
  // stays limited to 127/8 and ::1 exactly, and a NAT64 gateway would carry 64:ff9b::10.0.0.1 to
  // 10.0.0.1 (issue 18).
  const auto inner = [](std::uint32_t v4, AddressClass otherwise) {
    return classify_v4(v4) == C::global ? C::global : otherwise;
  };
  if (zero(b, 0, 10) && b[10] == 0xff && b[11] == 0xff) return inner(v4_at(b, 12), C::reserved);  // ::ffff:0:0/96
  if (zero(b, 0, 12)) return C::reserved;  // ::/96 IPv4-compatible, deprecated (RFC 4291 §2.5.5.1)
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zero(b, 4, 12)) {
    return inner(v4_at(b, 12), C::translated);  // 64:ff9b::/96 (RFC 6052)
  }
  if (b[0] == 0x20 && b[1] == 0x02) return inner(v4_at(b, 2), C::translated);  // 2002::/16 6to4 (RFC 3056)
  for (const V6Row& row : kV6) {
    if (in_v6(b, row)) return row.cls;
  }
  // IANA allocates global unicast from 2000::/3 only; the rest is reserved by the IETF.
  if ((b[0] & 0xe0) != 0x20) return C::reserved;
  return C::global;
}

}  // namespace

AddressClass classify_address(const asio::ip::address& address) {
  if (address.is_v4()) return classify_v4(address.to_v4().to_uint());
  return classify_v6(address.to_v6().to_bytes());
}

bool AddressPolicy::permits(const asio::ip::address& address) const {
  const AddressClass cls = classify_address(address);
  if (cls == AddressClass::global) return true;
  if (cls == AddressClass::loopback) return allow_loopback;
  return allow_special;
}

std::size_t AddressHash::operator()(const asio::ip::address& a) const noexcept {
  if (a.is_v4()) return std::hash<std::uint32_t>{}(a.to_v4().to_uint());
  const auto bytes = a.to_v6().to_bytes();
  return std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace dkimdoctor::resolver
