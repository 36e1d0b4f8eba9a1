// The decisions of query_cut (resolver.cpp), kept apart from the I/O that carries them out, like
// classify() beside scrub(): what to do next with a zone cut, and what a server's reply means for it.
// Pure functions of small facts, so every rule has a row in tests/resolver/cut_step_test.cpp.
#pragma once

#include <cstdint>

#include "resolver/classify.hpp"
#include "resolver/transport.hpp"

namespace dkimdoctor::resolver {

// The state of a cut before the next try (query_cut computes it from the Cut and the Context).
struct CutState {
  bool nothing_left = false;      // no live address has tries left for this question
  bool only_retries = false;      // every address still to be asked was asked already
  bool only_silent = false;       // every address still to be asked timed out lately
  bool unresolved_ns = false;     // glueless NS names not looked up yet
  bool fallback_pending = false;  // the parent-side fallback has not run since the last NS lookup
  bool have_empty_reply = false;  // an empty authoritative reply is kept as the last resort
  bool have_recursive_lame = false;  // a recursive-lame reply is kept, read as authoritative
  bool budget_spent = false;      // the resolution's query budget is used up
};

enum class CutStep : std::uint8_t {
  look_up_ns,          // resolve a glueless NS name (lazily: only when nothing better is left to ask)
  try_fallback,        // add the parent side's servers (iter_pcdiff); decide again if none was added
  use_empty_reply,     // nothing left: the first empty reply stands as NODATA (iter_ignore_empty)
  use_recursive_lame,  // nothing left: the first recursive-lame reply (iter_reclame_two)
  give_up,             // nothing left: the cut failed
  out_of_queries,      // the query budget is spent
  ask,                 // ask the next server
};
const char* to_string(CutStep s);
CutStep next_cut_step(const CutState& s);

// What one exchange with one server of the cut brought.
struct ReplyFacts {
  TransportError error = TransportError::none;
  bool parsed = true;                  // the reply parsed as a DNS message
  Classification kind = Classification::answer;
  bool empty = false;                  // no answer and no authority records
};

enum class ReplyStep : std::uint8_t {
  out_of_queries,  // a fallback inside the exchange would have gone over the budget: the resolution stops
  retry_later,     // timed out: back off this address, it may be asked again
  drop_server,     // transport failure (network, TCP, case mismatch, ...): not asked again here
  drop_malformed,  // the reply did not parse: not asked again here
  keep_as_empty,   // empty NODATA: not asked again; kept in case no server answers better
  drop_lame,       // lame or throwaway: not asked again here
  accept,          // a usable reply for the caller
};
const char* to_string(ReplyStep s);
ReplyStep reply_step(const ReplyFacts& r);

}  // namespace dkimdoctor::resolver
