// The validator against a signed hierarchy served by scripted servers: a root, test. and zones under it,
// signed at test time by Debian's ldns-keygen/ldns-signzone (ECDSAP256SHA256), the root's KSK DS as the
// trust anchor. Each zone shows one outcome: secure (NSEC and NSEC3), an expired window, a stale DS at the
// parent, an unsigned delegation proven by NSEC, a server stripping RRSIGs, a KeyTrap-shaped answer, and a
// CNAME from a secure zone into an insecure one. Runs in a network namespace like its neighbours.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>

#include "dnssec/denial.hpp"
#include "dnssec/keys.hpp"
#include "resolver/validator.hpp"
#include "tests/resolver/harness.hpp"
#include "wire/zonefile.hpp"

namespace dkimdoctor::resolver {
namespace {

namespace fs = std::filesystem;
using testsupport::Net;
using testsupport::Query;
using testsupport::Reply;
using wire::Name;
using wire::Record;
using wire::RRType;

Name N(std::string_view s) { return *Name::parse(s); }

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

// Validation time: 2030, inside the normal signatures' window (2026-2036), after the expired one (2020).
constexpr std::uint32_t kNow = 1893456000;

// An authoritative server of a signed zone: RRSIGs with the data they cover, the SOA and the NSEC/NSEC3
// records (with RRSIGs) of a negative answer, DS at the parent side, wildcard expansion with its NSEC.
struct SignedServer {
  Name origin;
  std::vector<Record> records;
  bool strip_rrsigs = false;
  int keytrap_copies = 0;  // put this many corrupted copies of the answer's RRSIG before the real one
  bool no_dnskey = false;  // answers DNSKEY questions with NODATA (a secondary that lost the keys)
  bool omit_referral_ds = false;  // referrals without the child's DS (a server that does not send it)
  // Negative answers as some signed servers send them (Unbound's val_nodata, val_cnametonx): without the SOA
  // and its RRSIG, only the NSEC/NSEC3 proof, and (proof_only_non_aa) with AA clear.
  bool proof_only = false;
  bool proof_only_non_aa = false;
  std::optional<RRType> hide_type;  // answers this type with NODATA although the name has it
  // A scripted reply instead of the zone's (a forgery or a broken server); nullopt: the zone's own.
  std::function<std::optional<std::vector<std::uint8_t>>(const SignedServer&, const Query&)> forge;
  // Referrals to an unsigned child carry the NSEC/NSEC3 proof that it has no DS, as NSD sends it
  // (RFC 4035 §3.1.4); `corrupt_proof` flips a bit of its RRSIGs; `omit_denial` leaves every
  // NSEC/NSEC3 record out of every reply (a parent that proves nothing).
  bool no_ds_proof_in_referral = false;
  std::string wildcard_nsec_as_proof;  // referrals carry the NSEC of this wildcard, renamed to the child
  bool corrupt_proof = false;
  bool omit_denial = false;
  bool nxdomain_for_empty = false;  // NXDOMAIN for a name without records of its own (an empty non-terminal)
  bool sigs_in_additional = false;  // the answer's RRSIGs in the additional section
  int queries_without_do = 0;
  int dnskey_queries = 0;

