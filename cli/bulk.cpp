// `dkimdoctor bulk`: many identities, one resolver, one cache, one io_context.
//
// The promise: every input line yields exactly one output line, whatever the line holds and however its
// check ends. Lines are read on their own thread (InputReader) with back-pressure, so memory is bounded by
// --concurrency and the cache, never by the input's size; results are written as they complete, each as
// one whole line carrying its input line number. Ctrl-C / SIGTERM stop taking new lines, write nothing
// partial, and leave an output that `--resume` completes.
#include "cli/bulk.hpp"

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include <climits>
#include <stdexcept>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cli/bulk_io.hpp"
#include "cli/check.hpp"
#include "cli/common.hpp"
#include "cli/file_input.hpp"
#include "diagnose/identity.hpp"
#include "resolver/resolver.hpp"

namespace dkimdoctor::cli {
namespace {

struct BulkOptions {
  std::string input = "-";
  std::string output;
  std::size_t concurrency = kDefaultBulkConcurrency;
  bool resume = false;
  std::string root_hints;
  bool allow_loopback = false;
  std::string progress = "auto";
  // The only directory whose files a line's "byodkim_public_key_pem" may name (issue 18: a line could
  // make the run read any file the process can). Empty: key paths are refused; keys come inline.
  std::string key_dir;
};

// Reads the key file a line names: only under `key_dir` (after resolving links and ".."), only a
// regular file, at most kMaxPublicKeyBytes. Runs on the key-reading thread, not the event loop.
Result<std::string, std::string> read_key_file(const std::string& key_dir, const std::string& path) {
  if (key_dir.empty()) {
    return Unexpected{std::string("\"byodkim_public_key_pem\" names a file, and bulk reads key files only with "
                                  "--key-dir DIR; give the PEM inline as \"public_key\"")};
  }
  char dir_buf[PATH_MAX];
  char path_buf[PATH_MAX];
  if (::realpath(key_dir.c_str(), dir_buf) == nullptr) return Unexpected{"--key-dir " + key_dir + ": " + std::strerror(errno)};
  const std::string full = !path.empty() && path.front() == '/' ? path : key_dir + "/" + path;
  if (::realpath(full.c_str(), path_buf) == nullptr) return Unexpected{"key file " + path + ": " + std::strerror(errno)};
  const std::string dir = std::string(dir_buf) == "/" ? "/" : std::string(dir_buf) + "/";
  if (std::string_view(path_buf).substr(0, dir.size()) != dir) {
    return Unexpected{"key file " + path + " is outside --key-dir " + key_dir};
  }
  return read_named_file(path_buf, kMaxPublicKeyBytes);
}

// read_key_file() as a coroutine for the key-reading thread; (text, error), since co_spawn's result
// must be default-constructible and Result is not. Arguments by value: the frame owns them.
asio::awaitable<std::pair<std::string, std::string>> read_key_file_task(std::string key_dir, std::string path) {
  auto read = read_key_file(key_dir, path);
  if (!read) co_return std::pair{std::string(), read.error()};
  co_return std::pair{std::move(*read), std::string()};
}

struct Tally {
  std::uint64_t written = 0;       // output lines written by this run
  std::uint64_t input_errors = 0;  // lines that were not a usable identity
  std::uint64_t check_errors = 0;  // checks that ended in an internal error
  std::map<std::string, std::uint64_t> verdicts;
  std::map<std::string, std::uint64_t> codes;
};

// A short, printable excerpt of an input line for an error result (the line may be binary garbage).
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMax = 200;
  std::string out;
  for (char c : text.substr(0, kMax)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : '?');
  }
  if (text.size() > kMax) out += "...";
  return out;
}

