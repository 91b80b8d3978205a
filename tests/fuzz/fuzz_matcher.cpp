// The fast paths of matching must agree with plain RE2 on every haystack: a Matcher with
// literal_scan on (SIMD literal prefilters, exact literal scans) against the same Matcher with it
// off (RE2 alone, the reference), for matches(), find() and next_matching_line(); and the byte
// scanners under them against naive loops (and their AVX2 paths against their portable ones).
//
// Input: [flags] [needle length] [needle...] [haystack...]
//   flags bit 0: -i, bit 1: -w, bit 2: -x, bit 3: leftmost-longest, bits 4-5: syntax
//   (0 extended, 1 basic, 2-3 fixed). A '\n' in the needle separates patterns, as in grep -e.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logsift/byte_scan.hpp"
#include "logsift/error.hpp"
#include "logsift/matcher.hpp"

namespace {

constexpr std::size_t npos = std::string_view::npos;

[[noreturn]] void fail(const char* what, std::string_view needle, std::size_t at) {
  std::fprintf(stderr, "fuzz_matcher: %s (at %zu) for needle '", what, at);
  for (unsigned char c : needle) std::fprintf(stderr, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
  std::fprintf(stderr, "'\n");
  std::abort();
}

char fold(char c, bool ascii_case_insensitive) {
  return ascii_case_insensitive && c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// For each position, the first position at or after it where `needle` occurs (npos if none), so
// that every starting point can be checked at the cost of one naive pass. Not instrumented for
// coverage: it is the oracle, and its comparisons would only distract the fuzzer.
__attribute__((no_sanitize("coverage"))) std::vector<std::size_t> next_occurrence(std::string_view haystack,
                                                                                std::string_view needle, bool ci) {
  std::vector<std::size_t> next(haystack.size() + 3, npos);  // [size + 2] is a sentinel
  for (std::size_t i = haystack.size() + 1; i-- > 0;) {
    bool here = false;
    if (needle.empty()) {
      here = i <= haystack.size();
    } else if (i + needle.size() <= haystack.size()) {
      std::size_t k = 0;
      while (k < needle.size() && fold(haystack[i + k], ci) == fold(needle[k], ci)) ++k;
      here = k == needle.size();
    }
    next[i] = here ? i : next[i + 1];
  }
  return next;
}

std::unique_ptr<logsift::Matcher> try_matcher(const std::vector<std::string>& patterns,
                                              logsift::MatcherOptions options) {
  try {
    return std::make_unique<logsift::Matcher>(patterns, options);
  } catch (const logsift::UsageError&) {
    return nullptr;
  }
}

void check_scanners(std::string_view needle_bytes, std::string_view haystack, bool ci) {
  using logsift::LiteralSearcher;
  using logsift::MultiLiteralSearcher;
  namespace detail = logsift::detail;

  const std::size_t newlines = static_cast<std::size_t>(std::count(haystack.begin(), haystack.end(), '\n'));
  if (logsift::count_newlines(haystack.data(), haystack.data() + haystack.size()) != newlines ||
      detail::count_newlines_portable(haystack.data(), haystack.data() + haystack.size()) != newlines) {
    fail("count_newlines differs from std::count", needle_bytes, 0);
  }

  // The whole needle as one literal, and its '\n'-separated pieces as a literal set.
  const LiteralSearcher single{std::string(needle_bytes), ci};
  std::vector<std::string> pieces;
  for (std::size_t start = 0; start <= needle_bytes.size();) {
    std::size_t end = needle_bytes.find('\n', start);
    if (end == npos) end = needle_bytes.size();
    if (end > start) pieces.emplace_back(needle_bytes.substr(start, end - start));
    start = end + 1;
  }
  std::optional<MultiLiteralSearcher> multi;
  if (!pieces.empty()) multi.emplace(pieces, ci);

  std::vector<std::size_t> expected_single = next_occurrence(haystack, needle_bytes, ci);
  std::vector<std::size_t> expected_multi(haystack.size() + 3, npos);
  for (const std::string& piece : pieces) {
    const std::vector<std::size_t> next = next_occurrence(haystack, piece, ci);
    for (std::size_t i = 0; i < next.size(); ++i) expected_multi[i] = std::min(expected_multi[i], next[i]);
  }

  // Every start position for short haystacks; for long ones a spread, plus every position near
  // the end, where the vector loops hand over to their tails.
  const std::size_t stride = haystack.size() <= 256 ? 1 : haystack.size() / 31 + 1;
  for (std::size_t from = 0; from <= haystack.size() + 1; from += (from + 40 >= haystack.size() ? 1 : stride)) {
    const std::size_t expected = expected_single[from];
    if (single.find(haystack, from) != expected) fail("LiteralSearcher::find differs from a naive search", needle_bytes, from);
    if (detail::find_portable(single, haystack, from) != expected) fail("LiteralSearcher portable path differs", needle_bytes, from);
    if (multi) {
      if (multi->find(haystack, from) != expected_multi[from]) fail("MultiLiteralSearcher::find differs from a naive search", needle_bytes, from);
      if (detail::find_portable(*multi, haystack, from) != expected_multi[from]) fail("MultiLiteralSearcher portable path differs", needle_bytes, from);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t flags = data[0];
  const std::size_t needle_size = std::min<std::size_t>(data[1], size - 2);
  const std::string_view needle(reinterpret_cast<const char*>(data) + 2, needle_size);
  const std::string_view haystack(reinterpret_cast<const char*>(data) + 2 + needle_size, size - 2 - needle_size);

  check_scanners(needle, haystack, (flags & 1) != 0);

  logsift::MatcherOptions options;
  options.ignore_case = (flags & 1) != 0;
  options.word = (flags & 2) != 0;
  options.whole_line = (flags & 4) != 0;
  options.leftmost_longest = (flags & 8) != 0;
  const unsigned syntax = (flags >> 4) & 3;
  options.syntax = syntax == 0 ? logsift::Syntax::extended : syntax == 1 ? logsift::Syntax::basic : logsift::Syntax::fixed;
  const std::vector<std::string> patterns{std::string(needle)};

  options.literal_scan = true;
  const auto fast = try_matcher(patterns, options);
  options.literal_scan = false;
  const auto plain = try_matcher(patterns, options);
  if (!fast != !plain) fail("literal_scan changes whether the pattern compiles", needle, 0);
  if (!fast) return 0;

  // Line by line: matches() and find() from a few starting points.
  std::vector<logsift::Span> lines;
  std::vector<bool> line_matches;
  for (std::size_t start = 0; start <= haystack.size();) {
    std::size_t end = haystack.find('\n', start);
    if (end == npos) end = haystack.size();
    const std::string_view line = haystack.substr(start, end - start);
    const bool matched = plain->matches(line);
    if (fast->matches(line) != matched) fail("matches() differs with literal_scan", needle, start);
    for (std::size_t from : {std::size_t{0}, line.size() / 2, line.size()}) {
      if (fast->find(line, from) != plain->find(line, from)) fail("find() differs with literal_scan", needle, start + from);
    }
    lines.push_back({start, end});
    line_matches.push_back(matched);
    start = end + 1;
  }

  // Buffer level, as pushdown uses it: from a line start, the next line that matches() line by
  // line accepts. At most 64 starting lines, since each search may run to the end.
  std::vector<std::optional<logsift::Span>> next_match(lines.size() + 1);
  for (std::size_t i = lines.size(); i-- > 0;) next_match[i] = line_matches[i] ? lines[i] : next_match[i + 1];
  const std::size_t step = lines.size() / 64 + 1;
  for (std::size_t i = 0; i < lines.size(); i += step) {
    const std::size_t from = lines[i].begin;
    const std::optional<logsift::Span> got = fast->next_matching_line(haystack, from);
    if (got != plain->next_matching_line(haystack, from)) fail("next_matching_line() differs with literal_scan", needle, from);
    if (got != next_match[i]) fail("next_matching_line() differs from matches() line by line", needle, from);
  }
  return 0;
}
