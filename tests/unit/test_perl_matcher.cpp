// -P through the Matcher interface: PCRE2 semantics, groups, the buffer search used by pushdown,
// the match limit as an InputError, and twins on two threads.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "logsift/error.hpp"
#include "logsift/matcher.hpp"

namespace logsift {
namespace {

Matcher perl(std::string pattern, MatcherOptions options = {}) {
  options.syntax = Syntax::perl;
  return Matcher(std::vector<std::string>{std::move(pattern)}, options);
}

TEST(perl_matcher, look_arounds_back_references_and_keep_out) {
  EXPECT_TRUE(perl("(?<=user=)alice").matches("x user=alice y"));
  EXPECT_FALSE(perl("(?<=user=)alice").matches("alice"));
  EXPECT_TRUE(perl("(\\w)\\1").matches("book"));
  const auto kept = perl("user=\\K\\w+").find("id user=bob!");
  ASSERT_TRUE(kept);
  EXPECT_EQ(*kept, (Span{8, 11}));
}

TEST(perl_matcher, word_and_line_options_as_grep_p) {
  MatcherOptions word;
  word.word = true;
  EXPECT_TRUE(perl("foo", word).matches("a foo b"));
  EXPECT_FALSE(perl("foo", word).matches("foo_x"));
  MatcherOptions line;
  line.whole_line = true;
  EXPECT_TRUE(perl("a|ab", line).matches("ab"));
  EXPECT_FALSE(perl("a|ab", line).matches("abc"));
}

TEST(perl_matcher, invalid_utf8_lines_are_searched) {
  EXPECT_TRUE(perl("ok").matches("bad \xff\xfe ok"));
  EXPECT_FALSE(perl("^.*$").matches("bad \xff"));  // the bad byte is no character
  EXPECT_TRUE(perl("").matches("\xff"));
}

TEST(perl_matcher, groups_are_reported) {
  const Matcher m = perl("(\\w+)=(\\d+)?");
  EXPECT_EQ(m.group_count(), 2);
  std::vector<std::optional<Span>> groups;
  ASSERT_TRUE(m.find_groups("k=v a=12", 0, groups));
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[1], (Span{0, 1}));
  EXPECT_FALSE(groups[2].has_value());
}

TEST(perl_matcher, one_pattern_only_and_bad_patterns_are_usage_errors) {
  MatcherOptions options;
  options.syntax = Syntax::perl;
  EXPECT_THROW(Matcher(std::vector<std::string>{"a", "b"}, options), UsageError);
  EXPECT_THROW(perl("a\nb"), UsageError);
  EXPECT_THROW(perl("("), UsageError);
}

TEST(perl_matcher, next_matching_line_is_matches_on_each_line) {
  const Matcher m = perl("b$");
  const std::string buffer = "ab\nbc\nxb\n";
  const auto first = m.next_matching_line(buffer, 0);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, (Span{0, 2}));
  const auto second = m.next_matching_line(buffer, 3);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, (Span{6, 8}));
}

TEST(perl_matcher, the_match_limit_is_an_input_error) {
  const Matcher m = perl("(a*)*$");
  EXPECT_THROW(m.matches(std::string(60, 'a') + "!"), InputError);
  EXPECT_TRUE(m.matches("aaa"));  // the next line is matched as usual
}

TEST(perl_matcher, twins_match_on_two_threads_at_once) {
  const Matcher m = perl("(\\d+)-(?=x)");
  const Matcher twin = m.twin();
  int found[2] = {0, 0};
  auto count = [](const Matcher& matcher, int* into) {
    for (int i = 0; i < 20000; ++i) *into += matcher.matches(std::to_string(i) + (i % 2 ? "-x" : "-y"));
  };
  std::thread other(count, std::cref(twin), &found[1]);
  count(m, &found[0]);
  other.join();
  EXPECT_EQ(found[0], 10000);
  EXPECT_EQ(found[1], 10000);
}

}  // namespace
}  // namespace logsift
