#include "logsift/stage.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "logsift/config.hpp"
#include "logsift/error.hpp"
#include "logsift/generator.hpp"
#include "logsift/line.hpp"
#include "logsift/matcher.hpp"
#include "logsift/stage_flags.hpp"
#include "support.hpp"

namespace logsift {
namespace {

using namespace test;  // Texts, Out, collect, texts_of (support.hpp)

// The source as a test needs it: numbers from 1, offsets as if each line ended in '\n'. Owns its
// strings (coroutine parameters are taken by value, a reference would dangle), counts its pulls.
generator<Line> lines_of(Texts texts, std::uint64_t* pulled = nullptr) {
  std::uint64_t offset = 0;
  std::uint64_t number = 1;
  for (const std::string& text : texts) {
    if (pulled != nullptr) ++*pulled;
    co_yield Line{text, number++, offset};
    offset += text.size() + 1;
  }
}

// An endless source: line i is texts[i] while there are texts, then `rest` forever.
generator<Line> endless(Texts texts, std::string rest, std::uint64_t* pulled) {
  for (std::uint64_t i = 0;; ++i) {
    ++*pulled;
    const std::string& text = i < texts.size() ? texts[i] : rest;
    co_yield Line{text, i + 1, 0};
  }
}

std::vector<StageSpec> specs_of(std::initializer_list<std::pair<const char*, const char*>> flags) {
  std::vector<StageSpec> specs;
  for (const auto& [flag, value] : flags) specs.push_back({flag, value});
  return specs;
}

generator<Line> chain(const std::vector<std::unique_ptr<Stage>>& stages, generator<Line> input) {
  for (const auto& stage : stages) input = stage->apply(std::move(input));
  return input;
}

// Runs `input` through the stages built from `specs`, and returns the texts that come out.
Texts run(std::initializer_list<std::pair<const char*, const char*>> flags, Texts input,
          const std::string& field_separator = "", Syntax syntax = Syntax::extended) {
  auto stages = build_stages(specs_of(flags), syntax, field_separator);
  return texts_of(collect(chain(stages, lines_of(std::move(input)))));
}

// How many lines the chain pulled from an endless source to give `wanted` lines (or all it gives).
std::uint64_t pulls_for(std::initializer_list<std::pair<const char*, const char*>> flags, Texts head,
                        std::string rest, std::size_t* produced = nullptr) {
  std::uint64_t pulled = 0;
  auto stages = build_stages(specs_of(flags), Syntax::extended, "");
  std::size_t count = 0;
  for (const Line& line : chain(stages, endless(std::move(head), std::move(rest), &pulled))) {
    (void)line;
    ++count;
  }
  if (produced != nullptr) *produced = count;
  return pulled;
}

const Texts kTen = {"l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9", "l10"};

// ---- --keep / --drop ------------------------------------------------------------------------

TEST(stage_keep, keeps_only_matching_lines) {
  EXPECT_EQ(run({{"--keep", "ERR|WARN"}}, {"INFO a", "ERROR b", "WARN c", "DEBUG d"}),
            (Texts{"ERROR b", "WARN c"}));
}

TEST(stage_keep, empty_input_gives_nothing) { EXPECT_EQ(run({{"--keep", "x"}}, {}), Texts{}); }

TEST(stage_keep, empty_regex_keeps_every_line) {
  EXPECT_EQ(run({{"--keep", ""}}, {"a", "", "b"}), (Texts{"a", "", "b"}));
}

TEST(stage_keep, offers_its_regex_for_pushdown_and_other_stages_do_not) {
  auto stages = build_stages(specs_of({{"--keep", "x"}, {"--drop", "x"}, {"--take", "1"}}), Syntax::extended, "");
  ASSERT_NE(stages[0]->pushdown_filter(), nullptr);
  EXPECT_TRUE(stages[0]->pushdown_filter()->matches("axb"));
  EXPECT_EQ(stages[1]->pushdown_filter(), nullptr);
  EXPECT_EQ(stages[2]->pushdown_filter(), nullptr);
}

TEST(stage_keep, follows_fixed_string_syntax) {
  EXPECT_EQ(run({{"--keep", "a.c"}}, {"abc", "a.c"}, "", Syntax::fixed), (Texts{"a.c"}));
  EXPECT_EQ(run({{"--keep", "a.c"}}, {"abc", "a.c"}), (Texts{"abc", "a.c"}));
}

TEST(stage_keep, follows_basic_syntax) {
  EXPECT_EQ(run({{"--keep", "a\\{2\\}"}}, {"a", "aa", "a{2}"}, "", Syntax::basic), (Texts{"aa"}));
}

TEST(stage_drop, drops_matching_lines) {
  EXPECT_EQ(run({{"--drop", "DEBUG"}}, {"INFO a", "DEBUG b", "WARN c"}), (Texts{"INFO a", "WARN c"}));
}

TEST(stage_drop, empty_input_and_empty_regex) {
  EXPECT_EQ(run({{"--drop", "x"}}, {}), Texts{});
  EXPECT_EQ(run({{"--drop", ""}}, {"a", "b"}), Texts{});
}

// ---- --sub ----------------------------------------------------------------------------------

TEST(stage_sub, replaces_the_first_match_only) {
  EXPECT_EQ(run({{"--sub", "s/o/0/"}}, {"foo boo", "bar"}), (Texts{"f0o boo", "bar"}));
}

TEST(stage_sub, g_replaces_every_match) {
  EXPECT_EQ(run({{"--sub", "s/o/0/g"}}, {"foo boo", "bar"}), (Texts{"f00 b00", "bar"}));
}

TEST(stage_sub, backslash_zero_is_the_whole_match) {
  EXPECT_EQ(run({{"--sub", "s/[0-9]+/<\\0>/g"}}, {"a1b22c333"}), (Texts{"a<1>b<22>c<333>"}));
}

TEST(stage_sub, numbered_groups) {
  EXPECT_EQ(run({{"--sub", "s/(\\w+)=(\\w+)/\\2=\\1/g"}}, {"user=bob status=200"}),
            (Texts{"bob=user 200=status"}));
}

TEST(stage_sub, a_group_that_did_not_take_part_is_empty) {
  EXPECT_EQ(run({{"--sub", "s/(a)|(b)/[\\1\\2]/g"}}, {"ab"}), (Texts{"[a][b]"}));
}

TEST(stage_sub, any_delimiter_after_s) {
  EXPECT_EQ(run({{"--sub", "s|/api/v1|/v1|"}}, {"GET /api/v1/cart"}), (Texts{"GET /v1/cart"}));
  EXPECT_EQ(run({{"--sub", "s,a,b,g"}}, {"aXa"}), (Texts{"bXb"}));
}

TEST(stage_sub, backslash_escapes_the_delimiter) {
  EXPECT_EQ(run({{"--sub", "s/\\/api\\//API:/"}}, {"GET /api/cart"}), (Texts{"GET API:cart"}));
  EXPECT_EQ(run({{"--sub", "s,a,\\,,g"}}, {"aXa"}), (Texts{",X,"}));
}

TEST(stage_sub, escapes_in_the_replacement) {
  EXPECT_EQ(run({{"--sub", "s/ /\\t/g"}}, {"a b"}), (Texts{"a\tb"}));
  EXPECT_EQ(run({{"--sub", "s/b/\\\\/"}}, {"abc"}), (Texts{"a\\c"}));
  EXPECT_EQ(run({{"--sub", "s/b/&/"}}, {"abc"}), (Texts{"a&c"}));  // not sed's &: \0 is the match
}

// Python 3.7+ re.sub: an empty match is replaced, except right after another empty match at the
// same place; one right after a non-empty match is replaced too.
TEST(stage_sub, empty_matches_as_python_re_sub) {
  EXPECT_EQ(run({{"--sub", "s/x*/-/g"}}, {"abc"}), (Texts{"-a-b-c-"}));    // re.sub('x*', '-', 'abc')
  EXPECT_EQ(run({{"--sub", "s/x*/-/g"}}, {"abxd"}), (Texts{"-a-b--d-"}));  // re.sub('x*', '-', 'abxd')
  EXPECT_EQ(run({{"--sub", "s/x*/-/g"}}, {""}), (Texts{"-"}));
  EXPECT_EQ(run({{"--sub", "s/x*/-/"}}, {"abc"}), (Texts{"-abc"}));
  EXPECT_EQ(run({{"--sub", "s/\\b/|/g"}}, {"ab cd"}), (Texts{"|ab| |cd|"}));
  EXPECT_EQ(run({{"--sub", "s/^/> /g"}}, {"ab"}), (Texts{"> ab"}));
  EXPECT_EQ(run({{"--sub", "s/$/;/g"}}, {"ab"}), (Texts{"ab;"}));
}

TEST(stage_sub, stepping_past_an_empty_match_keeps_utf8_characters_whole) {
  EXPECT_EQ(run({{"--sub", "s/x*/-/g"}}, {"é李"}), (Texts{"-é-李-"}));
  EXPECT_EQ(run({{"--sub", "s/x*/-/g"}}, {"a😀"}), (Texts{"-a-😀-"}));
}

// As Python decodes with surrogateescape: each byte of an invalid sequence is a character.
TEST(stage_sub, stepping_past_an_empty_match_takes_invalid_bytes_one_at_a_time) {
  EXPECT_EQ(run({{"--sub", "s/x*/-/g"}}, {"\xff"}), (Texts{"-\xff-"}));
  EXPECT_EQ(run({{"--sub", "s/x*/-/g"}}, {"\xe6\x9d" "a"}), (Texts{"-\xe6-\x9d-a-"}));
  EXPECT_EQ(run({{"--sub", "s/x*/-/g"}}, {"\xed\xa0\x80"}), (Texts{"-\xed-\xa0-\x80-"}));  // a surrogate
}

TEST(stage_sub, follows_fixed_string_syntax) {
  EXPECT_EQ(run({{"--sub", "s/./!/g"}}, {"a.b.c"}, "", Syntax::fixed), (Texts{"a!b!c"}));
}

TEST(stage_sub, empty_input_gives_nothing) { EXPECT_EQ(run({{"--sub", "s/a/b/"}}, {}), Texts{}); }

TEST(stage_sub, keeps_line_numbers_and_offsets) {
  auto stages = build_stages(specs_of({{"--sub", "s/a+/X/g"}}), Syntax::extended, "");
  EXPECT_EQ(collect(chain(stages, lines_of({"aaa", "bab", "c"}))),
            (std::vector<Out>{{"X", 1, 0}, {"bXb", 2, 4}, {"c", 3, 8}}));
}

// ---- --extract ------------------------------------------------------------------------------

TEST(stage_extract, without_a_group_gives_the_match) {
  EXPECT_EQ(run({{"--extract", "status=[0-9]+"}}, {"GET / status=200 bytes=5", "no status"}),
            (Texts{"status=200"}));
}

TEST(stage_extract, with_groups_gives_group_one) {
  EXPECT_EQ(run({{"--extract", "user=(\\w+) (x)?"}}, {"id=1 user=bob ok", "user=carol x"}),
            (Texts{"bob", "carol"}));
}

TEST(stage_extract, a_group_one_that_did_not_take_part_gives_an_empty_line) {
  EXPECT_EQ(run({{"--extract", "(a)?b"}}, {"b", "ab"}), (Texts{"", "a"}));
}

TEST(stage_extract, drops_lines_without_a_match_and_handles_empty_input) {
  EXPECT_EQ(run({{"--extract", "[0-9]+"}}, {"a", "b"}), Texts{});
  EXPECT_EQ(run({{"--extract", "[0-9]+"}}, {}), Texts{});
}

TEST(stage_extract, keeps_line_numbers_and_offsets) {
  auto stages = build_stages(specs_of({{"--extract", "[0-9]+"}}), Syntax::extended, "");
  EXPECT_EQ(collect(chain(stages, lines_of({"a", "b12", "c3"}))), (std::vector<Out>{{"12", 2, 2}, {"3", 3, 6}}));
}

// ---- --skip / --take / --step / --slice -------------------------------------------------------

TEST(stage_skip, drops_the_first_n) {
  EXPECT_EQ(run({{"--skip", "7"}}, kTen), (Texts{"l8", "l9", "l10"}));
}

TEST(stage_skip, zero_passes_everything) { EXPECT_EQ(run({{"--skip", "0"}}, kTen), kTen); }

TEST(stage_skip, more_than_the_input_and_empty_input) {
  EXPECT_EQ(run({{"--skip", "11"}}, kTen), Texts{});
  EXPECT_EQ(run({{"--skip", "3"}}, {}), Texts{});
}

TEST(stage_take, passes_the_first_n) { EXPECT_EQ(run({{"--take", "2"}}, kTen), (Texts{"l1", "l2"})); }

TEST(stage_take, more_than_the_input_and_empty_input) {
  EXPECT_EQ(run({{"--take", "100"}}, kTen), kTen);
  EXPECT_EQ(run({{"--take", "3"}}, {}), Texts{});
}

TEST(stage_take, zero_passes_nothing_and_reads_nothing) {
  std::size_t produced = 99;
  EXPECT_EQ(pulls_for({{"--take", "0"}}, {}, "x", &produced), 0u);
  EXPECT_EQ(produced, 0u);
}

TEST(stage_take, stops_pulling_after_n_lines) {
  std::size_t produced = 0;
  EXPECT_EQ(pulls_for({{"--take", "3"}}, {}, "x", &produced), 3u);
  EXPECT_EQ(produced, 3u);
}

TEST(stage_take, keeps_line_numbers_and_offsets) {
  auto stages = build_stages(specs_of({{"--skip", "1"}, {"--take", "1"}}), Syntax::extended, "");
  EXPECT_EQ(collect(chain(stages, lines_of({"ab", "cd", "ef"}))), (std::vector<Out>{{"cd", 2, 3}}));
}

TEST(stage_step, passes_every_nth_from_the_first) {
  EXPECT_EQ(run({{"--step", "3"}}, kTen), (Texts{"l1", "l4", "l7", "l10"}));
  EXPECT_EQ(run({{"--step", "1"}}, kTen), kTen);
}

TEST(stage_step, more_than_the_input_and_empty_input) {
  EXPECT_EQ(run({{"--step", "50"}}, kTen), (Texts{"l1"}));
  EXPECT_EQ(run({{"--step", "2"}}, {}), Texts{});
}

TEST(stage_slice, start_and_stop) { EXPECT_EQ(run({{"--slice", "2:5"}}, kTen), (Texts{"l3", "l4", "l5"})); }

TEST(stage_slice, start_stop_and_step) {
  EXPECT_EQ(run({{"--slice", "1:8:3"}}, kTen), (Texts{"l2", "l5", "l8"}));
}

TEST(stage_slice, empty_parts_as_in_python) {
  EXPECT_EQ(run({{"--slice", ":3"}}, kTen), (Texts{"l1", "l2", "l3"}));
  EXPECT_EQ(run({{"--slice", "5::2"}}, kTen), (Texts{"l6", "l8", "l10"}));
  EXPECT_EQ(run({{"--slice", "8:"}}, kTen), (Texts{"l9", "l10"}));
  EXPECT_EQ(run({{"--slice", "::4"}}, kTen), (Texts{"l1", "l5", "l9"}));
  EXPECT_EQ(run({{"--slice", ":"}}, kTen), kTen);
  EXPECT_EQ(run({{"--slice", "1:2:"}}, kTen), (Texts{"l2"}));
}

TEST(stage_slice, beyond_the_input_and_empty_input) {
  EXPECT_EQ(run({{"--slice", "20:30"}}, kTen), Texts{});
  EXPECT_EQ(run({{"--slice", "8:30"}}, kTen), (Texts{"l9", "l10"}));
  EXPECT_EQ(run({{"--slice", "0:5"}}, {}), Texts{});
}

TEST(stage_slice, stop_at_or_before_start_passes_nothing_and_reads_nothing) {
  EXPECT_EQ(run({{"--slice", "5:5"}}, kTen), Texts{});
  EXPECT_EQ(run({{"--slice", "5:2"}}, kTen), Texts{});
  EXPECT_EQ(pulls_for({{"--slice", "5:2"}}, {}, "x"), 0u);
}

TEST(stage_slice, stops_pulling_at_the_stop) {
  std::size_t produced = 0;
  EXPECT_EQ(pulls_for({{"--slice", "2:5"}}, {}, "x", &produced), 5u);
  EXPECT_EQ(produced, 3u);
  // The last line passed is index 4; index 5 could never be passed, so it is not read.
  EXPECT_EQ(pulls_for({{"--slice", "0:6:2"}}, {}, "x", &produced), 5u);
  EXPECT_EQ(produced, 3u);
}

TEST(stage_slice, a_huge_step_still_stops_reading) {
  std::size_t produced = 0;
  EXPECT_EQ(pulls_for({{"--slice", "5:10:18446744073709551615"}}, {}, "x", &produced), 6u);
  EXPECT_EQ(produced, 1u);
}

// ---- --take-while / --drop-while ------------------------------------------------------------

TEST(stage_take_while, passes_lines_until_the_first_that_does_not_match) {
  EXPECT_EQ(run({{"--take-while", "^a"}}, {"a1", "a2", "b3", "a4"}), (Texts{"a1", "a2"}));
}

TEST(stage_take_while, all_none_and_empty_input) {
  EXPECT_EQ(run({{"--take-while", "l"}}, kTen), kTen);
  EXPECT_EQ(run({{"--take-while", "x"}}, kTen), Texts{});
  EXPECT_EQ(run({{"--take-while", "x"}}, {}), Texts{});
}

TEST(stage_take_while, stops_pulling_at_the_first_line_that_does_not_match) {
  std::size_t produced = 0;
  // takewhile has to see the first failing line, and no line after it.
  EXPECT_EQ(pulls_for({{"--take-while", "^a"}}, {"a1", "a2", "a3"}, "b", &produced), 4u);
  EXPECT_EQ(produced, 3u);
}

TEST(stage_drop_while, drops_lines_until_the_first_that_does_not_match) {
  EXPECT_EQ(run({{"--drop-while", "^a"}}, {"a1", "a2", "b3", "a4"}), (Texts{"b3", "a4"}));
}

TEST(stage_drop_while, all_none_and_empty_input) {
  EXPECT_EQ(run({{"--drop-while", "l"}}, kTen), Texts{});
  EXPECT_EQ(run({{"--drop-while", "x"}}, kTen), kTen);
  EXPECT_EQ(run({{"--drop-while", "x"}}, {}), Texts{});
}

// ---- --uniq ---------------------------------------------------------------------------------

TEST(stage_uniq, drops_a_line_equal_to_the_one_before) {
  EXPECT_EQ(run({{"--uniq", ""}}, {"a", "a", "b", "a", "a", "a", "", "", "c"}), (Texts{"a", "b", "a", "", "c"}));
}

TEST(stage_uniq, empty_input_and_single_line) {
  EXPECT_EQ(run({{"--uniq", ""}}, {}), Texts{});
  EXPECT_EQ(run({{"--uniq", ""}}, {""}), Texts{""});
}

TEST(stage_uniq, compares_the_text_as_it_reaches_the_stage) {
  EXPECT_EQ(run({{"--sub", "s/[0-9]+//"}, {"--uniq", ""}}, {"a1", "a2", "b3"}), (Texts{"a", "b"}));
}

TEST(stage_uniq, keeps_the_first_line_numbers) {
  auto stages = build_stages(specs_of({{"--uniq", ""}}), Syntax::extended, "");
  EXPECT_EQ(collect(chain(stages, lines_of({"a", "a", "b"}))), (std::vector<Out>{{"a", 1, 0}, {"b", 3, 4}}));
}

// ---- --fields -------------------------------------------------------------------------------

TEST(stage_fields, single_fields_and_ranges) {
  const Texts line = {"f1 f2 f3 f4 f5 f6 f7 f8"};
  EXPECT_EQ(run({{"--fields", "2"}}, line), (Texts{"f2"}));
  EXPECT_EQ(run({{"--fields", "1,3-5,7-"}}, line), (Texts{"f1 f3 f4 f5 f7 f8"}));
  EXPECT_EQ(run({{"--fields", "-2"}}, line), (Texts{"f1 f2"}));
  EXPECT_EQ(run({{"--fields", "7-"}}, line), (Texts{"f7 f8"}));
  EXPECT_EQ(run({{"--fields", "-"}}, line), (Texts{"f1 f2 f3 f4 f5 f6 f7 f8"}));
}

TEST(stage_fields, in_the_order_the_list_gives) {
  EXPECT_EQ(run({{"--fields", "3,1"}}, {"a b c"}), (Texts{"c a"}));
}

TEST(stage_fields, splits_awk_style_on_runs_of_blanks) {
  EXPECT_EQ(run({{"--fields", "1-"}}, {"  a \t b   c\t"}), (Texts{"a b c"}));
  EXPECT_EQ(run({{"--fields", "1"}}, {"   ", ""}), (Texts{"", ""}));
}

TEST(stage_fields, missing_fields_are_left_out) {
  EXPECT_EQ(run({{"--fields", "2,5-9"}}, {"a b c", "a", "a b c d e f"}), (Texts{"b", "", "b e f"}));
  EXPECT_EQ(run({{"--fields", "4-"}}, {"a b c"}), (Texts{""}));
}

TEST(stage_fields, field_sep_splits_on_the_literal_and_joins_with_it) {
  EXPECT_EQ(run({{"--fields", "1,3"}}, {"a,b,c", "x,,z", "solo"}, ","), (Texts{"a,c", "x,z", "solo"}));
  EXPECT_EQ(run({{"--fields", "2-"}}, {"a::b::c"}, "::"), (Texts{"b::c"}));
  EXPECT_EQ(run({{"--fields", "2"}}, {",a,", "a b,c d"}, ","), (Texts{"a", "c d"}));
  EXPECT_EQ(run({{"--fields", "1-3"}}, {"a|b"}, "|"), (Texts{"a|b"}));  // a literal, not a regex
}

TEST(stage_fields, empty_input_and_line_numbers) {
  EXPECT_EQ(run({{"--fields", "1"}}, {}), Texts{});
  auto stages = build_stages(specs_of({{"--fields", "2"}}), Syntax::extended, "");
  EXPECT_EQ(collect(chain(stages, lines_of({"a b", "c d"}))), (std::vector<Out>{{"b", 1, 0}, {"d", 2, 4}}));
}

// ---- --last ---------------------------------------------------------------------------------

TEST(stage_last, keeps_the_last_n_in_order) {
  EXPECT_EQ(run({{"--last", "3"}}, kTen), (Texts{"l8", "l9", "l10"}));
}

TEST(stage_last, zero_more_than_the_input_and_empty_input) {
  EXPECT_EQ(run({{"--last", "0"}}, kTen), Texts{});
  EXPECT_EQ(run({{"--last", "11"}}, kTen), kTen);
  EXPECT_EQ(run({{"--last", "3"}}, {}), Texts{});
}

TEST(stage_last, keeps_its_own_copies_of_rewritten_lines_and_their_numbers) {
  // --sub reuses one buffer for every line: the ring must copy the text, not keep the view.
  auto stages = build_stages(specs_of({{"--sub", "s/l/L/"}, {"--last", "2"}}), Syntax::extended, "");
  EXPECT_EQ(collect(chain(stages, lines_of({"l1", "l2", "l3"}))), (std::vector<Out>{{"L2", 2, 3}, {"L3", 3, 6}}));
}

// ---- chains ---------------------------------------------------------------------------------

TEST(stage_chain, order_matters) {
  const Texts input = {"a", "X1", "b", "c", "d", "e", "X2", "X3"};
  EXPECT_EQ(run({{"--take", "5"}, {"--keep", "X"}}, input), (Texts{"X1"}));
  EXPECT_EQ(run({{"--keep", "X"}, {"--take", "5"}}, input), (Texts{"X1", "X2", "X3"}));
}

TEST(stage_chain, a_repeated_flag_is_a_stage_of_its_own) {
  EXPECT_EQ(run({{"--take", "5"}, {"--skip", "1"}, {"--take", "2"}}, kTen), (Texts{"l2", "l3"}));
  EXPECT_EQ(run({{"--sub", "s/a/b/"}, {"--sub", "s/b/c/g"}}, {"ab"}), (Texts{"cc"}));
  EXPECT_EQ(run({{"--keep", "l1"}, {"--drop", "0"}, {"--keep", "1"}}, kTen), (Texts{"l1"}));
  EXPECT_EQ(run({{"--fields", "2-"}, {"--fields", "2"}}, {"a b c d"}), (Texts{"c"}));
}

TEST(stage_chain, pulls_only_what_the_last_stage_needs) {
  std::size_t produced = 0;
  // Lines 1..: "a b c" never ends; --keep b passes each, so 5 skipped + 4 taken = 9 pulls.
  EXPECT_EQ(pulls_for({{"--keep", "b"}, {"--skip", "5"}, {"--take", "4"}}, {}, "a b c", &produced), 9u);
  EXPECT_EQ(produced, 4u);
}

TEST(stage_chain, builds_one_stage_per_spec_in_order_with_a_description) {
  auto stages = build_stages(specs_of({{"--take", "10"}, {"--keep", "x"}, {"--uniq", ""}, {"--take-while", "y"}}),
                             Syntax::extended, "");
  ASSERT_EQ(stages.size(), 4u);
  EXPECT_NE(stages[0]->describe().find("--take 10"), std::string::npos);
  EXPECT_NE(stages[0]->describe().find("stop reading"), std::string::npos);
  EXPECT_NE(stages[1]->describe().find("--keep x"), std::string::npos);
  EXPECT_NE(stages[2]->describe().find("--uniq"), std::string::npos);
  EXPECT_NE(stages[3]->describe().find("stop reading"), std::string::npos);
  EXPECT_TRUE(build_stages({}, Syntax::extended, "").empty());
}

TEST(stage_chain, a_stage_applies_afresh_to_each_input) {
  auto stages = build_stages(specs_of({{"--take", "1"}, {"--uniq", ""}}), Syntax::extended, "");
  EXPECT_EQ(texts_of(collect(chain(stages, lines_of({"a", "b"})))), (Texts{"a"}));
  EXPECT_EQ(texts_of(collect(chain(stages, lines_of({"a", "c"})))), (Texts{"a"}));
}

// ---- bad arguments --------------------------------------------------------------------------

void expect_usage_error(const char* flag, const char* value) {
  try {
    build_stages({{flag, value}}, Syntax::extended, "");
    ADD_FAILURE() << flag << " '" << value << "' was accepted";
  } catch (const UsageError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(flag), std::string::npos) << message;
    EXPECT_NE(message.find(value), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(stage_errors, counts_must_be_non_negative_whole_numbers) {
  for (const char* flag : {"--take", "--skip", "--step", "--last"}) {
    expect_usage_error(flag, "-3");
    expect_usage_error(flag, "many");
    expect_usage_error(flag, "");
    expect_usage_error(flag, "3x");
    expect_usage_error(flag, " 3");
    expect_usage_error(flag, "1.5");
    expect_usage_error(flag, "99999999999999999999999");
  }
}

TEST(stage_errors, step_zero) {
  expect_usage_error("--step", "0");
  expect_usage_error("--slice", "::0");
  expect_usage_error("--slice", "1:5:0");
}

TEST(stage_errors, bad_slices) {
  expect_usage_error("--slice", "1:2:3:4");
  expect_usage_error("--slice", "5");
  expect_usage_error("--slice", "");
  expect_usage_error("--slice", "a:b");
  expect_usage_error("--slice", "-1:");
}

TEST(stage_errors, bad_substitutions) {
  expect_usage_error("--sub", "x");
  expect_usage_error("--sub", "s");
  expect_usage_error("--sub", "s/a/b");
  expect_usage_error("--sub", "s/a/b/c/");
  expect_usage_error("--sub", "s/a/b/q");
  expect_usage_error("--sub", "s/a/\\1/");
  expect_usage_error("--sub", "s/(a)/\\2/");
  expect_usage_error("--sub", "s\\a\\b\\");
}

TEST(stage_errors, bad_field_lists) {
  expect_usage_error("--fields", "0");
  expect_usage_error("--fields", "3-1");
  expect_usage_error("--fields", "1,");
  expect_usage_error("--fields", ",1");
  expect_usage_error("--fields", "a");
  expect_usage_error("--fields", "");
  expect_usage_error("--fields", "1-2-3");
}

TEST(stage_errors, a_bad_regex_in_any_stage) {
  for (const char* flag : {"--keep", "--drop", "--extract", "--take-while", "--drop-while"}) {
    expect_usage_error(flag, "(");
    expect_usage_error(flag, "a[");
  }
  expect_usage_error("--sub", "s/(/x/");
}

TEST(stage_errors, the_first_bad_stage_is_reported_before_anything_runs) {
  EXPECT_THROW(build_stages(specs_of({{"--take", "3"}, {"--keep", "("}}), Syntax::extended, ""), UsageError);
}

// build_stages builds every stage through its row of the stage-flag table, and knows no other flag.
TEST(stages, every_row_of_the_stage_flag_table_builds_its_stage) {
  const std::map<std::string_view, std::string> sample = {
      {"RE", "a"}, {"N", "2"}, {"s/RE/REPL/[g]", "s/a/b/"}, {"A:B[:C]", "1:3"}, {"LIST", "1"},
      {"TIME", "2026-01-01T10:00"}, {"EXPR", "level=\"error\""}, {"", ""},
  };
  for (const StageFlag& row : stage_flags()) {
    const StageSpec spec{std::string{row.name}, sample.at(row.value_name)};
    SCOPED_TRACE(spec.flag);
    EXPECT_EQ(find_stage_flag(row.name), &row);
    auto stages = build_stages({spec}, Syntax::extended, "");
    ASSERT_EQ(stages.size(), 1u);
    const std::string head = spec.value.empty() ? spec.flag + ": " : spec.flag + " " + spec.value + ": ";
    EXPECT_EQ(stages[0]->describe().rfind(head, 0), 0u) << stages[0]->describe();
  }
  EXPECT_EQ(find_stage_flag("--regexp"), nullptr);
  EXPECT_THROW(build_stages({{"--regexp", "a"}}, Syntax::extended, ""), UsageError);
}

}  // namespace
}  // namespace logsift
