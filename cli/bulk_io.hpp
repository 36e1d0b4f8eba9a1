// The I/O around `dkimdoctor bulk`: an input reader that streams lines with back-pressure, an output
// writer that only ever writes whole lines and notices a full disk or a closed pipe, the --resume scan of
// an earlier output file, RFC 4180 CSV fields, and the progress bar. None of it knows DNS.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "wire/result.hpp"

namespace dkimdoctor::cli {

// Longest input line kept; a longer one is still one line (it yields one error result), its excess is
// read and dropped so a hostile input cannot make memory grow.
inline constexpr std::size_t kMaxBulkLineBytes = 64 * 1024;

struct InputLine {
  std::uint64_t number = 0;  // 1-based line number in the input
  std::string text;          // without the line terminator; truncated to kMaxBulkLineBytes
  bool too_long = false;
};

// Which line numbers an earlier, interrupted run already answered (read from its output file).
class DoneSet {
 public:
  void add(std::uint64_t line);
  bool contains(std::uint64_t line) const;
  std::size_t size() const { return count_; }

 private:
  std::vector<bool> bits_;
  std::size_t count_ = 0;
};

// Reads back one whole line of an earlier output (its format is the caller's business): the input line
// number it answers, nullopt for a line that answers none (a CSV header, garbage), or an error message
// that stops the scan (the file is not an output of this format).
using OutputLineParser = std::function<Result<std::optional<std::uint64_t>, std::string>(std::string_view line)>;

// Scans an existing output file for --resume: every whole line that `parse` maps to a line number is
// added to `done` (a number seen twice counts once; `parse` may consult `done` to tell); a partial last
// line (a run killed mid-write) is cut off the file. A missing file adds nothing. Returns an error
// message when the file cannot be read or repaired, or `parse` refuses a line.
Result<void, std::string> scan_and_repair_output(const std::string& path, const OutputLineParser& parse, DoneSet& done);

// RFC 4180 CSV: `field` appended to `out`, quoted (with quotes doubled) when it holds a comma, a quote,
// CR or LF, as is otherwise.
void append_csv_field(std::string& out, std::string_view field);

// One CSV record of one physical line (the writer never puts a line break in a field) split into its
// fields, quotes undone; nullopt when the quoting is broken.
std::optional<std::vector<std::string>> split_csv_record(std::string_view record);

// Reads lines on its own thread so a slow pipe never stalls the event loop. At most `window` lines are
// handed out and not yet released; `deliver` is called on the reader thread for each line (the caller
// posts it to its io_context). `finished` is called once, after the last line, with an error message
// when reading failed. After stop() returns, neither is called again and the thread touches nothing of the
// caller's (`skip` included): a thread still blocked on a pipe that never ends is left to the process's
// exit, owning only its own state.
class InputReader {
 public:
  using Deliver = std::function<void(InputLine)>;
  using Finished = std::function<void(std::optional<std::string> error)>;

  InputReader(std::FILE* in, std::size_t window, const DoneSet* skip, Deliver deliver, Finished finished);
  ~InputReader();
  InputReader(const InputReader&) = delete;
  InputReader& operator=(const InputReader&) = delete;

  void start();
  // A handed-out line is finished: one more may be read.
  void release();
  // Stop handing out lines (Ctrl-C).
  void stop();
  // The thread has ended (read to the end, or stopped at a line): `in` is no longer read.
  bool done() const;
  std::uint64_t lines_read() const;
  std::uint64_t lines_skipped() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::thread thread_;
};

// Writes result lines. Each line goes out whole (one buffered write of line + '\n'); the first write
// error (ENOSPC, EPIPE, ...) is kept and reported by error().
class OutputWriter {
 public:
  // nullptr path: standard output. append: keep what is there (--resume).
  static Result<std::unique_ptr<OutputWriter>, std::string> open(const std::string* path, bool append);
  ~OutputWriter();
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;

  void write_line(std::string_view line);
  // Flushes the buffer; false once any write failed.
  bool flush();
  const std::optional<std::string>& error() const { return error_; }

 private:
  OutputWriter(std::FILE* out, bool owned, std::string name) : out_(out), owned_(owned), name_(std::move(name)) {}
  void fail(int err);

  std::FILE* out_;
  bool owned_;
  std::string name_;
  std::optional<std::string> error_;
};

// "[=====>    ] 1234/5000 25% 812/s ETA 0:05 errors 3" on one line of a terminal, redrawn in place;
// when the run waits on a few slow checks, "waiting for 2: slow.example, other.example" follows.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  void set_total(std::optional<std::uint64_t> total) { total_ = total; }
  // Redraws; `elapsed` in seconds; `waiting` (may be empty) is appended as is.
  void draw(std::uint64_t done, std::uint64_t errors, double elapsed, std::string_view waiting = {});
  void clear();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::optional<std::uint64_t> total_;
};

// Number of lines of a regular file (for the progress bar's total); nullopt for pipes.
std::optional<std::uint64_t> count_lines(const std::string& path);

}  // namespace dkimdoctor::cli
