// Scrub, then classify: the two pure functions at the heart of iteration (after Unbound's scrubber
// and response-type logic). Neither does I/O, so every rule has a table test.
//
// scrub() turns a parsed reply from a server of zone `zone` into owned records, keeping only what
// that server may speak for (RFC 2181 §5.4.1 ranking, "bailiwick"):
//   answer      the chain that starts at the question name: RRsets of the asked type, CNAMEs and
//               DNAMEs, each owned by a name in `zone`; a chain link whose target leaves `zone` ends
//               it (the records for the target must come from the target's own servers);
//   authority   an SOA of an ancestor of the question (negative answers) and NS RRsets of the
//               question name or an ancestor, inside `zone`;
//   additional  A/AAAA of the NS names just kept, inside `zone` (glue); nothing else.
// Everything else (unrelated answers, out-of-bailiwick glue, records for other zones) is dropped and
// counted, so no poisoning attempt ever reaches the cache.
//
// classify() then names what the scrubbed reply means for the question (see Classification).
#pragma once

#include <asio/ip/address.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "resolver/trace.hpp"
#include "wire/message.hpp"

namespace dkimdoctor::resolver {

struct ScrubbedReply {
  wire::Header header;
  wire::Rcode rcode = wire::Rcode::NoError;
  std::vector<wire::Record> answer, authority, additional;
  // DNSSEC records (issue 14), kept apart so that answer/authority hold what they held before: the RRSIGs
  // covering a kept answer RRset or the kept SOA (from any section: a server may put an answer's RRSIG in
  // the additional section), and the NSEC/NSEC3 records of the authority section owned inside `zone` with
  // their RRSIGs (at most kMaxDenialRecordsKept). Scrubbed by bailiwick like the data.
  std::vector<wire::Record> dnssec;
  // A signed referral's DS RRset (RFC 4035 §3.1.4): the authority section's DS records owned strictly below
  // `zone`, and the RRSIGs covering them (at most kMaxReferralDsKept). The validator then need not ask the
  // parent again for what its referral already said; the DS is still validated with the parent's keys.
  std::vector<wire::Record> referral_ds;
  int dropped = 0;  // records removed by the scrubber
  bool upward_ns = false;  // the authority had an NS RRset of an ancestor of the zone (dropped): an upward referral
};

ScrubbedReply scrub(const wire::MessageView& reply, const wire::Question& question, const wire::Name& zone);

// The RRSIG, NSEC and NSEC3 records of `reply` (both sections, unscrubbed): the probe's ServerResponse::dnssec.
bool is_dnssec_type(wire::RRType type) noexcept;
// The type an RRSIG in a reply covers, read from its RDATA's first two octets without copying the record
// out (so that a signature nobody keeps is never parsed); nullopt when it is not an IN RRSIG or too short.
std::optional<wire::RRType> rrsig_covered(const wire::RecordView& rv) noexcept;

struct Glue {
  wire::Name name;
  asio::ip::address address;
  bool operator==(const Glue&) const = default;
};

struct Classified {
  Classification kind = Classification::throwaway;
  // answer / cname / nxdomain / nodata: the chain (CNAMEs, DNAME-synthesised CNAMEs with their
  // DNAMEs) followed by the final RRset, in order.
  std::vector<wire::Record> records;
  wire::Name next_name;               // cname: where the chain continues
  int chain_links = 0;                // CNAME/DNAME links in `records`
  wire::Name child_zone;              // referral
  std::vector<wire::Name> ns_names;   // referral: at most kMaxNsPerDelegation, in reply order
  std::uint32_t ns_ttl = 0;           // referral: TTL of the NS RRset
  std::vector<Glue> glue;             // referral: in-bailiwick addresses of ns_names
  std::optional<wire::Record> soa;    // nxdomain / nodata
  std::vector<wire::Record> dnssec;   // answer / cname / nxdomain / nodata: ScrubbedReply::dnssec
  std::vector<wire::Record> child_ds; // referral: the DS records of child_zone and their RRSIGs, as the referral gave them
  // referral without DS for child_zone: the NSEC/NSEC3 records and their RRSIGs it gave (ScrubbedReply::dnssec,
  // owned in the parent zone), the proof that the child has no DS; at most kMaxReferralNoDsProofKept
  std::vector<wire::Record> child_no_ds;
  std::string reason;                 // lame / throwaway: why
  bool recursive_lame = false;        // lame because RA without AA (a recursive server's cached data)
};

Classified classify(const ScrubbedReply& reply, const wire::Question& question, const wire::Name& zone);

// RFC 2308 §5: the negative TTL is the smaller of the SOA's own TTL and its MINIMUM field.
std::uint32_t negative_ttl(const wire::Record& soa);

// DNAME substitution (RFC 6672 §2.2): `name` with suffix `owner` replaced by `target`. Fails when
// the result would exceed 255 octets.
std::optional<wire::Name> dname_substitute(const wire::Name& name, const wire::Name& owner, const wire::Name& target);

}  // namespace dkimdoctor::resolver
