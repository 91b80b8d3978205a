// Rewrites GNU grep's pattern dialects into RE2 syntax. The BRE rules follow what GNU grep 3.8
// does, including the context-dependent cases: which '*', '^' and '$' are literals and when "\{"
// starts an interval. grep parses every pattern twice, with glibc's regcomp and then its own dfa;
// where the two disagree on meaning we follow regcomp, and we report the errors of both, in
// grep's order and wording.
#include "logsift/pattern_syntax.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logsift/error.hpp"
#include "logsift/utf8.hpp"

namespace logsift {
namespace {

constexpr std::size_t npos = std::string_view::npos;

// glibc's RE_DUP_MAX: grep rejects larger interval bounds. (RE2 has its own, lower limit of 1000
// and reports that itself when the translated pattern is compiled.)
constexpr int max_interval_bound = 32767;

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// An interval bound with one more digit (-1 meaning none yet). It saturates just past the limit
// so that a huge bound is reported as too big rather than overflowing.
int append_digit(int bound, char digit) {
  return std::min(max_interval_bound + 1, (bound < 0 ? 0 : bound * 10) + (digit - '0'));
}

// Characters are split by utf8_lenient_length: a multibyte character must stay one unit so that
// "é*" repeats the character rather than its last byte and so that bracket ranges can have
// multibyte endpoints.

// The code point of one character as split by utf8_lenient_length (a stray byte stands for itself), used
// only to reject reversed ranges the way grep does in a UTF-8 locale.
char32_t code_point(std::string_view ch) {
  const auto lead = static_cast<unsigned char>(ch[0]);
  if (ch.size() == 1) return lead;
  char32_t value = lead & (0x7F >> ch.size());
  for (std::size_t i = 1; i < ch.size(); ++i) {
    value = (value << 6) | (static_cast<unsigned char>(ch[i]) & 0x3F);
  }
  return value;
}

// One character for RE2, with a backslash before it when it is one of `special`; NUL is spelt
// \x00, which --explain can print.
void append_escaped(std::string& out, std::string_view ch, std::string_view special) {
  if (ch.size() == 1) {
    const char c = ch[0];
    if (c == '\0') {
      out += "\\x00";
      return;
    }
    if (special.find(c) != npos) out += '\\';
  }
  out += ch;
}

// One character as an RE2 literal outside brackets. Only RE2's metacharacters are escaped, which
// keeps translated patterns readable in --explain output.
void append_literal(std::string& out, std::string_view ch) { append_escaped(out, ch, ".+*?()|[]{}^$\\"); }

// One character inside an RE2 bracket. RE2, unlike POSIX, gives '\' a meaning there, and a ']',
// '^', '-' or '[' can mean something depending on where it lands, so those are always escaped.
void append_class_char(std::string& out, std::string_view ch) { append_escaped(out, ch, "\\]^-["); }

bool is_posix_class_name(std::string_view name) {
  for (std::string_view known : {"alpha", "upper", "lower", "digit", "xdigit", "space", "print",
                                 "punct", "graph", "cntrl", "blank", "alnum"}) {
    if (name == known) return true;
  }
  return false;
}

// In a UTF-8 locale grep's classes (glibc's iswalpha and friends) reach beyond ASCII, while RE2's
// [[:alpha:]] and \w are ASCII only; these Unicode properties are the closest RE2 spelling. The
// rest ([:digit:], [:xdigit:], [:space:], [:blank:], [:cntrl:]) are ASCII in both.
std::string unicode_class_members(std::string_view name) {
  if (name == "alpha") return "\\pL";
  if (name == "alnum") return "\\pL\\pN";
  if (name == "upper") return "\\p{Lu}";
  if (name == "lower") return "\\p{Ll}";
  if (name == "punct") return "\\pP\\pS";
  if (name == "graph") return "\\pL\\pM\\pN\\pP\\pS";
  if (name == "print") return "\\pL\\pM\\pN\\pP\\pS\\pZ";
  return fmt::format("[:{}:]", name);
}

constexpr std::string_view kWordMembers = "\\pL\\pN_";
constexpr std::string_view kWordClass = "[\\pL\\pN_]";
constexpr std::string_view kNonWordClass = "[^\\pL\\pN_]";

[[noreturn]] void throw_back_reference(char digit) {
  throw UsageError(std::string("back-references are not supported: \\") + digit);
}

// grep's own wording for malformed patterns, so users see the messages they know.
constexpr const char* unmatched_bracket = "Unmatched [, [^, [:, [., or [=";
constexpr const char* invalid_range_end = "Invalid range end";
constexpr const char* invalid_interval = "Invalid content of \\{\\}";

class BasicTranslator {
 public:
  explicit BasicTranslator(std::string_view pattern) : pattern_(pattern) {}

