#include "resolver/root_hints.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "wire/zonefile.hpp"

namespace dkimdoctor::resolver {

namespace {

constexpr const char* kBuiltin[][3] = {
    {"a.root-servers.net.", "198.41.0.4", "2001:503:ba3e::2:30"},
    {"b.root-servers.net.", "170.247.170.2", "2801:1b8:10::b"},
    {"c.root-servers.net.", "192.33.4.12", "2001:500:2::c"},
    {"d.root-servers.net.", "199.7.91.13", "2001:500:2d::d"},
    {"e.root-servers.net.", "192.203.230.10", "2001:500:a8::e"},
    {"f.root-servers.net.", "192.5.5.241", "2001:500:2f::f"},
    {"g.root-servers.net.", "192.112.36.4", "2001:500:12::d0d"},
    {"h.root-servers.net.", "198.97.190.53", "2001:500:1::53"},
    {"i.root-servers.net.", "192.36.148.17", "2001:7fe::53"},
    {"j.root-servers.net.", "192.58.128.30", "2001:503:c27::2:30"},
    {"k.root-servers.net.", "193.0.14.129", "2001:7fd::1"},
    {"l.root-servers.net.", "199.7.83.42", "2001:500:9f::42"},
    {"m.root-servers.net.", "202.12.27.33", "2001:dc3::35"},
};

RootHints make_builtin() {
  RootHints hints;
  for (const auto& row : kBuiltin) {
    RootHint h;
    h.name = *wire::Name::parse(row[0]);
    h.addresses.push_back(asio::ip::make_address(row[1]));
    h.addresses.push_back(asio::ip::make_address(row[2]));
    hints.push_back(std::move(h));
  }
  return hints;
}

}  // namespace

const RootHints& builtin_root_hints() {
  static const RootHints hints = make_builtin();
  return hints;
}

Result<RootHints, std::string> parse_root_hints(std::string_view text) {
  auto records = wire::parse_zone_text(text);
  if (!records) return Unexpected{"root hints: " + wire::to_string(records.error())};
  RootHints hints;
  for (const auto& r : *records) {
    if (r.type != wire::RRType::NS || !r.owner.is_root()) continue;
    auto target = r.rdata.target();
    if (!target) continue;
    if (std::none_of(hints.begin(), hints.end(), [&](const RootHint& h) { return h.name == *target; })) {
      hints.push_back({*target, {}});
    }
  }
  for (const auto& r : *records) {
    for (auto& h : hints) {
      if (!(h.name == r.owner)) continue;
      if (auto a = r.rdata.as_a()) h.addresses.emplace_back(asio::ip::address_v4(*a));
      if (auto aaaa = r.rdata.as_aaaa()) h.addresses.emplace_back(asio::ip::address_v6(*aaaa));
    }
  }
  std::erase_if(hints, [](const RootHint& h) { return h.addresses.empty(); });
  if (hints.empty()) return Unexpected{std::string("root hints: no root server with an address")};
  return hints;
}

Result<RootHints, std::string> load_root_hints(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected{"cannot read root hints file " + path};
  std::string text;
  constexpr std::size_t kMax = 1 << 20;
  text.resize(kMax + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMax) return Unexpected{"root hints file " + path + " is larger than 1 MiB"};
  return parse_root_hints(text);
}

}  // namespace dkimdoctor::resolver
