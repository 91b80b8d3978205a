// Every fast path of the matcher and the source against the plain RE2 path (literal_scan off),
// on inputs chosen to break scans: matches at buffer edges and at the first and last byte,
// overlapping candidates, -i with non-ASCII and with k/s, anchors, word boundaries, empty matches,
// and lines longer than the source's buffer.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "logsift/matcher.hpp"
#include "logsift/source.hpp"

namespace logsift {
namespace {

struct Case {
  std::vector<std::string> patterns;
  MatcherOptions options;
};

// The reference the fast paths are held to: the case's matcher with the literal scans off.
Matcher plain_re2(const Case& c) {
  MatcherOptions options = c.options;
  options.literal_scan = false;
  return Matcher(c.patterns, options);
}

MatcherOptions with(Syntax syntax, bool ignore_case = false, bool word = false, bool whole_line = false) {
  MatcherOptions options;
  options.syntax = syntax;
  options.ignore_case = ignore_case;
  options.word = word;
  options.whole_line = whole_line;
  options.leftmost_longest = true;
  return options;
}

// A list longer than the matcher hands to RE2 (over 64 literals: the literal set instead), of
// short words over the test alphabet, many the prefix of another; some with non-ASCII letters,
// KELVIN SIGN or LONG S (which -i folds into k and s), '-' or a space (for -w's edges).
std::vector<std::string> word_list(unsigned seed, std::size_t count, bool ascii_only = false) {
  static const std::vector<std::string> pieces = {"a", "b", "c", "a", "b", "c", "k", "s", "K", "A", "x", "_", "-", " ",
                                                  "\xc3\xa9", "\xc3\x89", "\xc5\xbf", "\xe2\x84\xaa"};
  std::mt19937 rng(seed);
  std::vector<std::string> words;
  while (words.size() < count) {
    std::string word = words.empty() || rng() % 3 != 0 ? std::string() : words[rng() % words.size()];
    for (std::size_t n = 1 + rng() % 3; n > 0; --n) {
      word += pieces[rng() % (ascii_only ? pieces.size() - 4 : pieces.size())];
    }
    words.push_back(word);
  }
  return words;
}

// The same with a blank line among the words: it matches every line (with -x, every empty one).
std::vector<std::string> with_blank(std::vector<std::string> words) {
  words.insert(words.begin() + static_cast<std::ptrdiff_t>(words.size() / 2), "");
  return words;
}

// Over 64 regexes built on such words: most need a literal of 3 bytes (the atom scan), a few do
// not (searched apart).
std::vector<std::string> regex_list(unsigned seed, std::size_t count) {
  std::vector<std::string> regexes;
  std::mt19937 rng(seed);
  for (const std::string& word : word_list(seed, count)) {
    switch (rng() % 6) {
      case 0: regexes.push_back(word + "[abc]*"); break;
      case 1: regexes.push_back("(?:" + word + "|x" + word + ")b"); break;
      case 2: regexes.push_back("[ab]" + word + "c?"); break;
      case 3: regexes.push_back(word + "abc"); break;
      case 4: regexes.push_back("ab" + word + "cab"); break;
      default: regexes.push_back(rng() % 4 == 0 ? "x.?k" : "abc.*" + word); break;
    }
  }
  return regexes;
}

MatcherOptions leftmost_first(Syntax syntax) {
  MatcherOptions options = with(syntax);
  options.leftmost_longest = false;
  return options;
}

std::vector<Case> cases() {
  const Syntax E = Syntax::extended, F = Syntax::fixed;
  return {
      {word_list(1, 150), with(F)},
      {word_list(2, 150), with(F, true)},
      {word_list(3, 150, true), with(F, true)},  // ASCII only: all in the set, KELVIN SIGN folded
      {word_list(4, 150), with(F, false, true)},
      {word_list(5, 150), with(F, true, true)},
      {word_list(6, 150), with(F, false, false, true)},
      {word_list(7, 150, true), with(F, true, false, true)},
      {word_list(8, 150, true), with(E, true, true)},  // no metacharacter: literals in -E too
      {word_list(9, 150), leftmost_first(F)},
      {regex_list(12, 120), with(E)},
      {regex_list(13, 120), with(E, true)},
      {regex_list(14, 120), with(E, false, true)},
      {regex_list(15, 120), with(E, true, false, true)},
      {with_blank(word_list(10, 150)), with(F)},
      {with_blank(word_list(11, 150)), with(F, true, false, true)},
      {{"abc"}, with(F)},
      {{"abc"}, with(E)},
      {{"aba"}, with(E)},  // overlapping candidates
      {{"ab", "bc", "cab"}, with(F)},
      {{"ABC"}, with(E, true)},
      {{"ks"}, with(E, true)},  // folds outside ASCII: must not use an ASCII scan blindly
      {{"\xc3\xa9" "cole"}, with(E, true)},
      {{"\xc3\xa9" "cole"}, with(E)},
      {{"abc"}, with(E, false, true)},
      {{"abc"}, with(E, false, false, true)},
      {{"^abc"}, with(E)},
      {{"abc$"}, with(E)},
      {{"\\babc\\b"}, with(E)},
      {{"a[bc]+c"}, with(E)},
      {{"cab|abc|bca"}, with(E)},
      {{"xa*"}, with(E)},
      {{"abc.*cab"}, with(E)},
      {{"ABC", "kab"}, with(F, true)},
      {{"\xc5\xbfword|zzzz"}, with(E)},        // LONG S, case-sensitive: atoms must not turn it into s
      {{"\xe2\x84\xaa" "elvin|zzzz"}, with(E)},  // KELVIN SIGN likewise
      {{"aBc+|cab"}, with(E)},     // uppercase: atoms are lowercased, so scanned without case
      {{"(?i:abc)+|cab"}, with(E)},  // an inline -i in a case-sensitive pattern
      {{"[a-b]bc+"}, with(E)},     // a small class FilteredRE2 expands into several atoms
      {{"abc+|ks+"}, with(E)},     // lowercase ASCII only: atoms scanned byte for byte
      // No usable literal: RE2 over the whole buffer, where '\n' must stay out of every class.
      {{"[^a]b"}, with(E)},
      {{"c\\s+a|\\Wk"}, with(E)},
      {{"a[^x]*c$"}, with(E)},
      {{"^[^a]*$"}, with(E)},
      {{"^$"}, with(E)},
      {{"b*"}, with(E)},              // empty matches everywhere
      {{"[ab]c"}, with(E, false, true)},  // -w
      {{"[ab]+"}, with(E, false, false, true)},  // -x
      {{"[ks]a"}, with(E, true)},
      {{"\\Ab|c\\z"}, with(E)},    // text anchors: must stay line by line
      {{"(?s)a.b"}, with(E)},         // flags of its own: must stay line by line
      {{"a\\b"}, with(E)},
  };
}

// Haystacks over an alphabet that makes candidates frequent, with the odd multibyte letter.
std::string random_text(std::mt19937& rng, std::size_t max_size) {
  static const std::vector<std::string> pieces = {"a", "b", "c", "A", "B", "C", "k", "K", "s", " ", "\n", "\n",
                                                  "x", "\xc5\xbf", "\xc3\xa9", "\xc3\x89", "\xe2\x84\xaa", "_", "abc", "cole"};
  std::string text;
  const std::size_t size = rng() % max_size;
  while (text.size() < size) text += pieces[rng() % pieces.size()];
  return text;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

TEST(fast_paths, line_selection_agrees_with_plain_re2) {
  std::mt19937 rng(2026);
  for (const Case& c : cases()) {
    Matcher fast(c.patterns, c.options);
    Matcher plain = plain_re2(c);
    for (int round = 0; round < 300; ++round) {
      const std::string text = random_text(rng, 120);
      for (const std::string& line : split_lines(text)) {
        ASSERT_EQ(fast.matches(line), plain.matches(line)) << fast.describe() << " on '" << line << "'";
      }
      // The buffer-level search, from every line start.
      for (std::size_t from = 0; from <= text.size(); from = text.find('\n', from) + 1) {
        ASSERT_EQ(fast.next_matching_line(text, from), plain.next_matching_line(text, from))
            << fast.describe() << " from " << from << " in '" << text << "'";
        if (text.find('\n', from) == std::string::npos) break;
      }
    }
  }
}

// next_matching_line looking for NULs on its way: the same lines, and the first NUL up to the end
// of the line found (the end of the buffer when none), for every strategy.
TEST(fast_paths, the_search_reports_the_first_nul_it_passes) {
  std::mt19937 rng(8);
  for (const Case& c : cases()) {
    const Matcher fast(c.patterns, c.options);
    for (int round = 0; round < 40; ++round) {
      std::string buffer = random_text(rng, 600);
      for (int nuls = static_cast<int>(rng() % 3); nuls > 0 && !buffer.empty(); --nuls) buffer[rng() % buffer.size()] = '\0';
      for (std::size_t from = 0; from <= buffer.size();) {
        const std::optional<Span> want = fast.next_matching_line(buffer, from);
        std::size_t nul = std::string::npos;
        const std::optional<Span> got = fast.next_matching_line(buffer, from, &nul);
        ASSERT_EQ(got, want) << fast.describe();
        const std::size_t stop = want ? want->end : buffer.size();
        const std::size_t expected = buffer.substr(0, stop).find('\0', from);
        ASSERT_EQ(nul, expected) << fast.describe() << " from " << from;
        if (!want) break;
        from = want->end + 1;
      }
    }
  }
}

TEST(fast_paths, spans_agree_with_plain_re2) {
  std::mt19937 rng(7);
  for (const Case& c : cases()) {
    Matcher fast(c.patterns, c.options);
    Matcher plain = plain_re2(c);
    for (int round = 0; round < 200; ++round) {
      const std::string line = random_text(rng, 40);
      for (std::size_t from = 0; from <= line.size(); ++from) {
        ASSERT_EQ(fast.find(line, from), plain.find(line, from)) << fast.describe() << " on '" << line << "'";
      }
    }
  }
}

TEST(fast_paths, matches_at_first_and_last_byte_of_the_buffer) {
  for (const Case& c : cases()) {
    Matcher fast(c.patterns, c.options);
    Matcher plain = plain_re2(c);
    for (const std::string& text : {std::string("abc"), std::string("abc\nxx"), std::string("xx\nabc"),
                                    std::string("\nabc\n"), std::string("cabc"), std::string("")}) {
      EXPECT_EQ(fast.next_matching_line(text, 0), plain.next_matching_line(text, 0)) << fast.describe() << " " << text;
    }
  }
}

// The source with pushdown, fed through a pipe in random chunks, against per-line plain RE2.
std::vector<std::pair<std::string, std::uint64_t>> pushdown_lines(const std::string& input,
                                                                  std::shared_ptr<const Matcher> matcher,
                                                                  bool invert, std::size_t buffer,
                                                                  std::size_t chunk,
                                                                  std::shared_ptr<const Matcher> helper = nullptr,
                                                                  std::shared_ptr<const Matcher> also = nullptr,
                                                                  std::shared_ptr<const Matcher> helper_also = nullptr) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  std::thread writer([&] {
    for (std::size_t pos = 0; pos < input.size(); pos += chunk) {
      std::size_t n = std::min(chunk, input.size() - pos);
      if (::write(fds[1], input.data() + pos, n) != static_cast<ssize_t>(n)) break;
    }
    ::close(fds[1]);
  });
  SourceOptions options;
  options.buffer_size = buffer;
  options.select = std::move(matcher);
  options.invert = invert;
  options.helper_select = std::move(helper);
  options.search_alone_first = 0;  // the helper from the first block on
  options.also_select = std::move(also);
  options.helper_also_select = std::move(helper_also);
  std::vector<std::pair<std::string, std::uint64_t>> lines;
  for (const Line& line : read_lines(fds[0], options, std::make_shared<InputState>())) {
    lines.emplace_back(std::string(line.text), line.number);
  }
  writer.join();
  ::close(fds[0]);
  return lines;
}

TEST(fast_paths, pushdown_through_the_source_agrees_with_plain_re2) {
  std::mt19937 rng(99);
  for (const Case& c : cases()) {
    auto fast = std::make_shared<const Matcher>(c.patterns, c.options);
    const Matcher plain = plain_re2(c);
    for (int round = 0; round < 20; ++round) {
      std::string input = random_text(rng, 3000);
      if (round % 5 == 0) input += std::string(5000, 'x') + "abc" + std::string(3000, 'y') + "\n";  // > buffer
      for (bool invert : {false, true}) {
        std::vector<std::pair<std::string, std::uint64_t>> expected;
        std::uint64_t number = 0;
        for (const std::string& line : split_lines(input)) {
          ++number;
          if (plain.matches(line) != invert) expected.emplace_back(line, number);
        }
        ASSERT_EQ(pushdown_lines(input, fast, invert, 64 + rng() % 512, 1 + rng() % 700), expected)
            << fast->describe() << " invert " << invert;
      }
    }
  }
}

std::vector<std::pair<std::string, std::uint64_t>> plain_selection(const std::string& input, const Matcher& plain,
                                                                   bool invert) {
  std::vector<std::pair<std::string, std::uint64_t>> expected;
  std::uint64_t number = 0;
  for (const std::string& line : split_lines(input)) {
    ++number;
    if (plain.matches(line) != invert) expected.emplace_back(line, number);
  }
  return expected;
}

// Blocks big enough to be split between the consumer and the helper thread, every strategy.
TEST(fast_paths, helper_thread_halves_agree_with_plain_re2) {
  std::mt19937 rng(5);
  for (const Case& c : cases()) {
    auto fast = std::make_shared<const Matcher>(c.patterns, c.options);
    auto twin = std::make_shared<const Matcher>(fast->twin());
    const Matcher plain = plain_re2(c);
    for (int round = 0; round < 3; ++round) {
      std::string input = random_text(rng, 150000);
      if (round == 1) input += "\n" + std::string(70000, 'x') + "abc\n";  // a line longer than some blocks
      for (bool invert : {false, true}) {
        ASSERT_EQ(pushdown_lines(input, fast, invert, 16384 + rng() % 100000, 65536, twin),
                  plain_selection(input, plain, invert))
            << fast->describe() << " invert " << invert;
      }
    }
  }
}

// Two predicates pushed down together (a --keep and PATTERN): the lines yielded are those both
// match, whichever of them leads the search, with and without the helper thread.
TEST(fast_paths, two_predicates_agree_with_both_checked_per_line) {
  std::mt19937 rng(17);
  const std::vector<Case> all = cases();
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Case& a = all[i];
    const Case& b = all[(i * 7 + 3) % all.size()];
    auto fast_a = std::make_shared<const Matcher>(a.patterns, a.options);
    auto fast_b = std::make_shared<const Matcher>(b.patterns, b.options);
    MatcherOptions plain_a = a.options, plain_b = b.options;
    plain_a.literal_scan = plain_b.literal_scan = false;
    const Matcher plain_first(a.patterns, plain_a), plain_second(b.patterns, plain_b);
    for (int round = 0; round < 4; ++round) {
      const bool big = round >= 2;  // blocks big enough for the helper thread
      const std::string input = random_text(rng, big ? 200000 : 3000);
      std::vector<std::pair<std::string, std::uint64_t>> expected;
      std::uint64_t number = 0;
      for (const std::string& line : split_lines(input)) {
        ++number;
        if (plain_first.matches(line) && plain_second.matches(line)) expected.emplace_back(line, number);
      }
      // Either order: the source picks its lead by what the input holds, the result must not change.
      for (bool swapped : {false, true}) {
        auto first = swapped ? fast_b : fast_a;
        auto second = swapped ? fast_a : fast_b;
        std::shared_ptr<const Matcher> helper, helper_also;
        if (big) {
          helper = std::make_shared<const Matcher>(first->twin());
          helper_also = std::make_shared<const Matcher>(second->twin());
        }
        const std::size_t buffer = big ? 16384 + rng() % 100000 : 64 + rng() % 512;
        ASSERT_EQ(pushdown_lines(input, first, false, buffer, 1 + rng() % 70000, helper, second, helper_also),
                  expected)
            << first->describe() << " and " << second->describe();
      }
    }
  }
}

// An input where one predicate matches every line and the other few (so the lead is swapped in
// one order and kept in the other): the same lines either way, numbered right.
TEST(fast_paths, two_predicates_on_a_skewed_input_give_the_same_lines_in_either_order) {
  std::string input;
  for (int i = 0; i < 50000; ++i) input += i % 97 == 0 ? "ERROR timeout here\n" : "ERROR other text\n";
  auto common = std::make_shared<const Matcher>(std::vector<std::string>{"ERROR"}, with(Syntax::extended));
  auto rare = std::make_shared<const Matcher>(std::vector<std::string>{"timeout"}, with(Syntax::extended));
  const std::vector<std::pair<std::string, std::uint64_t>> a = pushdown_lines(input, common, false, 65536, 65536,
                                                                              nullptr, rare);
  const std::vector<std::pair<std::string, std::uint64_t>> b = pushdown_lines(input, rare, false, 65536, 65536,
                                                                              nullptr, common);
  ASSERT_EQ(a.size(), (50000 + 96) / 97);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a[1].second, 98u);
}

