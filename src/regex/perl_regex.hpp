// PerlRegex: one -P pattern compiled by PCRE2, as GNU grep -P compiles it (UTF-8, invalid UTF-8
// subjects allowed and never matched by a character, -w and -x as look-arounds and anchors).
// Private to the matcher layer: Matcher holds one and no PCRE2 type leaves perl_regex.cpp.
// Backtracking, not linear-time: a match that exceeds PCRE2's limits throws InputError instead of
// running on. Queries are const and thread-safe (each thread matches with data of its own).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logsift/matcher.hpp"

namespace logsift {

class PerlRegex {
 public:
  // Throws UsageError for a pattern PCRE2 rejects.
  PerlRegex(const std::string& pattern, const MatcherOptions& options);
  ~PerlRegex();
  PerlRegex(const PerlRegex&) = delete;
  PerlRegex& operator=(const PerlRegex&) = delete;

  // The leftmost (Perl: leftmost-first) match starting at or after `from`; `line` before `from`
  // is still seen by ^ and look-behinds. Throws InputError when PCRE2's limits are exceeded.
  std::optional<Span> find(std::string_view line, std::size_t from) const;
  // Group 0 and each capturing group (nullopt when unset); false when there is no match.
  bool find_groups(std::string_view line, std::size_t from, std::vector<std::optional<Span>>& groups) const;
  int group_count() const;
  bool jit() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace logsift
