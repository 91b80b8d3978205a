// ProgressBar: one line on stderr, redrawn a few times a second from a byte counter that the
// sources advance as they read (SourceOptions::progress), with percentage, throughput and ETA
// when the total size is known. Draws only when stderr is a terminal; erases itself when destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace logsift {

class ProgressBar {
 public:
  // total_bytes: the sum of the inputs' sizes, 0 when unknown (standard input, pipes).
  explicit ProgressBar(std::uint64_t total_bytes);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  std::atomic<std::uint64_t>* counter() noexcept { return &done_; }

  // The text drawn for `done` bytes after `seconds`: pure, for tests.
  static std::string render(std::uint64_t done, std::uint64_t total, double seconds, std::size_t width);

 private:
  void draw_until_stopped();

  std::uint64_t total_;
  std::atomic<std::uint64_t> done_{0};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool drawn_ = false;
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable stop_;
  std::thread thread_;
};

}  // namespace logsift
