#include "resolver/address_policy.hpp"

#include <array>
#include <cstdint>

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
  }
  return "unknown";
}

namespace {

AddressClass classify_v4(std::uint32_t a) {
  auto in = [a](std::uint32_t net, int bits) {
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (a & mask) == net;
  };
  if (in(0x00000000, 8)) return AddressClass::unspecified;
  if (in(0x7f000000, 8)) return AddressClass::loopback;
  if (in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16)) return AddressClass::private_net;
  if (in(0xa9fe0000, 16)) return AddressClass::link_local;
  if (in(0x64400000, 10)) return AddressClass::cgnat;
  if (in(0xe0000000, 4)) return AddressClass::multicast;
  if (in(0xc0000200, 24) || in(0xc6336400, 24) || in(0xcb007100, 24)) return AddressClass::documentation;
  if (in(0xf0000000, 4)) return AddressClass::reserved;  // 240/4 and the limited broadcast address
  return AddressClass::global;
}

AddressClass classify_v6(const std::array<unsigned char, 16>& b) {
  bool all_zero_but_last = true;
  for (int i = 0; i < 15; ++i) all_zero_but_last = all_zero_but_last && b[i] == 0;
  if (all_zero_but_last && b[15] == 0) return AddressClass::unspecified;
  if (all_zero_but_last && b[15] == 1) return AddressClass::loopback;
  // IPv4-mapped (::ffff:a.b.c.d): judged by the embedded IPv4 address, but never "loopback" so that
  // allow_loopback stays limited to 127/8 and ::1 exactly.
  bool mapped = true;
  for (int i = 0; i < 10; ++i) mapped = mapped && b[i] == 0;
  mapped = mapped && b[10] == 0xff && b[11] == 0xff;
  if (mapped) {
    const std::uint32_t v4 = (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                             (std::uint32_t{b[14]} << 8) | std::uint32_t{b[15]};
    const AddressClass inner = classify_v4(v4);
    return inner == AddressClass::global ? AddressClass::global : AddressClass::reserved;
  }
  if ((b[0] & 0xfe) == 0xfc) return AddressClass::private_net;                  // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass::link_local;   // fe80::/10
  if (b[0] == 0xff) return AddressClass::multicast;                             // ff00::/8
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return AddressClass::documentation;
  return AddressClass::global;
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
