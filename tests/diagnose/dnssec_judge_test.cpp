// DNSSEC findings (issue 14), sans I/O. The zone of each world is signed at test time by Debian's
// ldns-keygen/ldns-signzone (ECDSA P-256: keys and signatures in milliseconds), so the per-server check
// validates real signatures; the validating resolver's statuses (IterativeResult::security) are set by hand,
// as the judge only reads them. Everything goes through the real CheckLoop (world.hpp).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "dnssec/status.hpp"
#include "test_keys.hpp"
#include "wire/text.hpp"
#include "wire/zonefile.hpp"
#include "world.hpp"

namespace dkimdoctor::diagnose {
namespace {

using namespace testing;
using wire::RRType;
namespace fs = std::filesystem;

const std::string kT1 = "t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kT2 = "t2bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kT3 = "t3cccccccccccccccccccccccccccccc";
const std::string kToken = "fmxqxT/icOYx4aA/bEUrDPMeax9/s3frblS+niixmqk=";
constexpr std::uint32_t kHour = 3600, kDay = 86400;

std::uint32_t at(std::string_view yyyymmddhhmmss) {
  std::uint32_t t = 0;
  require(wire::text::parse_time(yyyymmddhhmmss, t), yyyymmddhhmmss);
  return t;
}
const std::uint32_t kNow = at("20300101000000");

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

std::string dkim_name(const std::string& t) { return t + "._domainkey.example.com"; }

// The records of the zone: Easy DKIM, the legacy token, MAIL FROM, DMARC.
std::vector<wire::Record> zone_content(bool with_token = true) {
  std::vector<wire::Record> z = {
      RR("example.com", RRType::SOA, "ns1.provider.test. hostmaster.example.com. 2026112601 3600 600 86400 900", 3600),
      RR("example.com", RRType::NS, "ns1.provider.test."),
      RR("example.com", RRType::NS, "ns2.provider.test."),
      RR("example.com", RRType::MX, "10 mx.example.com."),
      RR("mx.example.com", RRType::A, "192.0.2.25"),
      RR("_dmarc.example.com", RRType::TXT, "\"v=DMARC1; p=quarantine\""),
      RR("mail.example.com", RRType::MX, "10 feedback-smtp.us-east-1.amazonses.com."),
      RR("mail.example.com", RRType::TXT, "\"v=spf1 include:amazonses.com ~all\""),
  };
  if (with_token) z.push_back(TXT("_amazonses.example.com", {kToken}));
  for (const auto& t : {kT1, kT2, kT3}) z.push_back(RR(dkim_name(t), RRType::CNAME, t + ".dkim.amazonses.com."));
  return z;
}

struct Signed {
  std::vector<wire::Record> data;        // the zone's records and its DNSKEY set
  std::vector<wire::Record> signatures;  // RRSIG, NSEC, NSEC3
};

SecurityResult result(Security status, std::string reason = {}, std::uint32_t inception = 0,
                      std::uint32_t expiration = 0) {
  SecurityResult s;
  s.status = status;
  s.reason = std::move(reason);
  s.zone = N("example.com");
  s.key_tag = 4242;
  s.algorithm = 13;
  s.inception = inception;
  s.expiration = expiration;
  if (status == Security::secure) s.earliest_expiration = expiration;
  return s;
}

class DnssecJudge : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/dkimdoctor-dnssec-judge-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new fs::path(tmpl);
    for (const char* key : {"main", "other"}) {
      fs::create_directories(*dir_ / key);
      const std::string keygen = std::string("cd '") + (*dir_ / key).string() + "' && " + DKIMDOCTOR_LDNS_KEYGEN +
                                 " -a ECDSAP256SHA256 -k example.com.";
      ASSERT_EQ(run(keygen), 0) << keygen;
    }
  }
  static void TearDownTestSuite() {
    if (dir_) fs::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }

