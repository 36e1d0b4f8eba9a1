// The grid behind the picture of the walk: one cell per (expected record x authoritative server address),
// saying what that server serves at that name. A reading of the observations (what a server's answer
// means for an expected record), so it lives here, sans-I/O; `check --json`'s "cells" and the HTML report
// both read it, so the two never disagree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "diagnose/expect.hpp"
#include "diagnose/observations.hpp"

namespace dkimdoctor::diagnose {

enum class CellState : std::uint8_t {
  present,                // the record is there with the expected value (any value when none is expected)
  missing,                // NXDOMAIN or no record of that type at the name
  different,              // a record of that type is there, with another value
  no_answer,              // no reply, an error rcode (SERVFAIL, REFUSED) or a reply without AA (lame)
  refused_by_policy,      // a private or unroutable address: never queried
  unreachable_from_host,  // this host could not send there (no IPv6, no route): not checked from here
  not_asked,              // this server was not asked this question (over the probe budget)
};
// "present", "missing", "different", "no_answer", "refused_by_policy", "unreachable_from_host",
// "not_asked": part of the JSON contract.
std::string_view to_string(CellState state) noexcept;

// One authoritative server address of the zone (a row of the grid).
struct GridServer {
  std::string ns_name;  // no trailing dot
  std::string address;
};

// One expected record that was asked of every authoritative server (a column of the grid).
struct GridRecord {
  std::string name;   // no trailing dot
  std::string type;   // "CNAME"
  std::string value;  // expected value; empty when any value will do
};

struct GridCell {
  std::size_t record = 0;  // index into RecordGrid::records
  std::size_t server = 0;  // index into RecordGrid::servers
  CellState state = CellState::not_asked;
  std::string detail;      // what the server said: "NXDOMAIN", "CNAME x.example.", "timeout"
};

struct RecordGrid {
  std::vector<GridServer> servers;  // the delegation's addresses, then any other address a lookup saw
  std::vector<GridRecord> records;  // expected records with an authoritative lookup, in expectation order
  std::vector<GridCell> cells;      // records.size() * servers.size(), record-major
};

RecordGrid record_grid(const std::vector<ExpectedRecord>& expected, const Observations& observations);

}  // namespace dkimdoctor::diagnose
