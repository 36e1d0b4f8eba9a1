// `bulk`'s CSV fields, line digests and summary, in-process: spec tables of fields and result lines.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/bulk_io.hpp"
#include "cli/bulk_summary.hpp"
#include "cli/check.hpp"
#include "tests/diagnose/world.hpp"

namespace dkimdoctor::cli {
namespace {

struct CsvCase {
  const char* name;
  std::string field;
  std::string written;
};

TEST(BulkCsv, FieldsQuoteOnlyWhenNeededAndRoundTrip) {
  const CsvCase cases[] = {
      {"plain", "example.com", "example.com"},
      {"empty", "", ""},
      {"comma", "a,b", "\"a,b\""},
      {"quote", "say \"hi\"", "\"say \"\"hi\"\"\""},
      {"quote_and_comma", "'a,\"b.com' is bad", "\"'a,\"\"b.com' is bad\""},
      {"cr", "a\rb", "\"a\rb\""},
      {"spaces_kept", "  x  ", "  x  "},
  };
  for (const auto& c : cases) {
    std::string out;
    append_csv_field(out, c.field);
    EXPECT_EQ(out, c.written) << c.name;
    std::string row = "1,";
    append_csv_field(row, c.field);
    row += ",z";
    auto fields = split_csv_record(row);
    ASSERT_TRUE(fields) << c.name;
    EXPECT_EQ(*fields, (std::vector<std::string>{"1", c.field, "z"})) << c.name;
  }
}

TEST(BulkCsv, BrokenQuotingIsRefused) {
  for (std::string_view row : {"\"open", "a\"b,c", "\"x\"y,z", "1,\"a\"\""}) {
    EXPECT_FALSE(split_csv_record(row)) << row;
  }
  EXPECT_EQ(*split_csv_record(""), std::vector<std::string>{""});
  EXPECT_EQ(*split_csv_record("a,"), (std::vector<std::string>{"a", ""}));
}

nlohmann::json finding(const char* code, const char* severity, const char* cls = nullptr) {
  nlohmann::json f = {{"code", code}, {"severity", severity}};
  if (cls != nullptr) f["class"] = cls;
  return f;
}

TEST(BulkDigest, ClassFromSeverityUntilChecksCarryOne) {
  EXPECT_EQ(finding_class(finding("X", "error")), "blocks");
  EXPECT_EQ(finding_class(finding("X", "warning")), "may_block");
  EXPECT_EQ(finding_class(finding("X", "info")), "note");
  EXPECT_EQ(finding_class(finding("X", "ok")), "passed");
  EXPECT_EQ(finding_class(finding("DMARC_MISSING", "warning", "advice")), "advice");
}

TEST(BulkDigest, EachCodeOnceProblemClassesFirst) {
  nlohmann::json result = {
      {"line", 7},
      {"domain", "a.example"},
      {"verdict", "problems"},
      {"headline", "SES will not verify a.example"},
      {"findings",
       {finding("DOMAIN_MX", "info"), finding("DMARC_MISSING", "warning", "advice"), finding("DKIM_OK", "ok"),
        finding("DKIM_RECORD_MISSING", "error"), finding("DKIM_RECORD_MISSING", "error"),
        finding("NS_LAME", "warning"), finding("DKIM_RECORD_MISSING", "error")}},
      {"host_limits", {"ns1.a.example (2001:db8::1): this host has no IPv6 route"}},
  };
  auto d = digest_from_json(result);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->line, 7u);
  EXPECT_FALSE(d->error);
  std::vector<std::string> codes, classes;
  for (const auto& c : d->codes) {
    codes.push_back(c.code);
    classes.push_back(c.cls);
  }
  EXPECT_EQ(codes, (std::vector<std::string>{"DKIM_RECORD_MISSING", "NS_LAME", "DMARC_MISSING", "DOMAIN_MX"}));
  EXPECT_EQ(classes, (std::vector<std::string>{"blocks", "may_block", "advice", "note"}));

  // The CSV row carries the whole digest.
  const std::string row = csv_row(*d);
  EXPECT_EQ(row,
            "7,a.example,problems,DKIM_RECORD_MISSING NS_LAME DMARC_MISSING DOMAIN_MX,SES will not verify a.example,"
            "blocks may_block advice note,ns1.a.example (2001:db8::1): this host has no IPv6 route");
  auto back = digest_from_csv(row);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->line, 7u);
  EXPECT_EQ(back->domain, "a.example");
  EXPECT_EQ(back->verdict, "problems");
  EXPECT_EQ(back->headline, d->headline);
  EXPECT_EQ(back->host_limits, d->host_limits);
  ASSERT_EQ(back->codes.size(), d->codes.size());
  for (std::size_t i = 0; i < d->codes.size(); ++i) {
    EXPECT_EQ(back->codes[i].code, d->codes[i].code);
    EXPECT_EQ(back->codes[i].cls, d->codes[i].cls);
  }
  EXPECT_FALSE(digest_from_csv(csv_header()));
}

