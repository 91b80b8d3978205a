#include "logsift/crlf.hpp"

namespace logsift {

generator<Line> strip_carriage_returns(generator<Line> lines) {
  for (Line line : lines) {
    // Also at the end of a last line without '\n', as in ripgrep.
    if (!line.text.empty() && line.text.back() == '\r') {
      line.text.remove_suffix(1);
      line.crlf = true;
    }
    co_yield line;
  }
}

}  // namespace logsift
