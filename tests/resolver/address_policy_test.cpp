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
    {"fec0::1", AddressClass::global},  // deprecated site-local, not fe80::/10
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
