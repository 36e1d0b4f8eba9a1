#include "cli/bulk_io.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

namespace dkimdoctor::cli {

void DoneSet::add(std::uint64_t line) {
  if (line >= bits_.size()) bits_.resize(line + 1 + bits_.size() / 2, false);
  if (!bits_[line]) {
    bits_[line] = true;
    ++count_;
  }
}

bool DoneSet::contains(std::uint64_t line) const { return line < bits_.size() && bits_[line]; }

Result<void, std::string> scan_and_repair_output(const std::string& path, const OutputLineParser& parse, DoneSet& done) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    if (errno == ENOENT) return {};  // nothing to resume: a fresh run
    return Unexpected{"cannot read " + path + ": " + std::strerror(errno)};
  }
  std::string line;
  long whole_end = 0;  // offset just past the last '\n'
  long offset = 0;
  int c;
  while ((c = std::fgetc(f)) != EOF) {
    ++offset;
    if (c != '\n') {
      if (line.size() < kMaxBulkLineBytes * 4) line.push_back(static_cast<char>(c));
      continue;
    }
    whole_end = offset;
    auto number = parse(line);
    if (!number) {
      std::fclose(f);
      return Unexpected{path + ": " + number.error()};
    }
    if (*number) done.add(**number);
    line.clear();
  }
  const bool read_error = std::ferror(f) != 0;
  std::fclose(f);
  if (read_error) return Unexpected{"cannot read " + path};
  if (whole_end != offset && ::truncate(path.c_str(), whole_end) != 0) {
    return Unexpected{"cannot cut the partial last line of " + path + ": " + std::strerror(errno)};
  }
  return {};
}

