// Line: one input line as it flows from the source through the stages into the sink; Span: a byte
// range of its text (a match, a field).
// `text` excludes the line terminator ('\n'; a '\r' before it is kept, as grep keeps it) and is a
// view into storage owned by whoever yielded it: valid only until the next line is requested.
// `number` (1-based) and `offset` (byte offset of the line start) are the input's, whatever a stage did.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace logsift {

struct Line {
  std::string_view text;
  std::uint64_t number = 0;
  std::uint64_t offset = 0;
  bool terminated = true;  // false only for a last line that had no '\n' in the input
  bool crlf = false;       // --crlf: a '\r' that ended the line was taken off `text`
};

// A match or a field within a line: byte offsets [begin, end) into Line::text.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const noexcept { return end - begin; }
  bool empty() const noexcept { return begin == end; }
  friend bool operator==(const Span&, const Span&) = default;
};

}  // namespace logsift
