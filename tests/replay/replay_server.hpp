// The replay server: a scenario's scripted authoritative servers, as a script for the fault server
// (tests/support/fault_server.hpp, UDP and TCP on port 53 of one address).
//
// As in Unbound's harness (testcode/replay.h, testpkts.h): the ranges active at the current step that
// list this address (or no address) are searched, the last defined first, and the first entry whose MATCH
// keywords all hold gives the reply; a query that matches nothing gets no reply (a timeout).
// MATCH: opcode, qtype, qname, subdomain, question, TCP, UDP, noedns; other keywords do not constrain.
// ADJUST: copy_query (others are ignored; the reply always carries the query's ID, as Unbound's fake
// network never compares IDs). REPLY: the flags and rcode as written. An OPT record is added when the
// query had one. HEX_ANSWER: the bytes as written (with the query's ID).
#pragma once

#include <asio/ip/address.hpp>
#include <functional>

#include "tests/replay/scenario.hpp"
#include "tests/support/fault_server.hpp"

namespace dkimdoctor::replay {

// Does `entry` match query `q`?
bool matches(const Entry& entry, const testsupport::Query& q);

// The reply `entry` gives to `q`.
std::vector<std::uint8_t> reply_for(const Entry& entry, const testsupport::Query& q);

// The script of the server at `address`; `step` is read at every query (the runner moves it).
// `unmatched` sees every query no range answers (it stays pending for a STEP REPLY).
testsupport::Script serve(const Scenario& scenario, asio::ip::address address, const int& step,
                          std::function<void(const testsupport::Query&)> unmatched = {});

}  // namespace dkimdoctor::replay
