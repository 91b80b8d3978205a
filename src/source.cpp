#include "logsift/source.hpp"

#include <fcntl.h>

#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "logsift/byte_scan.hpp"
#include "logsift/decompress.hpp"
#include "logsift/follow.hpp"
#include "logsift/matcher.hpp"
#include "logsift/output.hpp"

namespace logsift {
namespace {

std::size_t line_end_at(std::string_view chunk, std::size_t begin) {
  const void* nl = std::memchr(chunk.data() + begin, '\n', chunk.size() - begin);
  return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - chunk.data()) : chunk.size();
}

// Where the matching lines of a chunk are: searched for as the lines are wanted, or taken from
// the spans a SearchHelper found ahead (then searched for only past `found_up_to`).
class MatchingLines {
 public:
  explicit MatchingLines(const Matcher* matcher) : matcher_(matcher) {}
  MatchingLines(const Matcher* matcher, const std::vector<Span>* found, std::size_t found_up_to)
      : matcher_(matcher), found_(found), found_up_to_(found_up_to) {}

  // The first matching line of `chunk` that starts at or after `from` (a line start).
  std::optional<Span> next(std::string_view chunk, std::size_t from) {
    if (found_ == nullptr || from >= found_up_to_) return matcher_->next_matching_line(chunk, from);
    while (next_found_ < found_->size() && (*found_)[next_found_].begin < from) ++next_found_;
    if (next_found_ < found_->size()) return (*found_)[next_found_];
    return found_up_to_ <= chunk.size() ? matcher_->next_matching_line(chunk, found_up_to_) : std::nullopt;
  }

 private:
  const Matcher* matcher_;
  const std::vector<Span>* found_ = nullptr;  // ascending, relative to the chunk
  std::size_t found_up_to_ = 0;               // every match before this offset is in found_
  std::size_t next_found_ = 0;
};

// A thread that searches one chunk while the consumer works through another: the consumer's
// thread takes the first half of a block, this one the second. Its matcher is a twin, so the two
// threads share no RE2 locks. start() and collect() alternate; the chunk must stay valid until
// collect() returns.
class SearchHelper {
 public:
  // At most this many spans per chunk (lines of a few bytes that all match would otherwise make
  // the list as big as the block); past them the consumer searches the rest itself.
  static constexpr std::size_t kMaxSpans = 4096;

  explicit SearchHelper(std::shared_ptr<const Matcher> matcher) : matcher_(std::move(matcher)) {}

  ~SearchHelper() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void start(std::string_view chunk) {
    {
      std::lock_guard lock(mutex_);
      chunk_ = chunk;
      busy_ = true;
    }
    if (!thread_.joinable()) {
      const SignalsHeld held;  // SIGINT/SIGTERM stay with the thread that writes the output
      thread_ = std::thread([this] { run(); });
    }
    changed_.notify_all();
  }

  // Waits for the search of the chunk given to start(); rethrows what it threw.
  MatchingLines collect(const Matcher* consumer_matcher) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !busy_; });
    if (error_) std::rethrow_exception(std::exchange(error_, {}));
    return MatchingLines(consumer_matcher, &spans_, found_up_to_);
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [this] { return stopping_ || busy_; });
      if (stopping_) return;
      const std::string_view chunk = chunk_;
      lock.unlock();
      std::exception_ptr error;
      std::size_t found_up_to = chunk.size() + 1;
      spans_.clear();
      try {
        for (std::size_t pos = 0; pos <= chunk.size();) {
          if (spans_.size() == kMaxSpans) {
            found_up_to = pos;
            break;
          }
          const std::optional<Span> hit = matcher_->next_matching_line(chunk, pos);
          if (!hit) break;
          spans_.push_back(*hit);
          pos = hit->end + 1;
        }
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      found_up_to_ = found_up_to;
      error_ = error;
      busy_ = false;
      changed_.notify_all();
    }
  }

  std::shared_ptr<const Matcher> matcher_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string_view chunk_;
  bool busy_ = false;  // a chunk was given and its spans are not ready yet
  bool stopping_ = false;
  // Written by the helper while busy_, read by the consumer after collect(): the mutex orders them.
  std::vector<Span> spans_;
  std::size_t found_up_to_ = 0;
  std::exception_ptr error_;
};

// Chunks smaller than this are searched by the consumer alone: the hand-over would cost more than
// the half it saves.
constexpr std::size_t kMinChunkToShare = 16 * 1024;