void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::optional<std::vector<std::string>> split_csv_record(std::string_view record) {
  std::vector<std::string> fields(1);
  std::size_t i = 0;
  while (i <= record.size()) {
    std::string& field = fields.back();
    if (i < record.size() && record[i] == '"') {
      // Quoted: up to the lone closing quote, "" standing for one quote.
      ++i;
      for (;;) {
        if (i >= record.size()) return std::nullopt;  // unterminated
        if (record[i] == '"') {
          if (i + 1 < record.size() && record[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += record[i++];
      }
      if (i < record.size() && record[i] != ',') return std::nullopt;  // text after the closing quote
    } else {
      const std::size_t end = std::min(record.find(',', i), record.size());
      field.append(record.substr(i, end - i));
      if (field.find('"') != std::string::npos) return std::nullopt;  // a quote inside an unquoted field
      i = end;
    }
    if (i >= record.size()) break;
    ++i;  // the comma
    fields.emplace_back();
  }
  return fields;
}

// Shared by the reader and its thread: the thread may outlive the reader (blocked on a pipe).
struct InputReader::State {
  State(std::FILE* f, std::size_t window, const DoneSet* s, Deliver d, Finished fin)
      : in(f), window(static_cast<std::ptrdiff_t>(window == 0 ? 1 : window)), skip(s), deliver(std::move(d)),
        finished(std::move(fin)) {}
  std::FILE* in;
  std::counting_semaphore<1 << 20> window;
  // Guarded by `mutex`: what belongs to the caller. Cleared by stop().
  std::mutex mutex;
  bool stopping = false;
  const DoneSet* skip;
  Deliver deliver;
  Finished finished;
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> lines_read{0};
  std::atomic<std::uint64_t> lines_skipped{0};

  void run();
  // One physical line into `line` (a too-long line is cut and flagged); false at the end of the input.
  bool read_line(InputLine& line, std::optional<std::string>& error);
};

InputReader::InputReader(std::FILE* in, std::size_t window, const DoneSet* skip, Deliver deliver,
                         Finished finished)
    : state_(std::make_shared<State>(in, window, skip, std::move(deliver), std::move(finished))) {}

InputReader::~InputReader() {
  stop();
  if (!thread_.joinable()) return;
  if (state_->done) {
    thread_.join();
  } else {
    // Blocked in a read from a pipe that has not ended: it owns its state and touches nothing else.
    thread_.detach();
  }
}

void InputReader::start() {
  thread_ = std::thread([state = state_] {
    state->run();
    state->done = true;
  });
}

void InputReader::release() { state_->window.release(); }

void InputReader::stop() {
  {
    const std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    state_->skip = nullptr;
    state_->deliver = nullptr;
    state_->finished = nullptr;
  }
  state_->window.release();  // wake a reader waiting for room
}

bool InputReader::done() const { return state_->done; }
std::uint64_t InputReader::lines_read() const { return state_->lines_read; }
std::uint64_t InputReader::lines_skipped() const { return state_->lines_skipped; }

bool InputReader::State::read_line(InputLine& line, std::optional<std::string>& error) {
  line.text.clear();
  line.too_long = false;
  int c;
  bool any = false;
  while ((c = getc_unlocked(in)) != EOF) {
    any = true;
    if (c == '\n') break;
    if (line.text.size() < kMaxBulkLineBytes) {
      line.text.push_back(static_cast<char>(c));
    } else {
      line.too_long = true;
    }
  }
  if (c == EOF) {
    if (std::ferror(in)) {
      error = std::string("cannot read the input: ") + std::strerror(errno);
      return false;
    }
    if (!any) return false;  // no final unterminated line
  }
  if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
  return true;
}

void InputReader::State::run() {
  std::uint64_t number = 0;
  std::optional<std::string> error;
  InputLine current;
  while (read_line(current, error)) {
    lines_read = ++number;
    {
      const std::lock_guard lock(mutex);
      if (stopping) return;
      if (skip != nullptr && skip->contains(number)) {
        ++lines_skipped;
        continue;
      }
    }
    window.acquire();
    const std::lock_guard lock(mutex);
    if (stopping) return;
    current.number = number;
    deliver(std::move(current));
    current = InputLine{};
  }
  const std::lock_guard lock(mutex);
  if (!stopping) finished(std::move(error));
}

Result<std::unique_ptr<OutputWriter>, std::string> OutputWriter::open(const std::string* path, bool append) {
  if (path == nullptr) {
    return std::unique_ptr<OutputWriter>(new OutputWriter(stdout, false, "standard output"));
  }
  std::FILE* f = std::fopen(path->c_str(), append ? "ab" : "wb");
  if (f == nullptr) return Unexpected{"cannot open " + *path + " for writing: " + std::strerror(errno)};
  return std::unique_ptr<OutputWriter>(new OutputWriter(f, true, *path));
}

OutputWriter::~OutputWriter() {
  flush();
  if (owned_) std::fclose(out_);
}

void OutputWriter::fail(int err) {
  if (!error_) error_ = "cannot write to " + name_ + ": " + std::strerror(err);
}

void OutputWriter::write_line(std::string_view line) {
  if (error_) return;
  // One write per line: a line is either wholly in the buffer or not at all.
  std::string buffer;
  buffer.reserve(line.size() + 1);
  buffer.append(line);
  buffer.push_back('\n');
  errno = 0;
  if (std::fwrite(buffer.data(), 1, buffer.size(), out_) != buffer.size()) fail(errno ? errno : EIO);
}

bool OutputWriter::flush() {
  if (error_) return false;
  errno = 0;
  if (std::fflush(out_) != 0) fail(errno ? errno : EIO);
  return !error_;
}

namespace {
std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  auto s = static_cast<long long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  }
  return buf;
}
}  // namespace

void Progress::draw(std::uint64_t done, std::uint64_t errors, double elapsed, std::string_view waiting) {
  if (!enabled_) return;
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  std::string line = "\r";
  if (total_ && *total_ > 0) {
    constexpr int kWidth = 24;
    const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(*total_));
    const int filled = static_cast<int>(fraction * kWidth);
    line += '[';
    for (int i = 0; i < kWidth; ++i) line += i < filled ? '=' : (i == filled ? '>' : ' ');
    line += ']';
    char buf[160];
    const double eta = rate > 0 ? static_cast<double>(*total_ - std::min(done, *total_)) / rate : NAN;
    std::snprintf(buf, sizeof buf, " %llu/%llu %3.0f%% %.0f/s ETA %s errors %llu",
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(*total_),
                  fraction * 100.0, rate, clock_text(eta).c_str(), static_cast<unsigned long long>(errors));
    line += buf;
  } else {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%llu done %.0f/s elapsed %s errors %llu",
                  static_cast<unsigned long long>(done), rate, clock_text(elapsed).c_str(),
                  static_cast<unsigned long long>(errors));
    line += buf;
  }
  if (!waiting.empty()) {
    line += "  ";
    line.append(waiting);
  }
  line += "\x1b[K";  // clear to end of line
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::clear() {
  if (!enabled_ || !drawn_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

std::optional<std::uint64_t> count_lines(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return std::nullopt;
  std::uint64_t lines = 0;
  bool last_was_newline = true;
  char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    for (std::size_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') ++lines;
    }
    last_was_newline = buf[n - 1] == '\n';
  }
  std::fclose(f);
  if (!last_was_newline) ++lines;
  return lines;
}

}  // namespace dkimdoctor::cli
