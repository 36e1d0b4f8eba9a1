// The replies one check has received, shared by its other questions (issue 16). The authority probe asks
// every server of a zone the check's questions; the iterative resolutions of the same check then ask one
// of those servers the same questions again, and every probe step asks each server the zone's SOA and NS
// again. With a SharedReplies given to Resolver::resolve() and Resolver::probe(), a question a server
// already answered within the check (same address, name compared case-insensitively, type, RD=0) is
// answered from that reply instead of being sent again: Resolver passes it to Transport::exchange().
//
// Why this keeps RFC 5452's defences: only replies the Transport accepted are kept (every one matched a
// query of ours with a fresh random port, ID and 0x20 case, as always), and only for the identical question
// to the identical server, within one check: this is Transport's coalescing of identical outstanding
// queries extended to replies that already arrived. Nothing is shared across checks (the cache is what
// does that, with TTLs and scrubbing). Failed exchanges (timeouts, TCP resets) are not kept: they are
// asked again, as before. Memory: one check's replies, freed with the check.
#pragma once

#include <vector>

#include "resolver/transport.hpp"

namespace dkimdoctor::resolver {

class SharedReplies {
 public:
  // The reply already received for `request`'s question from its server, or nullptr.
  const ExchangeResult* find(const ExchangeRequest& request) const;
  // True, with `out` a copy of the reply already received for `request`'s question as an identical
  // outstanding query's (queries_sent 0, `coalesced` set), counted in hits(); false when there is none.
  bool reuse(const ExchangeRequest& request, ExchangeResult& out);
  // Keeps `result` for later askers of `request`'s question when it is a reply (error none).
  void keep(const ExchangeRequest& request, const ExchangeResult& result);
  std::size_t size() const { return entries_.size(); }
  int hits() const { return hits_; }

 private:
  struct Entry {
    asio::ip::udp::endpoint server;
    wire::Name qname;
    wire::RRType qtype;
    bool rd;
    ExchangeResult result;
  };
  std::vector<Entry> entries_;  // a check asks a few dozen questions: a linear search is the cheapest
  int hits_ = 0;
};

}  // namespace dkimdoctor::resolver
