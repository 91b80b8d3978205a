#include "logsift/source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "logsift/byte_scan.hpp"
#include "logsift/error.hpp"
#include "logsift/matcher.hpp"

namespace logsift {
namespace {

// Reads once, retrying on EINTR. Returns bytes read (0 at end of input).
std::size_t read_some(int fd, char* into, std::size_t capacity) {
  for (;;) {
    ssize_t n = ::read(fd, into, capacity);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    throw InputError(std::strerror(errno));
  }
}

}  // namespace

generator<Line> read_lines(int fd, SourceOptions options, std::shared_ptr<InputState> state) {
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

  std::vector<char> buffer(options.buffer_size == 0 ? 4096 : options.buffer_size);
  std::size_t filled = 0;        // bytes of `buffer` holding input
  std::uint64_t base_offset = 0;  // input offset of buffer[0]
  std::uint64_t next_number = 1;
  bool at_eof = false;
  const Matcher* select = options.select.get();

  while (!at_eof) {
    if (filled == buffer.size()) buffer.resize(buffer.size() * 2);  // a line longer than the buffer
    std::size_t got = read_some(fd, buffer.data() + filled, buffer.size() - filled);
    if (got == 0) {
      at_eof = true;
    } else {
      if (!state->saw_nul && std::memchr(buffer.data() + filled, '\0', got) != nullptr) {
        state->saw_nul = true;
      }
      state->bytes_read += got;
      filled += got;
    }

    // The chunk is every complete line; at end of input, also a final unterminated line.
    std::size_t chunk_end;  // one past the last '\n' to consume (or `filled` at EOF)
    if (at_eof) {
      chunk_end = filled;
    } else {
      const void* last_nl = ::memrchr(buffer.data(), '\n', filled);
      if (last_nl == nullptr) continue;  // no complete line yet: read more (growing if full)
      chunk_end = static_cast<std::size_t>(static_cast<const char*>(last_nl) - buffer.data()) + 1;
    }
    if (chunk_end == 0) break;

    // Lines of the chunk without the final terminator, so every line is [start, '\n' or end).
    const bool ends_with_newline = buffer[chunk_end - 1] == '\n';
    const std::string_view chunk(buffer.data(), ends_with_newline ? chunk_end - 1 : chunk_end);
    std::size_t pos = 0;

    auto make_line = [&](std::size_t begin, std::size_t end) {
      return Line{chunk.substr(begin, end - begin), next_number, base_offset + begin};
    };
    auto line_end_at = [&](std::size_t begin) {
      const void* nl = std::memchr(chunk.data() + begin, '\n', chunk.size() - begin);
      return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - chunk.data()) : chunk.size();
    };
    // Moves `pos` to `to` (a line start), keeping the line number in step.
    auto skip_to = [&](std::size_t to) {
      if (options.count_lines) next_number += count_newlines(chunk.data() + pos, chunk.data() + to);
      pos = to;
    };

    if (select == nullptr) {
      for (;;) {
        std::size_t end = line_end_at(pos);
        co_yield make_line(pos, end);
        ++next_number;
        if (end >= chunk.size()) break;
        pos = end + 1;
      }
    } else if (!options.invert) {
      while (pos <= chunk.size()) {
        std::optional<Span> hit = select->next_matching_line(chunk, pos);
        if (!hit) {
          skip_to(chunk.size());
          ++next_number;  // past the chunk's last line
          break;
        }
        skip_to(hit->begin);
        co_yield make_line(hit->begin, hit->end);
        ++next_number;
        if (hit->end >= chunk.size()) break;
        pos = hit->end + 1;
      }
    } else {
      // Inverted: every line before the next match is selected, the match itself is skipped.
      for (;;) {
        std::optional<Span> hit = select->next_matching_line(chunk, pos);
        std::size_t stop = hit ? hit->begin : chunk.size() + 1;
        while (pos < stop) {
          std::size_t end = line_end_at(pos);
          co_yield make_line(pos, end);
          ++next_number;
          pos = end + 1;
        }
        if (!hit) break;
        ++next_number;
        if (hit->end >= chunk.size()) break;
        pos = hit->end + 1;
      }
    }

    // Keep the unconsumed partial line for the next read.
    std::size_t rest = filled - chunk_end;
    if (rest > 0) std::memmove(buffer.data(), buffer.data() + chunk_end, rest);
    filled = rest;
    base_offset += chunk_end;
  }
}

}  // namespace logsift
