#include "logsift/progress.hpp"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <pthread.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <fmt/format.h>

#include "logsift/output.hpp"

namespace logsift {
namespace {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  std::size_t unit = 0;
  while (bytes >= 1024.0 && unit + 1 < std::size(units)) {
    bytes /= 1024.0;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, units[unit]);
}

std::size_t terminal_width() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) return size.ws_col;
  return 80;
}

void write_stderr(const std::string& text) { (void)!::write(STDERR_FILENO, text.data(), text.size()); }

}  // namespace

std::string ProgressBar::render(std::uint64_t done, std::uint64_t total, double seconds, std::size_t width) {
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  std::string figures = fmt::format("{}/s", human_bytes(rate));
  if (total == 0) return fmt::format("logsift: {} read, {}", human_bytes(static_cast<double>(done)), figures);

  const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const double remaining = rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate : 0.0;
  figures = fmt::format("{:3.0f}% {} / {}  {}  ETA {:.0f}s", fraction * 100.0, human_bytes(static_cast<double>(done)),
                        human_bytes(static_cast<double>(total)), figures, remaining);
  const std::size_t room = width > figures.size() + 14 ? width - figures.size() - 14 : 10;
  const std::size_t bar = std::min<std::size_t>(room, 40);
  const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(bar));
  return fmt::format("logsift: [{}{}] {}", std::string(filled, '#'), std::string(bar - filled, '.'), figures);
}

ProgressBar::ProgressBar(std::uint64_t total_bytes) : total_(total_bytes) {
  if (::isatty(STDERR_FILENO)) {
    // SIGINT/SIGTERM belong to the thread that writes the results (see SignalsHeld).
    const SignalsHeld held;
    thread_ = std::thread([this] { draw_until_stopped(); });
  }
}

ProgressBar::~ProgressBar() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard status(status_line_mutex());
  if (drawn_) write_stderr("\r\33[K");
  set_status_line(false, false);
}

namespace {
// Whether standard output is the terminal the bar is drawn on (then each output write erases it).
bool stdout_shares_the_terminal() {
  struct stat out {}, err {};
  return ::isatty(STDOUT_FILENO) && ::fstat(STDOUT_FILENO, &out) == 0 && ::fstat(STDERR_FILENO, &err) == 0 &&
         out.st_rdev == err.st_rdev;
}
}  // namespace

void ProgressBar::draw_until_stopped() {
  std::unique_lock lock(mutex_);
  const bool shares = stdout_shares_the_terminal();
  // Short searches finish before the first frame and never show a bar.
  while (!stop_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stopping_; })) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const std::string line = render(done_.load(std::memory_order_relaxed), total_, seconds, terminal_width());
    std::lock_guard status(status_line_mutex());
    write_stderr("\r\33[K" + line);
    drawn_ = true;
    set_status_line(true, shares);
  }
}

}  // namespace logsift
