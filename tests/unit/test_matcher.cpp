#include "logsift/matcher.hpp"

#include <gtest/gtest.h>

#include <random>

#include "logsift/error.hpp"

namespace logsift {
namespace {

Matcher make(std::string pattern, MatcherOptions options = {}) {
  return Matcher(std::vector<std::string>{std::move(pattern)}, options);
}

MatcherOptions longest() {
  MatcherOptions options;
  options.leftmost_longest = true;
  return options;
}

TEST(matcher, invalid_pattern_throws_usage_error_with_the_pattern) {
  try {
    make("a(");
    FAIL() << "no exception";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("a("), std::string::npos);
  }
}

TEST(matcher, empty_pattern_matches_every_line_and_no_patterns_match_nothing) {
  EXPECT_TRUE(make("").matches_every_line());
  EXPECT_TRUE(make("").matches("anything"));
  Matcher none(std::vector<std::string>{}, {});
  EXPECT_FALSE(none.matches(""));
  EXPECT_FALSE(none.next_matching_line("a\nb", 0));
}

TEST(matcher, newline_in_pattern_means_several_patterns) {
  Matcher m = make("foo\nbar");
  EXPECT_TRUE(m.matches("a bar"));
  EXPECT_TRUE(m.matches("foo"));
  EXPECT_FALSE(m.matches("baz"));
}

TEST(matcher, leftmost_longest_reports_posix_match) {
  EXPECT_EQ(make("a|ab", longest()).find("xab"), (Span{1, 3}));
  EXPECT_EQ(make("a|ab").find("xab"), (Span{1, 2}));  // leftmost-first, like Python
}

TEST(matcher, find_from_keeps_context_for_anchors) {
  Matcher m = make("^a");
  EXPECT_FALSE(m.find("aa", 1));
  EXPECT_EQ(make("\\bb").find("ab b", 1), (Span{3, 4}));
}

TEST(matcher, word_option_reports_the_word_not_its_neighbours) {
  MatcherOptions options = longest();
  options.word = true;
  Matcher m = make("foo", options);
  EXPECT_FALSE(m.matches("foobar"));
  EXPECT_FALSE(m.matches("foo_bar"));
  EXPECT_TRUE(m.matches("a foo."));
  EXPECT_EQ(m.find("foo_bar foo"), (Span{8, 11}));
  EXPECT_EQ(m.find("(foo) foo", 4), (Span{6, 9}));
  EXPECT_FALSE(m.matches("éfoo"));  // letters beyond ASCII are word characters too
}

TEST(matcher, whole_line_option) {
  MatcherOptions options;
  options.whole_line = true;
  Matcher m = Matcher({"ab", "abc"}, options);
  EXPECT_TRUE(m.matches("ab"));
  EXPECT_TRUE(m.matches("abc"));
  EXPECT_FALSE(m.matches("abcd"));
  EXPECT_FALSE(m.matches("ab\r"));
}

TEST(matcher, ignore_case_folds_unicode) {
  MatcherOptions options;
  options.ignore_case = true;
  EXPECT_TRUE(make("école", options).matches("ÉCOLE"));
  EXPECT_TRUE(make("ERROR", options).matches("an error"));
  EXPECT_TRUE(make("kelvin", options).matches("\u212Aelvin"));  // KELVIN SIGN folds to k
}

TEST(matcher, fixed_strings_are_literal) {
  MatcherOptions options;
  options.syntax = Syntax::fixed;
  Matcher m = make("a.b(", options);
  EXPECT_TRUE(m.matches("xa.b("));
  EXPECT_FALSE(m.matches("axb("));
}

TEST(matcher, groups_are_reported_and_unset_groups_are_empty) {
  Matcher m = make("(a)|(b)");
  std::vector<std::optional<Span>> groups;
  ASSERT_TRUE(m.find_groups("xb", 0, groups));
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0], (Span{1, 2}));
  EXPECT_FALSE(groups[1]);
  EXPECT_EQ(groups[2], (Span{1, 2}));
  EXPECT_EQ(m.group_count(), 2);
}

TEST(matcher, word_wrapper_does_not_shift_user_groups) {
  MatcherOptions options;
  options.word = true;
  Matcher m = make("u=(\\w+)", options);
  std::vector<std::optional<Span>> groups;
  ASSERT_TRUE(m.find_groups("x u=bob y", 0, groups));
  EXPECT_EQ(m.group_count(), 1);
  EXPECT_EQ(groups[0], (Span{2, 7}));
  EXPECT_EQ(groups[1], (Span{4, 7}));
}

// The buffer-level search must agree with matches() line by line, on every strategy.
TEST(matcher, next_matching_line_agrees_with_matches) {
  std::mt19937 rng(99);
  const std::string alphabet = "abkK \n";
  std::vector<std::pair<std::string, MatcherOptions>> cases;
  cases.push_back({"ab", {}});
  cases.push_back({"a b", {}});
  cases.push_back({"^a", {}});
  cases.push_back({"b$", {}});
  cases.push_back({"k", {Syntax::extended, true}});
  cases.push_back({"AB", {Syntax::extended, true}});
  cases.push_back({"ab", {Syntax::extended, false, true}});
  cases.push_back({"a+", {}});
  for (const auto& [pattern, options] : cases) {
    Matcher m = make(pattern, options);
    for (int round = 0; round < 200; ++round) {
      std::string buffer(rng() % 60, ' ');
      for (char& c : buffer) c = alphabet[rng() % alphabet.size()];
      // Expected: each line start, checked by matches().
      std::vector<Span> expected;
      std::size_t start = 0;
      for (;;) {
        std::size_t nl = buffer.find('\n', start);
        std::size_t end = nl == std::string::npos ? buffer.size() : nl;
        if (m.matches(std::string_view(buffer).substr(start, end - start))) expected.push_back({start, end});
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
      std::vector<Span> got;
      for (std::size_t pos = 0;;) {
        auto hit = m.next_matching_line(buffer, pos);
        if (!hit) break;
        got.push_back(*hit);
        if (hit->end >= buffer.size()) break;
        pos = hit->end + 1;
      }
      EXPECT_EQ(got, expected) << "pattern " << pattern << " buffer " << buffer;
    }
  }
}

}  // namespace
}  // namespace logsift
