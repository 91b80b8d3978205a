// Translation of grep pattern dialects into RE2 syntax. The expected BRE and ERE behaviour was
// taken from GNU grep 3.8 under LC_ALL=C.UTF-8 (the lines each pattern selects, or its error).
#include "logsift/pattern_syntax.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "logsift/error.hpp"

namespace logsift {
namespace {

using namespace std::string_view_literals;

using Translate = std::string (*)(std::string_view);

struct Case {
  std::string_view pattern;
  std::string_view re2;
};

void expect_translations(Translate translate, std::initializer_list<Case> cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "pattern: " << c.pattern);
    try {
      EXPECT_EQ(translate(c.pattern), c.re2);
    } catch (const UsageError& e) {
      ADD_FAILURE() << "unexpected UsageError: " << e.what();
    }
  }
}

struct ErrorCase {
  std::string_view pattern;
  std::string_view message;
};

void expect_errors(Translate translate, std::initializer_list<ErrorCase> cases) {
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(testing::Message() << "pattern: " << c.pattern);
    try {
      const std::string re2 = translate(c.pattern);
      ADD_FAILURE() << "expected UsageError, got " << re2;
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string_view(e.what()), c.message);
    }
  }
}

// --- Basic (-G) --------------------------------------------------------------------------------

TEST(pattern_syntax, bre_plain_text_is_unchanged) {
  expect_translations(translate_basic, {
                                           {"", ""},
                                           {"abc", "abc"},
                                           {"ERROR: disk full", "ERROR: disk full"},
                                           {"a.b", "a.b"},
                                           {"naïve", "naïve"},
                                       });
}

TEST(pattern_syntax, bre_bare_operator_characters_are_literals) {
  expect_translations(translate_basic, {
                                           {"(a)", R"(\(a\))"},
                                           {"a{2}", R"(a\{2\})"},
                                           {"a|b", R"(a\|b)"},
                                           {"a+", R"(a\+)"},
                                           {"a?", R"(a\?)"},
                                       });
}

TEST(pattern_syntax, bre_backslashed_operators_are_operators) {
  expect_translations(translate_basic, {
                                           {R"(\(a\))", "(a)"},
                                           {R"(a\|b)", "a|b"},
                                           {R"(a\+)", "a+"},
                                           {R"(a\?)", "a?"},
                                           {R"(\(ab\)*c)", "(ab)*c"},
                                           {R"(^\(a\|b\)$)", "^(a|b)$"},
                                           {R"(\(\))", "()"},
                                           {R"(\|a)", "|a"},
                                       });
}

TEST(pattern_syntax, bre_intervals_become_re2_counts) {
  expect_translations(translate_basic, {
                                           {R"(a\{2\})", "a{2}"},
                                           {R"(a\{2,3\})", "a{2,3}"},
                                           {R"(a\{2,\})", "a{2,}"},
                                           {R"(a\{,3\})", "a{0,3}"},  // GNU: "\{,n\}" is 0..n
                                           {R"(a\{,\})", "a{0,}"},
                                           {R"(a\{01\})", "a{1}"},
                                           {R"(a\{32767\})", "a{32767}"},
                                           {R"(\(ab\)\{2\})", "(ab){2}"},
                                       });
}

TEST(pattern_syntax, bre_star_at_start_is_literal) {
  // grep -G '*a' selects "*a"; so do these after \( and \|.
  expect_translations(translate_basic, {
                                           {"*a", R"(\*a)"},
                                           {"**", R"(\**)"},
                                           {R"(\(*a\))", R"((\*a))"},
                                           {R"(x\|*a)", R"(x|\*a)"},
                                           {"a*", "a*"},
                                       });
}

TEST(pattern_syntax, bre_star_after_leading_caret_is_literal) {
  expect_translations(translate_basic, {
                                           {"^*a", R"(^\*a)"},
                                           {R"(\(^*\))", R"((^\*))"},
                                           // The second '^' is a literal, so it can be repeated.
                                           {"^^*", R"(^\^*)"},
                                       });
}

