// Source: the lazy line generator over one input file descriptor.
// It read(2)s into one reused buffer (grown only for a line longer than it: memory is
// O(buffer + longest line)) and yields Lines whose `text` views that buffer: a view is valid only
// until the next line is requested. Nothing is read before the first line is asked for.
// With a pushed-down predicate it searches the raw buffer and yields only the lines that pass it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "logsift/generator.hpp"
#include "logsift/line.hpp"

namespace logsift {

class Matcher;

// What the source learnt about its input while reading; owned jointly by the source and whoever
// reports on the input (the sink), so it outlives the generator if needed.
struct InputState {
  bool saw_nul = false;           // a NUL byte was read: grep calls such a file binary
  std::uint64_t bytes_read = 0;
};

struct SourceOptions {
  std::size_t buffer_size = std::size_t{256} * 1024;
  // Predicate pushdown: when set, only lines for which `select->matches(line) != invert` are
  // yielded, found by searching the whole buffer rather than line by line.
  std::shared_ptr<const Matcher> select;
  bool invert = false;
  // Line numbers cost a newline count over skipped bytes; callers that never print them can skip it.
  bool count_lines = true;
};

// Throws InputError with strerror's text when read(2) fails (for example on a directory).
// Does not close `fd`: the caller owns it.
generator<Line> read_lines(int fd, SourceOptions options, std::shared_ptr<InputState> state);

}  // namespace logsift
