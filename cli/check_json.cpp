#include "cli/check_json.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/json_line.hpp"

namespace dkimdoctor::cli {

namespace {

using diagnose::Scope;

// One JSON object being written: key() writes the separator and "key": and returns the string to write the
// value into. The keys are constants without anything to escape, and each object's writer below gives them
// in ascending octet order, the order of nlohmann::json's std::map (checked in debug builds).
class Object {
 public:
  explicit Object(std::string& out) : out_(out) { out_ += '{'; }
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  ~Object() { out_ += '}'; }

  // `,"name":` goes out in one append: the keys are short.
  std::string& key(std::string_view name) {
    assert(last_.empty() || last_ < name);
    assert(name.size() + 4 <= kMaxKey);
    std::array<char, kMaxKey> text;
    char* p = text.data();
    if (!last_.empty()) *p++ = ',';
    last_ = name;
    *p++ = '"';
    p = std::copy(name.begin(), name.end(), p);
    *p++ = '"';
    *p++ = ':';
    out_.append(text.data(), p);
    return out_;
  }

 private:
  static constexpr std::size_t kMaxKey = 32;
  std::string& out_;
  std::string_view last_;
};

template <typename Int>
void append_int(std::string& out, Int value) {
  std::array<char, 24> buf{};
  const auto end = std::to_chars(buf.data(), buf.data() + buf.size(), value).ptr;
  out.append(buf.data(), end);
}

void append_bool(std::string& out, bool value) { out += value ? "true" : "false"; }

// A double as nlohmann's serializer prints it (its Grisu2 to_chars, "null" when not finite): the same
// function, so the same digits.
void append_double(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  std::array<char, 64> buf{};
  char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), value);
  out.append(buf.data(), end);
}

void append_string_or_null(std::string& out, bool present, std::string_view text) {
  if (present) {
    append_json_string(out, text);
  } else {
    out += "null";
  }
}

void append_strings(std::string& out, const std::vector<std::string>& texts) {
  out += '[';
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, texts[i]);
  }
  out += ']';
}

// The identity's domain without its trailing dot (to_json's "domain").
void append_domain(std::string& out, const wire::Name& domain) {
  const std::size_t from = open_json_string(out);
  domain.append_to(out);
  if (out.size() - from > 1 && out.back() == '.') out.pop_back();
  close_json_string(out, from);
}

// to_json's finding_json: {"cause"?, "class", "code", "evidence", "fix", "message", "record"?, "ses_error",
// "severity", "subject"}.
void append_finding(std::string& out, const diagnose::Finding& f) {
  Object o(out);
  if (!f.cause.empty()) append_json_string(o.key("cause"), f.cause);
  append_json_string(o.key("class"), diagnose::to_string(diagnose::class_of(f.code)));
  append_json_string(o.key("code"), diagnose::to_string(f.code));
  append_strings(o.key("evidence"), f.evidence);
  append_json_string(o.key("fix"), f.fix);
  append_json_string(o.key("message"), f.message);
  if (f.record) {
    Object r(o.key("record"));
    append_json_string(r.key("name"), f.record->name);
    append_json_string(r.key("relative_name"), f.record->relative);
    append_json_string(r.key("type"), f.record->type);
    append_json_string(r.key("value"), f.record->value);
    append_json_string(r.key("zone"), f.record->zone);
  }
  append_string_or_null(o.key("ses_error"), f.ses_error != diagnose::SesError::none, diagnose::to_string(f.ses_error));
  append_json_string(o.key("severity"), diagnose::to_string(f.severity));
  append_json_string(o.key("subject"), f.subject);
}

// One record of a server's answer: {"data": "TYPE RDATA", "name", "ttl"}. `question` is the lookup's name
// and `quoted` its JSON: most records are at that very name (byte for byte), and copy it.
void append_answer_record(std::string& out, const wire::Record& r, const wire::Name& question,
                          std::string_view quoted) {
  Object o(out);
  std::string& data = o.key("data");
  const std::size_t from = open_json_string(data);
  data += wire::to_string(r.type);
  data += ' ';
  r.rdata.append_to(data);
  close_json_string(data, from);
  if (r.owner.equals_exact(question)) {
    o.key("name").append(quoted);
  } else {
    append_json_name(o.key("name"), r.owner);
  }
  append_int(o.key("ttl"), r.ttl);
}

// One server's answer to one question: {"aa", "answer", "error", "name", "rcode", "rtt_ms", "transport", "type"}.
// `name` is the question's name as JSON (lookup_names).
void append_answer(std::string& out, const diagnose::LookupResult& l, std::string_view name,
                   const diagnose::ServerAnswer& a) {
  Object o(out);
  append_bool(o.key("aa"), a.aa);
  std::string& answer = o.key("answer");
  answer += '[';
  for (std::size_t i = 0; i < a.answer.size(); ++i) {
    if (i > 0) answer += ',';
    append_answer_record(answer, a.answer[i], l.lookup.name, name);
  }
  answer += ']';
  append_string_or_null(o.key("error"), !a.error.empty(), a.error);
  o.key("name").append(name);
  append_string_or_null(o.key("rcode"), a.responded, a.responded ? wire::to_string(a.rcode) : std::string());
  append_int(o.key("rtt_ms"), a.rtt_ms);
  append_json_string(o.key("transport"), a.transport == diagnose::Transport::tcp ? "tcp" : "udp");
  append_json_string(o.key("type"), wire::to_string(l.lookup.type));
}