TEST(pattern_syntax, bre_other_repetitions_at_start_are_literal) {
  // grep -G '\{1\}a' selects "{1}a", '\+a' selects "+a", '\?a' selects "?a".
  expect_translations(translate_basic, {
                                           {R"(\+a)", R"(\+a)"},
                                           {R"(\?a)", R"(\?a)"},
                                           {R"(\{1\}a)", R"(\{1\}a)"},
                                           {R"(\{1)", R"(\{1)"},  // no interval, so no error
                                           {R"(^\{1\})", R"(^\{1\})"},
                                           {R"(\(\+a\))", R"((\+a))"},
                                           {R"(a\|\{1\})", R"(a|\{1\})"},
                                           {R"(\})", R"(\})"},
                                       });
}

TEST(pattern_syntax, bre_repetition_after_word_anchor_is_literal) {
  // grep -G 'a\>*' selects "a*" but not "a"; 'a\>\+' selects "a+".
  expect_translations(translate_basic, {
                                           {R"(a\>*)", R"(a\b\*)"},
                                           {R"(a\>\+)", R"(a\b\+)"},
                                           {R"(a\>\{2\})", R"(a\b\{2\})"},
                                           {R"(\<*a)", R"(\b\*a)"},
                                           {R"(a\B*b)", R"(a\B\*b)"},
                                       });
}

TEST(pattern_syntax, bre_repetition_after_buffer_anchor_is_literal) {
  // As after any other anchor in glibc's regcomp. (grep is not consistent here: when its dfa
  // matcher runs instead, 'a\`*' selects every line with an "a".)
  expect_translations(translate_basic, {
                                           {R"(\`a\')", R"(\Aa\z)"},
                                           {R"(\`*)", R"(\A\*)"},
                                           {R"(a\`*)", R"(a\A\*)"},
                                           {R"(a\'\{2\})", R"(a\z\{2\})"},
                                       });
}

TEST(pattern_syntax, bre_caret_is_anchor_only_at_branch_start) {
  expect_translations(translate_basic, {
                                           {"^a", "^a"},
                                           {"a^b", R"(a\^b)"},
                                           {"^^a", R"(^\^a)"},
                                           {"a^*", R"(a\^*)"},
                                           {R"(\(^a\))", "(^a)"},
                                           {R"(x\(^a\))", "x(^a)"},  // an anchor that never matches
                                           {R"(a\|^b)", "a|^b"},
                                       });
}

TEST(pattern_syntax, bre_dollar_is_anchor_only_at_branch_end) {
  expect_translations(translate_basic, {
                                           {"a$", "a$"},
                                           {"a$b", R"(a\$b)"},
                                           {"$$", R"(\$$)"},
                                           {"a$*", R"(a\$*)"},
                                           {R"(\(a$\))", "(a$)"},
                                           {R"(a$\|b)", "a$|b"},
                                           {"^$", "^$"},
                                       });
}

TEST(pattern_syntax, bre_stacked_repetitions_are_grouped) {
  // POSIX allows "a**" and "a*\{2\}"; RE2 rejects them (or reads "a*?" as a lazy star).
  expect_translations(translate_basic, {
                                           {"a**", "(?:a*)*"},
                                           {"a***", "(?:(?:a*)*)*"},
                                           {R"(a*\?)", "(?:a*)?"},
                                           {R"(a\+*)", "(?:a+)*"},
                                           {R"(a\{1\}\{2\})", "(?:a{1}){2}"},
                                           {R"(\(a\)*\+)", "(?:(a)*)+"},
                                           {R"(x[ab]*\?)", "x(?:[ab]*)?"},
                                           {"é**", "(?:é*)*"},  // a character, not its last byte
                                       });
}

