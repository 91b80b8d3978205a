#include "logsift/matcher.hpp"

#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <mutex>

#include "logsift/byte_scan.hpp"
#include "logsift/error.hpp"
#include "logsift/literal_set.hpp"
#include "logsift/pattern_syntax.hpp"
#include "logsift/utf8.hpp"
#include "perl_regex.hpp"

namespace logsift {
namespace {

// GNU grep's word constituents in a UTF-8 locale: letters, digits and underscore.
constexpr std::string_view kNotWordChar = "[^\\pL\\pN_]";

std::vector<std::string> split_lines(const std::vector<std::string>& patterns) {
  // grep treats a pattern containing newlines as one pattern per line.
  std::vector<std::string> out;
  for (const std::string& pattern : patterns) {
    std::size_t start = 0;
    for (;;) {
      std::size_t nl = pattern.find('\n', start);
      out.emplace_back(pattern.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
  return out;
}

std::string translate(const std::string& pattern, Syntax syntax) {
  switch (syntax) {
    case Syntax::basic: return translate_basic(pattern);
    case Syntax::fixed: return quote_literal(pattern);
    case Syntax::extended: break;
    case Syntax::perl: break;  // never translated: PCRE2 reads it as it is
  }
  return translate_extended(pattern);
}

bool has_regex_metachar(std::string_view pattern) {
  return pattern.find_first_of("\\^$.[]|()*+?{}") != std::string_view::npos;
}

// Bytes an ASCII case-insensitive scan cannot stand for: non-ASCII bytes (their case variants are
// other bytes) and, when RE2 folds case, k and s, whose Unicode case orbits include KELVIN SIGN
// and LONG S.
bool unscannable(char c, bool folding) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x80) return true;
  const char lower = static_cast<char>(byte | 0x20);
  return folding && (lower == 'k' || lower == 's');
}

// The longest piece of `text` free of unscannable bytes: every match of `text` contains it, so it
// is a valid prefilter on its own.
std::string_view longest_scannable_piece(std::string_view text, bool folding) {
  std::string_view best;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || unscannable(text[i], folding)) {
      if (i - start > best.size()) best = text.substr(start, i - start);
      start = i + 1;
    }
  }
  return best;
}

// Whether a pattern can only name ASCII characters: no raw non-ASCII byte and no escape (\x, \p,
// octal) that could denote one.
bool names_only_ascii(std::string_view pattern) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (static_cast<unsigned char>(pattern[i]) >= 0x80) return false;
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      const char next = pattern[++i];
      if (next == 'x' || next == 'p' || next == 'P' || (next >= '0' && next <= '9')) return false;
    }
  }
  return true;
}

// Whether FilteredRE2's lowercased atoms of a case-sensitive pattern are the very bytes a match
// holds: true when nothing in it can be uppercase, non-ASCII or switched to -i by a (?i) flag.
bool spells_atoms_verbatim(std::string_view pattern) {
  if (!names_only_ascii(pattern) || pattern.find("(?") != std::string_view::npos) return false;
  return std::none_of(pattern.begin(), pattern.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// Whether a (translated) pattern finds the same lines when run in multi-line mode over many lines
// with '\n' excluded from every class: not if it names text boundaries (\A, \z), any byte (\C),
// or sets flags of its own, which could turn multi-line mode off again.
bool means_the_same_over_a_buffer(std::string_view pattern) {
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      const char next = pattern[++i];
      if (next == 'A' || next == 'z' || next == 'C') return false;
    } else if (pattern[i] == '(' && pattern[i + 1] == '?' && (i + 2 >= pattern.size() || pattern[i + 2] != ':')) {
      return false;
    }
  }
  return true;
}

