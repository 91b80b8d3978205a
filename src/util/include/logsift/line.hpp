// Line: one input line as it flows from the source through the stages into the sink.
// `text` excludes the line terminator ('\n'; a '\r' before it is kept, as grep keeps it) and is a
// view into storage owned by whoever yielded it: valid only until the next line is requested.
// `number` (1-based) and `offset` (byte offset of the line start) are the input's, whatever a stage did.
#pragma once

#include <cstdint>
#include <string_view>

namespace logsift {

struct Line {
  std::string_view text;
  std::uint64_t number = 0;
  std::uint64_t offset = 0;
  bool terminated = true;  // false only for a last line that had no '\n' in the input
};

}  // namespace logsift
