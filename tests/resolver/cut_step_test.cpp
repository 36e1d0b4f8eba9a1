// next_cut_step() and reply_step(): query_cut's decisions as spec tables. No I/O.
#include <gtest/gtest.h>

#include "resolver/cut_step.hpp"

namespace dkimdoctor::resolver {
namespace {

struct CutRow {
  const char* name;
  CutState state;
  CutStep expect;
};

CutState S(std::initializer_list<bool CutState::*> set) {
  CutState s;
  for (auto m : set) s.*m = true;
  return s;
}

using C = CutState;
const CutRow kCutRows[] = {
    {"fresh servers: ask", S({}), CutStep::ask},
    {"fresh servers and a glueless name: ask first (lazy lookups, NXNSAttack)", S({&C::unresolved_ns}), CutStep::ask},
    {"only retries left and a glueless name: look it up", S({&C::only_retries, &C::unresolved_ns}),
     CutStep::look_up_ns},
    {"only silent servers left and a glueless name: look it up", S({&C::only_silent, &C::unresolved_ns}),
     CutStep::look_up_ns},
    {"nothing left and a glueless name: look it up before anything kept",
     S({&C::nothing_left, &C::unresolved_ns, &C::fallback_pending, &C::have_empty_reply}), CutStep::look_up_ns},
    {"only retries, no glueless name: ask again", S({&C::only_retries}), CutStep::ask},
    {"only silent, no glueless name: ask anyway", S({&C::only_silent}), CutStep::ask},
    {"nothing left, fallback not tried: try it first",
     S({&C::nothing_left, &C::fallback_pending, &C::have_empty_reply, &C::have_recursive_lame}), CutStep::try_fallback},
    {"nothing left: an empty reply before a recursive-lame one",
     S({&C::nothing_left, &C::have_empty_reply, &C::have_recursive_lame}), CutStep::use_empty_reply},
    {"nothing left: the recursive-lame reply", S({&C::nothing_left, &C::have_recursive_lame}),
     CutStep::use_recursive_lame},
    {"nothing left, nothing kept: give up", S({&C::nothing_left}), CutStep::give_up},
    {"nothing left and budget spent: give up (the failure says why)", S({&C::nothing_left, &C::budget_spent}),
     CutStep::give_up},
    {"budget spent with servers left: stop", S({&C::budget_spent}), CutStep::out_of_queries},
    {"budget spent, only retries, glueless name: the lookup decides", S({&C::budget_spent, &C::only_retries,
                                                                         &C::unresolved_ns}),
     CutStep::look_up_ns},
    {"kept replies do not stop asking while servers are left", S({&C::have_empty_reply, &C::have_recursive_lame}),
     CutStep::ask},
};

TEST(NextCutStep, Table) {
  for (const auto& row : kCutRows) {
    EXPECT_STREQ(to_string(next_cut_step(row.state)), to_string(row.expect)) << row.name;
  }
}

struct ReplyRow {
  const char* name;
  ReplyFacts facts;
  ReplyStep expect;
};

const ReplyRow kReplyRows[] = {
    {"answer", {TransportError::none, true, Classification::answer, false}, ReplyStep::accept},
    {"referral", {TransportError::none, true, Classification::referral, true}, ReplyStep::accept},
    {"cname out of the zone", {TransportError::none, true, Classification::cname, false}, ReplyStep::accept},
    {"nxdomain", {TransportError::none, true, Classification::nxdomain, false}, ReplyStep::accept},
    {"yxdomain", {TransportError::none, true, Classification::yxdomain, false}, ReplyStep::accept},
    {"nodata with an SOA", {TransportError::none, true, Classification::nodata, false}, ReplyStep::accept},
    {"nodata with nothing at all: ask the others first", {TransportError::none, true, Classification::nodata, true},
     ReplyStep::keep_as_empty},
    {"lame", {TransportError::none, true, Classification::lame, false}, ReplyStep::drop_lame},
    {"throwaway", {TransportError::none, true, Classification::throwaway, true}, ReplyStep::drop_lame},
    {"unparsable", {TransportError::none, false, Classification::answer, false}, ReplyStep::drop_malformed},
    {"timeout: back off, may retry", {TransportError::timeout}, ReplyStep::retry_later},
    {"network error", {TransportError::network}, ReplyStep::drop_server},
    {"unreachable from this host", {TransportError::unreachable_from_host}, ReplyStep::drop_server},
    {"malformed in transport", {TransportError::malformed}, ReplyStep::drop_server},
    {"tcp refused", {TransportError::tcp_refused}, ReplyStep::drop_server},
    {"tcp reset", {TransportError::tcp_reset}, ReplyStep::drop_server},
    {"tcp timeout: the server is dropped, unlike a UDP timeout", {TransportError::tcp_timeout}, ReplyStep::drop_server},
    {"0x20 case mismatch", {TransportError::case_mismatch}, ReplyStep::drop_server},
    {"budget: the resolution stops", {TransportError::budget}, ReplyStep::out_of_queries},
};

TEST(ReplyStep, Table) {
  for (const auto& row : kReplyRows) {
    EXPECT_STREQ(to_string(reply_step(row.facts)), to_string(row.expect)) << row.name;
  }
}

}  // namespace
}  // namespace dkimdoctor::resolver
