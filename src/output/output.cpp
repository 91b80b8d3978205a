#include "logsift/output.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>

#include <cerrno>
#include <cstring>

namespace logsift {
namespace {

// SIGINT/SIGTERM while output is written. A write into a pipe must not be cut mid-line by the
// signal, nor block with the signal held while the reader has stopped reading (then the process
// could not be stopped). So bytes go into a pipe only as far as it has room, with the signals held
// (that write cannot block), and the signals are let in only while waiting for room. A signal that
// comes then is noted by the handler; the writer finishes the line it was in the middle of, if the
// reader takes it within kFinishGraceMs, and then dies of the signal, as it would have otherwise.
volatile std::sig_atomic_t writing = 0;          // a write_all is waiting for room in a pipe
volatile std::sig_atomic_t signal_in_write = 0;  // the signal that came meanwhile
constexpr int kFinishGraceMs = 250;
constexpr std::size_t kPage = 4096;  // a pipe that is not full takes this much without blocking

void on_stop_signal(int sig) {
  // SA_RESETHAND: the disposition is the default again, so a second signal kills at once.
  if (writing) {
    signal_in_write = sig;
  } else {
    ::raise(sig);  // delivered with the default action as soon as the handler returns
  }
}

// Installed once, and only over the default action: an inherited SIG_IGN stays, and --follow's
// own handler (installed before or after) takes precedence.
void install_stop_handlers() {
  static const bool installed = [] {
    for (const int sig : {SIGINT, SIGTERM}) {
      struct sigaction current {};
      if (::sigaction(sig, nullptr, &current) != 0 || current.sa_handler != SIG_DFL) continue;
      struct sigaction action {};
      action.sa_handler = on_stop_signal;
      action.sa_flags = SA_RESETHAND;  // no SA_RESTART: the wait for room returns EINTR
      ::sigemptyset(&action.sa_mask);
      ::sigaction(sig, &action, nullptr);
    }
    return true;
  }();
  (void)installed;
}

// How many bytes the pipe `fd` of `capacity` bytes takes now without blocking: a pipe holds
// capacity/4096 pages, each queued byte is in one of them, and the first and last page may be
// part-filled.
std::size_t pipe_room(int fd, std::size_t capacity) {
  int queued = 0;
  if (::ioctl(fd, FIONREAD, &queued) != 0 || queued < 0) return 0;
  const std::size_t used_pages = (static_cast<std::size_t>(queued) + kPage - 1) / kPage + 1;
  const std::size_t pages = capacity / kPage;
  return pages > used_pages ? (pages - used_pages) * kPage : 0;
}

// Waits until `fd` can take bytes, with SIGINT/SIGTERM let in; false if the wait timed out or a
// signal came.
bool wait_for_room(int fd, const sigset_t& unheld, int timeout_ms) {
  pollfd entry{fd, POLLOUT, 0};
  timespec timeout{timeout_ms / 1000, static_cast<long>(timeout_ms % 1000) * 1000000L};
  writing = 1;
  const int ready = ::ppoll(&entry, 1, timeout_ms < 0 ? nullptr : &timeout, &unheld);
  writing = 0;
  return ready > 0;
}

// One write(2) of at most `size` bytes (no more than the pipe has room for); 0 when it had none.
std::size_t write_some(int fd, const char* data, std::size_t size, std::size_t pipe_capacity) {
  if (pipe_capacity > 0) size = std::min(size, std::max(pipe_room(fd, pipe_capacity), kPage));
  for (;;) {
    const ssize_t n = ::write(fd, data, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EPIPE) throw OutputClosed();
    throw WriteError(std::string("write error: ") + std::strerror(errno));
  }
}

// A signal came while waiting to write data[written, size): finish the line under way if the reader
// takes it soon enough, then die of the signal.
[[noreturn]] void finish_line_and_die(int fd, const char* data, std::size_t written, std::size_t size,
                                      std::size_t pipe_capacity, const sigset_t& unheld) {
  const int sig = signal_in_write;
  if (written > 0 && data[written - 1] != '\n') {
    const void* newline = std::memchr(data + written, '\n', size - written);
    const std::size_t end = newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - data) + 1 : size;
    try {
      while (written < end) {
        // Signals stay held here except in the wait, where a second one kills at once.
        if (pipe_room(fd, pipe_capacity) == 0 && !wait_for_room(fd, unheld, kFinishGraceMs)) break;
        written += write_some(fd, data + written, end - written, pipe_capacity);
      }
    } catch (const std::exception&) {
      // The reader is gone: nothing left to finish.
    }
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
  ::pthread_sigmask(SIG_SETMASK, &unheld, nullptr);  // the held signal is delivered here
  std::_Exit(128 + sig);                                // not reached unless the signal is blocked
}

std::mutex status_mutex;
std::atomic<bool> status_drawn{false};          // written under status_mutex
std::atomic<bool> status_shares_stdout{false};  // written under status_mutex

// Holds status_mutex while a write to `fd` that would land next to a drawn status line goes on,
// having erased the line first. Costs one atomic load when there is none.
class StatusLineCleared {
 public:
  explicit StatusLineCleared(int fd) {
    if (!status_drawn.load(std::memory_order_acquire)) return;
    if (fd != STDERR_FILENO && !(fd == STDOUT_FILENO && status_shares_stdout.load())) return;
    lock_ = std::unique_lock(status_mutex);
    if (status_drawn.load()) {
      (void)!::write(STDERR_FILENO, "\r\33[K", 4);
      status_drawn.store(false, std::memory_order_release);
    }
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

// `pipe_capacity`: the size of the pipe `fd` is, 0 if it is none.
void write_all(int fd, const char* data, std::size_t size, std::size_t pipe_capacity) {
  const StatusLineCleared cleared(fd);
  install_stop_handlers();
  const SignalsHeld held;  // a write is never cut by SIGINT/SIGTERM; see wait_for_room
  std::size_t written = 0;
  while (written < size) {
    if (pipe_capacity > 0 && pipe_room(fd, pipe_capacity) == 0 && !wait_for_room(fd, held.previous(), -1)) {
      if (signal_in_write != 0) finish_line_and_die(fd, data, written, size, pipe_capacity, held.previous());
      continue;
    }
    written += write_some(fd, data + written, size - written, pipe_capacity);
  }
}

// The capacity of the pipe `fd` is, 0 if it is not a pipe.
std::size_t pipe_capacity_of(int fd) {
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISFIFO(info.st_mode)) return 0;
  const int size = ::fcntl(fd, F_GETPIPE_SZ);
  return size > 0 ? static_cast<std::size_t>(size) : 0;
}

void write_message(std::string_view message) {
  fmt::memory_buffer line;
  fmt::format_to(std::back_inserter(line), "logsift: {}\n", message);
  try {
    write_all(STDERR_FILENO, line.data(), line.size(), pipe_capacity_of(STDERR_FILENO));
  } catch (const std::exception&) {
    // Nowhere left to report a failure to report.
  }
}

}  // namespace

std::mutex& status_line_mutex() { return status_mutex; }

void set_status_line(bool drawn, bool stdout_same_terminal) noexcept {
  status_shares_stdout.store(stdout_same_terminal);
  status_drawn.store(drawn, std::memory_order_release);
}

Output::Output(int fd, bool line_buffered) : fd_(fd), line_buffered_(line_buffered), flush_threshold_(64 * 1024) {
  // Into a pipe of the default 64 KiB, a reader that keeps up is woken, and this process made to
  // wait, every 64 KiB: printing millions of lines then costs more in hand-overs than in work.
  // A 1 MiB pipe, where the system allows it, written a quarter at a time, takes most of that away.
  constexpr int kPipeSize = 1024 * 1024;
  pipe_capacity_ = pipe_capacity_of(fd);
  if (line_buffered || pipe_capacity_ == 0) return;
  if (pipe_capacity_ < kPipeSize) {
    const int grown = ::fcntl(fd, F_SETPIPE_SZ, kPipeSize);  // refused past the user's pipe quota
    if (grown > 0) pipe_capacity_ = static_cast<std::size_t>(grown);
  }
  flush_threshold_ = std::max<std::size_t>(flush_threshold_, pipe_capacity_ / 4);
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
  write_all(fd_, pending.data(), pending.size(), pipe_capacity_);
}

void Output::write_through(std::string_view text) {
  flush();
  write_all(fd_, text.data(), text.size(), pipe_capacity_);
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
