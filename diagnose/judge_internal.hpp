// Shared by the judge's parts (judge.cpp, judge_dkim.cpp, judge_records.cpp). Not a public header.
#pragma once

#include <string>
#include <vector>

#include "diagnose/judge.hpp"

namespace dkimdoctor::diagnose::detail {

struct Ctx {
  const Identity& identity;
  const std::vector<ExpectedRecord>& expected;
  const Observations& obs;
  std::vector<Finding> findings;
  std::vector<Lookup> follow_ups;
  std::vector<std::string> incomplete;      // records that could not be observed
  std::vector<std::string> missing;         // records found missing (for NEGATIVE_CACHE_TTL)
  std::vector<wire::Name> inconsistent;     // names already reported as RECORD_INCONSISTENT
  std::vector<std::vector<std::string>> lacking;  // per inconsistent name: the servers without it

  const LookupResult* get(const wire::Name& name, wire::RRType type, Scope scope) const {
    return obs.find(name, type, scope);
  }
  // Asks for `lookup` unless it was already observed or asked for. Returns the result when observed.
  const LookupResult* want(const Lookup& lookup);
  Finding& add(Code code, const wire::Name& subject, std::string message);
  Finding& add(Code code, std::string subject, std::string message);
  bool is_inconsistent(const wire::Name& name) const;
  // " The registrar delegates <zone> to ns1, ns2." for missing-record fixes (records added elsewhere).
  std::string delegated_to() const;
};

// What is published at one name for one type, merged over the authoritative servers that answered
// authoritatively (or from the iterative result when no server was probed).
struct Published {
  bool observed = false;                  // some server answered, or the iterative resolution completed
  bool from_servers = false;              // false: from the iterative result
  // Records in the observations `published` was given (which must outlive this), not copies of them.
  std::vector<const wire::Record*> records;  // owner == name and type == the type asked, deduplicated
  std::vector<const wire::Record*> at_name;  // every record owned by the name in the answers, deduplicated
  bool nxdomain = false;                  // the negative answers said NXDOMAIN (the name does not exist)
  // One line per server (or the iterative result), built when a finding shows them: most are never shown.
  std::vector<std::string> evidence() const;

 private:
  friend Published published(const Ctx& ctx, const wire::Name& name, wire::RRType type);
  wire::Name name_;
  wire::RRType type_ = wire::RRType::A;
  const LookupResult* servers_ = nullptr;       // from_servers: their answers
  const IterativeResult* iterative_ = nullptr;  // else, when observed: the iterative result
};
Published published(const Ctx& ctx, const wire::Name& name, wire::RRType type);

// The CNAME chain in `answer` starting at `start` (the names after `start`, in order; at most 16 hops).
std::vector<wire::Name> cname_chain(const std::vector<wire::Record>& answer, const wire::Name& start);
// Records of `type` owned by `owner` in `answer`.
std::vector<wire::Record> records_at(const std::vector<wire::Record>& answer, const wire::Name& owner,
                                     wire::RRType type);
// The concatenated character-strings of a TXT record (RFC 7208 §3.3, RFC 6376 §3.6.2.2); empty on bad RDATA.
std::string txt_value(const wire::Record& txt);
std::vector<std::string> txt_strings(const wire::Record& txt);

std::string server_label(const wire::Name& ns, const std::string& address);
std::string describe(const ServerAnswer& answer, const wire::Name& name, wire::RRType type);
std::string describe(const IterativeResult& result);
std::string record_text(const wire::Record& record);  // "CNAME x.dkim.amazonses.com."
std::string name_text(const wire::Name& name);         // without the trailing dot
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");
std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string plural(std::size_t n, std::string_view one, std::string_view many);

std::string headline_reason(const Ctx& ctx, const std::vector<Finding>& sorted);
// verdict.cpp: findings about the input (nothing to check, too few tokens, an odd token), an SES failure the
// records do not explain, the record each record-fix asks for, and the headline.
void judge_input(Ctx& ctx);
void judge_ses_status(Ctx& ctx);
void attach_records(Ctx& ctx);
std::string compose_headline(const Ctx& ctx, const std::vector<Finding>& sorted, Verdict verdict);
bool judge_delegation(Ctx& ctx);
void judge_consistency(Ctx& ctx);
void judge_easy_dkim(Ctx& ctx, const ExpectedRecord& e);
void judge_byodkim(Ctx& ctx, const ExpectedRecord& e);
void judge_verification_token(Ctx& ctx, const ExpectedRecord& e);
void judge_mail_from(Ctx& ctx, const ExpectedRecord& mx, const ExpectedRecord* spf);
void judge_dmarc(Ctx& ctx, const ExpectedRecord& e);
void judge_email(Ctx& ctx, const ExpectedRecord& e);
void judge_domain_mx(Ctx& ctx, const ExpectedRecord& e);
void judge_token_present(Ctx& ctx, const ExpectedRecord& e);
// judge_dnssec.cpp: DNSSEC_* findings from the statuses the validating resolver gave the needed names, and
// each server's answers validated against the zone's keys. Nothing when the check does not validate.
void judge_dnssec(Ctx& ctx);

// The variant codes of a DKIM record (Easy DKIM and BYODKIM), in judge_variants' order.
inline constexpr Code kDkimVariantCodes[3] = {Code::DKIM_UNDERSCORE_STRIPPED, Code::DKIM_DOMAIN_APPENDED,
                                              Code::DKIM_DOMAINKEY_REMOVED};
// Looks for the record at the variant names (follow-ups). Returns true when it reported a finding.
// `kind_codes` gives the code for underscore_stripped, domain_appended, domainkey_removed.
bool judge_variants(Ctx& ctx, const ExpectedRecord& e, wire::RRType type, const Code (&codes)[3],
                    std::string_view what);

}  // namespace dkimdoctor::diagnose::detail