TEST(pattern_syntax, bre_gnu_escapes) {
  expect_translations(translate_basic, {
                                           {R"(\<foo\>)", R"(\bfoo\b)"},
                                           {R"(\bfoo\B)", R"(\bfoo\B)"},
                                           {R"(\w\W\s\S)", R"([\pL\pN_][^\pL\pN_]\s\S)"},
                                           {R"(\w\+)", R"([\pL\pN_]+)"},
                                       });
}

TEST(pattern_syntax, bre_escaped_specials_stay_literal) {
  expect_translations(translate_basic, {
                                           {R"(\.\*\[\]\^\$\\)", R"(\.\*\[\]\^\$\\)"},
                                           {R"(a\/b)", "a/b"},
                                           {R"(\\*)", R"(\\*)"},
                                       });
}

TEST(pattern_syntax, bre_other_escaped_characters_are_themselves) {
  // grep -G 'a\d' selects "ad", 'a\n' selects "an", '\ta' selects "ta": not RE2's \d, \n, \t.
  expect_translations(translate_basic, {
                                           {R"(a\d)", "ad"},
                                           {R"(a\n)", "an"},
                                           {R"(\ta)", "ta"},
                                           {R"(a\%)", "a%"},
                                           {R"(\é)", "é"},
                                       });
}

TEST(pattern_syntax, bre_brackets_are_copied_for_re2) {
  expect_translations(translate_basic, {
                                           {"[abc]", "[abc]"},
                                           {"[^a-z]", "[^a-z]"},
                                           {"[]abc]", R"([\]abc])"},
                                           {"[^]abc]", R"([^\]abc])"},
                                           {"[]-a]", R"([\]-a])"},
                                           {"[[:alpha:]]", "[\\pL]"},
                                           {"[^[:space:][:digit:]x]", "[^[:space:][:digit:]x]"},
                                           {"[*.$(|){+?]", "[*.$(|){+?]"},
                                           {"[a^]", R"([a\^])"},
                                           {"[[]", R"([\[])"},
                                           {"[a]*", "[a]*"},
                                           {"[é]", "[é]"},
                                           {"[:]", "[:]"},
                                           {"[::]", "[::]"},
                                           {"[:a]", "[:a]"},
                                       });
}

TEST(pattern_syntax, bre_backslash_in_brackets_is_literal) {
  // grep -G '[a\]' selects "a" and "\": POSIX has no escapes inside brackets.
  expect_translations(translate_basic, {
                                           {R"([a\])", R"([a\\])"},
                                           {R"([\\])", R"([\\\\])"},
                                           {R"([\n])", R"([\\n])"},
                                       });
}

TEST(pattern_syntax, bre_bracket_hyphens) {
  expect_translations(translate_basic, {
                                           {"[a-]", R"([a\-])"},
                                           {"[-a]", R"([\-a])"},
                                           {"[^-a]", R"([^\-a])"},
                                           {"[!--]", R"([!-\-])"},
                                           {"[a-c-]", R"([a-c\-])"},
                                       });
}

TEST(pattern_syntax, bre_collating_symbols_and_equivalence_classes) {
  // In grep's UTF-8 locales each names just one character.
  expect_translations(translate_basic, {
                                           {"[[.a.]]", "[a]"},
                                           {"[[=a=]]", "[a]"},
                                           {"[[.-.]]", R"([\-])"},
                                           {"[[.].]]", R"([\]])"},
                                           {"[[.a.]-c]", "[a-c]"},
                                           {"[a-[.c.]]", "[a-c]"},
                                       });
}

TEST(pattern_syntax, bre_multibyte_range_is_by_code_point) {
  // GNU grep 3.8 refuses this in C.UTF-8 ("Invalid collation character"); code point order is
  // what it means in every other UTF-8 locale.
  expect_translations(translate_basic, {{"[α-ω]", "[α-ω]"}});
}

