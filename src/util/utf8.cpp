#include "logsift/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace logsift {

bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t pos = 0;
  while (pos < text.size()) {
    // Most log text is ASCII: skip it eight bytes at a time.
    while (text.size() - pos >= 8) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + pos, 8);
      if (word & 0x8080808080808080ULL) break;
      pos += 8;
    }
    if (pos >= text.size()) break;
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    // A non-ASCII byte is one unit only when it starts no well-formed sequence.
    const std::size_t length = utf8_sequence_length(text, pos);
    if (length == 1) return false;
    pos += length;
  }
  return true;
}

}  // namespace logsift
