// LiteralSet against a naive search from every position: every occurrence of every literal
// (duplicates, prefixes of each other, one-byte literals, non-ASCII bytes, with and without ASCII
// case folding), reported in order of where it starts, and stopping when asked.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "logsift/literal_set.hpp"

namespace logsift {
namespace {

std::string random_bytes(std::mt19937& rng, std::size_t max_size) {
  static const std::vector<std::string> pieces = {"a", "b", "c", "A", "B", "\xc3\xa9", " ", "k", "\n"};
  std::string text;
  for (std::size_t n = rng() % (max_size + 1); n > 0; --n) text += pieces[rng() % pieces.size()];
  return text;
}

TEST(literal_set, finds_every_occurrence_in_order_of_start) {
  std::mt19937 rng(5);
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::string> literals;
    for (std::size_t n = 1 + rng() % 200; n > 0; --n) {
      std::string word = random_bytes(rng, 6);
      literals.push_back(word.empty() ? "a" : word);
    }
    const bool fold = rng() % 2 == 0;
    const LiteralSet set(literals, fold);
    const std::string text = random_bytes(rng, 100);
    std::vector<std::pair<std::size_t, std::size_t>> got, want;
    std::size_t last = 0;
    set.scan(text, [&](std::size_t id, std::size_t begin) {
      EXPECT_GE(begin, last);
      last = begin;
      got.emplace_back(begin, id);
      return true;
    });
    auto lower = [&](char c) { return fold && c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    for (std::size_t begin = 0; begin < text.size(); ++begin) {
      for (std::size_t id = 0; id < literals.size(); ++id) {
        const std::string& literal = literals[id];
        if (begin + literal.size() > text.size()) continue;
        if (std::equal(literal.begin(), literal.end(), text.begin() + static_cast<std::ptrdiff_t>(begin),
                       [&](char a, char b) { return lower(a) == lower(b); })) {
          want.emplace_back(begin, id);
        }
      }
    }
    std::sort(got.begin(), got.end());
    ASSERT_EQ(got, want) << "round " << round << " text '" << text << "'";
  }
}

TEST(literal_set, stops_when_the_visitor_says_so) {
  const LiteralSet set({"ab", "b", "abc"}, false);
  int calls = 0;
  EXPECT_FALSE(set.scan("xxabcab", [&](std::size_t, std::size_t) { return ++calls < 2; }));
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(set.scan("xyz", [](std::size_t, std::size_t) { return false; }));
  EXPECT_EQ(set.length(2), 3u);
  EXPECT_EQ(set.max_length(), 3u);
}

}  // namespace
}  // namespace logsift
