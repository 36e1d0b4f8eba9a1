// Uses the installed dnssec library: the key tag and the SHA-256 DS digest of the RFC 8080 §6.1 Ed25519 key.
#include <cstdio>

#include "dnssec/keys.hpp"
#include "wire/rdata.hpp"

int main() {
  using namespace dkimdoctor;
  auto key = wire::Rdata::parse(wire::RRType::DNSKEY, "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
  auto owner = wire::Name::parse("example.com.");
  if (!key || !owner) return 1;
  auto digest = dnssec::ds_digest(*owner, key->bytes(), 2);
  if (!digest || digest->empty()) return 2;
  std::printf("%u %02x%02x\n", dnssec::key_tag(key->bytes()), (*digest)[0], (*digest)[1]);
  return 0;
}
