// InputState: what the line source learnt about one input while reading it (a NUL seen, bytes and
// lines read). Its own header so that the sink, which reports on the input, sees these counters
// and not the source's reading machinery.
#pragma once

#include <cstdint>

namespace logsift {

// What the source learnt about its input while reading; owned jointly by the source and whoever
// reports on the input (the sink), so it outlives the generator if needed.
struct InputState {
  bool saw_nul = false;           // a NUL byte was read: grep calls such a file binary
  std::uint64_t bytes_read = 0;
  std::uint64_t lines_read = 0;  // complete chunks so far; exact only when lines are counted
};

}  // namespace logsift
