// Interop with a real signer: small zones signed at test time by Debian's ldns-keygen and ldns-signzone
// (ldnsutils) with every algorithm we validate (RSASHA1-NSEC3-SHA1, RSASHA256, RSASHA512, ECDSAP256SHA256,
// ECDSAP384SHA384, ED25519, ED448 when OpenSSL has it), each with NSEC, NSEC3 and NSEC3 opt-out, and with two
// we must not validate (DSA, RSAMD5: the zone is insecure),
// read back with wire's zone reader. Every signed RRset must validate secure under the zone's DNSKEY set
// (itself secure under the DS that ldns-keygen wrote), a flipped signature byte must be bogus, a wrong DS
// must be "no matching DNSKEY", and the denial proofs must hold for names that do not exist and fail for
// names that do. No network: the tools only read and write files in a scratch directory.
//
// With DKIMDOCTOR_DNSSEC_SEEDS=DIR set, the test also writes fuzz seeds (fuzz/corpus/fuzz_dnssec_*).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>

#include "dnssec/crypto.hpp"
#include "dnssec/denial.hpp"
#include "dnssec/keys.hpp"
#include "dnssec/validate.hpp"
#include "tests/dnssec/test_util.hpp"
#include "wire/builder.hpp"

namespace dkimdoctor::dnssec {
namespace {

namespace fs = std::filesystem;
using test::name;
using wire::RRType;

constexpr std::string_view kZone = R"($ORIGIN example.
$TTL 3600
@            SOA   ns1 host 2026010101 3600 900 604800 300
@            NS    ns1
ns1          A     192.0.2.1
a            A     192.0.2.2
a            A     192.0.2.3
Mixed.Case   TXT   "canonical form lowercases this owner"
mx           MX    10 Mail.Example.
sel._domainkey TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"
*.w          TXT   "wild"
x.w          MX    10 a
deep.ent     A     192.0.2.4
sub          NS    ns.sub
ns.sub       A     192.0.2.5
)";

// Signatures from 2026 to 2036; validated as of 2030.
constexpr const char* kInception = "20260101000000";
constexpr const char* kExpiration = "20360101000000";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

struct Signed {
  std::vector<wire::Record> records;
  std::vector<wire::Record> ds;  // from the KSK's .ds file
  bool supported = true;         // signed with an algorithm we validate
  std::map<std::uint16_t, std::uint16_t> tags;  // key tag from the key file name -> ours for that key
};

struct Algorithm {
  const char* name;
  bool supported;
  bool zsk;  // a separate ZSK (KSK signs the DNSKEY RRset only)
};

// Every algorithm RFC 8624 says to validate, and two it says not to (DSA, RSAMD5: insecure, not bogus).
std::vector<Algorithm> algorithms() {
  std::vector<Algorithm> out = {{"RSASHA1-NSEC3-SHA1", true, true}, {"RSASHA256", true, true},
                                {"RSASHA512", true, true},          {"ECDSAP256SHA256", true, true},
                                {"ECDSAP384SHA384", true, true},    {"ED25519", true, true},
                                {"DSA", false, false},              {"RSAMD5", false, false}};
  if (algorithm_supported(16)) out.push_back({"ED448", true, true});
  return out;
}

class SignedZones : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/dkimdoctor-dnssec-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new fs::path(tmpl);
    std::ofstream(*dir_ / "example.zone") << kZone;
    zones_ = new std::map<std::string, Signed>;
    for (const auto& alg : algorithms()) {
      const fs::path d = *dir_ / alg.name;
      fs::create_directories(d);
      // Small RSA/DSA test keys: key generation stays in milliseconds.
      const std::string keygen = std::string("cd '") + d.string() + "' && " + DKIMDOCTOR_LDNS_KEYGEN + " -a " +
                                 alg.name + " -b 1024";
      ASSERT_EQ(run(keygen + " -k example."), 0) << keygen;
      if (alg.zsk) {
        ASSERT_EQ(run(keygen + " example."), 0) << keygen;
      }
      std::string ksk, zsk;
      std::map<std::uint16_t, std::uint16_t> tags;
      for (const auto& e : fs::directory_iterator(d)) {
        if (e.path().extension() != ".private") continue;
        const auto base = e.path().parent_path() / e.path().stem();
        (fs::exists(base.string() + ".ds") ? ksk : zsk) = base.string();
        // Kexample.+AAA+TTTTT: ldns's key tag, against ours over the DNSKEY it wrote.
        const auto stem = e.path().stem().string();
        auto key = wire::parse_zone_text("$TTL 3600\n" + slurp(base.string() + ".key"));
        ASSERT_TRUE(key.ok() && !key->empty()) << stem;
        tags[static_cast<std::uint16_t>(std::stoul(stem.substr(stem.rfind('+') + 1)))] =
            key_tag(key->front().rdata.bytes());
      }
      ASSERT_FALSE(ksk.empty());
      ASSERT_EQ(zsk.empty(), !alg.zsk);
      auto modes = std::map<std::string, std::string>{{"nsec", ""}};
      if (alg.supported) {
        modes["nsec3"] = "-n -t 2 -s abcd";
        modes["optout"] = "-n -t 2 -s abcd -p";
      }
      for (const auto& [mode, flags] : modes) {
        const fs::path out = d / (mode + ".signed");
        const std::string sign = std::string(DKIMDOCTOR_LDNS_SIGNZONE) + " " + flags + " -i " + kInception + " -e " +
                                 kExpiration + " -o example. -f '" + out.string() + "' '" +
                                 (*dir_ / "example.zone").string() + "' '" + ksk + "'" +
                                 (zsk.empty() ? "" : " '" + zsk + "'");
        ASSERT_EQ(run(sign), 0) << sign;
        auto records = wire::parse_zone_text(slurp(out));
        ASSERT_TRUE(records.ok()) << mode << ": " << wire::to_string(records.error());
        // The .ds file has no TTL: give the reader a default.
        auto ds = wire::parse_zone_text("$TTL 3600\n" + slurp(ksk + ".ds"));
        ASSERT_TRUE(ds.ok()) << wire::to_string(ds.error());
        (*zones_)[std::string(alg.name) + "/" + mode] = Signed{*records, *ds, alg.supported, tags};
      }
    }
  }
  static void TearDownTestSuite() {
    if (dir_) fs::remove_all(*dir_);
    delete dir_;
    delete zones_;
    dir_ = nullptr;
    zones_ = nullptr;
  }
  static inline fs::path* dir_ = nullptr;
  static inline std::map<std::string, Signed>* zones_ = nullptr;

  const std::uint32_t now_ = test::rrsig_time("20300101000000");
};