// The lines of one chunk: whole lines separated by '\n', the last without its terminator (so
// every position after a '\n' starts a line, the chunk's end included). `next_number` is the
// number of the chunk's first line on entry and one past its last line on exit. Without a
// `select` matcher every line is yielded.
generator<Line> chunk_lines(std::string_view chunk, std::uint64_t base_offset, std::uint64_t* next_number,
                            const Matcher* select, MatchingLines matching, bool invert, bool count_lines) {
  std::size_t pos = 0;
  auto make_line = [&](std::size_t begin, std::size_t end) {
    return Line{chunk.substr(begin, end - begin), *next_number, base_offset + begin};
  };
  // Moves `pos` to `to` (a line start), keeping the line number in step.
  auto skip_to = [&](std::size_t to) {
    if (count_lines) *next_number += count_newlines(chunk.data() + pos, chunk.data() + to);
    pos = to;
  };

  if (select == nullptr) {
    for (;;) {
      const std::size_t end = line_end_at(chunk, pos);
      co_yield make_line(pos, end);
      ++*next_number;
      if (end >= chunk.size()) co_return;
      pos = end + 1;
    }
  }
  if (!invert) {
    for (;;) {
      const std::optional<Span> hit = matching.next(chunk, pos);
      if (!hit) {
        skip_to(chunk.size());
        ++*next_number;  // past the chunk's last line
        co_return;
      }
      skip_to(hit->begin);
      co_yield make_line(hit->begin, hit->end);
      ++*next_number;
      if (hit->end >= chunk.size()) co_return;
      pos = hit->end + 1;
    }
  }
  // Inverted: every line before the next match is selected, the match itself is skipped.
  for (;;) {
    const std::optional<Span> hit = matching.next(chunk, pos);
    const std::size_t stop = hit ? hit->begin : chunk.size() + 1;
    while (pos < stop) {
      const std::size_t end = line_end_at(chunk, pos);
      co_yield make_line(pos, end);
      ++*next_number;
      pos = end + 1;
    }
    if (!hit) co_return;
    ++*next_number;
    if (hit->end >= chunk.size()) co_return;
    pos = hit->end + 1;
  }
}

}  // namespace

generator<Line> split_lines(std::unique_ptr<ByteStream> stream, SourceOptions options,
                            std::shared_ptr<InputState> state) {
  const Matcher* select = options.select.get();
  std::optional<SearchHelper> helper;
  if (select != nullptr && options.helper_select) helper.emplace(options.helper_select);
  std::uint64_t next_number = 1;
  std::uint64_t block_offset = options.start_offset;  // input offset of the current block
  std::string carry;               // the start of a line that continues in the next block
  std::uint64_t carry_offset = 0;
  bool carrying = false;

  for (;;) {
    const Block block = stream->next();
    if (block.bytes.empty()) break;
    if (block.has_nul) state->saw_nul = true;
    state->bytes_read += block.bytes.size();
    if (options.progress != nullptr) options.progress->fetch_add(block.bytes.size(), std::memory_order_relaxed);
    const std::string_view bytes = block.bytes;
    std::size_t pos = 0;

    if (carrying) {
      const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
      if (nl == nullptr) {  // a line longer than a block: keep collecting
        carry.append(bytes);
        block_offset += bytes.size();
        continue;
      }
      pos = static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data());
      carry.append(bytes.substr(0, pos));
      ++pos;
      carrying = false;
      for (const Line& line : chunk_lines(carry, carry_offset, &next_number, select, MatchingLines(select),
                                          options.invert, options.count_lines)) {
        co_yield line;
      }
    }
    // Every complete line left in the block, searched as one chunk.
    const void* last_nl = pos < bytes.size() ? ::memrchr(bytes.data() + pos, '\n', bytes.size() - pos) : nullptr;
    if (last_nl != nullptr) {
      const auto end = static_cast<std::size_t>(static_cast<const char*>(last_nl) - bytes.data());
      const std::string_view chunk = bytes.substr(pos, end - pos);
      // With a helper, the second half (from the line after the middle) is searched on its thread.
      const void* middle_nl = helper && chunk.size() >= kMinChunkToShare
                                  ? std::memchr(chunk.data() + chunk.size() / 2, '\n', chunk.size() - chunk.size() / 2)
                                  : nullptr;
      if (middle_nl == nullptr) {
        for (const Line& line : chunk_lines(chunk, block_offset + pos, &next_number, select, MatchingLines(select),
                                            options.invert, options.count_lines)) {
          co_yield line;
        }
      } else {
        const auto split = static_cast<std::size_t>(static_cast<const char*>(middle_nl) - chunk.data());
        const std::string_view second = chunk.substr(split + 1);
        helper->start(second);
        for (const Line& line : chunk_lines(chunk.substr(0, split), block_offset + pos, &next_number, select,
                                            MatchingLines(select), options.invert, options.count_lines)) {
          co_yield line;
        }
        for (const Line& line : chunk_lines(second, block_offset + pos + split + 1, &next_number, select,
                                            helper->collect(select), options.invert, options.count_lines)) {
          co_yield line;
        }
      }
      pos = end + 1;
    }
    state->lines_read = next_number - 1;
    if (pos < bytes.size()) {
      carry.assign(bytes.substr(pos));
      carry_offset = block_offset + pos;
      carrying = true;
    }
    block_offset += bytes.size();
  }
  if (carrying) {  // a last line without '\n'
    for (Line line : chunk_lines(carry, carry_offset, &next_number, select, MatchingLines(select), options.invert,
                                 options.count_lines)) {
      line.terminated = false;
      co_yield line;
    }
  }
  state->lines_read = next_number - 1;
}

generator<Line> read_lines(int fd, SourceOptions options, std::shared_ptr<InputState> state) {
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::unique_ptr<ByteStream> stream;
  if (!options.follow_path.empty()) {
    stream = make_follow_stream(fd, options.follow_path, options.buffer_size);
  } else if (options.read_ahead) {
    stream = make_read_ahead_stream(fd, options.buffer_size, options.read_ahead_blocks);
  } else {
    stream = make_fd_stream(fd, options.buffer_size);
  }
  if (options.decoding == SourceOptions::Decoding::automatic) {
    stream = decompressing_stream(std::move(stream));
  } else if (options.decoding == SourceOptions::Decoding::forced) {
    stream = decompressing_stream(std::move(stream), Compression::none);
  }
  return split_lines(std::move(stream), std::move(options), std::move(state));
}

}  // namespace logsift
