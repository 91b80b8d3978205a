#include "logsift/matcher.hpp"

#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

#include "logsift/byte_scan.hpp"
#include "logsift/error.hpp"
#include "logsift/pattern_syntax.hpp"

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

RE2::Options re2_options(const MatcherOptions& options) {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_encoding(RE2::Options::EncodingUTF8);
  o.set_case_sensitive(!options.ignore_case);
  o.set_longest_match(options.leftmost_longest);
  return o;
}

}  // namespace

struct Matcher::Impl {
  std::vector<std::string> patterns;  // as given, for twin()
  MatcherOptions options;
  std::unique_ptr<RE2> regex;  // null: no pattern at all, nothing matches
  int word_group = 0;          // 1 when -w wrapped the pattern in a capturing group
  bool every_line = false;
  std::optional<MultiLiteralSearcher> literal;  // a SIMD scan for literals every match contains
  bool literal_is_exact = false;                // a literal hit on a line is a match, no RE2 needed
  std::vector<std::string> needles;             // what `literal` looks for, for --explain
  std::string source;                           // the RE2 pattern, for --explain
  // Without a literal to scan for: the same pattern in multi-line mode that never matches '\n',
  // run over a whole buffer of lines at once instead of once per line.
  std::unique_ptr<RE2> buffer_regex;

  bool line_matches(std::string_view line) const {
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

  std::vector<std::string> translated;
  translated.reserve(lines.size());
  for (const std::string& line : lines) {
    translated.push_back(translate(line, options.syntax));
    if (lines.size() > 1) {
      // Checked alone so the error names the culprit and no pattern can unbalance the others.
      RE2 alone(translated.back(), re2_options(options));
      if (!alone.ok()) throw UsageError(fmt::format("invalid pattern '{}': {}", line, alone.error()));
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
    combined = fmt::format("(?:^|{0})({1})(?:{0}|$)", kNotWordChar, combined);
    impl_->word_group = 1;
  }

  impl_->regex = std::make_unique<RE2>(combined, re2_options(options));
  if (!impl_->regex->ok()) {
    if (lines.size() == 1) throw UsageError(fmt::format("invalid pattern '{}': {}", lines.front(), impl_->regex->error()));
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
  if (std::optional<Prefilter> prefilter = choose_prefilter(lines, options, combined, re2_options(options))) {
    impl_->literal.emplace(prefilter->needles, prefilter->ascii_case_insensitive);
    impl_->literal_is_exact = prefilter->exact;
    impl_->needles = std::move(prefilter->needles);
    return;
  }
  if (std::all_of(translated.begin(), translated.end(), means_the_same_over_a_buffer)) {
    RE2::Options buffer_options = re2_options(options);
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
  if (impl_->every_line) return true;
  if (!impl_->regex) return false;
  return impl_->line_matches(line);
}

std::optional<Span> Matcher::find(std::string_view line, std::size_t from) const {
  if (!impl_->regex || from > line.size()) return std::nullopt;
  const int group = impl_->word_group;
  re2::StringPiece found[2];
  if (!impl_->regex->Match(line, from, line.size(), RE2::UNANCHORED, found, group + 1)) return std::nullopt;
  const std::size_t begin = static_cast<std::size_t>(found[group].data() - line.data());
  return Span{begin, begin + found[group].size()};
}

bool Matcher::find_groups(std::string_view line, std::size_t from, std::vector<std::optional<Span>>& groups) const {
  groups.clear();
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
  if (!impl_->regex->Match(line, from, line.size(), RE2::UNANCHORED, found, total)) return false;
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
  return impl_->regex ? impl_->regex->NumberOfCapturingGroups() - impl_->word_group : 0;
}

std::optional<Span> Matcher::next_matching_line(std::string_view buffer, std::size_t from,
                                                std::size_t* first_nul) const {
  if (first_nul != nullptr && *first_nul != std::string_view::npos) first_nul = nullptr;  // already known
  if (!impl_->regex || from > buffer.size()) return std::nullopt;

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

bool Matcher::matches_no_line() const { return impl_->regex == nullptr; }

Matcher Matcher::twin() const { return Matcher(impl_->patterns, impl_->options); }

std::string Matcher::describe() const {
  if (!impl_->regex) return "matches nothing";
  if (impl_->every_line) return "matches every line";
  if (impl_->literal) {
    return fmt::format("SIMD literal scan for '{}'{}", fmt::join(impl_->needles, "' | '"),
                       impl_->literal_is_exact ? "" : fmt::format(", lines confirmed by RE2 /{}/", impl_->source));
  }
  if (impl_->buffer_regex) return fmt::format("RE2 /{}/ over whole buffers", impl_->source);
  return fmt::format("RE2 /{}/ line by line", impl_->source);
}

}  // namespace logsift
