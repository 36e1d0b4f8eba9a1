#include "cli/bulk_html.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "cli/html_report.hpp"

namespace dkimdoctor::cli {
namespace {

std::string E(std::string_view s) { return html_escape(s); }

// The classes a row's digits index, in the order of bulk_summary's class ranking (blocks first).
constexpr std::array<std::string_view, 5> kClasses = {"blocks", "may_block", "not_checked", "advice", "note"};

char class_digit(std::string_view cls) {
  const auto it = std::find(kClasses.begin(), kClasses.end(), cls);
  return static_cast<char>('0' + (it == kClasses.end() ? 4 : it - kClasses.begin()));
}

std::string_view class_colour(std::string_view cls) {
  if (cls == "blocks") return "#c62828";
  if (cls == "may_block") return "#ef6c00";
  if (cls == "not_checked") return "#6a1b9a";
  if (cls == "advice") return "#1565c0";
  return "#78909c";
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

constexpr std::string_view kStyle = R"(
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:1em 1.5em;color:#1b1b1b;background:#fff}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.4em 0 .5em;border-bottom:1px solid #ddd;padding-bottom:.2em}
code{font:13px ui-monospace,Menlo,Consolas,monospace;background:#f3f3f3;padding:.05em .3em;border-radius:3px;overflow-wrap:anywhere}
.muted{color:#666}dl.figures{display:flex;flex-wrap:wrap;gap:.4em 1.6em;margin:.6em 0}dl.figures div{min-width:7em}
dl.figures dt{color:#666;font-size:.8em}dl.figures dd{margin:0;font-size:1.25em;font-weight:600}
.chart svg text{font:12px system-ui,sans-serif}.chart a:hover rect{opacity:.75}
.controls{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:center;margin:.6em 0}.controls input{min-width:18em}
table#domains{border-collapse:collapse;width:100%;table-layout:fixed}
#domains th,#domains td{border-bottom:1px solid #e4e4e4;padding:.25em .4em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
#domains th button{font:inherit;font-weight:600;border:0;background:none;cursor:pointer;padding:0}
#domains th[aria-sort=ascending] button::after{content:" \25B2"}#domains th[aria-sort=descending] button::after{content:" \25BC"}
.v{display:inline-block;padding:0 .5em;border-radius:3px;color:#fff;font-size:.85em;font-weight:600}
.v-ok{background:#2e7d32}.v-problems{background:#c62828}.v-incomplete{background:#8d6e00}
.c{display:inline-block;font:12px ui-monospace,Menlo,Consolas,monospace;margin:0 .3em .1em 0;padding:0 .3em;border-radius:3px;border-left:4px solid #78909c;background:#f3f3f3}
.c-blocks{border-color:#c62828}.c-may_block{border-color:#ef6c00}.c-not_checked{border-color:#6a1b9a}.c-advice{border-color:#1565c0}
#detail{border:1px solid #ccc;border-radius:4px;padding:.6em 1em;margin:1em 0;background:#fafafa}
.finding{border-left:5px solid #78909c;padding:.2em .7em;margin:.5em 0;background:#fff}
.fix{background:#fff8e1;padding:.3em .5em;border-radius:3px}code.copy{user-select:all;display:inline-block;background:#e8f0fe}
footer{margin-top:2em;color:#666;font-size:.85em}
)";

// The page's only script: renders the rows of #rows (see dashboard_row()) a page at a time; the state
// (filter, sort, page, open domain) lives in the URL fragment, so a view can be linked and the tests
// drive it with `#sort=domain&desc=1` and `chromium --dump-dom`. DNS text reaches the page through
// textContent only.
constexpr std::string_view kScript = R"JS(
(function () {
"use strict";
var CLS = ["blocks", "may_block", "not_checked", "advice", "note"];
var RANK = {ok: 0, problems: 1, incomplete: 2};
var LABEL = {ok: "OK", problems: "Problems", incomplete: "Could not tell"};
var PAGE = 200;
var started = performance.now();
var data = JSON.parse(document.getElementById("rows").textContent);
var shared = JSON.parse(document.getElementById("shared").textContent);
// A row's text: an index into the shared texts or the text; U+0001 stands for the row's domain.
function text(v, domain) {
  if (typeof v === "number") v = shared[v];
  if (typeof v !== "string") return "";
  return v.indexOf("\u0001") < 0 ? v : v.split("\u0001").join(domain);
}
var n = data.length, i;
var low = new Array(n);
for (i = 0; i < n; i++) {
  var r0 = data[i];
  r0[3] = text(r0[3], r0[1]);
  r0[4] = text(r0[4], r0[1]);
  r0[5] = text(r0[5], r0[1]);
  low[i] = (r0[1] + " " + r0[4] + " " + r0[3]).toLowerCase();
}
function $(id) { return document.getElementById(id); }
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
var state = {}, view = [], viewKey = null;
function read() {
  var p = new URLSearchParams(location.hash.slice(1));
  state = {q: p.get("q") || "", verdict: p.get("verdict") || "", code: p.get("code") || "",
           sort: p.get("sort") || "line", desc: p.get("desc") === "1",
           page: Math.max(0, parseInt(p.get("page") || "0", 10) || 0), open: p.get("open") || ""};
}
function hash(s) {
  var p = new URLSearchParams();
  if (s.q) p.set("q", s.q);
  if (s.verdict) p.set("verdict", s.verdict);
  if (s.code) p.set("code", s.code);
  if (s.sort !== "line") p.set("sort", s.sort);
  if (s.desc) p.set("desc", "1");
  if (s.page) p.set("page", String(s.page));
  if (s.open) p.set("open", s.open);
  return "#" + p.toString();
}
function go(change) {
  for (var k in change) state[k] = change[k];
  try { history.replaceState(null, "", hash(state)); } catch (e) { /* a file: URL may refuse it */ }
  render();
}
var keyOf = {
  line: function (r) { return r[0]; }, domain: function (r) { return r[1]; },
  verdict: function (r) { return RANK[r[2]]; }, codes: function (r) { return r[4]; },
  headline: function (r) { return r[3]; }
};
function compute() {
  var q = state.q.toLowerCase(), code = state.code ? " " + state.code + " " : "", out = [];
  for (var j = 0; j < n; j++) {
    var r = data[j];
    if (state.verdict && r[2] !== state.verdict) continue;
    if (code && (" " + r[4] + " ").indexOf(code) < 0) continue;
    if (q && low[j].indexOf(q) < 0) continue;
    out.push(r);
  }
  var key = keyOf[state.sort] || keyOf.line, dir = state.desc ? -1 : 1;
  out.sort(function (a, b) {
    var x = key(a), y = key(b);
    if (x < y) return -dir;
    if (x > y) return dir;
    return a[0] - b[0];
  });
  return out;
}
function codes(td, r) {
  var list = r[4] ? r[4].split(" ") : [];
  for (var j = 0; j < list.length; j++) td.appendChild(el("span", "c c-" + CLS[+r[5].charAt(j)], list[j]));
}
function row(r) {
  var tr = el("tr");
  tr.appendChild(el("td", "", String(r[0])));
  var td = el("td"), a = el("a", "", r[1] || "(input error)");
  a.href = hash({q: state.q, verdict: state.verdict, code: state.code, sort: state.sort, desc: state.desc,
                 page: state.page, open: String(r[0])});
  td.appendChild(a);
  tr.appendChild(td);
  td = el("td");
  td.appendChild(el("span", "v v-" + r[2], LABEL[r[2]] || r[2]));
  tr.appendChild(td);
  td = el("td");
  codes(td, r);
  tr.appendChild(td);
  tr.appendChild(el("td", "", r[3]));
  return tr;
}
function detail() {
  var box = $("detail"), r = null;
  box.textContent = "";
  if (state.open) for (var j = 0; j < n; j++) if (String(data[j][0]) === state.open) { r = data[j]; break; }
  box.hidden = !r;
  if (!r) return;
  var close = el("a", "", "close");
  close.href = hash({q: state.q, verdict: state.verdict, code: state.code, sort: state.sort, desc: state.desc,
                     page: state.page, open: ""});
  close.style.float = "right";
  box.appendChild(close);
  var h = el("h2", "", "");
  h.appendChild(el("code", "", r[1] || "(input error)"));
  h.appendChild(document.createTextNode(" line " + r[0] + " "));
  h.appendChild(el("span", "v v-" + r[2], LABEL[r[2]] || r[2]));
  box.appendChild(h);
  box.appendChild(el("p", "", r[3]));
  var f = r[6];
  if (!f.length && r[4]) {
    box.appendChild(el("p", "muted", "Read back from an earlier run: its codes only."));
    var p = el("p");
    codes(p, r);
    box.appendChild(p);
  }
  for (var j = 0; j < f.length; j++) {
    var x = [text(f[j][0], r[1]), f[j][1], text(f[j][2], r[1]), text(f[j][3], r[1]), text(f[j][4], r[1]),
             f[j][5] ? [text(f[j][5][0], r[1]), text(f[j][5][1], r[1]), text(f[j][5][2], r[1])] : 0];
    var d = el("div", "finding");
    d.style.borderLeftColor = ["#c62828", "#ef6c00", "#6a1b9a", "#1565c0", "#78909c"][f[j][1]] || "#78909c";
    var t = el("p");
    t.appendChild(el("strong", "", x[0]));
    t.appendChild(document.createTextNode(" " + (CLS[f[j][1]] || "") + (x[2] ? "  " + x[2] : "")));
    d.appendChild(t);
    d.appendChild(el("p", "", x[3]));
    if (x[4]) d.appendChild(el("p", "fix", "Fix: " + x[4]));
    var rec = x[5];
    if (rec) {
      var c = el("p", "muted", "The record to publish: ");
      c.appendChild(el("code", "copy", rec[0] + " " + rec[1] + " " + rec[2]));
      d.appendChild(c);
    }
    box.appendChild(d);
  }
  if (r[1]) {
    var m = el("p", "muted", "The walk, every server's answer and the trace: ");
    m.appendChild(el("code", "copy", "dkimdoctor check " + r[1] + " --html " + r[1] + ".html"));
    box.appendChild(m);
  }
}
function render() {
  var key = [state.q, state.verdict, state.code, state.sort, state.desc].join("\u0000");
  if (key !== viewKey) { view = compute(); viewKey = key; }
  var pages = Math.max(1, Math.ceil(view.length / PAGE));
  if (state.page >= pages) state.page = pages - 1;
  var body = $("tbody"), frag = document.createDocumentFragment();
  var end = Math.min(view.length, (state.page + 1) * PAGE);
  for (var j = state.page * PAGE; j < end; j++) frag.appendChild(row(view[j]));
  body.textContent = "";
  body.appendChild(frag);
  var table = $("domains");
  table.setAttribute("data-shown", String(view.length));
  table.setAttribute("data-page", String(state.page));
  $("shown").textContent = view.length + " of " + n + " domains" +
      (view.length > PAGE ? ", page " + (state.page + 1) + " of " + pages : "");
  $("prev").disabled = state.page === 0;
  $("next").disabled = state.page + 1 >= pages;
  if (document.activeElement !== $("q")) $("q").value = state.q;
  $("verdict").value = state.verdict;
  $("code").value = state.code;
  var ths = document.querySelectorAll("#domains th[data-sort]");
  for (var k = 0; k < ths.length; k++) {
    var s = ths[k].getAttribute("data-sort");
    if (s === state.sort) ths[k].setAttribute("aria-sort", state.desc ? "descending" : "ascending");
    else ths[k].removeAttribute("aria-sort");
  }
  detail();
}
$("q").addEventListener("input", function () { go({q: this.value, page: 0}); });
$("verdict").addEventListener("change", function () { go({verdict: this.value, page: 0}); });
$("code").addEventListener("change", function () { go({code: this.value, page: 0}); });
$("prev").addEventListener("click", function () { go({page: Math.max(0, state.page - 1)}); });
$("next").addEventListener("click", function () { go({page: state.page + 1}); });
var heads = document.querySelectorAll("#domains th[data-sort] button");
for (i = 0; i < heads.length; i++) heads[i].addEventListener("click", function () {
  var s = this.parentNode.getAttribute("data-sort");
  go({sort: s, desc: s === state.sort ? !state.desc : false, page: 0});
});
window.addEventListener("hashchange", function () { read(); render(); });
$("controls").hidden = false;
read();
render();
document.body.setAttribute("data-render-ms", String(Math.round(performance.now() - started)));
document.body.setAttribute("data-ready", "1");
})();
)JS";

std::string sha256_base64(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr) != 1) return {};
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

struct Bar {
  std::string label, colour, href, cls;
  std::uint64_t count;
};

// One horizontal bar chart: a label column, bars scaled to the largest count, the count after each bar.
void render_bars(std::string& o, std::string_view title, const std::vector<Bar>& bars, std::string_view id) {
  constexpr int kLabelW = 300, kBarW = 380, kRowH = 22, kWidth = kLabelW + kBarW + 80;
  std::uint64_t max = 1;
  for (const auto& b : bars) max = std::max(max, b.count);
  const int height = static_cast<int>(bars.size()) * kRowH + 8;
  o += "<figure class=\"chart\" id=\"" + std::string(id) + "\"><figcaption>" + E(title) + "</figcaption>\n";
  o += "<svg role=\"img\" width=\"" + std::to_string(kWidth) + "\" height=\"" + std::to_string(height) +
       "\" viewBox=\"0 0 " + std::to_string(kWidth) + " " + std::to_string(height) +
       "\">\n";
  int y = 4;
  for (const auto& b : bars) {
    const int w = b.count == 0 ? 0 : std::max(2, static_cast<int>(static_cast<double>(b.count) * kBarW / static_cast<double>(max)));
    o += "<a href=\"" + E(b.href) + "\"><g class=\"bar\" data-label=\"" + E(b.label) + "\" data-count=\"" +
         std::to_string(b.count) + "\"><title>" + E(b.label) + ": " + std::to_string(b.count) +
         (b.count == 1 ? " domain" : " domains") + (b.cls.empty() ? "" : " (" + E(b.cls) + ")") + "</title>";
    o += "<text x=\"" + std::to_string(kLabelW - 6) + "\" y=\"" + std::to_string(y + 15) + "\" text-anchor=\"end\">" +
         E(b.label) + "</text>";
    o += "<rect x=\"" + std::to_string(kLabelW) + "\" y=\"" + std::to_string(y + 2) + "\" width=\"" + std::to_string(w) +
         "\" height=\"" + std::to_string(kRowH - 6) + "\" fill=\"" + b.colour + "\"/>";
    o += "<text x=\"" + std::to_string(kLabelW + w + 6) + "\" y=\"" + std::to_string(y + 15) + "\">" +
         std::to_string(b.count) + "</text></g></a>\n";
    y += kRowH;
  }
  o += "</svg></figure>\n";
}

void figure(std::string& o, std::string_view label, const std::string& value, std::string_view id) {
  o += "<div><dt>" + std::string(label) + "</dt><dd id=\"" + std::string(id) + "\">" + value + "</dd></div>";
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

// The page before the rows' JSON and after it.
std::pair<std::string, std::string> page_parts(const BulkSummary& summary, const RunFigures& fig, std::string_view where,
                                               const std::map<std::string, std::pair<std::string, std::uint64_t>>& codes,
                                               std::uint64_t rows, const SharedTexts& shared) {
  std::string head;
  head.reserve(16384);
  head += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
          "script-src 'sha256-" + sha256_base64(kScript) + "'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"dkimdoctor\">\n<title>dkimdoctor bulk: " + std::to_string(summary.domains()) +
          " domains</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  head += "<header>\n<h1>dkimdoctor bulk: " + std::to_string(summary.domains()) + (summary.domains() == 1 ? " domain" : " domains") +
          "</h1>\n<p class=\"muted\">Results in <code>" + E(where) + "</code>, written " + utc_now() + ".</p>\n";
  if (fig.signal != 0) {
    head += "<p><strong>Interrupted by signal " + std::to_string(fig.signal) +
            "</strong>: run again with <code>--resume</code> to finish.</p>\n";
  }
  head += "<dl class=\"figures\">";
  figure(head, "Will verify", std::to_string(summary.will_verify()), "fig-ok");
  figure(head, "Will not verify", std::to_string(summary.will_not()), "fig-problems");
  figure(head, "Could not tell", std::to_string(summary.could_not_tell()), "fig-incomplete");
  figure(head, "Checked by this run", std::to_string(fig.checked), "fig-checked");
  figure(head, "Time", fixed(fig.seconds, 1) + " s", "fig-seconds");
  figure(head, "Domains/s", fixed(fig.seconds > 0 ? static_cast<double>(fig.checked) / fig.seconds : 0.0, 1), "fig-rate");
  figure(head, "Queries sent", std::to_string(fig.queries), "fig-queries");
  figure(head, "Queries/domain",
         fixed(fig.checked > 0 ? static_cast<double>(fig.queries) / static_cast<double>(fig.checked) : 0.0, 1),
         "fig-queries-per-domain");
  if (summary.from_earlier() > 0) figure(head, "From earlier runs", std::to_string(summary.from_earlier()), "fig-earlier");
  if (fig.skipped > 0) figure(head, "Skipped as done", std::to_string(fig.skipped), "fig-skipped");
  head += "</dl>\n</header>\n<section id=\"charts\">\n<h2>Domains by verdict and by finding</h2>\n";
  render_bars(head, "Verdict",
              {{"will verify (ok)", "#2e7d32", "#verdict=ok", "", summary.will_verify()},
               {"will not verify (problems)", "#c62828", "#verdict=problems", "", summary.will_not()},
               {"could not tell (incomplete)", "#8d6e00", "#verdict=incomplete", "", summary.could_not_tell()}},
              "chart-verdicts");
  std::vector<Bar> code_bars;
  for (const auto& [code, cc] : codes) code_bars.push_back({code, std::string(class_colour(cc.first)), "#code=" + code, cc.first, cc.second});
  std::stable_sort(code_bars.begin(), code_bars.end(), [](const Bar& a, const Bar& b) {
    if (a.cls != b.cls) return class_digit(a.cls) < class_digit(b.cls);
    return a.count > b.count;
  });
  if (code_bars.empty()) {
    head += "<p class=\"muted\">No finding other than passed checks.</p>\n";
  } else {
    render_bars(head, "Finding codes (domains; colour: red blocks, orange may block, purple not checked, blue advice, grey note)",
                code_bars, "chart-codes");
  }
  head += "</section>\n<section id=\"table\">\n<h2>Every domain</h2>\n"
          "<noscript><p>The table needs JavaScript (the page's own inline script; nothing is fetched). The "
          "figures and the chart above do not.</p></noscript>\n"
          "<div class=\"controls\" id=\"controls\" hidden>"
          "<input id=\"q\" type=\"search\" placeholder=\"Filter: domain, code or headline\" aria-label=\"Filter\">"
          "<select id=\"verdict\" aria-label=\"Verdict\"><option value=\"\">every verdict</option>"
          "<option value=\"ok\">OK</option><option value=\"problems\">Problems</option>"
          "<option value=\"incomplete\">Could not tell</option></select>"
          "<select id=\"code\" aria-label=\"Finding code\"><option value=\"\">every code</option>";
  for (const auto& [code, cc] : codes) head += "<option value=\"" + E(code) + "\">" + E(code) + "</option>";
  head += "</select><button type=\"button\" id=\"prev\">previous</button><button type=\"button\" id=\"next\">next</button>"
          "<span id=\"shown\" class=\"muted\"></span></div>\n"
          "<div id=\"detail\" hidden></div>\n"
          "<table id=\"domains\" data-total=\"" + std::to_string(rows) + "\"><colgroup><col style=\"width:5em\">"
          "<col style=\"width:22%\"><col style=\"width:8.5em\"><col style=\"width:26%\"><col></colgroup>\n"
          "<thead><tr><th data-sort=\"line\"><button type=\"button\">Line</button></th>"
          "<th data-sort=\"domain\"><button type=\"button\">Domain</button></th>"
          "<th data-sort=\"verdict\"><button type=\"button\">Verdict</button></th>"
          "<th data-sort=\"codes\"><button type=\"button\">Codes</button></th>"
          "<th data-sort=\"headline\"><button type=\"button\">Headline</button></th></tr></thead>\n"
          "<tbody id=\"tbody\"></tbody></table>\n</section>\n"
          "<script type=\"application/json\" id=\"rows\">";
  std::string tail = "</script>\n<script type=\"application/json\" id=\"shared\">" + shared.json() +
                     "</script>\n<footer>dkimdoctor bulk --html: " + std::to_string(rows) +
                     " rows. The same results as the JSON lines; one domain's walk: <code>dkimdoctor check DOMAIN "
                     "--html FILE</code>.</footer>\n<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return {std::move(head), std::move(tail)};
}

}  // namespace

std::string json_for_script(const nlohmann::json& j) {
  const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' && (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

nlohmann::json SharedTexts::ref(const std::string& text) {
  if (auto it = index_.find(text); it != index_.end()) return it->second;
  const std::uint64_t h = std::hash<std::string>{}(text);
  if (seen_once_.insert(h).second || bytes_ + text.size() > kMaxSharedBytes) return text;
  seen_once_.erase(h);
  bytes_ += text.size();
  const auto i = static_cast<std::uint32_t>(index_.size());
  index_.emplace(text, i);
  return i;
}

std::string SharedTexts::json() const {
  std::vector<const std::string*> by_index(index_.size());
  for (const auto& [text, i] : index_) by_index[i] = &text;
  nlohmann::json j = nlohmann::json::array();
  for (const auto* t : by_index) j.push_back(*t);
  return json_for_script(j);
}

std::string domain_marked(const std::string& text, const std::string& domain) {
  if (domain.empty() || text.find(kDomainMark) != std::string::npos) return text;
  std::string out;
  std::size_t from = 0;
  for (auto at = text.find(domain); at != std::string::npos; at = text.find(domain, from)) {
    out.append(text, from, at - from);
    out += kDomainMark;
    from = at + domain.size();
  }
  out.append(text, from);
  return out;
}

std::string dashboard_row(const LineDigest& d, const nlohmann::json* result, SharedTexts& shared) {
  const auto ref = [&](const std::string& text) { return shared.ref(domain_marked(text, d.domain)); };
  std::string codes, classes;
  for (const auto& c : d.codes) {
    codes += (codes.empty() ? "" : " ") + c.code;
    classes += class_digit(c.cls);
  }
  nlohmann::json findings = nlohmann::json::array();
  if (result != nullptr) {
    if (auto it = result->find("findings"); it != result->end() && it->is_array()) {
      for (const auto& f : *it) {
        if (!f.is_object()) continue;
        const std::string cls = finding_class(f);
        if (cls == "passed") continue;
        const auto text = [&](const char* key) {
          auto v = f.find(key);
          return v != f.end() && v->is_string() ? v->get<std::string>() : std::string();
        };
        nlohmann::json record = 0;
        if (auto r = f.find("record"); r != f.end() && r->is_object()) {
          const auto field = [&](const char* key) {
            auto v = r->find(key);
            return v != r->end() && v->is_string() ? v->get<std::string>() : std::string();
          };
          record = nlohmann::json::array({ref(field("type")), ref(field("name")), ref(field("value"))});
        }
        findings.push_back({ref(text("code")), class_digit(cls) - '0', ref(text("subject")), ref(text("message")),
                            ref(text("fix")), std::move(record)});
      }
    }
  }
  return json_for_script(nlohmann::json::array(
      {d.line, d.domain, d.verdict, ref(d.headline), ref(codes), ref(classes), std::move(findings)}));
}

Result<std::unique_ptr<BulkDashboard>, std::string> BulkDashboard::open(const std::string& path) {
  // Opened for appending (creates, never truncates): an earlier page stays until this run writes its own.
  std::FILE* probe = std::fopen(path.c_str(), "ab");
  if (probe == nullptr) return Unexpected{"cannot write --html " + path + ": " + std::strerror(errno)};
  std::fclose(probe);
  std::FILE* rows = std::tmpfile();
  if (rows == nullptr) return Unexpected{std::string("--html: cannot create a temporary file: ") + std::strerror(errno)};
  return std::unique_ptr<BulkDashboard>(new BulkDashboard(path, rows));
}

BulkDashboard::~BulkDashboard() {
  if (rows_ != nullptr) std::fclose(rows_);
}

void BulkDashboard::add(const LineDigest& digest, const nlohmann::json* result) {
  for (const auto& c : digest.codes) {
    auto& entry = codes_[c.code];
    if (entry.first.empty() || class_digit(c.cls) < class_digit(entry.first)) entry.first = c.cls;
    ++entry.second;
  }
  const std::string row = (row_count_ == 0 ? "" : ",\n") + dashboard_row(digest, result, shared_);
  if (std::fwrite(row.data(), 1, row.size(), rows_) != row.size()) rows_failed_ = true;
  ++row_count_;
}

Result<void, std::string> BulkDashboard::finish(const BulkSummary& summary, const RunFigures& figures,
                                                std::string_view where) {
  const auto [head, tail] = page_parts(summary, figures, where, codes_, row_count_, shared_);
  std::FILE* out = std::fopen(path_.c_str(), "wb");
  if (out == nullptr) return Unexpected{"cannot write --html " + path_ + ": " + std::strerror(errno)};
  bool ok = !rows_failed_ && std::fflush(rows_) == 0 && std::fseek(rows_, 0, SEEK_SET) == 0;
  ok = ok && std::fwrite(head.data(), 1, head.size(), out) == head.size() && std::fputc('[', out) != EOF;
  std::vector<char> buf(1 << 16);
  while (ok) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), rows_);
    if (n == 0) {
      ok = std::ferror(rows_) == 0;
      break;
    }
    ok = std::fwrite(buf.data(), 1, n, out) == n;
  }
  ok = ok && std::fputc(']', out) != EOF && std::fwrite(tail.data(), 1, tail.size(), out) == tail.size();
  const int saved = errno;
  const bool closed = std::fclose(out) == 0;
  if (!ok || !closed) return Unexpected{"writing --html " + path_ + " failed: " + std::strerror(ok ? errno : saved)};
  return {};
}

std::string dashboard_page(const BulkSummary& summary, const RunFigures& figures, std::string_view where,
                           const std::map<std::string, std::pair<std::string, std::uint64_t>>& codes,
                           std::uint64_t rows, std::string_view rows_json, const SharedTexts& shared) {
  const auto [head, tail] = page_parts(summary, figures, where, codes, rows, shared);
  return head + std::string(rows_json) + tail;
}

}  // namespace dkimdoctor::cli
