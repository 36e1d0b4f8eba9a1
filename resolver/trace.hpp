// The trace: every step a resolution or a probe took, in order, sub-resolutions included (marked by
// depth). It is a product feature: the CLI prints it like `dig +trace` and the diagnosis reads it.
#pragma once

#include <asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "resolver/address_policy.hpp"
#include "resolver/transport.hpp"
#include "wire/message.hpp"
#include "wire/name.hpp"
#include "wire/types.hpp"

namespace dkimdoctor::resolver {

// What a scrubbed reply means for the question asked (Unbound's response types).
enum class Classification : std::uint8_t {
  answer,     // the RRset asked for (possibly at the end of a CNAME/DNAME chain)
  cname,      // a CNAME/DNAME chain that leaves this zone: continue at its target
  referral,   // a delegation to a child zone
  nodata,     // the name exists, the type does not
  nxdomain,   // the name does not exist
  yxdomain,   // a DNAME substitution made a name too long (RFC 6672 §2.2): the DNAME is the answer
  lame,       // the server is not authoritative here (REFUSED, upward referral, non-AA empty reply)
  throwaway,  // nothing usable (SERVFAIL, FORMERR, junk)
};
const char* to_string(Classification c);

enum class StepKind : std::uint8_t {
  query,        // a question sent to a server (or coalesced with an identical outstanding one)
  cache,        // answered from the cache
  subresolution,// a sub-resolution starts (glueless NS address)
  policy,       // an address refused by the address policy
  note,         // anything else worth showing (priming, limits, loops)
};

struct TraceStep {
  StepKind kind = StepKind::query;
  int depth = 0;                   // 0 = the resolution asked for, 1+ = nested sub-resolutions
  wire::Name zone;                 // the zone cut being asked
  wire::Name server_name;          // NS name of the server ("." when it came from root hints)
  std::optional<asio::ip::address> address;
  wire::Question question;
  // Query steps only:
  Protocol protocol = Protocol::udp;
  bool edns = true;
  bool coalesced = false;
  TransportError error = TransportError::none;
  std::optional<wire::Rcode> rcode;
  std::uint16_t flags = 0;         // header flags word of the reply
  std::optional<Classification> classification;
  std::chrono::microseconds rtt{0};
  int mismatched = 0;              // datagrams rejected by ID/question/case matching
  int scrubbed = 0;                // records dropped by the scrubber (out of bailiwick, unrelated)
  std::string note;                // human summary ("referral to example. (2 NS, 2 glue)")
};

// A server address the address policy refused to query.
struct RefusedAddress {
  wire::Name zone;
  wire::Name ns_name;
  asio::ip::address address;
  AddressClass address_class = AddressClass::global;
  bool operator==(const RefusedAddress&) const = default;
};

// The step of one exchange with one server: what every query step records, for resolutions and probes.
inline TraceStep exchange_step(const wire::Name& zone, const wire::Name& server_name, const asio::ip::address& address,
                               const wire::Question& question, const ExchangeResult& x) {
  TraceStep s;
  s.kind = StepKind::query;
  s.zone = zone;
  s.server_name = server_name;
  s.address = address;
  s.question = question;
  s.protocol = x.protocol;
  s.edns = x.edns;
  s.coalesced = x.coalesced;
  s.error = x.error;
  s.rtt = x.rtt;
  s.mismatched = x.mismatched;
  return s;
}

}  // namespace dkimdoctor::resolver