// Whether `text` is valid UTF-8 (no overlong form, surrogate or code point past U+10FFFF). Only
// such literals go to the literal set; RE2 keeps reporting the others as it did.
bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > text.size()) return false;
    std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) {
      const auto t = static_cast<unsigned char>(text[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (t & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += n;
  }
  return true;
}

bool is_ascii_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// -w's neighbours as GNU grep reads them in a UTF-8 locale: letters, digits and '_' are word
// characters; every other character, and every byte that is not part of a well-formed character,
// is not.
bool is_word_character(std::string_view character, const RE2& non_word) {
  if (character.size() == 1) {
    const auto byte = static_cast<unsigned char>(character.front());
    return byte < 0x80 && is_ascii_word_byte(byte);
  }
  return !RE2::FullMatch(character, non_word);
}

// Where the character of `text` that ends at `at` starts (an invalid byte is one character).
std::size_t character_start_before(std::string_view text, std::size_t at) {
  if (static_cast<unsigned char>(text[at - 1]) < 0x80) return at - 1;
  std::size_t start = at - 1;
  while (start > 0 && at - start < 4 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  return utf8_sequence_length(text, start) == at - start ? start : at - 1;
}

// Where the non-word character of `text` that ends at `at` starts, or npos if there is none.
std::size_t non_word_start_before(std::string_view text, std::size_t at, const RE2& non_word) {
  if (at == 0) return std::string_view::npos;
  const std::size_t start = character_start_before(text, at);
  return is_word_character(text.substr(start, at - start), non_word) ? std::string_view::npos : start;
}

// The length of the non-word character of `text` that starts at `at`, or 0 if there is none.
std::size_t non_word_length_at(std::string_view text, std::size_t at, const RE2& non_word) {
  if (at >= text.size()) return 0;
  const std::size_t size = utf8_sequence_length(text, at);
  return is_word_character(text.substr(at, size), non_word) ? 0 : size;
}

// More literals than this go to a LiteralSet instead of one RE2 alternation, whose DFA runs out
// of its memory budget from a few thousand words on and falls back to RE2's NFA, a hundred times
// slower; from about 50,000 words on RE2 refuses the alternation altogether.
constexpr std::size_t kManyLiterals = 64;

// RE2 folds KELVIN SIGN into k and LONG S into s: with -i, lines that hold them are searched in a
// copy where they are spelled k and s, as the literal set folds ASCII case only.
constexpr std::string_view kKelvinSign = "\xE2\x84\xAA";
constexpr std::string_view kLongS = "\xC5\xBF";

// A candidate scan: literals of which at least one occurs in every matching line. Exact when an
// occurrence is itself a match (plain literal patterns), so no regex needs to run.
struct Prefilter {
  std::vector<std::string> needles;
  bool ascii_case_insensitive = false;
  bool exact = false;
};

constexpr std::size_t kMinPieceLength = 3;  // shorter needles hit too often to pay for the scan
constexpr std::size_t kMaxNeedles = 64;

// RE2's own analysis of which literals ("atoms", lowercased) every match must contain.
std::optional<std::vector<std::string>> required_atoms(const std::string& regex, const RE2::Options& options) {
  re2::FilteredRE2 filter(static_cast<int>(kMinPieceLength));
  int id = 0;
  if (filter.Add(regex, options, &id) != RE2::NoError) return std::nullopt;
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  std::vector<int> passes_without_atoms;
  filter.AllPotentials({}, &passes_without_atoms);
  if (atoms.empty() || !passes_without_atoms.empty()) return std::nullopt;  // nothing is required
  return atoms;
}

std::optional<Prefilter> choose_prefilter(const std::vector<std::string>& patterns, const MatcherOptions& options,
                                          const std::string& regex, const RE2::Options& re2_options) {
  const bool folding = options.ignore_case;
  const bool plain = !options.word && !options.whole_line;
  auto is_literal = [&](const std::string& p) {
    return !p.empty() && (options.syntax == Syntax::fixed || !has_regex_metachar(p));
  };
  // Without -i a literal is searched byte for byte; with it, only where ASCII folding is exact.
  auto scannable = [&](const std::string& p) {
    return !folding || longest_scannable_piece(p, folding).size() == p.size();
  };
  if (patterns.size() <= kMaxNeedles && std::all_of(patterns.begin(), patterns.end(), is_literal) &&
      std::all_of(patterns.begin(), patterns.end(), scannable)) {
    return Prefilter{patterns, folding, plain};
  }

  // FilteredRE2's analysis grows quadratically with alternatives, and so many would exceed
  // kMaxNeedles anyway.
  if (patterns.size() > kMaxNeedles) return std::nullopt;
  std::optional<std::vector<std::string>> atoms = required_atoms(regex, re2_options);
  if (!atoms || atoms->size() > kMaxNeedles) return std::nullopt;
  // Atoms come lowercased, and FilteredRE2 lowercases by Unicode rules even without -i: LONG S and
  // KELVIN SIGN in a pattern become s and k. Only a pattern that spells every atom as it is can
  // have them scanned byte for byte; otherwise scan without case and cut where s/k may stand in.
  const bool verbatim = !folding && std::all_of(patterns.begin(), patterns.end(), spells_atoms_verbatim);
  const bool may_hold_non_ascii = !std::all_of(patterns.begin(), patterns.end(), names_only_ascii);
  Prefilter prefilter;
  prefilter.ascii_case_insensitive = !verbatim;
  for (const std::string& atom : *atoms) {
    const std::string_view piece =
        verbatim ? std::string_view(atom) : longest_scannable_piece(atom, folding || may_hold_non_ascii);
    if (piece.size() < kMinPieceLength) return std::nullopt;  // one weak needle spoils the scan
    prefilter.needles.emplace_back(piece);
  }
  return prefilter;
}

// RE2's default budget (8 MiB, two thirds of it for the DFA's cache of states) holds the DFA of a
// few dozen alternatives; an alternation of hundreds of regexes fills it again and again, and
// RE2 then falls back to its NFA, a hundred times slower (1,000 regexes: over 120 s on 8 MiB
// instead of 1.7 s). So the budget grows with the number of patterns, up to 256 MiB; it is
// only a ceiling, the cache takes what the states met need (24 MiB for those 1,000).
std::int64_t memory_budget(std::size_t patterns) {
  constexpr std::int64_t kDefault = std::int64_t{8} << 20, kMost = std::int64_t{256} << 20;
  return std::clamp(static_cast<std::int64_t>(patterns) * (std::int64_t{64} << 10), kDefault, kMost);
}

RE2::Options re2_options(const MatcherOptions& options, std::size_t patterns = 1) {
  RE2::Options o;
  o.set_max_mem(memory_budget(patterns));
  o.set_log_errors(false);
  o.set_encoding(RE2::Options::EncodingUTF8);
  o.set_case_sensitive(!options.ignore_case);
  o.set_longest_match(options.leftmost_longest);
  o.set_dot_nl(options.dot_matches_newline);
  return o;
}

}  // namespace

struct Matcher::Impl {
  std::vector<std::string> patterns;  // as given, for twin()
  MatcherOptions options;
  std::unique_ptr<RE2> regex;  // null: no pattern at all, nothing matches
  std::unique_ptr<PerlRegex> perl;  // -P: used instead of `regex`, line by line
  int word_group = 0;          // 1 when -w wrapped the pattern in a capturing group
  // -w on lines that are not valid UTF-8 (word_find): the pattern before -w wrapped it, compiled
  // leftmost-longest on first use, since such lines are rare.
  std::string word_unwrapped;
  std::size_t word_lines = 1;
  mutable std::once_flag word_once;
  mutable std::unique_ptr<RE2> word_regex;
  mutable std::unique_ptr<RE2> word_non_word;
  bool every_line = false;
  std::optional<MultiLiteralSearcher> literal;  // a SIMD scan for literals every match contains
  bool literal_is_exact = false;                // a literal hit on a line is a match, no RE2 needed
  std::vector<std::string> needles;             // what `literal` looks for, for --explain
  std::string source;                           // the RE2 pattern, for --explain
  // Without a literal to scan for: the same pattern in multi-line mode that never matches '\n',
  // run over a whole buffer of lines at once instead of once per line.
  std::unique_ptr<RE2> buffer_regex;

  // Many literals (see kManyLiterals), with no RE2 for the whole list at all.
  struct Many {
    std::shared_ptr<const LiteralSet> set;  // read-only, so shared with twins
    std::unique_ptr<RE2> non_word;          // [^\pL\pN_], for -w's non-ASCII neighbours
    // -i with k or s in a literal: finds lines holding KELVIN SIGN or LONG S.
    std::optional<MultiLiteralSearcher> folded_letters;
    // The literals the set cannot match exactly (non-ASCII with -i): searched as before.
    std::unique_ptr<Matcher> rest;
    bool has_empty = false;  // an empty pattern: every line matches (with -x, every empty line)
  };
  std::unique_ptr<Many> many;

  // A match of the literal set in a line: [begin, end) is the literal (what -o shows).
  struct Occurrence {
    std::size_t begin = 0, end = 0, id = 0;
  };

  // Whether [b, e) of `line` is a match under -w/-x, as grep decides: the characters next to a
  // word may lie before where the search started (grep's -o finds "-" twice in "--").
  bool accept(std::string_view line, const Occurrence& o) const {
    if (options.whole_line) return o.begin == 0 && o.end == line.size();
    if (!options.word) return true;
    if (o.begin > 0 && non_word_start_before(line, o.begin, *many->non_word) == std::string_view::npos) return false;
    return o.end == line.size() || non_word_length_at(line, o.end, *many->non_word) > 0;
  }

  // Calls visit(occurrence) for each match of the literal set in line[from, ...) that -w/-x
  // accept, in order of where they start, until visit returns false.
  template <typename Visit>
  void each_occurrence(std::string_view line, std::size_t from, Visit&& visit) const {
    const LiteralSet& set = *many->set;
    if (!many->folded_letters || many->folded_letters->find(line, from) == std::string_view::npos) {
      set.scan(line.substr(from), [&](std::size_t id, std::size_t begin) {
        Occurrence o;
        o.id = id;
        o.begin = from + begin;
        o.end = o.begin + set.length(id);
        return !accept(line, o) || visit(o);
      });
      return;
    }
    // The copy with k and s for KELVIN SIGN and LONG S, and where each of its bytes came from.
    std::string folded;
    std::vector<std::size_t> origin;
    for (std::size_t i = from; i < line.size();) {
      origin.push_back(i);
      const std::string_view rest = line.substr(i);
      if (rest.starts_with(kKelvinSign) || rest.starts_with(kLongS)) {
        folded += rest.starts_with(kKelvinSign) ? 'k' : 's';
        i += rest.starts_with(kKelvinSign) ? kKelvinSign.size() : kLongS.size();
      } else {
        folded += line[i++];
      }
    }
    origin.push_back(line.size());
    set.scan(folded, [&](std::size_t id, std::size_t begin) {
      Occurrence o;
      o.id = id;
      o.begin = origin[begin];
      o.end = origin[begin + set.length(id)];
      return !accept(line, o) || visit(o);
    });
  }

  bool many_line_matches(std::string_view line) const {
    if (many->has_empty && (!options.whole_line || line.empty())) return true;
    bool found = false;
    each_occurrence(line, 0, [&](const Occurrence&) { return !(found = true); });
    return found || (many->rest && many->rest->matches(line));
  }

  // find(): the match grep reports for the list of literals.
  std::optional<Span> many_find(std::string_view line, std::size_t from) const {
    std::optional<Occurrence> best;
    // The leftmost, then (leftmost-longest: the sink's PATTERN) the longest, then the first
    // literal listed (leftmost-first: stages).
    auto better = [&](const Occurrence& a, const Occurrence& b) {
      if (a.begin != b.begin) return a.begin < b.begin;
      if (options.leftmost_longest && a.end != b.end) return a.end > b.end;
      return a.id < b.id;
    };
    each_occurrence(line, from, [&](const Occurrence& o) {
      // Occurrences come by where they start.
      if (best && o.begin > best->begin) return false;
      if (!best || better(o, *best)) best = o;
      return true;
    });
    if (many->rest) {
      if (std::optional<Span> other = many->rest->find(line, from)) {
        Occurrence o;
        o.begin = other->begin;
        o.end = other->end;
        o.id = std::numeric_limits<std::size_t>::max();  // the rest loses ties
        if (accept(line, o) && (!best || better(o, *best))) best = o;
      }
    }
    if (many->has_empty) {
      // The empty match at `from` is the leftmost; only a literal starting there is longer.
      if (options.whole_line) {
        if (line.empty() && from == 0) return Span{0, 0};
      } else if (!best || best->begin > from) {
        return Span{from, from};
      }
    }
    if (!best) return std::nullopt;
    return Span{best->begin, best->end};
  }

  // next_matching_line() for the literal set: the first line at or after `from` with a match.
  std::optional<Span> many_next_line(std::string_view buffer, std::size_t from) const {
    if (many->has_empty) {
      if (!options.whole_line) return Span{from, line_end_at(buffer, from)};
      // -x: an empty line comes first unless a line of the set's does; as line by line, a buffer
      // that ends with '\n' ends with an empty line.
      std::size_t empty = from;
      if (from < buffer.size() && buffer[from] != '\n') {
        const std::size_t pair = buffer.find("\n\n", from);
        empty = pair != std::string_view::npos ? pair + 1 : buffer.back() == '\n' ? buffer.size() : std::string_view::npos;
      }
      if (empty != std::string_view::npos) {
        const std::optional<Span> before = many_next_line_without_empty(buffer.substr(0, empty), from);
        if (before && before->end < empty) return before;
        return Span{empty, empty};
      }
    }
    return many_next_line_without_empty(buffer, from);
  }

  std::optional<Span> many_next_line_without_empty(std::string_view buffer, std::size_t from) const {
    std::optional<Span> found = many_next_line_in_set(buffer, from);
    if (many->rest) {
      // Only the lines before the set's first hit can hold an earlier match of the rest.
      const std::size_t stop = found ? found->begin : buffer.size();
      if (std::optional<Span> other = many->rest->next_matching_line(buffer.substr(0, stop), from)) {
        if (other->end < stop || stop == buffer.size()) return other;
      }
    }
    return found;
  }

  std::optional<Span> many_next_line_in_set(std::string_view buffer, std::size_t from) const {
    const LiteralSet& set = *many->set;
    // In a buffer the lines' own '\n's bound words and whole lines, as the line's ends do.
    auto line_starts_at = [&](std::size_t at) { return at == 0 || buffer[at - 1] == '\n'; };
    auto line_ends_at = [&](std::size_t at) { return at == buffer.size() || buffer[at] == '\n'; };
    auto accepted = [&](std::size_t begin, std::size_t end) {
      if (options.whole_line) return line_starts_at(begin) && line_ends_at(end);
      if (!options.word) return true;
      return (line_starts_at(begin) || non_word_start_before(buffer, begin, *many->non_word) != std::string_view::npos) &&
             (line_ends_at(end) || non_word_length_at(buffer, end, *many->non_word) > 0);
    };
    for (std::size_t pos = from; pos <= buffer.size();) {
      // Lines with KELVIN SIGN or LONG S go through the folded copy, one at a time.
      const std::size_t odd = many->folded_letters ? many->folded_letters->find(buffer, pos) : std::string_view::npos;
      std::size_t stop = buffer.size();
      if (odd != std::string_view::npos) {
        const void* nl = odd > pos ? ::memrchr(buffer.data() + pos, '\n', odd - pos) : nullptr;
        stop = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buffer.data()) + 1 : pos;
      }
      // Literals hold no '\n' and are reported in order of where they start: the first accepted
      // one lies in the first line that has one.
      std::size_t hit = std::string_view::npos;
      set.scan(buffer.substr(pos, stop - pos), [&](std::size_t id, std::size_t begin) {
        const std::size_t b = pos + begin, e = b + set.length(id);
        if (!accepted(b, e)) return true;
        hit = b;
        return false;
      });
      if (hit != std::string_view::npos) {
        const void* nl = hit > pos ? ::memrchr(buffer.data() + pos, '\n', hit - pos) : nullptr;
        const std::size_t begin = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buffer.data()) + 1 : pos;
        return Span{begin, line_end_at(buffer, hit)};
      }
      if (odd == std::string_view::npos) return std::nullopt;
      const std::size_t end = line_end_at(buffer, odd);
      bool matched = false;
      each_occurrence(buffer.substr(stop, end - stop), 0, [&](const Occurrence&) { return !(matched = true); });
      if (matched) return Span{stop, end};
      if (end >= buffer.size()) return std::nullopt;
      pos = end + 1;
    }
    return std::nullopt;
  }

  // Takes a long list of valid UTF-8 literals into a LiteralSet; false leaves the list to RE2.
  // Not taken (their tie-breaks are not reproduced): -w in leftmost-first mode, and an empty
  // pattern (a blank line of the file) with -w or in leftmost-first mode.
  bool build_many(const std::vector<std::string>& lines) {
    if (lines.size() <= kManyLiterals) return false;
    if (options.word && !options.leftmost_longest) return false;
    bool has_empty = false;
    for (const std::string& line : lines) {
      if (line.empty()) {
        if (options.word || !options.leftmost_longest) return false;
        has_empty = true;
      }
      if (!valid_utf8(line)) return false;
      if (options.syntax != Syntax::fixed && has_regex_metachar(line)) return false;
    }
    // With -i only ASCII literals are exact in the set (it folds ASCII case); the others stay
    // with RE2, which folds Unicode case.
    std::vector<std::string> exact, others;
    bool folds_k_or_s = false;
    for (const std::string& line : lines) {
      if (line.empty()) continue;  // matches everywhere (-x: empty lines); see matches_empty
      const bool ascii = std::all_of(line.begin(), line.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
      if (options.ignore_case && !ascii) {
        others.push_back(line);
        continue;
      }
      folds_k_or_s = folds_k_or_s || line.find_first_of("kKsS") != std::string::npos;
      exact.push_back(line);
    }
    if (exact.empty()) return false;
    many = std::make_unique<Many>();
    many->set = std::make_shared<const LiteralSet>(exact, options.ignore_case);
    finish_many(folds_k_or_s, has_empty, others);
    return true;
  }

  // The parts of `many` that are not shared between twins.
  void finish_many(bool folds_k_or_s, bool has_empty, std::vector<std::string> others) {
    RE2::Options ascii_options = re2_options(options);
    ascii_options.set_case_sensitive(true);
    many->non_word = std::make_unique<RE2>(std::string(kNotWordChar), ascii_options);
    if (options.ignore_case && folds_k_or_s) {
      many->folded_letters.emplace(std::vector<std::string>{std::string(kKelvinSign), std::string(kLongS)}, false);
    }
    many_others = others;
    many->has_empty = has_empty;
    if (!others.empty()) many->rest = std::make_unique<Matcher>(std::move(others), options);
  }
  std::vector<std::string> many_others;  // for twins

  // Many regexes (over kManyLiterals) that each require a literal: RE2's FilteredRE2 knows which
  // literals ("atoms") each needs; a LiteralSet finds the atoms in a line and only the regexes
  // they allow are run, each alone (a small DFA), instead of the alternation of all of them.
  struct ManyRegexes {
    re2::FilteredRE2 filter{static_cast<int>(kMinPieceLength)};
    std::unique_ptr<LiteralSet> atoms;  // scannable pieces of the atoms, ASCII case-insensitive
    std::vector<int> atom_of;           // the atom each literal of `atoms` stands for
    std::vector<int> everywhere;        // atoms taken as present in every line
    std::unique_ptr<Matcher> unfiltered;  // the few regexes that need no atom, if any
  };
  std::unique_ptr<ManyRegexes> many_regexes;

  // The FilteredRE2 of `translated` (wrapped for -w/-x) with its atoms' scannable pieces, and the
  // regexes that need no piece (their literals are shorter than 3 bytes, say).
  std::unique_ptr<ManyRegexes> filter_regexes(const std::vector<std::string>& translated, std::vector<int>& needing_none) {
    auto built = std::make_unique<ManyRegexes>();
    for (const std::string& pattern : translated) {
      std::string wrapped = pattern;
      if (options.whole_line) {
        wrapped = "^(?:" + pattern + ")$";
      } else if (options.word) {
        wrapped = fmt::format("(?:^|{0})(?:{1})(?:{0}|$)", kNotWordChar, pattern);
      }
      int id = 0;
      if (built->filter.Add(wrapped, re2_options(options), &id) != RE2::NoError) return nullptr;
    }
    std::vector<std::string> atoms;
    built->filter.Compile(&atoms);
    // Atoms come lowercased by Unicode rules (KELVIN SIGN becomes k even without -i): only their
    // ASCII pieces without k and s are scanned, without case. An atom without a piece of 3 bytes
    // counts as present everywhere.
    std::vector<std::string> pieces;
    for (std::size_t a = 0; a < atoms.size(); ++a) {
      const std::string_view piece = longest_scannable_piece(atoms[a], true);
      if (piece.size() < kMinPieceLength) {
        built->everywhere.push_back(static_cast<int>(a));
        continue;
      }
      pieces.emplace_back(piece);
      built->atom_of.push_back(static_cast<int>(a));
    }
    built->filter.AllPotentials(built->everywhere, &needing_none);
    if (pieces.empty()) return nullptr;
    built->atoms = std::make_unique<LiteralSet>(pieces, true);
    return built;
  }

  bool build_many_regexes(const std::vector<std::string>& lines, const std::vector<std::string>& translated) {
    std::vector<int> needing_none;
    std::unique_ptr<ManyRegexes> built = filter_regexes(translated, needing_none);
    if (!built) return false;
    if (!needing_none.empty()) {
      // A few regexes that need no literal are searched as a list of their own (with the usual
      // strategies); the others are filtered again without them.
      if (needing_none.size() > kManyLiterals || needing_none.size() == translated.size()) return false;
      std::vector<std::string> unfiltered_lines, filtered_translated;
      std::vector<bool> unfiltered(translated.size(), false);
      for (int i : needing_none) unfiltered[static_cast<std::size_t>(i)] = true;
      for (std::size_t i = 0; i < translated.size(); ++i) {
        if (unfiltered[i]) unfiltered_lines.push_back(lines[i]);
        else filtered_translated.push_back(translated[i]);
      }
      std::vector<int> still;
      built = filter_regexes(filtered_translated, still);
      if (!built || !still.empty()) return false;
      built->unfiltered = std::make_unique<Matcher>(std::move(unfiltered_lines), options);
    }
    many_regexes = std::move(built);
    return true;
  }

  // Whether one of the regexes matches `line`, given the atoms found in it (sorted, unique).
  bool filtered_line_matches(std::string_view line, std::vector<int>& found) const {
    if (found.empty()) return false;  // every regex needs an atom that is scanned for
    found.insert(found.end(), many_regexes->everywhere.begin(), many_regexes->everywhere.end());
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    return !found.empty() && many_regexes->filter.FirstMatch(line, found) >= 0;
  }

  bool many_regexes_line_matches(std::string_view line) const {
    std::vector<int> found;
    many_regexes->atoms->scan(line, [&](std::size_t id, std::size_t) {
      found.push_back(many_regexes->atom_of[id]);
      return true;
    });
    return filtered_line_matches(line, found) || (many_regexes->unfiltered && many_regexes->unfiltered->matches(line));
  }

  std::optional<Span> many_regexes_next_line(std::string_view buffer, std::size_t from) const {
    std::optional<Span> found = many_regexes_next_line_filtered(buffer, from);
    if (many_regexes->unfiltered) {
      // Only the lines before the filtered regexes' first can hold an earlier match of the others.
      const std::size_t stop = found ? found->begin : buffer.size();
      if (std::optional<Span> other = many_regexes->unfiltered->next_matching_line(buffer.substr(0, stop), from)) {
        if (other->end < stop || stop == buffer.size()) return other;
      }
    }
    return found;
  }

  std::optional<Span> many_regexes_next_line_filtered(std::string_view buffer, std::size_t from) const {
    // Atoms are reported by where they start: a line's are gathered, then its regexes run.
    std::vector<int> found;
    std::size_t line_begin = 0, line_end = 0;
    bool in_line = false;
    std::optional<Span> result;
    auto finish_line = [&] {
      if (in_line && filtered_line_matches(buffer.substr(line_begin, line_end - line_begin), found)) {
        result = Span{line_begin, line_end};
      }
      found.clear();
      in_line = false;
      return result.has_value();
    };
    many_regexes->atoms->scan(buffer.substr(from), [&](std::size_t id, std::size_t begin) {
      const std::size_t at = from + begin;
      if (!in_line || at >= line_end) {
        if (finish_line()) return false;
        const void* nl = at > from ? ::memrchr(buffer.data() + from, '\n', at - from) : nullptr;
        line_begin = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buffer.data()) + 1 : from;
        line_end = line_end_at(buffer, at);
        in_line = true;
      }
      found.push_back(many_regexes->atom_of[id]);
      return true;
    });
    if (!result) finish_line();
    return result;
  }

  // Whether -w's RE2 wrapping cannot tell whether `line` matches: RE2's [^\pL\pN_] never matches a
  // byte that is not part of a well-formed character, where grep takes it as a non-word character.
  bool word_needs_grep_rule(std::string_view line) const { return word_group != 0 && !is_valid_utf8(line); }

  // -w as grep searches: the leftmost-longest match of the bare pattern whose neighbours are not
  // word characters; failing that, shorter matches at the same start, then later starts. Also what
  // find() reports under -w: the wrapped form's leftmost-longest match may start one word later
  // (" - x" with -w '.': it prefers " - " to " -"), and from inside a line it cannot
  // see the non-word character before the start (the second "-" of "--").
  std::optional<Span> word_find(std::string_view line, std::size_t from) const {
    std::call_once(word_once, [this] {
      RE2::Options longest = re2_options(options, word_lines);
      longest.set_longest_match(true);
      word_regex = std::make_unique<RE2>(word_unwrapped, longest);
      RE2::Options plain = longest;
      plain.set_case_sensitive(true);
      word_non_word = std::make_unique<RE2>(std::string(kNotWordChar), plain);
    });
    const RE2& re = *word_regex;
    const RE2& non_word = *word_non_word;
    if (!re.ok()) {  // cannot happen where the wrapped form compiled; RE2's reading, then
      re2::StringPiece found[2];
      if (!regex->Match(line, from, line.size(), RE2::UNANCHORED, found, 2)) return std::nullopt;
      const auto begin = static_cast<std::size_t>(found[1].data() - line.data());
      return Span{begin, begin + found[1].size()};
    }
    auto word_before = [&](std::size_t at) {
      if (at == 0) return false;
      const std::size_t start = character_start_before(line, at);
      return is_word_character(line.substr(start, at - start), non_word);
    };
    auto word_at = [&](std::size_t at) {
      return at < line.size() && is_word_character(line.substr(at, utf8_sequence_length(line, at)), non_word);
    };
    for (std::size_t pos = from; pos <= line.size();) {
      re2::StringPiece match;
      if (!re.Match(line, pos, line.size(), RE2::UNANCHORED, &match, 1)) return std::nullopt;
      const auto begin = static_cast<std::size_t>(match.data() - line.data());
      std::size_t end = begin + match.size();
      for (;;) {
        if (!word_before(begin) && !word_at(end)) return Span{begin, end};
        if (end == begin || !re.Match(line, begin, end - 1, RE2::ANCHOR_START, &match, 1)) break;
        end = begin + match.size();
      }
      if (begin >= line.size()) return std::nullopt;
      pos = begin + utf8_sequence_length(line, begin);
    }
    return std::nullopt;
  }

  bool line_matches(std::string_view line) const {
    if (many_regexes) return many_regexes_line_matches(line);
    if (literal) {
      const bool hit = literal->find(line, 0) != std::string_view::npos;
      if (literal_is_exact || !hit) return hit;
    }
    return RE2::PartialMatch(line, *regex);
  }
};

