// Which server addresses the resolver may send to. A delegation that points at loopback, private,
// link-local, CGNAT, multicast, unspecified or documentation space cannot be reached by public
// resolvers (Amazon SES's included), so by default we never query it and report it instead.
#pragma once

#include <asio/ip/address.hpp>
#include <cstddef>
#include <optional>
#include <string_view>

namespace dkimdoctor::resolver {

// Derived from the IANA IPv4 and IPv6 Special-Purpose Address Registries (every entry whose
// "Globally Reachable" is False or N/A), the multicast blocks, and the IPv6 space outside 2000::/3
// that IANA has not allocated for global unicast. Translated IPv6 forms that carry an IPv4 address
// (IPv4-mapped, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4 address inside.
enum class AddressClass {
  global,           // ordinary public unicast
  loopback,         // 127/8, ::1
  private_net,      // 10/8, 172.16/12, 192.168/16 (RFC 1918), fc00::/7 (RFC 4193)
  link_local,       // 169.254/16, fe80::/10
  cgnat,            // 100.64/10 (RFC 6598)
  multicast,        // 224/4, ff00::/8
  unspecified,      // 0.0.0.0/8, ::
  documentation,    // 192.0.2/24, 198.51.100/24, 203.0.113/24 (RFC 5737), 2001:db8::/32 (RFC 3849), 3fff::/20 (RFC 9637)
  reserved,         // 240/4, 255.255.255.255, fec0::/10 (RFC 3879), ::/96 IPv4-compatible (RFC 4291),
                    // IPv6 outside 2000::/3, IPv4-mapped ::ffff:0:0/96 of a non-global address
  benchmarking,     // 198.18/15 (RFC 2544), 2001:2::/48 (RFC 5180)
  special_purpose,  // 192.0.0/24 (RFC 6890), 192.88.99/24 (RFC 7526), 100::/64 (RFC 6666),
                    // 100:0:0:1::/64 (RFC 9780), 2001::/23 but its global entries (Teredo included),
                    // 64:ff9b:1::/48 (RFC 8215), 5f00::/16 (RFC 9602)
  translated,       // 64:ff9b::/96 (RFC 6052) or 2002::/16 (RFC 3056) carrying a non-global IPv4 address
};

const char* to_string(AddressClass cls);

AddressClass classify_address(const asio::ip::address& address);

// Hash of an address, for the unordered maps keyed by server address (server stats, transport quirks).
struct AddressHash {
  std::size_t operator()(const asio::ip::address& address) const noexcept;
};

struct AddressPolicy {
  // Allows 127/8 and ::1 (and nothing else outside `global`). The lab runs on 127.53/16.
  bool allow_loopback = false;
  // Test harnesses only: also allows every other non-global class (private, documentation, ...), for
  // replayed scenarios whose servers sit there (tests/replay). Loopback still follows allow_loopback.
  bool allow_special = false;

  // True when the resolver may send a query to `address`.
  bool permits(const asio::ip::address& address) const;
};

}  // namespace dkimdoctor::resolver