  // The zone signed with `key` ("main" or "other") for the window [inception, expiration].
  static Signed sign(const std::string& key, std::uint32_t inception, std::uint32_t expiration, bool with_token = true,
                     bool nsec3 = false) {
    std::string text;
    for (const auto& r : zone_content(with_token))
      text += r.owner.to_string() + " " + std::to_string(r.ttl) + " IN " + wire::to_string(r.type) + " " +
              r.rdata.to_string() + "\n";
    const fs::path in = *dir_ / "example.zone", out = *dir_ / "example.signed";
    std::ofstream(in) << text;
    std::string keyfile;
    for (const auto& e : fs::directory_iterator(*dir_ / key))
      if (e.path().extension() == ".private") keyfile = (e.path().parent_path() / e.path().stem()).string();
    std::string i, e;
    wire::text::append_time(i, inception);
    wire::text::append_time(e, expiration);
    const std::string cmd = std::string(DKIMDOCTOR_LDNS_SIGNZONE) + (nsec3 ? " -n -t 0 -s abcd" : "") + " -i " + i +
                            " -e " + e + " -o example.com. -f '" + out.string() + "' '" + in.string() + "' '" +
                            keyfile + "'";
    Signed s;
    EXPECT_EQ(run(cmd), 0) << cmd;
    auto records = wire::parse_zone_text(slurp(out));
    EXPECT_TRUE(records.ok()) << cmd;
    if (!records.ok()) return s;
    for (auto& r : *records) {
      if (r.type == RRType::NSEC3PARAM) continue;
      const bool sig = r.type == RRType::RRSIG || r.type == RRType::NSEC || r.type == RRType::NSEC3;
      (sig ? s.signatures : s.data).push_back(std::move(r));
    }
    return s;
  }

  // A signed zone the validating resolver found secure (every needed name, and the keys).
  static World signed_world(const Signed& s, std::uint32_t inception = at("20290101000000"),
                            std::uint32_t expiration = at("20310101000000")) {
    World w;
    w.identity.domain = N("example.com");
    w.identity.region = "us-east-1";
    for (const auto& t : {kT1, kT2, kT3}) {
      w.identity.easy_dkim.push_back({t, "us-east-1"});
      w.elsewhere.push_back(TXT(t + ".dkim.amazonses.com", chunks(std::string("v=DKIM1; k=rsa; p=") + testkeys::k2048b_spki)));
    }
    w.identity.verification_token = kToken;
    w.identity.mail_from = N("mail.example.com");
    w.zone_records = s.data;
    w.signatures = s.signatures;
    w.validating = true;
    w.now = kNow;
    w.default_security = result(Security::secure, "", inception, expiration);
    return w;
  }

  static World healthy() { return signed_world(sign("main", at("20290101000000"), at("20310101000000"))); }

  static inline fs::path* dir_ = nullptr;
};

std::vector<const Finding*> dnssec_findings(const Judgement& j) {
  std::vector<const Finding*> out;
  for (const auto& f : j.findings)
    if (catalog_entry(f.code).area == "dnssec") out.push_back(&f);
  return out;
}

std::vector<const Finding*> with_code(const Judgement& j, Code code) {
  std::vector<const Finding*> out;
  for (const auto& f : j.findings)
    if (f.code == code) out.push_back(&f);
  return out;
}

bool evidence_has(const Finding& f, std::string_view text) {
  for (const auto& e : f.evidence)
    if (e.find(text) != std::string::npos) return true;
  return false;
}

TEST_F(DnssecJudge, NotValidatingSaysNothingAndAsksNothingMore) {
  World w = healthy();
  w.validating = false;
  w.default_security = result(Security::bogus, "no_matching_dnskey");
  const CheckLoop loop = w.run_loop();
  EXPECT_TRUE(dnssec_findings(loop.judgement()).empty()) << dump(loop.judgement());
  EXPECT_EQ(loop.observations().find(N("example.com"), RRType::DNSKEY, Scope::iterative), nullptr);
  EXPECT_FALSE(loop.observations().dnssec.validating);
  EXPECT_EQ(loop.judgement().verdict, Verdict::ok) << dump(loop.judgement());
}

TEST_F(DnssecJudge, UncheckedStatusesSayNothing) {
  // A validating check through a resolver that does not validate yet: every status `unchecked`.
  World w = healthy();
  w.default_security = SecurityResult{};
  const Judgement j = w.run();
  EXPECT_TRUE(dnssec_findings(j).empty()) << dump(j);
  EXPECT_EQ(j.verdict, Verdict::ok) << dump(j);
}

