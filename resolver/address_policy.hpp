// Which server addresses the resolver may send to. A delegation that points at loopback, private,
// link-local, CGNAT, multicast, unspecified or documentation space cannot be reached by public
// resolvers (Amazon SES's included), so by default we never query it and report it instead.
#pragma once

#include <asio/ip/address.hpp>
#include <cstddef>
#include <optional>
#include <string_view>

namespace dkimdoctor::resolver {

enum class AddressClass {
  global,         // ordinary public unicast
  loopback,       // 127/8, ::1
  private_net,    // 10/8, 172.16/12, 192.168/16 (RFC 1918), fc00::/7 (RFC 4193)
  link_local,     // 169.254/16, fe80::/10
  cgnat,          // 100.64/10 (RFC 6598)
  multicast,      // 224/4, ff00::/8
  unspecified,    // 0.0.0.0/8, ::
  documentation,  // 192.0.2/24, 198.51.100/24, 203.0.113/24 (RFC 5737), 2001:db8::/32 (RFC 3849)
  reserved,       // 240/4 and 255.255.255.255, IPv4-mapped ::ffff:0:0/96 of a non-global address
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
