#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "logsift/byte_scan.hpp"

namespace {

using logsift::LiteralSearcher;
constexpr std::size_t npos = std::string_view::npos;

// Calls visit(b, c, other, letter, pad) for every byte value b: c is the byte, other the byte
// with bit 0x20 flipped (its other case when `letter`), pad a filler byte that is neither.
template <typename Visit>
void for_each_byte_and_its_other_case(Visit visit) {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const char other = static_cast<char>(b ^ 0x20);
    const bool letter = (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
    char pad = '.';
    for (char p : {'.', ',', ';'}) {
      if (p != c && p != other) pad = p;
    }
    visit(b, c, other, letter, pad);
  }
}

// One page of 'a' between two pages that cannot be read: a scan that reads one byte outside
// [lo, hi) faults, sanitizer or not.
struct GuardedPage {
  std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  void* mapping = mmap(nullptr, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  const char* lo = nullptr;  // first readable byte
  const char* hi = nullptr;  // one past the last readable byte

  GuardedPage() {
    if (mapping == MAP_FAILED) return;
    char* base = static_cast<char*>(mapping);
    std::memset(base + page, 'a', page);
    if (mprotect(base, page, PROT_NONE) != 0 || mprotect(base + 2 * page, page, PROT_NONE) != 0) return;
    lo = base + page;
    hi = base + 2 * page;
  }
  ~GuardedPage() {
    if (mapping != MAP_FAILED) munmap(mapping, 3 * page);
  }
  GuardedPage(const GuardedPage&) = delete;
  GuardedPage& operator=(const GuardedPage&) = delete;
  bool ok() const { return lo != nullptr; }
};

char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c; }

// The obviously correct search everything else is checked against.
std::size_t naive_find(std::string_view h, std::string_view n, std::size_t from, bool ci) {
  if (from > h.size()) return npos;
  if (n.size() > h.size()) return npos;
  for (std::size_t s = from; s + n.size() <= h.size(); ++s) {
    bool ok = true;
    for (std::size_t k = 0; k < n.size() && ok; ++k) {
      ok = ci ? fold(h[s + k]) == fold(n[k]) : h[s + k] == n[k];
    }
    if (ok) return s;
  }
  return npos;
}

// A copy of `s` in a heap block of exactly its size, so a sanitizer build flags any read past
// either end (a std::string would hide overreads in its capacity slack and terminator).
class ExactBuffer {
 public:
  explicit ExactBuffer(std::string_view s) : size_(s.size()) {
    if (size_ != 0) {
      data_ = std::make_unique<char[]>(size_);
      std::memcpy(data_.get(), s.data(), size_);
    }
  }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_;
};

// Checks find() and the portable path at one position; returns whether both agreed with naive.
bool check_at(const LiteralSearcher& s, std::string_view h, std::size_t from, bool ci) {
  const std::size_t want = naive_find(h, s.needle(), from, ci);
  const std::size_t got = s.find(h, from);
  const std::size_t got_portable = logsift::detail::find_portable(s, h, from);
  EXPECT_EQ(got, want) << "needle=\"" << s.needle() << "\" ci=" << ci << " from=" << from
                       << " hay_size=" << h.size() << " hay=\"" << h << "\"";
  EXPECT_EQ(got_portable, want) << "(portable) needle=\"" << s.needle() << "\" ci=" << ci
                                << " from=" << from << " hay=\"" << h << "\"";
  return got == want && got_portable == want;
}

// Every `from` in 0..size+1; stops at the first disagreement to keep failure output readable.
bool check_all_from(const LiteralSearcher& s, std::string_view hay, bool ci) {
  const ExactBuffer buf(hay);
  for (std::size_t from = 0; from <= hay.size() + 1; ++from) {
    if (!check_at(s, buf.view(), from, ci)) return false;
  }
  return true;
}

std::string filler(std::size_t n, std::mt19937& rng, std::string_view alphabet) {
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string s(n, '\0');
  for (char& c : s) c = alphabet[pick(rng)];
  return s;
}

TEST(byte_scan, empty_needle_matches_at_from) {
  const LiteralSearcher s("");
  EXPECT_EQ(s.find("", 0), 0u);
  EXPECT_EQ(s.find("", 1), npos);
  EXPECT_EQ(s.find(std::string_view{}, 0), 0u);
  EXPECT_EQ(s.find("abc", 0), 0u);
  EXPECT_EQ(s.find("abc", 2), 2u);
  EXPECT_EQ(s.find("abc", 3), 3u);
  EXPECT_EQ(s.find("abc", 4), npos);
  EXPECT_EQ(LiteralSearcher("", true).find("abc", 1), 1u);
}

TEST(byte_scan, needle_is_kept_as_given) {
  EXPECT_EQ(LiteralSearcher("TLS Handshake", true).needle(), "TLS Handshake");
  EXPECT_EQ(LiteralSearcher("ERROR").needle(), "ERROR");
}

TEST(byte_scan, empty_haystack) {
  for (const char* n : {"a", "ab", "abcdefghijklmnopqrstuvwxyz0123456789"}) {
    for (bool ci : {false, true}) {
      const LiteralSearcher s(n, ci);
      EXPECT_EQ(s.find(std::string_view{}), npos);
      EXPECT_EQ(s.find(""), npos);
      EXPECT_EQ(logsift::detail::find_portable(s, std::string_view{}, 0), npos);
    }
  }
}

TEST(byte_scan, literal_match_at_first_byte) {
  for (std::size_t len = 1; len <= 200; ++len) {
    std::string hay(len, '.');
    const std::string needle = "ERROR";
    hay.replace(0, std::min(len, needle.size()), needle, 0, std::min(len, needle.size()));
    for (bool ci : {false, true}) {
      ASSERT_TRUE(check_all_from(LiteralSearcher(needle, ci), hay, ci)) << len;
    }
  }
}

TEST(byte_scan, literal_match_at_last_byte) {
  const std::string needles[] = {"x", "q!", "deadlock detected", std::string(40, 'z') + "!"};
  for (const std::string& needle : needles) {
    for (std::size_t len = needle.size(); len <= needle.size() + 200; ++len) {
      std::string hay(len - needle.size(), '-');
      hay += needle;
      for (bool ci : {false, true}) {
        const LiteralSearcher s(needle, ci);
        const ExactBuffer buf(hay);
        EXPECT_EQ(s.find(buf.view()), len - needle.size()) << needle << " " << len;
        ASSERT_TRUE(check_all_from(s, hay, ci)) << needle << " " << len;
      }
    }
  }
}

TEST(byte_scan, needle_longer_than_haystack) {
  const std::string needle(70, 'a');
  for (std::size_t len = 0; len < needle.size(); ++len) {
    // A prefix of the needle: every byte matches, but the needle never fits.
    const std::string hay(len, 'a');
    for (bool ci : {false, true}) {
      const LiteralSearcher s(needle, ci);
      const ExactBuffer buf(hay);
      EXPECT_EQ(s.find(buf.view()), npos) << len;
      EXPECT_EQ(logsift::detail::find_portable(s, buf.view(), 0), npos) << len;
    }
  }
}

TEST(byte_scan, overlapping_occurrences) {
  const LiteralSearcher s("aaa");
  const std::size_t want[] = {0, 1, 2, npos, npos, npos, npos};
  for (std::size_t from = 0; from < std::size(want); ++from) {
    EXPECT_EQ(s.find("aaaaa", from), want[from]) << from;
  }
  EXPECT_TRUE(check_all_from(s, "aaaaa", false));
  EXPECT_TRUE(check_all_from(LiteralSearcher("aAa", true), "aaAAa", true));
  EXPECT_TRUE(check_all_from(LiteralSearcher("abab"), "abababababab", false));
  // Long runs: every start is a candidate for a needle made of one repeated byte.
  EXPECT_TRUE(check_all_from(LiteralSearcher(std::string(33, 'a')), std::string(150, 'a'), false));
  EXPECT_TRUE(
      check_all_from(LiteralSearcher(std::string(33, 'A'), true), std::string(150, 'a'), true));
}

// Needles of lengths around the 32-byte vector width, planted at every position of haystacks of
// every length 0..100, plus a near miss (last byte changed) that must not be reported.
TEST(byte_scan, needle_lengths_around_vector_width) {
  std::mt19937 rng(1234);
  for (std::size_t m : {1, 2, 3, 31, 32, 33, 64}) {
    const std::string needle = filler(m, rng, "abcdefgh");
    std::string near_miss = needle;
    near_miss.back() = 'z';
    for (bool ci : {false, true}) {
      const LiteralSearcher s(needle, ci);
      for (std::size_t n = 0; n <= 100; ++n) {
        const std::string base = filler(n, rng, "abcdefghxyz");
        ASSERT_TRUE(check_all_from(s, base, ci)) << m << " " << n;
        for (std::size_t pos = 0; pos + m <= n; ++pos) {
          std::string hay = base;
          hay.replace(pos, m, needle);
          ASSERT_TRUE(check_all_from(s, hay, ci)) << m << " " << n << " " << pos;
          hay = std::string(n, 'y');
          hay.replace(pos, m, near_miss);
          ASSERT_TRUE(check_all_from(s, hay, ci)) << m << " near miss " << n << " " << pos;
        }
      }
    }
  }
}

TEST(byte_scan, case_insensitive_mixed_case) {
  const LiteralSearcher s("TlS HandShake", true);
  EXPECT_EQ(s.find("error: tls handshake failed"), 7u);
  EXPECT_EQ(s.find("error: TLS HANDSHAKE failed"), 7u);
  EXPECT_EQ(s.find("error: tLs hAnDsHaKe failed"), 7u);
  EXPECT_EQ(s.find("error: tls_handshake failed"), npos);
  EXPECT_EQ(LiteralSearcher("TlS HandShake").find("tls handshake"), npos);

  const LiteralSearcher q("Quota-Exceeded: 42%", true);
  EXPECT_EQ(q.find("disk QUOTA-exceeded: 42% on /var"), 5u);
  EXPECT_EQ(q.find("disk QUOTA-exceeded: 43% on /var"), npos);

  const LiteralSearcher k("k", true);  // a single folded letter cannot go through memchr
  EXPECT_EQ(k.find("abcK"), 3u);
  EXPECT_EQ(k.find("abck"), 3u);
  EXPECT_EQ(k.find("abc"), npos);
  EXPECT_TRUE(check_all_from(k, std::string(40, 'x') + "K" + std::string(40, 'y') + "k", true));
}

// Only ASCII letters fold. The bytes that differ from a letter by 0x20 ('@' / '`', '[' / '{', and
// many UTF-8 bytes such as the 0xB8 of 'ø' vs the 0x98 of 'Ø') must still match only exactly.
TEST(byte_scan, non_ascii_bytes_match_exactly_when_case_insensitive) {
  const LiteralSearcher soren("Søren", true);
  EXPECT_EQ(soren.find("user=søren"), 5u);
  EXPECT_EQ(soren.find("user=SøREN"), 5u);
  EXPECT_EQ(soren.find("user=SØREN"), npos);  // Ø is C3 98, ø is C3 B8
  EXPECT_EQ(soren.find("user=Soren"), npos);

  const LiteralSearcher li("李雷", true);
  EXPECT_EQ(li.find("user=李雷 x"), 5u);
  EXPECT_EQ(li.find("user=李"), npos);

  for_each_byte_and_its_other_case([](int b, char c, char other, bool letter, char pad) {
    for (std::size_t m : {1, 2, 5}) {
      const std::string needle = std::string(m - 1, pad) + c;
      const std::string hay = std::string(40 + m - 1, pad) + other + pad + pad;
      const LiteralSearcher s(needle, true);
      EXPECT_EQ(s.find(hay), letter ? 40u : npos) << "byte " << b << " m=" << m;
      EXPECT_EQ(logsift::detail::find_portable(s, hay, 0), letter ? 40u : npos) << b;
      EXPECT_EQ(s.find(std::string(40, pad) + needle), 40u) << "byte " << b << " m=" << m;
    }
  });
}

// Small alphabets make matches and partial matches frequent, so the candidate-verification path
// and the block boundaries get exercised far more than realistic text would.
TEST(byte_scan, randomized_against_reference) {
  std::mt19937 rng(20260101);
  const std::string alphabets[] = {"ab", "aAbB", "ab\n\xc3\xb8", "xyz"};
  std::uniform_int_distribution<int> coin(0, 1);
  std::uniform_int_distribution<std::size_t> short_len(1, 5);
  std::uniform_int_distribution<std::size_t> long_len(6, 40);
  std::uniform_int_distribution<std::size_t> hay_len(0, 300);
  for (int round = 0; round < 3000; ++round) {
    const std::string& alpha = alphabets[round % std::size(alphabets)];
    const std::size_t m = (round % 5 == 0) ? long_len(rng) : short_len(rng);
    const std::string needle = filler(m, rng, alpha);
    std::string hay = filler(hay_len(rng), rng, alpha);
    if (coin(rng) != 0 && hay.size() >= m) {  // make sure long needles occur at all
      std::uniform_int_distribution<std::size_t> at(0, hay.size() - m);
      hay.replace(at(rng), m, needle);
    }
    const bool ci = coin(rng) != 0;
    ASSERT_TRUE(check_all_from(LiteralSearcher(needle, ci), hay, ci)) << "round " << round;
  }
}

// The first NUL in h[from, stop), or npos.
std::size_t first_nul_in(std::string_view h, std::size_t from, std::size_t stop) {
  const std::size_t at = h.substr(0, std::min(stop, h.size())).find('\0', from);
  return at;
}

// find() that also looks for NULs: the same match, and the first NUL before it (or before the end).
TEST(byte_scan, first_nul_before_the_match_is_reported) {
  std::mt19937 rng(424242);
  std::uniform_int_distribution<std::size_t> hay_len(0, 400);
  for (int round = 0; round < 3000; ++round) {
    const std::string needle = filler(1 + rng() % 12, rng, round % 2 ? "ab" : "aAbB");
    std::string hay = filler(hay_len(rng), rng, "ab\n");
    for (int nuls = static_cast<int>(rng() % 3); nuls > 0 && !hay.empty(); --nuls) hay[rng() % hay.size()] = '\0';
    if (hay.size() > needle.size() && rng() % 2) hay.replace(rng() % (hay.size() - needle.size()), needle.size(), needle);
    const bool ci = rng() % 2 != 0;
    const LiteralSearcher single(needle, ci);
    const logsift::MultiLiteralSearcher one({needle}, ci);
    const logsift::MultiLiteralSearcher two({needle, "bba"}, ci);
    const ExactBuffer buf(hay);
    for (std::size_t from = 0; from <= hay.size(); from += 1 + rng() % 7) {
      for (int which = 0; which < 3; ++which) {
        auto find = [&](std::size_t* nul) {
          return which == 0 ? single.find(buf.view(), from, nul)
                 : which == 1 ? one.find(buf.view(), from, nul)
                              : two.find(buf.view(), from, nul);
        };
        const std::size_t want = find(nullptr);
        std::size_t nul = npos;
        ASSERT_EQ(find(&nul), want) << "round " << round << " searcher " << which;
        ASSERT_EQ(nul, first_nul_in(hay, from, want)) << "round " << round << " from " << from << " searcher " << which;
      }
    }
  }
}

TEST(byte_scan, line_ends_and_nuls) {
  const std::string text = "ab\ncd\n\nef";
  EXPECT_EQ(logsift::line_end_at(text, 0), 2u);
  EXPECT_EQ(logsift::line_end_at(text, 2), 2u);  // on the '\n' itself
  EXPECT_EQ(logsift::line_end_at(text, 3), 5u);
  EXPECT_EQ(logsift::line_end_at(text, 6), 6u);
  EXPECT_EQ(logsift::line_end_at(text, 7), text.size());  // the last line has no '\n'
  EXPECT_EQ(logsift::line_end_at(text, text.size()), text.size());
  EXPECT_FALSE(logsift::contains_nul(text));
  EXPECT_FALSE(logsift::contains_nul(""));
  EXPECT_TRUE(logsift::contains_nul(std::string_view("\0ab", 3)));
  EXPECT_TRUE(logsift::contains_nul(std::string_view("ab\0", 3)));
}

TEST(byte_scan, far_match_in_long_haystack) {
  std::mt19937 rng(7);
  // Dense partial matches ("deadlock detecte" + wrong byte) before the real one.
  std::string hay;
  while (hay.size() < 100000) hay += "deadlock detectex " + filler(rng() % 50, rng, "abc ");
  const std::size_t at = hay.size();
  hay += "DEADLOCK DETECTED";
  const ExactBuffer buf(hay);
  EXPECT_EQ(LiteralSearcher("deadlock detected").find(buf.view()), npos);
  EXPECT_EQ(LiteralSearcher("deadlock detected", true).find(buf.view()), at);
  EXPECT_EQ(LiteralSearcher("DEADLOCK DETECTED").find(buf.view()), at);
  EXPECT_EQ(LiteralSearcher("DEADLOCK DETECTED").find(buf.view(), at + 1), npos);
}

// Haystacks that end right before, or start right after, an inaccessible page: any overread
// faults even without a sanitizer.
TEST(byte_scan, never_reads_outside_the_haystack) {
  const GuardedPage guarded;
  ASSERT_TRUE(guarded.ok());
  const char* lo = guarded.lo;
  const char* hi = guarded.hi;

  // Haystacks are all 'a', so these never match and every scan runs to the very last byte.
  const std::string needles[] = {
      "b", "ab", "aab", std::string(31, 'a') + "b", std::string(32, 'a') + "b",
      std::string(64, 'a') + "b",
  };
  for (std::size_t n = 0; n <= 300; ++n) {
    const std::string_view at_end(hi - n, n);
    const std::string_view at_start(lo, n);
    for (const std::string& needle : needles) {
      for (bool ci : {false, true}) {
        const LiteralSearcher s(needle, ci);
        for (std::size_t from = 0; from <= n; from += (from < 70 ? 1 : 17)) {
          EXPECT_EQ(s.find(at_end, from), npos);
          EXPECT_EQ(s.find(at_start, from), npos);
          std::size_t nul = npos;
          EXPECT_EQ(s.find(at_end, from, &nul), npos);
          EXPECT_EQ(s.find(at_start, from, &nul), npos);
          EXPECT_EQ(nul, npos);
          EXPECT_EQ(logsift::detail::find_portable(s, at_end, from), npos);
        }
      }
    }
    EXPECT_EQ(logsift::count_newlines(at_end.data(), at_end.data() + n), 0u);
    EXPECT_EQ(logsift::count_newlines(at_start.data(), at_start.data() + n), 0u);
  }
}

TEST(byte_scan, count_newlines_matches_std_count) {
  std::mt19937 rng(99);
  std::vector<char> buf(1000 + 64);
  for (int density : {0, 1, 10, 50, 100}) {  // percent of '\n'
    std::uniform_int_distribution<int> pct(0, 99);
    for (char& c : buf) c = pct(rng) < density ? '\n' : static_cast<char>(rng() % 256);
    for (std::size_t start = 0; start < 32; start += (start < 8 ? 1 : 7)) {
      for (std::size_t len = 0; len <= 1000; ++len) {
        const char* b = buf.data() + start;
        const ExactBuffer exact(std::string_view(b, len));
        const char* eb = exact.view().data();
        const auto want = static_cast<std::size_t>(std::count(b, b + len, '\n'));
        ASSERT_EQ(logsift::count_newlines(eb, eb + len), want)
            << density << " " << start << " " << len;
        ASSERT_EQ(logsift::count_newlines(b, b + len), want)
            << density << " " << start << " " << len;
        ASSERT_EQ(logsift::detail::count_newlines_portable(b, b + len), want)
            << start << " " << len;
      }
    }
  }
  EXPECT_EQ(logsift::count_newlines(nullptr, nullptr), 0u);
}

// ---------------------------------------------------------------------------------------------
// MultiLiteralSearcher

using logsift::MultiLiteralSearcher;
using Needles = std::vector<std::string>;

std::size_t naive_find_any(std::string_view h, const Needles& needles, std::size_t from, bool ci) {
  std::size_t best = npos;
  for (const std::string& n : needles) best = std::min(best, naive_find(h, n, from, ci));
  return best;
}

std::string describe(const Needles& needles) {
  std::string out;
  for (const std::string& n : needles) out += "\"" + n + "\" ";
  return out;
}

// Checks find() and the portable path at one position against `want`.
bool check_multi_want(const MultiLiteralSearcher& s, const Needles& needles, std::string_view h,
                      std::size_t from, bool ci, std::size_t want) {
  const std::size_t got = s.find(h, from);
  const std::size_t got_portable = logsift::detail::find_portable(s, h, from);
  EXPECT_EQ(got, want) << "needles=" << describe(needles) << "ci=" << ci << " from=" << from
                       << " hay_size=" << h.size() << " hay=\"" << h << "\"";
  EXPECT_EQ(got_portable, want) << "(portable) needles=" << describe(needles) << "ci=" << ci
                                << " from=" << from << " hay=\"" << h << "\"";
  return got == want && got_portable == want;
}

bool check_multi_at(const MultiLiteralSearcher& s, const Needles& needles, std::string_view h,
                    std::size_t from, bool ci) {
  return check_multi_want(s, needles, h, from, ci, naive_find_any(h, needles, from, ci));
}

// next[i]: the reference answer for from = i, for every i in 0..size+1.
std::vector<std::size_t> naive_next_starts(std::string_view h, const Needles& needles, bool ci) {
  std::vector<std::size_t> next(h.size() + 2, npos);
  for (std::size_t i = h.size() + 1; i-- > 0;) {
    if (i <= h.size()) {
      for (const std::string& n : needles) {
        if (naive_find(h.substr(i, n.size()), n, 0, ci) == 0) next[i] = i;
      }
    }
    if (next[i] == npos && i + 1 < next.size()) next[i] = next[i + 1];
  }
  return next;
}

bool check_multi_all_from(const Needles& needles, std::string_view hay, bool ci) {
  const MultiLiteralSearcher s(needles, ci);
  const ExactBuffer buf(hay);
  const std::vector<std::size_t> next = naive_next_starts(hay, needles, ci);
  for (std::size_t from = 0; from <= hay.size() + 1; ++from) {
    if (!check_multi_want(s, needles, buf.view(), from, ci, next[from])) return false;
  }
  return true;
}

TEST(multi_literal, size_counts_needles_as_given) {
  EXPECT_EQ(MultiLiteralSearcher({"a"}).size(), 1u);
  EXPECT_EQ(MultiLiteralSearcher({"err", "err", "ERR"}, true).size(), 3u);
  EXPECT_EQ(MultiLiteralSearcher(Needles(20, "x")).size(), 20u);
  EXPECT_TRUE(MultiLiteralSearcher({"a", "b"}, true).ascii_case_insensitive());
}

TEST(multi_literal, alternation_in_a_log_line) {
  const MultiLiteralSearcher s({"timeout", "deadlock", "expired"});
  const std::string line = "2026-01-01T00:00:00Z WARN lock expired after deadlock: timeout";
  EXPECT_EQ(s.find(line), line.find("expired"));
  EXPECT_EQ(s.find(line, line.find("expired") + 1), line.find("deadlock"));
  EXPECT_EQ(s.find(line, line.find("deadlock") + 1), line.find("timeout"));
  EXPECT_EQ(s.find(line, line.find("timeout") + 1), npos);
  EXPECT_EQ(s.find("all good"), npos);
  EXPECT_EQ(s.find(line, line.size() + 1), npos);
}

TEST(multi_literal, leftmost_of_overlapping_needles) {
  // Each needle overlaps the next one's occurrence; the leftmost start wins whichever needle is
  // listed first and whichever is longer.
  for (const Needles& needles :
       {Needles{"abcd", "bc", "cdef"}, Needles{"cdef", "bc", "abcd"}, Needles{"bcdefgh", "abc"},
        Needles{"aaa", "aa"}, Needles{"abab", "baba"}}) {
    for (bool ci : {false, true}) {
      EXPECT_TRUE(check_multi_all_from(needles, "xxabcdefghxx", ci));
      EXPECT_TRUE(check_multi_all_from(needles, "abababababaaaaabab", ci));
      EXPECT_TRUE(check_multi_all_from(needles, "ABcDeFgH aBaB AAAA", ci));
    }
  }
  const MultiLiteralSearcher s({"abcd", "bc", "cdef"});
  EXPECT_EQ(s.find("xxabcdefxx"), 2u);
  EXPECT_EQ(s.find("xxabcdefxx", 3), 3u);
  EXPECT_EQ(s.find("xxabcdefxx", 4), 4u);
  EXPECT_EQ(s.find("xxabcdefxx", 5), npos);
}

TEST(multi_literal, needle_that_is_a_prefix_of_another) {
  for (const Needles& needles :
       {Needles{"time", "timeout"}, Needles{"timeout", "time"}, Needles{"timeout", "timeout", "t"},
        Needles{"timeout", "TIME", "timeouts"}, Needles{"a", "ab", "abc", "abcd"}}) {
    for (bool ci : {false, true}) {
      for (const char* hay : {"timeout", "timeou", "xtimeout", "xTIMEOUT", "tim", "abcd", "xxab",
                              "no match here", ""}) {
        EXPECT_TRUE(check_multi_all_from(needles, hay, ci)) << describe(needles) << hay;
      }
    }
  }
}

TEST(multi_literal, empty_or_no_needles) {
  const MultiLiteralSearcher none(Needles{});
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.find("abc"), npos);
  EXPECT_EQ(logsift::detail::find_portable(none, "abc", 0), npos);
  // An empty needle matches everywhere, as in LiteralSearcher.
  const MultiLiteralSearcher empty({"abc", ""});
  EXPECT_EQ(empty.find("xyz", 1), 1u);
  EXPECT_EQ(empty.find("xyz", 3), 3u);
  EXPECT_EQ(empty.find("xyz", 4), npos);
  EXPECT_EQ(logsift::detail::find_portable(empty, "xyz", 2), 2u);
}