Matcher::Matcher(std::vector<std::string> patterns, MatcherOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->patterns = patterns;
  impl_->options = options;
  const std::vector<std::string> lines = split_lines(patterns);
  if (lines.empty()) {
    impl_->source = "(no pattern: matches nothing)";
    return;
  }
  if (options.syntax == Syntax::perl) {
    // As grep -P. Searched line by line: no literal prefilter or buffer search is proven to find
    // what a backtracking Perl regex (look-arounds, \K, verbs) finds.
    if (lines.size() > 1) throw UsageError("the -P option only supports a single pattern");
    impl_->perl = std::make_unique<PerlRegex>(lines.front(), options);
    impl_->source = lines.front();
    impl_->every_line = lines.front().empty() && !options.word && !options.whole_line;
    return;
  }
  if (options.literal_scan && impl_->build_many(lines)) return;

  std::vector<std::string> translated;
  translated.reserve(lines.size());
  for (const std::string& line : lines) {
    translated.push_back(translate(line, options.syntax));
    if (lines.size() > 1) {
      // Checked alone so the error names the culprit and no pattern can unbalance the others.
      RE2 alone(translated.back(), re2_options(options));
      if (!alone.ok()) throw UsageError(fmt::format("invalid pattern {}: {}", quote(line), shorten(alone.error())));
    }
  }

  std::string combined;
  if (translated.size() == 1) {
    combined = translated.front();
  } else {
    for (std::size_t i = 0; i < translated.size(); ++i) {
      if (i > 0) combined += '|';
      combined += "(?:" + translated[i] + ")";
    }
  }
  if (options.whole_line) {
    combined = "^(?:" + combined + ")$";
  } else if (options.word) {
    impl_->word_unwrapped = combined;
    impl_->word_lines = lines.size();
    combined = fmt::format("(?:^|{0})({1})(?:{0}|$)", kNotWordChar, combined);
    impl_->word_group = 1;
  }

  impl_->regex = std::make_unique<RE2>(combined, re2_options(options, lines.size()));
  if (!impl_->regex->ok()) {
    if (lines.size() == 1) {
      throw UsageError(fmt::format("invalid pattern {}: {}", quote(lines.front()), shorten(impl_->regex->error())));
    }
    // Each pattern compiled alone, so the set as a whole is too big; quoting it would flood stderr.
    throw UsageError(fmt::format("the {} patterns together are too large for the regex engine: {:.200}", lines.size(),
                                 impl_->regex->error()));
  }
  impl_->source = combined;

  const bool plain_options = !options.word && !options.whole_line;
  if (lines.size() == 1 && plain_options && lines.front().empty()) {
    impl_->every_line = true;
    return;
  }
  if (!options.literal_scan) return;
  if (std::optional<Prefilter> prefilter = choose_prefilter(lines, options, combined, re2_options(options, lines.size()))) {
    impl_->literal.emplace(prefilter->needles, prefilter->ascii_case_insensitive);
    impl_->literal_is_exact = prefilter->exact;
    impl_->needles = std::move(prefilter->needles);
    return;
  }
  if (lines.size() > kManyLiterals && impl_->build_many_regexes(lines, translated)) return;
  if (std::all_of(translated.begin(), translated.end(), means_the_same_over_a_buffer)) {
    RE2::Options buffer_options = re2_options(options, lines.size());
    buffer_options.set_never_nl(true);
    buffer_options.set_longest_match(false);  // only where the first match starts is wanted
    auto buffer_regex = std::make_unique<RE2>("(?m)" + combined, buffer_options);
    if (buffer_regex->ok()) impl_->buffer_regex = std::move(buffer_regex);
  }
}

