#include "resolver/cut_step.hpp"

namespace dkimdoctor::resolver {

const char* to_string(CutStep s) {
  switch (s) {
    case CutStep::look_up_ns: return "look_up_ns";
    case CutStep::try_fallback: return "try_fallback";
    case CutStep::use_empty_reply: return "use_empty_reply";
    case CutStep::use_recursive_lame: return "use_recursive_lame";
    case CutStep::give_up: return "give_up";
    case CutStep::out_of_queries: return "out_of_queries";
    case CutStep::ask: return "ask";
  }
  return "unknown";
}

CutStep next_cut_step(const CutState& s) {
  // Look up a glueless NS name when nothing is left to ask, before asking a server a second time
  // (a fresh server is a better retry than the same one), or before asking only servers that have
  // just timed out (Unbound too fetches more targets when no server is in its selection band).
  // Lookups stay lazy, so a delegation with good glue never costs extra queries: NXNSAttack.
  if ((s.nothing_left || s.only_retries || s.only_silent) && s.unresolved_ns) return CutStep::look_up_ns;
  if (s.nothing_left) {
    // Again after lookups: a name found by one may need its own parent's glue (iter_pcnamechrec).
    if (s.fallback_pending) return CutStep::try_fallback;
    if (s.have_empty_reply) return CutStep::use_empty_reply;
    if (s.have_recursive_lame) return CutStep::use_recursive_lame;
    return CutStep::give_up;
  }
  if (s.budget_spent) return CutStep::out_of_queries;
  return CutStep::ask;
}

const char* to_string(ReplyStep s) {
  switch (s) {
    case ReplyStep::out_of_queries: return "out_of_queries";
    case ReplyStep::retry_later: return "retry_later";
    case ReplyStep::drop_server: return "drop_server";
    case ReplyStep::drop_malformed: return "drop_malformed";
    case ReplyStep::keep_as_empty: return "keep_as_empty";
    case ReplyStep::drop_lame: return "drop_lame";
    case ReplyStep::accept: return "accept";
  }
  return "unknown";
}

ReplyStep reply_step(const ReplyFacts& r) {
  if (r.error == TransportError::budget) return ReplyStep::out_of_queries;
  if (r.error == TransportError::timeout) return ReplyStep::retry_later;
  if (r.error != TransportError::none) return ReplyStep::drop_server;
  if (!r.parsed) return ReplyStep::drop_malformed;
  // A reply with nothing in it (AA, NOERROR, no SOA): as Unbound, ask the other servers first
  // (iter_ignore_empty; a zone whose servers disagree); when none answers better, it is NODATA.
  if (r.kind == Classification::nodata && r.empty) return ReplyStep::keep_as_empty;
  if (r.kind == Classification::lame || r.kind == Classification::throwaway) return ReplyStep::drop_lame;
  return ReplyStep::accept;
}

}  // namespace dkimdoctor::resolver
