// -z (--null-data): records end in NUL instead of newline. The line splitter knows only '\n', so
// the stream's bytes are read with '\n' and NUL swapped, and each line's text is swapped back
// before anything else sees it: stages, PATTERN and the printer see the record as it is, with its
// newlines (which PATTERN's '.' and classes match, as in grep -z).
#pragma once

#include <memory>

#include "logsift/byte_stream.hpp"
#include "logsift/generator.hpp"
#include "logsift/line.hpp"

namespace logsift {

// `stream`'s blocks, copied with every '\n' turned into NUL and every NUL into '\n'. The blocks
// say no NUL is in them: under -z a NUL is a terminator, not a sign of a binary file.
std::unique_ptr<ByteStream> swap_nul_and_newline(std::unique_ptr<ByteStream> stream);

// The lines of `lines` with NUL turned back into '\n' (a line without NUL passes as it is).
generator<Line> restore_newlines(generator<Line> lines);

}  // namespace logsift