Matcher::~Matcher() = default;
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;

bool Matcher::matches(std::string_view line) const {
  if (impl_->many) return impl_->many_line_matches(line);
  if (impl_->every_line) return true;
  if (impl_->perl) return impl_->perl->find(line, 0).has_value();
  if (!impl_->regex) return false;
  if (impl_->word_needs_grep_rule(line)) return impl_->word_find(line, 0).has_value();
  return impl_->line_matches(line);
}

std::optional<Span> Matcher::find(std::string_view line, std::size_t from) const {
  if (impl_->many) return from > line.size() ? std::nullopt : impl_->many_find(line, from);
  if (impl_->perl) return impl_->perl->find(line, from);
  if (!impl_->regex || from > line.size()) return std::nullopt;
  if (impl_->word_group != 0) return impl_->word_find(line, from);
  const int group = impl_->word_group;
  re2::StringPiece found[2];
  if (!impl_->regex->Match(line, from, line.size(), RE2::UNANCHORED, found, group + 1)) return std::nullopt;
  const std::size_t begin = static_cast<std::size_t>(found[group].data() - line.data());
  return Span{begin, begin + found[group].size()};
}

bool Matcher::find_groups(std::string_view line, std::size_t from, std::vector<std::optional<Span>>& groups) const {
  groups.clear();
  if (impl_->many) {
    // Literals have no groups: the match (the word itself with -w) is the only one.
    const std::optional<Span> found = find(line, from);
    if (found) groups.emplace_back(found);
    return found.has_value();
  }
  if (impl_->perl) return impl_->perl->find_groups(line, from, groups);
  if (!impl_->regex || from > line.size()) return false;
  const int skip = impl_->word_group;
  const int total = impl_->regex->NumberOfCapturingGroups() + 1;
  // Called once per match by --sub and --extract: keep the common case off the heap.
  std::array<re2::StringPiece, 16> on_stack;
  std::vector<re2::StringPiece> on_heap;
  re2::StringPiece* found = on_stack.data();
  if (static_cast<std::size_t>(total) > on_stack.size()) {
    on_heap.resize(static_cast<std::size_t>(total));
    found = on_heap.data();
  }
  if (impl_->word_group != 0) {
    // The groups of the bare pattern's match that grep's -w rule chose.
    const std::optional<Span> word = impl_->word_find(line, from);
    if (!word) return false;
    if (!impl_->word_regex->Match(line, word->begin, word->end, RE2::ANCHOR_BOTH, found + 1, total - 1)) return false;
  } else if (!impl_->regex->Match(line, from, line.size(), RE2::UNANCHORED, found, total)) {
    return false;
  }
  for (int i = skip; i < total; ++i) {
    const re2::StringPiece& piece = found[i];
    if (piece.data() == nullptr) {
      groups.emplace_back(std::nullopt);
    } else {
      const std::size_t begin = static_cast<std::size_t>(piece.data() - line.data());
      groups.emplace_back(Span{begin, begin + piece.size()});
    }
  }
  return true;
}

