// DNS numeric registries as open enums. Every uint16 value is a valid RRType/RRClass: an unknown one
// round-trips through text as TYPEnnn / CLASSnnn (RFC 3597 §5), so nothing is lost on unknown input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dkimdoctor::wire {

// Resource record TYPE (RFC 1035 §3.2.2 and the IANA registry). Open: any uint16 value is allowed.
enum class RRType : std::uint16_t {
  A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SRV = 33, DNAME = 39,
  OPT = 41, DS = 43, RRSIG = 46, NSEC = 47, DNSKEY = 48, NSEC3 = 50, NSEC3PARAM = 51, ANY = 255,
  CAA = 257,
};

// CLASS (RFC 1035 §3.2.4). Open like RRType.
enum class RRClass : std::uint16_t { IN = 1, CH = 3, ANY = 255 };

// RCODE, 12 bits once combined with the OPT extended RCODE (RFC 6891 §6.1.3).
enum class Rcode : std::uint16_t {
  NoError = 0, FormErr = 1, ServFail = 2, NXDomain = 3, NotImp = 4, Refused = 5, YXDomain = 6,
  YXRRSet = 7, NXRRSet = 8, NotAuth = 9, NotZone = 10, BadVers = 16,
};

// OPCODE, 4 bits (RFC 1035 §4.1.1, RFC 1996, RFC 2136).
enum class Opcode : std::uint8_t { Query = 0, IQuery = 1, Status = 2, Notify = 4, Update = 5 };

enum class Section : std::uint8_t { Question, Answer, Authority, Additional };

// Mnemonic ("A", "NSEC3PARAM") or "TYPE65280" for types without one.
std::string to_string(RRType type);
// Case-insensitive; accepts mnemonics and TYPEnnn (0..65535).
std::optional<RRType> parse_rrtype(std::string_view text);

// "IN", "CH", "ANY" or "CLASSnnn".
std::string to_string(RRClass cls);
std::optional<RRClass> parse_rrclass(std::string_view text);

// "NOERROR", "NXDOMAIN", ... or "RCODEnnn".
std::string to_string(Rcode rcode);
std::optional<Rcode> parse_rcode(std::string_view text);

// "QUERY", "NOTIFY", ... or "OPCODEnn".
std::string to_string(Opcode opcode);

// "QUESTION", "ANSWER", "AUTHORITY", "ADDITIONAL".
const char* to_string(Section section);

}  // namespace dkimdoctor::wire