TEST(pattern_syntax, bre_nul_byte_is_escaped) {
  expect_translations(translate_basic, {
                                           {"a\0b"sv, R"(a\x00b)"},
                                           {"[\0]"sv, R"([\x00])"},
                                       });
}

TEST(pattern_syntax, bre_unmatched_groups_are_errors) {
  expect_errors(translate_basic, {
                                     {R"(\(a)", R"(Unmatched ( or \()"},
                                     {R"(\(\(a\))", R"(Unmatched ( or \()"},
                                     {R"(a\))", R"(Unmatched ) or \))"},
                                     {R"(\))", R"(Unmatched ) or \))"},
                                 });
}

TEST(pattern_syntax, bre_unmatched_brackets_are_errors) {
  expect_errors(translate_basic, {
                                     {"[a", "Unmatched [, [^, [:, [., or [="},
                                     {"[]", "Unmatched [, [^, [:, [., or [="},
                                     {"[^]", "Unmatched [, [^, [:, [., or [="},
                                     {"[[:alpha:]", "Unmatched [, [^, [:, [., or [="},
                                     {"[[:alpha]", "Unmatched [, [^, [:, [., or [="},
                                     {"[[.a]", "Unmatched [, [^, [:, [., or [="},
                                     {"[a-", "Unmatched [, [^, [:, [., or [="},
                                     // grep words a '[' or "[^" at the very end differently.
                                     {"[", "Invalid regular expression"},
                                     {"a[^", "Invalid regular expression"},
                                 });
}

TEST(pattern_syntax, bre_bad_bracket_contents_are_errors) {
  expect_errors(translate_basic,
                {
                    {"[[:foo:]]", "Invalid character class name"},
                    {"[:alpha:]", "character class syntax is [[:space:]], not [:space:]"},
                    {"[^:alpha:]", "character class syntax is [[:space:]], not [:space:]"},
                    {"[z-a]", "Invalid range end"},
                    {"[a-c-e]", "Invalid range end"},
                    {"[[:alpha:]-z]", "Invalid range end"},
                    {"[a-[:alpha:]]", "Invalid range end"},
                    {"[[=a=]-c]", "Invalid range end"},
                    {"[ω-α]", "Invalid range end"},
                    {"[[.ab.]]", "Invalid collation character"},
                    {"[[=ab=]]", "Invalid collation character"},
                });
}

TEST(pattern_syntax, bre_bad_intervals_are_errors) {
  expect_errors(translate_basic, {
                                     {R"(a\{1)", R"(Unmatched \{)"},
                                     {R"(a\{)", R"(Unmatched \{)"},
                                     {R"(a\{1,2)", R"(Unmatched \{)"},
                                     {R"(a\{1x)", R"(Unmatched \{)"},
                                     {R"(a\{1})", R"(Unmatched \{)"},
                                     {R"(a\{1\)", R"(Unmatched \{)"},
                                     {R"(a\{\})", R"(Invalid content of \{\})"},
                                     {R"(a\{x\})", R"(Invalid content of \{\})"},
                                     {R"(a\{2,1\})", R"(Invalid content of \{\})"},
                                     {R"(a\{1,2,3\})", R"(Invalid content of \{\})"},
                                     {R"(a\{32768\})", "Regular expression too big"},
                                     {R"(a\{1,99999999999\})", "Regular expression too big"},
                                 });
}

TEST(pattern_syntax, bre_intervals_grep_checks_twice) {
  // grep's dfa parser re-reads every interval, even one that regcomp reads as literal braces
  // after an anchor, and allows no escapes inside.
  expect_errors(translate_basic, {
                                     {R"(a\{1\,2\})", R"(invalid content of \{\})"},
                                     {R"(a\{\02\})", R"(invalid content of \{\})"},
                                     {R"(a\<\{2)", R"(invalid content of \{\})"},
                                     {R"(a\b\{\})", R"(invalid content of \{\})"},
                                     {R"(a\>\{2,1\})", R"(invalid content of \{\})"},
                                     {R"(a\B\{40000\})", "regular expression too big"},
                                 });
  // Where dfa too reads literal braces, nothing is checked.
  expect_translations(translate_basic, {{R"(\<\{2)", R"(\b\{2)"}, {R"(^\{2)", R"(^\{2)"}});
}

