#include "cli/bulk_summary.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <utility>

#include "cli/bulk_io.hpp"

namespace dkimdoctor::cli {
namespace {

// Classes in the order a reader wants them: what blocks verification first.
constexpr std::array<std::string_view, 6> kClassOrder = {"blocks", "may_block", "not_checked", "advice", "note", "passed"};

std::size_t class_rank(std::string_view cls) {
  const auto it = std::find(kClassOrder.begin(), kClassOrder.end(), cls);
  // An unknown (newer) class sorts with the notes: it is shown, never counted as a cause.
  return it == kClassOrder.end() ? 4 : static_cast<std::size_t>(it - kClassOrder.begin());
}

std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

// "ns1.example.net (2001:db8::1): this host has no IPv6 route" -> "2001:db8::1"; the whole text when it
// is not of that shape.
std::string limit_address(std::string_view limit) {
  const auto open = limit.find(" (");
  const auto close = open == std::string_view::npos ? open : limit.find(')', open);
  if (close == std::string_view::npos) return std::string(limit.substr(0, limit.find(": ")));
  return std::string(limit.substr(open + 2, close - open - 2));
}

// Keeps each code once, at its most blocking class, in class order then order of appearance.
void add_code(std::vector<CodeClass>& codes, std::string code, std::string cls) {
  if (cls == "passed" || code.empty()) return;
  auto it = std::find_if(codes.begin(), codes.end(), [&](const CodeClass& c) { return c.code == code; });
  if (it != codes.end()) {
    if (class_rank(cls) >= class_rank(it->cls)) return;
    codes.erase(it);
  }
  const auto at = std::find_if(codes.begin(), codes.end(),
                               [&](const CodeClass& c) { return class_rank(c.cls) > class_rank(cls); });
  codes.insert(at, CodeClass{std::move(code), std::move(cls)});
}

constexpr std::string_view kLimitSeparator = " | ";

std::vector<std::string> split_words(std::string_view text, std::string_view separator) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto at = text.find(separator);
    std::string_view word = text.substr(0, at);
    if (!word.empty()) out.emplace_back(word);
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + separator.size());
  }
  return out;
}

std::string clip(std::string text, std::size_t max = 200) {
  if (text.size() > max) text = text.substr(0, max - 3) + "...";
  return text;
}

}  // namespace

std::string finding_class(const nlohmann::json& finding) {
  if (auto it = finding.find("class"); it != finding.end() && it->is_string()) return it->get<std::string>();
  const std::string severity = finding.value("severity", "");
  if (severity == "error") return "blocks";
  if (severity == "warning") return "may_block";
  if (severity == "ok") return "passed";
  return "note";
}

LineDigest digest_of(std::uint64_t line, const check::CheckResult& result) {
  LineDigest d;
  d.line = line;
  d.domain = result.identity.domain.to_string();
  if (d.domain.size() > 1 && d.domain.back() == '.') d.domain.pop_back();
  d.verdict = std::string(diagnose::to_string(result.judgement.verdict));
  d.headline = result.judgement.headline;
  for (const auto& f : result.judgement.findings)
    add_code(d.codes, std::string(diagnose::to_string(f.code)), std::string(diagnose::to_string(diagnose::class_of(f.code))));
  d.host_limits = result.host_limits;
  return d;
}

LineDigest digest_of_error(std::uint64_t line, std::string error) {
  LineDigest d;
  d.line = line;
  d.verdict = "incomplete";
  d.error = true;
  d.headline = std::move(error);
  return d;
}

