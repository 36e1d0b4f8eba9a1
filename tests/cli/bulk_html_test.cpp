// bulk --html: the inline JSON cannot end its <script> element whatever the DNS says, a row keeps what the
// detail needs and nothing that passed, the page's CSP hash is its script's, and the file is written whole.
// The page in a browser: tests/integration/browser_reports.py.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/bulk_html.hpp"

namespace dkimdoctor::cli {
namespace {

struct ScriptJsonCase {
  const char* name;
  std::string in;
  std::string out;  // the dumped string value, quotes included
};

TEST(JsonForScript, NothingCanEndTheScriptElement) {
  const std::vector<ScriptJsonCase> cases = {
      {"plain", "example.com", "\"example.com\""},
      {"end tag", "</script><script>alert(1)</script>", "\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\""},
      {"comment opener", "<!--", "\"\\u003c!--\""},
      {"ampersand", "a&b", "\"a\\u0026b\""},
      {"line separator", "a\xE2\x80\xA8z", "\"a\\u2028z\""},
      {"paragraph separator", "a\xE2\x80\xA9z", "\"a\\u2029z\""},
      {"other U+20xx kept", "a\xE2\x80\xA6z", "\"a\xE2\x80\xA6z\""},
      {"quote and backslash", "\"\\", "\"\\\"\\\\\""},
      {"invalid UTF-8 replaced", "a\xFFz", "\"a\xEF\xBF\xBDz\""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(json_for_script(c.in), c.out) << c.name;
    // Same value back (invalid UTF-8 aside): the escapes are JSON's own.
    if (std::string(c.name) != "invalid UTF-8 replaced") {
      EXPECT_EQ(nlohmann::json::parse(json_for_script(c.in)).get<std::string>(), c.in) << c.name;
    }
  }
}

nlohmann::json hostile_result() {
  return {{"line", 7},
          {"domain", "<script>x</script>.example"},
          {"verdict", "problems"},
          {"headline", "holds \"</script><!--\" & more"},
          {"findings",
           {{{"code", "VERIFICATION_TOKEN_WRONG_VALUE"},
             {"class", "blocks"},
             {"subject", "_amazonses.<b>"},
             {"message", "holds <img src=x onerror=alert(1)>"},
             {"fix", "Set it \xE2\x80\xA8 right"},
             {"record", {{"type", "TXT"}, {"name", "_amazonses.x."}, {"value", "</script>"}}}},
            {{"code", "DOMAIN_MX"}, {"class", "note"}, {"subject", "x"}, {"message", "mx"}, {"fix", ""}},
            {{"code", "DKIM_OK"}, {"class", "passed"}, {"subject", "x"}, {"message", "fine"}, {"fix", ""}}}}};
}

TEST(DashboardRow, KeepsWhatTheDetailShowsEscaped) {
  const nlohmann::json result = hostile_result();
  const auto digest = digest_from_json(result);
  ASSERT_TRUE(digest);
  SharedTexts shared;
  const std::string row = dashboard_row(*digest, &result, shared);
  EXPECT_EQ(row.find_first_of("<>&"), std::string::npos) << row;
  EXPECT_EQ(row.find("\xE2\x80\xA8"), std::string::npos);
  const auto j = nlohmann::json::parse(row);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 7u);
  EXPECT_EQ(j[0], 7);
  EXPECT_EQ(j[1], "<script>x</script>.example");
  EXPECT_EQ(j[2], "problems");
  EXPECT_EQ(j[3], "holds \"</script><!--\" & more");
  EXPECT_EQ(j[4], "VERIFICATION_TOKEN_WRONG_VALUE DOMAIN_MX");
  EXPECT_EQ(j[5], "04");  // blocks, note
  ASSERT_EQ(j[6].size(), 2u) << "the passed finding is left out";
  EXPECT_EQ(j[6][0], nlohmann::json::parse(R"(["VERIFICATION_TOKEN_WRONG_VALUE", 0, "_amazonses.<b>",
      "holds <img src=x onerror=alert(1)>", "Set it \u2028 right", ["TXT", "_amazonses.x.", "</script>"]])"));
  EXPECT_EQ(j[6][1][5], 0) << "no record to publish";
}

TEST(DashboardRow, AnEarlierLineKeepsItsCodesOnly) {
  LineDigest d;
  d.line = 3;
  d.domain = "a.example";
  d.verdict = "problems";
  d.headline = "h";
  d.codes = {{"NS_LAME", "may_block"}, {"DMARC_MISSING", "advice"}};
  SharedTexts shared;
  const auto j = nlohmann::json::parse(dashboard_row(d, nullptr, shared));
  EXPECT_EQ(j[4], "NS_LAME DMARC_MISSING");
  EXPECT_EQ(j[5], "13");
  EXPECT_TRUE(j[6].empty());
}

TEST(DashboardRow, TheDomainIsMarkedAndATextSeenTwiceIsShared) {
  EXPECT_EQ(domain_marked("a.example holds x; _dmarc.a.example.", "a.example"), "\x01 holds x; _dmarc.\x01.");
  EXPECT_EQ(domain_marked("has \x01 and a.example", "a.example"), "has \x01 and a.example") << "never ambiguous";
  EXPECT_EQ(domain_marked("a.example", ""), "a.example");

  SharedTexts shared;
  const auto row_for = [&](std::uint64_t line, const std::string& domain) {
    nlohmann::json r = {{"line", line}, {"domain", domain}, {"verdict", "problems"},
                        {"headline", "SES will not verify " + domain + ": no DMARC"},
                        {"findings", {{{"code", "DMARC_MISSING"}, {"class", "advice"}, {"subject", "_dmarc." + domain},
                                       {"message", "no TXT at _dmarc." + domain}, {"fix", "Publish one."}}}}};
    return nlohmann::json::parse(dashboard_row(*digest_from_json(r), &r, shared));
  };
  const auto first = row_for(1, "a.example");
  const auto second = row_for(2, "b.example");
  // First sight: the text itself, the domain marked.
  EXPECT_EQ(first[1], "a.example");
  EXPECT_EQ(first[3], "SES will not verify \x01: no DMARC");
  EXPECT_EQ(first[6][0][3], "no TXT at _dmarc.\x01");
  // Second sight (another domain, the same text once marked): an index into the table.
  ASSERT_TRUE(second[3].is_number());
  ASSERT_TRUE(second[6][0][3].is_number());
  ASSERT_TRUE(second[6][0][4].is_number());
  EXPECT_EQ(second[1], "b.example");
  const auto table = nlohmann::json::parse(shared.json());
  EXPECT_EQ(table[second[3].get<std::size_t>()], "SES will not verify \x01: no DMARC");
  EXPECT_EQ(table[second[6][0][4].get<std::size_t>()], "Publish one.");
  EXPECT_EQ(shared.json().find('\x01'), std::string::npos) << "U+0001 is written as \\u0001";
}

std::string sha256_base64(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  out.resize(static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(len))));
  return out;
}