// Needle sets mixing lengths 1..40 (so the shortest bounds the blocks while a long needle's pair
// lies far beyond it), planted at every position of haystacks of every length 0..100, plus near
// misses (last byte changed) that must not be reported.
TEST(multi_literal, needles_of_different_lengths) {
  std::mt19937 rng(4321);
  const std::vector<std::vector<std::size_t>> length_sets = {
      {1, 40}, {2, 3}, {5, 17, 40}, {31, 32, 33}, {8, 8, 8, 8}, {3, 9, 14, 20, 27, 33, 38, 40}};
  for (const auto& lengths : length_sets) {
    Needles needles;
    for (std::size_t m : lengths) needles.push_back(filler(m, rng, "abcdefgh"));
    for (bool ci : {false, true}) {
      const MultiLiteralSearcher s(needles, ci);
      for (std::size_t n = 0; n <= 100; ++n) {
        const std::string base = filler(n, rng, "abcdefghxyz");
        ASSERT_TRUE(check_multi_all_from(needles, base, ci)) << n;
        for (const std::string& needle : needles) {
          std::string near_miss = needle;
          near_miss.back() = 'z';
          for (std::size_t pos = 0; pos + needle.size() <= n; ++pos) {
            std::string hay(n, 'y');
            hay.replace(pos, needle.size(), needle);
            const ExactBuffer buf(hay);
            for (std::size_t from : {std::size_t{0}, pos, pos + 1}) {
              ASSERT_TRUE(check_multi_at(s, needles, buf.view(), from, ci)) << n << " " << pos;
            }
            hay = std::string(n, 'y');
            hay.replace(pos, needle.size(), near_miss);
            const ExactBuffer miss(hay);
            ASSERT_TRUE(check_multi_at(s, needles, miss.view(), 0, ci)) << n << " " << pos;
          }
        }
      }
    }
  }
}