// Every authoritative answer of this server address (to_json's "answers"), in lookup order.
// `names`: lookup_names() of the result.
void append_server_answers(std::string& out, const CheckResult& result, const std::vector<std::string>& names,
                           const diagnose::ServerStatus& s) {
  out += '[';
  bool first = true;
  const auto& lookups = result.observations.lookups;
  for (std::size_t i = 0; i < lookups.size(); ++i) {
    const auto& l = lookups[i];
    if (l.lookup.scope != Scope::authoritative) continue;
    for (const auto& a : l.servers) {
      if (!(a.ns_name == s.ns_name) || a.address != s.address || !a.queried) continue;
      if (!first) out += ',';
      first = false;
      append_answer(out, l, names[i], a);
    }
  }
  out += ']';
}

// Each lookup's name as JSON, written once for every server that answered it (and the records at it).
// Reused from line to line; only the authoritative lookups' are written.
const std::vector<std::string>& lookup_names(const CheckResult& result) {
  thread_local std::vector<std::string> names;
  const auto& lookups = result.observations.lookups;
  if (names.size() < lookups.size()) names.resize(lookups.size());
  for (std::size_t i = 0; i < lookups.size(); ++i) {
    names[i].clear();
    if (lookups[i].lookup.scope == Scope::authoritative) append_json_name(names[i], lookups[i].lookup.name);
  }
  return names;
}

bool listed(const std::vector<wire::Name>& names, const wire::Name& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// One server address of the zone: {"address", "answers", "authoritative", "error", "in_parent", "in_zone",
// "name", "not_checked_from_host", "queried", "rcode", "responded", "serial"}.
void append_server(std::string& out, const CheckResult& result, const std::vector<std::string>& names,
                   const diagnose::ServerStatus& s) {
  const auto& d = result.observations.delegation;
  Object o(out);
  append_json_string(o.key("address"), s.address);
  append_server_answers(o.key("answers"), result, names, s);
  append_bool(o.key("authoritative"), s.aa);
  append_string_or_null(o.key("error"), !s.error.empty(), s.error);
  append_bool(o.key("in_parent"), listed(d.parent_ns, s.ns_name));
  append_bool(o.key("in_zone"), listed(d.zone_ns, s.ns_name));
  append_json_name(o.key("name"), s.ns_name);
  append_bool(o.key("not_checked_from_host"), s.unreachable_from_host);
  append_bool(o.key("queried"), !s.private_address && !s.unreachable_from_host);
  append_string_or_null(o.key("rcode"), s.responded, s.responded ? wire::to_string(s.rcode) : std::string());
  append_bool(o.key("responded"), s.responded);
  if (s.serial) {
    append_int(o.key("serial"), *s.serial);
  } else {
    o.key("serial") += "null";
  }
}

}  // namespace

// to_json's members in key order: "domain", "elapsed_ms", "findings", "headline", "host_limits"?, "notes"?,
// "queries", "servers", "understood"?, "verdict", "zone".
void append_check_json(std::string& out, const CheckResult& result) {
  Object o(out);
  append_domain(o.key("domain"), result.identity.domain);
  append_double(o.key("elapsed_ms"), static_cast<double>(result.elapsed.count()) / 1000.0);
  std::string& findings = o.key("findings");
  findings += '[';
  for (std::size_t i = 0; i < result.judgement.findings.size(); ++i) {
    if (i > 0) findings += ',';
    append_finding(findings, result.judgement.findings[i]);
  }
  findings += ']';
  append_json_string(o.key("headline"), result.judgement.headline);
  if (!result.host_limits.empty()) append_strings(o.key("host_limits"), result.host_limits);
  if (!result.notes.empty()) append_strings(o.key("notes"), result.notes);
  append_int(o.key("queries"), result.queries);
  std::string& servers = o.key("servers");
  servers += '[';
  const auto& all = result.observations.delegation.servers;
  const std::vector<std::string>& names = lookup_names(result);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i > 0) servers += ',';
    append_server(servers, result, names, all[i]);
  }
  servers += ']';
  if (!result.identity.understood.empty()) append_strings(o.key("understood"), result.identity.understood);
  append_json_string(o.key("verdict"), diagnose::to_string(result.judgement.verdict));
  append_json_name(o.key("zone"), result.observations.delegation.zone);
}

// Room for most lines at once (a lab domain's line is 2 to 30 kB), so the line is not copied as it grows.
constexpr std::size_t kLineReserve = 16 * 1024;

std::string numbered_check_line(std::uint64_t number, const CheckResult& result) {
  // "line" first, so a person (or `sort -n`) reads the file by input order; to_json's object is never
  // empty, so its '{' becomes the ',' after "line".
  std::string text;
  text.reserve(kLineReserve);
  text += "{\"line\":";
  append_int(text, number);
  const std::size_t prefix = text.size();
  append_check_json(text, result);
  text[prefix] = ',';
  return text;
}

}  // namespace dkimdoctor::cli
