// Matcher: a compiled set of patterns (any may match), the only place that knows about RE2.
// Built once per pattern set before any input is read; construction throws UsageError with a
// readable message for a bad pattern. All queries are const and thread-safe. Views passed in are
// only read during the call; returned spans are byte offsets into the text that was passed.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logsift/line.hpp"

namespace logsift {

enum class Syntax {
  extended,  // default and -E: RE2 syntax, plus GNU's \< and \> word anchors
  basic,     // -G: POSIX basic regular expressions, translated to RE2
  fixed,     // -F: every pattern is a literal string
  perl,      // -P: one Perl-compatible regex, by PCRE2 (backtracking: not linear-time), as grep -P
};

struct MatcherOptions {
  Syntax syntax = Syntax::extended;
  bool ignore_case = false;  // -i
  bool word = false;         // -w: the match must be a whole word
  bool whole_line = false;   // -x: the match must be the whole line
  // POSIX leftmost-longest instead of leftmost-first (Perl) semantics: GNU grep's -o and colors
  // report the longest match at the leftmost position; stages use leftmost-first like Python's re.
  bool leftmost_longest = false;
  // -z: lines are NUL-terminated records that may hold newlines, which '.' then matches as grep
  // -z's does.
  bool dot_matches_newline = false;
  // Search with SIMD literal scans where the pattern allows (see describe()). Off: RE2 alone, the
  // reference every fast path is tested against.
  bool literal_scan = true;
};

class Matcher {
 public:
  // Throws UsageError if a pattern does not compile. An empty pattern matches every line; an
  // empty pattern list matches no line (grep -f /dev/null).
  Matcher(std::vector<std::string> patterns, MatcherOptions options);
  ~Matcher();
  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;

  // Whether `line` (no terminator) contains a match. The hot path for line selection.
  bool matches(std::string_view line) const;

  // The leftmost match in `line` that starts at or after `from`; `line` before `from` is still
  // context for ^ and \b. With -w the span is the word itself. May be empty (e.g. for "x*").
  std::optional<Span> find(std::string_view line, std::size_t from = 0) const;

  // Like find, but fills `groups` with group 0 (the match) and each capturing group; an unset
  // group is nullopt. Returns false when there is no match.
  bool find_groups(std::string_view line, std::size_t from,
                   std::vector<std::optional<Span>>& groups) const;

  // Number of capturing groups of the user's pattern(s).
  int group_count() const;

  // Buffer-level search for predicate pushdown. `buffer` holds whole lines separated by '\n' (the
  // last one may lack it). Returns the first line at or after byte `from` (a line start) that
  // matches, without its terminator, or nullopt. Equivalent to trying matches() on every line.
  // With `first_nul` (npos on entry, else it is left alone), the bytes from `from` to the end of
  // the line returned (to the end of the buffer for nullopt) are looked at for NUL too, within
  // the literal scan where there is one: *first_nul becomes the offset of the first, if any.
  std::optional<Span> next_matching_line(std::string_view buffer, std::size_t from,
                                         std::size_t* first_nul = nullptr) const;

  // True when every line matches (an empty pattern without -w/-x), so selection can be skipped.
  bool matches_every_line() const;
  // True when no line can match (an empty pattern list, as from grep -f /dev/null).
  bool matches_no_line() const;
  // The same patterns and options compiled anew: a matcher that shares no RE2 state (its DFA
  // caches and their locks) with this one, for another thread.
  Matcher twin() const;

  // One-line human description of the search strategy, for --explain.
  std::string describe() const;

 private:
  std::optional<Span> next_matching_line_by_strategy(std::string_view buffer, std::size_t from,
                                                     std::size_t* first_nul) const;
  std::optional<Span> next_matching_line_unwatched(std::string_view buffer, std::size_t from) const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace logsift