  std::string run() {
    out_.reserve(pattern_.size() + pattern_.size() / 4);
    while (pos_ < pattern_.size()) {
      const char c = pattern_[pos_];
      switch (c) {
        case '\\':
          on_backslash();
          break;
        case '[':
          on_bracket();
          break;
        case '.':
          ++pos_;
          add_atom(".");
          break;
        case '*':
          ++pos_;
          if (can_repeat()) {
            add_repeat("*");
          } else {
            add_atom("\\*");
          }
          break;
        case '^':
          ++pos_;
          if (branch_start_) {
            add_anchor("^");
          } else {
            add_atom("\\^");
          }
          break;
        case '$':
          ++pos_;
          if (dollar_is_anchor()) {
            add_anchor("$");
          } else {
            add_atom("\\$");
          }
          break;
        default:
          add_character_at(pos_);
          break;
      }
    }
    if (!open_groups_.empty()) throw UsageError("Unmatched ( or \\(");
    if (dfa_error_) throw UsageError(*dfa_error_);
    return std::move(out_);
  }

 private:
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < pattern_.size() ? pattern_[pos_ + ahead] : '\0';
  }
  bool at_end(std::size_t ahead = 0) const { return pos_ + ahead >= pattern_.size(); }

  // Called with pos_ just past the '$': it anchors only at the end of a branch.
  bool dollar_is_anchor() const {
    return at_end() || (peek() == '\\' && (peek(1) == ')' || peek(1) == '|'));
  }

  void add_atom(std::string_view re2) {
    atom_begin_ = out_.size();
    atom_repeated_ = false;
    out_ += re2;
    branch_start_ = false;
    expression_start_ = false;
    dfa_expression_start_ = false;
  }

  // The (possibly multibyte) character at pattern_[at] as a literal; reading goes on after it.
  void add_character_at(std::size_t at) {
    const std::size_t length = utf8_lenient_length(pattern_, at);
    std::string literal;
    append_literal(literal, pattern_.substr(at, length));
    pos_ = at + length;
    add_atom(literal);
  }

  // regcomp parses whatever follows an anchor as the start of a new expression, so a repetition
  // operator right after one is a literal character ("^*" and "a\>*" match a '*').
  void add_anchor(std::string_view re2) {
    out_ += re2;
    atom_begin_ = npos;
    branch_start_ = false;
    expression_start_ = true;
  }

  bool can_repeat() const { return !expression_start_ && atom_begin_ != npos; }

  // Only where can_repeat(); elsewhere grep reads the operator as a literal character.
  void add_repeat(std::string_view op) {
    // POSIX allows stacking ("a**", "a*\{2\}"); RE2 rejects it or, for "a*?", reads a lazy star.
    if (atom_repeated_) {
      out_.insert(atom_begin_, "(?:");
      out_ += ')';
    }
    out_ += op;
    atom_repeated_ = true;
  }