TEST_F(DnssecJudge, SecureZoneIsOkAndTheKeysAreLookedUpOnce) {
  const CheckLoop loop = healthy().run_loop();
  const Judgement& j = loop.judgement();
  EXPECT_TRUE(problem_codes(j).empty()) << dump(j);
  ASSERT_EQ(with_code(j, Code::DNSSEC_OK).size(), 1u) << dump(j);
  EXPECT_EQ(dnssec_findings(j).size(), 1u) << dump(j);
  EXPECT_EQ(j.verdict, Verdict::ok);
  EXPECT_EQ(with_code(j, Code::DKIM_OK).size(), 3u) << dump(j);
  for (const auto& f : j.findings) EXPECT_FALSE(hidden_by_dnssec(f)) << to_string(f.code);
  const DnssecContext& d = loop.observations().dnssec;
  EXPECT_TRUE(d.validating);
  EXPECT_EQ(d.now, kNow);
  EXPECT_EQ(d.zone, N("example.com"));
  EXPECT_EQ(d.keys.status, Security::secure);
  ASSERT_FALSE(d.dnskeys.empty());
  for (const auto& k : d.dnskeys) EXPECT_EQ(k.type, RRType::DNSKEY);
  std::size_t asked = 0;
  for (const auto& l : loop.observations().lookups) asked += l.lookup.type == RRType::DNSKEY;
  EXPECT_EQ(asked, 1u);
}

TEST_F(DnssecJudge, UnsignedChainBeyondTheDomainIsStillOk) {
  // Easy DKIM's TXT lookups end at amazonses.com, which is not signed: not the domain's to fix.
  World w = healthy();
  for (const auto& t : {kT1, kT2, kT3}) {
    SecurityResult s = result(Security::insecure);
    s.zone = N("amazonses.com");
    w.security[dkim_name(t) + ". TXT"] = s;
  }
  const Judgement j = w.run();
  ASSERT_EQ(with_code(j, Code::DNSSEC_OK).size(), 1u) << dump(j);
  EXPECT_TRUE(evidence_has(*with_code(j, Code::DNSSEC_OK).front(), "unsigned beyond the domain")) << dump(j);
  EXPECT_TRUE(with_code(j, Code::DNSSEC_INSECURE).empty()) << dump(j);
}

TEST_F(DnssecJudge, StaleDsIsOneFindingForTheZoneListingTheNames) {
  for (const bool servfail : {false, true}) {
    SCOPED_TRACE(servfail ? "bogus answers fail (SERVFAIL)" : "bogus answers kept");
    World w = healthy();
    w.bogus_servfail = servfail;
    SecurityResult stale = result(Security::bogus, "no_matching_dnskey");
    stale.key_tag = 12345;
    stale.detail = "no DNSKEY of example.com. matches the DS at com. (key tag 12345)";
    w.default_security = stale;
    const Judgement j = w.run();
    const auto bogus = with_code(j, Code::DNSSEC_BOGUS);
    ASSERT_EQ(bogus.size(), 1u) << dump(j);
    const Finding& f = *bogus.front();
    EXPECT_EQ(f.cause, "DS_NO_MATCHING_DNSKEY");
    EXPECT_EQ(f.subject, "example.com");
    EXPECT_NE(f.fix.find("registrar still publishes a DS record"), std::string::npos) << f.fix;
    EXPECT_TRUE(evidence_has(f, "key tag 12345")) << dump(j);
    EXPECT_TRUE(evidence_has(f, stale.detail)) << dump(j);
    for (const auto& t : {kT1, kT2, kT3}) EXPECT_TRUE(evidence_has(f, dkim_name(t) + " TXT")) << dump(j);
    EXPECT_TRUE(evidence_has(f, "example.com DNSKEY")) << dump(j);
    EXPECT_TRUE(evidence_has(f, "_amazonses.example.com TXT")) << dump(j);
    EXPECT_EQ(problem_codes(j), (std::multiset<std::string>{"DNSSEC_BOGUS"})) << dump(j);
    EXPECT_EQ(dnssec_findings(j).size(), 1u) << dump(j);
    EXPECT_EQ(j.verdict, Verdict::problems);
    EXPECT_EQ(class_of(f.code), FindingClass::blocks);
    // The DKIM records are right on every server, but hidden: their passed findings say so; DNSSEC_BOGUS
    // itself and the problems are not marked.
    for (const auto& t : {kT1, kT2, kT3}) {
      const auto ok = with_code(j, Code::DKIM_OK);
      const bool marked = std::any_of(ok.begin(), ok.end(), [&t](const Finding* o) {
        return o->subject == dkim_name(t) && hidden_by_dnssec(*o);
      });
      EXPECT_TRUE(marked) << t << "\n" << dump(j);
    }
    EXPECT_FALSE(hidden_by_dnssec(f));
    for (const auto* d : with_code(j, Code::DELEGATION_OK)) EXPECT_FALSE(hidden_by_dnssec(*d)) << dump(j);
    // Every other finding has no cause.
    for (const auto& other : j.findings) {
      if (other.code == Code::DNSSEC_BOGUS) continue;
      EXPECT_TRUE(other.cause.empty()) << to_string(other.code);
    }
  }
}