TEST(multi_literal, match_at_first_and_last_byte) {
  const Needles needles = {"x", "q!", "deadlock detected", std::string(40, 'z') + "!"};
  for (std::size_t len = 0; len <= 120; ++len) {
    for (const std::string& needle : needles) {
      if (needle.size() > len) continue;
      // Only the planted needle can occur: the filler shares no byte with any needle.
      const std::string pad(len - needle.size(), '-');
      for (bool ci : {false, true}) {
        const MultiLiteralSearcher s(needles, ci);
        const ExactBuffer at_start(needle + pad);
        const ExactBuffer at_end(pad + needle);
        EXPECT_EQ(s.find(at_start.view()), 0u) << needle << " " << len;
        EXPECT_EQ(s.find(at_start.view(), 1), npos) << needle << " " << len;
        EXPECT_EQ(s.find(at_end.view()), pad.size()) << needle << " " << len;
        EXPECT_EQ(logsift::detail::find_portable(s, at_end.view(), 0), pad.size()) << len;
        EXPECT_EQ(s.find(at_end.view(), pad.size()), pad.size()) << needle << " " << len;
        EXPECT_EQ(s.find(at_end.view(), pad.size() + 1), npos) << needle << " " << len;
      }
    }
  }
}

// Only ASCII letters fold: 'Ø' (C3 98) is not 'ø' (C3 B8), although the two differ by 0x20.
TEST(multi_literal, case_insensitive_leaves_non_ascii_alone) {
  const Needles needles = {"Søren", "李雷", "Ü", "tls handshake"};
  const MultiLiteralSearcher s(needles, true);
  EXPECT_EQ(s.find("user=SøREN"), 5u);
  EXPECT_EQ(s.find("user=SØREN"), npos);
  EXPECT_EQ(s.find("user=ü ok"), npos);  // ü is C3 BC, Ü is C3 9C
  EXPECT_EQ(s.find("user=Ü ok"), 5u);
  EXPECT_EQ(s.find("x TLS HandShake 李雷"), 2u);
  EXPECT_EQ(s.find("x TLS HandShak 李雷"), 15u);
  for (bool ci : {false, true}) {
    EXPECT_TRUE(check_multi_all_from(needles, "SØREN søren SøREN ÜÜüü 李雷 TLS handshake", ci));
  }

  for_each_byte_and_its_other_case([](int b, char c, char other, bool letter, char pad) {
    for (std::size_t m : {1, 2, 5}) {
      const Needles set = {std::string(m - 1, pad) + c, "never-there"};
      const std::string hay = std::string(40 + m - 1, pad) + other + pad + pad;
      const MultiLiteralSearcher ms(set, true);
      EXPECT_EQ(ms.find(hay), letter ? 40u : npos) << "byte " << b << " m=" << m;
      EXPECT_EQ(logsift::detail::find_portable(ms, hay, 0), letter ? 40u : npos) << b;
    }
  });
}

