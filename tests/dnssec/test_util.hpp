// Helpers for the dnssec tests: records from zone text, RRsets and their RRSIGs out of them.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "dnssec/status.hpp"
#include "wire/zonefile.hpp"

namespace dkimdoctor::dnssec::test {

inline std::vector<wire::Record> zone(std::string_view text) {
  auto records = wire::parse_zone_text(text);
  EXPECT_TRUE(records.ok()) << (records.ok() ? "" : wire::to_string(records.error()));
  return records.ok() ? *records : std::vector<wire::Record>{};
}

inline wire::Name name(std::string_view text) {
  auto n = wire::Name::parse(text);
  EXPECT_TRUE(n.ok()) << text;
  return n.ok() ? *n : wire::Name();
}

// The RRset (owner, type) among `records`; an empty one when there is none.
inline RRset rrset(const std::vector<wire::Record>& records, std::string_view owner, wire::RRType type) {
  const wire::Name o = name(owner);
  for (auto& s : group_rrsets(records))
    if (s.owner == o && s.type == type) return s;
  return RRset{o, type, wire::RRClass::IN, 0, {}};
}

inline std::vector<wire::rdata::Rrsig> sigs(const std::vector<wire::Record>& records, std::string_view owner,
                                            wire::RRType type) {
  return rrsigs_for(records, name(owner), wire::RRClass::IN, type);
}

// Seconds since 1970 for a UTC YYYYMMDDHHmmSS, as an RRSIG time.
std::uint32_t rrsig_time(std::string_view text);

}  // namespace dkimdoctor::dnssec::test
