// Pattern syntax translation: GNU grep dialects rewritten into RE2 syntax before compilation.
// Pure string functions with no RE2 dependency, so they are cheap to test and fuzz. They throw
// UsageError for constructs RE2 cannot express (back-references: "back-references are not
// supported: \1") or that are malformed.
#pragma once

#include <string>
#include <string_view>

namespace logsift {

// -G: POSIX basic regular expression (with GNU extensions \+ \? \| \< \> \w \W \s \S \b \B \` \')
// into RE2 syntax, as GNU grep 3.8 reads it. In BRE, ( ) { } | + ? are literals and their
// backslashed forms are operators; a repetition operator where there is nothing to repeat (at the
// start, after \( or \|, or after an anchor) is a literal; '^' is an anchor only at the start of
// an expression and '$' only at its end; a backslash inside brackets is a literal. \< and \>
// become RE2's \b, which also matches at the other edge of a word. Malformed patterns throw
// UsageError with grep's message ("Unmatched ( or \(", "Invalid range end", ...).
std::string translate_basic(std::string_view pattern);

// Default/-E: RE2 syntax plus GNU's \< and \> (start/end of word, both become \b) and \` \'
// (start/end of text), which RE2 lacks. Everything else, brackets and \Q...\E included, is
// passed through unchanged, so RE2's own error messages apply to it.
std::string translate_extended(std::string_view pattern);

// -F: a literal string as an RE2 pattern that matches exactly those bytes. Bytes from 0x80 up are
// passed through, so a literal that is not valid UTF-8 needs RE2's Latin-1 encoding.
std::string quote_literal(std::string_view literal);

}  // namespace logsift