// 2..12 needles: more than 8 split into groups that scan in turns, so the leftmost hit may come
// from any group.
TEST(multi_literal, two_to_twelve_needles) {
  std::mt19937 rng(808);
  std::uniform_int_distribution<std::size_t> needle_len(1, 12);
  std::uniform_int_distribution<std::size_t> hay_len(0, 200);
  for (std::size_t count = 2; count <= 12; ++count) {
    for (int round = 0; round < 40; ++round) {
      Needles needles;
      for (std::size_t k = 0; k < count; ++k) {
        needles.push_back(filler(needle_len(rng) + (round % 4 == 0 ? 2 : 0), rng, "abcdAB"));
      }
      std::string hay = filler(hay_len(rng), rng, "abcdABxy");
      const std::string& planted = needles[rng() % count];
      if (hay.size() >= planted.size()) {
        hay.replace(rng() % (hay.size() - planted.size() + 1), planted.size(), planted);
      }
      const bool ci = round % 2 != 0;
      ASSERT_TRUE(check_multi_all_from(needles, hay, ci)) << count << " " << round;
    }
  }
}

// The scan looks for each needle's rarest adjacent pair, wherever it sits in the needle, so a hit
// on one needle's pair can precede the pair of another needle that starts earlier.
TEST(multi_literal, leftmost_when_a_later_pair_starts_earlier) {
  const std::string long_needle = std::string(30, 'e') + "qz";  // pair "qz" 30 bytes in
  const Needles needles = {"xj", long_needle};
  for (std::size_t start = 0; start < 70; ++start) {
    for (std::size_t gap = 0; gap < 40; ++gap) {
      std::string hay(start, '.');
      hay += long_needle.substr(0, gap);  // pad with a partial copy, then the whole needle
      const std::size_t at = hay.size();
      hay += long_needle + std::string(5, '.');
      // "xj" lands inside the long needle's span, before its pair but after its start.
      hay.replace(at + 1 + gap % 28, 2, "xj");
      for (bool ci : {false, true}) {
        const MultiLiteralSearcher s(needles, ci);
        const ExactBuffer buf(hay);
        for (std::size_t from : {std::size_t{0}, at, at + 1}) {
          ASSERT_TRUE(check_multi_at(s, needles, buf.view(), from, ci)) << start << " " << gap;
        }
      }
    }
  }
}