// Names at or below the unsigned delegation sub.example: only its DS/NSEC/NSEC3 are signed.
bool below_cut(const wire::Name& owner, RRType type) {
  static const wire::Name cut = *wire::Name::parse("sub.example.");
  if (!owner.is_subdomain_of(cut)) return false;
  return !(owner == cut && (type == RRType::DS || type == RRType::NSEC));
}

void write_seeds(const std::string& label, const Signed& z) {
  const char* dir = std::getenv("DKIMDOCTOR_DNSSEC_SEEDS");
  if (!dir) return;
  const fs::path base(dir);
  fs::create_directories(base / "fuzz_dnssec_response");
  fs::create_directories(base / "fuzz_dnssec_rdata");
  std::string file = label;
  for (auto& c : file) if (c == '/') c = '_';
  // A response: the zone's records in the answer section (one message per zone).
  wire::MessageBuilder b;
  (void)b.add_question(name("nope.example."), RRType::TXT);
  for (const auto& r : z.records) (void)b.add_record(wire::Section::Answer, r);
  if (auto msg = b.finish()) std::ofstream(base / "fuzz_dnssec_response" / file, std::ios::binary)
      .write(reinterpret_cast<const char*>(msg->data()), static_cast<std::streamsize>(msg->size()));
  // RDATA triples: u16 length + DNSKEY, u16 length + RRSIG, the rest the covered RRset's one RDATA (the
  // apex SOA and NS, so that the right key verifies) or an NSEC3 RDATA.
  const auto keys = test::rrset(z.records, "example.", RRType::DNSKEY);
  std::vector<std::uint8_t> nsec3;
  for (const auto& x : z.records)
    if (x.type == RRType::NSEC3) {
      nsec3 = x.rdata.bytes();
      break;
    }
  std::size_t n = 0;
  for (const auto type : {RRType::SOA, RRType::NS}) {
    const auto sig = std::find_if(z.records.begin(), z.records.end(), [&](const wire::Record& r) {
      return r.type == RRType::RRSIG && r.owner == keys.owner && r.rdata.as_rrsig()->type_covered == type;
    });
    const auto data = test::rrset(z.records, "example.", type);
    if (sig == z.records.end() || data.rdatas.size() != 1) continue;
    for (const auto& k : keys.rdatas)
      for (const auto& rest : {data.rdatas[0].bytes(), nsec3}) {
        std::vector<std::uint8_t> seed;
        wire::append16(seed, static_cast<std::uint16_t>(k.bytes().size()));
        seed.insert(seed.end(), k.bytes().begin(), k.bytes().end());
        wire::append16(seed, static_cast<std::uint16_t>(sig->rdata.bytes().size()));
        seed.insert(seed.end(), sig->rdata.bytes().begin(), sig->rdata.bytes().end());
        seed.insert(seed.end(), rest.begin(), rest.end());
        std::ofstream(base / "fuzz_dnssec_rdata" / (file + "_" + std::to_string(n++)), std::ios::binary)
            .write(reinterpret_cast<const char*>(seed.data()), static_cast<std::streamsize>(seed.size()));
      }
  }
}