// More matching lines in half a block than the helper keeps: the consumer searches the rest.
TEST(fast_paths, helper_thread_with_more_matches_than_it_keeps) {
  std::string input;
  for (int i = 0; i < 200000; ++i) input += (i % 7 == 0) ? "zz\n" : "ab\n";
  auto fast = std::make_shared<const Matcher>(std::vector<std::string>{"[ab]+"}, with(Syntax::extended));
  ASSERT_NE(fast->describe().find("over whole buffers"), std::string::npos);
  auto twin = std::make_shared<const Matcher>(fast->twin());
  for (bool invert : {false, true}) {
    const auto got = pushdown_lines(input, fast, invert, 256 * 1024, 65536, twin);
    EXPECT_EQ(got, plain_selection(input, *fast, invert)) << "invert " << invert;
  }
}

// A consumer that stops while the helper is still searching: the source must wait for it.
TEST(fast_paths, stopping_early_while_the_helper_searches) {
  std::string input;
  for (int i = 0; i < 100000; ++i) input += "line " + std::to_string(i) + " =123f\n";
  auto fast = std::make_shared<const Matcher>(std::vector<std::string>{"=[0-9]{3}[a-f]"}, with(Syntax::extended));
  auto twin = std::make_shared<const Matcher>(fast->twin());
  for (int stop_after : {1, 50, 3000}) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::thread writer([&] {
      (void)!::write(fds[1], input.data(), input.size());
      ::close(fds[1]);
    });
    SourceOptions options;
    options.select = fast;
    options.helper_select = twin;
    options.search_alone_first = 0;
    int seen = 0;
    {
      generator<Line> lines = read_lines(fds[0], options, std::make_shared<InputState>());
      for (const Line& line : lines) {
        EXPECT_EQ(line.text, "line " + std::to_string(seen) + " =123f");
        if (++seen == stop_after) break;
      }
    }
    char drain[65536];
    while (::read(fds[0], drain, sizeof drain) > 0) {
    }
    ::close(fds[0]);
    writer.join();
    EXPECT_EQ(seen, stop_after);
  }
}

