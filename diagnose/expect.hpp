// expectations(identity): the records SES (and receivers) need, each with its exact value and why.
// plan(identity, expectations): the lookups that show whether they are there, at every authoritative server
// and through a full iterative resolution.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "diagnose/identity.hpp"
#include "diagnose/observations.hpp"

namespace dkimdoctor::diagnose {

enum class Purpose : std::uint8_t {
  easy_dkim,           // CNAME <token>._domainkey.<domain> -> <token>.dkim[.<region>].amazonses.com
  byodkim,             // TXT <selector>._domainkey.<domain> = p=<key>
  verification_token,  // TXT _amazonses.<domain> = <token>
  mail_from_mx,        // MX 10 feedback-smtp.<region>.amazonses.com at the MAIL FROM domain
  mail_from_spf,       // TXT v=spf1 include:amazonses.com ~all at the MAIL FROM domain
  dmarc,               // TXT v=DMARC1; ... at _dmarc.<domain>
  email_mx,            // MX at the email address's domain (any working exchange)
  domain_mx,           // MX of a domain identity (context: where replies and bounces go), no expectation
  token_present,       // TXT at _amazonses.<domain> when no token was given: report what is there
};

struct ExpectedRecord {
  Purpose purpose{};
  wire::Name name;
  wire::RRType type = wire::RRType::TXT;
  std::string value;   // exact presentation value; empty when any well-formed value will do
  std::string why;     // one sentence
  std::string token;   // Easy DKIM token, BYODKIM selector or the verification token
  std::string region;  // Easy DKIM region / MAIL FROM region ("" = unknown)
};

std::vector<ExpectedRecord> expectations(const Identity& identity);

// The lookups for a set of expectations, deduplicated. The delegation of the identity's zone is gathered
// separately (the resolver's authority probe) and is not a Lookup.
std::vector<Lookup> plan(const std::vector<ExpectedRecord>& expected);

}  // namespace dkimdoctor::diagnose
