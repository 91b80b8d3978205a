#include "logsift/error.hpp"

#include <fmt/format.h>

namespace logsift {

namespace {

// The first kQuoteLimit bytes of a longer text, not cutting a UTF-8 character.
std::string_view head(std::string_view text) {
  std::size_t cut = kQuoteLimit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

}  // namespace

std::string quote(std::string_view value) {
  if (value.size() <= kQuoteLimit) return fmt::format("'{}'", value);
  return fmt::format("'{}...' ({} bytes)", head(value), value.size());
}

std::string shorten(std::string_view text) {
  if (text.size() <= kQuoteLimit) return std::string(text);
  return fmt::format("{}... ({} bytes)", head(text), text.size());
}

UsageError bad_value(std::string_view flag, std::string_view value, std::string_view why) {
  return UsageError(fmt::format("{} {}: {}", flag, quote(value), why));
}

}  // namespace logsift
