// What `dkimdoctor bulk` keeps of each result line, and the run's summary built from it.
//
// A result line is reduced to a LineDigest: line number, domain, verdict, headline, its finding codes
// with their class, the host's limits. The digest is made the same way from a check's JSON just
// written, from a JSON line of an earlier run, and from a CSV row of an earlier run (the CSV carries
// every field of the digest), so after --resume the summary and the exit status cover the whole output
// file, not only the lines of the last run.
//
// The summary counts DOMAINS, never findings: a domain whose three DKIM records are broken the same way
// counts once for that code. Memory is bounded whatever the input's size: counters per verdict and per
// code, the distinct unreachable addresses, and the first kListed lines of each list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "check/check.hpp"

namespace dkimdoctor::cli {

// Lines listed by name per list of the summary (will not verify, could not tell, input errors).
inline constexpr std::size_t kListed = 20;
// Codes listed among the top causes; the rest are counted as "N other codes".
inline constexpr std::size_t kTopCauses = 10;

struct CodeClass {
  std::string code;
  // "blocks", "may_block", "not_checked", "advice", "note" ("passed" codes are not kept).
  std::string cls;
};

struct LineDigest {
  std::uint64_t line = 0;
  std::string domain;    // empty when the line was not a usable identity
  std::string verdict;   // "ok", "problems" or "incomplete"
  std::string headline;  // the check's headline, or the error for a line that could not be checked
  bool error = false;    // no check ran: input error or internal error ("error" in the JSON)
  std::vector<CodeClass> codes;  // each code once, in class order (blocks first), then first appearance
  std::vector<std::string> host_limits;
};

// The class of a finding: its "class", else (a check from before classes existed) from its severity:
// error -> blocks, warning -> may_block, info -> note, ok -> passed.
std::string finding_class(const nlohmann::json& finding);

// The digest of a check as bulk writes it (the same as digest_from_json of its JSON line), and of a line
// that could not be checked (`error`: why).
LineDigest digest_of(std::uint64_t line, const check::CheckResult& result);
LineDigest digest_of_error(std::uint64_t line, std::string error);

// The digest of one result object read back (--resume reads earlier output); nullopt when it has no
// non-negative integer "line".
std::optional<LineDigest> digest_from_json(const nlohmann::json& result);

// CSV: the header, one row per digest, and a row read back (nullopt for anything else, the header
// included). Columns: line, domain, verdict, codes (space-separated, problem classes first), headline,
// classes (the class of each code, in the same order), host_limits (joined by " | "). Line breaks in a
// field become spaces, so a row is always one line.
std::string_view csv_header();
std::string csv_row(const LineDigest& digest);
std::optional<LineDigest> digest_from_csv(std::string_view row);

class BulkSummary {
 public:
  // `earlier`: the line comes from the output of an earlier run (read back by --resume).
  void add(const LineDigest& digest, bool earlier);

  std::uint64_t domains() const { return ok_ + problems_ + incomplete_ + input_errors_ + internal_errors_; }
  std::uint64_t will_verify() const { return ok_; }
  std::uint64_t will_not() const { return problems_; }
  std::uint64_t could_not_tell() const { return incomplete_ + input_errors_ + internal_errors_; }
  std::uint64_t from_earlier() const { return earlier_; }

  // 0 every domain will verify, 1 at least one will not, 3 none will not but some could not be told.
  int exit_status() const;

  // The summary's lines after the run statistics, each ending in '\n'; `where` names the output
  // ("results.jsonl", "standard output").
  std::string render(std::string_view where) const;

 private:
  // The first kListed entries by line number, and how many there were in all.
  struct Listing {
    std::map<std::uint64_t, std::string> first;
    std::uint64_t total = 0;
    void add(std::uint64_t line, std::string text);
  };

  std::uint64_t ok_ = 0, problems_ = 0, incomplete_ = 0, input_errors_ = 0, internal_errors_ = 0;
  std::uint64_t earlier_ = 0;
  std::map<std::string, std::uint64_t> causes_;       // blocks and may_block: domains per code
  std::map<std::string, std::uint64_t> not_checked_;  // domains per code
  std::map<std::string, std::uint64_t> advice_;       // domains per code
  std::set<std::string> unreachable_;                 // distinct addresses of host_limits
  std::string host_limit_example_;
  Listing will_not_, could_not_tell_, errors_;
};

}  // namespace dkimdoctor::cli