TEST_F(SignedZones, EveryRrsetValidatesSecureUnderTheDsChain) {
  ASSERT_EQ(zones_->size(), algorithms().size() * 3 - 4);  // DSA and RSAMD5: NSEC only
  for (const auto& [label, z] : *zones_) {
    if (!z.supported) continue;
    SCOPED_TRACE(label);
    write_seeds(label, z);
    const auto keys = test::rrset(z.records, "example.", RRType::DNSKEY);
    ASSERT_EQ(keys.rdatas.size(), 2u);
    ValidationBudget budget;
    // DS -> DNSKEY: the DS that ldns-keygen wrote for the KSK.
    const auto ds = test::rrset(z.ds, "example.", RRType::DS);
    ASSERT_EQ(ds.rdatas.size(), 1u);
    const auto key_sigs = test::sigs(z.records, "example.", RRType::DNSKEY);
    EXPECT_EQ(validate_dnskeys(ds, keys, key_sigs, now_, budget).outcome, Outcome::secure());
    // Every other RRset under the (now trusted) key set.
    std::size_t secure = 0, unsigned_below_cut = 0;
    for (const auto& set : group_rrsets(z.records)) {
      if (below_cut(set.owner, set.type)) {
        ++unsigned_below_cut;
        EXPECT_TRUE(test::sigs(z.records, set.owner.to_string(), set.type).empty()) << set.owner.to_string();
        continue;
      }
      ValidationBudget per;
      const auto r = validate_rrset(set, test::sigs(z.records, set.owner.to_string(), set.type), keys, now_, per);
      EXPECT_EQ(r.outcome, Outcome::secure())
          << set.owner.to_string() << " " << wire::to_string(set.type) << ": " << to_string(r.outcome.reason);
      EXPECT_EQ(r.verifications, 1u);
      ++secure;
    }
    EXPECT_GE(secure, 12u);
    EXPECT_EQ(unsigned_below_cut, 2u);  // sub NS and its glue
  }
}

