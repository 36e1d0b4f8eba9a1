// check --html: the page is built from a hand-made CheckResult (a World of six servers: right, stale,
// wrong value, down, private, unreachable from this host) and checked for structure, one grid cell per
// (record x server) with the right state, escaping of hostile DNS text, and no way to fetch anything.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>

#include "cli/check.hpp"
#include "cli/html_report.hpp"
#include "cli/report.hpp"
#include "diagnose/record_grid.hpp"
#include "tests/cli/observed.hpp"
#include "tests/diagnose/world.hpp"

namespace dkimdoctor::cli {

using diagnose::CellState;
using diagnose::GridCell;
using diagnose::RecordGrid;
namespace {

using diagnose::testing::N;
using diagnose::testing::RR;
using diagnose::testing::TXT;
using wire::RRType;

struct EscapeCase {
  const char* name;
  std::string in;
  std::string out;
};

TEST(HtmlEscape, HostileStrings) {
  const std::vector<EscapeCase> cases = {
      {"plain", "x._domainkey.example.com", "x._domainkey.example.com"},
      {"script", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
      {"quotes", "\"onmouseover='x'", "&quot;onmouseover=&#39;x&#39;"},
      {"ampersand", "a&b &amp;", "a&amp;b &amp;amp;"},
      {"utf8 kept", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91"},
      {"lone continuation", "a\x80z", "a\xEF\xBF\xBDz"},
      {"truncated sequence at end", "a\xE2\x82", "a\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"overlong slash", "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"surrogate", "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"above U+10FFFF", "\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"NUL and ESC", std::string("a\0b\x1b[31m", 8), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD[31m"},
      {"tab and newline kept", "a\tb\nc", "a\tb\nc"},
      {"invalid byte before tag", "\xFF<img src=x>", "\xEF\xBF\xBD&lt;img src=x&gt;"},
  };
  for (const auto& c : cases) EXPECT_EQ(html_escape(c.in), c.out) << c.name;
}

const std::string kT1 = "t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kT2 = "t2bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kT3 = "t3cccccccccccccccccccccccccccccc";
const std::string kHostile = "<script>alert(\"x\")</script>&'";

std::string dkim_name(const std::string& t) { return t + "._domainkey.example.com"; }

// Servers: 0 right, 1 stale (lacks T2), 2 serves a wrong T3 target, 3 down, 4 private, 5 not reachable
// from this host.
CheckResult stale_secondary_result() {
  diagnose::testing::World w;
  w.identity.domain = N("example.com");
  w.identity.region = "us-east-1";
  for (const auto& t : {kT1, kT2, kT3}) w.identity.easy_dkim.push_back({t, "us-east-1"});
  w.servers = {{"ns1.provider.test", "127.53.1.1"}, {"ns2.provider.test", "127.53.1.2"},
               {"ns3.provider.test", "127.53.1.3"}, {"ns4.provider.test", "127.53.1.4"},
               {"ns5.provider.test", "10.0.0.53"},  {"ns6.provider.test", "2001:db8::53"}};
  w.zone_records = {
      RR("example.com", RRType::SOA, "ns1.provider.test. hostmaster.example.com. 2026112601 3600 600 86400 900", 3600),
      RR("example.com", RRType::NS, "ns1.provider.test."),
      TXT("_dmarc.example.com", {kHostile}),
  };
  for (const auto& t : {kT1, kT2, kT3}) {
    w.zone_records.push_back(RR(dkim_name(t), RRType::CNAME, t + ".dkim.amazonses.com."));
    w.elsewhere.push_back(TXT(t + ".dkim.amazonses.com", {"v=DKIM1; p=MIIB"}));
  }
  w.hidden.insert({1, dkim_name(kT2) + ". CNAME"});
  w.hidden.insert({2, dkim_name(kT3) + ". CNAME"});
  w.only[2] = {RR(dkim_name(kT3), RRType::CNAME, "wrong.example.net.")};
  w.down.insert(3);
  w.host_limited.insert(5);

  CheckResult r = testing::observed(w);
  // Server 4 is private: refused by policy, never asked (as lookup_from and delegation_from record it).
  auto& d4 = r.observations.delegation.servers[4];
  diagnose::ServerStatus refused;
  refused.ns_name = d4.ns_name;
  refused.address = d4.address;
  refused.private_address = true;
  d4 = refused;
  d4.error = "not queried: private address";
  for (auto& l : r.observations.lookups)
    for (auto& a : l.servers)
      if (a.address == "10.0.0.53") {
        diagnose::ServerAnswer never;
        never.ns_name = a.ns_name;
        never.address = a.address;
        never.queried = false;
        a = never;
      }
  r.judgement = diagnose::judge(r.identity, r.expected, r.observations);
  r.notes.push_back("note with " + kHostile + " and a bad byte \xFF");
  diagnose::Finding hostile = diagnose::make_finding(diagnose::Code::DKIM_RECORD_MISSING, "<b>subject</b>", kHostile);
  hostile.evidence = {"ns1 said " + kHostile};
  hostile.record = diagnose::RecordToPublish{"CNAME", "x._domainkey.example.com", "x._domainkey", "example.com",
                                             "\"><script src=//evil.test/x.js></script>"};
  r.judgement.findings.push_back(hostile);
  r.host_limits = {"ns6.provider.test (2001:db8::53)"};
  return r;
}

TEST(RecordGrid, OneCellPerRecordAndServerWithItsState) {
  const CheckResult r = stale_secondary_result();
  const RecordGrid g = diagnose::record_grid(r.expected, r.observations);
  ASSERT_EQ(g.servers.size(), 6u);
  ASSERT_EQ(g.cells.size(), g.records.size() * g.servers.size());
  std::map<std::pair<std::string, std::size_t>, CellState> state;
  for (const auto& c : g.cells) state[{g.records[c.record].name, c.server}] = c.state;
  const std::map<std::string, std::vector<CellState>> want = {
      {dkim_name(kT1), {CellState::present, CellState::present, CellState::present, CellState::no_answer,
                        CellState::refused_by_policy, CellState::unreachable_from_host}},
      {dkim_name(kT2), {CellState::present, CellState::missing, CellState::present, CellState::no_answer,
                        CellState::refused_by_policy, CellState::unreachable_from_host}},
      {dkim_name(kT3), {CellState::present, CellState::present, CellState::different, CellState::no_answer,
                        CellState::refused_by_policy, CellState::unreachable_from_host}},
  };
  for (const auto& [name, states] : want)
    for (std::size_t s = 0; s < states.size(); ++s) {
      ASSERT_TRUE(state.count({name, s})) << name << " server " << s;
      EXPECT_EQ(to_string(state.at({name, s})), to_string(states[s])) << name << " server " << s;
    }
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

TEST(HtmlReport, StructureCellsAndEscaping) {
  const CheckResult r = stale_secondary_result();
  const std::string page = render_html(r);
  const RecordGrid g = diagnose::record_grid(r.expected, r.observations);
  // To look at the page (in a browser): DKIMDOCTOR_HTML_SAMPLE=/tmp/sample.html cli_tests.
  if (const char* path = std::getenv("DKIMDOCTOR_HTML_SAMPLE")) std::ofstream(path) << page;
  // Verdict and headline come first, before any section.
  const auto verdict = page.find("data-verdict=\"problems\"");
  ASSERT_NE(verdict, std::string::npos);
  EXPECT_LT(verdict, page.find("<section"));
  EXPECT_LT(page.find("id=\"headline\""), page.find("<section"));
  EXPECT_LT(page.find("id=\"problems\""), page.find("id=\"walk\""));
  EXPECT_LT(page.find("id=\"walk\""), page.find("id=\"passed\""));
  // The picture: one node per NS name and per address, one cell per (record x server), each with its state.
  EXPECT_EQ(count(page, "class=\"ns-node\""), 6u);
  EXPECT_EQ(count(page, "class=\"addr-node\""), 6u);
  EXPECT_EQ(count(page, "<g class=\"cell "), g.records.size() * 6);
  for (const auto& c : g.cells) {
    const std::string cell = "data-record=\"" + std::to_string(c.record) + "\" data-server=\"" +
                             std::to_string(c.server) + "\" data-state=\"" + std::string(to_string(c.state)) + "\"";
    EXPECT_EQ(count(page, cell), 1u) << cell;
  }
  EXPECT_NE(page.find("data-state=\"missing\""), std::string::npos);  // the stale secondary stands out
  // The stale server's problem is listed with its trace and the record to publish.
  EXPECT_NE(page.find("data-code=\"RECORD_INCONSISTENT\""), std::string::npos) << page;
  EXPECT_NE(page.find("<details>"), std::string::npos);
  EXPECT_NE(page.find("<code class=\"copy record-value\">"), std::string::npos);
  // Hostile text shows as text: no tag, quote or attribute from DNS or input survives.
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("<b>subject"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"), std::string::npos);
  EXPECT_NE(page.find("&quot;&gt;&lt;script src=//evil.test/x.js&gt;"), std::string::npos);
  EXPECT_EQ(page.find('\xFF'), std::string::npos);
  // Self-contained: nothing to fetch.
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("url(http"), std::string::npos);
  EXPECT_FALSE(std::regex_search(page, std::regex("<[a-z]+[^>]* (src|href)=")));
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
}

TEST(HtmlReport, JsonCarriesTheSameCells) {
  const CheckResult r = stale_secondary_result();
  nlohmann::json j;
  j["cells"] = cells_json(r);
  const RecordGrid g = diagnose::record_grid(r.expected, r.observations);
  ASSERT_EQ(j["cells"].size(), g.cells.size());
  for (std::size_t i = 0; i < g.cells.size(); ++i) {
    const auto& c = g.cells[i];
    EXPECT_EQ(j["cells"][i]["name"], g.records[c.record].name);
    EXPECT_EQ(j["cells"][i]["address"], g.servers[c.server].address);
    EXPECT_EQ(j["cells"][i]["state"], std::string(to_string(c.state)));
  }
}

// DNSSEC_BOGUS carries its cause (issue 14): in the JSON (only there: no other finding has the key), the
// text report and the HTML page.
TEST(FindingCause, JsonTextAndHtmlCarryIt) {
  CheckResult r = stale_secondary_result();
  diagnose::Finding f = diagnose::make_finding(diagnose::Code::DNSSEC_BOGUS, "example.com",
                                               "The DS record for example.com at the registrar matches no key.");
  f.cause = "DS_NO_MATCHING_DNSKEY";
  f.evidence.push_back("zone example.com, cause DS_NO_MATCHING_DNSKEY (no_matching_dnskey)");
  r.judgement.findings.insert(r.judgement.findings.begin(), f);
  const nlohmann::json j = to_json(r);
  std::size_t with_cause = 0;
  for (const auto& x : j["findings"]) {
    if (!x.contains("cause")) continue;
    ++with_cause;
    EXPECT_EQ(x["code"], "DNSSEC_BOGUS");
    EXPECT_EQ(x["cause"], "DS_NO_MATCHING_DNSKEY");
  }
  EXPECT_EQ(with_cause, 1u) << j.dump(2);
  const std::string text = render_report(r, ReportOptions{});
  EXPECT_NE(text.find("cause: DS_NO_MATCHING_DNSKEY"), std::string::npos) << text;
  const std::string page = render_html(r);
  EXPECT_NE(page.find("<code>DS_NO_MATCHING_DNSKEY</code>"), std::string::npos);
}

// A passed finding whose name answers bogus (the DNSSEC judge appended kHiddenByDnssec): the text report's
// "Passed" line and the HTML page say that validating resolvers cannot see it; the other passed lines do not.
TEST(HiddenByDnssec, PassedLineSaysValidatorsCannotSeeIt) {
  CheckResult r = stale_secondary_result();
  diagnose::Finding hidden = diagnose::make_finding(diagnose::Code::DKIM_OK, "t1._domainkey.example.com",
                                                    "t1._domainkey.example.com is a CNAME to t1.dkim.amazonses.com.");
  hidden.message += diagnose::kHiddenByDnssec;
  diagnose::Finding plain = diagnose::make_finding(diagnose::Code::DKIM_OK, "t2._domainkey.example.com",
                                                   "t2._domainkey.example.com is a CNAME to t2.dkim.amazonses.com.");
  ASSERT_TRUE(diagnose::hidden_by_dnssec(hidden));
  ASSERT_FALSE(diagnose::hidden_by_dnssec(plain));
  r.judgement.findings.push_back(hidden);
  r.judgement.findings.push_back(plain);
  const std::string text = render_report(r, ReportOptions{});
  auto line_of = [&text](const std::string& subject) {
    const auto at = text.find("DKIM_OK  " + subject);
    return at == std::string::npos ? std::string() : text.substr(at, text.find('\n', at) - at);
  };
  EXPECT_NE(line_of("t1._domainkey.example.com").find("SERVFAIL when validated"), std::string::npos) << text;
  EXPECT_EQ(line_of("t2._domainkey.example.com").find("SERVFAIL"), std::string::npos) << text;
  const std::string page = render_html(r);
  EXPECT_NE(page.find("class=\"hidden-by-dnssec\"><strong>DKIM_OK</strong> t1._domainkey"), std::string::npos);
  EXPECT_EQ(page.find("class=\"hidden-by-dnssec\"><strong>DKIM_OK</strong> t2._domainkey"), std::string::npos);
}

}  // namespace
}  // namespace dkimdoctor::cli