int Matcher::group_count() const {
  if (impl_->many) return 0;
  if (impl_->perl) return impl_->perl->group_count();
  return impl_->regex ? impl_->regex->NumberOfCapturingGroups() - impl_->word_group : 0;
}

std::optional<Span> Matcher::next_matching_line(std::string_view buffer, std::size_t from,
                                                std::size_t* first_nul) const {
  const bool nul_unknown = first_nul != nullptr && *first_nul == std::string_view::npos;
  const std::optional<Span> found = next_matching_line_by_strategy(buffer, from, first_nul);
  if (!impl_->regex || impl_->word_group == 0 || from > buffer.size()) return found;
  // -w: the strategies read lines as RE2 does, where grep's rule for lines that are not valid
  // UTF-8 can only add matches (word_needs_grep_rule); such lines before `found` are tried apart.
  const std::size_t stop = found ? found->begin : buffer.size();
  if (is_valid_utf8(buffer.substr(from, stop - from))) return found;
  for (std::size_t pos = from; pos < stop;) {
    const std::size_t end = line_end_at(buffer, pos);
    const std::string_view line = buffer.substr(pos, end - pos);
    if (!is_valid_utf8(line) && impl_->word_find(line, 0)) {
      // The strategy looked further for NUL than this line reaches.
      if (nul_unknown && *first_nul != std::string_view::npos && *first_nul > end) *first_nul = std::string_view::npos;
      return Span{pos, end};
    }
    pos = end + 1;
  }
  return found;
}