struct KeyFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class BulkRun {
 public:
  BulkRun(const BulkOptions& options, resolver::Options resolver_options, OutputWriter& out, const DoneSet& done,
          std::FILE* in, std::optional<std::uint64_t> total)
      : options_(options),
        resolver_(io_.get_executor(), std::move(resolver_options)),
        out_(out),
        work_(asio::make_work_guard(io_)),
        signals_(io_, SIGINT, SIGTERM),
        ticker_(io_),
        progress_(use_progress(options.progress)),
        reader_(in, options.concurrency, &done,
                [this](InputLine line) {
                  asio::post(io_, [this, line = std::move(line)]() mutable { start(std::move(line)); });
                },
                [this](std::optional<std::string> error) {
                  asio::post(io_, [this, error = std::move(error)] {
                    read_error_ = error;
                    reading_done_ = true;
                    maybe_finish();
                  });
                }) {
    if (total) progress_.set_total(*total - std::min(*total, static_cast<std::uint64_t>(done.size())));
  }

  int run() {
    started_ = std::chrono::steady_clock::now();
    signals_.async_wait([this](const std::error_code& ec, int signo) {
      if (ec) return;
      signal_ = signo;
      stop();
    });
    tick();
    reader_.start();
    io_.run();
    progress_.clear();
    out_.flush();
    return finish_status();
  }

  const Tally& tally() const { return tally_; }
  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }
  std::uint64_t queries() const { return resolver_.stats().queries_sent; }
  std::uint64_t skipped() const { return reader_.lines_skipped(); }
  int signal() const { return signal_; }
  bool stopped_early() const { return stopping_; }

 private:
  static bool use_progress(const std::string& mode) {
    if (mode == "always") return true;
    if (mode == "never") return false;
    return ::isatty(STDERR_FILENO) == 1;
  }

  void start(InputLine line) {
    if (stopping_) return;
    ++in_flight_;
    asio::co_spawn(io_, check_line(std::move(line)), asio::detached);
  }

  asio::awaitable<void> check_line(InputLine line) {
    nlohmann::json result;
    try {
      if (line.too_long) {
        result = {{"error", "input line longer than " + std::to_string(kMaxBulkLineBytes) + " bytes"},
                  {"input", excerpt(line.text)}};
        ++tally_.input_errors;
      } else if (auto identity = diagnose::parse_bulk_line(line.text); !identity) {
        result = {{"error", diagnose::to_string(identity.error())}, {"input", excerpt(line.text)}};
        ++tally_.input_errors;
      } else {
        if (identity->public_key_file && !identity->public_key_pem) {
          // Off the event loop: a slow or hostile file costs this line, not every check in flight.
          const std::string dir = options_.key_dir, path = *identity->public_key_file;
          auto key = co_await asio::co_spawn(key_reader_, read_key_file_task(dir, path), asio::use_awaitable);
          if (!key.second.empty()) throw KeyFileError(key.second);
          identity->public_key_pem = std::move(key.first);
        }
        CheckResult checked = co_await run_check(resolver_, *identity);
        result = to_json(checked);
        const std::string verdict = result.value("verdict", "incomplete");
        ++tally_.verdicts[verdict];
        if (auto it = result.find("findings"); it != result.end() && it->is_array()) {
          for (const auto& f : *it) {
            const std::string severity = f.value("severity", "");
            if (severity == "error" || severity == "warning") ++tally_.codes[f.value("code", "?")];
          }
        }
      }
    } catch (const KeyFileError& e) {
      result = {{"error", e.what()}, {"input", excerpt(line.text)}};
      ++tally_.input_errors;
    } catch (const std::exception& e) {
      // A bug or out-of-memory in one check must not lose the line.
      result = {{"error", std::string("internal error: ") + e.what()}, {"input", excerpt(line.text)}};
      ++tally_.check_errors;
    }
    if (!stopping_) {
      // "line" first, so a person (or `sort -n`) reads the file by input order.
      std::string text = result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      std::string prefix = "{\"line\":" + std::to_string(line.number);
      out_.write_line(text.size() > 2 ? prefix + "," + text.substr(1) : prefix + "}");
      ++tally_.written;
      if (out_.error()) stop();
    }
    --in_flight_;
    reader_.release();
    maybe_finish();
  }

  void tick() {
    progress_.draw(tally_.written, tally_.input_errors + tally_.check_errors + tally_.verdicts["incomplete"],
                   elapsed());
    if (!out_.flush()) stop();
    ticker_.expires_after(std::chrono::milliseconds(200));
    ticker_.async_wait([this](const std::error_code& ec) {
      if (!ec) tick();
    });
  }

  void maybe_finish() {
    if ((reading_done_ || stopping_) && in_flight_ == 0) shutdown();
  }

  void stop() {
    if (stopping_) return;
    stopping_ = true;
    reader_.stop();
    // In-flight checks are abandoned (their lines are not written; --resume redoes them).
    shutdown();
  }

  void shutdown() {
    key_reader_.stop();
    signals_.cancel();
    ticker_.cancel();
    work_.reset();
    io_.stop();
  }

  int finish_status() const {
    if (signal_ != 0) return 128 + signal_;
    if (out_.error() || read_error_) return 3;
    const auto count = [this](const char* v) {
      auto it = tally_.verdicts.find(v);
      return it == tally_.verdicts.end() ? 0 : it->second;
    };
    if (tally_.check_errors > 0 || count("incomplete") > 0) return 3;
    if (tally_.input_errors > 0 || count("problems") > 0) return 1;
    return 0;
  }

 public:
  const std::optional<std::string>& read_error() const { return read_error_; }

 private:
  const BulkOptions& options_;
  asio::io_context io_{1};
  // One thread that reads the key files lines name (--key-dir), off the event loop.
  asio::thread_pool key_reader_{1};
  resolver::Resolver resolver_;
  OutputWriter& out_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::signal_set signals_;
  asio::steady_timer ticker_;
  Progress progress_;
  InputReader reader_;
  std::chrono::steady_clock::time_point started_;
  Tally tally_;
  std::size_t in_flight_ = 0;
  bool reading_done_ = false;
  bool stopping_ = false;
  int signal_ = 0;
  std::optional<std::string> read_error_;
};

