#include "logsift/byte_stream.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "logsift/byte_scan.hpp"
#include "logsift/error.hpp"

namespace logsift {
namespace {

// Read buffers start on a page: the kernel copies out of the page cache much faster into an
// aligned destination (malloc's large blocks start 16 bytes into a page).
struct PageAlignedFree {
  void operator()(char* p) const noexcept { std::free(p); }
};
using ReadBuffer = std::unique_ptr<char[], PageAlignedFree>;

ReadBuffer allocate_read_buffer(std::size_t size) {
  constexpr std::size_t kPage = 4096;
  auto* p = static_cast<char*>(std::aligned_alloc(kPage, (size + kPage - 1) / kPage * kPage));
  if (p == nullptr) throw std::bad_alloc();
  return ReadBuffer(p);
}

// Reads start small and double up to the block size: `-l`, `-q` and `-m 1` usually stop within
// the first few KiB, and every page of a block read is a page fault paid for before the search.
constexpr std::size_t kFirstRead = 64 * 1024;

class FdStream final : public ByteStream {
 public:
  FdStream(int fd, std::size_t block_size)
      : fd_(fd),
        capacity_(block_size == 0 ? 4096 : block_size),
        buffer_(allocate_read_buffer(capacity_)),  // uninitialised: pages are touched as reads fill them
        next_read_(std::min(capacity_, kFirstRead)) {}

  Block next() override {
    const std::size_t n = read_some(fd_, buffer_.get(), next_read_);
    if (n == next_read_) next_read_ = std::min(capacity_, 2 * next_read_);
    return Block{std::string_view(buffer_.get(), n), contains_nul(std::string_view(buffer_.get(), n))};
  }

 private:
  int fd_;
  std::size_t capacity_;
  ReadBuffer buffer_;
  std::size_t next_read_;
};

// ---------------------------------------------------------------------------------------------
// Mapped windows. A file cut short while mapped turns reads past its new end into SIGBUS; the
// guard maps zero pages there instead and raises the window's `lost` flag for the consumer.

struct GuardedWindow {
  std::atomic<std::uintptr_t> begin{0};
  std::atomic<std::uintptr_t> end{0};  // 0 while the slot holds no window
  std::atomic<bool> lost{false};       // part of the window was replaced by zeros
  std::atomic<bool> claimed{false};
};

constexpr std::size_t kGuardSlots = 8;
GuardedWindow g_windows[kGuardSlots];
std::uintptr_t g_page_size = 4096;

void on_sigbus(int, siginfo_t* info, void*) {
  const int saved_errno = errno;
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (GuardedWindow& window : g_windows) {
    const std::uintptr_t begin = window.begin.load(std::memory_order_acquire);
    const std::uintptr_t end = window.end.load(std::memory_order_acquire);
    if (begin <= address && address < end) {
      const std::uintptr_t page = address & ~(g_page_size - 1);
      void* zeros = ::mmap(reinterpret_cast<void*>(page), end - page, PROT_READ,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
      if (zeros != MAP_FAILED) {
        window.lost.store(true, std::memory_order_release);
        errno = saved_errno;
        return;  // the faulting read is retried and sees zeros
      }
    }
  }
  // Not a window of ours: the fault takes its default course when the access is retried.
  ::signal(SIGBUS, SIG_DFL);
  errno = saved_errno;
}

bool install_sigbus_guard() {
  static const bool installed = [] {
    g_page_size = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    return ::sigaction(SIGBUS, &action, nullptr) == 0;
  }();
  return installed;
}

class MappedStream final : public ByteStream {
 public:
  MappedStream(int fd, GuardedWindow* guard, std::uint64_t start, std::size_t window)
      : fd_(fd), guard_(guard), position_(start), window_(window) {}

  ~MappedStream() override {
    release();
    guard_->lost.store(false, std::memory_order_relaxed);
    guard_->claimed.store(false, std::memory_order_release);
  }

  Block next() override {
    release();
    if (cut_short_) return Block{{}, false, false, &guard_->lost};
    if (fallback_) return fallback_->next();
    struct stat info {};
    // Sized anew for every window: a file that shrank is mapped only as far as it still goes, one
    // that grew is mapped further.
    const std::uint64_t size = ::fstat(fd_, &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
    if (position_ >= size) return read_the_rest();
    const std::uint64_t base = position_ & ~static_cast<std::uint64_t>(g_page_size - 1);
    const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(size - base, window_));
    void* mapped = ::mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd_, static_cast<off_t>(base));
    if (mapped == MAP_FAILED) return read_the_rest();
    mapped_ = static_cast<const char*>(mapped);
    mapped_length_ = length;
    const auto begin = reinterpret_cast<std::uintptr_t>(mapped_);
    guard_->lost.store(false, std::memory_order_relaxed);
    guard_->begin.store(begin, std::memory_order_release);
    guard_->end.store(begin + length, std::memory_order_release);

    const std::string_view bytes(mapped_ + (position_ - base), length - (position_ - base));
    position_ = base + length;
    // The NUL check is left to the consumer, to be done by whichever thread first reads the bytes.
    return Block{bytes, false, /*nul_unchecked=*/true, &guard_->lost};
  }

 private:
  // Unmaps the window handed out last; if the file was cut under it, the input ends.
  void release() {
    if (mapped_ == nullptr) return;
    guard_->end.store(0, std::memory_order_release);
    guard_->begin.store(0, std::memory_order_release);
    ::munmap(const_cast<char*>(mapped_), mapped_length_);
    mapped_ = nullptr;
    if (guard_->lost.load(std::memory_order_acquire)) cut_short_ = true;
  }

  // At the end of what could be mapped (or where mapping failed): plain reads from there on.
  Block read_the_rest() {
    if (::lseek(fd_, static_cast<off_t>(position_), SEEK_SET) < 0) throw InputError(std::strerror(errno));
    fallback_ = std::make_unique<FdStream>(fd_, kFirstRead);
    return fallback_->next();
  }

  int fd_;
  GuardedWindow* guard_;
  std::uint64_t position_;  // input offset of the next byte to hand out
  std::size_t window_;
  const char* mapped_ = nullptr;
  std::size_t mapped_length_ = 0;
  std::unique_ptr<FdStream> fallback_;
  bool cut_short_ = false;  // the file was cut under a window: nothing more to hand out
};

}  // namespace

std::size_t read_some(int fd, char* into, std::size_t capacity) {
  for (;;) {
    const ssize_t n = ::read(fd, into, capacity);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    throw InputError(std::strerror(errno));
  }
}

std::unique_ptr<ByteStream> make_fd_stream(int fd, std::size_t block_size) {
  return std::make_unique<FdStream>(fd, block_size);
}

std::unique_ptr<ByteStream> make_mapped_stream(int fd, std::size_t window) {
  const off_t start = ::lseek(fd, 0, SEEK_CUR);  // where a --since seek left the file
  if (start < 0 || !install_sigbus_guard()) return nullptr;
  for (GuardedWindow& slot : g_windows) {
    if (!slot.claimed.exchange(true, std::memory_order_acq_rel)) {
      const std::size_t pages = std::max<std::size_t>(1, window / g_page_size);
      return std::make_unique<MappedStream>(fd, &slot, static_cast<std::uint64_t>(start), pages * g_page_size);
    }
  }
  return nullptr;  // every guard slot is taken (many inputs mapped at once): the caller reads
}

}  // namespace logsift