std::size_t count(const std::string& hay, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

TEST(DashboardPage, ChartFiguresAndOneScriptAllowedByItsHash) {
  BulkSummary summary;
  const nlohmann::json result = hostile_result();
  summary.add(*digest_from_json(result), false);
  const std::map<std::string, std::pair<std::string, std::uint64_t>> codes = {
      {"VERIFICATION_TOKEN_WRONG_VALUE", {"blocks", 1}}, {"<b>HOSTILE</b>", {"note", 1}}};
  const RunFigures figures{4, 0, 120, 2.0, 0};
  SharedTexts shared;
  const std::string row = dashboard_row(*digest_from_json(result), &result, shared);
  const std::string page = dashboard_page(summary, figures, "out<1>.jsonl", codes, 1, "[" + row + "]", shared);

  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  // Three script elements: the rows, the shared texts, the page's script; the CSP names the last one's hash.
  EXPECT_EQ(count(page, "<script"), 3u);
  EXPECT_EQ(count(page, "</script>"), 3u);
  const std::string open = "<script>";
  const auto start = page.find(open);
  ASSERT_NE(start, std::string::npos);
  const auto end = page.find("</script>", start);
  const std::string script = page.substr(start + open.size(), end - start - open.size());
  EXPECT_NE(page.find("script-src 'sha256-" + sha256_base64(script) + "'"), std::string::npos);
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
  for (const char* fetch : {"http://", "https://", "<link", "<img", "<iframe"}) {
    EXPECT_EQ(page.find(fetch), std::string::npos) << fetch;
  }
  // Markup from the codes and the output's name is escaped; the figures are the run's.
  EXPECT_EQ(page.find("<b>HOSTILE"), std::string::npos);
  EXPECT_NE(page.find("&lt;b&gt;HOSTILE&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(page.find("out&lt;1&gt;.jsonl"), std::string::npos);
  EXPECT_NE(page.find("id=\"fig-rate\">2.0<"), std::string::npos);
  EXPECT_NE(page.find("id=\"fig-queries-per-domain\">30.0<"), std::string::npos);
  EXPECT_NE(page.find("data-label=\"will not verify (problems)\" data-count=\"1\""), std::string::npos);
  EXPECT_NE(page.find("data-label=\"VERIFICATION_TOKEN_WRONG_VALUE\" data-count=\"1\""), std::string::npos);
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(BulkDashboard, WritesEveryRowIntoOnePage) {
  const std::string path = ::testing::TempDir() + "bulk_html_test.html";
  auto opened = BulkDashboard::open(path);
  ASSERT_TRUE(opened) << opened.error();
  auto& dash = **opened;
  BulkSummary summary;
  const nlohmann::json result = hostile_result();
  for (int i = 1; i <= 3; ++i) {
    nlohmann::json r = result;
    r["line"] = i;
    const auto d = digest_from_json(r);
    summary.add(*d, false);
    dash.add(*d, &r);
  }
  ASSERT_TRUE(dash.finish(summary, RunFigures{3, 0, 9, 1.0, 0}, "r.jsonl"));
  const std::string page = read_all(path);
  const std::string open = "<script type=\"application/json\" id=\"rows\">";
  const auto at = page.find(open);
  ASSERT_NE(at, std::string::npos);
  const auto end = page.find("</script>", at);
  const auto rows = nlohmann::json::parse(page.substr(at + open.size(), end - at - open.size()));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2][0], 3);
  EXPECT_NE(page.find("data-label=\"VERIFICATION_TOKEN_WRONG_VALUE\" data-count=\"3\""), std::string::npos);
  EXPECT_NE(page.find("data-total=\"3\""), std::string::npos);
  EXPECT_EQ(page.substr(page.size() - 8), "</html>\n");
  std::remove(path.c_str());
}

TEST(BulkDashboard, AnUnwritablePathIsAnErrorBeforeTheRun) {
  auto opened = BulkDashboard::open(::testing::TempDir() + "no-such-dir/x/dashboard.html");
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().find("--html"), std::string::npos);
}

}  // namespace
}  // namespace dkimdoctor::cli