void print_summary(const BulkRun& run) {
  const Tally& t = run.tally();
  const double seconds = run.elapsed();
  const std::uint64_t checked = t.written - t.input_errors;
  std::fprintf(stderr, "dkimdoctor bulk: %llu lines written (%llu skipped as done), %llu checked in %.1f s, "
               "%.1f domains/s, %llu queries sent (%.1f per domain)\n",
               static_cast<unsigned long long>(t.written), static_cast<unsigned long long>(run.skipped()),
               static_cast<unsigned long long>(checked), seconds,
               seconds > 0 ? static_cast<double>(checked) / seconds : 0.0,
               static_cast<unsigned long long>(run.queries()),
               checked > 0 ? static_cast<double>(run.queries()) / static_cast<double>(checked) : 0.0);
  std::string verdicts = "  verdicts:";
  for (const char* v : {"ok", "problems", "incomplete"}) {
    auto it = t.verdicts.find(v);
    verdicts += std::string(" ") + v + " " + std::to_string(it == t.verdicts.end() ? 0 : it->second);
  }
  verdicts += "; input errors " + std::to_string(t.input_errors);
  if (t.check_errors > 0) verdicts += "; internal errors " + std::to_string(t.check_errors);
  std::fprintf(stderr, "%s\n", verdicts.c_str());
  if (!t.codes.empty()) {
    std::string codes = "  findings (error/warning):";
    for (const auto& [code, n] : t.codes) codes += " " + code + " " + std::to_string(n);
    std::fprintf(stderr, "%s\n", codes.c_str());
  }
  if (run.signal() != 0) {
    std::fprintf(stderr, "  interrupted by signal %d: run again with --resume to finish\n", run.signal());
  }
}

