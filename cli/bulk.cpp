// `dkimdoctor bulk`: many identities, one resolver, one cache, one io_context -- or, with --threads N, N
// shards of those, each on its own thread, the input dealt out among them and one output for all.
//
// The promise: every input line yields exactly one output line (a JSON line, or a CSV row with
// --format csv), whatever the line holds and however its check ends -- unless --only-problems, which
// omits the lines whose verdict is "ok" (and, with --output FILE, records them as CSV rows in
// FILE.ok-lines.csv, so --resume and the summary still know them). Lines are read on their own thread
// (InputReader) with back-pressure, so memory is bounded by --concurrency and the cache, never by the
// input's size; results are written as they complete, each as one whole line carrying its input line
// number. Ctrl-C / SIGTERM stop taking new lines, write nothing partial, and leave an output that
// `--resume` completes. The summary (bulk_summary.hpp) and the exit status cover the whole output file:
// --resume reads the earlier lines back.
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

#include <sys/stat.h>
#include <climits>
#include <stdexcept>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "cli/bulk_html.hpp"
#include "cli/bulk_io.hpp"
#include "cli/bulk_summary.hpp"
#include "cli/check.hpp"
#include "cli/check_json.hpp"
#include "cli/common.hpp"
#include "cli/file_input.hpp"
#include "cli/json_dump.hpp"
#include "diagnose/identity.hpp"
#include "resolver/resolver.hpp"