std::optional<Span> Matcher::next_matching_line_by_strategy(std::string_view buffer, std::size_t from,
                                                            std::size_t* first_nul) const {
  if (first_nul != nullptr && *first_nul != std::string_view::npos) first_nul = nullptr;  // already known
  if ((!impl_->regex && !impl_->many && !impl_->perl) || from > buffer.size()) return std::nullopt;

  if (impl_->literal) {
    // The scan looks for NULs on its way; the rest of each line it lands in is looked at apart.
    auto watched = [&](std::size_t* nul) { return nul != nullptr && *nul == std::string_view::npos ? nul : nullptr; };
    std::size_t pos = from;
    while (pos <= buffer.size()) {
      const std::size_t hit = impl_->literal->find(buffer, pos, watched(first_nul));
      if (hit == std::string_view::npos) return std::nullopt;
      const void* nl = hit > from ? ::memrchr(buffer.data() + from, '\n', hit - from) : nullptr;
      const std::size_t begin = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buffer.data()) + 1 : from;
      const std::size_t end = line_end_at(buffer, hit);
      if (std::size_t* nul = watched(first_nul)) note_first_nul(buffer, hit, end, nul);
      if (impl_->literal_is_exact || RE2::PartialMatch(buffer.substr(begin, end - begin), *impl_->regex)) {
        return Span{begin, end};
      }
      pos = end + 1;
    }
    return std::nullopt;
  }

  // The other strategies read the lines first and look for NULs in what they covered afterwards.
  const std::optional<Span> found = next_matching_line_unwatched(buffer, from);
  if (first_nul != nullptr) note_first_nul(buffer, from, found ? found->end : buffer.size(), first_nul);
  return found;
}