TEST_F(SignedZones, TamperingIsCaught) {
  for (const auto& [label, z] : *zones_) {
    if (!z.supported) continue;
    SCOPED_TRACE(label);
    const auto keys = test::rrset(z.records, "example.", RRType::DNSKEY);
    const auto a = test::rrset(z.records, "a.example.", RRType::A);
    ValidationBudget budget;
    // A flipped signature byte: bad signature.
    auto s = test::sigs(z.records, "a.example.", RRType::A);
    ASSERT_EQ(s.size(), 1u);
    s[0].signature[s[0].signature.size() / 3] ^= 0x04;
    EXPECT_EQ(validate_rrset(a, s, keys, now_, budget).outcome, Outcome::bogus(Reason::bad_signature));
    // One address removed from the RRset: bad signature.
    auto fewer = a;
    fewer.rdatas.pop_back();
    EXPECT_EQ(validate_rrset(fewer, test::sigs(z.records, "a.example.", RRType::A), keys, now_, budget).outcome,
              Outcome::bogus(Reason::bad_signature));
    // Out of the window.
    EXPECT_EQ(validate_rrset(a, test::sigs(z.records, "a.example.", RRType::A), keys,
                             test::rrsig_time("20360101000001"), budget).outcome,
              Outcome::bogus(Reason::signature_expired));
    // A wrong DS (digest changed): no DNSKEY matches it.
    auto ds = test::rrset(z.ds, "example.", RRType::DS);
    auto bytes = ds.rdatas[0].bytes();
    bytes.back() ^= 0xFF;
    ds.rdatas[0] = *wire::Rdata::from_bytes(RRType::DS, bytes);
    EXPECT_EQ(validate_dnskeys(ds, keys, test::sigs(z.records, "example.", RRType::DNSKEY), now_, budget).outcome,
              Outcome::bogus(Reason::no_matching_dnskey));
    // The DNSKEY RRset signed by the KSK only: validating it under the ZSK alone fails.
    RRset zsk_only = keys;
    std::erase_if(zsk_only.rdatas, [](const wire::Rdata& k) { return k.as_dnskey()->flags & kFlagSep; });
    ASSERT_EQ(zsk_only.rdatas.size(), 1u);
    EXPECT_EQ(validate_rrset(keys, test::sigs(z.records, "example.", RRType::DNSKEY), zsk_only, now_, budget).outcome,
              Outcome::bogus(Reason::no_matching_dnskey));
  }
}

TEST_F(SignedZones, WildcardExpansionValidatesAndIsFlagged) {
  for (const auto& [label, z] : *zones_) {
    if (!z.supported) continue;
    SCOPED_TRACE(label);
    const auto keys = test::rrset(z.records, "example.", RRType::DNSKEY);
    // What a server answers for foo.w.example TXT: the wildcard's RRset and RRSIG under the query name.
    auto synthesized = test::rrset(z.records, "*.w.example.", RRType::TXT);
    synthesized.owner = name("foo.w.example.");
    ValidationBudget budget;
    const auto r = validate_rrset(synthesized, test::sigs(z.records, "*.w.example.", RRType::TXT), keys, now_, budget);
    EXPECT_EQ(r.outcome, Outcome::secure());
    EXPECT_TRUE(r.wildcard);
    EXPECT_EQ(r.labels, 2);
  }
}

