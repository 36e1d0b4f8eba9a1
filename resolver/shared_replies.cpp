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

asio::awaitable<ExchangeResult> exchange_shared(Transport& transport, SharedReplies* replies, ExchangeRequest request) {
  if (replies && !transport.stopped()) {
    if (const ExchangeResult* kept = replies->find(request)) {
      ++replies->hits_;
      ExchangeResult r = *kept;
      r.coalesced = true;
      r.queries_sent = 0;
      r.mismatched = 0;
      co_return r;
    }
  }
  ExchangeResult r = co_await transport.exchange(request);
  if (replies) replies->keep(request, r);
  co_return r;
}

}  // namespace dkimdoctor::resolver
