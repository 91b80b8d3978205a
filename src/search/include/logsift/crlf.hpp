// --crlf: "\r\n" ends a line as "\n" does, as ripgrep's --crlf. A '\r' before a line's '\n' is
// taken off its text (so `$`, -x and -o see the line without it) and the line is marked `crlf`,
// so that the printer puts it back: lines are printed as they were read.
#pragma once

#include "logsift/generator.hpp"
#include "logsift/line.hpp"

namespace logsift {

// The lines of `lines`, each without the '\r' that ended it (then marked crlf).
generator<Line> strip_carriage_returns(generator<Line> lines);

}  // namespace logsift
