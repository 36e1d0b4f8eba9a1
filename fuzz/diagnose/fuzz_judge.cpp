// Fuzz the judge with hostile observations: the input is a series of DNS messages (2-octet length
// prefix each), parsed by wire/, whose answer and authority records become the authoritative servers'
// and the iterative resolution's answers to the plan's lookups and follow-ups, in turn. Whatever the
// records are (CNAME loops, TXT full of quotes, MX to the root, keys of any size), judge() must return a
// verdict without crashing, and the follow-up loop must end. RRSIG/NSEC/NSEC3 records go apart (as the
// resolver keeps them: ServerAnswer::dnssec) and, in half of the runs, the check validates: the DNSKEY
// records seen become the zone's trusted keys and the per-server DNSSEC check validates the fuzzed
// signatures and denial proofs against them; the iterative answers get statuses and reasons from the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "diagnose/judge.hpp"
#include "wire/message.hpp"

using namespace dkimdoctor;
using namespace dkimdoctor::diagnose;

namespace {

struct Reply {
  wire::Rcode rcode = wire::Rcode::NoError;
  bool aa = true;
  std::vector<wire::Record> answer, authority, dnssec;
};

bool dnssec_type(wire::RRType t) {
  return t == wire::RRType::RRSIG || t == wire::RRType::NSEC || t == wire::RRType::NSEC3;
}

std::vector<Reply> replies(std::span<const std::uint8_t> data) {
  std::vector<Reply> out;
  std::size_t pos = 0;
  while (pos + 2 <= data.size() && out.size() < 64) {
    const std::size_t len = (std::size_t{data[pos]} << 8) | data[pos + 1];
    pos += 2;
    if (len > data.size() - pos) break;
    auto view = wire::MessageView::parse(data.subspan(pos, len));
    pos += len;
    Reply r;
    if (view) {
      r.rcode = view->rcode();
      r.aa = view->header().aa;
      for (const auto& rv : view->answers()) {
        auto rec = rv.to_record();
        (dnssec_type(rec.type) ? r.dnssec : r.answer).push_back(std::move(rec));
      }
      for (const auto& rv : view->authority()) {
        auto rec = rv.to_record();
        (dnssec_type(rec.type) ? r.dnssec : r.authority).push_back(std::move(rec));
      }
    } else {
      r.rcode = wire::Rcode::ServFail;
    }
    out.push_back(std::move(r));
  }
  if (out.empty()) out.emplace_back();
  return out;
}

const Identity& identity() {
  static const Identity id = [] {
    Identity i;
    i.domain = *wire::Name::parse("example.com");
    i.region = "eu-south-1";
    i.easy_dkim = {{"t1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "eu-south-1"}, {"t2bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", ""}};
    i.byodkim_selector = "sel";
    i.verification_token = "fmxqxT/icOYx4aA/bEUrDPMeax9/s3frblS+niixmqk=";
    i.mail_from = *wire::Name::parse("mail.example.com");
    i.email = "a@example.com";
    return i;
  }();
  return id;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto rs = replies({data, size});
  std::size_t next = 0;
  auto observe = [&](const Lookup& l) {
    const Reply& r = rs[next++ % rs.size()];
    LookupResult out;
    out.lookup = l;
    if (l.scope == Scope::iterative) {
      IterativeResult it;
      it.complete = r.rcode != wire::Rcode::ServFail;
      it.rcode = r.rcode;
      it.answer = r.answer;
      static const char* const kReasons[] = {"", "no matching DNSKEY", "signature expired", "missing_rrsig",
                                             "denial not proven", "unsupported algorithm", "bad signature"};
      it.security.status = static_cast<Security>((r.answer.size() + r.dnssec.size()) % 5);
      it.security.reason = kReasons[r.dnssec.size() % 7];
      it.security.zone = r.answer.empty() ? identity().domain : r.answer.front().owner;
      for (const auto& rec : r.dnssec) {
        auto sig = rec.rdata.as_rrsig();
        if (!sig) continue;
        it.security.inception = sig->inception;
        it.security.expiration = it.security.earliest_expiration = sig->expiration;
        it.security.key_tag = sig->key_tag;
        it.security.algorithm = sig->algorithm;
      }
      out.iterative = it;
    } else {
      for (int s = 0; s < 2; ++s) {
        ServerAnswer a;
        a.ns_name = *wire::Name::parse(s == 0 ? "ns1.example.net" : "ns2.example.net");
        a.address = s == 0 ? "127.53.1.1" : "127.53.1.2";
        a.responded = true;
        a.rcode = r.rcode;
        a.aa = r.aa;
        // The second server sees the next reply: disagreements between servers get fuzzed too.
        const Reply& mine = s == 0 ? r : rs[next % rs.size()];
        a.answer = mine.answer;
        a.authority = mine.authority;
        a.dnssec = mine.dnssec;
        a.truncated_udp = (size & 1) != 0;
        a.transport = a.truncated_udp ? Transport::tcp : Transport::udp;
        out.servers.push_back(std::move(a));
      }
    }
    return out;
  };
  Observations obs;
  obs.delegation.complete = true;
  obs.delegation.zone = identity().domain;
  obs.delegation.parent = *wire::Name::parse("com");
  obs.dnssec.validating = (size & 2) != 0;
  obs.dnssec.now = 1893456000;  // 2030-01-01
  obs.dnssec.zone = identity().domain;
  obs.dnssec.keys.status = (size & 4) != 0 ? Security::secure : Security::bogus;
  obs.dnssec.keys.reason = "no matching DNSKEY";
  for (const auto& r : rs)
    for (const auto& rec : r.answer)
      if (rec.type == wire::RRType::DNSKEY) obs.dnssec.dnskeys.push_back(rec);
  const auto expected = expectations(identity());
  for (const auto& l : plan(expected)) obs.lookups.push_back(observe(l));
  Judgement j;
  int rounds = 0;
  for (; rounds < 8; ++rounds) {
    j = judge(identity(), expected, obs);
    if (j.follow_ups.empty()) break;
    for (const auto& l : j.follow_ups) obs.lookups.push_back(observe(l));
  }
  if (rounds == 8) std::abort();  // the follow-up loop must end: nothing is asked twice
  if (j.headline.empty()) std::abort();
  return 0;
}
