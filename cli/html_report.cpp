#include "cli/html_report.hpp"

#include <algorithm>
#include <cstdint>

#include "diagnose/record_grid.hpp"

namespace dkimdoctor::cli {

using diagnose::CellState;
using diagnose::GridCell;
using diagnose::RecordGrid;

std::string html_escape(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        case '\t':
        case '\n': out += static_cast<char>(c); break;
        default:
          if (c < 0x20 || c == 0x7F) out += kReplacement;
          else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // Well-formed UTF-8 only (RFC 3629 section 4): no overlongs, no surrogates, nothing above U+10FFFF.
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    bool ok = len != 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      const unsigned char b = p[i + k];
      ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    }
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

namespace {

using diagnose::Finding;
using diagnose::FindingClass;

std::string E(std::string_view s) { return html_escape(s); }

std::string bare(const wire::Name& n) {
  std::string s = n.to_string();
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

std::string clip(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  // Cut at a UTF-8 boundary so the clipped text stays well-formed.
  std::size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "\xE2\x80\xA6";
}

constexpr std::string_view kStyle = R"(
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;padding:1em 1.5em;color:#1b1b1b;background:#fff}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:1px solid #ddd;padding-bottom:.2em}
h3{font-size:1em;margin:0 0 .3em}code{font:13px ui-monospace,Menlo,Consolas,monospace;background:#f3f3f3;padding:.05em .3em;border-radius:3px;overflow-wrap:anywhere}
.verdict{display:inline-block;font-weight:700;padding:.25em .8em;border-radius:4px;color:#fff}
.verdict-ok{background:#2e7d32}.verdict-problems{background:#c62828}.verdict-incomplete{background:#8d6e00}
.headline{font-size:1.1em;margin:.5em 0}.counts{color:#555}
.finding{border:1px solid #ddd;border-left:6px solid #999;border-radius:4px;padding:.6em .9em;margin:.6em 0}
.sev-error{border-left-color:#c62828}.sev-warning{border-left-color:#ef6c00}.sev-info{border-left-color:#1565c0}.sev-ok{border-left-color:#2e7d32}
.sev{font-size:.75em;text-transform:uppercase;letter-spacing:.05em;color:#555;margin-right:.5em}
.subject{font-weight:400;color:#444}.fix{background:#fff8e1;padding:.4em .6em;border-radius:3px}
table.record{border-collapse:collapse;margin:.4em 0}table.record caption{text-align:left;caption-side:top;padding-bottom:.2em}table.record th{text-align:left;padding:.2em .8em .2em 0;color:#555;vertical-align:top}
table.record td{padding:.2em 0}code.copy{user-select:all;display:inline-block;padding:.2em .4em;background:#e8f0fe}
details{margin-top:.4em}summary{cursor:pointer;color:#1565c0}ul.trace{margin:.3em 0;padding-left:1.2em}ul.trace li{margin:.15em 0}
.passed li{margin:.2em 0}.passed li.hidden-by-dnssec{color:#8a5a00}.muted{color:#666}.walk{overflow-x:auto}.legend span{display:inline-block;margin:.2em .8em .2em 0}
.swatch{display:inline-block;width:.9em;height:.9em;vertical-align:-.1em;margin-right:.3em;border:1px solid #888}
table.grid-records{border-collapse:collapse}table.grid-records td,table.grid-records th{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}
footer{margin-top:2em;color:#666;font-size:.85em}
)";

struct StateLook {
  std::string_view fill, text, label, meaning;
};

StateLook look_of(CellState s) {
  switch (s) {
    case CellState::present: return {"#2e7d32", "#fff", "present", "present and right"};
    case CellState::missing: return {"#c62828", "#fff", "missing", "missing (NXDOMAIN or no such record)"};
    case CellState::different: return {"#ef6c00", "#fff", "different", "a different value"};
    case CellState::no_answer: return {"#6a1b9a", "#fff", "no answer", "no answer, an error or not authoritative"};
    case CellState::refused_by_policy: return {"#616161", "#fff", "policy", "not queried: private address (policy)"};
    case CellState::unreachable_from_host:
      return {"#cfd8dc", "#222", "not from here", "not checked from this host (no route)"};
    case CellState::not_asked: return {"#f5f5f5", "#555", "not asked", "not asked"};
  }
  return {"#f5f5f5", "#555", "?", "?"};
}

std::string_view verdict_label(diagnose::Verdict v) {
  switch (v) {
    case diagnose::Verdict::ok: return "OK";
    case diagnose::Verdict::problems: return "Problems";
    case diagnose::Verdict::incomplete: return "Could not tell";
  }
  return "Could not tell";
}

void render_finding(std::string& o, const Finding& f, std::size_t index) {
  const std::string sev(diagnose::to_string(f.severity));
  const std::string code(diagnose::to_string(f.code));
  o += "<article class=\"finding sev-" + sev + "\" id=\"f" + std::to_string(index) + "\" data-code=\"" + E(code) +
       "\">\n<h3><span class=\"sev\">" + E(sev) + "</span>" + E(code);
  if (!f.subject.empty()) o += " <span class=\"subject\">" + E(f.subject) + "</span>";
  o += "</h3>\n";
  if (!f.cause.empty()) o += "<p class=\"cause\"><strong>Cause:</strong> <code>" + E(f.cause) + "</code></p>\n";
  o += "<p class=\"message\">" + E(f.message) + "</p>\n";
  if (f.ses_error != diagnose::SesError::none)
    o += "<p class=\"muted\">SES reports: <code>" + E(diagnose::to_string(f.ses_error)) + "</code></p>\n";
  if (!f.fix.empty()) o += "<p class=\"fix\"><strong>Fix:</strong> " + E(f.fix) + "</p>\n";
  if (f.record) {
    const auto& r = *f.record;
    o += "<table class=\"record\"><caption class=\"muted\">The record to publish";
    if (!r.zone.empty()) o += " in the zone <code>" + E(r.zone) + "</code>";
    o += "</caption>\n<tr><th>Type</th><td><code class=\"copy\">" + E(r.type) + "</code></td></tr>\n";
    o += "<tr><th>Name</th><td><code class=\"copy\">" + E(r.relative.empty() ? r.name : r.relative) + "</code>";
    if (!r.relative.empty() && r.relative != r.name)
      o += " <span class=\"muted\">(fully qualified: <code>" + E(r.name) + "</code>)</span>";
    o += "</td></tr>\n<tr><th>Value</th><td><code class=\"copy record-value\">" + E(r.value) + "</code></td></tr>\n</table>\n";
  }
  if (!f.evidence.empty()) {
    o += "<details><summary>Trace (" + std::to_string(f.evidence.size()) +
         (f.evidence.size() == 1 ? " line" : " lines") + ")</summary>\n<ul class=\"trace\">\n";
    for (const auto& e : f.evidence) o += "<li><code>" + E(e) + "</code></li>\n";
    o += "</ul></details>\n";
  }
  o += "</article>\n";
}

void render_section(std::string& o, std::string_view id, std::string_view title, std::string_view intro,
                    const std::vector<const Finding*>& fs, std::size_t& index) {
  if (fs.empty()) return;
  o += "<section id=\"" + std::string(id) + "\">\n<h2>" + std::string(title) + " (" + std::to_string(fs.size()) +
       ")</h2>\n";
  if (!intro.empty()) o += "<p class=\"muted\">" + std::string(intro) + "</p>\n";
  for (const auto* f : fs) render_finding(o, *f, index++);
  o += "</section>\n";
}

// The chain of zones along the top of the walk: the root, the TLD, the parent (the zone that delegates),
// the zone; or, last, the name that is not there.
struct ZoneChain {
  std::vector<std::string> names{"."};
  std::string zone;     // the zone holding the domain, without the trailing dot ("" or "." when none)
  bool absent = false;  // the last name is not there: drawn dashed and red, with no edge to the servers
};

ZoneChain zone_chain(const CheckResult& result) {
  const auto& d = result.observations.delegation;
  ZoneChain c;
  c.zone = bare(d.zone);
  const std::string parent = bare(d.parent);
  if (!c.zone.empty() && c.zone != ".") {
    const std::string tld = c.zone.substr(c.zone.rfind('.') == std::string::npos ? 0 : c.zone.rfind('.') + 1);
    if (tld != c.zone) c.names.push_back(tld);
    if (!parent.empty() && parent != "." && parent != tld && parent != c.zone) c.names.push_back(parent);
    c.names.push_back(c.zone);
  }
  // The name that is not there: the parent answered NXDOMAIN, or no zone was found at all (the servers
  // belong to the zone before it).
  c.absent = d.not_delegated || c.zone.empty() || c.zone == ".";
  if (c.absent) c.names.push_back(bare(result.identity.domain) + (d.not_delegated ? " (NXDOMAIN)" : " (no zone found)"));
  return c;
}

// Where everything of the walk's picture goes.
struct WalkLayout {
  static constexpr int kMargin = 10, kChainH = 30, kNsW = 230, kAddrW = 190, kCellW = 112, kRowH = 28, kHeadH = 34;
  static constexpr int kChainBoxW = 200, kChainGap = 36;
  static constexpr int kGridTop = kMargin + kChainH + 50;
  // The delegation's edges run down a bus left of the NS names, so no edge crosses a box.
  static constexpr int kBusX = kMargin + 4;
  static constexpr int kNsX = kMargin + 16, kAddrX = kNsX + kNsW + 10, kCellsX = kAddrX + kAddrW + 10;
  int rows = 0, cols = 0, width = 0, height = 0;
  int row_y(int r) const { return kGridTop + kHeadH + r * kRowH; }
};

WalkLayout walk_layout(const RecordGrid& g, const ZoneChain& chain) {
  using L = WalkLayout;
  WalkLayout l;
  l.rows = static_cast<int>(g.servers.size());
  l.cols = static_cast<int>(g.records.size());
  l.width = std::max(L::kMargin * 2 + 16 + L::kNsW + L::kAddrW + 20 + l.cols * L::kCellW,
                     L::kMargin * 2 + static_cast<int>(chain.names.size()) * (L::kChainBoxW + L::kChainGap));
  l.height = L::kGridTop + L::kHeadH + std::max(l.rows, 1) * L::kRowH + L::kMargin;
  return l;
}

// The chain of zones with arrows. Returns the x of the zone's box (the edges to the NS names start there).
int draw_zone_chain(std::string& o, const ZoneChain& chain) {
  using L = WalkLayout;
  int zone_x = L::kMargin;
  for (std::size_t i = 0; i < chain.names.size(); ++i) {
    const int x = L::kMargin + static_cast<int>(i) * (L::kChainBoxW + L::kChainGap);
    const bool last = i + 1 == chain.names.size();
    const bool missing_node = last && chain.absent;
    o += "<g class=\"zone-node\"><title>" + E(chain.names[i]) + "</title><rect x=\"" + std::to_string(x) + "\" y=\"" +
         std::to_string(L::kMargin) + "\" width=\"" + std::to_string(L::kChainBoxW) + "\" height=\"" +
         std::to_string(L::kChainH) + "\" rx=\"5\" fill=\"" + (missing_node ? "#ffebee" : last ? "#e3f2fd" : "#fafafa") +
         "\" stroke=\"" + (missing_node ? "#c62828\" stroke-dasharray=\"5 3" : "#607d8b") + "\"/><text x=\"" +
         std::to_string(x + L::kChainBoxW / 2) + "\" y=\"" + std::to_string(L::kMargin + 19) + "\" text-anchor=\"middle\"" +
         (last ? " font-weight=\"700\"" : "") + ">" + E(clip(chain.names[i], 28)) + "</text></g>\n";
    if (!last)
      o += "<line x1=\"" + std::to_string(x + L::kChainBoxW) + "\" y1=\"" + std::to_string(L::kMargin + L::kChainH / 2) +
           "\" x2=\"" + std::to_string(x + L::kChainBoxW + L::kChainGap) + "\" y2=\"" +
           std::to_string(L::kMargin + L::kChainH / 2) + "\" stroke=\"#777\" marker-end=\"url(#arrow)\"/>\n";
    if (!missing_node) zone_x = x;
  }
  return zone_x;
}

// Column heads, then one box per run of addresses of the same NS name (with an edge from the zone), one
// per address.
void draw_servers(std::string& o, const RecordGrid& g, const WalkLayout& l, int zone_x) {
  using L = WalkLayout;
  const int head_y = L::kGridTop;
  o += "<text x=\"" + std::to_string(L::kNsX) + "\" y=\"" + std::to_string(head_y + 20) +
       "\" font-weight=\"700\">NS name</text><text x=\"" + std::to_string(L::kAddrX) + "\" y=\"" +
       std::to_string(head_y + 20) + "\" font-weight=\"700\">address</text>\n";
  for (int c = 0; c < l.cols; ++c) {
    const auto& r = g.records[static_cast<std::size_t>(c)];
    o += "<g class=\"record-head\"><title>" + E(r.type + " " + r.name) + "</title><text x=\"" +
         std::to_string(L::kCellsX + c * L::kCellW + L::kCellW / 2) + "\" y=\"" + std::to_string(head_y + 20) +
         "\" text-anchor=\"middle\" font-weight=\"700\">R" + std::to_string(c + 1) + " " + E(r.type) + "</text></g>\n";
  }
  if (l.rows == 0)
    o += "<text x=\"" + std::to_string(L::kNsX) + "\" y=\"" + std::to_string(head_y + L::kHeadH + 18) +
         "\">No authoritative server address was found.</text>\n";
  for (int r = 0; r < l.rows;) {
    int end = r + 1;
    while (end < l.rows && g.servers[static_cast<std::size_t>(end)].ns_name == g.servers[static_cast<std::size_t>(r)].ns_name) ++end;
    const int y = l.row_y(r);
    const int h = (end - r) * L::kRowH - 4;
    const auto& ns = g.servers[static_cast<std::size_t>(r)].ns_name;
    o += "<path d=\"M" + std::to_string(zone_x + L::kChainBoxW / 2) + "," + std::to_string(L::kMargin + L::kChainH) + " V" +
         std::to_string(L::kGridTop + 4) + " H" + std::to_string(L::kBusX) + " V" + std::to_string(y + (h / 2)) + " H" +
         std::to_string(L::kNsX) + "\" fill=\"none\" stroke=\"#78909c\" marker-end=\"url(#arrow)\"/>\n";
    o += "<g class=\"ns-node\"><title>" + E(ns) + "</title><rect x=\"" + std::to_string(L::kNsX) + "\" y=\"" +
         std::to_string(y) + "\" width=\"" + std::to_string(L::kNsW) + "\" height=\"" + std::to_string(h) +
         "\" rx=\"4\" fill=\"#eceff1\" stroke=\"#90a4ae\"/><text x=\"" + std::to_string(L::kNsX + 8) + "\" y=\"" +
         std::to_string(y + 17) + "\">" + E(clip(ns, 32)) + "</text></g>\n";
    r = end;
  }
  for (int r = 0; r < l.rows; ++r) {
    const auto& s = g.servers[static_cast<std::size_t>(r)];
    const int y = l.row_y(r);
    o += "<g class=\"addr-node\"><title>" + E(s.ns_name + " " + s.address) + "</title><rect x=\"" +
         std::to_string(L::kAddrX) + "\" y=\"" + std::to_string(y) + "\" width=\"" + std::to_string(L::kAddrW) +
         "\" height=\"" + std::to_string(L::kRowH - 4) + "\" rx=\"3\" fill=\"#fff\" stroke=\"#90a4ae\"/><text x=\"" +
         std::to_string(L::kAddrX + 8) + "\" y=\"" + std::to_string(y + 17) + "\" font-family=\"ui-monospace,monospace\">" +
         E(clip(s.address, 26)) + "</text></g>\n";
  }
}

// One cell per (expected record x address), coloured by what that server serves.
void draw_cells(std::string& o, const RecordGrid& g, const WalkLayout& l) {
  using L = WalkLayout;
  for (const auto& c : g.cells) {
    const auto look = look_of(c.state);
    const int x = L::kCellsX + static_cast<int>(c.record) * L::kCellW;
    const int y = l.row_y(static_cast<int>(c.server));
    const auto& s = g.servers[c.server];
    const auto& r = g.records[c.record];
    o += "<g class=\"cell cell-" + std::string(to_string(c.state)) + "\" data-record=\"" + std::to_string(c.record) +
         "\" data-server=\"" + std::to_string(c.server) + "\" data-state=\"" + std::string(to_string(c.state)) +
         "\"><title>" + E(r.type + " " + r.name + " at " + s.ns_name + " (" + s.address + "): " + c.detail) +
         "</title><rect x=\"" + std::to_string(x + 2) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
         std::to_string(L::kCellW - 4) + "\" height=\"" + std::to_string(L::kRowH - 4) + "\" rx=\"3\" fill=\"" +
         std::string(look.fill) + "\" stroke=\"#fff\"/><text x=\"" + std::to_string(x + L::kCellW / 2) + "\" y=\"" +
         std::to_string(y + 17) + "\" text-anchor=\"middle\" fill=\"" + std::string(look.text) + "\">" +
         std::string(look.label) + "</text></g>\n";
  }
}

// The legend and the columns' records, as text (readable without hovering, and by screen readers).
void render_walk_legend(std::string& o, const RecordGrid& g) {
  o += "<p class=\"legend\">";
  for (auto s : {CellState::present, CellState::missing, CellState::different, CellState::no_answer,
                 CellState::refused_by_policy, CellState::unreachable_from_host, CellState::not_asked}) {
    const auto look = look_of(s);
    o += "<span><span class=\"swatch\" style=\"background:" + std::string(look.fill) + "\"></span>" +
         std::string(look.meaning) + "</span>";
  }
  o += "</p>\n";
  if (g.records.empty()) return;
  o += "<table class=\"grid-records\"><tr><th>Column</th><th>Type</th><th>Name</th><th>Expected value</th></tr>\n";
  for (std::size_t i = 0; i < g.records.size(); ++i) {
    const auto& r = g.records[i];
    o += "<tr><td>R" + std::to_string(i + 1) + "</td><td>" + E(r.type) + "</td><td><code>" + E(r.name) +
         "</code></td><td>" + (r.value.empty() ? std::string("<span class=\"muted\">any</span>")
                                               : "<code>" + E(clip(r.value, 120)) + "</code>") +
         "</td></tr>\n";
  }
  o += "</table>\n";
}

// The walk, drawn: root -> TLD -> parent -> zone along the top; below, one box per NS name of the
// delegation, one per address, and one cell per (expected record x address).
void render_walk(std::string& o, const CheckResult& result, const RecordGrid& g) {
  const auto& d = result.observations.delegation;
  o += "<section id=\"walk\">\n<h2>The walk</h2>\n";
  if (!d.complete && !d.error.empty())
    o += "<p>The delegation could not be walked: <code>" + E(d.error) + "</code></p>\n";
  const ZoneChain chain = zone_chain(result);
  const WalkLayout l = walk_layout(g, chain);
  o += "<div class=\"walk\"><svg role=\"img\" width=\"" + std::to_string(l.width) +
       "\" height=\"" + std::to_string(l.height) + "\" viewBox=\"0 0 " + std::to_string(l.width) + " " +
       std::to_string(l.height) + "\" font-family=\"system-ui,sans-serif\" font-size=\"12\">\n";
  o += "<title>Delegation of " + E(chain.zone.empty() ? bare(result.identity.domain) : chain.zone) +
       " and what each authoritative server serves</title>\n";
  o += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
       "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#777\"/></marker></defs>\n";
  const int zone_x = draw_zone_chain(o, chain);
  draw_servers(o, g, l, zone_x);
  draw_cells(o, g, l);
  o += "</svg></div>\n";
  render_walk_legend(o, g);
  o += "</section>\n";
}

}  // namespace

std::string render_html(const CheckResult& result) {
  const std::string domain = bare(result.identity.domain);
  const std::string verdict(diagnose::to_string(result.judgement.verdict));
  std::vector<const Finding*> problems, not_checked, notes, advice, passed;
  for (const auto& f : result.judgement.findings) {
    if (diagnose::is_problem(f)) problems.push_back(&f);
    else switch (diagnose::class_of(f.code)) {
        case FindingClass::not_checked: not_checked.push_back(&f); break;
        case FindingClass::advice: advice.push_back(&f); break;
        case FindingClass::passed: passed.push_back(&f); break;
        default: notes.push_back(&f); break;
      }
  }
  const RecordGrid grid = diagnose::record_grid(result.expected, result.observations);
  std::string o;
  o.reserve(32768);
  o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       "<meta name=\"generator\" content=\"dkimdoctor\">\n<title>dkimdoctor: " + E(domain) + " " + E(verdict) +
       "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  o += "<header>\n<h1>DKIM check of <code>" + E(domain) + "</code></h1>\n<p><span class=\"verdict verdict-" + verdict +
       "\" id=\"verdict\" data-verdict=\"" + verdict + "\">" + std::string(verdict_label(result.judgement.verdict)) +
       "</span></p>\n<p class=\"headline\" id=\"headline\">" + E(result.judgement.headline) + "</p>\n";
  o += "<p class=\"counts\">" + std::to_string(problems.size()) + (problems.size() == 1 ? " problem, " : " problems, ") +
       std::to_string(not_checked.size()) + " not checked, " + std::to_string(advice.size()) + " advice, " +
       std::to_string(passed.size()) + (passed.size() == 1 ? " check passed" : " checks passed") + "</p>\n";
  if (!result.host_limits.empty()) {
    o += "<p class=\"muted\">Not checked from this host (it has no route there; not the domain's fault): ";
    for (std::size_t i = 0; i < result.host_limits.size(); ++i)
      o += (i ? ", " : "") + std::string("<code>") + E(result.host_limits[i]) + "</code>";
    o += "</p>\n";
  }
  for (const auto& n : result.notes) o += "<p class=\"muted\">Note: " + E(n) + "</p>\n";
  for (const auto& u : result.identity.understood) o += "<p class=\"muted\">Input: " + E(u) + "</p>\n";
  o += "</header>\n";
  std::size_t index = 0;
  render_section(o, "problems", "Problems", "", problems, index);
  render_section(o, "not-checked", "Not checked", "The verdict cannot be OK while these stand.", not_checked, index);
  render_walk(o, result, grid);
  render_section(o, "notes", "Notes", "", notes, index);
  render_section(o, "advice", "Advice", "Deliverability, not verification: advice never changes the verdict.",
                 advice, index);
  if (!passed.empty()) {
    o += "<section id=\"passed\" class=\"passed\">\n<h2>Passed (" + std::to_string(passed.size()) + ")</h2>\n<ul>\n";
    for (const auto* f : passed) {
      o += "<li data-code=\"" + E(diagnose::to_string(f->code)) + "\"" +
           (diagnose::hidden_by_dnssec(*f) ? " class=\"hidden-by-dnssec\"" : "") + "><strong>" +
           E(diagnose::to_string(f->code)) + "</strong> " + E(f->message);
      if (!f->evidence.empty()) {
        o += "<details><summary>Trace</summary><ul class=\"trace\">";
        for (const auto& e : f->evidence) o += "<li><code>" + E(e) + "</code></li>";
        o += "</ul></details>";
      }
      o += "</li>\n";
    }
    o += "</ul>\n</section>\n";
  }
  o += "<footer>dkimdoctor check: " + std::to_string(result.queries) + " queries in " +
       std::to_string(result.elapsed.count() / 1000) + " ms. The same result as <code>check --json</code>.</footer>\n";
  o += "</body>\n</html>\n";
  return o;
}

}  // namespace dkimdoctor::cli