// Far more needles than buckets, one-byte needles among them, and needles made of bytes >= 0x80.
TEST(multi_literal, many_needles_share_buckets) {
  std::mt19937 rng(64);
  const std::string alphabet = "abcdefgABCDEFG-\xc3\xa9";
  for (int round = 0; round < 60; ++round) {
    Needles needles(8 + rng() % 57);
    for (std::string& needle : needles) {
      needle = filler(1 + rng() % (round % 3 == 0 ? 2 : 6), rng, alphabet);
    }
    std::string hay = filler(rng() % 400, rng, alphabet);
    const bool ci = round % 2 != 0;
    ASSERT_TRUE(check_multi_all_from(needles, hay, ci)) << "round " << round;
  }
  // 64 distinct words over a realistic alphabet, every hit of a long text.
  Needles words;
  while (words.size() < 64) words.push_back(filler(4 + rng() % 6, rng, "etaoinshrdlu"));
  std::string text;
  while (text.size() < 20000) {
    text += filler(rng() % 200, rng, "etaoinshrdlucmfwyp ");
    text += words[rng() % words.size()];
  }
  EXPECT_TRUE(check_multi_all_from(words, text, false));
}

// Small alphabets make matches and partial matches dense, so verification, block boundaries and
// the scalar tail all get exercised.
TEST(multi_literal, randomized_against_reference) {
  std::mt19937 rng(20260102);
  const std::string alphabets[] = {"ab", "aAbB", "ab\n\xc3\xb8", "xyz"};
  std::uniform_int_distribution<std::size_t> count(2, 10);
  std::uniform_int_distribution<std::size_t> short_len(1, 5);
  std::uniform_int_distribution<std::size_t> long_len(6, 40);
  std::uniform_int_distribution<std::size_t> hay_len(0, 300);
  for (int round = 0; round < 1500; ++round) {
    const std::string& alpha = alphabets[round % std::size(alphabets)];
    Needles needles(count(rng));
    for (std::string& needle : needles) {
      needle = filler(rng() % 4 == 0 ? long_len(rng) : short_len(rng), rng, alpha);
    }
    std::string hay = filler(hay_len(rng), rng, alpha);
    for (const std::string& needle : needles) {  // make sure long needles occur at all
      if (rng() % 3 == 0 && hay.size() >= needle.size()) {
        hay.replace(rng() % (hay.size() - needle.size() + 1), needle.size(), needle);
      }
    }
    const bool ci = rng() % 2 != 0;
    ASSERT_TRUE(check_multi_all_from(needles, hay, ci)) << "round " << round;
  }
}

