#include "cli/file_input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dkimdoctor::cli {

namespace {

// Reads `fd` to its end, at most `max_bytes`; `what` names it in errors.
Result<std::string, std::string> read_capped(int fd, std::size_t max_bytes, const std::string& what) {
  std::string text;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Unexpected{"cannot read " + what + ": " + std::strerror(errno)};
    }
    if (n == 0) return text;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) {
      return Unexpected{what + " is larger than " + std::to_string(max_bytes) + " bytes"};
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

Result<std::string, std::string> read_named_file(const std::string& path, std::size_t max_bytes) {
  if (path == "-") return read_capped(STDIN_FILENO, max_bytes, "standard input");
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Unexpected{"cannot read " + path + ": " + std::strerror(errno)};
  struct Close {
    int fd;
    ~Close() { ::close(fd); }
  } close_fd{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Unexpected{"cannot read " + path + ": " + std::strerror(errno)};
  if (S_ISDIR(st.st_mode)) return Unexpected{"cannot read " + path + ": it is a directory"};
  if (!S_ISREG(st.st_mode)) {
    return Unexpected{"cannot read " + path + ": not a regular file (a FIFO, device or socket is refused)"};
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    return Unexpected{path + " is larger than " + std::to_string(max_bytes) + " bytes"};
  }
  // A regular file never blocks; the flag only mattered for open().
  return read_capped(fd, max_bytes, path);
}

}  // namespace dkimdoctor::cli
