#include "resolver/shared_replies.hpp"

#include <algorithm>

namespace dkimdoctor::resolver {
const ExchangeResult* SharedReplies::find(const ExchangeRequest& request) const {
  const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) {
    // wire::Name's == ignores ASCII case (RFC 4343), as Transport's coalescing does.
    return e.server == request.server && e.qtype == request.qtype && e.rd == request.rd && e.qname == request.qname;
  });
  return it == entries_.end() ? nullptr : &it->result;
}

void SharedReplies::keep(const ExchangeRequest& request, const ExchangeResult& result) {
  if (result.error != TransportError::none || find(request)) return;
  entries_.push_back(Entry{request.server, request.qname, request.qtype, request.rd, result});
}

bool SharedReplies::reuse(const ExchangeRequest& request, ExchangeResult& out) {
  const ExchangeResult* kept = find(request);
  if (kept == nullptr) return false;
  ++hits_;
  out = *kept;
  out.coalesced = true;
  out.queries_sent = 0;
  out.mismatched = 0;
  return true;
}

}  // namespace dkimdoctor::resolver
