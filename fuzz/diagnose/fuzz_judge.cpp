// Fuzz the judge with hostile observations: the input is a series of DNS messages (2-octet length
// prefix each), parsed by wire/, whose answer and authority records become the authoritative servers'
// and the iterative resolution's answers to the plan's lookups and follow-ups, in turn. Whatever the
// records are (CNAME loops, TXT full of quotes, MX to the root, keys of any size), judge() must return a
// verdict without crashing, and the follow-up loop must end.
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
  std::vector<wire::Record> answer, authority;
};

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
      for (const auto& rv : view->answers()) r.answer.push_back(rv.to_record());
      for (const auto& rv : view->authority()) r.authority.push_back(rv.to_record());
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
