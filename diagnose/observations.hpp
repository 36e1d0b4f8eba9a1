// What the resolver saw, as plain data. The check library (check/observe.cpp) fills these from the
// resolver's authority probe and resolutions; unit tests build them by hand. Nothing here knows about
// sockets or time beyond numbers already measured.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/message.hpp"
#include "wire/name.hpp"
#include "wire/types.hpp"

namespace dkimdoctor::diagnose {

// Where a lookup is asked: through a full iterative resolution (as SES does), or at every authoritative
// server of the zone holding the name (each NS name, each address, RD=0).
enum class Scope : std::uint8_t { iterative, authoritative };

struct Lookup {
  wire::Name name;
  wire::RRType type = wire::RRType::TXT;
  Scope scope = Scope::iterative;
  // Type and scope first: they are one compare each, and many lookups of a check share a name's length
  // (a domain's DKIM names), which makes a name compare read to the end.
  bool operator==(const Lookup& o) const { return type == o.type && scope == o.scope && name == o.name; }
};
std::string to_string(const Lookup& lookup);  // "x._domainkey.example.com. CNAME (every authoritative server)"

// DNSSEC status of an answer, as the validating resolver found it (issue 14). `unchecked`: validation off
// or no trust anchor; the other values are RFC 4033 §5's.
enum class Security : std::uint8_t { unchecked, secure, insecure, bogus, indeterminate };
std::string_view to_string(Security s) noexcept;  // "unchecked", "secure", ...

struct SecurityResult {
  Security status = Security::unchecked;
  std::string reason;                     // dnssec::to_string(Reason): "signature expired", "no matching DNSKEY", ... (the judge also reads "no_matching_dnskey")
  wire::Name zone;                        // the zone that decided (signer, or where the chain broke / went insecure)
  std::uint16_t key_tag = 0;              // evidence: the deciding RRSIG or DS
  std::uint8_t algorithm = 0;
  std::uint32_t inception = 0, expiration = 0;  // the deciding RRSIG's window (seconds since 1970 mod 2^32)
  std::uint32_t earliest_expiration = 0;  // soonest expiration the secure answer rests on (0: none)
  std::string detail;                     // one sentence from the validator
};

// The end of one iterative resolution.
struct IterativeResult {
  bool complete = false;                  // false: no usable answer (all servers failed, limits, loops)
  wire::Rcode rcode = wire::Rcode::NoError;
  std::vector<wire::Record> answer;       // CNAME chain records first, then the final RRset
  std::string error;                      // why it is incomplete ("all servers timed out")
  SecurityResult security;                // DNSSEC status of the answer (bogus: validating resolvers answer SERVFAIL)
};

enum class Transport : std::uint8_t { udp, tcp };

// One authoritative server address asked one question.
struct ServerAnswer {
  wire::Name ns_name;
  std::string address;                    // "127.53.1.1" or "::1"
  bool queried = true;                    // false: refused by address policy (private/unroutable)
  // This host could not send to the address at all (no IPv6, no route): not checked from here, and not
  // the domain's fault (see ServerStatus::unreachable_from_host).
  bool unreachable_from_host = false;
  bool responded = false;                 // a reply arrived (on the final transport)
  std::string error;                      // "timeout", "connection refused", ... when !responded
  Transport transport = Transport::udp;   // transport of the final reply
  bool truncated_udp = false;             // the UDP reply had TC=1, so TCP was tried
  wire::Rcode rcode = wire::Rcode::NoError;
  bool aa = false;
  std::vector<wire::Record> answer;
  std::vector<wire::Record> authority;
  std::vector<wire::Record> dnssec;       // RRSIG, NSEC, NSEC3 records of the reply (both sections), kept apart
  std::uint32_t rtt_ms = 0;
};

struct LookupResult {
  Lookup lookup;
  std::optional<IterativeResult> iterative;  // set for Scope::iterative
  std::vector<ServerAnswer> servers;         // set for Scope::authoritative
  wire::Name zone;                           // the zone whose servers were asked (authoritative scope)
};

// One authoritative server address of the identity's zone, asked for the zone's SOA.
struct ServerStatus {
  wire::Name ns_name;
  std::string address;
  bool private_address = false;   // refused by policy: never queried
  // The local stack refused to send there at once (ENETUNREACH, EADDRNOTAVAIL, ...): the checking host has
  // no route to this address family or network. Such a server is "not checked from this host", never
  // reported against the domain; the domain is judged on the servers that could be asked.
  bool unreachable_from_host = false;
  bool responded = false;
  std::string error;
  wire::Rcode rcode = wire::Rcode::NoError;
  bool aa = false;
  std::optional<std::uint32_t> serial;  // SOA serial this server serves
};

struct Delegation {
  bool complete = false;           // false: the delegation could not be walked (timeouts at the parent)
  std::string error;
  wire::Name zone;                 // the zone holding the identity's domain
  wire::Name parent;               // the zone that delegates it
  bool not_delegated = false;      // the parent says NXDOMAIN for the domain (and no zone above holds it)
  std::vector<wire::Name> parent_ns;  // NS set in the parent's referral
  std::vector<wire::Name> zone_ns;    // NS set the zone itself serves at its apex
  std::vector<std::string> nameservers_without_address;  // NS names that resolved to no address at all
  std::vector<ServerStatus> servers;
  std::optional<std::uint32_t> soa_ttl;       // TTL of the SOA record
  std::optional<std::uint32_t> soa_minimum;   // SOA MINIMUM field
};

// What a per-server DNSSEC check needs: the zone's DNSKEY set as the validating resolver trusted it. The
// judge validates each server's answer (ServerAnswer::dnssec) with these keys at `now`, sans I/O.
struct DnssecContext {
  bool validating = false;                // false: validation off or no trust anchor (nothing DNSSEC is judged)
  std::uint32_t now = 0;                  // validation time, seconds since 1970 mod 2^32
  wire::Name zone;                        // the identity's zone
  SecurityResult keys;                    // status of the zone's DNSKEY RRset (secure, insecure: unsigned, bogus: e.g. stale DS)
  std::vector<wire::Record> dnskeys;      // the zone's DNSKEY RRset (trusted only when keys.status is secure)
};

struct Observations {
  Delegation delegation;
  DnssecContext dnssec;
  std::vector<LookupResult> lookups;

  const LookupResult* find(const Lookup& lookup) const;
  const LookupResult* find(const wire::Name& name, wire::RRType type, Scope scope) const;
};

}  // namespace dkimdoctor::diagnose