// Long haystacks span many scan windows: every hit, in order, for needles spread over groups,
// including needles that never occur and one that occurs only at the very end.
TEST(multi_literal, every_hit_in_long_haystack) {
  std::mt19937 rng(31337);
  const Needles common = {"timeout", "deadlock", "expired"};
  std::string hay;
  while (hay.size() < 300000) {
    hay += filler(rng() % 3000, rng, "abcdefghijklmnopqrstuvwxyz -:=");
    if (rng() % 4 != 0) hay += common[rng() % 3];
  }
  hay += "LAST";
  Needles never;
  for (char c = '1'; c <= '8'; ++c) never.push_back(std::string("never-") + c);
  Needles never_then_last = never;
  never_then_last.push_back("LAST");
  Needles all = never_then_last;
  all.insert(all.end(), common.begin(), common.end());
  for (const Needles& needles :
       {common, Needles{"timeout", "deadlock", "LAST"}, never_then_last, all}) {
    for (bool ci : {false, true}) {
      // Every start of every needle, found once up front: re-running the reference from each
      // hit would rescan the whole haystack for the needles that never occur.
      std::vector<std::size_t> starts;
      for (const std::string& needle : needles) {
        for (std::size_t at = 0; (at = naive_find(hay, needle, at, ci)) != npos; ++at) {
          starts.push_back(at);
        }
      }
      std::sort(starts.begin(), starts.end());
      starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
      starts.push_back(npos);
      EXPECT_GT(starts.size(), 1u);

      const MultiLiteralSearcher s(needles, ci);
      const ExactBuffer buf(hay);
      std::size_t pos = 0;
      for (const std::size_t want : starts) {
        ASSERT_EQ(s.find(buf.view(), pos), want) << describe(needles) << ci << " " << pos;
        ASSERT_EQ(logsift::detail::find_portable(s, buf.view(), pos), want) << pos;
        // From just past a hit, and from just before the next one.
        if (want != npos && want > pos) {
          ASSERT_EQ(s.find(buf.view(), want - 1), want) << describe(needles) << ci;
        }
        pos = want + 1;
      }
    }
  }
}