  std::vector<Record> find(const Name& owner, RRType type) const {
    std::vector<Record> out;
    for (const auto& r : records) {
      if (r.owner == owner && r.type == type) out.push_back(r);
    }
    return out;
  }
  std::vector<Record> sigs(const Name& owner, RRType type) const {
    std::vector<Record> out;
    for (const auto& r : records) {
      if (r.type != RRType::RRSIG || !(r.owner == owner)) continue;
      auto s = r.rdata.as_rrsig();
      if (s && s->type_covered == type) out.push_back(r);
    }
    return out;
  }
  bool exists(const Name& name) const {
    return std::any_of(records.begin(), records.end(), [&](const Record& r) {
      return r.owner.is_subdomain_of(name) && r.type != RRType::NSEC3 && r.type != RRType::RRSIG;
    });
  }
  // The NSEC records that match or cover the name, its ancestors' wildcards; every NSEC3 (small zones).
  std::vector<Record> denial(const Name& qname) const {
    std::vector<Record> out;
    for (const auto& r : records) {
      if (r.type == RRType::NSEC3) {
        out.push_back(r);
        continue;
      }
      if (r.type != RRType::NSEC) continue;
      dnssec::NsecRecord n{r.owner, *r.rdata.as_nsec()};
      bool wanted = r.owner == qname || dnssec::nsec_covers(n, qname);
      for (Name a = qname; a.is_subdomain_of(origin) && !wanted; a = a.parent()) {
        if (auto w = a.prepend("*")) wanted = dnssec::nsec_covers(n, *w) || r.owner == *w;
        if (a == origin) break;
      }
      if (wanted) out.push_back(r);
    }
    std::vector<Record> with_sigs = out;
    for (const auto& r : out) {
      for (auto& s : sigs(r.owner, r.type)) with_sigs.push_back(s);
    }
    return with_sigs;
  }
  std::vector<std::uint8_t> answer(const Query& q) const;
};

std::vector<std::uint8_t> SignedServer::answer(const Query& q) const {
  if (forge) {
    if (auto m = forge(*this, q)) return *m;
  }
  const Name qname = q.question.name;
  const RRType qtype = q.question.type;
  if (!qname.is_subdomain_of(origin)) return testsupport::make_reply(q, wire::Rcode::Refused, false, {});
  for (std::size_t labels = origin.label_count() + 1; labels <= qname.label_count(); ++labels) {
    const Name cut = qname.suffix(labels);
    auto ns = find(cut, RRType::NS);
    if (ns.empty() || (cut == qname && qtype == RRType::DS)) continue;
    std::vector<Record> glue;
    for (const auto& n : ns) {
      for (auto& g : find(*n.rdata.target(), RRType::A)) glue.push_back(g);
    }
    // A signed delegation's DS RRset and its RRSIG go with the referral, as NSD sends them (RFC 4035 §3.1.4).
    if (auto ds = find(cut, RRType::DS); !ds.empty() && !omit_referral_ds) {
      ns.insert(ns.end(), ds.begin(), ds.end());
      for (auto& s : sigs(cut, RRType::DS)) ns.push_back(s);
    } else if (ds.empty() && !wildcard_nsec_as_proof.empty()) {
      // The wildcard's NSEC and its RRSIG, owned by the child: they verify as a wildcard expansion.
      const Name wild = *Name::parse(wildcard_nsec_as_proof);
      std::vector<Record> forged = find(wild, RRType::NSEC);
      for (auto& s : sigs(wild, RRType::NSEC)) forged.push_back(s);
      for (Record& r : forged) r.owner = cut;
      ns.insert(ns.end(), forged.begin(), forged.end());
    } else if (ds.empty() && no_ds_proof_in_referral && !omit_denial) {
      for (Record d : denial(cut)) {
        if (corrupt_proof && d.type == RRType::RRSIG) {
          auto bytes = d.rdata.bytes();
          bytes.back() ^= 1;
          d.rdata = *wire::Rdata::from_bytes(RRType::RRSIG, bytes);
        }
        ns.push_back(std::move(d));
      }
    }
    return testsupport::make_reply(q, wire::Rcode::NoError, false, {}, ns, glue);
  }
  std::vector<Record> answer = find(qname, qtype), authority, additional;
  if ((no_dnskey && qtype == RRType::DNSKEY) || hide_type == qtype) answer.clear();
  if (answer.empty() && qtype != RRType::CNAME) answer = find(qname, RRType::CNAME);
  wire::Rcode rcode = wire::Rcode::NoError;
  if (!answer.empty()) {
    auto s = sigs(qname, answer.front().type);
    for (int i = 0; i < keytrap_copies && !s.empty(); ++i) {
      Record bad = s.front();
      auto bytes = bad.rdata.bytes();
      bytes.back() ^= static_cast<std::uint8_t>(i + 1);
      bad.rdata = *wire::Rdata::from_bytes(RRType::RRSIG, bytes);
      answer.push_back(bad);
    }
    answer.insert(answer.end(), s.begin(), s.end());
  } else if (!exists(qname)) {
    const Name wild = *qname.parent().prepend("*");
    answer = find(wild, qtype);
    if (answer.empty()) {
      rcode = wire::Rcode::NXDomain;
    } else {
      auto s = sigs(wild, qtype);
      answer.insert(answer.end(), s.begin(), s.end());
      for (auto& r : answer) r.owner = qname;
      authority = denial(qname);
    }
  }
  if (answer.empty() && nxdomain_for_empty &&
      std::none_of(records.begin(), records.end(), [&](const Record& r) { return r.owner == qname; })) {
    rcode = wire::Rcode::NXDomain;
  }
  if (answer.empty()) {
    if (!proof_only) {
      authority = find(origin, RRType::SOA);
      for (auto& s : sigs(origin, RRType::SOA)) authority.push_back(s);
    }
    if (!omit_denial) {
      for (auto& d : denial(qname)) authority.push_back(d);
    }
  }
  if (!q.dnssec_ok || strip_rrsigs) {
    auto strip = [](std::vector<Record>& v) {
      v.erase(std::remove_if(v.begin(), v.end(), [](const Record& r) { return r.type == RRType::RRSIG; }), v.end());
    };
    strip(answer);
    strip(authority);
  }
  if (sigs_in_additional && qtype != RRType::RRSIG) {
    for (const auto& r : answer) {
      if (r.type == RRType::RRSIG) additional.push_back(r);
    }
    answer.erase(std::remove_if(answer.begin(), answer.end(), [](const Record& r) { return r.type == RRType::RRSIG; }),
                 answer.end());
  }
  const bool aa = !(proof_only && proof_only_non_aa && answer.empty());
  return testsupport::make_reply(q, rcode, aa, answer, authority, additional);
}

// A leaf zone: host `h` serves it.
std::string leaf(const std::string& origin, int h, const Net& net, const std::string& extra = "") {
  return testsupport::expand(net, "$ORIGIN " + origin + "\n$TTL 3600\n@ SOA ns host 1 3600 900 604800 300\n@ NS ns\nns A {h" +
                                      std::to_string(h) + "}\nwww A 192.0.2.1\n" + extra);
}

class Validation : public ::testing::Test {
 protected:
  struct ZoneSpec {
    std::string origin;
    int host;
    std::string flags;  // ldns-signzone flags; "unsigned": not signed
    std::string extra;
    bool stale_ds = false;  // the parent gets the DS of another key
  };

  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/dkimdoctor-validator-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new fs::path(tmpl);
    net_ = new Net;
    servers_ = new std::map<std::string, std::shared_ptr<SignedServer>>;
    const std::string window = "-i 20260101000000 -e 20360101000000";
    const std::vector<ZoneSpec> leaves = {
        {"ok.test.", 3, window,
         "cn CNAME www.plain.test.\n*.wild TXT \"w\"\ncnd CNAME www.n3.test.\ncnx CNAME nope.n3.test.\n"
         "real.wild A 192.0.2.9\na.ent TXT \"e\"\n"},
        {"n3.test.", 4, "-n -t 0 -s abcd " + window,
         testsupport::expand(*net_, "kid NS ns.kid\nns.kid A {h12}\na.ent TXT \"e\"\n")},
        {"plain.test.", 5, "unsigned", testsupport::expand(*net_, "deep NS ns.deep\nns.deep A {h13}\n")},
        {"stale.test.", 6, window, "", true},
        {"old.test.", 7, "-i 20200101000000 -e 20200201000000", ""},
        {"strip.test.", 8, window, ""},
        {"trap.test.", 9, window, ""},
    };
    std::string test_body = testsupport::expand(*net_, "$ORIGIN test.\n$TTL 3600\n@ SOA ns1.nic host 1 3600 900 604800 300\n"
                                                       "@ NS ns1.nic\nns1.nic A {h2}\n");
    for (const auto& z : leaves) {
      test_body += z.origin + " NS ns." + z.origin + "\nns." + z.origin + " A " + net_->ip(z.host) + "\n";
      if (z.flags == "unsigned") {
        serve(z.origin, z.host, leaf(z.origin, z.host, *net_, z.extra), "");
        continue;
      }
      const std::string ds = sign(z.origin, leaf(z.origin, z.host, *net_, z.extra), z.flags, z.host);
      test_body += z.stale_ds ? key_ds(z.origin, "stale") : ds;
    }
    // deep.plain.test.: an unsigned zone under the unsigned plain.test.
    serve("deep.plain.test.", 13, leaf("deep.plain.test.", 13, *net_), "");
    // kid.n3.test.: an unsigned delegation in the NSEC3 zone.
    serve("kid.n3.test.", 12, leaf("kid.n3.test.", 12, *net_), "");
    // split.test.: two servers; ns2 (host 11) serves the signed zone but no DNSKEY RRset.
    // x.wc.test.: an unsigned delegation beside the wildcard *.wc.test. (whose NSEC a forged referral reuses).
    test_body += testsupport::expand(*net_, "*.wc.test. TXT \"w\"\nx.wc.test. NS ns.x.wc.test.\nns.x.wc.test. A {h14}\n");
    serve("x.wc.test.", 14, leaf("x.wc.test.", 14, *net_), "");
    test_body += testsupport::expand(*net_, "split.test. NS ns.split.test.\nsplit.test. NS ns2.split.test.\n"
                                            "ns.split.test. A {h10}\nns2.split.test. A {h11}\n");
    test_body += sign("split.test.", leaf("split.test.", 10, *net_, testsupport::expand(*net_, "@ NS ns2\nns2 A {h11}\n")),
                      window, 10);
    serve_copy("split.test.", "split.test.#ns2", 11);
    (*servers_)["split.test.#ns2"]->no_dnskey = true;
    const std::string test_ds = sign("test.", test_body, window, 2);
    const std::string root = testsupport::expand(*net_, "$TTL 86400\n. SOA a.root-servers.test. host.test. 1 3600 600 86400 3600\n"
                                                        ". NS a.root-servers.test.\ntest. NS ns1.nic.test.\nns1.nic.test. A {h2}\n") +
                             test_ds;
    const std::string root_ds = sign(".", root, window, 1);
    auto anchor = wire::parse_zone_text(root_ds);
    ASSERT_TRUE(anchor.ok());
    anchors_ = new std::vector<Record>(*anchor);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete servers_;
    delete net_;
    delete anchors_;
    delete dir_;
  }

