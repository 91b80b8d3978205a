#include "logsift/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include <cerrno>
#include <cstring>

namespace logsift {
namespace {

void write_all(int fd, const char* data, std::size_t size) {
  const SignalsHeld held;  // a signal lands between whole writes, so between whole lines
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) throw OutputClosed();
      throw WriteError(std::string("write error: ") + std::strerror(errno));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void write_message(std::string_view message) {
  fmt::memory_buffer line;
  fmt::format_to(std::back_inserter(line), "logsift: {}\n", message);
  try {
    write_all(STDERR_FILENO, line.data(), line.size());
  } catch (const std::exception&) {
    // Nowhere left to report a failure to report.
  }
}

}  // namespace

SignalsHeld::SignalsHeld() {
  sigset_t held;
  ::sigemptyset(&held);
  ::sigaddset(&held, SIGINT);
  ::sigaddset(&held, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &held, &previous_);
}

SignalsHeld::~SignalsHeld() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

Output::Output(int fd, bool line_buffered) : fd_(fd), line_buffered_(line_buffered), flush_threshold_(64 * 1024) {
  // Into a pipe of the default 64 KiB, a reader that keeps up is woken, and this process made to
  // wait, every 64 KiB: printing millions of lines then costs more in hand-overs than in work.
  // A 1 MiB pipe, where the system allows it, written a quarter at a time, takes most of that away.
  constexpr int kPipeSize = 1024 * 1024;
  struct stat info {};
  if (line_buffered || ::fstat(fd, &info) != 0 || !S_ISFIFO(info.st_mode)) return;
  int size = ::fcntl(fd, F_GETPIPE_SZ);
  if (size >= 0 && size < kPipeSize) {
    const int grown = ::fcntl(fd, F_SETPIPE_SZ, kPipeSize);  // refused past the user's pipe quota
    if (grown > 0) size = grown;
  }
  if (size > 0) flush_threshold_ = std::max<std::size_t>(flush_threshold_, static_cast<std::size_t>(size) / 4);
}

Output::~Output() {
  try {
    flush();
  } catch (const std::exception&) {
  }
}

void Output::flush() {
  if (buffer_.size() == 0) return;
  // Marked empty before writing: after a failed write the bytes are lost either way, and the
  // destructor's flush must not report the same failure twice. clear() keeps the storage.
  const std::string_view pending(buffer_.data(), buffer_.size());
  buffer_.clear();
  write_all(fd_, pending.data(), pending.size());
}

void Diagnostics::file_error(std::string_view name, std::string_view what) {
  had_error_ = true;
  if (!suppress_file_errors_) write_message(fmt::format("{}: {}", name, what));
}

void Diagnostics::warning(std::string_view name, std::string_view what) {
  if (!suppress_file_errors_) write_message(fmt::format("{}: {}", name, what));
}

void Diagnostics::error(std::string_view message) {
  had_error_ = true;
  write_message(message);
}

void Diagnostics::notice(std::string_view message) { write_message(message); }

}  // namespace logsift
