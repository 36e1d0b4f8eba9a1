#include "cli/resolve.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <CLI/CLI.hpp>
#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/common.hpp"
#include "cli/file_input.hpp"
#include "cli/json_line.hpp"
#include "wire/message.hpp"
#include "wire/name.hpp"
#include "wire/types.hpp"

namespace dkimdoctor::cli {

using resolver::Resolution;
using resolver::TraceStep;

nlohmann::ordered_json record_to_json(const wire::Record& record) {
  return {{"name", record.owner.to_string()},
          {"type", wire::to_string(record.type)},
          {"ttl", record.ttl},
          {"data", record.rdata.to_string()}};
}

nlohmann::ordered_json trace_step_to_json(const TraceStep& s) {
  nlohmann::ordered_json j;
  static const char* kKinds[] = {"query", "cache", "subresolution", "policy", "note"};
  j["kind"] = kKinds[static_cast<int>(s.kind)];
  j["depth"] = s.depth;
  j["zone"] = s.zone.to_string();
  if (s.kind == resolver::StepKind::query || s.kind == resolver::StepKind::policy) {
    j["server"] = s.server_name.to_string();
    if (s.address) j["address"] = s.address->to_string();
  }
  if (s.kind == resolver::StepKind::query) {
    j["question"] = {{"name", s.question.name.to_string()}, {"type", wire::to_string(s.question.type)}};
    j["transport"] = resolver::to_string(s.protocol);
    j["edns"] = s.edns;
    if (s.coalesced) j["coalesced"] = true;
    j["rtt_ms"] = static_cast<double>(s.rtt.count()) / 1000.0;
    if (s.error != resolver::TransportError::none) j["error"] = resolver::to_string(s.error);
    if (s.rcode) j["rcode"] = wire::to_string(*s.rcode);
    if (s.rcode) j["flags"] = s.flags;
    if (s.classification) j["classification"] = resolver::to_string(*s.classification);
    if (s.mismatched) j["mismatched"] = s.mismatched;
    if (s.scrubbed) j["scrubbed"] = s.scrubbed;
  }
  if (!s.note.empty()) j["note"] = s.note;
  return j;
}

std::string resolution_to_json(const Resolution& r, bool with_trace) {
  std::string out = "{";
  append_resolution_members(out, r);
  if (with_trace) {
    nlohmann::ordered_json trace = nlohmann::ordered_json::array();
    for (const auto& step : r.trace) trace.push_back(trace_step_to_json(step));
    out += ",\"trace\":";
    out += trace.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  out += '}';
  return out;
}

std::string trace_step_to_text(const TraceStep& s) {
  std::ostringstream o;
  o << ";; " << std::string(2 * static_cast<std::size_t>(s.depth), ' ');
  switch (s.kind) {
    case resolver::StepKind::query: {
      o << s.question.name.to_string() << ' ' << wire::to_string(s.question.type) << " @" << s.server_name.to_string();
      if (s.address) o << " (" << s.address->to_string() << ")";
      o << " zone " << s.zone.to_string() << ' ' << resolver::to_string(s.protocol);
      if (s.coalesced) o << " coalesced";
      char rtt[32];
      std::snprintf(rtt, sizeof rtt, " %.1f ms", static_cast<double>(s.rtt.count()) / 1000.0);
      o << rtt;
      if (s.error != resolver::TransportError::none) o << ": " << resolver::to_string(s.error);
      if (s.rcode) o << ": " << wire::to_string(*s.rcode) << ((s.flags & wire::hdr::kAa) ? " aa" : "");
      if (s.classification) o << ' ' << resolver::to_string(*s.classification);
      if (s.mismatched) o << " (" << s.mismatched << " mismatched replies ignored)";
      if (s.scrubbed) o << " (" << s.scrubbed << " records scrubbed)";
      break;
    }
    case resolver::StepKind::policy:
      o << "policy: " << s.server_name.to_string();
      if (s.address) o << " (" << s.address->to_string() << ")";
      break;
    default:
      break;
  }
  if (!s.note.empty()) o << (s.kind == resolver::StepKind::query || s.kind == resolver::StepKind::policy ? " — " : "")
                         << s.note;
  return o.str();
}

namespace {

struct ResolveOptions {
  std::string name;
  std::string type = "A";
  bool trace = false;
  bool json = false;
  std::string root_hints;
  bool allow_loopback = false;
  bool qname_minimisation = false;
  DnssecFlags dnssec;
  std::string batch;
  std::size_t concurrency = kDefaultResolveConcurrency;
  std::size_t threads = 1;
};

void print_text(const Resolution& r, bool with_trace) {
  if (with_trace) {
    for (const auto& s : r.trace) std::cout << trace_step_to_text(s) << '\n';
    std::cout << '\n';
  }
  std::cout << ";; QUESTION: " << r.question.name.to_string() << " IN " << wire::to_string(r.question.type) << '\n';
  if (r.outcome == resolver::Outcome::failed) {
    std::cout << ";; status: SERVFAIL (" << (resolver::is_limit(r.failure) ? "limit: " : "")
              << resolver::to_string(r.failure) << (r.failure_detail.empty() ? "" : ": " + r.failure_detail) << ")\n";
  } else {
    std::cout << ";; status: " << wire::to_string(r.rcode) << '\n';
  }
  if (r.validation.checked) {
    std::cout << ";; dnssec: " << resolver::describe(r.validation);
    if (r.validation.key_tag != 0) std::cout << " [zone " << r.validation.zone.to_string() << ", key tag " << r.validation.key_tag << "]";
    std::cout << '\n';
  }
  if (!r.answer.empty()) {
    std::cout << "\n;; ANSWER SECTION:\n";
    for (const auto& rec : r.answer) std::cout << rec.to_string() << '\n';
  }
  if (r.negative_soa) std::cout << "\n;; AUTHORITY SECTION:\n" << r.negative_soa->to_string() << '\n';
  for (const auto& ref : r.refused_addresses) {
    std::cout << ";; not queried (" << resolver::to_string(ref.address_class) << " address): " << ref.ns_name.to_string()
              << " " << ref.address.to_string() << " for " << ref.zone.to_string() << '\n';
  }
  char summary[96];
  std::snprintf(summary, sizeof summary, "\n;; %d queries, %.1f ms\n", r.queries,
                static_cast<double>(r.elapsed.count()) / 1000.0);
  std::cout << summary;
}

int run_single(const ResolveOptions& o, resolver::Options ro) {
  auto name = wire::Name::parse(o.name);
  if (!name) return usage_error("invalid name '" + o.name + "': " + wire::to_string(name.error()));
  auto type = wire::parse_rrtype(o.type);
  if (!type) return usage_error("unknown record type '" + o.type + "'");
  ro.trace = o.trace || o.json;
  asio::io_context io;
  resolver::Resolver res(io.get_executor(), std::move(ro));
  Resolution result;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { result = co_await res.resolve(*name, *type); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  if (o.json) {
    std::cout << resolution_to_json(result, o.trace) << '\n';
  } else {
    print_text(result, o.trace);
  }
  return result.outcome == resolver::Outcome::failed ? 1 : 0;
}

// The batch: lines are read lazily by `concurrency` workers; results are written in input order
// (a small reorder buffer), one JSON line per input line, malformed lines included. Output is
// buffered: written out at 64 KiB, and before every read when the input is not a regular file (so a
// pipe or a terminal sees each result as soon as the lines before it are done).
//
// With --threads N the workers are spread over N shards, each an io_context on its own thread with
// its own Resolver (and so its own cache: a shard learns a delegation another one already knows,
// which costs a few more upstream queries). Input and output are shared under one mutex, never held
// across a suspension.
//
// Input that is not a regular file (a pipe, a terminal) is read on a thread of its own into a small
// queue (issue 18: a read that waited on a pausing pipe blocked the I/O thread, and healthy names in
// flight failed with kMaxResolutionTime); a worker with no line waits for one without blocking.
// std::getline without its unbounded growth: at most kMaxBatchLineBytes of a line are kept, the rest
// of it is read and dropped (issue 18: `--batch /dev/zero` grew until memory ran out). A cut line is
// still one line and fails as an invalid name. False at the end of the input, like getline.
bool read_capped_line(std::istream& in, std::string& line) {
  line.clear();
  // istream::getline into a fixed chunk (the library scans for the newline; no call per character): a
  // chunk that fills without a newline is a long line, read on; its octets past the cap are dropped.
  std::array<char, 4096> chunk;
  bool any = false;
  for (;;) {
    in.getline(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto extracted = static_cast<std::size_t>(in.gcount());
    const bool newline = !in.eof() && !in.fail();  // the newline was extracted (and counted)
    const std::size_t stored = newline ? extracted - 1 : extracted;
    any = any || extracted > 0;
    line.append(chunk.data(), std::min(stored, kMaxBatchLineBytes - std::min(line.size(), kMaxBatchLineBytes)));
    if (newline) return true;
    const bool chunk_full = !in.eof() && !in.bad() && extracted == chunk.size() - 1;
    if (!chunk_full) {
      // The end (or a read error, taken as the end): the last line without its newline is a line; the
      // next call ends.
      in.clear(std::ios::eofbit);
      return any;
    }
    in.clear();  // the chunk filled: the same line goes on
  }
}

class Batch {
 public:
  Batch(std::istream& in, bool input_is_file) : in_(in), input_is_file_(input_is_file) {}

  // For input that is not a regular file: starts the reading thread; join_reader() waits for it.
  void start_reader(std::size_t queue_lines) {
    reader_ = std::thread([this, queue_lines] {
      std::string line;
      for (;;) {
        const bool got = read_capped_line(in_, line);
        std::unique_lock lock(mu_);
        if (got) {
          space_.wait(lock, [&] { return queued_.size() < queue_lines || stop_reading_; });
          if (stop_reading_) return;
          queued_.push_back(std::move(line));
        } else {
          eof_ = true;
        }
        // Wake one waiting worker per line, all of them at the end.
        while (!waiters_.empty() && (eof_ || !queued_.empty())) {
          auto [timer, ex] = waiters_.back();
          waiters_.pop_back();
          asio::post(ex, [timer] { timer->cancel(); });
          if (!eof_) break;
        }
        if (!got) return;
      }
    });
  }
  void join_reader() {
    {
      std::lock_guard lock(mu_);
      stop_reading_ = true;
    }
    space_.notify_all();
    if (reader_.joinable()) reader_.join();
  }

  // What a worker does next: resolve a line, wait for the reader, or end.
  enum class Take { line, wait, end };
  Take take_line(std::string& line, std::size_t& number, asio::steady_timer& ready, const asio::any_io_executor& ex) {
    std::lock_guard lock(mu_);
    if (!input_is_file_) write_out();
    if (input_is_file_) {
      if (eof_ || !read_capped_line(in_, line)) {
        eof_ = true;
        return Take::end;
      }
    } else if (!queued_.empty()) {
      line = std::move(queued_.front());
      queued_.pop_front();
      space_.notify_one();
    } else if (eof_) {
      return Take::end;
    } else {
      waiters_.emplace_back(&ready, ex);
      return Take::wait;
    }
    number = ++read_;
    return Take::line;
  }

  struct LineQuestion {
    std::string name_text;
    wire::Name name;
    wire::RRType type;
  };
  // The question on a line "NAME [TYPE]", separated by blanks; or the line's error, appended to `out`.
  // (No stream per line: this runs tens of thousands of times a second.)
  static std::optional<LineQuestion> question_of(std::string& line, std::string& out) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string_view rest = line;
    auto next_field = [&rest] {
      const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; };
      while (!rest.empty() && blank(rest.front())) rest.remove_prefix(1);
      std::size_t n = 0;
      while (n < rest.size() && !blank(rest[n])) ++n;
      std::string field(rest.substr(0, n));
      rest.remove_prefix(n);
      return field;
    };
    std::string name_text = next_field();
    std::string type_text = next_field();
    const std::string extra = next_field();
    if (type_text.empty()) type_text = "A";
    auto name = wire::Name::parse(name_text);
    auto type = wire::parse_rrtype(type_text);
    if (name_text.empty() || !extra.empty()) {
      out += ",\"error\":";
      append_json_string(out, "malformed line: expected NAME [TYPE]");
      return std::nullopt;
    }
    if (!name || !type) {
      out += ",\"name\":";
      append_json_string(out, name_text);
      out += ",\"error\":";
      append_json_string(out, !name ? "invalid name: " + wire::to_string(name.error())
                                    : "unknown record type '" + type_text + "'");
      return std::nullopt;
    }
    return LineQuestion{std::move(name_text), std::move(*name), *type};
  }

  asio::awaitable<void> worker(resolver::Resolver& resolver) {
    const auto ex = co_await asio::this_coro::executor;
    for (;;) {
      std::string line;
      std::size_t number = 0;
      asio::steady_timer ready(ex, asio::steady_timer::time_point::max());
      const Take take = take_line(line, number, ready, ex);
      if (take == Take::end) co_return;
      if (take == Take::wait) {
        co_await ready.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        continue;
      }
      std::string out;
      out.reserve(1024);  // a line with a DKIM key is about this long: one allocation, not a few
      out += "{\"line\":";
      out += std::to_string(number);
      if (auto q = question_of(line, out)) {
        // A resolver bug must not take the line with it (the lines after it would wait for it in the
        // reorder buffer for ever): it becomes this line's error.
        std::optional<Resolution> r(std::in_place);
        std::string failure;
        try {
          co_await resolver.resolve_into(*r, q->name, q->type);
        } catch (const std::exception& e) {
          r.reset();
          failure = e.what();
        }
        if (r) {
          out += ',';
          append_resolution_members(out, *r);
        } else {
          out += ",\"name\":";
          append_json_string(out, q->name_text);
          out += ",\"error\":";
          append_json_string(out, "internal error: " + failure);
        }
      }
      out += "}\n";
      std::lock_guard lock(mu_);
      done_.emplace(number, std::move(out));
      collect();
    }
  }

  void finish() {
    std::lock_guard lock(mu_);
    collect();
    write_out();
  }

 private:
  // Moves finished lines that are next in input order to the output buffer. Caller holds mu_.
  void collect() {
    while (!done_.empty() && done_.begin()->first == written_ + 1) {
      buffer_ += done_.begin()->second;
      done_.erase(done_.begin());
      ++written_;
    }
    if (buffer_.size() >= 64 * 1024) write_out();
  }

  // Caller holds mu_.
  void write_out() {
    if (buffer_.empty()) return;
    std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
    std::fflush(stdout);
    buffer_.clear();
  }

  std::mutex mu_;
  std::istream& in_;
  bool input_is_file_;
  bool eof_ = false;
  std::thread reader_;
  std::deque<std::string> queued_;
  std::condition_variable space_;
  bool stop_reading_ = false;
  std::vector<std::pair<asio::steady_timer*, asio::any_io_executor>> waiters_;
  std::size_t read_ = 0;
  std::size_t written_ = 0;
  std::map<std::size_t, std::string> done_;
  std::string buffer_;
};

int run_batch(const ResolveOptions& o, resolver::Options ro) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.batch != "-") {
    if (auto readable = check_readable_file(o.batch); !readable) return usage_error(readable.error());
    // A regular file or a pipe (issue 18): a device such as /dev/zero is not a list of names.
    struct stat named {};
    if (::stat(o.batch.c_str(), &named) != 0 || !(S_ISREG(named.st_mode) || S_ISFIFO(named.st_mode))) {
      return usage_error("cannot read " + o.batch + ": not a regular file or a pipe");
    }
    file.open(o.batch, std::ios::binary);
    if (!file) return usage_error("cannot read " + o.batch);
    in = &file;
  }
  ro.trace = false;
  struct stat st {};
  const bool input_is_file = (o.batch != "-" ? ::stat(o.batch.c_str(), &st) : ::fstat(STDIN_FILENO, &st)) == 0 &&
                             S_ISREG(st.st_mode);
  Batch batch(*in, input_is_file);

  struct Shard {
    asio::io_context io{1};
    std::unique_ptr<resolver::Resolver> resolver;
    std::exception_ptr error;
  };
  const std::size_t threads = std::min(o.threads, o.concurrency);
  std::vector<std::unique_ptr<Shard>> shards;
  for (std::size_t t = 0; t < threads; ++t) {
    auto shard = std::make_unique<Shard>();
    shard->resolver = std::make_unique<resolver::Resolver>(shard->io.get_executor(), ro);
    // The workers, dealt out evenly: `concurrency` in flight in all.
    const std::size_t workers = o.concurrency / threads + (t < o.concurrency % threads ? 1 : 0);
    for (std::size_t i = 0; i < workers; ++i) {
      Shard* sh = shard.get();
      asio::co_spawn(sh->io, batch.worker(*sh->resolver), [sh](std::exception_ptr e) {
        if (e && !sh->error) sh->error = e;
      });
    }
    shards.push_back(std::move(shard));
  }
  if (!input_is_file) batch.start_reader(2 * o.concurrency);
  std::vector<std::thread> running;
  for (std::size_t t = 1; t < shards.size(); ++t) running.emplace_back([&shard = *shards[t]] { shard.io.run(); });
  shards[0]->io.run();
  for (auto& th : running) th.join();
  batch.join_reader();
  batch.finish();
  for (const auto& shard : shards) {
    if (shard->error) std::rethrow_exception(shard->error);
  }
  return 0;
}

}  // namespace

