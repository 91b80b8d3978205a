// Output: the buffered writer behind every printer, and Diagnostics, the one way to stderr.
// Output formats into one fmt::memory_buffer and write(2)s it in ~64 KiB blocks (per line when
// line-buffered). A closed pipe raises OutputClosed (the search ends quietly); any other write
// failure raises WriteError ("logsift: write error: ...", exit 2). Neither object is thread-safe.
// SIGINT/SIGTERM never cut a write, and a stalled reader never keeps them from ending the process.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

#include "logsift/signals.hpp"

namespace logsift {

class OutputClosed : public std::runtime_error {
 public:
  OutputClosed() : std::runtime_error("broken pipe") {}
};

class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Output {
 public:
  explicit Output(int fd, bool line_buffered = false);
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  // Best effort: a destructor cannot report errors, so callers flush() explicitly.
  ~Output();

  fmt::memory_buffer& buffer() noexcept { return buffer_; }
  void append(std::string_view text) {
    if (text.size() >= flush_threshold_) return write_through(text);  // a huge line is not copied
    buffer_.append(text.data(), text.data() + text.size());
  }
  // Call after each complete output line: writes out when the buffer is large or line-buffered.
  // `terminator` is '\0' for -z's records.
  void end_line(char terminator = '\n') {
    buffer_.push_back(terminator);
    if (line_buffered_ || buffer_.size() >= flush_threshold_) flush();
  }
  void flush();
  // Writes what is buffered, then `text` straight from where it is.
  void write_through(std::string_view text);
  // Within a line too long to hold (many matches colored): writes out when the buffer is large.
  void flush_if_large() {
    if (buffer_.size() >= flush_threshold_) flush();
  }

 private:
  int fd_;
  bool line_buffered_;
  std::size_t flush_threshold_;  // 64 KiB, or a quarter of a bigger pipe's capacity
  std::size_t pipe_capacity_ = 0;  // of fd_, when it is a pipe: writes go in as far as there is room
  fmt::memory_buffer buffer_;
};

// A status line kept on stderr (--progress's bar). While one is drawn, messages on stderr, and
// writes to stdout when it is the same terminal, erase it first, so that no output is glued to it;
// it is drawn again on its next tick. The bar draws under status_line_mutex(), which writes that
// erase it also hold, so the two never interleave.
std::mutex& status_line_mutex();
// Under the mutex: the line is now drawn (or erased), and whether stdout shares its terminal.
void set_status_line(bool drawn, bool stdout_same_terminal) noexcept;

// Error and notice messages: "logsift: <message>" on stderr, written at once.
class Diagnostics {
 public:
  explicit Diagnostics(bool suppress_file_errors = false) : suppress_file_errors_(suppress_file_errors) {}

  // A problem with one input (missing, unreadable): counted as an error, printed unless -s.
  void file_error(std::string_view name, std::string_view what);
  // A warning about one input (a directory loop): printed unless -s, not an error.
  void warning(std::string_view name, std::string_view what);
  // Any other error: always printed, always counted.
  void error(std::string_view message);
  // Informational ("binary file matches"): printed, not an error.
  void notice(std::string_view message);

  bool had_error() const noexcept { return had_error_; }

 private:
  bool suppress_file_errors_;
  std::atomic<bool> had_error_{false};  // --follow reports from several threads
};

}  // namespace logsift
