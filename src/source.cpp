#include "logsift/source.hpp"

#include <fcntl.h>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "logsift/byte_scan.hpp"
#include "logsift/decompress.hpp"
#include "logsift/follow.hpp"
#include "logsift/matcher.hpp"

namespace logsift {
namespace {

std::size_t line_end_at(std::string_view chunk, std::size_t begin) {
  const void* nl = std::memchr(chunk.data() + begin, '\n', chunk.size() - begin);
  return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - chunk.data()) : chunk.size();
}

// The lines of one chunk: whole lines separated by '\n', the last without its terminator (so
// every position after a '\n' starts a line, the chunk's end included). `next_number` is the
// number of the chunk's first line on entry and one past its last line on exit.
generator<Line> chunk_lines(std::string_view chunk, std::uint64_t base_offset, std::uint64_t* next_number,
                            const Matcher* select, bool invert, bool count_lines) {
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
      const std::optional<Span> hit = select->next_matching_line(chunk, pos);
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
    const std::optional<Span> hit = select->next_matching_line(chunk, pos);
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
      for (const Line& line : chunk_lines(carry, carry_offset, &next_number, select, options.invert, options.count_lines)) {
        co_yield line;
      }
    }
    // Every complete line left in the block, searched as one chunk.
    const void* last_nl = pos < bytes.size() ? ::memrchr(bytes.data() + pos, '\n', bytes.size() - pos) : nullptr;
    if (last_nl != nullptr) {
      const auto end = static_cast<std::size_t>(static_cast<const char*>(last_nl) - bytes.data());
      for (const Line& line : chunk_lines(bytes.substr(pos, end - pos), block_offset + pos, &next_number, select,
                                          options.invert, options.count_lines)) {
        co_yield line;
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
    for (Line line : chunk_lines(carry, carry_offset, &next_number, select, options.invert, options.count_lines)) {
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
