// Pattern syntax translation: GNU grep dialects rewritten into RE2 syntax before compilation.
// Pure string functions with no RE2 dependency, so they are cheap to test and fuzz. They throw
// UsageError for constructs RE2 cannot express (back-references) or that are malformed.
#pragma once

#include <string>
#include <string_view>

namespace logsift {

// -G: POSIX basic regular expression (with GNU extensions \+ \? \| \< \> \w \W \s \S \b \B \` \')
// into RE2 syntax. In BRE, ( ) { } | + ? are literals and their backslashed forms are operators;
// '*' at the start of an expression (or after \( or \| or ^) is a literal; '^' is an anchor only
// at the start of an expression and '$' only at its end.
std::string translate_basic(std::string_view pattern);

// Default/-E: RE2 syntax plus GNU's \< and \> (start/end of word), which RE2 lacks. Everything
// else is passed through unchanged, so RE2's own error messages apply to it.
std::string translate_extended(std::string_view pattern);

// -F: a literal string as an RE2 pattern that matches exactly those bytes.
std::string quote_literal(std::string_view literal);

}  // namespace logsift