TEST(pattern_syntax, bre_regcomp_errors_come_before_dfa_errors) {
  expect_errors(translate_basic, {
                                     {R"(\(a\{1\,2\))", R"(Unmatched \{)"},
                                     {R"([:alpha:]\))", R"(Unmatched ) or \))"},
                                     {R"(x\b\{\)", "Trailing backslash"},
                                     {R"(a\{1\,2\}[:a:])", R"(invalid content of \{\})"},
                                 });
}

TEST(pattern_syntax, bre_trailing_backslash_is_error) {
  expect_errors(translate_basic, {{R"(a\)", "Trailing backslash"}, {R"(\)", "Trailing backslash"}});
}

TEST(pattern_syntax, bre_back_references_are_errors) {
  expect_errors(translate_basic, {
                                     {R"(\(a\)\1)", R"(back-references are not supported: \1)"},
                                     {R"(\9)", R"(back-references are not supported: \9)"},
                                 });
  // Not a back-reference: an escaped backslash, then a digit; and a digit inside brackets.
  expect_translations(translate_basic, {{R"(\\1)", R"(\\1)"}, {R"([\1])", R"([\\1])"}});
}

// --- Extended (default and -E) -----------------------------------------------------------------

TEST(pattern_syntax, ere_re2_syntax_passes_through) {
  expect_translations(translate_extended, {
                                              {"", ""},
                                              {"(a|b)+c", "(a|b)+c"},
                                              {"^(ab)*$", "^(ab)*$"},
                                              {"x{2,3}", "x{2,3}"},
                                              {R"(a\.b)", R"(a\.b)"},
                                              {R"(\d+\s\w*?)", R"(\d+\s[\pL\pN_]*?)"},
                                              {"(?i)error|warn", "(?i)error|warn"},
                                              {R"(\pL\x{41})", R"(\pL\x{41})"},
                                              {"naïve", "naïve"},
                                          });
}

TEST(pattern_syntax, ere_word_anchors_become_word_boundaries) {
  // grep -E '\<foo' selects "foo bar" and "bar foo" but not "xfoo".
  expect_translations(translate_extended, {
                                              {R"(\<foo)", R"(\bfoo)"},
                                              {R"(bar\>)", R"(bar\b)"},
                                              {R"(\<[a-z]+\>)", R"(\b[a-z]+\b)"},
                                              {R"(\<\w)", R"(\b[\pL\pN_])"},
                                          });
}

TEST(pattern_syntax, ere_buffer_anchors_become_re2_anchors) {
  // RE2 itself would read "\`" and "\'" as a literal backquote and quote.
  expect_translations(translate_extended, {{R"(\`a\')", R"(\Aa\z)"}});
}

TEST(pattern_syntax, ere_escaped_backslash_is_not_an_escape_of_the_next_character) {
  expect_translations(translate_extended, {
                                              {R"(\\<)", R"(\\<)"},
                                              {R"(\\\<)", R"(\\\b)"},
                                              {R"(a\\)", R"(a\\)"},
                                              {R"(\\1)", R"(\\1)"},
                                          });
}

TEST(pattern_syntax, ere_brackets_are_copied_verbatim) {
  expect_translations(translate_extended, {
                                              {R"([\<])", R"([\<])"},
                                              {R"([]\<])", R"([\]\<])"},
                                              {R"([^]\<])", R"([^\]\<])"},
                                              {R"([\]\<]\<)", R"([\]\<]\b)"},
                                              {R"([[:alpha:]\<]\>)", R"([\pL\<]\b)"},
                                              {R"([[:x\<]\<)", R"([[:x\<]\b)"},
                                              {R"([\1])", R"([\1])"},
                                              {"[a", "[a"},  // RE2 reports the missing ]
                                          });
}