TEST_F(DnssecJudge, OneFindingPerZoneAndCause) {
  const std::uint32_t inception = at("20291201000000"), expiration = at("20291231000000");
  World w = signed_world(sign("main", inception, expiration), inception, expiration);
  w.default_security = result(Security::bogus, "signature_expired", inception, expiration);
  w.security["_amazonses.example.com. TXT"] = result(Security::bogus, "denial_not_proven");
  SecurityResult elsewhere = result(Security::bogus, "signature_expired", inception, expiration);
  elsewhere.zone = N("mail.example.com");
  w.security["mail.example.com. MX"] = elsewhere;
  w.security["mail.example.com. TXT"] = elsewhere;
  const Judgement j = w.run();
  const auto bogus = with_code(j, Code::DNSSEC_BOGUS);
  ASSERT_EQ(bogus.size(), 3u) << dump(j);
  std::map<std::pair<std::string, std::string>, const Finding*> by;
  for (const auto* f : bogus) by[{f->subject, f->cause}] = f;
  ASSERT_TRUE(by.count({"example.com", "RRSIG_EXPIRED"})) << dump(j);
  ASSERT_TRUE(by.count({"example.com", "DENIAL_NOT_PROVEN"})) << dump(j);
  ASSERT_TRUE(by.count({"mail.example.com", "RRSIG_EXPIRED"})) << dump(j);
  const Finding& expired = *by[{"example.com", "RRSIG_EXPIRED"}];
  EXPECT_TRUE(evidence_has(expired, "signature valid 2029-12-01 00:00:00 UTC to 2029-12-31 00:00:00 UTC")) << dump(j);
  EXPECT_TRUE(evidence_has(expired, dkim_name(kT2) + " TXT")) << dump(j);
  EXPECT_FALSE(evidence_has(expired, "_amazonses")) << dump(j);
  EXPECT_NE(expired.message.find("expired on 2029-12-31"), std::string::npos) << expired.message;
  EXPECT_TRUE(evidence_has(*by[{"mail.example.com", "RRSIG_EXPIRED"}], "mail.example.com MX")) << dump(j);
  // Every server serves the same expired signatures: nobody's copy validates, so no server is singled out.
  EXPECT_TRUE(with_code(j, Code::DNSSEC_SERVER_INCONSISTENT).empty()) << dump(j);
  EXPECT_EQ(j.verdict, Verdict::problems);
}

TEST_F(DnssecJudge, EveryBogusCauseHasItsName) {
  const std::pair<const char*, const char*> kCauses[] = {
      {"signature_not_yet_valid", "RRSIG_NOT_YET_VALID"}, {"missing_rrsig", "RRSIG_MISSING"},
      {"bad_signature", "BAD_SIGNATURE"},                 {"malformed", "VALIDATION_FAILED"},
      {"verification_limit", "VALIDATION_FAILED"},        {"", "VALIDATION_FAILED"},
      // As the check glue writes them: dnssec::to_string(Reason).
      {dnssec::to_string(dnssec::Reason::signature_expired), "RRSIG_EXPIRED"},
      {dnssec::to_string(dnssec::Reason::no_matching_dnskey), "DS_NO_MATCHING_DNSKEY"},
      {dnssec::to_string(dnssec::Reason::missing_rrsig), "RRSIG_MISSING"},
      {dnssec::to_string(dnssec::Reason::denial_not_proven), "DENIAL_NOT_PROVEN"},
      {dnssec::to_string(dnssec::Reason::signature_not_yet_valid), "RRSIG_NOT_YET_VALID"},
      {dnssec::to_string(dnssec::Reason::bad_signature), "BAD_SIGNATURE"}};
  for (const auto& [reason, cause] : kCauses) {
    World w = healthy();
    w.default_security = result(Security::bogus, reason);
    const Judgement j = w.run();
    const auto bogus = with_code(j, Code::DNSSEC_BOGUS);
    ASSERT_EQ(bogus.size(), 1u) << reason << "\n" << dump(j);
    EXPECT_EQ(bogus.front()->cause, cause) << reason;
    EXPECT_FALSE(bogus.front()->fix.empty());
  }
}

