#include "cli/check.hpp"

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "cli/common.hpp"
#include "cli/file_input.hpp"
#include "cli/html_report.hpp"
#include "cli/record_cells.hpp"
#include "cli/report.hpp"
#include "diagnose/limits.hpp"
#include "diagnose/dkim_key.hpp"
#include "resolver/gather.hpp"

namespace dkimdoctor::cli {
namespace {

using diagnose::Lookup;
using diagnose::Scope;

// Rounds of follow-up lookups (variant names, A records, MX host addresses): each round only asks what the
// previous judgement asked for, and the judge never asks twice, so this bound is never the reason to stop
// in practice.
constexpr int kMaxFollowUpRounds = 3;
// Questions per authority probe (the resolver asks at most 16 besides the zone's SOA and NS).
constexpr std::size_t kProbeQuestions = 16;

std::string address_text(const asio::ip::address& a) { return a.to_string(); }

bool same_question(const wire::Question& q, const Lookup& l) { return q.name == l.name && q.type == l.type; }

std::string probe_error_text(const resolver::ServerResponse& r) {
  std::string s = resolver::to_string(r.error);
  if (!r.error_detail.empty()) s += " (" + r.error_detail + ")";
  return s;
}

// Reads the BYODKIM public key file named by a bulk line, if any (bulk reads it off the event loop,
// under --key-dir, before it gets here; this is the capped, regular-file-only fallback).
void load_public_key(diagnose::Identity& identity, std::vector<std::string>& notes) {
  if (identity.public_key_pem || !identity.public_key_file) return;
  auto text = read_named_file(*identity.public_key_file, kMaxPublicKeyBytes);
  if (!text) {
    notes.push_back("cannot read public key file: " + text.error());
    return;
  }
  identity.public_key_pem = std::move(*text);
}

asio::awaitable<resolver::Resolution> resolve_task(resolver::Resolver& r, wire::Name name, wire::RRType type) {
  co_return co_await r.resolve(name, type);
}

asio::awaitable<resolver::Resolution> probe_into(resolver::Resolver& r, wire::Name name,
                                                 std::vector<wire::Question> questions, resolver::ZoneProbe& slot,
                                                 std::shared_ptr<resolver::ProbeBudget> budget) {
  slot = co_await r.probe(name, std::move(questions), std::move(budget));
  co_return resolver::Resolution{};
}

// Observes `lookups`: one authority probe for the authoritative ones (plus, when `with_delegation`, the
// delegation facts), one resolution per iterative one, all at once.
asio::awaitable<void> observe(resolver::Resolver& r, const wire::Name& domain, const std::vector<Lookup>& lookups,
                              bool with_delegation, CheckResult& out,
                              const std::shared_ptr<resolver::ProbeBudget>& budget) {
  std::vector<wire::Question> questions;
  std::vector<Lookup> iterative, authoritative;
  for (const auto& l : lookups) {
    if (l.scope == Scope::iterative) {
      iterative.push_back(l);
    } else {
      authoritative.push_back(l);
      questions.push_back(wire::Question{l.name, l.type, wire::RRClass::IN});
    }
  }
  auto ex = co_await asio::this_coro::executor;
  std::vector<asio::awaitable<resolver::Resolution>> tasks;
  for (const auto& l : iterative) tasks.push_back(resolve_task(r, l.name, l.type));
  // The probes run beside the resolutions as more tasks; their results land in `probed` (sized first, so
  // the slots stay put). The probe takes at most kProbeQuestions questions at a time.
  std::vector<std::vector<wire::Question>> chunks;
  for (std::size_t i = 0; i < questions.size(); i += kProbeQuestions)
    chunks.emplace_back(questions.begin() + static_cast<std::ptrdiff_t>(i),
                        questions.begin() + static_cast<std::ptrdiff_t>(std::min(questions.size(), i + kProbeQuestions)));
  if (chunks.empty() && with_delegation) chunks.emplace_back();
  std::vector<resolver::ZoneProbe> probed(chunks.size());
  for (std::size_t i = 0; i < chunks.size(); ++i) tasks.push_back(probe_into(r, domain, chunks[i], probed[i], budget));
  const std::vector<resolver::Resolution> resolved = co_await resolver::gather(ex, std::move(tasks));
  for (std::size_t i = 0; i < iterative.size(); ++i) {
    out.queries += resolved[i].queries;
    out.observations.lookups.push_back(lookup_from(resolved[i], iterative[i]));
  }
  for (std::size_t c = 0; c < probed.size(); ++c) {
    const auto& p = probed[c];
    out.queries += p.queries;
    if (with_delegation && c == 0) out.observations.delegation = delegation_from(p);
    for (std::size_t k = c * kProbeQuestions; k < std::min(authoritative.size(), (c + 1) * kProbeQuestions); ++k)
      out.observations.lookups.push_back(lookup_from(p, authoritative[k]));
  }
}

// A TCP exchange that failed once may be a passing overload of the server (a busy NSD resets connections
// beyond its TCP limit): ask those questions once more before calling it TCP_FAILED, and keep each server's
// better answer.
asio::awaitable<void> retry_tcp_failures(resolver::Resolver& r, CheckResult& out,
                                         const std::shared_ptr<resolver::ProbeBudget>& budget) {
  std::vector<Lookup> again;
  for (const auto& l : out.observations.lookups) {
    if (l.lookup.scope != Scope::authoritative) continue;
    for (const auto& a : l.servers) {
      if (a.truncated_udp && !a.responded) {
        again.push_back(l.lookup);
        break;
      }
    }
  }
  if (again.empty()) co_return;
  CheckResult second;
  co_await observe(r, out.identity.domain, again, false, second, budget);
  out.queries += second.queries;
  for (const auto& retried : second.observations.lookups) {
    for (auto& l : out.observations.lookups) {
      if (!(l.lookup == retried.lookup)) continue;
      for (auto& a : l.servers) {
        if (a.responded) continue;
        for (const auto& b : retried.servers)
          if (b.responded && b.ns_name == a.ns_name && b.address == a.address) a = b;
      }
    }
  }
}

}  // namespace

diagnose::Delegation delegation_from(const resolver::ZoneProbe& p) {
  diagnose::Delegation d;
  d.zone = p.zone;
  d.parent = p.parent;
  d.parent_ns = p.parent_ns;
  d.zone_ns = p.zone_ns;
  d.not_delegated = p.name_nxdomain;
  d.complete = p.zone_found || p.name_nxdomain;
  if (p.failure != resolver::Failure::none) {
    d.error = resolver::to_string(p.failure);
    if (!p.failure_detail.empty()) d.error += ": " + p.failure_detail;
  }
  for (const auto& ns : p.servers) {
    if (ns.addresses.empty()) {
      d.nameservers_without_address.push_back(ns.name.to_string() +
                                              (ns.resolution_error.empty() ? "" : " (" + ns.resolution_error + ")"));
    }
    for (const auto& a : ns.addresses) {
      if (!a.asked) continue;  // over the check's probe budget (kMaxProbeAddresses): not judged
      diagnose::ServerStatus s;
      s.ns_name = ns.name;
      s.address = address_text(a.address);
      if (!a.permitted) {
        s.private_address = true;
        s.error = std::string("not queried: ") + resolver::to_string(a.address_class) + " address";
        d.servers.push_back(std::move(s));
        continue;
      }
      for (const auto& r : p.responses) {
        if (!(r.ns_name == ns.name) || r.address != a.address) continue;
        if (r.question.type != wire::RRType::SOA || !(r.question.name == p.zone)) continue;
        // A REFUSED reply is a reply (ProbeError::refused with an rcode): lame, not unreachable.
        s.responded = r.rcode.has_value();
        if (!s.responded) s.error = probe_error_text(r);
        s.unreachable_from_host = r.error == resolver::ProbeError::unreachable_from_host;
        if (r.rcode) s.rcode = *r.rcode;
        s.aa = r.aa;
        for (const auto& rec : r.answer) {
          if (rec.type != wire::RRType::SOA || !(rec.owner == p.zone)) continue;
          if (auto soa = rec.rdata.as_soa()) {
            s.serial = soa->serial;
            if (!d.soa_ttl) {
              d.soa_ttl = rec.ttl;
              d.soa_minimum = soa->minimum;
            }
          }
        }
        break;
      }
      d.servers.push_back(std::move(s));
    }
  }
  return d;
}

diagnose::LookupResult lookup_from(const resolver::ZoneProbe& p, const Lookup& lookup) {
  diagnose::LookupResult out;
  out.lookup = lookup;
  out.zone = p.zone;
  for (const auto& ns : p.servers) {
    for (const auto& a : ns.addresses) {
      if (!a.permitted) {
        diagnose::ServerAnswer s;
        s.ns_name = ns.name;
        s.address = address_text(a.address);
        s.queried = false;
        s.error = "refused by address policy";
        out.servers.push_back(std::move(s));
      }
    }
  }
  for (const auto& r : p.responses) {
    if (!same_question(r.question, lookup)) continue;
    diagnose::ServerAnswer s;
    s.ns_name = r.ns_name;
    s.address = address_text(r.address);
    s.responded = r.rcode.has_value();
    if (!s.responded) s.error = probe_error_text(r);
    s.unreachable_from_host = r.error == resolver::ProbeError::unreachable_from_host;
    s.transport = r.protocol == resolver::Protocol::tcp ? diagnose::Transport::tcp : diagnose::Transport::udp;
    s.truncated_udp = r.protocol == resolver::Protocol::tcp;
    if (r.rcode) s.rcode = *r.rcode;
    s.aa = r.aa;
    s.answer = r.answer;
    s.authority = r.authority;
    s.rtt_ms = static_cast<std::uint32_t>(r.rtt.count() / 1000);
    out.servers.push_back(std::move(s));
  }
  return out;
}

diagnose::LookupResult lookup_from(const resolver::Resolution& r, const Lookup& lookup) {
  diagnose::LookupResult out;
  out.lookup = lookup;
  diagnose::IterativeResult it;
  it.complete = r.outcome != resolver::Outcome::failed;
  it.rcode = it.complete ? r.rcode : wire::Rcode::ServFail;
  it.answer = r.answer;
  if (!it.complete) {
    it.error = resolver::to_string(r.failure);
    if (!r.failure_detail.empty()) it.error += ": " + r.failure_detail;
  }
  out.iterative = std::move(it);
  return out;
}

namespace {

std::vector<std::string> host_limits_of(const diagnose::Observations& obs) {
  std::vector<std::string> out;
  auto add = [&out](const wire::Name& ns, const std::string& address) {
    std::string label = ns.to_string();
    if (label.size() > 1 && label.back() == '.') label.pop_back();
    label += " (" + address + ")";
    if (std::find(out.begin(), out.end(), label) == out.end()) out.push_back(std::move(label));
  };
  for (const auto& s : obs.delegation.servers)
    if (s.unreachable_from_host) add(s.ns_name, s.address);
  for (const auto& l : obs.lookups)
    for (const auto& a : l.servers)
      if (a.unreachable_from_host) add(a.ns_name, a.address);
  return out;
}

}  // namespace

asio::awaitable<CheckResult> run_check(resolver::Resolver& resolver, const diagnose::Identity& identity) {
  const auto start = std::chrono::steady_clock::now();
  CheckResult out;
  out.identity = identity;
  load_public_key(out.identity, out.notes);
  out.expected = diagnose::expectations(out.identity);
  // One probe budget for the whole check, follow-ups included (issue 18).
  const auto planned = diagnose::plan(out.expected);
  const auto budget = std::make_shared<resolver::ProbeBudget>(resolver::ProbeBudget::for_questions(planned.size()));
  co_await observe(resolver, out.identity.domain, planned, true, out, budget);
  co_await retry_tcp_failures(resolver, out, budget);
  out.judgement = diagnose::judge(out.identity, out.expected, out.observations);
  for (int round = 0; round < kMaxFollowUpRounds && !out.judgement.follow_ups.empty(); ++round) {
    co_await observe(resolver, out.identity.domain, out.judgement.follow_ups, false, out, budget);
    out.judgement = diagnose::judge(out.identity, out.expected, out.observations);
  }
  out.host_limits = host_limits_of(out.observations);
  out.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  co_return out;
}

asio::awaitable<std::string> network_problem(resolver::Resolver& resolver) {
  const resolver::Resolution root = co_await resolver.resolve(wire::Name(), wire::RRType::NS);
  if (root.outcome != resolver::Outcome::failed) co_return std::string();
  std::string why = resolver::to_string(root.failure);
  if (!root.failure_detail.empty()) why += ": " + root.failure_detail;
  co_return "no root server answered (" + why + "); this host cannot reach the DNS, so nothing can be checked";
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
  const RecordGrid grid = record_grid(result);
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
  ro->trace = false;
  asio::io_context io;
  resolver::Resolver res(io.get_executor(), std::move(*ro));
  CheckResult result;
  std::string network_error;
  bool done = false;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> {
        network_error = co_await network_problem(res);
        if (network_error.empty()) result = co_await run_check(res, *identity);
        done = true;
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  if (!done) {
    std::fprintf(stderr, "dkimdoctor: error: the check did not complete\n");
    return 3;
  }
  if (!network_error.empty()) {
    std::fprintf(stderr, "dkimdoctor: error: %s\n", network_error.c_str());
    return 3;
  }
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
  cmd->add_option("--color", o->color, "Colour: auto, always or never (NO_COLOR is respected)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->callback([o, &exit_status]() { exit_status = run_command(*o); });
}

}  // namespace dkimdoctor::cli
