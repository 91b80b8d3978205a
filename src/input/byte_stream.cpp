#include "logsift/byte_stream.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <ctime>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <utility>

#include "logsift/byte_scan.hpp"
#include "logsift/error.hpp"

namespace logsift {
namespace {

// Read buffers start on a page: the kernel copies out of the page cache much faster into an
// aligned destination (malloc's large blocks start 16 bytes into a page). The buffer of the input
// searched last is kept for the next one: allocating a fresh one maps new pages, and freeing it
// unmaps them, which cost 0.8 ms per input in `-r -l` over 256 files (most of the run).
struct SpareBuffer {
  char* bytes = nullptr;
  std::size_t size = 0;
  ~SpareBuffer() { std::free(bytes); }
};
thread_local SpareBuffer t_spare;

struct PageAlignedFree {
  std::size_t size = 0;
  void operator()(char* p) const noexcept {
    if (t_spare.bytes == nullptr) {
      t_spare.bytes = p;
      t_spare.size = size;
    } else {
      std::free(p);
    }
  }
};
using ReadBuffer = std::unique_ptr<char[], PageAlignedFree>;

ReadBuffer allocate_read_buffer(std::size_t size) {
  constexpr std::size_t kPage = 4096;
  const std::size_t rounded = (size + kPage - 1) / kPage * kPage;
  if (t_spare.bytes != nullptr && t_spare.size == rounded) {
    return ReadBuffer(std::exchange(t_spare.bytes, nullptr), PageAlignedFree{rounded});
  }
  auto* p = static_cast<char*>(std::aligned_alloc(kPage, rounded));
  if (p == nullptr) throw std::bad_alloc();
  return ReadBuffer(p, PageAlignedFree{rounded});
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

// Time this thread has spent on a CPU (in user or kernel mode), in nanoseconds: what copying or
// mapping a block costs, not counting the time another process had the core.
std::uint64_t thread_cpu_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000000u + static_cast<std::uint64_t>(now.tv_nsec);
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14; older kernels answer EINVAL
#endif

// Windows are placed in a reserved range of address space at addresses congruent to their file
// offset modulo the window size, and cut at multiples of it: a page cache that holds the file in
// 2 MiB folios can then be mapped with one page-table entry per folio, which is what makes mapping
// cheap (populating a 2 MiB window at a misaligned address took 0.10 s/GiB, aligned 0.035 s/GiB).
class MappedStream final : public ByteStream {
 public:
  MappedStream(int fd, GuardedWindow* guard, std::uint64_t start, std::size_t window, bool populate)
      : fd_(fd), guard_(guard), position_(start), window_(window), populate_(populate) {}

  ~MappedStream() override {
    release();
    if (reserved_ != nullptr) ::munmap(reserved_, 2 * window_);
    guard_->lost.store(false, std::memory_order_relaxed);
    guard_->claimed.store(false, std::memory_order_release);
  }

  Block next() override {
    release();
    if (cut_short_) return end_block();
    if (fallback_) return fallback_->next();
    if (std::optional<Block> block = map_next()) return *block;
    return read_the_rest();
  }

  // The next window, or nothing where the file ends (or shrank) here or mapping fails.
  std::optional<Block> map_next() {
    struct stat info {};
    // Sized anew for every window: a file that shrank is mapped only as far as it still goes, one
    // that grew is mapped further.
    const std::uint64_t size = ::fstat(fd_, &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
    if (position_ >= size || !reserve()) return std::nullopt;
    const std::uint64_t base = position_ & ~static_cast<std::uint64_t>(g_page_size - 1);
    const std::uint64_t slot_end = (base / window_ + 1) * window_;
    const std::size_t length = static_cast<std::size_t>(std::min(size, slot_end) - base);
    char* at = aligned_ + base % window_;
    void* mapped = ::mmap(at, length, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd_, static_cast<off_t>(base));
    if (mapped == MAP_FAILED) return std::nullopt;
    mapped_ = static_cast<const char*>(mapped);
    mapped_length_ = length;
    const auto begin = reinterpret_cast<std::uintptr_t>(mapped_);
    guard_->lost.store(false, std::memory_order_relaxed);
    guard_->begin.store(begin, std::memory_order_release);
    guard_->end.store(begin + length, std::memory_order_release);
    // Pages are mapped in one call rather than faulted in one by one by the search; past a cut
    // (the file shrank meanwhile) it fails, and the guard deals with the touch.
    if (populate_ && ::madvise(mapped, length, MADV_POPULATE_READ) != 0 && errno == EINVAL) populate_unsupported_ = true;

    const std::string_view bytes(mapped_ + (position_ - base), length - (position_ - base));
    position_ = base + length;
    // The NUL check is left to the consumer, to be done by whichever thread first reads the bytes.
    return Block{bytes, false, /*nul_unchecked=*/true, &guard_->lost};
  }

  // Unmaps the window handed out last (the range stays reserved); if the file was cut under it,
  // the input ends.
  void release() {
    if (mapped_ == nullptr) return;
    guard_->end.store(0, std::memory_order_release);
    guard_->begin.store(0, std::memory_order_release);
    (void)::mmap(const_cast<char*>(mapped_), mapped_length_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
                 -1, 0);
    mapped_ = nullptr;
    if (guard_->lost.load(std::memory_order_acquire)) cut_short_ = true;
  }

  // Maps from `position` on (after reads moved past what was mapped).
  void seek_to(std::uint64_t position) {
    release();
    position_ = position;
  }
  bool cut_short() const { return cut_short_; }
  Block end_block() const { return Block{{}, false, false, &guard_->lost}; }
  std::uint64_t position() const { return position_; }
  bool populate_unsupported() const { return populate_unsupported_; }

 private:
  // Address space for one window at an address aligned to the window size (twice the window,
  // never touched: no memory).
  bool reserve() {
    if (reserved_ != nullptr) return true;
    void* range = ::mmap(nullptr, 2 * window_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (range == MAP_FAILED) return false;
    reserved_ = static_cast<char*>(range);
    const auto address = reinterpret_cast<std::uintptr_t>(reserved_);
    aligned_ = reserved_ + ((address + window_ - 1) / window_ * window_ - address);
    return true;
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
  bool populate_;
  bool populate_unsupported_ = false;
  char* reserved_ = nullptr;
  char* aligned_ = nullptr;
  const char* mapped_ = nullptr;
  std::size_t mapped_length_ = 0;
  std::unique_ptr<FdStream> fallback_;
  bool cut_short_ = false;  // the file was cut under a window: nothing more to hand out
};

GuardedWindow* claim_guard_slot() {
  if (!install_sigbus_guard()) return nullptr;
  for (GuardedWindow& slot : g_windows) {
    if (!slot.claimed.exchange(true, std::memory_order_acq_rel)) return &slot;
  }
  return nullptr;  // every guard slot is taken (many inputs mapped at once)
}

// Reads or maps, whichever makes a byte cost this thread less CPU time on this file right now:
// the cost of a block is measured from the call that fetched it to the next call, so that it
// covers searching and printing it as well as getting it. Reading copies the bytes into a buffer
// that stays in the core's cache for the search; mapping copies nothing but costs page-table work
// that depends on the page cache: a file just written sits in small folios (populating a 2 MiB
// window took 0.7 s/GiB on the bench VM, against 0.06-0.10 s/GiB for read(2)), one dropped and
// read back in 2 MiB folios (0.035 s/GiB). Files start with reads (early exits touch little);
// after kFirstProbe bytes a few windows are mapped, and the cheaper way per byte goes on. After
// mapping lost, it is tried again after 4 times as many bytes read as the time before.
class AdaptiveStream final : public ByteStream {
 public:
  AdaptiveStream(int fd, std::size_t block_size, std::size_t window, InputPath path)
      : fd_(fd),
        capacity_(block_size == 0 ? 4096 : block_size),
        buffer_(allocate_read_buffer(capacity_)),
        next_read_(std::min(capacity_, kFirstRead)),
        path_(path) {
    const off_t start = ::lseek(fd, 0, SEEK_CUR);  // where a --since seek left the file
    position_ = start < 0 ? 0 : static_cast<std::uint64_t>(start);
    if (path_ != InputPath::read && start >= 0) {
      if (GuardedWindow* guard = claim_guard_slot()) {
        const std::size_t pages = std::max<std::size_t>(1, window / g_page_size);
        window_ = pages * g_page_size;
        mapped_ = std::make_unique<MappedStream>(fd, guard, position_, window_, /*populate=*/true);
      }
    }
    if (mapped_ == nullptr) path_ = InputPath::read;
    mapping_ = path_ == InputPath::map;
  }

  Block next() override {
    const std::uint64_t now = thread_cpu_ns();
    if (measured_bytes_ > 0) {
      Cost& cost = measured_mapped_ ? map_cost_ : read_cost_;
      cost.ns += now - fetched_at_;
      cost.bytes += measured_bytes_;
      measured_bytes_ = 0;
    }
    fetched_at_ = now;
    if (path_ == InputPath::automatic) choose();
    if (mapped_ != nullptr) {
      mapped_->release();  // the window handed out last, if any
      if (mapped_->cut_short()) return mapped_->end_block();
      if (mapping_) {
        if (std::optional<Block> block = mapped_->map_next()) {
          position_ = mapped_->position();
          measured_mapped_ = true;
          measured_bytes_ = block->bytes.size() == window_ ? window_ : 0;  // whole windows only
          return *block;
        }
        // The end of the file, or it cannot be mapped here: reads go on from this offset.
        mapping_ = false;
        path_ = InputPath::read;
        seek_ = true;
      }
    }
    return read_block();
  }

 private:
  static constexpr std::uint64_t kFirstProbe = std::uint64_t{8} << 20;
  static constexpr std::uint64_t kProbeWindows = 2;

  struct Cost {
    std::uint64_t ns = 0;
    std::uint64_t bytes = 0;
    double per_byte() const { return static_cast<double>(ns) / static_cast<double>(bytes); }
  };

  // Switches to mapping when a probe is due, and back when mapped windows cost more per byte than
  // the reads before them.
  void choose() {
    if (!mapping_) {
      if (read_bytes_ < next_probe_ || read_cost_.bytes == 0) return;
      mapping_ = true;
      map_cost_ = {};
      mapped_->seek_to(position_);
      return;
    }
    if (map_cost_.bytes < kProbeWindows * window_ || map_cost_.per_byte() < read_cost_.per_byte()) return;
    mapping_ = false;
    seek_ = true;
    probe_interval_ *= 4;
    next_probe_ = read_bytes_ + probe_interval_;
    read_cost_ = {};  // measured afresh before the next probe
  }

  Block read_block() {
    if (seek_) {
      if (::lseek(fd_, static_cast<off_t>(position_), SEEK_SET) < 0) throw InputError(std::strerror(errno));
      seek_ = false;
    }
    const std::size_t n = read_some(fd_, buffer_.get(), next_read_);
    measured_mapped_ = false;
    measured_bytes_ = n == capacity_ ? n : 0;  // whole blocks only: the first, small ones cost more per byte
    if (n == next_read_) next_read_ = std::min(capacity_, 2 * next_read_);
    read_bytes_ += n;
    position_ += n;
    return Block{std::string_view(buffer_.get(), n), false, /*nul_unchecked=*/true, nullptr};
  }

  int fd_;
  std::size_t capacity_;
  ReadBuffer buffer_;
  std::size_t next_read_;
  std::size_t window_ = 0;
  InputPath path_;
  std::unique_ptr<MappedStream> mapped_;
  bool mapping_ = false;
  bool seek_ = false;  // the file offset is not at position_ (windows were mapped)
  std::uint64_t position_ = 0;  // input offset of the next byte to hand out
  std::uint64_t read_bytes_ = 0;
  std::uint64_t probe_interval_ = kFirstProbe;
  std::uint64_t next_probe_ = kFirstProbe;
  // The block handed out last: when it was fetched, how it came and its size (0: not measured).
  std::uint64_t fetched_at_ = 0;
  bool measured_mapped_ = false;
  std::size_t measured_bytes_ = 0;
  Cost read_cost_, map_cost_;
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
  if (start < 0) return nullptr;
  GuardedWindow* guard = claim_guard_slot();
  if (guard == nullptr) return nullptr;  // the caller reads
  const std::size_t pages = std::max<std::size_t>(1, window / g_page_size);
  return std::make_unique<MappedStream>(fd, guard, static_cast<std::uint64_t>(start), pages * g_page_size,
                                        /*populate=*/false);
}

std::unique_ptr<ByteStream> make_file_stream(int fd, std::size_t block_size, std::size_t window, InputPath path) {
  return std::make_unique<AdaptiveStream>(fd, block_size, window, path);
}

}  // namespace logsift
