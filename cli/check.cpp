#include "cli/check.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/common.hpp"
#include "cli/file_input.hpp"
#include "cli/html_report.hpp"
#include "diagnose/record_grid.hpp"
#include "cli/report.hpp"
#include "diagnose/dkim_key.hpp"

namespace dkimdoctor::cli {

using diagnose::CellState;
using diagnose::GridCell;
using diagnose::RecordGrid;

using diagnose::Scope;

std::optional<std::string> load_public_key(diagnose::Identity& identity) {
  if (identity.public_key_pem || !identity.public_key_file) return std::nullopt;
  auto text = read_named_file(*identity.public_key_file, kMaxPublicKeyBytes);
  if (!text) return "cannot read public key file: " + text.error();
  identity.public_key_pem = std::move(*text);
  return std::nullopt;
}

asio::awaitable<CheckResult> run_check(resolver::Resolver& resolver, diagnose::Identity identity) {
  const std::optional<std::string> key_problem = load_public_key(identity);
  CheckResult out = co_await check::run(resolver, identity);
  if (key_problem) out.notes.push_back(*key_problem);
  co_return out;
}

int exit_status_of(const CheckResult& result) {
  switch (result.judgement.verdict) {
    case diagnose::Verdict::ok: return 0;
    case diagnose::Verdict::problems: return 1;
    case diagnose::Verdict::incomplete: return 3;
  }
  return 3;
}

namespace {

nlohmann::json finding_json(const diagnose::Finding& f) {
  nlohmann::json j;
  j["code"] = std::string(diagnose::to_string(f.code));
  j["severity"] = std::string(diagnose::to_string(f.severity));
  if (f.ses_error == diagnose::SesError::none) j["ses_error"] = nullptr;
  else j["ses_error"] = std::string(diagnose::to_string(f.ses_error));
  j["message"] = f.message;
  j["fix"] = f.fix;
  j["evidence"] = f.evidence;
  j["subject"] = f.subject;
  j["class"] = std::string(diagnose::to_string(diagnose::class_of(f.code)));
  if (!f.cause.empty()) j["cause"] = f.cause;  // DNSSEC_BOGUS only
  if (f.record) {
    j["record"] = {{"type", f.record->type}, {"name", f.record->name}, {"relative_name", f.record->relative},
                   {"zone", f.record->zone}, {"value", f.record->value}};
  }
  return j;
}

std::string record_data(const wire::Record& r) { return wire::to_string(r.type) + " " + r.rdata.to_string(); }

}  // namespace

nlohmann::json to_json(const CheckResult& result) {
  nlohmann::json j;
  std::string domain = result.identity.domain.to_string();
  if (domain.size() > 1 && domain.back() == '.') domain.pop_back();
  j["domain"] = domain;
  j["verdict"] = std::string(diagnose::to_string(result.judgement.verdict));
  j["headline"] = result.judgement.headline;
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : result.judgement.findings) findings.push_back(finding_json(f));
  j["findings"] = std::move(findings);
  // One entry per authoritative server address: its zone facts and its answer to every question.
  nlohmann::json servers = nlohmann::json::array();
  const auto& d = result.observations.delegation;
  for (const auto& s : d.servers) {
    nlohmann::json sj;
    sj["name"] = s.ns_name.to_string();
    sj["address"] = s.address;
    sj["queried"] = !s.private_address && !s.unreachable_from_host;
    sj["not_checked_from_host"] = s.unreachable_from_host;  // this host cannot send there (no IPv6, no route)
    sj["responded"] = s.responded;
    sj["authoritative"] = s.aa;
    sj["rcode"] = s.responded ? nlohmann::json(wire::to_string(s.rcode)) : nlohmann::json(nullptr);
    sj["serial"] = s.serial ? nlohmann::json(*s.serial) : nlohmann::json(nullptr);
    sj["error"] = s.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.error);
    sj["in_parent"] = std::find(d.parent_ns.begin(), d.parent_ns.end(), s.ns_name) != d.parent_ns.end();
    sj["in_zone"] = std::find(d.zone_ns.begin(), d.zone_ns.end(), s.ns_name) != d.zone_ns.end();
    nlohmann::json answers = nlohmann::json::array();
    for (const auto& l : result.observations.lookups) {
      if (l.lookup.scope != Scope::authoritative) continue;
      for (const auto& a : l.servers) {
        if (!(a.ns_name == s.ns_name) || a.address != s.address || !a.queried) continue;
        nlohmann::json aj;
        aj["name"] = l.lookup.name.to_string();
        aj["type"] = wire::to_string(l.lookup.type);
        aj["rcode"] = a.responded ? nlohmann::json(wire::to_string(a.rcode)) : nlohmann::json(nullptr);
        aj["aa"] = a.aa;
        aj["transport"] = a.transport == diagnose::Transport::tcp ? "tcp" : "udp";
        aj["rtt_ms"] = a.rtt_ms;
        nlohmann::json recs = nlohmann::json::array();
        for (const auto& r : a.answer) recs.push_back({{"name", r.owner.to_string()}, {"ttl", r.ttl}, {"data", record_data(r)}});
        aj["answer"] = std::move(recs);
        aj["error"] = a.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.error);
        answers.push_back(std::move(aj));
      }
    }
    sj["answers"] = std::move(answers);
    servers.push_back(std::move(sj));
  }
  j["servers"] = std::move(servers);
  j["zone"] = d.zone.to_string();
  if (!result.notes.empty()) j["notes"] = result.notes;
  if (!result.identity.understood.empty()) j["understood"] = result.identity.understood;
  if (!result.host_limits.empty()) j["host_limits"] = result.host_limits;
  j["queries"] = result.queries;
  j["elapsed_ms"] = static_cast<double>(result.elapsed.count()) / 1000.0;
  return j;
}