int run_bulk(const BulkOptions& options) {
  if (options.resume && options.output.empty()) {
    return usage_error("--resume needs --output FILE (the file to complete)");
  }
  auto resolver_options = make_resolver_options(options.root_hints, options.allow_loopback);
  if (!resolver_options) return usage_error(resolver_options.error());

  std::FILE* in = stdin;
  std::optional<std::uint64_t> total;
  if (options.input != "-") {
    auto readable = check_readable_file(options.input);
    if (!readable) return usage_error(readable.error());
    in = std::fopen(options.input.c_str(), "rb");
    if (in == nullptr) return usage_error("cannot open " + options.input + ": " + std::strerror(errno));
    total = count_lines(options.input);
  }

  DoneSet done;
  if (options.resume) {
    auto scanned = scan_and_repair_output(options.output);
    if (!scanned) return usage_error(scanned.error());
    done = std::move(*scanned);
  }
  auto out = OutputWriter::open(options.output.empty() ? nullptr : &options.output, options.resume);
  if (!out) return usage_error(out.error());

  auto run = std::make_unique<BulkRun>(options, std::move(*resolver_options), **out, done, in, total);
  int status = run->run();
  print_summary(*run);
  if (run->read_error()) std::fprintf(stderr, "dkimdoctor: error: %s\n", run->read_error()->c_str());
  const bool stopped_early = run->stopped_early();
  if (!stopped_early) run.reset();
  if (!(*out)->flush() || (*out)->error()) {
    std::fprintf(stderr, "dkimdoctor: error: %s\n", (*out)->error()->c_str());
    status = 3;
  }
  (*out).reset();  // closes the output file
  std::fflush(stdout);
  std::fflush(stderr);
  if (stopped_early) {
    // A signal or a write error abandoned checks mid-resolution: their coroutine frames still point into
    // the resolver, so the run is not torn down (destroying the io_context would resume nothing but
    // would run their destructors against a destroyed resolver). Every whole line is written and the
    // output closed; the process ends here. The reader thread may be blocked on a pipe too.
    std::_Exit(status);
  }
  if (in != stdin) std::fclose(in);
  return status;
}

}  // namespace

void add_bulk_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<BulkOptions>();
  auto* cmd = app.add_subcommand("bulk", "Check many SES identities at once (JSON Lines or one domain per line)");
  cmd->add_option("input", options->input, "Input file, or - for standard input")->default_val("-");
  cmd->add_option("-c,--concurrency", options->concurrency, "Domains checked at once")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->default_val(kDefaultBulkConcurrency);
  cmd->add_option("-o,--output", options->output, "Write results to FILE instead of standard output");
  cmd->add_flag("--resume", options->resume,
                "Complete an interrupted run: keep the lines already in --output, check only the others");
  add_resolver_flags(cmd, options->root_hints, options->allow_loopback);
  cmd->add_option("--key-dir", options->key_dir,
                  "Let lines name BYODKIM key files (\"byodkim_public_key_pem\") under DIR; without it only inline "
                  "keys (\"public_key\") are used");
  cmd->add_option("--progress", options->progress, "Progress bar on standard error")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_val("auto");
  cmd->footer(
      "Input: one identity per line, as JSON\n"
      "  {\"domain\": \"example.com\", \"easy_dkim_tokens\": [\"t1\", \"t2\", \"t3\"], \"region\": \"eu-west-1\",\n"
      "   \"byodkim_selector\": \"s1\", \"verification_token\": \"...\", \"mail_from\": \"mail\"}\n"
      "or a plain domain name. Output: one JSON line per input line (in completion order, with \"line\"),\n"
      "then a summary on standard error. Exit status: 0 all ok, 1 problems found, 3 incomplete, 2 usage.\n"
      "Examples:\n"
      "  dkimdoctor bulk identities.jsonl --output results.jsonl\n"
      "  dkimdoctor bulk identities.jsonl --output results.jsonl --resume\n"
      "  cut -d, -f1 customers.csv | dkimdoctor bulk - --concurrency 500 > results.jsonl");
  cmd->callback([options, &exit_status] { exit_status = run_bulk(*options); });
}

}  // namespace dkimdoctor::cli