std::optional<LineDigest> digest_from_json(const nlohmann::json& result) {
  if (!result.is_object()) return std::nullopt;
  auto line = result.find("line");
  if (line == result.end() || !line->is_number_integer() || line->get<std::int64_t>() < 0) return std::nullopt;
  LineDigest d;
  d.line = line->get<std::uint64_t>();
  const auto text = [&](const char* key) {
    auto it = result.find(key);
    return it != result.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  d.domain = text("domain");
  d.verdict = text("verdict");
  if (d.verdict != "ok" && d.verdict != "problems") d.verdict = "incomplete";
  d.headline = text("headline");
  if (auto it = result.find("error"); it != result.end()) {
    d.error = true;
    d.verdict = "incomplete";
    d.headline = text("error");
  }
  if (auto it = result.find("findings"); it != result.end() && it->is_array()) {
    for (const auto& f : *it) {
      if (f.is_object()) add_code(d.codes, f.value("code", ""), finding_class(f));
    }
  }
  if (auto it = result.find("host_limits"); it != result.end() && it->is_array()) {
    for (const auto& h : *it) {
      if (h.is_string()) d.host_limits.push_back(h.get<std::string>());
    }
  }
  return d;
}

std::string_view csv_header() { return "line,domain,verdict,codes,headline,classes,host_limits"; }

std::string csv_row(const LineDigest& d) {
  std::string codes, classes, limits;
  for (const auto& c : d.codes) {
    codes += (codes.empty() ? "" : " ") + c.code;
    classes += (classes.empty() ? "" : " ") + c.cls;
  }
  for (const auto& h : d.host_limits) limits += (limits.empty() ? "" : std::string(kLimitSeparator)) + h;
  std::string row = std::to_string(d.line);
  for (const std::string* field : std::initializer_list<const std::string*>{&d.domain, &d.verdict, &codes, &d.headline, &classes, &limits}) {
    row += ',';
    append_csv_field(row, one_line(*field));
  }
  return row;
}

std::optional<LineDigest> digest_from_csv(std::string_view row) {
  auto fields = split_csv_record(row);
  if (!fields || fields->size() != 7) return std::nullopt;
  const auto& f = *fields;
  if (f[0].empty() || f[0].size() > 19 || !std::all_of(f[0].begin(), f[0].end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;  // the header, or not ours
  }
  LineDigest d;
  d.line = std::stoull(f[0]);
  d.domain = f[1];
  d.verdict = f[2];
  if (d.verdict != "ok" && d.verdict != "problems") d.verdict = "incomplete";
  d.headline = f[4];
  d.error = d.domain.empty();  // a checked line always has its domain
  const auto codes = split_words(f[3], " ");
  const auto classes = split_words(f[5], " ");
  for (std::size_t i = 0; i < codes.size(); ++i) add_code(d.codes, codes[i], i < classes.size() ? classes[i] : "note");
  d.host_limits = split_words(f[6], kLimitSeparator);
  return d;
}

void BulkSummary::Listing::add(std::uint64_t line, std::string text) {
  ++total;
  first.emplace(line, std::move(text));
  if (first.size() > kListed) first.erase(std::prev(first.end()));
}

void BulkSummary::add(const LineDigest& d, bool earlier) {
  if (earlier) ++earlier_;
  const std::string label = d.domain.empty() ? std::string() : d.domain + "  ";
  if (d.error) {
    const bool internal = d.headline.rfind("internal error", 0) == 0;
    ++(internal ? internal_errors_ : input_errors_);
    errors_.add(d.line, clip(d.headline));
  } else if (d.verdict == "ok") {
    ++ok_;
  } else if (d.verdict == "problems") {
    ++problems_;
    will_not_.add(d.line, label + clip(d.headline));
  } else {
    ++incomplete_;
    could_not_tell_.add(d.line, label + clip(d.headline));
  }
  // d.codes holds each code once: these count domains, not findings.
  for (const auto& c : d.codes) {
    if (c.cls == "blocks" || c.cls == "may_block") ++causes_[c.code];
    else if (c.cls == "not_checked") ++not_checked_[c.code];
    else if (c.cls == "advice") ++advice_[c.code];
  }
  for (const auto& h : d.host_limits) {
    if (unreachable_.insert(limit_address(h)).second && host_limit_example_.empty()) host_limit_example_ = h;
  }
}

int BulkSummary::exit_status() const {
  if (will_not() > 0) return 1;
  if (could_not_tell() > 0) return 3;
  return 0;
}

namespace {

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "DKIM_RECORD_MISSING 4, DMARC_MISSING 2": most domains first, then by code.
std::vector<std::pair<std::string, std::uint64_t>> by_count(const std::map<std::string, std::uint64_t>& counts) {
  std::vector<std::pair<std::string, std::uint64_t>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return v;
}

std::string inline_counts(const std::map<std::string, std::uint64_t>& counts) {
  std::string out;
  for (const auto& [code, n] : by_count(counts)) out += (out.empty() ? "" : ", ") + code + " " + plural(n, "domain", "domains");
  return out;
}

std::string listing(const char* title, const std::map<std::uint64_t, std::string>& first, std::uint64_t total) {
  if (total == 0) return {};
  std::string out = "  " + std::string(title) + " (" + std::to_string(total) + "):\n";
  for (const auto& [line, text] : first) out += "    line " + std::to_string(line) + "  " + text + "\n";
  if (total > first.size()) out += "    ... and " + std::to_string(total - first.size()) + " more\n";
  return out;
}

}  // namespace

std::string BulkSummary::render(std::string_view where) const {
  std::string out = "  " + plural(domains(), "domain", "domains") + " in " + std::string(where);
  if (earlier_ > 0) out += " (" + std::to_string(earlier_) + " from earlier runs, " + std::to_string(domains() - earlier_) + " from this run)";
  out += ": will verify " + std::to_string(will_verify()) + ", will not " + std::to_string(will_not()) +
         ", could not tell " + std::to_string(could_not_tell());
  if (could_not_tell() > 0) {
    std::string parts;
    const auto part = [&](std::uint64_t n, const char* one, const char* many) {
      if (n > 0) parts += (parts.empty() ? "" : ", ") + plural(n, one, many);
    };
    part(incomplete_, "incomplete check", "incomplete checks");
    part(input_errors_, "input error", "input errors");
    part(internal_errors_, "internal error", "internal errors");
    out += " (" + parts + ")";
  }
  out += "\n";
  if (!causes_.empty()) {
    out += "  top causes (domains):\n";
    const auto sorted = by_count(causes_);
    std::size_t width = 0;
    for (std::size_t i = 0; i < sorted.size() && i < kTopCauses; ++i) width = std::max(width, sorted[i].first.size());
    for (std::size_t i = 0; i < sorted.size() && i < kTopCauses; ++i) {
      out += "    " + sorted[i].first + std::string(width - sorted[i].first.size() + 2, ' ') +
             std::to_string(sorted[i].second) + "\n";
    }
    if (sorted.size() > kTopCauses) out += "    ... and " + plural(sorted.size() - kTopCauses, "other code", "other codes") + "\n";
  }
  if (!not_checked_.empty()) out += "  not checked: " + inline_counts(not_checked_) + "\n";
  if (!advice_.empty()) out += "  advice (never changes the verdict): " + inline_counts(advice_) + "\n";
  if (!unreachable_.empty()) {
    out += "  host limits: " + plural(unreachable_.size(), "address", "addresses") +
           " could not be reached from this host at all (not the domains' fault), e.g. " + clip(host_limit_example_) + "\n";
  }
  out += listing("will not verify", will_not_.first, will_not_.total);
  out += listing("could not tell", could_not_tell_.first, could_not_tell_.total);
  out += listing("input errors", errors_.first, errors_.total);
  return out;
}

}  // namespace dkimdoctor::cli