// Haystacks that end right before, or start right after, an inaccessible page.
TEST(multi_literal, never_reads_outside_the_haystack) {
  const GuardedPage guarded;
  ASSERT_TRUE(guarded.ok());
  const char* lo = guarded.lo;
  const char* hi = guarded.hi;

  // All-'a' haystacks never match, so every scan runs to the very last byte; the long needles put
  // their pair far from the start while the short ones keep the candidate range wide.
  const std::vector<Needles> sets = {
      {"b", "ab"},
      {"aab", std::string(64, 'a') + "b"},
      {"ab", std::string(31, 'a') + "b", std::string(40, 'a') + "c"},
      {"ba", "ca", "da", "ea", "fa", "ga", "ha", "ia", "ja", "ka", std::string(33, 'a') + "z"},
  };
  for (std::size_t n = 0; n <= 300; ++n) {
    const std::string_view at_end(hi - n, n);
    const std::string_view at_start(lo, n);
    for (const Needles& needles : sets) {
      for (bool ci : {false, true}) {
        const MultiLiteralSearcher s(needles, ci);
        for (std::size_t from = 0; from <= n; from += (from < 70 ? 1 : 17)) {
          EXPECT_EQ(s.find(at_end, from), npos);
          EXPECT_EQ(s.find(at_start, from), npos);
          EXPECT_EQ(logsift::detail::find_portable(s, at_end, from), npos);
        }
      }
    }
  }
}

}  // namespace
