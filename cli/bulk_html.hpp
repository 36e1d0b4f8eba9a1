// `bulk --html FILE`: a self-contained dashboard of a bulk run. One HTML file, no network fetch: inline
// CSS, an inline-SVG bar chart (counts by verdict and by finding code, drawn here, readable without
// script), the run's figures, and a table of every domain that a small inline script sorts, filters and
// pages in the browser, with each domain's findings on demand (#open=LINE).
//
// Size: the rows are data, not markup: one inline JSON array (`<script type="application/json">`), one
// short array per domain, rendered by the script a page at a time (README: the figures for 100,000
// domains). Two things keep the data small: in a row's texts the row's own domain is written as U+0001
// (messages name it again and again), and a text met a second time (a fix, a code list, a headline with
// the domain taken out) is written as its index in a table of shared texts. Memory: rows are streamed to a
// temporary file as results complete; what stays in memory is the counters, the shared texts (bounded by
// kMaxSharedBytes) and 8 bytes per text seen once.
//
// Threat: every domain, code, headline, message and record value comes from DNS or from the input and is
// attacker-controlled. In markup it goes through html_escape(); inside the inline JSON through
// json_for_script() (which escapes < > & U+2028 U+2029, so no "</script>" or "<!--" can end the block);
// the script puts it in the page with textContent only, never as HTML. A Content-Security-Policy allows
// exactly the page's own script (by its SHA-256) and nothing else: no fetch, no other script.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>

#include "cli/bulk_summary.hpp"
#include "wire/result.hpp"

namespace dkimdoctor::cli {

// What bulk's summary line prints: this run's figures.
struct RunFigures {
  std::uint64_t checked = 0;   // lines answered by this run
  std::uint64_t skipped = 0;   // lines skipped as done (--resume)
  std::uint64_t queries = 0;   // queries sent by this run
  double seconds = 0;          // this run's wall time
  int signal = 0;              // the run was interrupted by this signal (0: it was not)
};

// JSON text safe inside an inline <script> element: `j` dumped (invalid UTF-8 replaced), then < > &
// U+2028 U+2029 written as \uXXXX escapes. They can only occur inside JSON strings, where the escape
// means the same character, so JSON.parse() gives back the same value.
std::string json_for_script(const nlohmann::json& j);

// Bytes of shared texts kept; past it a text is written in full wherever it occurs.
inline constexpr std::size_t kMaxSharedBytes = 32 << 20;

// The texts rows share. ref() gives a text's JSON value in a row: the text itself the first time it is
// seen (only its 64-bit hash is kept), its index in the table from the second time on (the table then
// holds it). A hash collision only makes a text shared needlessly: the table holds the text itself.
class SharedTexts {
 public:
  nlohmann::json ref(const std::string& text);
  // The table, as JSON text for the page: ["text0", "text1", ...].
  std::string json() const;
  std::size_t size() const { return index_.size(); }

 private:
  std::unordered_set<std::uint64_t> seen_once_;
  std::unordered_map<std::string, std::uint32_t> index_;
  std::size_t bytes_ = 0;
};

// The row's domain in its texts: U+0001 (never when the text holds a U+0001 of its own, so the page's
// split/join gives back the text exactly).
inline constexpr std::string_view kDomainMark = "\x01";
std::string domain_marked(const std::string& text, const std::string& domain);

// One row of the dashboard's data, as JSON text: [line, domain, verdict, headline, codes, classes,
// findings]. codes: the digest's codes joined by spaces; classes: one digit per code (an index into the
// page's class list: blocks, may_block, not_checked, advice, note); findings: [[code, class digit,
// subject, message, fix, record], ...] for every finding that did not pass (record: [type, name, value]
// of the record to publish, or 0). Every text but the domain is domain_marked() and then shared.ref():
// a string, or an index into the shared texts. `result` is the check's JSON; null for a line read back
// from a CSV output (its codes only, findings []).
std::string dashboard_row(const LineDigest& digest, const nlohmann::json* result, SharedTexts& shared);

class BulkDashboard {
 public:
  // Checks now that `path` can be written (creating it, not truncating it), so an unwritable path is a
  // usage error before the run, and opens a temporary file for the rows.
  static Result<std::unique_ptr<BulkDashboard>, std::string> open(const std::string& path);
  ~BulkDashboard();
  BulkDashboard(const BulkDashboard&) = delete;
  BulkDashboard& operator=(const BulkDashboard&) = delete;

  // One answered line; `earlier`: read back from an earlier run's output (result is then null).
  void add(const LineDigest& digest, const nlohmann::json* result);

  // Writes the page (truncating the file) and closes it. `where` names bulk's output ("results.jsonl"). An error
  // message when writing failed.
  Result<void, std::string> finish(const BulkSummary& summary, const RunFigures& figures, std::string_view where);

 private:
  BulkDashboard(std::string path, std::FILE* rows) : path_(std::move(path)), rows_(rows) {}

  std::string path_;
  std::FILE* rows_;  // the rows, comma-separated, until finish()
  std::uint64_t row_count_ = 0;
  bool rows_failed_ = false;
  std::map<std::string, std::pair<std::string, std::uint64_t>> codes_;  // code -> (class, domains)
  SharedTexts shared_;
};

// The page around the rows (exposed for tests): `rows_json` is the inline array's text, "[...]".
std::string dashboard_page(const BulkSummary& summary, const RunFigures& figures, std::string_view where,
                           const std::map<std::string, std::pair<std::string, std::uint64_t>>& codes,
                           std::uint64_t rows, std::string_view rows_json, const SharedTexts& shared);

}  // namespace dkimdoctor::cli
