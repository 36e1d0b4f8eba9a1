#include "wire/types.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace dkimdoctor::wire {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
    if (x != y) return false;
  }
  return true;
}

// "<prefix><decimal 0..max>", prefix matched case-insensitively.
std::optional<std::uint32_t> prefixed_number(std::string_view text, std::string_view prefix, std::uint32_t max) {
  if (text.size() <= prefix.size() || !iequals(text.substr(0, prefix.size()), prefix)) return std::nullopt;
  text.remove_prefix(prefix.size());
  if (text.size() > 5) return std::nullopt;
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v > max) return std::nullopt;
  return v;
}

constexpr std::array<std::pair<RRType, const char*>, 19> kTypeNames{{
    {RRType::A, "A"}, {RRType::NS, "NS"}, {RRType::CNAME, "CNAME"}, {RRType::SOA, "SOA"},
    {RRType::PTR, "PTR"}, {RRType::MX, "MX"}, {RRType::TXT, "TXT"}, {RRType::AAAA, "AAAA"},
    {RRType::SRV, "SRV"}, {RRType::DNAME, "DNAME"}, {RRType::OPT, "OPT"}, {RRType::DS, "DS"},
    {RRType::RRSIG, "RRSIG"}, {RRType::NSEC, "NSEC"}, {RRType::DNSKEY, "DNSKEY"},
    {RRType::NSEC3, "NSEC3"}, {RRType::NSEC3PARAM, "NSEC3PARAM"}, {RRType::ANY, "ANY"},
    {RRType::CAA, "CAA"},
}};

constexpr std::array<std::pair<Rcode, const char*>, 12> kRcodeNames{{
    {Rcode::NoError, "NOERROR"}, {Rcode::FormErr, "FORMERR"}, {Rcode::ServFail, "SERVFAIL"},
    {Rcode::NXDomain, "NXDOMAIN"}, {Rcode::NotImp, "NOTIMP"}, {Rcode::Refused, "REFUSED"},
    {Rcode::YXDomain, "YXDOMAIN"}, {Rcode::YXRRSet, "YXRRSET"}, {Rcode::NXRRSet, "NXRRSET"},
    {Rcode::NotAuth, "NOTAUTH"}, {Rcode::NotZone, "NOTZONE"}, {Rcode::BadVers, "BADVERS"},
}};

}  // namespace

std::string to_string(RRType type) {
  for (const auto& [t, n] : kTypeNames)
    if (t == type) return n;
  return "TYPE" + std::to_string(static_cast<unsigned>(type));
}

std::optional<RRType> parse_rrtype(std::string_view text) {
  for (const auto& [t, n] : kTypeNames)
    if (iequals(text, n)) return t;
  if (auto v = prefixed_number(text, "TYPE", 65535)) return static_cast<RRType>(*v);
  return std::nullopt;
}

std::string to_string(RRClass cls) {
  switch (cls) {
    case RRClass::IN: return "IN";
    case RRClass::CH: return "CH";
    case RRClass::ANY: return "ANY";
  }
  if (static_cast<unsigned>(cls) == 4) return "HS";
  if (static_cast<unsigned>(cls) == 254) return "NONE";
  return "CLASS" + std::to_string(static_cast<unsigned>(cls));
}

std::optional<RRClass> parse_rrclass(std::string_view text) {
  if (iequals(text, "IN")) return RRClass::IN;
  if (iequals(text, "CH")) return RRClass::CH;
  if (iequals(text, "ANY")) return RRClass::ANY;
  if (iequals(text, "HS")) return static_cast<RRClass>(4);
  if (iequals(text, "NONE")) return static_cast<RRClass>(254);
  if (auto v = prefixed_number(text, "CLASS", 65535)) return static_cast<RRClass>(*v);
  return std::nullopt;
}

std::string to_string(Rcode rcode) {
  for (const auto& [r, n] : kRcodeNames)
    if (r == rcode) return n;
  return "RCODE" + std::to_string(static_cast<unsigned>(rcode));
}

std::optional<Rcode> parse_rcode(std::string_view text) {
  for (const auto& [r, n] : kRcodeNames)
    if (iequals(text, n)) return r;
  if (auto v = prefixed_number(text, "RCODE", 4095)) return static_cast<Rcode>(*v);
  return std::nullopt;
}

std::string to_string(Opcode opcode) {
  switch (opcode) {
    case Opcode::Query: return "QUERY";
    case Opcode::IQuery: return "IQUERY";
    case Opcode::Status: return "STATUS";
    case Opcode::Notify: return "NOTIFY";
    case Opcode::Update: return "UPDATE";
  }
  return "OPCODE" + std::to_string(static_cast<unsigned>(opcode));
}

const char* to_string(Section section) {
  switch (section) {
    case Section::Question: return "QUESTION";
    case Section::Answer: return "ANSWER";
    case Section::Authority: return "AUTHORITY";
    case Section::Additional: return "ADDITIONAL";
  }
  return "?";
}

}  // namespace dkimdoctor::wire