nlohmann::json cells_json(const CheckResult& result) {
  const RecordGrid grid = diagnose::record_grid(result.expected, result.observations);
  nlohmann::json cells = nlohmann::json::array();
  for (const auto& c : grid.cells) {
    const auto& rec = grid.records[c.record];
    const auto& srv = grid.servers[c.server];
    cells.push_back({{"name", rec.name}, {"type", rec.type}, {"server", srv.ns_name}, {"address", srv.address},
                     {"state", std::string(to_string(c.state))}, {"detail", c.detail}});
  }
  return cells;
}

namespace {

struct CheckOptions {
  std::string domain;
  std::vector<std::string> easy_dkim;
  std::vector<std::string> regions;
  std::string byodkim;
  std::string public_key;
  std::string verification_token;
  std::string mail_from;
  std::string ses_identity;
  std::string email;
  bool json = false;
  std::string html;  // FILE, or "-" for stdout
  bool verbose = false;
  std::string root_hints;
  DnssecFlags dnssec;
  bool allow_loopback = false;
  std::string color = "auto";
};

// --public-key FILE: capped and type-checked (issue 18).
Result<std::string, std::string> read_all(const std::string& path) { return read_named_file(path, kMaxPublicKeyBytes); }

// Builds the identity from the options; a message on a usage error.
Result<diagnose::Identity, std::string> identity_from(const CheckOptions& o) {
  diagnose::Identity id;
  std::string domain_text = o.domain;
  if (!o.email.empty()) {
    const auto at = o.email.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 >= o.email.size())
      return Unexpected{"--email: '" + o.email + "' is not an email address"};
    if (domain_text.empty()) domain_text = o.email.substr(at + 1);
    if (auto d = diagnose::parse_domain(o.email.substr(at + 1)); !d)
      return Unexpected{"--email: " + diagnose::to_string(d.error())};
    if (o.email.find_first_of(" \t,;<>") != std::string::npos)
      return Unexpected{"--email: '" + o.email + "' is not one email address"};
    id.email = o.email;
  }
  if (domain_text.empty()) return Unexpected{std::string("a DOMAIN (or --email ADDRESS) is required")};
  auto domain = diagnose::parse_domain(domain_text, &id.understood);
  if (!domain) return Unexpected{diagnose::to_string(domain.error())};
  id.domain = *domain;
  std::vector<std::string> regions;
  for (const auto& r : o.regions) {
    auto parsed = diagnose::parse_region(r);
    if (!parsed) return Unexpected{"--region: " + diagnose::to_string(parsed.error())};
    regions.push_back(*parsed);
  }
  if (regions.size() > 1 && !o.easy_dkim.empty())
    return Unexpected{std::string("several --region values: give each token its region as TOKEN:REGION")};
  id.region = regions.empty() ? "" : regions.front();
  // TOKEN, TOKEN:REGION, the record names or values SES shows, separated by commas and/or blanks.
  std::string tokens;
  for (const auto& item : o.easy_dkim) tokens += item + ",";
  if (!o.easy_dkim.empty()) {
    if (auto added = diagnose::add_easy_dkim_tokens(tokens, id.region, id); !added)
      return Unexpected{"--easy-dkim: " + diagnose::to_string(added.error())};
  }
  if (!o.byodkim.empty()) {
    auto s = diagnose::parse_token(o.byodkim);
    if (!s) return Unexpected{"--byodkim: " + diagnose::to_string(s.error())};
    id.byodkim_selector = *s;
  }
  if (!o.public_key.empty()) {
    if (o.byodkim.empty()) return Unexpected{std::string("--public-key needs --byodkim SELECTOR")};
    auto text = read_all(o.public_key);
    if (!text) return Unexpected{"--public-key: " + text.error()};
    auto key = diagnose::decode_public_key_pem(*text);
    if (!key) return Unexpected{"--public-key " + o.public_key + ": " + diagnose::to_string(key.error())};
    id.public_key_pem = *text;
  }
  if (!o.verification_token.empty()) id.verification_token = o.verification_token;
  if (!o.mail_from.empty()) {
    auto m = diagnose::mail_from_name(o.mail_from, id.domain);
    if (!m) return Unexpected{"--mail-from: " + diagnose::to_string(m.error())};
    id.mail_from = *m;
  }
  if (!o.ses_identity.empty()) {
    auto text = read_all(o.ses_identity);
    if (!text) return Unexpected{"--ses-identity: " + text.error()};
    auto applied = diagnose::apply_ses_identity_json(*text, id);
    if (!applied) return Unexpected{"--ses-identity: " + diagnose::to_string(applied.error())};
  }
  return id;
}

