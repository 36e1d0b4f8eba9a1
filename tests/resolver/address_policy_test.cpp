// Address policy: a spec table of addresses and the class each belongs to, and what the default and
// allow_loopback policies permit.
#include <gtest/gtest.h>

#include "resolver/address_policy.hpp"

namespace dkimdoctor::resolver {
namespace {

struct Case {
  const char* address;
  AddressClass cls;
};

constexpr Case kCases[] = {
    {"192.0.1.1", AddressClass::global},
    {"8.8.8.8", AddressClass::global},
    {"2001:4860:4860::8888", AddressClass::global},
    {"127.0.0.1", AddressClass::loopback},
    {"127.53.0.1", AddressClass::loopback},
    {"::1", AddressClass::loopback},
    {"10.0.0.1", AddressClass::private_net},
    {"10.255.255.255", AddressClass::private_net},
    {"172.16.0.1", AddressClass::private_net},
    {"172.31.255.254", AddressClass::private_net},
    {"172.32.0.1", AddressClass::global},  // just outside 172.16/12
    {"172.15.255.255", AddressClass::global},
    {"192.168.1.1", AddressClass::private_net},
    {"fc00::1", AddressClass::private_net},
    {"fdff:ffff::1", AddressClass::private_net},
    {"169.254.1.1", AddressClass::link_local},
    {"fe80::1", AddressClass::link_local},
    {"febf::1", AddressClass::link_local},
    {"fec0::1", AddressClass::reserved},  // deprecated site-local (RFC 3879), not fe80::/10
    {"100.64.0.1", AddressClass::cgnat},
    {"100.127.255.255", AddressClass::cgnat},
    {"100.128.0.1", AddressClass::global},
    {"224.0.0.1", AddressClass::multicast},
    {"239.255.255.255", AddressClass::multicast},
    {"ff02::1", AddressClass::multicast},
    {"0.0.0.0", AddressClass::unspecified},
    {"0.1.2.3", AddressClass::unspecified},
    {"::", AddressClass::unspecified},
    {"192.0.2.1", AddressClass::documentation},
    {"198.51.100.7", AddressClass::documentation},
    {"203.0.113.255", AddressClass::documentation},
    {"2001:db8::53", AddressClass::documentation},
    {"240.0.0.1", AddressClass::reserved},
    {"255.255.255.255", AddressClass::reserved},
    {"::ffff:10.0.0.1", AddressClass::reserved},   // IPv4-mapped private: refused, and not "loopback"
    {"::ffff:127.0.0.1", AddressClass::reserved},  // allow_loopback must not open this
    {"::ffff:8.8.8.8", AddressClass::global},
    // Issue 18: every range of the IANA special-purpose registries that is not globally reachable,
    // and the translated forms judged by the IPv4 address they carry.
    {"198.18.0.1", AddressClass::benchmarking},
    {"198.19.255.255", AddressClass::benchmarking},
    {"198.20.0.1", AddressClass::global},
    {"192.0.0.1", AddressClass::special_purpose},
    {"192.0.0.9", AddressClass::special_purpose},  // PCP anycast: globally reachable, but no DNS there
    {"192.88.99.1", AddressClass::special_purpose},
    {"192.31.196.1", AddressClass::global},  // AS112
    {"192.175.48.6", AddressClass::global},  // AS112 direct delegation
    {"100::1", AddressClass::special_purpose},
    {"100::1:0:0:1", AddressClass::special_purpose},
    {"64:ff9b::10.0.0.1", AddressClass::translated},
    {"64:ff9b::127.0.0.1", AddressClass::translated},  // never "loopback"
    {"64:ff9b::192.0.2.1", AddressClass::translated},
    {"64:ff9b::8.8.8.8", AddressClass::global},
    {"64:ff9b:1::1", AddressClass::special_purpose},
    {"2002:0a00:0001::1", AddressClass::translated},  // 6to4 of 10.0.0.1
    {"2002:c0a8:0101::1", AddressClass::translated},  // 6to4 of 192.168.1.1
    {"2002:0808:0808::1", AddressClass::global},      // 6to4 of 8.8.8.8
    {"::10.0.0.1", AddressClass::reserved},           // IPv4-compatible (deprecated)
    {"::8.8.8.8", AddressClass::reserved},
    {"::2", AddressClass::reserved},
    {"fec0::53", AddressClass::reserved},
    {"feff::1", AddressClass::reserved},
    {"3fff::1", AddressClass::documentation},
    {"3fff:0fff::1", AddressClass::documentation},
    {"3fff:1000::1", AddressClass::global},  // just outside 3fff::/20
    {"2001::1", AddressClass::special_purpose},  // Teredo
    {"2001:2::1", AddressClass::benchmarking},
    {"2001:10::1", AddressClass::special_purpose},  // deprecated ORCHID
    {"2001:4:112::1", AddressClass::global},        // AS112-v6
    {"2001:1::1", AddressClass::global},
    {"2001:200::1", AddressClass::global},  // first address after 2001::/23
    {"5f00::1", AddressClass::special_purpose},
    {"4000::1", AddressClass::reserved},  // outside 2000::/3
    {"c000::1", AddressClass::reserved},
    {"2620:4f:8000::1", AddressClass::global},  // AS112 direct delegation
};

TEST(AddressPolicy, ClassifiesEveryRange) {
  for (const auto& c : kCases) {
    EXPECT_EQ(classify_address(asio::ip::make_address(c.address)), c.cls) << c.address;
  }
}

TEST(AddressPolicy, DefaultPermitsOnlyGlobal) {
  AddressPolicy policy;
  for (const auto& c : kCases) {
    EXPECT_EQ(policy.permits(asio::ip::make_address(c.address)), c.cls == AddressClass::global) << c.address;
  }
}

TEST(AddressPolicy, AllowLoopbackOpensOnly127And1) {
  AddressPolicy policy;
  policy.allow_loopback = true;
  for (const auto& c : kCases) {
    const bool expected = c.cls == AddressClass::global || c.cls == AddressClass::loopback;
    EXPECT_EQ(policy.permits(asio::ip::make_address(c.address)), expected) << c.address;
  }
}

}  // namespace
}  // namespace dkimdoctor::resolver