TEST_F(SignedZones, DenialProofsHoldForAbsentNamesOnly) {
  const wire::Name apex = name("example.");
  const Outcome no = Outcome::bogus(Reason::denial_not_proven);
  for (const auto& [label, z] : *zones_) {
    if (!z.supported) continue;
    SCOPED_TRACE(label);
    const bool nsec = label.ends_with("/nsec");
    const bool opt_out = label.ends_with("/optout");
    const auto nsecs = nsec_records(z.records);
    const auto nsec3s = nsec3_records(z.records);
    EXPECT_EQ(nsec, !nsecs.empty());
    EXPECT_EQ(nsec, nsec3s.empty());
    auto nxdomain = [&](const char* q) {
      return nsec ? prove_nxdomain(name(q), apex, nsecs) : prove_nxdomain_nsec3(name(q), apex, nsec3s);
    };
    auto nodata = [&](const char* q, RRType t) {
      return nsec ? prove_nodata(name(q), t, apex, nsecs) : prove_nodata_nsec3(name(q), t, apex, nsec3s);
    };
    auto wildcard = [&](const char* q, std::uint8_t labels) {
      return nsec ? prove_wildcard_answer(name(q), labels, apex, nsecs)
                  : prove_wildcard_answer_nsec3(name(q), labels, apex, nsec3s);
    };
    // Names that do not exist. With opt-out, a name error whose next closer name falls in an opt-out
    // span is only insecure.
    for (const char* q : {"nope.example.", "zzz.example.", "b.sel._domainkey.example.", "other._domainkey.example."}) {
      const Outcome got = nxdomain(q);
      if (opt_out) EXPECT_EQ(got, Outcome::insecure(Reason::nsec3_opt_out)) << q;
      else EXPECT_EQ(got, Outcome::secure()) << q;
    }
    // Names that exist (or would be synthesized from *.w): no name error.
    for (const char* q : {"a.example.", "sel._domainkey.example.", "ent.example.", "foo.w.example.", "example."})
      EXPECT_EQ(nxdomain(q), no) << q;
    // NODATA: existing names without the type; ENT; not for types that are there.
    EXPECT_EQ(nodata("a.example.", RRType::MX), Outcome::secure());
    EXPECT_EQ(nodata("sel._domainkey.example.", RRType::CNAME), Outcome::secure());
    EXPECT_EQ(nodata("ent.example.", RRType::A), Outcome::secure());
    EXPECT_EQ(nodata("a.example.", RRType::A), no);
    EXPECT_EQ(nodata("sel._domainkey.example.", RRType::TXT), no);
    // The unsigned delegation's missing DS is proven: ldns-signzone -p still gives the delegation its own
    // NSEC3 (the opt-out span without one is covered by the unit tests).
    EXPECT_EQ(nodata("sub.example.", RRType::DS), Outcome::secure());
    // Wildcard answers: foo.w.example from *.w.example (insecure when the next closer name is in an opt-out
    // span, as a name error); x.w.example exists, so not from the wildcard.
    EXPECT_EQ(wildcard("foo.w.example.", 2), opt_out ? Outcome::insecure(Reason::nsec3_opt_out) : Outcome::secure());
    EXPECT_EQ(wildcard("x.w.example.", 2), no);
  }
}

}  // namespace
}  // namespace dkimdoctor::dnssec

namespace dkimdoctor::dnssec {
namespace {

TEST_F(SignedZones, KeyTagsAgreeWithLdns) {
  std::size_t keys = 0;
  for (const auto& [label, z] : *zones_) {
    SCOPED_TRACE(label);
    for (const auto& [theirs, ours] : z.tags) {
      EXPECT_EQ(ours, theirs);  // RSAMD5 included: RFC 4034 Appendix B.1
      ++keys;
    }
  }
  EXPECT_GE(keys, 2 * algorithms().size());
}

TEST_F(SignedZones, UnsupportedAlgorithmsAreInsecureNotBogus) {
  std::size_t zones = 0;
  for (const auto& [label, z] : *zones_) {
    if (z.supported) continue;
    SCOPED_TRACE(label);
    ++zones;
    const auto keys = test::rrset(z.records, "example.", RRType::DNSKEY);
    ValidationBudget budget;
    EXPECT_EQ(validate_dnskeys(test::rrset(z.ds, "example.", RRType::DS), keys,
                               test::sigs(z.records, "example.", RRType::DNSKEY), now_, budget).outcome,
              Outcome::insecure(Reason::unsupported_algorithm));
    for (const auto& set : group_rrsets(z.records)) {
      if (below_cut(set.owner, set.type)) continue;
      EXPECT_EQ(validate_rrset(set, test::sigs(z.records, set.owner.to_string(), set.type), keys, now_, budget).outcome,
                Outcome::insecure(Reason::unsupported_algorithm))
          << set.owner.to_string() << " " << wire::to_string(set.type);
    }
    EXPECT_EQ(budget.used, 0u);  // nothing was verified
  }
  EXPECT_EQ(zones, 2u);
}

}  // namespace
}  // namespace dkimdoctor::dnssec