TEST(fast_paths, case_sensitive_atoms_keep_long_s_and_kelvin_sign) {
  EXPECT_TRUE(Matcher({"\xc5\xbfword|zzzz"}, with(Syntax::extended)).next_matching_line("long \xc5\xbfword", 0));
  EXPECT_TRUE(Matcher({"\xe2\x84\xaa" "elvin|zzzz"}, with(Syntax::extended)).next_matching_line("\xe2\x84\xaa" "elvin", 0));
}

TEST(fast_paths, patterns_without_literals_search_whole_buffers_when_that_is_safe) {
  EXPECT_NE(Matcher({"=[0-9]{3}[a-f]"}, with(Syntax::extended)).describe().find("over whole buffers"), std::string::npos);
  EXPECT_NE(Matcher({"[ab]c"}, with(Syntax::extended, false, true)).describe().find("over whole buffers"),
            std::string::npos);
  EXPECT_NE(Matcher({"\\Ab"}, with(Syntax::extended)).describe().find("line by line"), std::string::npos);
  EXPECT_NE(Matcher({"(?s)a.b"}, with(Syntax::extended)).describe().find("line by line"), std::string::npos);
  // A class that would span lines over a buffer: "a\nb" holds no line matching [^x]b after an a.
  const Matcher across({"a[^x]b"}, with(Syntax::extended));
  EXPECT_FALSE(across.next_matching_line("a\nb", 0));
  EXPECT_EQ(across.next_matching_line("a\nb\nxayb", 0), (Span{4, 8}));
}

