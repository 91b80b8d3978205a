#include "logsift/follow.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>
#include <vector>

#include "logsift/error.hpp"
#include "logsift/follow_group.hpp"

namespace logsift {
namespace {

// Touched from signal handlers: only lock-free atomics will do there.
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);
std::atomic<bool> stop_requested{false};
// An eventfd that becomes readable on a stop, so that a stream blocked in poll() wakes at once
// whichever thread the signal was delivered to. -1 until the first stream exists (or if eventfd
// fails: then waits are cut into slices that check the flag).
std::atomic<int> wake_fd{-1};
std::atomic<bool> polling_forced{false};

constexpr std::chrono::milliseconds kSlice{50};  // longest wait between stop checks without wake_fd
constexpr std::uint32_t kFileEvents = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF;
constexpr std::uint32_t kDirEvents = IN_CREATE | IN_MOVED_TO;

void create_wake_fd() {
  static std::once_flag once;
  std::call_once(once, [] {
    wake_fd.store(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (stop_requested.load()) request_follow_stop();  // a stop that came before the fd existed
  });
}

std::string parent_directory(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

class FollowStream final : public ByteStream {
 public:
  FollowStream(int fd, std::string path, std::size_t block_size, std::chrono::milliseconds poll_interval)
      : fd_(fd),
        path_(std::move(path)),
        in_group_(detail::in_follow_group()),
        block_size_(block_size == 0 ? 4096 : block_size),
        poll_interval_(std::max(poll_interval, std::chrono::milliseconds(1))) {
    if (!in_group_) buffer_.resize(block_size_);  // in a group, the group's buffer is shared
  }

  ~FollowStream() override {
    if (in_group_) detail::follow_group_unwatch();
    if (inotify_ >= 0) ::close(inotify_);
    if (owned_) ::close(fd_);
  }

  Block next() override {
    // Ctrl-C means now: unread data is dropped rather than searched first.
    if (follow_stop_requested()) return {};
    if (!started_) start();
    // What the file held at the start is read without a pause, so that several files' initial
    // contents come out whole and in argument order; only what is appended later takes turns.
    if (in_group_ && position_ >= initial_end_ && ++blocks_without_wait_ >= kBlocksBeforeYield) {
      blocks_without_wait_ = 0;
      detail::follow_group_yield();
      if (follow_stop_requested()) return {};
    }
    for (;;) {
      char* const buffer = in_group_ ? detail::follow_group_buffer(block_size_) : buffer_.data();
      std::size_t n = read_some(fd_, buffer, block_size_);
      if (n > 0) return block(buffer, n);
      if (!regular_) return {};  // a pipe's end is final: nothing will be appended to it
      if (truncated()) {
        if (::lseek(fd_, 0, SEEK_SET) < 0) throw InputError(std::strerror(errno));
        initial_end_ = 0;
        new_generation_ = true;
        continue;
      }
      if (rotated()) {
        // The writer may have appended between our end-of-file read and the rename: those bytes
        // come before the new file's. Once a read finds nothing more, switch.
        n = read_some(fd_, buffer, block_size_);
        if (n > 0) return block(buffer, n);
        if (reopen()) {
          initial_end_ = 0;
          new_generation_ = true;
          continue;
        }
      }
      wait();
      if (follow_stop_requested()) return {};
    }
  }

 private:
  Block block(const char* buffer, std::size_t n) {
    position_ += n;
    Block next{std::string_view(buffer, n), std::memchr(buffer, '\0', n) != nullptr};
    next.new_generation = std::exchange(new_generation_, false);
    return next;
  }

  void start() {
    started_ = true;
    struct stat info {};
    if (::fstat(fd_, &info) != 0) throw InputError(std::strerror(errno));
    regular_ = S_ISREG(info.st_mode);
    if (regular_) {
      const off_t at = ::lseek(fd_, 0, SEEK_CUR);  // --follow-last may have started past 0
      position_ = at > 0 ? static_cast<std::uint64_t>(at) : 0;
      initial_end_ = static_cast<std::uint64_t>(info.st_size);
    }
    device_ = info.st_dev;
    inode_ = info.st_ino;
    // Before the first read, so that an append racing with our end-of-file read still queues an event.
    if (regular_) watch();
  }

  // copytruncate: the file is now shorter than what we read of it.
  bool truncated() const {
    struct stat info {};
    if (::fstat(fd_, &info) != 0) throw InputError(std::strerror(errno));
    const off_t offset = ::lseek(fd_, 0, SEEK_CUR);
    return offset > info.st_size;
  }

  // The path names another regular file than ours. While it names nothing (between the rename and
  // the creation, or after a delete) we stay on the old file, which may still be written to.
  bool rotated() const {
    if (path_.empty()) return false;
    struct stat info {};
    return ::stat(path_.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
           (info.st_dev != device_ || info.st_ino != inode_);
  }

  bool reopen() {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;  // gone again since the stat: keep waiting
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
      ::close(fd);
      return false;
    }
    if (owned_) ::close(fd_);
    fd_ = fd;
    owned_ = true;
    device_ = info.st_dev;
    inode_ = info.st_ino;
    watch();
    return true;
  }

  // A fresh inotify instance on the file we read and on the directory where a new one appears.
  // Any part that fails leaves that part to the poll timeout, which bounds every wait anyway.
  void watch() {
    if (inotify_ >= 0) ::close(inotify_);
    inotify_ = -1;
    if (polling_forced.load()) return;
    if (in_group_) {
      watch_in_group();
      return;
    }
    const int in = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (in < 0) return;
    // Through /proc the watch is on the open file itself, even if the path names another by now.
    const std::string self = "/proc/self/fd/" + std::to_string(fd_);
    bool any = ::inotify_add_watch(in, self.c_str(), kFileEvents) >= 0 ||
               (!path_.empty() && ::inotify_add_watch(in, path_.c_str(), kFileEvents) >= 0);
    if (!path_.empty() && ::inotify_add_watch(in, parent_directory(path_).c_str(), kDirEvents) >= 0) any = true;
    if (!any) {
      ::close(in);
      return;
    }
    inotify_ = in;
  }

  void watch_in_group() {
    detail::follow_group_unwatch();
    const std::string self = "/proc/self/fd/" + std::to_string(fd_);
    const bool file = detail::follow_group_watch(self, kFileEvents) ||
                      (!path_.empty() && detail::follow_group_watch(path_, kFileEvents));
    const bool directory = !path_.empty() && detail::follow_group_watch(parent_directory(path_), kDirEvents);
    fully_watched_ = file && (directory || path_.empty());
  }

  // Until an inotify event, a stop, or poll_interval_. The events themselves are discarded: the
  // caller looks at the file again whatever happened.
  void wait() {
    if (in_group_) {
      blocks_without_wait_ = 0;
      detail::follow_group_wait(fully_watched_ ? kGroupSafetyFactor * poll_interval_ : poll_interval_);
      return;
    }
    const auto deadline = std::chrono::steady_clock::now() + poll_interval_;
    for (;;) {
      if (follow_stop_requested()) return;
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return;
      pollfd fds[2];
      nfds_t count = 0;
      if (inotify_ >= 0) fds[count++] = pollfd{inotify_, POLLIN, 0};
      const int wake = wake_fd.load();
      if (wake >= 0) fds[count++] = pollfd{wake, POLLIN, 0};
      const auto slice = wake >= 0 ? std::chrono::ceil<std::chrono::milliseconds>(left)
                                   : std::min(std::chrono::ceil<std::chrono::milliseconds>(left), kSlice);
      const int rc = ::poll(fds, count, static_cast<int>(slice.count()));
      if (rc < 0) {
        if (errno == EINTR) continue;
        throw InputError(std::strerror(errno));
      }
      if (rc > 0) {
        if (inotify_ >= 0 && fds[0].revents != 0) drain_events();
        return;
      }
    }
  }

  void drain_events() const {
    alignas(inotify_event) char events[4096];
    while (::read(inotify_, events, sizeof events) > 0) {
    }
  }

  int fd_;
  bool owned_ = false;  // fd_ is one we opened after a rotation, not the caller's
  std::string path_;
  bool in_group_;  // created inside a FollowGroup task: share its buffer, inotify and thread
  std::size_t block_size_;
  std::vector<char> buffer_;  // when not in a group
  std::chrono::milliseconds poll_interval_;
  bool fully_watched_ = false;  // in a group: inotify watches both the file and its directory
  std::size_t blocks_without_wait_ = 0;
  // In a group, a file read without pause gives the others a turn every 16 blocks (4 MiB).
  static constexpr std::size_t kBlocksBeforeYield = 16;
  // In a group, a fully watched file is also looked at every 20 poll intervals (5 s by default),
  // in case an event was missed; each look costs a few system calls, times every followed file.
  static constexpr int kGroupSafetyFactor = 20;
  bool started_ = false;
  bool regular_ = false;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  int inotify_ = -1;
  bool new_generation_ = false;  // the next block is the first of a rotated-in or truncated file
  std::uint64_t position_ = 0;     // the offset read up to in the file
  std::uint64_t initial_end_ = 0;  // the file's size when the stream started (0 after a switch)
};

// pread of exactly `n` bytes at `at`, or InputError.
void read_exactly(int fd, char* buffer, std::size_t n, std::uint64_t at) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, buffer + done, n - done, static_cast<off_t>(at + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw InputError(std::strerror(errno));
    if (got == 0) throw InputError("the file shrank while its last lines were looked for");
    done += static_cast<std::size_t>(got);
  }
}

constexpr std::size_t kBackBlock = std::size_t{64} * 1024;

}  // namespace

std::uint64_t last_lines_offset(int fd, std::uint64_t size, std::uint64_t n) {
  if (n == 0 || size == 0) return size;
  std::vector<char> block(kBackBlock);
  // A final '\n' ends the last line rather than separating two: the n-th '\n' before it, from the
  // end, is where the last n lines start.
  std::uint64_t end = size;
  char last = 0;
  read_exactly(fd, &last, 1, size - 1);
  if (last == '\n') --end;
  std::uint64_t found = 0;
  while (end > 0) {
    const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(end, kBackBlock));
    const std::uint64_t start = end - length;
    read_exactly(fd, block.data(), length, start);
    for (std::size_t i = length; i-- > 0;) {
      if (block[i] == '\n' && ++found == n) return start + i + 1;
    }
    end = start;
  }
  return 0;
}

