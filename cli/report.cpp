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
// The cut falls at a blank when one is near, so a host name is never cut in the middle (a region inside
// "...dkim.ap-southeast-3.amazonses.com" must stay readable).
std::string clip(const std::string& s, std::size_t max = 96) {
  if (s.size() <= max) return s;
  std::size_t cut = max - 3;
  const std::size_t blank = s.rfind(' ', cut);
  if (blank != std::string::npos && blank + 48 >= cut) cut = blank;
  return s.substr(0, cut) + "...";
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
    // Long values (keys) are cut; names never are.
    parts.push_back(r.type == wire::RRType::TXT ? clip(t) : t);
  }
  if (parts.empty() && a.rcode == wire::Rcode::NoError) s += " NODATA";
  for (const auto& p : parts) s += "  " + p;
  return s;
}

}  // namespace

namespace {

// Findings that read as one problem: the same code and the same fix (three tokens broken the same way).
struct Group {
  std::vector<const diagnose::Finding*> findings;
};

std::vector<Group> group_findings(const std::vector<const diagnose::Finding*>& findings) {
  std::vector<Group> groups;
  for (const auto* f : findings) {
    auto it = std::find_if(groups.begin(), groups.end(), [f](const Group& g) {
      const auto* first = g.findings.front();
      return first->code == f->code && first->severity == f->severity && first->fix == f->fix;
    });
    if (it == groups.end()) groups.push_back(Group{{f}});
    else it->findings.push_back(f);
  }
  return groups;
}

std::string record_block(const diagnose::RecordToPublish& r, const Palette& p) {
  std::string out;
  out += "    " + p.bold("Type:") + "  " + r.type + "\n";
  out += "    " + p.bold("Name:") + "  " + r.relative + (r.relative == r.name ? "" : "   (in zone " + r.zone + "; fully qualified: " + r.name + ")") + "\n";
  out += "    " + p.bold("Value:") + " " + r.value + "\n";
  return out;
}

void render_group(std::string& out, const Group& g, const ReportOptions& options, const Palette& p) {
  const diagnose::Finding& first = *g.findings.front();
  out += "\n" + severity_label(first.severity, p) + "  " + p.bold(std::string(diagnose::to_string(first.code)));
  if (g.findings.size() > 1) out += "  (" + std::to_string(g.findings.size()) + " records)";
  else if (!first.subject.empty()) out += "  " + first.subject;
  if (first.ses_error != diagnose::SesError::none)
    out += p.dim("  (SES: " + std::string(diagnose::to_string(first.ses_error)) + ")");
  out += "\n";
  constexpr std::size_t kEvidenceLines = 3;  // per finding in the short report; --verbose shows all
  for (const auto* f : g.findings) {
    if (!f->cause.empty()) out += "  " + p.bold("cause:") + " " + f->cause + "\n";
    out += "  " + f->message + "\n";
    const std::size_t n = options.verbose ? f->evidence.size() : std::min(f->evidence.size(), kEvidenceLines);
    for (std::size_t i = 0; i < n; ++i) out += p.dim("    " + clip(f->evidence[i], 200)) + "\n";
    if (n < f->evidence.size()) out += p.dim("    (" + std::to_string(f->evidence.size() - n) + " more with --verbose)") + "\n";
  }
  if (!first.fix.empty()) out += "  " + p.bold("fix:") + " " + first.fix + "\n";
  std::size_t records = 0;
  for (const auto* f : g.findings) records += f->record.has_value();
  if (records > 0) {
    out += "  " + p.bold(records == 1 ? "the record, as your DNS provider's form wants it:"
                                      : "the records, as your DNS provider's form wants them:") + "\n";
    bool first_block = true;
    for (const auto* f : g.findings) {
      if (!f->record) continue;
      if (!first_block) out += "\n";
      out += record_block(*f->record, p);
      first_block = false;
    }
  }
}

// The findings by the section they are shown in.
struct Sections {
  std::vector<const diagnose::Finding*> problems, unchecked, notes, advice, passed;
  std::size_t errors = 0;  // problems of severity error
};

Sections sections_of(const diagnose::Judgement& j) {
  Sections s;
  for (const auto& f : j.findings) {
    if (diagnose::is_problem(f)) {
      s.problems.push_back(&f);
      s.errors += f.severity == Severity::error;
      continue;
    }
    switch (diagnose::class_of(f.code)) {
      case diagnose::FindingClass::not_checked: s.unchecked.push_back(&f); break;
      case diagnose::FindingClass::advice:
        if (f.severity == Severity::ok) s.passed.push_back(&f);
        else s.advice.push_back(&f);
        break;
      case diagnose::FindingClass::passed: s.passed.push_back(&f); break;
      default:
        if (f.severity == Severity::ok) s.passed.push_back(&f);
        else s.notes.push_back(&f);
        break;
    }
  }
  return s;
}

// The headline, the counts, what was understood of the input, the host's limits and the notes.
void render_summary(std::string& out, const CheckResult& result, const Sections& s, const Palette& p) {
  const auto& j = result.judgement;
  switch (j.verdict) {
    case diagnose::Verdict::ok: out += p.green("OK  ") + p.bold(j.headline); break;
    case diagnose::Verdict::problems: out += (s.errors ? p.red("FAIL  ") : p.yellow("WARN  ")) + p.bold(j.headline); break;
    case diagnose::Verdict::incomplete: out += p.yellow("UNKNOWN  ") + p.bold(j.headline); break;
  }
  out += "\n";
  auto count = [](std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  out += "verdict: " + std::string(diagnose::to_string(j.verdict)) + " (" + count(s.problems.size(), "problem", "problems") +
         ", " + count(s.unchecked.size(), "not checked", "not checked") + ", " + count(s.advice.size(), "advice", "advice") +
         ", " + count(s.passed.size(), "check passed", "checks passed") + ")\n";
  for (const auto& u : result.identity.understood) out += p.cyan("understood: ") + u + "\n";
  if (!result.host_limits.empty()) {
    std::string list;
    for (std::size_t i = 0; i < result.host_limits.size(); ++i) list += (i ? ", " : "") + result.host_limits[i];
    out += p.yellow("note: ") + "not checked from this host: " + list +
           ". This host cannot send to these addresses at all (no IPv6, or no route); that is this host's limit, "
           "not the domain's, and the domain is judged on the servers it could ask.\n";
  }
  for (const auto& n : result.notes) out += p.yellow("note: ") + n + "\n";
}

void render_passed(std::string& out, const std::vector<const diagnose::Finding*>& passed, const ReportOptions& options,
                   const Palette& p) {
  out += "\n" + p.bold("Passed") + "\n";
  for (const auto* f : passed) {
    if (options.verbose) {
      out += "  " + severity_label(f->severity, p) + "  " + p.bold(std::string(diagnose::to_string(f->code))) + "  " +
             f->message + "\n";
      for (const auto& e : f->evidence) out += p.dim("      " + clip(e, 160)) + "\n";
    } else {
      out += "  " + p.green("ok") + "  " + std::string(diagnose::to_string(f->code)) +
             (f->subject.empty() ? "" : "  " + f->subject) +
             (diagnose::hidden_by_dnssec(*f) ? p.yellow("  (on every server, but SERVFAIL when validated: DNSSEC_BOGUS)")
                                             : std::string()) +
             "\n";
    }
  }
}

// --verbose: every name server of the zone, then what each answered per authoritative lookup.
void render_servers(std::string& out, const CheckResult& result, const Palette& p) {
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
}

}  // namespace

std::string render_report(const CheckResult& result, const ReportOptions& options) {
  const Palette p{options.color};
  std::string out;
  const Sections s = sections_of(result.judgement);
  render_summary(out, result, s, p);
  for (const auto& g : group_findings(s.problems)) render_group(out, g, options, p);
  for (const auto& g : group_findings(s.unchecked)) render_group(out, g, options, p);
  if (options.verbose) {
    for (const auto& g : group_findings(s.notes)) render_group(out, g, options, p);
  } else if (!s.notes.empty()) {
    out += "\n";
    for (const auto* f : s.notes)
      out += p.cyan("note") + "  " + std::string(diagnose::to_string(f->code)) + "  " + clip(f->message, 200) + "\n";
  }
  if (!s.advice.empty()) {
    out += "\n" + p.bold("Advice") + p.dim(" (deliverability, not verification: does not change the verdict)") + "\n";
    for (const auto& g : group_findings(s.advice)) render_group(out, g, options, p);
  }
  if (!s.passed.empty() && options.show_ok) render_passed(out, s.passed, options, p);
  if (options.show_servers && options.verbose) render_servers(out, result, p);
  return out;
}

}  // namespace dkimdoctor::cli
