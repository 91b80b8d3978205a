// UTF-8 without a locale: how long the character at a position is, and whether a text is
// well-formed. Three steps, each kept exactly as the code that uses it always behaved: strict
// (a whole well-formed sequence, else one byte), lenient (a lead byte and its continuation bytes,
// overlongs and surrogates included) and the next lead byte. Nothing here allocates or throws.
#pragma once

#include <cstddef>
#include <string_view>

namespace logsift {

// Length of the character at `pos` (< text.size()): a whole well-formed UTF-8 sequence (no overlong
// forms, surrogates or code points past U+10FFFF), else 1: an invalid byte counts alone, as
// Python's surrogateescape decodes it.
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 1;
  }
  if (pos + length > text.size()) return 1;
  if (byte(pos + 1) < low || byte(pos + 1) > high) return 1;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(pos + i) < 0x80 || byte(pos + i) > 0xBF) return 1;
  }
  return length;
}

// Length of the character at `pos` (< text.size()) read leniently: a lead byte C2-F4 followed by
// the continuation bytes it announces, else 1. Unlike utf8_sequence_length it takes overlong
// forms, surrogates and code points past U+10FFFF (E0 80 80, ED A0 80, F4 90 80 80) as one unit;
// the pattern translator relies on it, so that "\xE0\x80\x80*" repeats all three bytes.
inline std::size_t utf8_lenient_length(std::string_view text, std::size_t pos) noexcept {
  const auto lead = static_cast<unsigned char>(text[pos]);
  std::size_t length = 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
  }
  if (pos + length > text.size()) return 1;
  for (std::size_t i = 1; i < length; ++i) {
    if ((static_cast<unsigned char>(text[pos + i]) & 0xC0) != 0x80) return 1;
  }
  return length;
}

// The position after the byte at `pos` and any continuation bytes (10xxxxxx) that follow it: one
// character, or one stray byte with the stray continuation bytes after it, in one step.
inline std::size_t utf8_next_lead(std::string_view text, std::size_t pos) noexcept {
  ++pos;
  while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
  return pos;
}

// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace logsift