std::optional<Span> Matcher::next_matching_line_unwatched(std::string_view buffer, std::size_t from) const {
  if (impl_->many) return impl_->many_next_line(buffer, from);
  if (impl_->many_regexes) return impl_->many_regexes_next_line(buffer, from);

  if (impl_->buffer_regex) {
    // The line at `from` alone first: where most lines match, an earliest-match search of one
    // line is much cheaper than a buffer search, which must also run backwards to find where its
    // match began. Where few lines match, it is one extra line per match found.
    const std::size_t first_end = line_end_at(buffer, from);
    if (impl_->line_matches(buffer.substr(from, first_end - from))) return Span{from, first_end};
    if (first_end >= buffer.size()) return std::nullopt;
    from = first_end + 1;
    // No match can span a '\n', so the line holding the leftmost match is the first matching one.
    re2::StringPiece found;
    if (!impl_->buffer_regex->Match(buffer, from, buffer.size(), RE2::UNANCHORED, &found, 1)) return std::nullopt;
    const auto at = static_cast<std::size_t>(found.data() - buffer.data());
    const void* nl = at > from ? ::memrchr(buffer.data() + from, '\n', at - from) : nullptr;
    const std::size_t begin = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buffer.data()) + 1 : from;
    return Span{begin, line_end_at(buffer, at)};
  }

  for (std::size_t pos = from;;) {
    const std::size_t end = line_end_at(buffer, pos);
    if (matches(buffer.substr(pos, end - pos))) return Span{pos, end};
    if (end >= buffer.size()) return std::nullopt;
    pos = end + 1;
  }
}

