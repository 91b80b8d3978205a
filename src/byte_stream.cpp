#include "logsift/byte_stream.hpp"

#include <pthread.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "logsift/error.hpp"
#include "logsift/output.hpp"

namespace logsift {
namespace {

bool contains_nul(const char* data, std::size_t size) { return std::memchr(data, '\0', size) != nullptr; }

// Reads start small and double up to the block size: `-l`, `-q` and `-m 1` usually stop within
// the first few KiB, and every page of a block read is a page fault paid for before the search.
constexpr std::size_t kFirstRead = 64 * 1024;

class FdStream final : public ByteStream {
 public:
  FdStream(int fd, std::size_t block_size)
      : fd_(fd),
        capacity_(block_size == 0 ? 4096 : block_size),
        buffer_(new char[capacity_]),  // uninitialised: pages are touched only as reads fill them
        next_read_(std::min(capacity_, kFirstRead)) {}

  Block next() override {
    const std::size_t n = read_some(fd_, buffer_.get(), next_read_);
    if (n == next_read_) next_read_ = std::min(capacity_, 2 * next_read_);
    return Block{std::string_view(buffer_.get(), n), contains_nul(buffer_.get(), n)};
  }

 private:
  int fd_;
  std::size_t capacity_;
  std::unique_ptr<char[]> buffer_;
  std::size_t next_read_;
};

class ReadAheadStream final : public ByteStream {
 public:
  ReadAheadStream(int fd, std::size_t block_size, std::size_t blocks)
      : fd_(fd), slots_(blocks < 2 ? 2 : blocks) {
    for (Slot& slot : slots_) slot.data.resize(block_size == 0 ? 4096 : block_size);
  }

  ~ReadAheadStream() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    if (reader_.joinable()) reader_.join();
  }

  Block next() override {
    std::unique_lock lock(mutex_);
    if (!reader_.joinable()) {  // lazily: nothing is read before the first block is asked for
      // SIGINT/SIGTERM belong to the thread that writes the results (see SignalsHeld).
      const SignalsHeld held;
      reader_ = std::thread([this] { fill(); });
    }
    if (holding_) {
      holding_ = false;  // the consumer is done with the previous block: the reader may refill it
      changed_.notify_all();
    }
    changed_.wait(lock, [this] { return filled_ > 0 || finished_; });
    if (filled_ == 0) {
      if (error_) std::rethrow_exception(std::exchange(error_, {}));
      return {};
    }
    Slot& slot = slots_[next_take_];
    next_take_ = (next_take_ + 1) % slots_.size();
    --filled_;
    holding_ = true;
    return Block{std::string_view(slot.data.data(), slot.size), slot.has_nul};
  }

 private:
  struct Slot {
    std::vector<char> data;
    std::size_t size = 0;
    bool has_nul = false;
  };

  // The reader thread: fills free slots in ring order until end of input, an error, or stop.
  void fill() {
    std::size_t next_fill = 0;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return stopping_ || filled_ + (holding_ ? 1 : 0) < slots_.size(); });
        if (stopping_) return;
      }
      // The slot at next_fill is free and only this thread touches it until it is published.
      Slot& slot = slots_[next_fill];
      std::exception_ptr error;
      std::size_t size = 0;
      try {
        while (size < slot.data.size()) {  // whole blocks: fewer hand-overs
          const std::size_t n = read_some(fd_, slot.data.data() + size, slot.data.size() - size);
          if (n == 0) break;
          size += n;
        }
      } catch (...) {
        error = std::current_exception();
      }
      slot.size = size;
      slot.has_nul = contains_nul(slot.data.data(), size);  // here, in parallel with the consumer
      {
        std::lock_guard lock(mutex_);
        if (size > 0) {
          ++filled_;
          next_fill = (next_fill + 1) % slots_.size();
        }
        if (error || size < slot.data.size()) {
          error_ = error;
          finished_ = true;
        }
      }
      changed_.notify_all();
      if (error || size < slot.data.size()) return;
    }
  }

  int fd_;
  std::vector<Slot> slots_;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t filled_ = 0;     // slots published and not yet taken
  std::size_t next_take_ = 0;  // the oldest published slot
  bool holding_ = false;       // the consumer holds the slot before next_take_
  bool finished_ = false;      // no more slots will be published
  bool stopping_ = false;
  std::exception_ptr error_;
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

std::unique_ptr<ByteStream> make_read_ahead_stream(int fd, std::size_t block_size, std::size_t blocks) {
  return std::make_unique<ReadAheadStream>(fd, block_size, blocks);
}

}  // namespace logsift
