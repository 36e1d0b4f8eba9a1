// BYODKIM (a TXT record with the customer's key at <selector>._domainkey.<domain>) judgement, in two steps:
// read_byodkim() classifies what the selector publishes as data (ByodkimState, no text), then the word_*
// functions turn that state into findings. The decisions are all in the first step, the wording in the second.
#include <algorithm>

#include "diagnose/dkim_key.hpp"
#include "diagnose/dkim_tags.hpp"
#include "diagnose/judge_internal.hpp"

namespace dkimdoctor::diagnose::detail {
namespace {

// What is at the selector: the first state that applies, in this order.
enum class ByodkimRecord : std::uint8_t {
  not_observed,        // no server answered: incomplete
  absent_inconsistent, // no TXT, and some servers have it: reported as RECORD_INCONSISTENT
  cname_instead,       // a CNAME where the TXT should be
  absent,              // no TXT (maybe at a variant name)
  several,             // more than one TXT record
  fragments,           // more than one, and some are pieces of a key
  literal_quoting,     // quote characters or backslashes inside the value
  version_lowercased,  // "v=dkim1": the whole record was lowercased
  tag_syntax,          // not a DKIM tag list
  not_rsa_type,        // k= other than rsa
  key_revoked,         // empty p=
  key_case_changed,    // p= equals the expected key except for letter case
  key_lowercased,      // p= has no capital letters at all
  key_cut,             // the last string is exactly 255 characters: the value was cut there
  key_invalid,         // p= is not a public key
  key_not_rsa,         // a valid key of another algorithm
  key,                 // a usable RSA key: the checks on the key follow
};

struct ByodkimState {
  ByodkimRecord record = ByodkimRecord::not_observed;
  bool inconsistent = false;
  std::size_t values = 0;           // several, fragments
  std::string cname_target;         // cname_instead
  bool quote = false;               // literal_quoting: a quote (else a backslash)
  std::string error;                // tag_syntax, key_invalid: why
  std::string key_type;             // not_rsa_type
  std::string algorithm;            // key_not_rsa
  int bits = 0;                     // key
  bool pkcs1 = false;               // key: a bare RSAPublicKey
  std::optional<int> expected_bits; // key: the key the user gave, when given
  bool size_out_of_range = false;   // key: outside what SES accepts
  bool mismatch = false;            // key: not the key the user gave
  std::string odd_split;            // key: where a string boundary cuts a tag ("" = nowhere odd)
  bool testing = false;             // t=y
};

// A TXT value that is only a piece of a DKIM record (a key split across records instead of strings).
bool looks_like_fragment(const std::string& v) {
  return v.find("p=") == std::string::npos && v.find("v=DKIM1") == std::string::npos;
}

bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// Why p= is not a key, most telling first (the DNS provider's damage before a plain "invalid").
ByodkimRecord broken_key(const DkimKeyRecord& parsed, const KeyError& error, const std::vector<std::string>& strings,
                         const std::string& expected_b64) {
  std::string p_compact;
  for (char c : parsed.p)
    if (!is_dkim_space(c)) p_compact += c;
  bool cut = false;
  for (std::size_t i = 0; i < strings.size(); ++i) cut = cut || (strings[i].size() == 255 && i + 1 == strings.size());
  if (error.code == KeyErrc::empty) return ByodkimRecord::key_revoked;
  if (!expected_b64.empty() && p_compact != expected_b64 && iequals(p_compact, expected_b64)) {
    return ByodkimRecord::key_case_changed;
  }
  if (p_compact.size() > 40 && !has_upper(p_compact)) return ByodkimRecord::key_lowercased;
  if (cut) return ByodkimRecord::key_cut;
  return ByodkimRecord::key_invalid;
}

// RFC 6376 §3.6.2.2 concatenates the strings without spaces, so a split anywhere is valid; but a boundary
// inside a tag name or a short value ("v=DK" "IM1") breaks the many tools that join strings with a space.
// Returns where the first such boundary is, or "".
std::string odd_string_boundary(const std::string& value, const std::vector<std::string>& strings) {
  if (strings.size() <= 1) return {};
  auto tags = parse_tag_list(value);
  std::size_t boundary = 0;
  std::string odd;
  for (std::size_t i = 0; i + 1 < strings.size() && tags && odd.empty(); ++i) {
    boundary += strings[i].size();
    if (boundary == 0 || boundary >= value.size()) continue;
    const char before = value[boundary - 1], after = value[boundary];
    if (before == ';' || after == ';' || is_dkim_space(before) || is_dkim_space(after)) continue;
    for (std::size_t k = 0; k < tags->size(); ++k) {
      const Tag& t = (*tags)[k];
      const std::size_t end = k + 1 < tags->size() ? (*tags)[k + 1].offset : value.size();
      if (boundary <= t.offset || boundary >= end) continue;
      const std::size_t value_at = value.find('=', t.offset) + 1;
      if (t.name == "p" && boundary > value_at) break;  // inside the base64: whitespace is allowed there
      odd = "string " + std::to_string(i + 1) + " ends inside \"" +
            value.substr(t.offset, std::min<std::size_t>(end - t.offset, 24)) + "\"";
      break;
    }
  }
  return odd;
}

// The one TXT record's value, down to the key and the checks on it.
void read_record(ByodkimState& st, const wire::Record& rec, const std::optional<PublicKey>& expected_key,
                 const std::string& expected_b64) {
  const auto strings = txt_strings(rec);
  const std::string value = txt_value(rec);
  if (value.find('"') != std::string::npos || value.find('\\') != std::string::npos) {
    st.record = ByodkimRecord::literal_quoting;
    st.quote = value.find('"') != std::string::npos;
    return;
  }
  auto parsed = parse_dkim_record(value);
  if (!parsed) {
    // A lowercased record turns "v=DKIM1" into "v=dkim1": say that plainly rather than "bad version".
    const bool lowered = parsed.error().code == DkimRecordErrc::bad_version && parsed.error().detail == "dkim1";
    st.record = lowered ? ByodkimRecord::version_lowercased : ByodkimRecord::tag_syntax;
    if (!lowered) st.error = to_string(parsed.error());
    return;
  }
  st.testing = parsed->testing;
  if (parsed->key_type != "rsa") {
    st.record = ByodkimRecord::not_rsa_type;
    st.key_type = parsed->key_type;
    return;
  }
  auto key = decode_public_key(parsed->p);
  if (!key) {
    st.record = broken_key(*parsed, key.error(), strings, expected_b64);
    if (st.record == ByodkimRecord::key_invalid) st.error = to_string(key.error());
    return;
  }
  if (key->algorithm != "RSA") {
    st.record = ByodkimRecord::key_not_rsa;
    st.algorithm = key->algorithm;
    return;
  }
  st.record = ByodkimRecord::key;
  st.bits = key->bits;
  st.pkcs1 = key->pkcs1;
  if (expected_key) st.expected_bits = expected_key->bits;
  st.size_out_of_range = key->bits < kSesMinKeyBits || key->bits > kSesMaxKeyBits;
  st.mismatch = expected_key && expected_key->spki != key->spki;
  st.odd_split = odd_string_boundary(value, strings);
}

// What the selector publishes, as data. No findings, no text meant for people (except quoted errors).
ByodkimState read_byodkim(const Published& tv, bool inconsistent, const std::optional<std::string>& pem) {
  ByodkimState st;
  st.inconsistent = inconsistent;
  if (!tv.observed) return st;
  if (tv.records.empty()) {
    const auto cname = std::find_if(tv.at_name.begin(), tv.at_name.end(),
                                    [](const wire::Record* r) { return r->type == wire::RRType::CNAME; });
    st.record = inconsistent ? ByodkimRecord::absent_inconsistent
                             : (cname == tv.at_name.end() ? ByodkimRecord::absent : ByodkimRecord::cname_instead);
    if (cname != tv.at_name.end()) st.cname_target = (*cname)->rdata.to_string();
    return st;
  }
  if (tv.records.size() > 1) {
    bool fragments = false;
    for (const auto* r : tv.records) fragments = fragments || looks_like_fragment(txt_value(*r));
    st.record = fragments ? ByodkimRecord::fragments : ByodkimRecord::several;
    st.values = tv.records.size();
    return st;
  }
  std::optional<PublicKey> expected_key;
  std::string expected_b64;
  if (pem) {
    if (auto k = decode_public_key_pem(*pem)) {
      expected_key = *k;
      expected_b64 = encode_base64(k->spki);
    }
  }
  read_record(st, *tv.records.front(), expected_key, expected_b64);
  return st;
}

// ---- Wording -----------------------------------------------------------------------------------------

// No TXT record at the selector (the name's evidence comes with it).
void word_absent(Ctx& ctx, const ExpectedRecord& e, const ByodkimState& st, const Published& tv,
                 const LookupResult* it) {
  if (st.record == ByodkimRecord::cname_instead) {
    auto& f = ctx.add(Code::DKIM_WRONG_TYPE, e.name,
                      name_text(e.name) + " is a CNAME (" + st.cname_target +
                          ") where BYODKIM needs a TXT record holding the key.");
    f.evidence = tv.evidence();
    if (it && it->iterative) f.evidence.push_back(describe(*it->iterative));
    return;
  }
  if (judge_variants(ctx, e, wire::RRType::TXT, kDkimVariantCodes, "The BYODKIM key for selector " + e.token)) return;
  auto& f = ctx.add(Code::DKIM_TXT_MISSING, e.name,
                    "The BYODKIM TXT record " + name_text(e.name) + " is not published" +
                        (tv.nxdomain ? " (the name does not exist)." : " (the name exists but has no TXT record)."));
  if (!tv.nxdomain) f.ses_error = SesError::type_not_found;
  f.evidence = tv.evidence();
  ctx.missing.push_back(name_text(e.name));
  f.fix += ctx.delegated_to();
}

// A record that holds no usable RSA key: one finding, the reason.
// Findings about the selector's one record, each with the servers' evidence.
struct SelectorFindings {
  Ctx& ctx;
  const wire::Name& name;
  const Published& tv;
  Finding& add(Code code, std::string message) {
    auto& f = ctx.add(code, name, std::move(message));
    f.evidence = tv.evidence();
    return f;
  }
};

void word_unusable(SelectorFindings& to, const std::string& n, const ByodkimState& st) {
  switch (st.record) {
    case ByodkimRecord::several:
      to.add(Code::DKIM_MULTIPLE_VALUES,
          n + " has " + std::to_string(st.values) + " TXT records; a selector must publish exactly one key.");
      return;
    case ByodkimRecord::fragments:
      to.add(Code::DKIM_TXT_SPLIT,
          n + " holds the key split across " + std::to_string(st.values) +
              " separate TXT records; verifiers read each record alone, so the key is broken.");
      return;
    case ByodkimRecord::literal_quoting:
      to.add(Code::DKIM_TXT_SPLIT,
          n + " holds literal " + (st.quote ? "quote characters" : "backslashes") +
              " inside its value: the provider stored the quoting you typed as part of the record, which breaks "
              "the key.");
      return;
    case ByodkimRecord::version_lowercased:
      to.add(Code::VALUE_CASE_CHANGED,
          n + " reads \"v=dkim1\": the DNS provider lowercased the whole record, which also destroys the base64 key.");
      return;
    case ByodkimRecord::tag_syntax:
      to.add(Code::DKIM_TAG_SYNTAX, n + " is not a valid DKIM key record: " + st.error + ".");
      return;
    case ByodkimRecord::not_rsa_type:
      to.add(Code::DKIM_KEY_INVALID, n + " publishes a k=" + st.key_type + " key; SES BYODKIM signs with RSA keys only.");
      return;
    case ByodkimRecord::key_revoked:
      to.add(Code::DKIM_KEY_INVALID, n + " has an empty p= tag, which means the key is revoked (RFC 6376 §3.6.1).");
      return;
    case ByodkimRecord::key_case_changed:
      to.add(Code::VALUE_CASE_CHANGED,
          "The key at " + n + " matches yours except for letter case: the DNS provider lowercased it, and base64 is "
                              "case-sensitive.");
      return;
    case ByodkimRecord::key_lowercased:
      to.add(Code::VALUE_CASE_CHANGED,
          "The key at " + n + " has no capital letters at all: the DNS provider lowercased it, and a base64 key does "
                              "not survive that.");
      return;
    case ByodkimRecord::key_cut:
      to.add(Code::DKIM_TXT_SPLIT,
          "The key at " + n + " stops at a 255-character string boundary: the provider kept only the first 255 "
                              "characters of a longer value.");
      return;
    case ByodkimRecord::key_invalid:
      to.add(Code::DKIM_KEY_INVALID, "The key at " + n + " is not a valid public key: " + st.error + ".");
      return;
    case ByodkimRecord::key_not_rsa:
      to.add(Code::DKIM_KEY_INVALID, "The key at " + n + " is a " + st.algorithm + " key; SES BYODKIM needs RSA.");
      return;
    default: return;
  }
}

// A usable RSA key: what is wrong with it, or that it is right.
void word_key(SelectorFindings& to, const std::string& n, const ByodkimState& st) {
  if (st.size_out_of_range) {
    to.add(Code::DKIM_KEY_SIZE, "The key at " + n + " is " + std::to_string(st.bits) +
                                    " bits; SES accepts RSA keys of 1024 to 2048 bits.");
  }
  if (st.mismatch) {
    to.add(Code::DKIM_KEY_MISMATCH, "The key at " + n + " (" + std::to_string(st.bits) +
                                        "-bit) is not the public key you gave (" + std::to_string(*st.expected_bits) +
                                        "-bit); SES signs with the private key it was given, so signatures will fail.");
  }
  if (!st.odd_split.empty()) {
    auto& f = to.add(Code::DKIM_TXT_SPLIT, n + " is split into strings at an odd place (" + st.odd_split +
                                               "): valid for DKIM verifiers, but tools that join the strings with a "
                                               "space see a broken tag.");
    f.severity = Severity::warning;
    f.fix = "Split long values only inside the p= key (e.g. after 255 characters), never inside a tag name or a "
            "short value.";
  }
  if (st.testing) {
    to.add(Code::DKIM_TESTING_MODE, n + " has t=y (testing mode): receivers may treat mail signed with this key as "
                                        "unsigned.");
  }
  if (!st.size_out_of_range && !st.mismatch && !st.inconsistent) {
    to.add(Code::DKIM_OK, n + " publishes a " + std::to_string(st.bits) + "-bit RSA key" +
                              (st.expected_bits ? " that matches the key you gave." : ".") +
                              (st.pkcs1 ? " (Published as a bare RSAPublicKey; most verifiers accept it.)" : ""));
  }
}

}  // namespace

void judge_byodkim(Ctx& ctx, const ExpectedRecord& e) {
  const Published tv = published(ctx, e.name, wire::RRType::TXT);
  const ByodkimState st = read_byodkim(tv, ctx.is_inconsistent(e.name), ctx.identity.public_key_pem);
  SelectorFindings to{ctx, e.name, tv};
  switch (st.record) {
    case ByodkimRecord::not_observed: ctx.incomplete.push_back(name_text(e.name) + " TXT"); return;
    case ByodkimRecord::absent_inconsistent: return;  // reported as RECORD_INCONSISTENT
    case ByodkimRecord::cname_instead:
    case ByodkimRecord::absent:
      word_absent(ctx, e, st, tv, ctx.get(e.name, wire::RRType::TXT, Scope::iterative));
      return;
    case ByodkimRecord::key: word_key(to, name_text(e.name), st); return;
    default: word_unusable(to, name_text(e.name), st); return;
  }
}

}  // namespace dkimdoctor::diagnose::detail