namespace dkimdoctor::cli {
namespace {

struct BulkOptions {
  std::string input = "-";
  std::string output;
  std::size_t concurrency = kDefaultBulkConcurrency;  // checks in flight, over all shards
  std::size_t threads = 1;                            // --threads: shards (event loop, resolver, thread)
  bool resume = false;
  std::string root_hints;
  DnssecFlags dnssec;
  bool allow_loopback = false;
  std::string progress = "auto";
  std::string format = "jsonl";
  bool only_problems = false;
  // The only directory whose files a line's "byodkim_public_key_file" may name (issue 18: a line could
  // make the run read any file the process can). Empty: key paths are refused; keys come inline.
  std::string key_dir;
  std::string html;  // --html FILE: the dashboard (bulk_html.hpp)
};

// Reads the key file a line names: only under `key_dir` (after resolving links and ".."), only a
// regular file, at most kMaxPublicKeyBytes. Runs on the key-reading thread, not the event loop.
Result<std::string, std::string> read_key_file(const std::string& key_dir, const std::string& path) {
  if (key_dir.empty()) {
    return Unexpected{std::string("\"byodkim_public_key_file\" names a file, and bulk reads key files only with "
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

// This run's counts (the summary's domain counts live in BulkSummary).
struct Tally {
  std::uint64_t completed = 0;  // input lines answered by this run
  std::uint64_t written = 0;    // output lines written by this run
  std::uint64_t omitted = 0;    // ok lines left out by --only-problems
  std::uint64_t errors = 0;     // lines answered "incomplete" (input errors included), for the progress bar
};

// Where --only-problems records the ok lines it leaves out of FILE.
std::string ok_lines_path(const std::string& output) { return output + ".ok-lines.csv"; }

// A check slower than this makes the progress bar say which domains it waits for.
constexpr std::chrono::seconds kStallAfter{2};
// Domains named on the progress bar while waiting.
constexpr std::size_t kWaitingNamed = 3;

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

// One shard of a run: its own event loop, resolver (so its own cache) and thread. Shards share nothing
// mutable except through BulkRun's lock; the root hints are copied into each resolver's options.
struct Shard {
  explicit Shard(resolver::Options options)
      : resolver(io.get_executor(), std::move(options)), work(asio::make_work_guard(io)) {}
  asio::io_context io{1};
  resolver::Resolver resolver;
  asio::executor_work_guard<asio::io_context::executor_type> work;
};

std::vector<std::unique_ptr<Shard>> make_shards(std::size_t n, const resolver::Options& options) {
  std::vector<std::unique_ptr<Shard>> shards;
  for (std::size_t i = 0; i < std::max<std::size_t>(n, 1); ++i) shards.push_back(std::make_unique<Shard>(options));
  return shards;
}

class BulkRun {
 public:
  BulkRun(const BulkOptions& options, const resolver::Options& resolver_options, OutputWriter& out,
          OutputWriter* ok_lines, const DoneSet& done, BulkSummary& summary, std::FILE* in,
          std::optional<std::uint64_t> total)
      : options_(options),
        shards_(make_shards(options.threads, resolver_options)),
        out_(out),
        ok_lines_(ok_lines),
        summary_(summary),
        signals_(main_io(), SIGINT, SIGTERM),
        ticker_(main_io()),
        progress_(use_progress(options.progress)),
        reader_(in, options.concurrency, &done, [this](InputLine line) { deal(std::move(line)); },
                [this](std::optional<std::string> error) {
                  asio::post(main_io(), [this, error = std::move(error)] {
                    {
                      const std::lock_guard lock(mutex_);
                      read_error_ = error;
                      reading_done_ = true;
                    }
                    maybe_finish();
                  });
                }) {
    if (total) progress_.set_total(*total - std::min(*total, static_cast<std::uint64_t>(done.size())));
  }

  // Runs shard 0 on this thread (with the signals and the progress ticker), the others on their own.
  int run() {
    started_ = std::chrono::steady_clock::now();
    last_completion_ = started_;
    signals_.async_wait([this](const std::error_code& ec, int signo) {
      if (ec) return;
      signal_ = signo;
      stop();
    });
    tick();
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < shards_.size(); ++i) threads.emplace_back([this, i] { shards_[i]->io.run(); });
    reader_.start();
    main_io().run();
    for (auto& t : threads) t.join();
    progress_.clear();
    out_.flush();
    if (ok_lines_ != nullptr) ok_lines_->flush();
    return finish_status();
  }

  // After run(): every shard's thread has ended.
  const Tally& tally() const { return tally_; }
  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }
  std::uint64_t queries() const {
    std::uint64_t sum = 0;
    for (const auto& shard : shards_) sum += shard->resolver.stats().queries_sent;
    return sum;
  }
  std::uint64_t skipped() const { return reader_.lines_skipped(); }
  int signal() const { return signal_; }
  bool input_done() const { return reader_.done(); }

 private:
  static bool use_progress(const std::string& mode) {
    if (mode == "always") return true;
    if (mode == "never") return false;
    return ::isatty(STDERR_FILENO) == 1;
  }

  asio::io_context& main_io() { return shards_.front()->io; }

  // On the reader thread: the line goes to the next shard in turn. It counts as in flight from here, so
  // the run cannot end between the end of the input and a line still on its way to a shard.
  void deal(InputLine line) {
    {
      const std::lock_guard lock(mutex_);
      if (stopping_ || finished_) return;
      ++in_flight_;
    }
    Shard& shard = *shards_[next_shard_++ % shards_.size()];
    asio::post(shard.io, [this, &shard, line = std::move(line)]() mutable { start(shard, std::move(line)); });
  }

  void start(Shard& shard, InputLine line) {
    bool stopping = false;
    {
      const std::lock_guard lock(mutex_);
      stopping = stopping_;
      if (stopping) --in_flight_;
    }
    if (stopping) {
      maybe_finish();
      return;
    }
    asio::co_spawn(shard.io, check_line(shard.resolver, std::move(line)), asio::detached);
  }

  // A line that is not a usable identity: "verdict" is "incomplete" like any line that could not be
  // told, and "error" says why.
  static nlohmann::json error_result(std::string error, std::string_view input) {
    return {{"verdict", "incomplete"}, {"error", std::move(error)}, {"input", excerpt(input)}};
  }

  // One answered line, ready to record: its digest, its output line (JSON Lines or a CSV row; empty for an
  // ok line under --only-problems), and its JSON tree when the --html dashboard wants one. Built before
  // taking the lock.
  struct Answered {
    LineDigest digest;
    std::string text;
    std::optional<nlohmann::json> tree;
  };

  bool omitted(const LineDigest& digest) const { return options_.only_problems && digest.verdict == "ok"; }

  // A checked identity's line is written straight from the CheckResult (check_json.hpp): the tree of
  // to_json() is built only for the dashboard.
  Answered answered(std::uint64_t number, const CheckResult& checked) const {
    Answered a{digest_of(number, checked), {}, std::nullopt};
    if (!omitted(a.digest)) a.text = options_.format == "csv" ? csv_row(a.digest) : numbered_check_line(number, checked);
    if (dashboard_ != nullptr) a.tree = to_json(checked);
    return a;
  }

  // A line that could not be checked (error_result's object): its tree makes the line and the dashboard row.
  Answered unanswered(std::uint64_t number, const std::string& error, std::string_view input) const {
    Answered a{digest_of_error(number, error), {}, error_result(error, input)};
    a.text = options_.format == "csv" ? csv_row(a.digest) : numbered_json_line(number, *a.tree);
    return a;
  }

  asio::awaitable<void> check_line(resolver::Resolver& resolver, InputLine line) {
    std::optional<Answered> answer;
    std::string error;
    bool named = false;
    try {
      if (line.too_long) {
        error = "input line longer than " + std::to_string(kMaxBulkLineBytes) + " bytes";
      } else if (auto identity = diagnose::parse_bulk_line(line.text); !identity) {
        error = std::string(diagnose::to_string(identity.error()));
      } else {
        std::string domain = identity->domain.to_string();
        if (domain.size() > 1 && domain.back() == '.') domain.pop_back();
        set_waiting(line.number, std::move(domain));
        named = true;
        if (identity->public_key_file && !identity->public_key_pem) {
          // Off the event loop: a slow or hostile file costs this line, not every check in flight.
          const std::string dir = options_.key_dir, path = *identity->public_key_file;
          auto key = co_await asio::co_spawn(key_reader_, read_key_file_task(dir, path), asio::use_awaitable);
          if (!key.second.empty()) throw KeyFileError(key.second);
          identity->public_key_pem = std::move(key.first);
        }
        const CheckResult checked = co_await run_check(resolver, *identity);
        answer = answered(line.number, checked);
      }
    } catch (const KeyFileError& e) {
      error = e.what();
    } catch (const std::exception& e) {
      // A bug or out-of-memory in one check must not lose the line.
      error = std::string("internal error: ") + e.what();
      answer.reset();
    }
    if (named) set_waiting(line.number, std::nullopt);
    if (!answer) answer = unanswered(line.number, error, line.text);
    record(*answer);
    {
      const std::lock_guard lock(mutex_);
      --in_flight_;
    }
    reader_.release();
    maybe_finish();
  }

  void set_waiting(std::uint64_t number, std::optional<std::string> domain) {
    const std::lock_guard lock(mutex_);
    if (domain) {
      waiting_for_.emplace(number, std::move(*domain));
    } else {
      waiting_for_.erase(number);
    }
  }

  // Writes one answered line (or, for an ok line under --only-problems, records it apart) and counts it.
  // Nothing is written once the run is stopping (--resume redoes those lines). Any shard's thread.
  void record(const Answered& answer) {
    const LineDigest& digest = answer.digest;
    bool failed = false;
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return;
      ++tally_.completed;
      last_completion_ = std::chrono::steady_clock::now();
      if (digest.verdict == "incomplete") ++tally_.errors;
      if (omitted(digest)) {
        if (ok_lines_ != nullptr) ok_lines_->write_line(csv_row(digest));
        ++tally_.omitted;
      } else {
        out_.write_line(answer.text);
        ++tally_.written;
      }
      summary_.add(digest, /*earlier=*/false);
      if (dashboard_ != nullptr) dashboard_->add(digest, answer.tree ? &*answer.tree : nullptr);
      failed = out_.error() || (ok_lines_ != nullptr && ok_lines_->error());
    }
    if (failed) stop();
  }

  // "waiting for 2: slow.example, other.example" once nothing is left to start or nothing has completed
  // for kStallAfter; empty otherwise. Under the lock.
  std::string waiting_text() const {
    if (waiting_for_.empty()) return {};
    if (!reading_done_ && std::chrono::steady_clock::now() - last_completion_ < kStallAfter) return {};
    std::string text = "waiting for " + std::to_string(waiting_for_.size()) + ":";
    std::size_t named = 0;
    for (const auto& [number, domain] : waiting_for_) {
      if (named++ == kWaitingNamed) {
        text += ", ...";
        break;
      }
      text += (named == 1 ? " " : ", ") + (domain.size() > 40 ? domain.substr(0, 37) + "..." : domain);
    }
    return text;
  }

  // On the main shard.
  void tick() {
    bool flushed = true;
    {
      const std::lock_guard lock(mutex_);
      progress_.draw(tally_.completed, tally_.errors, elapsed(),
                     progress_.enabled() ? waiting_text() : std::string());
      flushed = out_.flush() && (ok_lines_ == nullptr || ok_lines_->flush());
    }
    if (!flushed) stop();
    ticker_.expires_after(std::chrono::milliseconds(200));
    ticker_.async_wait([this](const std::error_code& ec) {
      if (!ec) tick();
    });
  }

  // Any thread: once the input is read (or the run stops) and no line is in flight, every shard shuts down.
  void maybe_finish() {
    {
      const std::lock_guard lock(mutex_);
      if (finished_ || !(reading_done_ || stopping_) || in_flight_ != 0) return;
      finished_ = true;
    }
    asio::post(main_io(), [this] {
      key_reader_.stop();
      signals_.cancel();
      ticker_.cancel();
    });
    for (auto& shard : shards_) {
      asio::post(shard->io, [s = shard.get()] {
        s->work.reset();
        s->io.stop();
      });
    }
  }

  // Any thread. The reader is stopped outside the lock (it calls deal(), which takes the lock, under its own).
  void stop() {
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    reader_.stop();
    // The checks in flight end promptly, their results unwritten (--resume redoes those lines); when the
    // last has ended, maybe_finish() shuts the run down and every io_context returns with nothing left in it.
    for (auto& shard : shards_) asio::post(shard->io, [s = shard.get()] { s->resolver.stop(); });
    maybe_finish();
  }

  // 128+signal; 3 when the output or the input failed (the results are not whole); else from the
  // summary of the whole output: 0 every domain will verify, 1 one will not, 3 some could not be told.
  int finish_status() const {
    if (signal_ != 0) return 128 + signal_;
    if (out_.error() || (ok_lines_ != nullptr && ok_lines_->error()) || read_error_) return 3;
    return summary_.exit_status();
  }

 public:
  const std::optional<std::string>& read_error() const { return read_error_; }
  void set_dashboard(BulkDashboard* dashboard) { dashboard_ = dashboard; }

 private:
  const BulkOptions& options_;
  std::vector<std::unique_ptr<Shard>> shards_;  // shard 0 runs on the thread that calls run()
  // One thread that reads the key files lines name (--key-dir), off the event loops; shared by the shards.
  asio::thread_pool key_reader_{1};
  OutputWriter& out_;
  OutputWriter* ok_lines_;  // FILE.ok-lines.csv under --only-problems --output FILE, else nullptr
  BulkSummary& summary_;
  asio::signal_set signals_;   // on shard 0
  asio::steady_timer ticker_;  // on shard 0
  Progress progress_;
  std::size_t next_shard_ = 0;  // the reader thread's only
  // Guards everything below, the output writers, the summary and the dashboard: any shard's thread
  // records results, the reader thread deals lines.
  mutable std::mutex mutex_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_completion_;
  Tally tally_;
  std::map<std::uint64_t, std::string> waiting_for_;  // checks in flight: line number -> domain
  std::size_t in_flight_ = 0;                         // dealt to a shard and not yet answered
  bool reading_done_ = false;
  bool stopping_ = false;
  bool finished_ = false;
  int signal_ = 0;  // shard 0's only
  std::optional<std::string> read_error_;
  BulkDashboard* dashboard_ = nullptr;
  InputReader reader_;  // last: destroyed (stopped) first, as it calls into the members above
};

void print_summary(const BulkRun& run, const BulkSummary& summary, const std::string& where) {
  const Tally& t = run.tally();
  const double seconds = run.elapsed();
  std::string omitted;
  if (t.omitted > 0) omitted = std::to_string(t.omitted) + " ok lines omitted, ";
  std::fprintf(stderr, "dkimdoctor bulk: %llu lines written (%s%llu skipped as done), %llu checked in %.1f s, "
               "%.1f domains/s, %llu queries sent (%.1f per domain)\n",
               static_cast<unsigned long long>(t.written), omitted.c_str(),
               static_cast<unsigned long long>(run.skipped()), static_cast<unsigned long long>(t.completed), seconds,
               seconds > 0 ? static_cast<double>(t.completed) / seconds : 0.0,
               static_cast<unsigned long long>(run.queries()),
               t.completed > 0 ? static_cast<double>(run.queries()) / static_cast<double>(t.completed) : 0.0);
  std::fputs(summary.render(where).c_str(), stderr);
  if (run.signal() != 0) {
    std::fprintf(stderr, "  interrupted by signal %d: run again with --resume to finish\n", run.signal());
  }
}

// Reads back an earlier output for --resume: marks its lines done and adds them to the summary. A line
// number seen twice (it cannot be, unless the file was edited) counts once.
Result<void, std::string> read_back(const std::string& path, bool csv, DoneSet& done, BulkSummary& summary,
                                    BulkDashboard* dashboard) {
  bool first = true;
  const OutputLineParser parse = [&](std::string_view text) -> Result<std::optional<std::uint64_t>, std::string> {
    const bool is_first = std::exchange(first, false);
    std::optional<LineDigest> digest;
    nlohmann::json parsed;
    if (csv) {
      if (is_first && text != csv_header()) {
        return Unexpected{std::string("not a CSV output of dkimdoctor bulk (its first line is not the header \"") +
                          std::string(csv_header()) + "\"); resume it with the --format it was written with"};
      }
      digest = digest_from_csv(text);
    } else {
      if (is_first && text == csv_header()) {
        return Unexpected{std::string("is a CSV output: resume it with --format csv")};
      }
      parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      digest = digest_from_json(parsed);
    }
    if (!digest) return std::optional<std::uint64_t>();
    if (!done.contains(digest->line)) {
      summary.add(*digest, /*earlier=*/true);
      if (dashboard != nullptr) dashboard->add(*digest, csv ? nullptr : &parsed);
    }
    return std::optional<std::uint64_t>(digest->line);
  };
  return scan_and_repair_output(path, parse, done);
}

bool non_empty_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && st.st_size > 0;
}

// The input: a file (with its line count, for the progress bar) or standard input.
struct Input {
  std::FILE* file = stdin;
  std::optional<std::uint64_t> total;
};

Result<Input, std::string> open_input(const std::string& path) {
  Input in;
  if (path == "-") return in;
  // An input that cannot be opened is a usage error (2), like every other file named on the command line;
  // 3 is for I/O that fails during the run.
  auto readable = check_readable_file(path);
  if (!readable) return Unexpected{readable.error()};
  in.file = std::fopen(path.c_str(), "rb");
  if (in.file == nullptr) return Unexpected{"cannot open " + path + ": " + std::strerror(errno)};
  in.total = count_lines(path);
  return in;
}

// The ok-lines record sits beside a regular output file only (not beside /dev/stdout or a FIFO).
std::string ok_lines_path_for(const std::string& output) {
  if (output.empty()) return {};
  struct stat st {};
  if (::stat(output.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return ok_lines_path(output);
  return {};
}

// A fresh run: an ok-lines record left by an earlier run on this file would make a later --resume skip
// lines that this run never answered. Only a file of ours is removed.
void remove_stale_ok_lines(const std::string& ok_path) {
  std::FILE* f = std::fopen(ok_path.c_str(), "rb");
  if (f == nullptr) return;
  char first[128] = {};
  const bool ours = std::fgets(first, sizeof first, f) != nullptr &&
                    std::string_view(first).substr(0, csv_header().size()) == csv_header();
  std::fclose(f);
  if (ours) ::unlink(ok_path.c_str());
}

// --resume: the lines already answered (in the output, and in the ok-lines record), into `done` and the
// summary. Whether the output already starts with the CSV header.
Result<bool, std::string> resume_from(const BulkOptions& options, const std::string& ok_path, DoneSet& done,
                                      BulkSummary& summary, BulkDashboard* dashboard) {
  const bool csv = options.format == "csv";
  auto read = read_back(options.output, csv, done, summary, dashboard);
  if (!read) return Unexpected{read.error()};
  // The ok lines an --only-problems run left out of the output are done too.
  if (!ok_path.empty() && ::access(ok_path.c_str(), F_OK) == 0) {
    auto ok_read = read_back(ok_path, /*csv=*/true, done, summary, dashboard);
    if (!ok_read) return Unexpected{ok_read.error()};
  }
  return csv && non_empty_file(options.output);  // read_back checked it is the header
}

// One sentence when no root server answers: a host with no network at all gets one error for the run,
// before anything is read or written (a later run, or --resume, starts clean), not one "could not tell"
// per domain.
std::string network_problem_of(resolver::Options options) {
  asio::io_context io;
  options.trace = false;
  resolver::Resolver probe(io.get_executor(), std::move(options));
  std::string problem;
  asio::co_spawn(io, check::network_problem(probe), [&problem](std::exception_ptr e, std::string p) {
    if (e) std::rethrow_exception(e);
    problem = std::move(p);
  });
  io.run();
  return problem;
}

// The run's ending: the dashboard, read and write errors, the files flushed and closed. The exit status.
int finish_run(std::unique_ptr<BulkRun> run, int status, const BulkSummary& summary, BulkDashboard* dashboard,
               std::unique_ptr<OutputWriter> out, std::unique_ptr<OutputWriter> ok_lines, const std::string& where,
               Input in) {
  if (dashboard != nullptr) {
    const RunFigures figures{run->tally().completed, run->skipped(), run->queries(), run->elapsed(), run->signal()};
    if (auto written = dashboard->finish(summary, figures, where); !written) {
      std::fprintf(stderr, "dkimdoctor: error: %s\n", written.error().c_str());
      if (status < 128) status = 3;
    }
  }
  if (run->read_error()) std::fprintf(stderr, "dkimdoctor: error: %s\n", run->read_error()->c_str());
  const bool input_done = run->input_done();
  run.reset();
  for (OutputWriter* w : {out.get(), ok_lines.get()}) {
    if (w != nullptr && (!w->flush() || w->error())) {
      std::fprintf(stderr, "dkimdoctor: error: %s\n", w->error()->c_str());
      if (status < 128) status = 3;
    }
  }
  out.reset();  // closes the output file
  ok_lines.reset();
  std::fflush(stdout);
  std::fflush(stderr);
  // A reader thread still blocked on a pipe that never ended (the run was stopped) keeps its FILE.
  if (in.file != stdin && input_done) std::fclose(in.file);
  return status;
}

int run_bulk(const BulkOptions& options) {
  if (options.resume && options.output.empty()) {
    return usage_error("--resume needs --output FILE (the file to complete)");
  }
  auto resolver_options = make_resolver_options(options.root_hints, options.allow_loopback);
  if (!resolver_options) return usage_error(resolver_options.error());
  resolver_options->trace = false;  // a check's line and report never show the resolver's steps (as `check`)
  if (auto d = apply_dnssec_flags(options.dnssec, *resolver_options); !d) return usage_error(d.error());
  auto in = open_input(options.input);
  if (!in) return usage_error(in.error());

  const std::string ok_path = ok_lines_path_for(options.output);
  DoneSet done;
  BulkSummary summary;
  std::unique_ptr<BulkDashboard> dashboard;
  if (!options.html.empty()) {
    auto opened = BulkDashboard::open(options.html);
    if (!opened) return usage_error(opened.error());
    dashboard = std::move(*opened);
  }
  bool has_header = false;
  if (options.resume) {
    auto resumed = resume_from(options, ok_path, done, summary, dashboard.get());
    if (!resumed) return usage_error(resumed.error());
    has_header = *resumed;
  } else if (!ok_path.empty()) {
    remove_stale_ok_lines(ok_path);
  }
  if (const std::string problem = network_problem_of(*resolver_options); !problem.empty()) {
    std::fprintf(stderr, "dkimdoctor: error: %s\n", problem.c_str());
    if (in->file != stdin) std::fclose(in->file);
    return 3;
  }
  auto out = OutputWriter::open(options.output.empty() ? nullptr : &options.output, options.resume);
  if (!out) return usage_error(out.error());
  if (options.format == "csv" && !has_header) (*out)->write_line(csv_header());
  std::unique_ptr<OutputWriter> ok_lines;
  if (options.only_problems && !ok_path.empty()) {
    const bool ok_exists = non_empty_file(ok_path);
    auto opened = OutputWriter::open(&ok_path, options.resume);
    if (!opened) return usage_error(opened.error());
    ok_lines = std::move(*opened);
    if (!(options.resume && ok_exists)) ok_lines->write_line(csv_header());
  }

  auto run = std::make_unique<BulkRun>(options, *resolver_options, **out, ok_lines.get(), done, summary,
                                       in->file, in->total);
  run->set_dashboard(dashboard.get());
  const int status = run->run();
  const std::string where = options.output.empty() ? std::string("standard output") : options.output;
  print_summary(*run, summary, where);
  return finish_run(std::move(run), status, summary, dashboard.get(), std::move(*out), std::move(ok_lines), where,
                    *in);
}

}  // namespace

void add_bulk_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<BulkOptions>();
  auto* cmd = app.add_subcommand("bulk", "Check many SES identities at once (JSON Lines or one domain per line)");
  cmd->add_option("input", options->input, "Input file, or - for standard input")->default_val("-");
  cmd->add_option("-c,--concurrency", options->concurrency, "Domains checked at once")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->default_val(kDefaultBulkConcurrency);
  cmd->add_option("--threads", options->threads,
                  "Shards, each with its own thread, event loop and resolver (own cache); input lines are dealt "
                  "out in turn, --concurrency is shared among them")
      ->check(CLI::Range(std::size_t{1}, std::size_t{64}))
      ->default_val(1);
  cmd->add_option("-o,--output", options->output, "Write results to FILE instead of standard output");
  cmd->add_flag("--resume", options->resume,
                "Complete an interrupted run: keep the lines already in --output, check only the others");
  add_resolver_flags(cmd, options->root_hints, options->allow_loopback);
  add_dnssec_flags(cmd, options->dnssec);
  cmd->add_option("--key-dir", options->key_dir,
                  "Let lines name BYODKIM key files (\"byodkim_public_key_file\") under DIR; without it only inline "
                  "keys (\"public_key\") are used");
  cmd->add_option("--progress", options->progress, "Progress bar on standard error")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_val("auto");
  cmd->add_option("--format", options->format,
                  "jsonl: the check's JSON object per line; csv: a header row, then one RFC 4180 row per line "
                  "(line,domain,verdict,codes,headline,classes,host_limits)")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->default_val("jsonl");
  cmd->add_flag("--only-problems", options->only_problems,
                "Omit the lines whose verdict is ok (with --output FILE they are recorded in FILE.ok-lines.csv "
                "for --resume and the summary)");
  cmd->add_option("--html", options->html,
                  "Also write a dashboard of the run to FILE: one self-contained HTML page (chart by verdict and "
                  "code, figures, a table of every domain to sort and filter, each domain's findings)");
  cmd->footer(
      "Input: one identity per line, as JSON\n"
      "  {\"domain\": \"example.com\", \"easy_dkim_tokens\": [\"t1\", \"t2\", \"t3\"], \"region\": \"eu-west-1\",\n"
      "   \"byodkim_selector\": \"s1\", \"verification_token\": \"...\", \"mail_from\": \"mail\"}\n"
      "or a plain domain name.\n"
      "Output: one line per input line, in completion order (--threads N too), carrying the input's \"line\"\n"
      "number (--format csv: a header row first); --only-problems omits the lines whose verdict is ok. A line\n"
      "that is not a usable identity gets \"verdict\": \"incomplete\" and an \"error\". --resume keeps the lines\n"
      "already in --output (and in FILE.ok-lines.csv) and checks only the others; resume with the same --format.\n"
      "Summary on standard error, in domains, over the whole output file (earlier runs included): will verify,\n"
      "will not, could not tell; the top causes; advice; addresses this host cannot reach; the failing domains.\n"
      "Exit status: 0 every domain will verify; 1 at least one will not; 3 none will not but some could not be\n"
      "told (incomplete, input errors), or reading the input or writing the output failed; 2 usage (bad\n"
      "options, an input or output file that cannot be opened); 128+N killed by signal N.\n"
      "Examples:\n"
      "  dkimdoctor bulk identities.jsonl --output results.jsonl\n"
      "  dkimdoctor bulk identities.jsonl --output results.jsonl --resume\n"
      "  dkimdoctor bulk identities.jsonl --output results.jsonl --html dashboard.html\n"
      "  dkimdoctor bulk identities.jsonl --only-problems --format csv --output problems.csv\n"
      "  cut -d, -f1 customers.csv | dkimdoctor bulk - --concurrency 500 > results.jsonl");
  cmd->callback([options, &exit_status] { exit_status = run_bulk(*options); });
}

}  // namespace dkimdoctor::cli
