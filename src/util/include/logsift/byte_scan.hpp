// Byte scanning: the raw-memory primitives under line splitting and literal prefiltering.
// Every function reads only bytes inside the range it is given (never past either end, even with
// wide vector loads), allocates nothing while scanning and is safe to call from several threads.
// The AVX2 paths are chosen once at run time; results never depend on which path ran.
#pragma once

#include <cstddef>
#include <cstdint>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logsift {

// Number of '\n' bytes in [begin, end).
std::size_t count_newlines(const char* begin, const char* end) noexcept;

// Whether `bytes` holds a NUL (grep's sign of a binary file).
bool contains_nul(std::string_view bytes) noexcept;

// Looks for a NUL in text[from, stop): where there is one, *first_nul becomes its offset in
// `text`; otherwise *first_nul is left alone.
void note_first_nul(std::string_view text, std::size_t from, std::size_t stop, std::size_t* first_nul) noexcept;

// Where the line of `text` holding offset `pos` ends: at its '\n', or at the end of `text`.
std::size_t line_end_at(std::string_view text, std::size_t pos) noexcept;

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

// One needle of a MultiLiteralSearcher: its bytes, pool[offset, offset + size), and its anchor,
// the offset of the two adjacent bytes (one for a one-byte needle) the vector scan looks for.
struct MultiNeedle {
  std::size_t offset = 0, size = 0, anchor = 0;
};
}  // namespace detail

class LiteralSearcher {
 public:
  // ascii_case_insensitive: ASCII letters match either case; other bytes exactly.
  explicit LiteralSearcher(std::string needle, bool ascii_case_insensitive = false);

  // Position of the first occurrence starting at or after `from`, or std::string_view::npos.
  // An empty needle matches at `from` itself (if from <= haystack.size()), like string_view::find.
  // With `first_nul`, the bytes from `from` up to the position returned (to the end of the
  // haystack for npos) are also looked at for NUL, in the same pass: *first_nul is set to the
  // offset of the first NUL among them and left alone when there is none.
  std::size_t find(std::string_view haystack, std::size_t from = 0,
                   std::size_t* first_nul = nullptr) const noexcept;

  const std::string& needle() const noexcept { return needle_; }
  bool ascii_case_insensitive() const noexcept { return fold_; }

 private:
  friend std::size_t detail::find_portable(const LiteralSearcher&, std::string_view,
                                           std::size_t) noexcept;

  std::size_t find_impl(std::string_view haystack, std::size_t from, bool avx2) const noexcept;
  std::size_t find_watching_nul(std::string_view haystack, std::size_t from, bool avx2,
                                std::size_t* first_nul) const noexcept;
  friend class MultiLiteralSearcher;

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
//
// Each needle is reduced to a fingerprint, its rarest pair of adjacent bytes (by LiteralSearcher's
// byte frequency estimate, corrected for common letter pairs), and the needles are spread over 8
// buckets. Looking for adjacent pairs lets all needles share the same two loads. For every
// haystack position a lookup gives the set of buckets whose fingerprint starts there (on AVX2: two
// nibble-indexed byte shuffles per fingerprint byte, 32 positions at a time, the same cost for
// any number of needles), and only those positions are compared with the needles in full. With
// up to 8 needles each has a bucket of its own and the lookup is exact; more needles share buckets.
class MultiLiteralSearcher {
 public:
  static constexpr std::size_t kBuckets = 8;

  // needles: 1..N non-empty strings (duplicates allowed); ascii_case_insensitive as in
  // LiteralSearcher. An empty needle matches at `from` as in LiteralSearcher; no needles at all
  // never match.
  MultiLiteralSearcher(std::vector<std::string> needles, bool ascii_case_insensitive = false);

  // Leftmost position >= from where some needle starts, or npos. On ties any needle. `first_nul`
  // as in LiteralSearcher::find (in the same pass for a single needle, in a second one otherwise).
  std::size_t find(std::string_view haystack, std::size_t from = 0,
                   std::size_t* first_nul = nullptr) const noexcept;

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

  // Otherwise: the needles that can match first, back to back (lowercased when folding), ordered
  // by bucket; bucket b holds needles_[bucket_begin_[b], bucket_begin_[b + 1]).
  std::string pool_;
  std::vector<detail::MultiNeedle> needles_;
  std::array<std::size_t, kBuckets + 1> bucket_begin_{};
  std::size_t min_size_ = 0;
  std::size_t min_anchor_ = 0, max_anchor_ = 0;
  // Bit b of first_[c] / second_[c]: byte c can be the first / second fingerprint byte of a needle
  // in bucket b. Both cases of a letter when folding; any byte second for a one-byte needle.
  std::array<std::uint8_t, 256> first_{}, second_{};
  // The same sets split by nibble, for the vector shuffles: a byte is in bucket b's set only if
  // both of its nibbles are (exact when the bucket has one needle, a superset otherwise).
  std::array<std::uint8_t, 16> first_lo_{}, first_hi_{}, second_lo_{}, second_hi_{};
  std::uint8_t one_byte_buckets_ = 0;  // buckets holding a one-byte needle
  bool ascii_ = false;                 // no byte >= 0x80 in either set
};

}  // namespace logsift