// Writes the HTML report to `path` ("-": stdout). False (after a message) when the file cannot be written.
bool write_html(const std::string& path, const CheckResult& result) {
  const std::string page = render_html(result);
  if (path == "-") {
    std::cout << page;
    return true;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << page;
  out.close();
  if (!out) {
    std::fprintf(stderr, "dkimdoctor: error: --html %s: cannot write the file\n", path.c_str());
    return false;
  }
  return true;
}

int run_command(const CheckOptions& o) {
  auto identity = identity_from(o);
  if (!identity) return usage_error(identity.error());
  if (o.html == "-" && o.json) return usage_error("--html - and --json both want stdout: give --html a FILE");
  auto ro = make_resolver_options(o.root_hints, o.allow_loopback);
  if (!ro) return usage_error(ro.error());
  if (auto d = apply_dnssec_flags(o.dnssec, *ro); !d) return usage_error(d.error());
  ro->trace = false;
  const std::optional<std::string> key_problem = load_public_key(*identity);
  CheckResult result = check::check_blocking(*identity, std::move(*ro));
  if (!result.network_error.empty()) {
    std::fprintf(stderr, "dkimdoctor: error: %s\n", result.network_error.c_str());
    return 3;
  }
  if (key_problem) result.notes.push_back(*key_problem);
  if (!o.html.empty() && !write_html(o.html, result)) return 3;
  if (o.html == "-") {
    // The page is the output.
  } else if (o.json) {
    nlohmann::json j = to_json(result);
    j["cells"] = cells_json(result);
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    ReportOptions ropt;
    ropt.color = use_color(o.color, 1);
    ropt.verbose = o.verbose;
    std::cout << render_report(result, ropt);
  }
  std::cout.flush();
  return exit_status_of(result);
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_status) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand("check", "Diagnose why Amazon SES cannot verify a domain (DKIM, token, MAIL FROM)");
  cmd->add_option("domain", o->domain, "The identity's domain (optional with --email)");
  cmd->add_option("--easy-dkim", o->easy_dkim,
                  "Easy DKIM tokens separated by commas or blanks: TOKEN, TOKEN:REGION, or the CNAME names or "
                  "values SES shows")
      ->allow_extra_args(false);
  cmd->add_option("--region", o->regions, "AWS region of the identity (regional DKIM targets, MAIL FROM host)");
  cmd->add_option("--byodkim", o->byodkim, "BYODKIM selector");
  cmd->add_option("--public-key", o->public_key, "BYODKIM public key (PEM file) to compare with the published one");
  cmd->add_option("--verification-token", o->verification_token, "Legacy _amazonses verification token");
  cmd->add_option("--mail-from", o->mail_from, "Custom MAIL FROM subdomain (label or full name)");
  cmd->add_option("--ses-identity", o->ses_identity, "JSON of `aws sesv2 get-email-identity` (FILE or - for stdin)");
  cmd->add_option("--email", o->email, "Email-address identity: check that its domain can receive mail");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->add_option("--html", o->html,
                  "Also write a self-contained HTML report with a picture of the walk to FILE (- for stdout)");
  cmd->add_flag("-v,--verbose", o->verbose, "Also print every check that passed in full and each server's answers");
  add_resolver_flags(cmd, o->root_hints, o->allow_loopback);
  add_dnssec_flags(cmd, o->dnssec);
  cmd->add_option("--color", o->color, "Colour: auto, always or never (NO_COLOR is respected)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->callback([o, &exit_status]() { exit_status = run_command(*o); });
}

}  // namespace dkimdoctor::cli