  void on_backslash() {
    if (at_end(1)) throw UsageError("Trailing backslash");
    const char c = pattern_[pos_ + 1];
    pos_ += 2;
    switch (c) {
      case '(':
        open_groups_.push_back(out_.size());
        out_ += '(';
        atom_begin_ = npos;
        branch_start_ = true;
        expression_start_ = true;
        dfa_expression_start_ = true;
        break;
      case ')':
        if (open_groups_.empty()) throw UsageError("Unmatched ) or \\)");
        out_ += ')';
        atom_begin_ = open_groups_.back();
        atom_repeated_ = false;
        open_groups_.pop_back();
        branch_start_ = false;
        expression_start_ = false;
        dfa_expression_start_ = false;
        break;
      case '|':
        out_ += '|';
        atom_begin_ = npos;
        branch_start_ = true;
        expression_start_ = true;
        dfa_expression_start_ = true;
        break;
      case '+':
        if (can_repeat()) {
          add_repeat("+");
        } else {
          add_atom("\\+");
        }
        break;
      case '?':
        if (can_repeat()) {
          add_repeat("?");
        } else {
          add_atom("\\?");
        }
        break;
      case '{':
        if (!dfa_expression_start_) check_interval_as_dfa_does();
        if (can_repeat()) {
          add_repeat(read_interval());
        } else {
          // Like a leading '*': "\{1\}" at the start matches the text "{1}".
          add_atom("\\{");
        }
        break;
      case '}':
        add_atom("\\}");
        break;
      case '<':
      case '>':
      case 'b':
        add_anchor("\\b");
        break;
      case 'B':
        add_anchor("\\B");
        break;
      case '`':
        add_anchor("\\A");
        break;
      case '\'':
        add_anchor("\\z");
        break;
      case 'w':
        add_atom(kWordClass);
        break;
      case 'W':
        add_atom(kNonWordClass);
        break;
      case 's':
      case 'S':
        add_atom(std::string{'\\', c});
        break;
      default:
        if (c >= '1' && c <= '9') throw_back_reference(c);
        // Any other escaped character is itself ("\." and "\/", but also "\n" and "\d", which
        // grep reads as the letters n and d, not as RE2's newline and digit).
        add_character_at(pos_ - 1);
        break;
    }
  }

  // One bound of an interval, read token by token the way glibc does: up to ',' or "\}" or the
  // end of the pattern. glibc only looks at the character a token carries, so "\," ends a bound
  // and "\0" is a digit (grep's dfa then rejects both). Returns -1 when empty and -2 when not a
  // number; `stop` is ',' or '}', or '\0' when the pattern ended first.
  int read_bound(char& stop) {
    int value = -1;
    while (!at_end()) {
      char c = pattern_[pos_];
      if (c == '\\') {
        if (at_end(1)) {
          ++pos_;
          value = -2;
          continue;
        }
        c = pattern_[pos_ + 1];
        pos_ += 2;
        if (c == '}') {
          stop = '}';
          return value;
        }
        if (c >= '1' && c <= '9') c = 'x';  // a back-reference token, not a digit
      } else {
        ++pos_;
      }
      if (c == ',') {
        stop = ',';
        return value;
      }
      value = (!is_digit(c) || value == -2) ? -2 : append_digit(value, c);
    }
    stop = '\0';
    return value;
  }

  // Called with pos_ just past "\{"; returns the RE2 interval.
  std::string read_interval() {
    char stop = '\0';
    int min = read_bound(stop);
    if (stop == '\0') throw UsageError("Unmatched \\{");
    if (min == -2) throw UsageError(invalid_interval);  // glibc stops reading at a bad lower bound
    if (stop == '}') {
      if (min < 0) throw UsageError(invalid_interval);
      if (min > max_interval_bound) throw UsageError("Regular expression too big");
      return fmt::format("{{{}}}", min);
    }
    if (min == -1) min = 0;  // GNU reads "\{,n\}" as "\{0,n\}"
    const int max = read_bound(stop);
    if (stop == '\0') throw UsageError("Unmatched \\{");
    if (stop == ',' || max == -2 || (max >= 0 && min > max)) {
      throw UsageError(invalid_interval);
    }
    if ((max < 0 ? min : max) > max_interval_bound) throw UsageError("Regular expression too big");
    return max < 0 ? fmt::format("{{{},}}", min) : fmt::format("{{{},{}}}", min, max);
  }

  // grep runs two parsers over every pattern: glibc's regcomp over the whole of it, then its own
  // dfa. This class reads a pattern as regcomp does; where dfa alone objects, its error is kept
  // and reported only if regcomp found none.
  void dfa_rejects(std::string message) {
    if (!dfa_error_) dfa_error_ = std::move(message);
  }

