// dkimdoctor: tells a person exactly why their domain's DKIM / Amazon SES verification is stuck.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "cli/bulk.hpp"
#include "cli/check.hpp"
#include "cli/decode.hpp"
#include "cli/resolve.hpp"
#include "cli/version.hpp"
#include "diagnose/regions.hpp"

#ifdef DKIMDOCTOR_MIMALLOC
#include <mimalloc.h>
#endif

namespace {

// The allocator this binary runs on. With mimalloc linked (cli/CMakeLists.txt), its malloc and free replace
// glibc's for the whole process; the call to mi_version() also keeps the library from being dropped as
// unneeded by the linker.
std::string allocator_text() {
#ifdef DKIMDOCTOR_MIMALLOC
  const int v = mi_version();
  return "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." + std::to_string(v % 10);
#else
  return "glibc malloc";
#endif
}

// One line, no stack trace: "dkimdoctor: error: ..." (usage errors exit with 2).
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// For a first argument that is no subcommand: the nearest subcommand, or `check` for a domain or an
// address. Empty when nothing fits.
std::string suggestion(const CLI::App& app, const std::string& word) {
  if (word.find('@') != std::string::npos) return "dkimdoctor check --email " + word;
  if (word.find('.') != std::string::npos) return "dkimdoctor check " + word + " --easy-dkim TOKEN1,TOKEN2,TOKEN3";
  std::string best;
  std::size_t best_d = 3;  // at most two edits away
  for (const auto* sub : app.get_subcommands({})) {
    const std::size_t d = dkimdoctor::diagnose::edit_distance(word, sub->get_name());
    if (d < best_d) {
      best_d = d;
      best = "dkimdoctor " + sub->get_name();
    }
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  // A closed pipe is reported by the write that failed, not by a silent death.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"dkimdoctor walks DNS from the root to every authoritative server, as the Amazon SES verifier\n"
               "does, and tells you why your domain's DKIM / SES verification is stuck and how to fix it.",
               "dkimdoctor"};
  app.require_subcommand(1, 1);
  app.fallthrough(false);
  app.footer(
      "Examples:\n"
      "  dkimdoctor check example.com --easy-dkim TOKEN1,TOKEN2,TOKEN3\n"
      "  aws sesv2 get-email-identity --email-identity example.com | dkimdoctor check example.com --ses-identity -\n"
      "  dkimdoctor bulk identities.jsonl --output results.jsonl\n"
      "  dkimdoctor resolve abc._domainkey.example.com CNAME --trace\n"
      "  dkimdoctor decode reply.bin\n"
      "Run 'dkimdoctor COMMAND --help' for a command's options.");

  int exit_status = 0;
  dkimdoctor::cli::add_check_command(app, exit_status);
  dkimdoctor::cli::add_bulk_command(app, exit_status);
  dkimdoctor::cli::add_resolve_command(app, exit_status);
  dkimdoctor::cli::add_decode_command(app, exit_status);
  dkimdoctor::cli::add_version_command(app, exit_status, allocator_text());

  if (argc >= 2 && argv[1][0] != '-') {
    const std::string first = argv[1];
    bool known = false;
    for (const auto* sub : app.get_subcommands({})) known = known || sub->get_name() == first;
    if (!known) {
      const std::string hint = suggestion(app, first);
      std::fprintf(stderr, "dkimdoctor: error: '%s' is not a command%s%s%s (see 'dkimdoctor --help')\n",
                   one_line(first).c_str(), hint.empty() ? "" : "; did you mean '", hint.c_str(),
                   hint.empty() ? "" : "'");
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help: prints the selected command's help
    std::fprintf(stderr, "dkimdoctor: error: %s (see 'dkimdoctor --help')\n", one_line(e.what()).c_str());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fputs("dkimdoctor: error: out of memory\n", stderr);
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dkimdoctor: error: %s\n", one_line(e.what()).c_str());
    return 3;
  }
  return exit_status;
}