// bulk counts a check from its result (digest_of), and --resume from the line it wrote (digest_from_json):
// both must say the same, or a resumed run's summary would differ from an uninterrupted one.
TEST(BulkDigest, FromTheResultEqualsFromItsJsonLine) {
  using diagnose::testing::N;
  using diagnose::testing::RR;
  diagnose::testing::World w;
  w.identity.domain = N("example.com");
  w.identity.easy_dkim.push_back({"t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ""});
  w.identity.verification_token = "fmxqxT/icOYx4aA/bEUrDPMeax9/s3frblS+niixmqk=";
  w.zone_records = {RR("example.com", wire::RRType::SOA, "ns1.provider.test. h. 1 3600 600 86400 900", 3600),
                    RR("t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaadomainkey.example.com", wire::RRType::CNAME,
                       "t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.dkim.amazonses.com.")};
  w.host_limited.insert(1);
  check::CheckResult r;
  r.identity = w.identity;
  r.judgement = w.run();
  r.host_limits = {"ns2.provider.test (127.53.1.2)"};
  ASSERT_FALSE(r.judgement.findings.empty());
  nlohmann::json j = to_json(r);
  j["line"] = 7;
  const LineDigest direct = digest_of(7, r);
  const std::optional<LineDigest> read_back = digest_from_json(j);
  ASSERT_TRUE(read_back);
  EXPECT_EQ(direct.line, read_back->line);
  EXPECT_EQ(direct.domain, read_back->domain);
  EXPECT_EQ(direct.verdict, read_back->verdict);
  EXPECT_EQ(direct.headline, read_back->headline);
  EXPECT_EQ(direct.error, read_back->error);
  EXPECT_EQ(direct.host_limits, read_back->host_limits);
  ASSERT_EQ(direct.codes.size(), read_back->codes.size());
  for (std::size_t i = 0; i < direct.codes.size(); ++i) {
    EXPECT_EQ(direct.codes[i].code, read_back->codes[i].code);
    EXPECT_EQ(direct.codes[i].cls, read_back->codes[i].cls);
  }
  EXPECT_EQ(csv_row(direct), csv_row(*read_back));
}

TEST(BulkDigest, ErrorLinesAreIncomplete) {
  // As bulk writes them now, and as earlier versions did (no "verdict").
  for (nlohmann::json result : {nlohmann::json{{"line", 3}, {"verdict", "incomplete"}, {"error", "empty line"}},
                                nlohmann::json{{"line", 3}, {"error", "empty line"}, {"input", ""}}}) {
    auto d = digest_from_json(result);
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->error);
    EXPECT_EQ(d->verdict, "incomplete");
    EXPECT_EQ(d->headline, "empty line");
    auto back = digest_from_csv(csv_row(*d));
    ASSERT_TRUE(back);
    EXPECT_TRUE(back->error);
  }
  EXPECT_FALSE(digest_from_json(nlohmann::json{{"verdict", "ok"}}));
  EXPECT_FALSE(digest_from_json(nlohmann::json{{"line", -1}}));
}

LineDigest digest(std::uint64_t line, const char* verdict, std::vector<CodeClass> codes = {}) {
  LineDigest d;
  d.line = line;
  d.domain = "d" + std::to_string(line) + ".example";
  d.verdict = verdict;
  d.headline = std::string(verdict) + " " + d.domain;
  d.codes = std::move(codes);
  return d;
}

TEST(BulkSummary, CountsDomainsAndExitStatus) {
  BulkSummary s;
  EXPECT_EQ(s.exit_status(), 0);
  s.add(digest(1, "ok", {{"DMARC_MISSING", "advice"}}), true);
  EXPECT_EQ(s.exit_status(), 0);
  LineDigest error = digest(2, "incomplete");
  error.error = true;
  error.domain.clear();
  s.add(error, false);
  EXPECT_EQ(s.exit_status(), 3);  // an input error, none will not verify
  s.add(digest(3, "problems", {{"DKIM_RECORD_MISSING", "blocks"}, {"DMARC_MISSING", "advice"}}), false);
  EXPECT_EQ(s.exit_status(), 1);
  EXPECT_EQ(s.domains(), 3u);
  EXPECT_EQ(s.will_verify(), 1u);
  EXPECT_EQ(s.will_not(), 1u);
  EXPECT_EQ(s.could_not_tell(), 1u);
  EXPECT_EQ(s.from_earlier(), 1u);
  const std::string text = s.render("out.jsonl");
  EXPECT_NE(text.find("3 domains in out.jsonl (1 from earlier runs, 2 from this run): will verify 1, will not 1, "
                      "could not tell 1 (1 input error)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    DKIM_RECORD_MISSING  1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("advice (never changes the verdict): DMARC_MISSING 2 domains\n"), std::string::npos) << text;
  EXPECT_NE(text.find("will not verify (1):\n    line 3  d3.example  problems d3.example\n"), std::string::npos) << text;
  EXPECT_NE(text.find("input errors (1):\n    line 2  incomplete d2.example\n"), std::string::npos) << text;
}

TEST(BulkSummary, ListsTheFirstLinesAndHostLimitsOnce) {
  BulkSummary s;
  for (std::uint64_t line = 100; line > 0; --line) {
    LineDigest d = digest(line, "problems", {{"NS_LAME", "may_block"}});
    d.host_limits = {"ns1.x.example (2001:db8::1): this host has no IPv6 route",
                     "ns2.x.example (2001:db8::" + std::to_string(line % 3) + "): this host has no IPv6 route"};
    s.add(d, false);
  }
  const std::string text = s.render("standard output");
  EXPECT_NE(text.find("    NS_LAME  100\n"), std::string::npos) << text;
  EXPECT_NE(text.find("will not verify (100):\n    line 1  "), std::string::npos) << text;
  EXPECT_NE(text.find("    line 20  "), std::string::npos) << text;
  EXPECT_EQ(text.find("    line 21  "), std::string::npos) << text;
  EXPECT_NE(text.find("    ... and 80 more\n"), std::string::npos) << text;
  // 2001:db8::1 appears in both entries; ::0 and ::2 are the others.
  EXPECT_NE(text.find("host limits: 3 addresses"), std::string::npos) << text;
}

}  // namespace
}  // namespace dkimdoctor::cli