std::uint64_t count_newlines(int fd, std::uint64_t end) {
  std::vector<char> block(kBackBlock);
  std::uint64_t count = 0;
  for (std::uint64_t at = 0; at < end;) {
    const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(end - at, kBackBlock));
    read_exactly(fd, block.data(), length, at);
    count += static_cast<std::uint64_t>(std::count(block.data(), block.data() + length, '\n'));
    at += length;
  }
  return count;
}

int wait_for_file(const std::string& path, std::chrono::milliseconds poll_interval) {
  create_wake_fd();
  poll_interval = std::max(poll_interval, std::chrono::milliseconds(1));
  const bool in_group = detail::in_follow_group();
  int inotify = -1;
  bool watched = false;
  if (in_group) {
    watched = !polling_forced.load() && detail::follow_group_watch(parent_directory(path), kDirEvents);
  } else if (!polling_forced.load()) {
    inotify = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify >= 0 && ::inotify_add_watch(inotify, parent_directory(path).c_str(), kDirEvents) < 0) {
      ::close(inotify);
      inotify = -1;
    }
  }
  int fd = -1;
  for (;;) {
    if (follow_stop_requested()) break;
    // Opened only once it is there; the watch was added first, so a creation in between still wakes us.
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT) break;
    if (in_group) {
      detail::follow_group_wait(watched ? 20 * poll_interval : poll_interval);
      continue;
    }
    pollfd fds[2];
    nfds_t count = 0;
    if (inotify >= 0) fds[count++] = pollfd{inotify, POLLIN, 0};
    const int wake = wake_fd.load();
    if (wake >= 0) fds[count++] = pollfd{wake, POLLIN, 0};
    const auto slice = wake >= 0 ? poll_interval : std::min(poll_interval, kSlice);
    if (::poll(fds, count, static_cast<int>(slice.count())) > 0 && inotify >= 0 && fds[0].revents != 0) {
      alignas(inotify_event) char events[4096];
      while (::read(inotify, events, sizeof events) > 0) {
      }
    }
  }
  const int saved_errno = errno;
  if (in_group) detail::follow_group_unwatch();
  if (inotify >= 0) ::close(inotify);
  errno = saved_errno;
  return fd;
}

void request_follow_stop() noexcept {
  const int saved_errno = errno;  // the interrupted code may be about to read errno
  stop_requested.store(true);
  if (const int fd = wake_fd.load(); fd >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(fd, &one, sizeof one);  // fails only if already saturated
  }
  errno = saved_errno;
}

bool follow_stop_requested() noexcept { return stop_requested.load(); }

void reset_follow_stop() noexcept {
  stop_requested.store(false);
  if (const int fd = wake_fd.load(); fd >= 0) {
    std::uint64_t count = 0;
    [[maybe_unused]] const ssize_t n = ::read(fd, &count, sizeof count);  // zeroes the counter
  }
}

std::unique_ptr<ByteStream> make_follow_stream(int fd, std::string path, std::size_t block_size,
                                               std::chrono::milliseconds poll_interval) {
  create_wake_fd();
  return std::make_unique<FollowStream>(fd, std::move(path), block_size, poll_interval);
}

namespace detail {
void force_follow_polling(bool on) noexcept { polling_forced.store(on); }

int follow_wake_fd() noexcept {
  try {
    create_wake_fd();
  } catch (...) {  // std::call_once may throw system_error; then there is no wake fd
  }
  return wake_fd.load();
}
}  // namespace detail

}  // namespace logsift
