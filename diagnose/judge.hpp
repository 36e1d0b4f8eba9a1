// judge(identity, expected, observations) -> findings + follow-up lookups.
//
// Pure: the same observations always give the same findings. When a record is missing the judge asks for
// follow-up lookups (the names providers typically mangle it into: underscore stripped, domain appended,
// `_domainkey` removed; A records where a CNAME belongs). The caller runs them, adds them to the
// observations and judges again; lookups already observed are never asked for twice, so the loop ends.
#pragma once

#include <string>
#include <vector>

#include "diagnose/expect.hpp"
#include "diagnose/findings.hpp"
#include "diagnose/identity.hpp"
#include "diagnose/observations.hpp"

namespace dkimdoctor::diagnose {

struct Judgement {
  std::vector<Finding> findings;   // sorted by severity, errors first
  std::vector<Lookup> follow_ups;  // lookups not yet observed that would sharpen a finding
  Verdict verdict = Verdict::ok;
  std::string headline;            // "SES will not verify example.com: ..."
};

Judgement judge(const Identity& identity, const std::vector<ExpectedRecord>& expected,
                const Observations& observations);

// The variant names a provider may have turned `<label>.<domain>` into when the label starts with '_'
// ("<token>._domainkey" -> "<token>domainkey", "<token>-domainkey", "<token>.domainkey"; "_amazonses" ->
// "amazonses"), the domain-appended name, and (for DKIM) the name without "_domainkey".
enum class VariantKind { underscore_stripped, domain_appended, domainkey_removed };
struct Variant {
  VariantKind kind;
  wire::Name name;
};
std::vector<Variant> variant_names(const wire::Name& expected_name, const wire::Name& domain);

}  // namespace dkimdoctor::diagnose