TEST_F(DnssecJudge, UnsignedSecondaryIsServerInconsistent) {
  World w = healthy();
  w.signatures_of[1] = {};
  const Judgement j = w.run();
  EXPECT_EQ(problem_codes(j), (std::multiset<std::string>{"DNSSEC_SERVER_INCONSISTENT"})) << dump(j);
  const auto f = with_code(j, Code::DNSSEC_SERVER_INCONSISTENT);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f.front()->subject, "ns2.provider.test (127.53.1.2)");
  EXPECT_TRUE(evidence_has(*f.front(), "no RRSIG")) << dump(j);
  EXPECT_TRUE(evidence_has(*f.front(), dkim_name(kT1) + " CNAME")) << dump(j);
  EXPECT_TRUE(with_code(j, Code::DNSSEC_OK).empty()) << dump(j);
  EXPECT_EQ(j.verdict, Verdict::problems);
}

TEST_F(DnssecJudge, BogusFromTheUnsignedSecondaryIsReportedAsTheServerNotTheZone) {
  // The validating resolver happened to ask ns2 for two names and found them bogus (missing_rrsig): the
  // cause is the server, one finding, not DNSSEC_BOGUS beside it.
  World w = healthy();
  w.signatures_of[1] = {};
  w.security[dkim_name(kT1) + ". TXT"] = result(Security::bogus, "missing_rrsig");
  w.security["_amazonses.example.com. TXT"] = result(Security::bogus, "missing_rrsig");
  const Judgement j = w.run();
  EXPECT_EQ(problem_codes(j), (std::multiset<std::string>{"DNSSEC_SERVER_INCONSISTENT"})) << dump(j);
  EXPECT_EQ(dnssec_findings(j).size(), 1u) << dump(j);
}

TEST_F(DnssecJudge, SecondarySignedWithOtherKeysOrExpiredIsServerInconsistent) {
  struct Copy {
    const char* name;
    Signed copy;
    const char* served;
  };
  const Copy copies[] = {
      {"other keys", sign("other", at("20290101000000"), at("20310101000000")), "not in the zone's DNSKEY set"},
      {"expired", sign("main", at("20290101000000"), at("20291201000000")), "expired on 2029-12-01"},
  };
  for (const auto& c : copies) {
    World w = healthy();
    w.signatures_of[0] = c.copy.signatures;
    const Judgement j = w.run();
    const auto f = with_code(j, Code::DNSSEC_SERVER_INCONSISTENT);
    ASSERT_EQ(f.size(), 1u) << c.name << "\n" << dump(j);
    EXPECT_EQ(f.front()->subject, "ns1.provider.test (127.53.1.1)") << c.name;
    EXPECT_TRUE(evidence_has(*f.front(), c.served)) << c.name << "\n" << dump(j);
  }
}

TEST_F(DnssecJudge, NegativeAnswersAreCheckedThroughTheirProof) {
  // _amazonses.example.com is missing (NXDOMAIN) on both servers; each serves a different proof.
  for (const bool nsec3 : {false, true}) {
    const Signed without = sign("main", at("20290101000000"), at("20310101000000"), false, nsec3);
    const Signed with = sign("main", at("20290101000000"), at("20310101000000"), true, nsec3);
    struct Second {
      const char* name;
      std::vector<wire::Record> signatures;
      const char* served;
    };
    const Second seconds[] = {
        {"unsigned", {}, "no NSEC/NSEC3 proof"},
        // Signed, valid, but from the zone before the record was deleted: it proves nothing about the name.
        {"stale proof", with.signatures, "do not prove"},
    };
    for (const auto& s : seconds) {
      World w = signed_world(without);
      w.security["_amazonses.example.com. TXT"] = result(Security::secure, "", at("20290101000000"),
                                                           at("20310101000000"));
      w.signatures_of[1] = s.signatures;
      const Judgement j = w.run();
      const std::string label = std::string(nsec3 ? "NSEC3 " : "NSEC ") + s.name;
      EXPECT_EQ(problem_codes(j),
                (std::multiset<std::string>{"VERIFICATION_TOKEN_MISSING", "DNSSEC_SERVER_INCONSISTENT"}))
          << label << "\n" << dump(j);
      const auto f = with_code(j, Code::DNSSEC_SERVER_INCONSISTENT);
      ASSERT_EQ(f.size(), 1u) << label;
      EXPECT_EQ(f.front()->subject, "ns2.provider.test (127.53.1.2)") << label;
      EXPECT_TRUE(evidence_has(*f.front(), "_amazonses.example.com TXT")) << label << "\n" << dump(j);
      EXPECT_TRUE(evidence_has(*f.front(), s.served)) << label << "\n" << dump(j);
    }
  }
}