  // Signs `text` for `origin` with a new ECDSA key, serves it on host `h`, returns the DS text.
  static std::string sign(const std::string& origin, const std::string& text, const std::string& flags, int h) {
    const fs::path d = *dir_ / (origin == "." ? std::string("root") : origin);
    fs::create_directories(d);
    std::ofstream(d / "zone") << text;
    const std::string base = key(origin, d);
    const std::string cmd = std::string(DKIMDOCTOR_LDNS_SIGNZONE) + " " + flags + " -o " + origin + " -f '" +
                            (d / "signed").string() + "' '" + (d / "zone").string() + "' '" + base + "'";
    EXPECT_EQ(run(cmd), 0) << cmd;
    serve(origin, h, slurp(d / "signed"), "");
    return "$TTL 3600\n" + slurp(base + ".ds");
  }
  static std::string key(const std::string& origin, const fs::path& d) {
    const std::string cmd = "cd '" + d.string() + "' && " + DKIMDOCTOR_LDNS_KEYGEN + " -a ECDSAP256SHA256 -k " + origin;
    EXPECT_EQ(run(cmd), 0) << cmd;
    for (const auto& e : fs::directory_iterator(d)) {
      if (e.path().extension() == ".ds") return (e.path().parent_path() / e.path().stem()).string();
    }
    ADD_FAILURE() << "no key for " << origin;
    return "";
  }
  // The DS of a key the zone does not serve.
  static std::string key_ds(const std::string& origin, const std::string& tag) {
    const fs::path d = *dir_ / (origin + tag);
    fs::create_directories(d);
    return "$TTL 3600\n" + slurp(key(origin, d) + ".ds");
  }
  static void serve(const std::string& origin, int h, const std::string& text, const std::string&) {
    auto records = wire::parse_zone_text(text);
    ASSERT_TRUE(records.ok()) << origin << ": " << wire::to_string(records.error());
    auto server = std::make_shared<SignedServer>();
    server->origin = N(origin);
    server->records = *records;
    (*servers_)[origin] = server;
    net_->serve(h, [server](const Query& q) {
      Reply r;
      if (!q.dnssec_ok) ++server->queries_without_do;
      r.message = server->answer(q);
      return r;
    });
  }

  // Serves on host `h` what `origin`'s server serves, as another server (registered as `as`).
  static void serve_copy(const std::string& origin, const std::string& as, int h) {
    auto server = std::make_shared<SignedServer>(*(*servers_)[origin]);
    (*servers_)[as] = server;
    net_->serve(h, [server](const Query& q) {
      Reply r;
      if (!q.dnssec_ok) ++server->queries_without_do;
      if (q.question.type == RRType::DNSKEY) ++server->dnskey_queries;
      r.message = server->answer(q);
      return r;
    });
  }

  Options options(bool with_anchor = true) const {
    Options o = net_->options({1});
    if (with_anchor) o.trust_anchors = *anchors_;
    o.validation_time = kNow;
    return o;
  }
  Resolution resolve(const Options& o, std::string_view name, RRType type) {
    Resolver r(net_->io.get_executor(), o);
    return net_->run(r.resolve(N(name), type));
  }
  static std::string show(const Resolution& r) { return describe(r.validation); }

