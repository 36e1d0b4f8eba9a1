#include "cli/report.hpp"

#include <algorithm>

namespace dkimdoctor::cli {
namespace {

using diagnose::Severity;

struct Palette {
  bool on;
  std::string paint(std::string_view code, const std::string& text) const {
    if (!on) return text;
    return "\x1b[" + std::string(code) + "m" + text + "\x1b[0m";
  }
  std::string red(const std::string& t) const { return paint("1;31", t); }
  std::string yellow(const std::string& t) const { return paint("1;33", t); }
  std::string cyan(const std::string& t) const { return paint("36", t); }
  std::string green(const std::string& t) const { return paint("32", t); }
  std::string bold(const std::string& t) const { return paint("1", t); }
  std::string dim(const std::string& t) const { return paint("2", t); }
};

std::string bare(const wire::Name& n) {
  std::string s = n.to_string();
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

// Long values (2048-bit keys) are cut in the table; the JSON has them whole.
std::string clip(const std::string& s, std::size_t max = 96) {
  if (s.size() <= max) return s;
  return s.substr(0, max - 3) + "...";
}

std::string severity_label(Severity s, const Palette& p) {
  switch (s) {
    case Severity::error: return p.red("ERROR  ");
    case Severity::warning: return p.yellow("WARNING");
    case Severity::info: return p.cyan("INFO   ");
    case Severity::ok: return p.green("OK     ");
  }
  return "";
}

std::string answer_text(const diagnose::ServerAnswer& a, const diagnose::Lookup& l) {
  if (!a.queried) return "not queried (address refused by policy)";
  if (!a.responded) return "no answer: " + (a.error.empty() ? std::string("timeout") : a.error);
  std::string s = wire::to_string(a.rcode);
  if (!a.aa) s += " (not authoritative)";
  if (a.transport == diagnose::Transport::tcp) s += " (TCP)";
  std::vector<std::string> parts;
  for (const auto& r : a.answer) {
    std::string t = wire::to_string(r.type) + " " + r.rdata.to_string();
    if (!(r.owner == l.name)) t = bare(r.owner) + " " + t;
    parts.push_back(clip(t));
  }
  if (parts.empty() && a.rcode == wire::Rcode::NoError) s += " NODATA";
  for (const auto& p : parts) s += "  " + p;
  return s;
}

}  // namespace

std::string render_report(const CheckResult& result, const ReportOptions& options) {
  const Palette p{options.color};
  const auto& j = result.judgement;
  std::string out;
  std::size_t counts[4] = {0, 0, 0, 0};
  for (const auto& f : j.findings) ++counts[static_cast<int>(f.severity)];
  switch (j.verdict) {
    case diagnose::Verdict::ok: out += p.green("OK  ") + p.bold(j.headline); break;
    case diagnose::Verdict::problems:
      out += (counts[3] ? p.red("FAIL  ") : p.yellow("WARN  ")) + p.bold(j.headline);
      break;
    case diagnose::Verdict::incomplete: out += p.yellow("INCOMPLETE  ") + p.bold(j.headline); break;
  }
  out += "\n";
  auto count = [](std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  out += "verdict: " + std::string(diagnose::to_string(j.verdict)) + " (" + count(counts[3], "error", "errors") + ", " +
         count(counts[2], "warning", "warnings") + ", " + count(counts[1], "note", "notes") + ", " +
         count(counts[0], "check passed", "checks passed") + ")\n";
  for (const auto& n : result.notes) out += p.yellow("note: ") + n + "\n";

  for (const auto& f : j.findings) {
    if (f.severity == Severity::ok && !options.show_ok) continue;
    out += "\n" + severity_label(f.severity, p) + "  " + p.bold(std::string(diagnose::to_string(f.code)));
    if (!f.subject.empty()) out += "  " + f.subject;
    if (f.ses_error != diagnose::SesError::none) out += p.dim("  (SES: " + std::string(diagnose::to_string(f.ses_error)) + ")");
    out += "\n  " + f.message + "\n";
    if (f.severity != Severity::ok) {
      for (const auto& e : f.evidence) out += p.dim("    " + clip(e, 160)) + "\n";
      if (!f.fix.empty()) out += "  " + p.bold("fix:") + " " + f.fix + "\n";
    }
  }

  if (!options.show_servers) return out;
  const auto& d = result.observations.delegation;
  if (!d.servers.empty()) {
    out += "\n" + p.bold("Name servers of " + bare(d.zone)) + " (delegated from " + bare(d.parent) + ")\n";
    for (const auto& s : d.servers) {
      std::string line = "  " + bare(s.ns_name) + " (" + s.address + ")";
      if (s.private_address) line += "  not queried: " + s.error;
      else if (!s.responded) line += "  no answer: " + s.error;
      else {
        line += "  " + wire::to_string(s.rcode) + (s.aa ? "" : " (not authoritative)");
        if (s.serial) line += "  serial " + std::to_string(*s.serial);
      }
      const bool in_parent = std::find(d.parent_ns.begin(), d.parent_ns.end(), s.ns_name) != d.parent_ns.end();
      const bool in_zone = std::find(d.zone_ns.begin(), d.zone_ns.end(), s.ns_name) != d.zone_ns.end();
      if (!in_parent) line += "  [not in the parent's NS set]";
      if (!in_zone && !d.zone_ns.empty()) line += "  [not in the zone's NS set]";
      out += line + "\n";
    }
  }
  for (const auto& l : result.observations.lookups) {
    if (l.lookup.scope != diagnose::Scope::authoritative || l.servers.empty()) continue;
    out += "\n" + p.bold(bare(l.lookup.name) + " " + wire::to_string(l.lookup.type)) + "\n";
    for (const auto& a : l.servers)
      out += "  " + bare(a.ns_name) + " (" + a.address + ")  " + answer_text(a, l.lookup) + "\n";
  }
  return out;
}

}  // namespace dkimdoctor::cli
