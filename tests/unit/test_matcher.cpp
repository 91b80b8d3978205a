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

// grep's -w: a byte that is no UTF-8 character is a non-word neighbour, and the search reports the
// leftmost word, seeing the neighbour before where it starts.
TEST(matcher, word_option_follows_grep_next_to_invalid_bytes_and_inside_lines) {
  MatcherOptions options = longest();
  options.word = true;
  EXPECT_TRUE(make("", options).matches("abc\xff"));
  EXPECT_TRUE(make("ab", options).matches("\xff" "ab x"));
  EXPECT_EQ(make("ab", options).find("\xff" "ab ab"), (Span{1, 3}));
  EXPECT_FALSE(make("ab", options).matches("\xff" "abc"));
  EXPECT_EQ(make("-", options).find("--", 1), (Span{1, 2}));
  EXPECT_EQ(make(".", options).find(" - x"), (Span{0, 1}));
  std::vector<std::optional<Span>> groups;
  ASSERT_TRUE(make("(a)(b)?", options).find_groups("ab" "\xff" "a" "\x80" "b", 3, groups));
  EXPECT_EQ(groups[0], (Span{3, 4}));
  EXPECT_EQ(groups[1], (Span{3, 4}));
  EXPECT_FALSE(groups[2]);
  // The buffer search finds a line that only grep's rule matches, before a line RE2's would.
  const std::string buffer = "x\n" "\xff" "ab\nab\n";
  EXPECT_EQ(make("ab", options).next_matching_line(buffer, 0), (Span{2, 5}));
  // The same for a list of literals long enough for the literal set.
  MatcherOptions fixed = options;
  fixed.syntax = Syntax::fixed;
  std::vector<std::string> words{"-"};
  for (int i = 0; i < 100; ++i) words.push_back("w" + std::to_string(i));
  const Matcher many(words, fixed);
  EXPECT_EQ(many.find("--", 1), (Span{1, 2}));
  EXPECT_TRUE(many.matches("\xffw7\xfe"));
  EXPECT_EQ(many.next_matching_line("w7x\n\xffw7\n", 0), (Span{4, 7}));
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
