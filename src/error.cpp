#include "logsift/error.hpp"

#include <fmt/format.h>

namespace logsift {

std::string quote(std::string_view value) {
  if (value.size() <= kQuoteLimit) return fmt::format("'{}'", value);
  std::size_t cut = kQuoteLimit;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  return fmt::format("'{}...' ({} bytes)", value.substr(0, cut), value.size());
}

UsageError bad_value(std::string_view flag, std::string_view value, std::string_view why) {
  return UsageError(fmt::format("{} {}: {}", flag, quote(value), why));
}

}  // namespace logsift
