#include "logsift/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace logsift {
namespace {

using namespace std::string_view_literals;

TEST(utf8, sequence_length_takes_only_well_formed_sequences) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9x", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("x\xF0\x9F\x98\x80", 1), 4u);
  EXPECT_EQ(utf8_sequence_length("\xC0\x80", 0), 1u);          // overlong lead
  EXPECT_EQ(utf8_sequence_length("\xE0\x80\x80", 0), 1u);      // overlong
  EXPECT_EQ(utf8_sequence_length("\xED\xA0\x80", 0), 1u);      // surrogate
  EXPECT_EQ(utf8_sequence_length("\xF4\x90\x80\x80", 0), 1u);  // past U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xE2\x82", 0), 1u);          // cut short
  EXPECT_EQ(utf8_sequence_length("\xE2\x82x", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\x80", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\x00\xC3\xA9"sv, 1), 2u);
}

TEST(utf8, lenient_length_also_takes_overlongs_and_surrogates) {
  EXPECT_EQ(utf8_lenient_length("\xC3\xA9", 0), 2u);
  EXPECT_EQ(utf8_lenient_length("\xE0\x80\x80", 0), 3u);
  EXPECT_EQ(utf8_lenient_length("\xED\xA0\x80", 0), 3u);
  EXPECT_EQ(utf8_lenient_length("\xF4\x90\x80\x80", 0), 4u);
  EXPECT_EQ(utf8_lenient_length("\xC0\x80", 0), 1u);  // C0, C1 and F5-FF lead nothing
  EXPECT_EQ(utf8_lenient_length("\xF5\x80\x80\x80", 0), 1u);
  EXPECT_EQ(utf8_lenient_length("\xE2\x82", 0), 1u);
  EXPECT_EQ(utf8_lenient_length("\xE2\x82x", 0), 1u);
}

TEST(utf8, next_lead_skips_a_byte_and_its_continuation_bytes) {
  EXPECT_EQ(utf8_next_lead("ab", 0), 1u);
  EXPECT_EQ(utf8_next_lead("\xC3\xA9x", 0), 2u);
  EXPECT_EQ(utf8_next_lead("\xC3\xA9\xA9\xA9x", 0), 4u);  // stray continuation bytes go with it
  EXPECT_EQ(utf8_next_lead("\x80\x80", 0), 2u);
  EXPECT_EQ(utf8_next_lead("a", 0), 1u);
}

TEST(utf8, is_valid_agrees_with_sequence_length_past_the_ascii_fast_path) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii text that is longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 and more ascii"));
  EXPECT_TRUE(is_valid_utf8("\x00\x01 nul is ascii"sv));
  EXPECT_FALSE(is_valid_utf8("twelve bytes\xC3"));
  EXPECT_FALSE(is_valid_utf8("0123456789abcdef\xE0\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("01234567\x80"));
  // Every two-byte string: valid exactly when sequence_length takes both bytes (or both are ASCII).
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const std::string text{static_cast<char>(a), static_cast<char>(b)};
      const bool expected = (a < 0x80 && b < 0x80) || (a >= 0x80 && utf8_sequence_length(text, 0) == 2);
      EXPECT_EQ(is_valid_utf8(text), expected) << a << " " << b;
    }
  }
}

}  // namespace
}  // namespace logsift
