// Byte scanning: the raw-memory primitives under line splitting and literal prefiltering.
// Every function reads only bytes inside the range it is given (never past either end, even with
// wide vector loads), allocates nothing while scanning and is safe to call from several threads.
// The AVX2 paths are chosen once at run time; results never depend on which path ran.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logsift {

// Number of '\n' bytes in [begin, end).
std::size_t count_newlines(const char* begin, const char* end) noexcept;

class LiteralSearcher;
class MultiLiteralSearcher;

namespace detail {
// The portable paths, reachable even on AVX2 hardware so that tests can check both paths
// against each other.
std::size_t count_newlines_portable(const char* begin, const char* end) noexcept;
std::size_t find_portable(const LiteralSearcher& searcher, std::string_view haystack,
                          std::size_t from) noexcept;
std::size_t find_portable(const MultiLiteralSearcher& searcher, std::string_view haystack,
                          std::size_t from) noexcept;

// One needle of a MultiLiteralSearcher: its bytes at pool[offset, offset + size) and its packed
// pair, described as in LiteralSearcher.
struct PairNeedle {
  std::size_t offset = 0, size = 0;
  std::size_t rare1 = 0, rare2 = 0;
  std::uint8_t rare1_byte = 0, rare1_fold = 0;
  std::uint8_t rare2_byte = 0, rare2_fold = 0;
};

// Needles [first, first + count) are scanned together in one vector pass. reach is the largest
// pair offset among them: a block of 32 starts needs reach + 32 readable bytes.
struct PairGroup {
  std::size_t first = 0, count = 0;
  std::size_t reach = 0, min_size = 0;
};
}  // namespace detail

class LiteralSearcher {
 public:
  // ascii_case_insensitive: ASCII letters match either case; other bytes exactly.
  explicit LiteralSearcher(std::string needle, bool ascii_case_insensitive = false);

  // Position of the first occurrence starting at or after `from`, or std::string_view::npos.
  // An empty needle matches at `from` itself (if from <= haystack.size()), like string_view::find.
  std::size_t find(std::string_view haystack, std::size_t from = 0) const noexcept;

  const std::string& needle() const noexcept { return needle_; }
  bool ascii_case_insensitive() const noexcept { return fold_; }

 private:
  friend std::size_t detail::find_portable(const LiteralSearcher&, std::string_view,
                                           std::size_t) noexcept;

  std::size_t find_impl(std::string_view haystack, std::size_t from, bool avx2) const noexcept;

  std::string needle_;
  // Case-insensitive mode compares against the lowercased needle; otherwise a copy of needle_.
  std::string folded_;
  bool fold_ = false;
  bool avx2_ = false;
  // The packed pair: two offsets into the needle holding its rarest bytes (equal for 1-byte
  // needles). A haystack byte c counts as a hit there when (c | fold) == byte; fold is 0x20 for a
  // letter in case-insensitive mode (byte is then lowercase) and 0 otherwise.
  std::size_t rare1_ = 0;
  std::size_t rare2_ = 0;
  std::uint8_t rare1_byte_ = 0, rare1_fold_ = 0;
  std::uint8_t rare2_byte_ = 0, rare2_fold_ = 0;
};

// Finds the leftmost occurrence of any of several literals (an alternation like
// timeout|deadlock|expired, or the required "atoms" of a regex) in one pass over the haystack.
// Up to kGroupSize needles share one vector pass; more are split into groups that take turns over
// windows of the haystack, so a needle that never occurs cannot make repeated calls quadratic.
class MultiLiteralSearcher {
 public:
  static constexpr std::size_t kGroupSize = 8;

  // needles: 1..N non-empty strings (duplicates allowed); ascii_case_insensitive as in
  // LiteralSearcher. An empty needle matches at `from` as in LiteralSearcher; no needles at all
  // never match.
  MultiLiteralSearcher(std::vector<std::string> needles, bool ascii_case_insensitive = false);

  // Leftmost position >= from where some needle starts, or npos. On ties any needle.
  std::size_t find(std::string_view haystack, std::size_t from = 0) const noexcept;

  std::size_t size() const noexcept { return size_; }  // number of needles, as given
  bool ascii_case_insensitive() const noexcept { return fold_; }

 private:
  friend std::size_t detail::find_portable(const MultiLiteralSearcher&, std::string_view,
                                           std::size_t) noexcept;

  std::size_t find_impl(std::string_view haystack, std::size_t from, bool avx2) const noexcept;

  std::size_t size_ = 0;
  bool fold_ = false;
  bool avx2_ = false;
  // Set when only one needle can ever be the leftmost match (after dropping duplicates and
  // needles that start with another needle): its single-needle searcher is faster.
  std::optional<LiteralSearcher> single_;
  // Otherwise the needles that can match first, back to back (lowercased when folding).
  std::string pool_;
  std::vector<detail::PairNeedle> needles_;
  std::vector<detail::PairGroup> groups_;
  std::size_t min_size_ = 0;
};

}  // namespace logsift