  // dfa's stricter reading of an interval, with pos_ just past "\{": plain digits, an optional
  // ',' and more digits, then "\}". It also sees one after an anchor that follows other text,
  // where regcomp reads a literal brace, so 'a\<\{2\}' matches "a{2}" but 'a\<\{2' is an error.
  void check_interval_as_dfa_does() {
    std::size_t p = pos_;
    int min = -1;
    int max = -1;
    for (; p < pattern_.size() && is_digit(pattern_[p]); ++p) min = append_digit(min, pattern_[p]);
    if (p < pattern_.size()) {
      if (pattern_[p] != ',') {
        max = min;
      } else {
        min = std::max(min, 0);
        for (++p; p < pattern_.size() && is_digit(pattern_[p]); ++p) {
          max = append_digit(max, pattern_[p]);
        }
      }
    }
    const bool closed = pattern_.substr(p, 2) == "\\}";
    if (!closed || min < 0 || (max >= 0 && min > max)) {
      dfa_rejects("invalid content of \\{\\}");
    } else if (max > max_interval_bound) {
      dfa_rejects("regular expression too big");
    }
  }

  struct BracketElement {
    enum class Kind { character, collating_symbol, equivalence_class, character_class };
    Kind kind = Kind::character;
    std::string_view text;  // the character, or the class name

    bool can_bound_range() const {
      return kind == Kind::character || kind == Kind::collating_symbol;
    }
  };

  // One element of a bracket expression at pos_: a character, or a "[:name:]", "[.c.]" or
  // "[=c=]" item. In POSIX a backslash here is an ordinary character.
  BracketElement read_bracket_element() {
    if (peek() == '[' && (peek(1) == ':' || peek(1) == '.' || peek(1) == '=')) {
      const char delimiter = peek(1);
      const std::size_t name_begin = pos_ + 2;
      const std::size_t close = pattern_.find(std::string{delimiter, ']'}, name_begin);
      if (close == npos) throw UsageError(unmatched_bracket);
      const std::string_view name = pattern_.substr(name_begin, close - name_begin);
      pos_ = close + 2;
      if (delimiter == ':') {
        if (!is_posix_class_name(name)) throw UsageError("Invalid character class name");
        return {BracketElement::Kind::character_class, name};
      }
      // Only single characters collate as themselves in grep's UTF-8 locales; multicharacter
      // collating elements and real equivalence classes do not exist there.
      if (name.empty() || utf8_lenient_length(name, 0) != name.size()) {
        throw UsageError("Invalid collation character");
      }
      return {delimiter == '.' ? BracketElement::Kind::collating_symbol
                               : BracketElement::Kind::equivalence_class,
              name};
    }
    const std::size_t length = utf8_lenient_length(pattern_, pos_);
    const std::string_view ch = pattern_.substr(pos_, length);
    pos_ += length;
    return {BracketElement::Kind::character, ch};
  }

  void on_bracket() {
    ++pos_;  // '['
    std::string re2 = "[";
    if (peek() == '^' && !at_end()) {
      re2 += '^';
      ++pos_;
    }
    // grep words this case differently from other unterminated brackets.
    if (at_end()) throw UsageError("Invalid regular expression");
    // grep rejects "[:alpha:]" (missing the outer brackets) rather than matching its letters;
    // like grep, only a plain list of characters starting and ending with ':' counts.
    bool starts_with_colon = false;
    bool ends_with_colon = false;
    bool has_other_than_colon = false;
    bool has_structure = false;  // ranges and [: :] [. .] [= =] items

    bool first = true;
    while (true) {
      if (at_end()) throw UsageError(unmatched_bracket);
      if (peek() == ']' && !first) {
        ++pos_;
        break;
      }
      // A '-' is an ordinary character first, last, or as a range end; anywhere else grep
      // (glibc) refuses it.
      if (peek() == '-' && !first && peek(1) != ']') {
        if (at_end(1)) throw UsageError(unmatched_bracket);
        throw UsageError(invalid_range_end);
      }
      const BracketElement start = read_bracket_element();
      const bool is_range = peek() == '-' && !at_end(1) && peek(1) != ']';
      if (is_range) {
        ++pos_;  // '-'
        const BracketElement end = read_bracket_element();
        if (!start.can_bound_range() || !end.can_bound_range() ||
            code_point(start.text) > code_point(end.text)) {
          throw UsageError(invalid_range_end);
        }
        append_class_char(re2, start.text);
        re2 += '-';
        append_class_char(re2, end.text);
        has_structure = true;
      } else if (start.kind == BracketElement::Kind::character_class) {
        re2 += unicode_class_members(start.text);
        has_structure = true;
      } else {
        append_class_char(re2, start.text);
        if (start.kind != BracketElement::Kind::character) has_structure = true;
        const bool is_colon = start.text == ":";
        if (first) starts_with_colon = is_colon;
        ends_with_colon = is_colon;
        if (!is_colon) has_other_than_colon = true;
      }
      if (is_range || start.kind == BracketElement::Kind::character_class) ends_with_colon = false;
      first = false;
    }
    if (starts_with_colon && ends_with_colon && has_other_than_colon && !has_structure) {
      dfa_rejects("character class syntax is [[:space:]], not [:space:]");
    }
    re2 += ']';
    add_atom(re2);
  }