  static inline fs::path* dir_ = nullptr;
  static inline Net* net_ = nullptr;
  static inline std::map<std::string, std::shared_ptr<SignedServer>>* servers_ = nullptr;
  static inline std::vector<Record>* anchors_ = nullptr;
};

TEST_F(Validation, SignedChainIsSecure) {
  const Resolution r = resolve(options(), "www.ok.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer);
  EXPECT_TRUE(r.validation.checked);
  EXPECT_EQ(r.validation.status, dnssec::Status::secure) << show(r);
  EXPECT_EQ(r.validation.zone, N("ok.test."));
  EXPECT_EQ(r.validation.algorithm, 13);
  EXPECT_NE(r.validation.key_tag, 0);
  EXPECT_NE(r.validation.earliest_expiration, 0u);
  EXPECT_FALSE(r.signatures.empty());
  // The answer itself holds no RRSIG (existing readers see what they saw before).
  for (const auto& rec : r.answer) EXPECT_NE(rec.type, RRType::RRSIG);
  // The trace shows each validated step with its key tag and window.
  const auto step = std::find_if(r.trace.begin(), r.trace.end(), [](const TraceStep& t) {
    return t.note.find("DNSSEC: DNSKEY ok.test. secure (key tag") != std::string::npos;
  });
  ASSERT_NE(step, r.trace.end());
  EXPECT_NE(step->note.find("valid 20260101000000 to 20360101000000"), std::string::npos) << step->note;
  // Every query carried DO (the servers drop RRSIGs otherwise, and the answer would not be secure).
  for (const auto& [name, s] : *servers_) EXPECT_EQ(s->queries_without_do, 0) << name;
}

TEST_F(Validation, CachedAnswerIsSecureAgain) {
  Resolver res(net_->io.get_executor(), options());
  const Resolution first = net_->run(res.resolve(N("www.ok.test."), RRType::A));
  const Resolution again = net_->run(res.resolve(N("www.ok.test."), RRType::A));
  EXPECT_EQ(first.validation.status, dnssec::Status::secure) << show(first);
  EXPECT_EQ(again.validation.status, dnssec::Status::secure) << show(again);
  EXPECT_EQ(again.queries, 0);  // answer and keys from the caches
}

TEST_F(Validation, ExpiredSignaturesAreBogus) {
  const Resolution r = resolve(options(), "www.old.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer);
  EXPECT_EQ(r.validation.status, dnssec::Status::bogus) << show(r);
  EXPECT_EQ(r.validation.reason, dnssec::Reason::signature_expired) << show(r);
  EXPECT_EQ(r.validation.zone, N("old.test."));
  EXPECT_NE(r.validation.expiration, 0u);
}

TEST_F(Validation, StaleDsIsNoMatchingDnskey) {
  const Resolution r = resolve(options(), "www.stale.test.", RRType::A);
  EXPECT_EQ(r.validation.status, dnssec::Status::bogus) << show(r);
  EXPECT_EQ(r.validation.reason, dnssec::Reason::no_matching_dnskey) << show(r);
  EXPECT_EQ(r.validation.zone, N("stale.test."));
  EXPECT_NE(r.validation.detail.find("stale.test."), std::string::npos) << r.validation.detail;
}

// A server that serves no DNSKEY RRset (a secondary that lost the keys) does not make the zone bogus: the
// validator asks the zone's other servers, as Unbound does, and trusts the copy that validates. Fresh
// resolvers, so that some of them pick ns2 first (it must have been asked).
TEST_F(Validation, KeysFromAnotherServerWhenOneServesNone) {
  auto& ns2 = *(*servers_)["split.test.#ns2"];
  ns2.dnskey_queries = 0;
  for (int i = 0; i < 16; ++i) {
    const Resolution r = resolve(options(), "www.split.test.", RRType::A);
    ASSERT_EQ(r.outcome, Outcome::answer);
    EXPECT_EQ(r.validation.status, dnssec::Status::secure) << show(r);
    EXPECT_EQ(r.validation.zone, N("split.test."));
  }
  EXPECT_GT(ns2.dnskey_queries, 0) << "ns2 was never asked for the keys: the retry was not exercised";
}

TEST_F(Validation, UnsignedDelegationProvenIsInsecure) {
  const Resolution r = resolve(options(), "www.plain.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer);
  EXPECT_EQ(r.validation.status, dnssec::Status::insecure) << show(r);
  EXPECT_EQ(r.validation.zone, N("plain.test."));
}

TEST_F(Validation, StrippedSignaturesAreMissingRrsig) {
  (*servers_)["strip.test."]->strip_rrsigs = true;
  const Resolution r = resolve(options(), "www.strip.test.", RRType::A);
  (*servers_)["strip.test."]->strip_rrsigs = false;
  EXPECT_EQ(r.validation.status, dnssec::Status::bogus) << show(r);
  EXPECT_EQ(r.validation.reason, dnssec::Reason::missing_rrsig) << show(r);
}

TEST_F(Validation, NegativeAnswersProvenSecure) {
  for (const char* zone : {"ok.test.", "n3.test."}) {
    const Resolution nx = resolve(options(), std::string("nope.") + zone, RRType::A);
    ASSERT_EQ(nx.outcome, Outcome::nxdomain) << zone;
    EXPECT_EQ(nx.validation.status, dnssec::Status::secure) << zone << ": " << show(nx);
    EXPECT_FALSE(nx.denial.empty()) << zone;
    const Resolution nodata = resolve(options(), std::string("www.") + zone, RRType::TXT);
    ASSERT_EQ(nodata.outcome, Outcome::nodata) << zone;
    EXPECT_EQ(nodata.validation.status, dnssec::Status::secure) << zone << ": " << show(nodata);
  }
}

TEST_F(Validation, NegativeAnswerWithoutProofIsBogus) {
  (*servers_)["ok.test."]->strip_rrsigs = true;
  const Resolution r = resolve(options(), "nope.ok.test.", RRType::A);
  (*servers_)["ok.test."]->strip_rrsigs = false;
  ASSERT_EQ(r.outcome, Outcome::nxdomain);
  EXPECT_EQ(r.validation.status, dnssec::Status::bogus) << show(r);
}

TEST_F(Validation, WildcardAnswerWithProofIsSecure) {
  const Resolution r = resolve(options(), "x.wild.ok.test.", RRType::TXT);
  ASSERT_EQ(r.outcome, Outcome::answer);
  EXPECT_EQ(r.validation.status, dnssec::Status::secure) << show(r);
}

TEST_F(Validation, CnameIntoInsecureZoneIsInsecure) {
  const Resolution r = resolve(options(), "cn.ok.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer);
  ASSERT_EQ(r.answer.size(), 2u);
  EXPECT_EQ(r.validation.status, dnssec::Status::insecure) << show(r);
  EXPECT_EQ(r.validation.zone, N("plain.test."));
}

TEST_F(Validation, KeyTrapBudgetIsBogus) {
  (*servers_)["trap.test."]->keytrap_copies = 16;
  const Resolution r = resolve(options(), "www.trap.test.", RRType::A);
  (*servers_)["trap.test."]->keytrap_copies = 0;
  EXPECT_EQ(r.validation.status, dnssec::Status::bogus) << show(r);
  EXPECT_EQ(r.validation.reason, dnssec::Reason::verification_limit) << show(r);
}

TEST_F(Validation, NoAnchorOrNoValidateIsNotChecked) {
  const Resolution none = resolve(options(false), "www.ok.test.", RRType::A);
  EXPECT_FALSE(none.validation.checked);
  Options off = options();
  off.validate = false;
  const Resolution r = resolve(off, "www.ok.test.", RRType::A);
  EXPECT_EQ(r.outcome, Outcome::answer);
  EXPECT_FALSE(r.validation.checked);
}

TEST_F(Validation, DsQuestionGoesToTheParent) {
  const Resolution r = resolve(options(), "ok.test.", RRType::DS);
  ASSERT_EQ(r.outcome, Outcome::answer);
  EXPECT_EQ(r.validation.status, dnssec::Status::secure) << show(r);
  EXPECT_EQ(r.validation.zone, N("test."));  // signed by the parent
}

TEST_F(Validation, SignedReferralsDsIsTakenFromTheReferral) {
  // test.'s referral to ok.test. carries ok.test.'s DS and its RRSIG (RFC 4035 §3.1.4): the validator
  // reads them from the cache and does not ask test.'s servers "ok.test. DS" again.
  const Resolution r = resolve(options(), "www.ok.test.", RRType::A);
  ASSERT_EQ(r.outcome, Outcome::answer);
  EXPECT_EQ(r.validation.status, dnssec::Status::secure) << show(r);
  const auto asked_ds = std::find_if(r.trace.begin(), r.trace.end(), [](const TraceStep& t) {
    return t.kind == StepKind::query && t.question.type == RRType::DS;
  });
  EXPECT_EQ(asked_ds, r.trace.end()) << show(r);
  const auto cached_ds = std::find_if(r.trace.begin(), r.trace.end(), [](const TraceStep& t) {
    return t.kind == StepKind::cache && t.note.find("ok.test. DS") != std::string::npos;
  });
  EXPECT_NE(cached_ds, r.trace.end()) << show(r);
}

TEST_F(Validation, WithoutTheDsInTheReferralTheParentIsAskedForIt) {
  for (auto& [name, srv] : *servers_) srv->omit_referral_ds = true;
  const Resolution r = resolve(options(), "www.ok.test.", RRType::A);
  for (auto& [name, srv] : *servers_) srv->omit_referral_ds = false;
  ASSERT_EQ(r.outcome, Outcome::answer);
  EXPECT_EQ(r.validation.status, dnssec::Status::secure) << show(r);
  const auto asked_ds = std::find_if(r.trace.begin(), r.trace.end(), [](const TraceStep& t) {
    return t.kind == StepKind::query && t.question.type == RRType::DS && t.question.name == N("ok.test.");
  });
  EXPECT_NE(asked_ds, r.trace.end()) << show(r);
}

TEST_F(Validation, ProbeKeepsDnssecRecordsApart) {
  Resolver res(net_->io.get_executor(), options());
  const ZoneProbe p = net_->run(res.probe(N("www.ok.test."), {wire::Question{N("www.ok.test."), RRType::A, wire::RRClass::IN}}));
  ASSERT_TRUE(p.zone_found);
  bool asked = false;
  for (const auto& resp : p.responses) {
    if (!(resp.question.name == N("www.ok.test.")) || resp.question.type != RRType::A) continue;
    asked = true;
    ASSERT_EQ(resp.answer.size(), 1u);  // the A record only: the RRSIG went to `dnssec`
    EXPECT_EQ(resp.answer.front().type, RRType::A);
    ASSERT_FALSE(resp.dnssec.empty());
    EXPECT_EQ(resp.dnssec.front().type, RRType::RRSIG);
  }
  EXPECT_TRUE(asked);
}

TEST_F(Validation, NegativeAnswerFromCacheIsSecureAgain) {
  Resolver res(net_->io.get_executor(), options());
  const Resolution first = net_->run(res.resolve(N("nope.n3.test."), RRType::A));
  const Resolution again = net_->run(res.resolve(N("nope.n3.test."), RRType::A));
  EXPECT_EQ(first.validation.status, dnssec::Status::secure) << show(first);
  EXPECT_EQ(again.validation.status, dnssec::Status::secure) << show(again);
  EXPECT_EQ(again.queries, 0);
  EXPECT_FALSE(again.denial.empty());
}

// Issue 14, Unbound's val_nodata / val_nsec3_entnodata_optout: a signed zone's NODATA with only its NSEC or
// NSEC3 proof, no SOA and AA clear. The iterator takes it (it called it a "non-authoritative empty reply"
// and failed the server) and the validator proves it from the NSEC/NSEC3 records alone.
TEST_F(Validation, NodataWithOnlyItsProofIsSecure) {
  for (const char* zone : {"ok.test.", "n3.test."}) {
    auto& srv = *(*servers_)[zone];
    srv.proof_only = srv.proof_only_non_aa = true;
    const Resolution r = resolve(options(), std::string("www.") + zone, RRType::TXT);
    srv.proof_only = srv.proof_only_non_aa = false;
    ASSERT_EQ(r.outcome, Outcome::nodata) << zone << ": " << to_string(r.failure) << " " << r.failure_detail;
    EXPECT_FALSE(r.negative_soa.has_value()) << zone;
    EXPECT_FALSE(r.denial.empty()) << zone;
    EXPECT_EQ(r.validation.status, dnssec::Status::secure) << zone << ": " << show(r);
  }
}

// Unbound's val_cnametonx, val_cnamewctonx: NXDOMAIN without SOA, the NSEC/NSEC3 proof only.
TEST_F(Validation, NxdomainWithOnlyItsProofIsSecure) {
  for (const char* zone : {"ok.test.", "n3.test."}) {
    auto& srv = *(*servers_)[zone];
    srv.proof_only = true;
    const Resolution r = resolve(options(), std::string("nope.") + zone, RRType::A);
    srv.proof_only = false;
    ASSERT_EQ(r.outcome, Outcome::nxdomain) << zone;
    EXPECT_FALSE(r.negative_soa.has_value()) << zone;
    EXPECT_EQ(r.validation.status, dnssec::Status::secure) << zone << ": " << show(r);
  }
}

// Unbound's val_cnametonodata, val_cnametonx: the chain's last zone answers with the proof only.
TEST_F(Validation, CnameToANegativeAnswerWithOnlyItsProofIsSecure) {
  auto& n3 = *(*servers_)["n3.test."];
  n3.proof_only = n3.proof_only_non_aa = true;
  const Resolution nodata = resolve(options(), "cnd.ok.test.", RRType::TXT);
  const Resolution nx = resolve(options(), "cnx.ok.test.", RRType::A);
  n3.proof_only = n3.proof_only_non_aa = false;
  ASSERT_EQ(nodata.outcome, Outcome::nodata) << to_string(nodata.failure) << " " << nodata.failure_detail;
  EXPECT_EQ(nodata.answer.size(), 1u);  // the CNAME
  EXPECT_EQ(nodata.validation.status, dnssec::Status::secure) << show(nodata);
  ASSERT_EQ(nx.outcome, Outcome::nxdomain);
  EXPECT_EQ(nx.validation.status, dnssec::Status::secure) << show(nx);
}

// The proof-only NODATA is taken by the iterator, not trusted: an NSEC that says the type exists (Unbound's
// val_nodata_hasdata) or a proof whose signatures were stripped leaves the answer bogus.
TEST_F(Validation, ProofOnlyNodataThatProvesNothingIsBogus) {
  auto& srv = *(*servers_)["ok.test."];
  srv.proof_only = srv.proof_only_non_aa = true;
  srv.hide_type = RRType::A;
  const Resolution hasdata = resolve(options(), "www.ok.test.", RRType::A);
  srv.hide_type.reset();
  srv.proof_only = srv.proof_only_non_aa = false;
  ASSERT_EQ(hasdata.outcome, Outcome::nodata) << to_string(hasdata.failure) << " " << hasdata.failure_detail;
  EXPECT_EQ(hasdata.validation.status, dnssec::Status::bogus) << show(hasdata);
  EXPECT_EQ(hasdata.validation.reason, dnssec::Reason::denial_not_proven) << show(hasdata);
}

// A proof-only NODATA whose NSEC signature is broken (Unbound's val_nodata_failsig), or whose NSEC is valid
// but says nothing about the name (val_nodatawc_nodeny), is bogus: the iterator took it, it is not trusted.
TEST_F(Validation, ProofOnlyNodataWithABadOrIrrelevantNsecIsBogus) {
  auto& srv = *(*servers_)["ok.test."];
  auto reply = [](const SignedServer& z, const Query& q, const Name& owner, bool corrupt) {
    std::vector<Record> authority = z.find(owner, RRType::NSEC);
    for (Record sig : z.sigs(owner, RRType::NSEC)) {
      if (corrupt) {
        auto bytes = sig.rdata.bytes();
        bytes.back() ^= 1;
        sig.rdata = *wire::Rdata::from_bytes(RRType::RRSIG, bytes);
      }
      authority.push_back(sig);
    }
    return testsupport::make_reply(q, wire::Rcode::NoError, false, {}, authority);
  };
  srv.forge = [&](const SignedServer& z, const Query& q) -> std::optional<std::vector<std::uint8_t>> {
    if (!(q.question.name == N("www.ok.test.")) || q.question.type != RRType::TXT) return std::nullopt;
    return reply(z, q, N("www.ok.test."), true);
  };
  const Resolution badsig = resolve(options(), "www.ok.test.", RRType::TXT);
  srv.forge = [&](const SignedServer& z, const Query& q) -> std::optional<std::vector<std::uint8_t>> {
    if (!(q.question.name == N("www.ok.test.")) || q.question.type != RRType::TXT) return std::nullopt;
    return reply(z, q, N("ns.ok.test."), false);
  };
  const Resolution nodeny = resolve(options(), "www.ok.test.", RRType::TXT);
  srv.forge = nullptr;
  ASSERT_EQ(badsig.outcome, Outcome::nodata) << to_string(badsig.failure) << " " << badsig.failure_detail;
  EXPECT_EQ(badsig.validation.status, dnssec::Status::bogus) << show(badsig);
  EXPECT_EQ(badsig.validation.reason, dnssec::Reason::bad_signature) << show(badsig);
  ASSERT_EQ(nodeny.outcome, Outcome::nodata) << to_string(nodeny.failure) << " " << nodeny.failure_detail;
  EXPECT_EQ(nodeny.validation.status, dnssec::Status::bogus) << show(nodeny);
  EXPECT_EQ(nodeny.validation.reason, dnssec::Reason::denial_not_proven) << show(nodeny);
}

// An NSEC synthesised from a wildcard (RRSIG labels below its owner's) speaks for the wildcard, not for the
// name it was expanded to: replayed at real.wild.ok.test. (which has an A), the wildcard's NSEC (no A) must
// not deny that A (Unbound rewrites such an NSEC's owner; val_wcnsec_nods is the DS case).
TEST_F(Validation, WildcardExpandedNsecDoesNotDenyTheExpandedName) {
  auto& srv = *(*servers_)["ok.test."];
  srv.forge = [](const SignedServer& z, const Query& q) -> std::optional<std::vector<std::uint8_t>> {
    const Name real = N("real.wild.ok.test."), wild = N("*.wild.ok.test.");
    if (!(q.question.name == real) || q.question.type != RRType::A) return std::nullopt;
    std::vector<Record> authority = z.find(z.origin, RRType::SOA);
    for (auto& s : z.sigs(z.origin, RRType::SOA)) authority.push_back(s);
    for (Record r : z.find(wild, RRType::NSEC)) authority.push_back((r.owner = real, r));
    for (Record r : z.sigs(wild, RRType::NSEC)) authority.push_back((r.owner = real, r));
    return testsupport::make_reply(q, wire::Rcode::NoError, true, {}, authority);
  };
  const Resolution r = resolve(options(), "real.wild.ok.test.", RRType::A);
  srv.forge = nullptr;
  ASSERT_EQ(r.outcome, Outcome::nodata) << to_string(r.failure) << " " << r.failure_detail;
  EXPECT_EQ(r.validation.status, dnssec::Status::bogus) << show(r);
  EXPECT_EQ(r.validation.reason, dnssec::Reason::denial_not_proven) << show(r);
}

// Without an SOA there is no RFC 2308 negative TTL: the entry lives as long as the proof's smallest TTL.
TEST_F(Validation, ProofOnlyNegativeAnswerIsCachedForTheProofsTtl) {
  auto now = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  Options o = options();
  o.clock = [now] { return *now; };
  auto& srv = *(*servers_)["n3.test."];
  srv.proof_only = srv.proof_only_non_aa = true;
  Resolver res(net_->io.get_executor(), o);
  const Resolution first = net_->run(res.resolve(N("www.n3.test."), RRType::TXT));
  const Resolution again = net_->run(res.resolve(N("www.n3.test."), RRType::TXT));
  std::uint32_t ttl = UINT32_MAX;
  for (const auto& rec : first.denial) ttl = std::min(ttl, rec.ttl);
  *now += std::chrono::seconds(ttl + 1);
  const Resolution expired = net_->run(res.resolve(N("www.n3.test."), RRType::TXT));
  srv.proof_only = srv.proof_only_non_aa = false;
  ASSERT_EQ(first.outcome, Outcome::nodata);
  ASSERT_FALSE(first.denial.empty());
  EXPECT_EQ(again.outcome, Outcome::nodata);
  EXPECT_EQ(again.queries, 0);
  EXPECT_EQ(again.validation.status, dnssec::Status::secure) << show(again);
  EXPECT_EQ(expired.outcome, Outcome::nodata);
  EXPECT_GT(expired.queries, 0);  // the negative entry expired with its proof (the keys may still be cached)
}

// Issue 14, group C: a signed referral to an unsigned child carries the NSEC (NSEC3) record proving the child
// has no DS (RFC 4035 §3.1.4). It is cached as the parent's NODATA for "<child> DS", proven with the parent's
// keys, and the child is insecure without a DS question to the parent; a second name under the child asks
// nothing more.
TEST_F(Validation, UnsignedReferralsProofOfNoDsIsTakenFromTheReferral) {
  auto asked_ds = [](const Resolution& r) {
    return std::any_of(r.trace.begin(), r.trace.end(), [](const TraceStep& t) {
      return t.kind == StepKind::query && t.question.type == RRType::DS;
    });
  };
  for (auto& [name, srv] : *servers_) srv->no_ds_proof_in_referral = true;
  // NSEC (test.) and NSEC3 (n3.test.) parents.
  for (const auto& [qname, child] : {std::pair{"www.plain.test.", "plain.test."}, {"ns.kid.n3.test.", "kid.n3.test."}}) {
    Resolver res(net_->io.get_executor(), options());
    const Resolution r = net_->run(res.resolve(N(qname), RRType::A));
    ASSERT_EQ(r.outcome, Outcome::answer) << qname;
    EXPECT_EQ(r.validation.status, dnssec::Status::insecure) << qname << ": " << show(r);
    EXPECT_EQ(r.validation.zone, N(child)) << show(r);
    EXPECT_FALSE(asked_ds(r)) << qname << ": the parent was asked for the DS its referral disproved";
    const Resolution second = net_->run(res.resolve(N(child), RRType::TXT));
    EXPECT_EQ(second.validation.status, dnssec::Status::insecure) << show(second);
    EXPECT_FALSE(asked_ds(second)) << qname;
    // Asked for the DS itself, the cached NODATA (no SOA) answers, proven secure by the parent's NSEC/NSEC3.
    const Resolution ds = net_->run(res.resolve(N(child), RRType::DS));
    EXPECT_EQ(ds.outcome, Outcome::nodata) << qname;
    EXPECT_FALSE(ds.negative_soa.has_value());
    EXPECT_EQ(ds.validation.status, dnssec::Status::secure) << qname << ": " << show(ds);
    EXPECT_FALSE(asked_ds(ds)) << qname;
  }
  for (auto& [name, srv] : *servers_) srv->no_ds_proof_in_referral = false;
}

// The referral's proof is validated with the parent's keys: a forged one makes the child bogus, not insecure
// (no downgrade), and so does a signed parent that proves nothing, in its referral or its DS answer.
TEST_F(Validation, UnprovenAbsenceOfDsUnderASignedParentIsBogus) {
  auto& test = *(*servers_)["test."];
  test.no_ds_proof_in_referral = true;
  test.corrupt_proof = true;
  const Resolution forged = resolve(options(), "www.plain.test.", RRType::A);
  test.corrupt_proof = false;
  EXPECT_EQ(forged.validation.status, dnssec::Status::bogus) << show(forged);
  EXPECT_EQ(forged.validation.reason, dnssec::Reason::bad_signature) << show(forged);
  test.omit_denial = true;
  const Resolution unproven = resolve(options(), "www.plain.test.", RRType::A);
  test.omit_denial = false;
  test.no_ds_proof_in_referral = false;
  ASSERT_EQ(unproven.outcome, Outcome::answer);
  EXPECT_EQ(unproven.validation.status, dnssec::Status::bogus) << show(unproven);
  EXPECT_EQ(unproven.validation.reason, dnssec::Reason::denial_not_proven) << show(unproven);
}

// Under a zone the key cache holds insecure, every zone is insecure without a DS question (Unbound walks
// down from the anchor and stops there): deep.plain.test. under plain.test.
TEST_F(Validation, UnderAnInsecureZoneNoDsIsAsked) {
  Resolver res(net_->io.get_executor(), options());
  const Resolution plain = net_->run(res.resolve(N("www.plain.test."), RRType::A));
  ASSERT_EQ(plain.validation.status, dnssec::Status::insecure) << show(plain);
  const Resolution deep = net_->run(res.resolve(N("www.deep.plain.test."), RRType::A));
  ASSERT_EQ(deep.outcome, Outcome::answer);
  EXPECT_EQ(deep.validation.status, dnssec::Status::insecure) << show(deep);
  EXPECT_EQ(deep.validation.zone, N("plain.test.")) << show(deep);
  const auto asked_ds = std::find_if(deep.trace.begin(), deep.trace.end(), [](const TraceStep& t) {
    return t.kind == StepKind::query && t.question.type == RRType::DS;
  });
  EXPECT_EQ(asked_ds, deep.trace.end()) << "asked " << asked_ds->question.name.to_string() << " DS";
}

// A DS question is the parent side's: it does not follow a CNAME cached for the name (Unbound's
// dns_cache_lookup; val_unsec_cname) but asks the zone above it (ok.test.'s server, which then answers what
// it answers: here the CNAME itself).
TEST_F(Validation, DsQuestionDoesNotFollowACachedCname) {
  Resolver res(net_->io.get_executor(), options());
  const Resolution cname = net_->run(res.resolve(N("cn.ok.test."), RRType::A));
  ASSERT_EQ(cname.outcome, Outcome::answer);
  const Resolution ds = net_->run(res.resolve(N("cn.ok.test."), RRType::DS));
  const auto asked = std::find_if(ds.trace.begin(), ds.trace.end(), [](const TraceStep& t) {
    return t.kind == StepKind::query && t.question.type == RRType::DS && t.question.name == N("cn.ok.test.");
  });
  EXPECT_NE(asked, ds.trace.end()) << "cn.ok.test. DS was answered from the cached CNAME";
  const auto from_cache = std::find_if(ds.trace.begin(), ds.trace.end(), [](const TraceStep& t) {
    return t.kind == StepKind::cache && t.note.find("cn.ok.test. CNAME") != std::string::npos;
  });
  EXPECT_EQ(from_cache, ds.trace.end());
}

// An NSEC expanded from a wildcard (its RRSIG has fewer labels than its owner) proves nothing about its owner
// (Unbound's val_wcnsec_nods): a referral whose "proof" of no DS is the NSEC of *.wc.test., renamed to the
// child x.wc.test., leaves the child bogus, not insecure.
TEST_F(Validation, WildcardExpandedNsecDoesNotProveNoDs) {
  auto& test = *(*servers_)["test."];
  test.wildcard_nsec_as_proof = "*.wc.test.";
  const Resolution r = resolve(options(), "www.x.wc.test.", RRType::A);
  test.wildcard_nsec_as_proof.clear();
  ASSERT_EQ(r.outcome, Outcome::answer);
  EXPECT_EQ(r.validation.status, dnssec::Status::bogus) << show(r);
  EXPECT_NE(r.validation.detail.find("wildcard expansion"), std::string::npos) << show(r);
  // Asked honestly, test. proves it with its own NSEC: insecure.
  const Resolution honest = resolve(options(), "www.x.wc.test.", RRType::A);
  EXPECT_EQ(honest.validation.status, dnssec::Status::insecure) << show(honest);
}

// Unbound's val_nodata_entnx: a server answers NXDOMAIN for an empty non-terminal (ent.<zone>, above
// a.ent.<zone>), and its own signed NSEC/NSEC3 records prove the name exists without the type. The zone's
// proof wins over its rcode, as in Unbound: NOERROR/NODATA, secure (also from the cache).
TEST_F(Validation, NxdomainForAnEmptyNonTerminalIsProvenNodata) {
  for (const char* zone : {"ok.test.", "n3.test."}) {
    auto& server = *(*servers_)[zone];
    server.nxdomain_for_empty = true;
    Resolver res(net_->io.get_executor(), options());
    const Resolution r = net_->run(res.resolve(N(std::string("ent.") + zone), RRType::A));
    const Resolution again = net_->run(res.resolve(N(std::string("ent.") + zone), RRType::A));
    // A name that does not exist stays NXDOMAIN: the proof says so.
    const Resolution nx = net_->run(res.resolve(N(std::string("nope.") + zone), RRType::A));
    server.nxdomain_for_empty = false;
    for (const Resolution* x : {&r, &again}) {
      EXPECT_EQ(x->outcome, Outcome::nodata) << zone << ": " << show(*x);
      EXPECT_EQ(x->rcode, wire::Rcode::NoError) << zone;
      EXPECT_EQ(x->validation.status, dnssec::Status::secure) << zone << ": " << show(*x);
    }
    EXPECT_EQ(nx.outcome, Outcome::nxdomain) << zone;
    EXPECT_EQ(nx.validation.status, dnssec::Status::secure) << zone << ": " << show(nx);
  }
}

// Without the proof, such an NXDOMAIN stays what it was: bogus (the signatures are stripped).
TEST_F(Validation, NxdomainForAnEmptyNonTerminalWithoutProofIsBogus) {
  auto& server = *(*servers_)["ok.test."];
  server.nxdomain_for_empty = true;
  server.strip_rrsigs = true;
  const Resolution r = resolve(options(), "ent.ok.test.", RRType::A);
  server.nxdomain_for_empty = false;
  server.strip_rrsigs = false;
  EXPECT_EQ(r.outcome, Outcome::nxdomain);
  EXPECT_EQ(r.validation.status, dnssec::Status::bogus) << show(r);
}

// The DS RRsets of ok.test., as a trust anchor for ok.test. alone.
std::vector<Record> ds_anchor(const Resolution& ds, const char* owner) {
  std::vector<Record> out;
  for (Record r : ds.answer) {
    if (r.type != RRType::DS) continue;
    r.owner = N(owner);
    out.push_back(std::move(r));
  }
  return out;
}

// Unbound's val_qds_badanc: the DS RRset of an anchored zone is its parent's data (signed by the parent's
// keys); with no anchor above, it is not validated (not bogus "signer not an ancestor"). Data under the
// anchor still is.
TEST_F(Validation, DsQuestionAtTheAnchorIsTheParentsData) {
  const Resolution ds = resolve(options(), "ok.test.", RRType::DS);
  ASSERT_EQ(ds.outcome, Outcome::answer);
  Options o = options();
  o.trust_anchors = ds_anchor(ds, "ok.test.");
  ASSERT_FALSE(o.trust_anchors.empty());
  const Resolution r = resolve(o, "ok.test.", RRType::DS);
  EXPECT_EQ(r.outcome, Outcome::answer);
  EXPECT_FALSE(r.validation.checked) << show(r);
  const Resolution www = resolve(o, "www.ok.test.", RRType::A);
  EXPECT_EQ(www.validation.status, dnssec::Status::secure) << show(www);
}

// Unbound's val_anchor_nx_nosig: an anchor for a zone its parent does not delegate (sub.ok.test.), and the
// parent's NXDOMAIN, signed by keys no anchor covers: not validated (RFC 4033 §5's indeterminate, which
// Unbound serves without AD), not our "indeterminate" (keys that could not be fetched, a SERVFAIL).
TEST_F(Validation, NegativeAnswerFromAboveTheAnchorIsNotValidated) {
  const Resolution ds = resolve(options(), "ok.test.", RRType::DS);
  Options o = options();
  o.trust_anchors = ds_anchor(ds, "sub.ok.test.");
  ASSERT_FALSE(o.trust_anchors.empty());
  const Resolution r = resolve(o, "www.sub.ok.test.", RRType::A);
  EXPECT_EQ(r.outcome, Outcome::nxdomain);
  EXPECT_FALSE(r.validation.checked) << show(r);
}

// Unbound's val_rrsig: an RRSIG question is answered with the RRSIG records (RFC 4035 §3.1.5), which are
// not themselves signed (RFC 4035 §2.2): the answer, not validated, as Unbound ("no sigs on sigs").
TEST_F(Validation, RrsigQuestionIsAnsweredNotValidated) {
  const Resolution r = resolve(options(), "www.ok.test.", RRType::RRSIG);
  ASSERT_EQ(r.outcome, Outcome::answer) << r.failure_detail;
  ASSERT_FALSE(r.answer.empty());
  for (const auto& rec : r.answer) EXPECT_EQ(rec.type, RRType::RRSIG);
  EXPECT_FALSE(r.validation.checked) << show(r);
}

// Unbound's val_ta_algo_dnskey: a server that puts the answer's RRSIGs in the additional section. They
// are the answer's (the resolution's `signatures`, and the probe's `dnssec`), and the answer is secure.
TEST_F(Validation, RrsigsInTheAdditionalSectionAreTheAnswers) {
  auto& server = *(*servers_)["ok.test."];
  server.sigs_in_additional = true;
  Resolver res(net_->io.get_executor(), options());
  const Resolution r = net_->run(res.resolve(N("www.ok.test."), RRType::A));
  const ZoneProbe p = net_->run(res.probe(N("www.ok.test."), {wire::Question{N("www.ok.test."), RRType::A, wire::RRClass::IN}}));
  server.sigs_in_additional = false;
  ASSERT_EQ(r.outcome, Outcome::answer);
  EXPECT_EQ(r.validation.status, dnssec::Status::secure) << show(r);
  ASSERT_FALSE(r.signatures.empty());
  EXPECT_EQ(r.signatures.front().owner, N("www.ok.test."));
  bool asked = false;
  for (const auto& resp : p.responses) {
    if (!(resp.question.name == N("www.ok.test.")) || resp.question.type != RRType::A) continue;
    asked = true;
    EXPECT_EQ(resp.answer.size(), 1u);
    EXPECT_EQ(std::count_if(resp.dnssec.begin(), resp.dnssec.end(), [](const Record& x) { return x.type == RRType::RRSIG; }),
              1);
  }
  EXPECT_TRUE(asked);
}

}  // namespace
}  // namespace dkimdoctor::resolver