struct ExpiringCase {
  const char* name;
  std::int64_t inception, expiration;  // relative to now, seconds
  bool fires;
};

TEST_F(DnssecJudge, SignaturesExpiringWithinSesRetryAndPastThreeQuartersOfTheirWindow) {
  const ExpiringCase cases[] = {
      {"offline signer, 47 h left of 29 days", -27 * std::int64_t(kDay) - 1 * kHour, 47 * kHour, true},
      {"online signer, 47 h left of 71 h", -24 * std::int64_t(kHour), 47 * kHour, false},
      {"71 h left of 100 days", -100 * std::int64_t(kDay), 71 * kHour, true},
      {"73 h left of 100 days", -100 * std::int64_t(kDay), 73 * kHour, false},
      {"75.5% of 8 days passed", -145 * std::int64_t(kHour), 47 * kHour, true},
      {"74.5% of 8 days passed", -143 * std::int64_t(kHour), 49 * kHour, false},
  };
  for (const auto& c : cases) {
    const auto inception = static_cast<std::uint32_t>(kNow + c.inception);
    const auto expiration = static_cast<std::uint32_t>(kNow + c.expiration);
    World w = signed_world(sign("main", inception, expiration), inception, expiration);
    const Judgement j = w.run();
    const auto f = with_code(j, Code::DNSSEC_SIGNATURES_EXPIRING);
    EXPECT_EQ(f.size(), c.fires ? 1u : 0u) << c.name << "\n" << dump(j);
    EXPECT_EQ(with_code(j, Code::DNSSEC_OK).size(), c.fires ? 0u : 1u) << c.name << "\n" << dump(j);
    EXPECT_EQ(j.verdict, c.fires ? Verdict::problems : Verdict::ok) << c.name;
    if (f.empty()) continue;
    std::string date;
    wire::text::append_time(date, expiration);
    const std::string want = date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2);
    EXPECT_NE(f.front()->message.find(want), std::string::npos) << f.front()->message;
    EXPECT_TRUE(evidence_has(*f.front(), "key tag ")) << dump(j);
  }
}

TEST_F(DnssecJudge, UnsignedZoneIsInsecureAndNothingToFix) {
  World w = healthy();
  w.signatures.clear();
  w.default_security = result(Security::insecure);
  w.default_security.detail = "no DS for example.com. at com. (proven by NSEC3)";
  const Judgement j = w.run();
  const auto f = with_code(j, Code::DNSSEC_INSECURE);
  ASSERT_EQ(f.size(), 1u) << dump(j);
  EXPECT_EQ(dnssec_findings(j).size(), 1u) << dump(j);
  EXPECT_EQ(j.verdict, Verdict::ok) << dump(j);
  EXPECT_TRUE(problem_codes(j).empty()) << dump(j);
  EXPECT_TRUE(evidence_has(*f.front(), "no DS for example.com.")) << dump(j);
}

TEST_F(DnssecJudge, OnlyUnsupportedAlgorithmsIsInsecureAndSaysWhich) {
  World w = healthy();
  w.default_security = result(Security::insecure, dnssec::to_string(dnssec::Reason::unsupported_algorithm));
  w.default_security.algorithm = 3;  // DSA
  const Judgement j = w.run();
  const auto f = with_code(j, Code::DNSSEC_INSECURE);
  ASSERT_EQ(f.size(), 1u) << dump(j);
  EXPECT_NE(f.front()->message.find("algorithm 3"), std::string::npos) << f.front()->message;
  EXPECT_EQ(j.verdict, Verdict::ok);
}

TEST_F(DnssecJudge, IndeterminateIsCouldNotTellNeverBlame) {
  World w = healthy();
  w.default_security = result(Security::indeterminate);
  const Judgement j = w.run();
  EXPECT_EQ(dnssec_findings(j).size(), 1u) << dump(j);
  ASSERT_EQ(with_code(j, Code::DNSSEC_INDETERMINATE).size(), 1u) << dump(j);
  EXPECT_EQ(class_of(Code::DNSSEC_INDETERMINATE), FindingClass::not_checked);
  EXPECT_TRUE(problem_codes(j).empty()) << dump(j);
  EXPECT_EQ(j.verdict, Verdict::incomplete);
}

}  // namespace
}  // namespace dkimdoctor::diagnose
