// `dkimdoctor check`: one SES identity, diagnosed and rendered. The check itself (observe, judge, follow
// up) is the check library (check/check.hpp); this file reads the input (options, key files), renders the
// result as JSON and picks the exit status.
#pragma once

#include <asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "check/check.hpp"
#include "diagnose/identity.hpp"
#include "resolver/resolver.hpp"

namespace CLI {
class App;
}

namespace dkimdoctor::cli {

using check::CheckResult;

// Reads the BYODKIM public key file an identity names but has not read (a bulk line's
// "byodkim_public_key_file"): capped, regular files only. The reason when it cannot, for CheckResult::notes.
std::optional<std::string> load_public_key(diagnose::Identity& identity);

// check::run() on an identity whose key file, if it names one, is read first (an unreadable one becomes a
// note in the result, and the key is then not compared).
asio::awaitable<CheckResult> run_check(resolver::Resolver& resolver, diagnose::Identity identity);

// The JSON of issue 5: {"domain", "verdict", "headline", "findings": [{"code", "severity", "ses_error",
// "message", "fix", "evidence", "subject"}], "servers": [...]}.
// bulk writes the same text without the tree (check_json.hpp): a member added here is added there too, and
// to the CheckJson tests' fixtures, which compare the two and reach every member.
nlohmann::json to_json(const CheckResult& result);
// `check --json`'s "cells": the grid the HTML report draws (diagnose/record_grid.hpp), one object per (expected record x
// authoritative server address): {"name", "type", "server", "address", "state", "detail"}. Not in to_json(),
// so bulk's lines stay as they were (the cells would add about a fifth to each).
nlohmann::json cells_json(const CheckResult& result);

// 0 nothing wrong, 1 problems found, 3 could not complete.
int exit_status_of(const CheckResult& result);

void add_check_command(CLI::App& app, int& exit_status);

}  // namespace dkimdoctor::cli
