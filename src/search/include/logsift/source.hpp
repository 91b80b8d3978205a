// Source: the lazy line generator over one input, split from the blocks of a ByteStream.
// Lines are yielded as views into the current block (or, for a line spanning blocks, into a
// carry buffer that grows to the longest such line: memory is O(blocks + longest line)); a view is
// valid only until the next line is requested. Nothing is read before the first line is asked for.
// With a pushed-down predicate it searches whole blocks and yields only the lines that pass it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "logsift/byte_stream.hpp"
#include "logsift/generator.hpp"
#include "logsift/input_state.hpp"
#include "logsift/line.hpp"
#include "logsift/open_input.hpp"

namespace logsift {

class Matcher;

// What to search for in the lines, on top of how the input is read (StreamOptions, open_input.hpp).
struct SourceOptions : StreamOptions {
  // Predicate pushdown: when set, only lines for which `select->matches(line) != invert` are
  // yielded, found by searching the whole buffer rather than line by line.
  std::shared_ptr<const Matcher> select;
  bool invert = false;
  // A second predicate yielded lines must also match (with `select`, never with `invert`): a
  // --keep and PATTERN both pushed down. Of the two, the one that matches fewer lines of the first
  // 128 KiB is searched for over the buffer and the other checked on each line found.
  std::shared_ptr<const Matcher> also_select;
  // A twin of `select` (Matcher::twin) for a worker thread that searches the later part of each
  // block of more than 16 KiB (looking for NULs on the way, and counting its newlines) while this
  // thread yields the earlier part; output keeps the input's order. Memory: one list of <= 16384
  // spans.
  std::shared_ptr<const Matcher> helper_select;
  std::shared_ptr<const Matcher> helper_also_select;  // a twin of also_select, needed with it
  // The worker joins only after this many bytes of input. Many searches end within them (-m,
  // --take, the head of a file), and for those starting the worker and handing it parts of blocks
  // costs more than it saves: `--take 1000` over 6.6 MiB took 3.0 ms with it and 2.6 ms without,
  // `-m 1` 1.8 ms against 1.0 ms. On a whole big file it is well under 1% more time.
  std::uint64_t search_alone_first = std::uint64_t{16} << 20;
  // Line numbers cost a newline count over skipped bytes; callers that never print them can skip it.
  bool count_lines = true;
  // Whether InputState::saw_nul must be kept up to date. Callers that never print a line (counts,
  // file lists) can turn it off: a mapped file is then not searched for NULs at all. Streams that
  // check their blocks themselves (read(2), decoders) still do.
  bool detect_binary = true;
  // GNU grep's binary input: once a block holds a NUL, its NULs end lines as '\n' does (so a run
  // of NULs without a newline is many empty lines, not one line that grows without bound). Off
  // with -a (a NUL is then just a byte). See ends_lines_at_nuls in source.cpp for which blocks are
  // looked at.
  bool nul_ends_lines = false;
  // -z: records end in NUL. The stream's '\n' and NUL are swapped (null_data.hpp); lines are
  // split at what were NULs, and their text must be swapped back by the caller (restore_newlines).
  bool null_data = false;
  // The input offset of the first byte read (the caller seeked there), so -b offsets stay right.
  std::uint64_t start_offset = 0;
  // The number of the line at start_offset (--follow-last counts the lines it skips).
  std::uint64_t first_line_number = 1;
};

// Lines of `fd`. Throws InputError with strerror's text when read(2) fails (for example on a
// directory). Does not close `fd`: the caller owns it.
generator<Line> read_lines(int fd, SourceOptions options, std::shared_ptr<InputState> state);

// Lines of any byte stream (a decoder, for instance), with the same contract.
generator<Line> split_lines(std::unique_ptr<ByteStream> stream, SourceOptions options,
                            std::shared_ptr<InputState> state);

}  // namespace logsift