void add_resolve_command(CLI::App& app, int& exit_status) {
  auto o = std::make_shared<ResolveOptions>();
  CLI::App* cmd = app.add_subcommand("resolve", "Resolve NAME iteratively from the root, like dig (+trace)");
  cmd->add_option("name", o->name, "Domain name to resolve");
  cmd->add_option("type", o->type, "Record type (default A)");
  cmd->add_flag("--trace", o->trace, "Show every step: zone cut, server, question, transport, RTT, rcode");
  cmd->add_flag("--json", o->json, "One JSON object on stdout");
  cmd->add_flag("--qname-minimisation", o->qname_minimisation, "Send minimised questions (RFC 9156)");
  cmd->add_option("--batch", o->batch, "Resolve every 'NAME [TYPE]' line of FILE (- for stdin), one JSON line each");
  cmd->add_option("--concurrency", o->concurrency, "Resolutions in flight with --batch (default 100)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));  // each worker is a coroutine: bounded
  cmd->add_option("--threads", o->threads,
                  "Threads with --batch, each with its own resolver and cache (default 1; the number of cores is "
                  "the useful most)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{64}));
  add_resolver_flags(cmd, o->root_hints, o->allow_loopback);
  add_dnssec_flags(cmd, o->dnssec);
  cmd->footer(
      "Examples:\n"
      "  dkimdoctor resolve abc._domainkey.example.com CNAME --trace\n"
      "  dkimdoctor resolve _amazonses.example.com TXT --json\n"
      "  printf 'example.com MX\\nexample.org TXT\\n' | dkimdoctor resolve --batch - --concurrency 50\n"
      "  dkimdoctor resolve --batch names.txt --concurrency 500 --threads 2\n"
      "Exit status: 0 when the resolution completed (NOERROR, NODATA or NXDOMAIN), 1 when it failed\n"
      "(SERVFAIL: a limit or every server failed), 2 for usage errors.");
  cmd->callback([o, &exit_status] {
    auto ro = make_resolver_options(o->root_hints, o->allow_loopback);
    if (!ro) {
      exit_status = usage_error(ro.error());
      return;
    }
    ro->qname_minimisation = o->qname_minimisation;
    if (auto d = apply_dnssec_flags(o->dnssec, *ro); !d) {
      exit_status = usage_error(d.error());
      return;
    }
    if (!o->batch.empty()) {
      if (!o->name.empty()) {
        exit_status = usage_error("give either NAME or --batch, not both");
        return;
      }
      exit_status = run_batch(*o, std::move(*ro));
      return;
    }
    if (o->name.empty()) {
      exit_status = usage_error("resolve needs NAME (or --batch FILE)");
      return;
    }
    exit_status = run_single(*o, std::move(*ro));
  });
}

}  // namespace dkimdoctor::cli
