// The human report of a check: the verdict line first, then findings by severity (evidence and fix),
// then a per-server table for each record looked up at every authoritative server.
#pragma once

#include <string>

#include "cli/check.hpp"

namespace dkimdoctor::cli {

struct ReportOptions {
  bool color = false;
  bool show_ok = true;     // list ok findings
  bool show_servers = true;  // with verbose: the per-server tables
  bool verbose = false;       // every evidence line, passed checks in full, per-server tables
};

std::string render_report(const CheckResult& result, const ReportOptions& options);

}  // namespace dkimdoctor::cli