bool Matcher::matches_every_line() const { return impl_->every_line; }

bool Matcher::matches_no_line() const { return impl_->regex == nullptr && !impl_->many && !impl_->perl; }

Matcher Matcher::twin() const {
  if (!impl_->many) return Matcher(impl_->patterns, impl_->options);
  // The literal set is read-only and shared; building it again would double the start-up.
  Matcher twin(std::vector<std::string>{}, impl_->options);
  twin.impl_->patterns = impl_->patterns;
  twin.impl_->many = std::make_unique<Impl::Many>();
  twin.impl_->many->set = impl_->many->set;
  twin.impl_->finish_many(impl_->many->folded_letters.has_value(), impl_->many->has_empty, impl_->many_others);
  return twin;
}

std::string Matcher::describe() const {
  if (impl_->many) {
    return fmt::format("literal set of {} patterns (hashed first bytes){}", impl_->many->set->size(),
                       impl_->many->rest ? fmt::format(", and for {} more: {}", impl_->many_others.size(),
                                                       impl_->many->rest->describe())
                                         : "");
  }
  if (impl_->every_line) return "matches every line";
  if (impl_->perl) {
    return fmt::format("PCRE2 /{}/ line by line ({}; backtracking, not linear-time)", impl_->source,
                       impl_->perl->jit() ? "JIT-compiled" : "interpreted");
  }
  if (!impl_->regex) return "matches nothing";
  if (impl_->literal) {
    return fmt::format("SIMD literal scan for '{}'{}", fmt::join(impl_->needles, "' | '"),
                       impl_->literal_is_exact ? "" : fmt::format(", lines confirmed by RE2 /{}/", impl_->source));
  }
  if (impl_->many_regexes) {
    return fmt::format("{} regexes, each run only where a literal set finds a literal it requires",
                       impl_->patterns.size());
  }
  if (impl_->buffer_regex) return fmt::format("RE2 /{}/ over whole buffers", impl_->source);
  return fmt::format("RE2 /{}/ line by line", impl_->source);
}

}  // namespace logsift