  std::string_view pattern_;
  std::size_t pos_ = 0;
  std::string out_;
  std::vector<std::size_t> open_groups_;  // offsets in out_ of the '(' of each open group
  bool branch_start_ = true;              // a '^' here is an anchor
  bool expression_start_ = true;          // a repetition operator here is a literal
  std::size_t atom_begin_ = npos;         // where in out_ the last repeatable item begins
  bool atom_repeated_ = false;            // whether that item already carries an operator
  // expression_start_ as grep's dfa sees it: for dfa, anchors do not start a new expression.
  bool dfa_expression_start_ = true;
  std::optional<std::string> dfa_error_;  // the first error only dfa reports
};

// Copies the RE2 bracket expression opening at text[open] to `out` and returns where it ends
// (one past its ']', or the end of the text when it is unterminated, which RE2 then reports).
// RE2's own rules apply ('\' escapes the next byte), with three of grep's: a ']' right after "["
// or "[^" is a member, and [:name:] classes and \w are Unicode-aware.
std::size_t translate_extended_bracket(std::string_view text, std::size_t open, std::string& out) {
  std::size_t i = open + 1;
  out += '[';
  if (i < text.size() && text[i] == '^') {
    out += '^';
    ++i;
  }
  if (i < text.size() && text[i] == ']') {
    out += "\\]";
    ++i;
  }
  while (i < text.size() && text[i] != ']') {
    if (text[i] == '[' && i + 1 < text.size() && text[i + 1] == ':') {
      const std::size_t close = text.find(":]", i + 2);
      if (close != npos) {
        out += unicode_class_members(text.substr(i + 2, close - i - 2));
        i = close + 2;
        continue;
      }
    }
    if (text[i] == '\\' && i + 1 < text.size()) {
      if (text[i + 1] == 'w') {
        out += kWordMembers;
      } else {
        out += text.substr(i, 2);
      }
      i += 2;
      continue;
    }
    out += text[i++];
  }
  if (i < text.size()) {
    out += ']';
    ++i;
  }
  return i;
}

}  // namespace

std::string translate_basic(std::string_view pattern) { return BasicTranslator(pattern).run(); }

std::string translate_extended(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  std::size_t i = 0;
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == '[') {
      i = translate_extended_bracket(pattern, i, out);
      continue;
    }
    if (c != '\\' || i + 1 == pattern.size()) {
      out += c;
      ++i;
      continue;
    }
    const char escaped = pattern[i + 1];
    switch (escaped) {
      case '<':
      case '>':
        out += "\\b";
        break;
      // RE2 would silently read these GNU anchors as a literal ` and '.
      case '`':
        out += "\\A";
        break;
      case '\'':
        out += "\\z";
        break;
      case 'w':
        out += kWordClass;
        break;
      case 'W':
        out += kNonWordClass;
        break;
      case 'Q': {
        // RE2 quotes everything up to the first "\E" verbatim; nothing in there is ours to touch.
        const std::size_t close = pattern.find("\\E", i + 2);
        const std::size_t end = close == npos ? pattern.size() : close + 2;
        out += pattern.substr(i, end - i);
        i = end;
        continue;
      }
      default:
        if (escaped >= '1' && escaped <= '9') throw_back_reference(escaped);
        out += c;
        out += escaped;
        break;
    }
    i += 2;
  }
  return out;
}

std::string quote_literal(std::string_view literal) {
  std::string out;
  out.reserve(literal.size() * 2);
  for (const char c : literal) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == 0) {
      out += "\\x00";
      continue;
    }
    // Bytes from 0x80 up are parts of multibyte characters and are not RE2 syntax.
    if (byte < 0x80 && !is_word_byte(byte)) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace logsift