TEST(pattern_syntax, ere_quoted_text_is_copied_verbatim) {
  expect_translations(translate_extended, {
                                              {R"(\Q\<\1\E\<)", R"(\Q\<\1\E\b)"},
                                              {R"(\Qa\<)", R"(\Qa\<)"},
                                          });
}

TEST(pattern_syntax, ere_malformed_input_is_left_for_re2) {
  expect_translations(translate_extended, {{R"(a\)", R"(a\)"}, {"a**", "a**"}});
}

TEST(pattern_syntax, ere_back_references_are_errors) {
  expect_errors(translate_extended, {
                                        {R"((a)\1)", R"(back-references are not supported: \1)"},
                                        {R"((a)\2)", R"(back-references are not supported: \2)"},
                                        {R"(\9)", R"(back-references are not supported: \9)"},
                                    });
}

// --- Fixed strings (-F) ------------------------------------------------------------------------

TEST(pattern_syntax, literal_word_characters_are_unchanged) {
  expect_translations(quote_literal, {{"", ""}, {"abc_XYZ_0189", "abc_XYZ_0189"}});
}

TEST(pattern_syntax, literal_ascii_punctuation_and_space_are_escaped) {
  expect_translations(quote_literal, {
                                         {"a.b", R"(a\.b)"},
                                         {R"(*+?()[]{}|^$\)", R"(\*\+\?\(\)\[\]\{\}\|\^\$\\)"},
                                         {"a b", R"(a\ b)"},
                                         {"-#~%", R"(\-\#\~\%)"},
                                         {R"(\Q\E)", R"(\\Q\\E)"},
                                         {"a\tb\n", "a\\\tb\\\n"},
                                     });
}

TEST(pattern_syntax, literal_high_bytes_pass_through) {
  expect_translations(quote_literal, {
                                         {"naïve", "naïve"},
                                         {"\xff\xfe"sv, "\xff\xfe"sv},  // not UTF-8: still bytes
                                     });
}

TEST(pattern_syntax, literal_nul_is_hex_escaped) {
  expect_translations(quote_literal, {{"a\0b"sv, R"(a\x00b)"}, {"\0"sv, R"(\x00)"}});
}

TEST(pattern_syntax, literal_every_byte_is_itself_or_escaped) {
  for (int value = 1; value < 256; ++value) {
    const char byte = static_cast<char>(value);
    const std::string quoted = quote_literal(std::string_view(&byte, 1));
    const bool word = (value >= 'a' && value <= 'z') || (value >= 'A' && value <= 'Z') ||
                      (value >= '0' && value <= '9') || value == '_';
    if (word || value >= 0x80) {
      EXPECT_EQ(quoted, std::string(1, byte)) << "byte " << value;
    } else {
      EXPECT_EQ(quoted, std::string({'\\', byte})) << "byte " << value;
    }
  }
}

}  // namespace
}  // namespace logsift

namespace logsift {
namespace {

TEST(pattern_syntax, ere_bracket_may_start_with_a_closing_bracket) {
  EXPECT_EQ(translate_extended("[]x-]"), R"([\]x-])");
  EXPECT_EQ(translate_extended("[^]a]"), R"([^\]a])");
}

TEST(pattern_syntax, classes_and_word_escapes_reach_beyond_ascii) {
  EXPECT_EQ(translate_extended("[[:alpha:][:digit:]]+"), R"([\pL[:digit:]]+)");
  EXPECT_EQ(translate_extended(R"([\w.])"), R"([\pL\pN_.])");
  EXPECT_EQ(translate_extended(R"(\W)"), R"([^\pL\pN_])");
  EXPECT_EQ(translate_basic("[[:upper:]]"), R"([\p{Lu}])");
}

}  // namespace
}  // namespace logsift
