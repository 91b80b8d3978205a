// Pattern translation (-G basic, -E extended, -F literal) takes arbitrary user bytes: it may
// reject them only with a UsageError, and what it accepts must then either compile or be rejected
// by the Matcher with a UsageError too (RE2's own limits, invalid UTF-8). Where the meaning is
// known without a regex engine, it is checked as well:
//   - a BRE made only of bytes that are literal in BRE (no \ [ * . ^ $) matches exactly the
//     lines that contain it, ( ) { } | + ? included;
//   - -F matches exactly the lines containing the literal;
//   - -x of -F matches exactly the line equal to the literal.
//
// Input: [flags] [pattern...]; flags bit 0: -i, bit 1: -w, bit 2: -x.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logsift/error.hpp"
#include "logsift/matcher.hpp"
#include "logsift/pattern_syntax.hpp"

namespace {

[[noreturn]] void fail(const char* what, std::string_view pattern) {
  std::fprintf(stderr, "fuzz_bre: %s for pattern of %zu bytes: '", what, pattern.size());
  for (unsigned char c : pattern) std::fprintf(stderr, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
  std::fprintf(stderr, "'\n");
  std::abort();
}

// Builds a Matcher; only a UsageError may stop it. Null when it was rejected.
std::unique_ptr<logsift::Matcher> try_matcher(const std::string& pattern, logsift::MatcherOptions options) {
  try {
    return std::make_unique<logsift::Matcher>(std::vector<std::string>{pattern}, options);
  } catch (const logsift::UsageError&) {
    return nullptr;
  }
}

bool valid_utf8(std::string_view s) {
  // Enough to know whether RE2 (UTF-8 mode) will take a literal pattern as it is.
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    const unsigned cp = n == 2 ? ((c & 0x1F) << 6 | (s[i + 1] & 0x3F))
                      : n == 3 ? ((c & 0x0F) << 12 | (s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F))
                      : n == 4 ? ((c & 0x07) << 18 | (s[i + 1] & 0x3F) << 12 | (s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3F))
                               : c;
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  const std::string pattern(reinterpret_cast<const char*>(data) + 1, size - 1);

  logsift::MatcherOptions options;
  options.ignore_case = (flags & 1) != 0;
  options.word = (flags & 2) != 0;
  options.whole_line = (flags & 4) != 0;

  // The Matcher takes a pattern with newlines as one pattern per line, as grep does, and
  // translates each line alone.
  bool basic_ok = true;
  for (std::size_t start = 0; start <= pattern.size();) {
    std::size_t end = pattern.find('\n', start);
    if (end == std::string::npos) end = pattern.size();
    const std::string_view piece = std::string_view(pattern).substr(start, end - start);
    try {
      (void)logsift::translate_basic(piece);
    } catch (const logsift::UsageError&) {
      basic_ok = false;
    }
    try {
      (void)logsift::translate_extended(piece);
    } catch (const logsift::UsageError&) {
    }
    (void)logsift::quote_literal(piece);
    start = end + 1;
  }

  options.syntax = logsift::Syntax::basic;
  auto basic = try_matcher(pattern, options);
  if (basic && !basic_ok) fail("-G Matcher accepted what translate_basic rejected", pattern);
  options.syntax = logsift::Syntax::extended;
  (void)try_matcher(pattern, options);
  options.syntax = logsift::Syntax::fixed;
  auto fixed = try_matcher(pattern, options);

  // The semantic checks below need one pattern line, plain options and bytes RE2 accepts.
  const bool simple = pattern.find('\n') == std::string::npos && !options.ignore_case && !options.word &&
                      valid_utf8(pattern) && !pattern.empty();
  if (!simple) return 0;
  if (!fixed) fail("-F rejected a valid UTF-8 literal", pattern);

  const std::string around = "<" + pattern + ">";
  const std::string shorter = pattern.substr(0, pattern.size() - 1);
  if (options.whole_line) {
    if (!fixed->matches(pattern)) fail("-F -x does not match the literal itself", pattern);
    if (fixed->matches(around)) fail("-F -x matches a longer line", pattern);
    return 0;
  }
  if (!fixed->matches(around)) fail("-F does not match a line containing the literal", pattern);
  if (fixed->matches(shorter)) fail("-F matches a line shorter than the literal", pattern);

  if (pattern.find_first_of("\\[*.^$") == std::string::npos) {
    if (!basic) fail("-G rejected a pattern of BRE literals", pattern);
    if (!basic->matches(around)) fail("-G literal does not match a line containing it", pattern);
    if (basic->matches(shorter)) fail("-G literal matches a line shorter than it", pattern);
    const std::optional<logsift::Span> span = basic->find(around);
    const std::size_t at = around.find(pattern);
    if (!span || span->begin != at || span->end != at + pattern.size()) fail("-G literal found at the wrong place", pattern);
  }
  return 0;
}