TEST(fast_paths, strategies_are_the_intended_ones) {
  // Guards against a silent fall-back to the slow path for the common query shapes.
  EXPECT_NE(Matcher({"deadlock detected"}, with(Syntax::extended)).describe().find("SIMD literal scan"), std::string::npos);
  EXPECT_NE(Matcher({"status=5[0-9]{2}"}, with(Syntax::extended)).describe().find("'status=5'"), std::string::npos);
  EXPECT_NE(Matcher({"timeout|deadlock"}, with(Syntax::extended)).describe().find("'deadlock'"), std::string::npos);
  EXPECT_NE(Matcher({"tls handshake"}, with(Syntax::extended, true)).describe().find("' hand'"), std::string::npos);
  EXPECT_EQ(Matcher({"[0-9]{4}ms"}, with(Syntax::extended)).describe().find("SIMD"), std::string::npos);
  // Long literal lists: the literal set, not an RE2 alternation (with -i, for the ASCII ones).
  EXPECT_NE(Matcher(word_list(1, 1000), with(Syntax::fixed)).describe().find("literal set of 1000"), std::string::npos);
  EXPECT_NE(Matcher(word_list(1, 1000), with(Syntax::fixed, true)).describe().find("literal set of"), std::string::npos);
  std::vector<std::string> regexes;
  for (int i = 0; i < 1000; ++i) regexes.push_back("user" + std::to_string(i) + "=[a-z]+|id=" + std::to_string(i) + "\\b");
  EXPECT_NE(Matcher(regexes, with(Syntax::extended)).describe().find("each run only where"), std::string::npos);
  EXPECT_NE(Matcher(regex_list(12, 120), with(Syntax::extended)).describe().find("each run only where"), std::string::npos);
}

}  // namespace
}  // namespace logsift
