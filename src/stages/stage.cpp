#include "logsift/stage.hpp"
#include "logsift/stage_flags.hpp"

#include <charconv>
#include <ctime>
#include <cstdint>
#include <deque>
#include <fmt/format.h>
#include <functional>
#include <limits>
#include <optional>

#include "logsift/error.hpp"
#include "logsift/matcher.hpp"
#include "logsift/time_window.hpp"
#include "logsift/timestamp.hpp"
#include "logsift/utf8.hpp"
#include "logsift/where_stage.hpp"

namespace logsift {
namespace {

// ---- the stage coroutines: each takes its upstream and its arguments by value -------------

generator<Line> filter_lines(generator<Line> input, std::shared_ptr<const Matcher> re, bool keep) {
  for (const Line& line : input) {
    if (re->matches(line.text) == keep) co_yield line;
  }
}

// One piece of a --sub replacement: literal text, or a group reference.
struct ReplacementPart {
  std::string literal;
  int group = -1;  // >= 0: insert this group (empty if it did not participate)
};

generator<Line> substitute(generator<Line> input, std::shared_ptr<const Matcher> re,
                           std::vector<ReplacementPart> replacement, bool global) {
  std::string rewritten;
  std::vector<std::optional<Span>> groups;
  for (const Line& line : input) {
    const std::string_view text = line.text;
    rewritten.clear();
    std::size_t copied = 0;  // text before this is already in `rewritten`
    std::size_t pos = 0;
    bool must_advance = false;  // after an empty match, as Python's re.sub: no empty match at the same place
    while (pos <= text.size() && re->find_groups(text, pos, groups)) {
      Span match = *groups[0];
      if (must_advance && match.empty() && match.begin == pos) {
        // Only the empty match right here is ruled out: one at the next position is allowed.
        // Python would first try for a non-empty match here (b*? on "b"); RE2 cannot be asked for
        // one, so such patterns step on instead (a documented difference).
        if (pos >= text.size()) break;
        // Step past a whole character: the replacement must not land between its bytes.
        pos += utf8_sequence_length(text, pos);
        must_advance = false;
        continue;
      }
      rewritten.append(text.substr(copied, match.begin - copied));
      for (const ReplacementPart& part : replacement) {
        if (part.group < 0) {
          rewritten += part.literal;
        } else if (static_cast<std::size_t>(part.group) < groups.size() && groups[part.group]) {
          const Span& g = *groups[part.group];
          rewritten.append(text.substr(g.begin, g.size()));
        }
      }
      copied = match.end;
      pos = match.end;
      must_advance = match.empty();
      if (!global) break;
    }
    rewritten.append(text.substr(copied));
    co_yield Line{rewritten, line.number, line.offset};
  }
}

generator<Line> extract(generator<Line> input, std::shared_ptr<const Matcher> re) {
  std::vector<std::optional<Span>> groups;
  const std::size_t wanted = re->group_count() >= 1 ? 1 : 0;
  for (const Line& line : input) {
    if (!re->find_groups(line.text, 0, groups)) continue;
    const std::optional<Span>& span = groups[wanted];
    const std::string_view part = span ? line.text.substr(span->begin, span->size()) : std::string_view{};
    co_yield Line{part, line.number, line.offset};
  }
}

// Python's itertools.islice(input, start, stop, step); stop = nullopt reads to the end.
generator<Line> slice(generator<Line> input, std::uint64_t start, std::optional<std::uint64_t> stop,
                      std::uint64_t step) {
  if (stop && *stop <= start) co_return;  // nothing can pass: unlike islice, do not even skip `start` lines
  std::uint64_t index = 0;
  std::uint64_t next = start;  // index of the next line to pass
  for (const Line& line : input) {
    if (index == next) {
      co_yield line;
      // Saturate: a wrapped `next` would never stop a huge step (--slice 5:10:18446744073709551615).
      next = step > UINT64_MAX - next ? UINT64_MAX : next + step;
      // Stop pulling as soon as no further line can be passed, so upstream reads no more.
      if (stop && next >= *stop) co_return;
    }
    ++index;
  }
}

generator<Line> take_while(generator<Line> input, std::shared_ptr<const Matcher> re) {
  for (const Line& line : input) {
    if (!re->matches(line.text)) co_return;
    co_yield line;
  }
}

generator<Line> drop_while(generator<Line> input, std::shared_ptr<const Matcher> re) {
  bool dropping = true;
  for (const Line& line : input) {
    if (dropping && re->matches(line.text)) continue;
    dropping = false;
    co_yield line;
  }
}

generator<Line> unique_consecutive(generator<Line> input) {
  std::string previous;
  bool first = true;
  for (const Line& line : input) {
    if (!first && line.text == previous) continue;
    first = false;
    previous.assign(line.text);
    co_yield line;
  }
}

struct FieldRange {
  std::size_t first = 1;  // 1-based, inclusive
  std::size_t last = 0;   // 0: to the end
};

// The fields of a line, left to right, one at a time: a line of millions of fields costs no
// list of them.
class FieldCursor {
 public:
  FieldCursor(std::string_view text, const std::string& separator) : text_(text), separator_(&separator) {}

  std::optional<std::string_view> next() {
    if (done_) return std::nullopt;
    if (separator_->empty()) {
      // awk: fields are runs of anything but blanks; leading and trailing blanks are ignored.
      pos_ = text_.find_first_not_of(" \t", pos_);
      if (pos_ == std::string_view::npos) {
        done_ = true;
        return std::nullopt;
      }
      std::size_t end = text_.find_first_of(" \t", pos_);
      if (end == std::string_view::npos) end = text_.size();
      const std::string_view field = text_.substr(pos_, end - pos_);
      pos_ = end;
      return field;
    }
    const std::size_t end = text_.find(*separator_, pos_);
    if (end == std::string_view::npos) {
      done_ = true;
      return text_.substr(pos_);
    }
    const std::string_view field = text_.substr(pos_, end - pos_);
    pos_ = end + separator_->size();
    return field;
  }

 private:
  std::string_view text_;
  const std::string* separator_;
  std::size_t pos_ = 0;
  bool done_ = false;
};

generator<Line> select_fields(generator<Line> input, std::vector<FieldRange> ranges, std::string separator) {
  std::string joined;
  const std::string joiner = separator.empty() ? std::string(" ") : separator;
  for (const Line& line : input) {
    joined.clear();
    joined.reserve(line.text.size());  // at most the line: never regrown (and copied) field by field
    bool any = false;
    FieldCursor cursor(line.text, separator);
    std::size_t taken = 0;  // fields the cursor has passed
    for (const FieldRange& range : ranges) {
      if (range.first <= taken) {  // a range that goes back starts over
        cursor = FieldCursor(line.text, separator);
        taken = 0;
      }
      while (taken + 1 < range.first && cursor.next()) ++taken;
      if (taken + 1 < range.first) continue;  // the line has fewer fields
      while (range.last == 0 || taken < range.last) {
        const std::optional<std::string_view> field = cursor.next();
        if (!field) break;
        ++taken;
        if (any) joined += joiner;
        joined.append(*field);
        any = true;
      }
    }
    co_yield Line{joined, line.number, line.offset};
  }
}

generator<Line> last_lines(generator<Line> input, std::uint64_t count) {
  struct Kept {
    std::string text;
    Line line;
  };
  std::deque<Kept> kept;
  if (count == 0) co_return;
  for (const Line& line : input) {
    if (kept.size() == count) kept.pop_front();
    kept.push_back({std::string(line.text), line});
  }
  for (Kept& entry : kept) {
    entry.line.text = entry.text;
    co_yield entry.line;
  }
}

// ---- building stages from flags ---------------------------------------------------------

class FunctionStage final : public Stage {
 public:
  using Wrap = std::function<generator<Line>(generator<Line>)>;
  FunctionStage(Wrap wrap, std::string description, std::shared_ptr<const Matcher> filter = nullptr)
      : wrap_(std::move(wrap)), description_(std::move(description)), filter_(std::move(filter)) {}
  generator<Line> apply(generator<Line> input) const override { return wrap_(std::move(input)); }
  std::string describe() const override { return description_; }
  std::shared_ptr<const Matcher> pushdown_filter() const override { return filter_; }
  generator<Line> apply_to_file(generator<Line> input, double mtime, TimeUse* use) const override {
    return file_wrap_ ? file_wrap_(std::move(input), mtime, use) : wrap_(std::move(input));
  }
  // For stages whose work depends on the file (its mtime).
  using FileWrap = std::function<generator<Line>(generator<Line>, double, TimeUse*)>;
  void set_file_wrap(FileWrap wrap) { file_wrap_ = std::move(wrap); }
  std::optional<double> seek_hint() const override { return seek_hint_; }
  void set_seek_hint(double since) { seek_hint_ = since; }

 private:
  Wrap wrap_;
  std::string description_;
  std::shared_ptr<const Matcher> filter_;
  FileWrap file_wrap_;
  std::optional<double> seek_hint_;
};

[[noreturn]] void bad_argument(const StageSpec& spec, std::string_view why) {
  throw bad_value(spec.flag, spec.value, why);
}

std::uint64_t parse_count(const StageSpec& spec, std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (!text.empty() && ec == std::errc::result_out_of_range && ptr == end) {
    bad_argument(spec, fmt::format("too large (at most {})", std::numeric_limits<std::uint64_t>::max()));
  }
  if (text.empty() || ec != std::errc{} || ptr != end) bad_argument(spec, "expected a non-negative whole number");
  return value;
}

std::shared_ptr<const Matcher> compile(const StageSpec& spec, const std::string& regex, Syntax syntax) {
  MatcherOptions options;
  options.syntax = syntax;
  try {
    return std::make_shared<const Matcher>(std::vector<std::string>{regex}, options);
  } catch (const UsageError& error) {
    bad_argument(spec, error.what());
  }
}

// s/RE/REPL/ or s/RE/REPL/g, with any delimiter after 's'; a backslash escapes the delimiter.
struct SubstitutionSpec {
  std::string regex;
  std::vector<ReplacementPart> replacement;
  bool global = false;
};

SubstitutionSpec parse_substitution(const StageSpec& spec) {
  const std::string& text = spec.value;
  if (text.size() < 2 || text[0] != 's') bad_argument(spec, "expected s/RE/REPL/ or s/RE/REPL/g");
  const char delimiter = text[1];
  if (delimiter == '\\' || delimiter == '\n') bad_argument(spec, "the delimiter cannot be a backslash or newline");

  // Split into the parts between unescaped delimiters; "\<delimiter>" becomes the delimiter.
  std::vector<std::string> parts(1);
  for (std::size_t i = 2; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == delimiter) {
      parts.back() += delimiter;
      ++i;
    } else if (text[i] == '\\' && i + 1 < text.size()) {
      parts.back() += text.substr(i, 2);
      ++i;
    } else if (text[i] == delimiter) {
      parts.emplace_back();
    } else {
      parts.back() += text[i];
    }
  }
  if (parts.size() != 3) bad_argument(spec, "expected s/RE/REPL/ or s/RE/REPL/g");
  SubstitutionSpec sub;
  sub.regex = parts[0];
  if (parts[2] == "g") {
    sub.global = true;
  } else if (!parts[2].empty()) {
    bad_argument(spec, fmt::format("unknown flag '{}' (only g)", parts[2]));
  }

  const std::string& repl = parts[1];
  auto literal = [&]() -> std::string& {
    if (sub.replacement.empty() || sub.replacement.back().group >= 0) sub.replacement.emplace_back();
    return sub.replacement.back().literal;
  };
  for (std::size_t i = 0; i < repl.size(); ++i) {
    if (repl[i] != '\\' || i + 1 == repl.size()) {
      literal() += repl[i];
      continue;
    }
    const char next = repl[++i];
    if (next >= '0' && next <= '9') {
      sub.replacement.push_back({"", next - '0'});
    } else if (next == 'n') {
      literal() += '\n';
    } else if (next == 't') {
      literal() += '\t';
    } else {
      literal() += next;  // "\\" is a backslash; any other escaped character stands for itself
    }
  }
  return sub;
}

std::vector<FieldRange> parse_field_list(const StageSpec& spec) {
  std::vector<FieldRange> ranges;
  std::string_view list = spec.value;
  if (list.empty()) bad_argument(spec, "expected a field list like 1,3-5,7-");
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (comma != std::string_view::npos && list.empty()) bad_argument(spec, "trailing comma");
    FieldRange range;
    const std::size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      range.first = range.last = parse_count(spec, item);
    } else {
      range.first = dash == 0 ? 1 : parse_count(spec, item.substr(0, dash));
      range.last = dash + 1 == item.size() ? 0 : parse_count(spec, item.substr(dash + 1));
    }
    if (range.first == 0 || (range.last != 0 && range.last < range.first)) {
      bad_argument(spec, "fields are numbered from 1 and ranges go upwards");
    }
    ranges.push_back(range);
  }
  return ranges;
}

struct SliceBounds {
  std::uint64_t start = 0;
  std::optional<std::uint64_t> stop;
  std::uint64_t step = 1;
};

SliceBounds parse_slice(const StageSpec& spec) {
  std::vector<std::string_view> parts;
  std::string_view rest = spec.value;
  for (;;) {
    const std::size_t colon = rest.find(':');
    parts.push_back(rest.substr(0, colon));
    if (colon == std::string_view::npos) break;
    rest = rest.substr(colon + 1);
  }
  if (parts.size() < 2 || parts.size() > 3) bad_argument(spec, "expected A:B or A:B:C (parts may be empty)");
  SliceBounds bounds;
  if (!parts[0].empty()) bounds.start = parse_count(spec, parts[0]);
  if (!parts[1].empty()) bounds.stop = parse_count(spec, parts[1]);
  if (parts.size() == 3 && !parts[2].empty()) bounds.step = parse_count(spec, parts[2]);
  if (bounds.step == 0) bad_argument(spec, "the step must be at least 1");
  return bounds;
}

std::string describe_slice(const SliceBounds& b) {
  return fmt::format("islice(start={}, stop={}, step={})", b.start, b.stop ? std::to_string(*b.stop) : "None", b.step);
}

// "--take 10: " + what the stage does, for --explain.
std::unique_ptr<FunctionStage> make_stage(const StageSpec& spec, FunctionStage::Wrap wrap, std::string what,
                                          std::shared_ptr<const Matcher> filter = nullptr) {
  const std::string head = spec.value.empty() ? spec.flag : fmt::format("{} {}", spec.flag, spec.value);
  return std::make_unique<FunctionStage>(std::move(wrap), fmt::format("{}: {}", head, what), std::move(filter));
}

// ---- one builder per row of the stage-flag table ----------------------------------------

std::unique_ptr<Stage> build_filter(const StageSpec& spec, const StageContext& context) {
  const bool keep = spec.flag == "--keep";
  auto re = compile(spec, spec.value, context.syntax);
  return make_stage(spec, [re, keep](generator<Line> in) { return filter_lines(std::move(in), re, keep); },
                    fmt::format("{} lines matching ({})", keep ? "keep" : "drop", re->describe()),
                    keep ? re : nullptr);
}

std::unique_ptr<Stage> build_substitution(const StageSpec& spec, const StageContext& context) {
  SubstitutionSpec sub = parse_substitution(spec);
  auto re = compile(spec, sub.regex, context.syntax);
  for (const ReplacementPart& part : sub.replacement) {
    if (part.group > re->group_count()) {
      bad_argument(spec, fmt::format("\\{} refers to a group the regex does not have", part.group));
    }
  }
  const bool global = sub.global;
  return make_stage(spec, [re, parts = std::move(sub.replacement), global](generator<Line> in) {
                      return substitute(std::move(in), re, parts, global);
                    },
                    fmt::format("replace {} match of /{}/", global ? "every" : "the first", sub.regex));
}

std::unique_ptr<Stage> build_extract(const StageSpec& spec, const StageContext& context) {
  auto re = compile(spec, spec.value, context.syntax);
  return make_stage(spec, [re](generator<Line> in) { return extract(std::move(in), re); },
                    fmt::format("replace each line by {} of /{}/, drop lines without a match",
                                re->group_count() >= 1 ? "group 1" : "the match", spec.value));
}

// --skip, --take, --step and --slice are all islice.
std::unique_ptr<Stage> build_slice(const StageSpec& spec, const StageContext&) {
  const std::string& flag = spec.flag;
  SliceBounds bounds;
  if (flag == "--slice") {
    bounds = parse_slice(spec);
  } else {
    const std::uint64_t n = parse_count(spec, spec.value);
    if (flag == "--skip") bounds.start = n;
    if (flag == "--take") bounds.stop = n;
    if (flag == "--step") {
      if (n == 0) bad_argument(spec, "the step must be at least 1");
      bounds.step = n;
    }
  }
  std::string what = describe_slice(bounds);
  if (bounds.stop) what += ", then stop reading";
  return make_stage(spec, [bounds](generator<Line> in) { return slice(std::move(in), bounds.start, bounds.stop, bounds.step); },
                    what);
}

std::unique_ptr<Stage> build_while(const StageSpec& spec, const StageContext& context) {
  auto re = compile(spec, spec.value, context.syntax);
  if (spec.flag == "--take-while") {
    return make_stage(spec, [re](generator<Line> in) { return take_while(std::move(in), re); },
                      "pass lines while they match, then stop reading");
  }
  return make_stage(spec, [re](generator<Line> in) { return drop_while(std::move(in), re); },
                    "drop lines while they match, then pass the rest");
}

std::unique_ptr<Stage> build_uniq(const StageSpec& spec, const StageContext&) {
  return make_stage(spec, [](generator<Line> in) { return unique_consecutive(std::move(in)); },
                    "drop a line equal to the one before it");
}

std::unique_ptr<Stage> build_fields(const StageSpec& spec, const StageContext& context) {
  const std::string& field_separator = context.field_separator;
  auto ranges = parse_field_list(spec);
  return make_stage(spec, [ranges, field_separator](generator<Line> in) { return select_fields(std::move(in), ranges, field_separator); },
                    field_separator.empty() ? "keep these whitespace-separated fields, joined by a space"
                                            : fmt::format("keep these fields split on '{}'", field_separator));
}

std::unique_ptr<Stage> build_last(const StageSpec& spec, const StageContext&) {
  const std::uint64_t n = parse_count(spec, spec.value);
  return make_stage(spec, [n](generator<Line> in) { return last_lines(std::move(in), n); },
                    fmt::format("only the last {} lines (kept in a ring)", n));
}

// --since and --until.
std::unique_ptr<Stage> build_time_window(const StageSpec& spec, const StageContext& context) {
  const std::string& flag = spec.flag;
  double when = 0;
  try {
    when = parse_time_argument(spec.value, context.now, context.time_format);
  } catch (const UsageError& error) {
    bad_argument(spec, error.what());
  }
  // Year-less timestamps (syslog) take the year of the file's modification time when the stage is
  // applied to a file (apply_to_file), else the current year.
  TimestampParser parser = TimestampParser::for_file(context.time_format, context.now);
  std::optional<double> since, until;
  (flag == "--since" ? since : until) = when;
  auto stage = make_stage(spec, [parser, since, until](generator<Line> in) { return time_window(std::move(in), parser, since, until); },
                          fmt::format("keep entries {} {:.3f} (epoch seconds, UTC); lines without a timestamp follow the "
                                      "entry above them",
                                      flag == "--since" ? "at or after" : "before", when));
  stage->set_file_wrap([format = context.time_format, since, until](generator<Line> in, double mtime, TimeUse* use) {
    return time_window(std::move(in), TimestampParser::for_file(format, mtime), since, until, use);
  });
  if (since) stage->set_seek_hint(*since);
  return stage;
}

std::unique_ptr<Stage> build_where(const StageSpec& spec, const StageContext& context) {
  return make_where_stage(spec, context.input_format);
}

// The table (stage_flags.hpp), in the order of docs/stages.md. A value name of "" makes a switch.
constexpr StageFlag kStageFlags[] = {
    {"--keep", "RE", "Keep lines matching RE", false, build_filter},
    {"--drop", "RE", "Drop lines matching RE", false, build_filter},
    {"--sub", "s/RE/REPL/[g]", "Replace: s/RE/REPL/ (first match) or s/RE/REPL/g (all); \\0-\\9 in REPL", false,
     build_substitution},
    {"--extract", "RE", "Replace a line by the match of RE (or its group 1); drop lines without one", false,
     build_extract},
    {"--skip", "N", "Drop the first N lines", true, build_slice},
    {"--take", "N", "Pass the first N lines, then stop reading", true, build_slice},
    {"--step", "N", "Pass every N-th line, starting with the first", true, build_slice},
    {"--slice", "A:B[:C]", "Python islice A:B[:C] (parts may be empty)", false, build_slice},
    {"--take-while", "RE", "Pass lines while they match RE, then stop reading", false, build_while},
    {"--drop-while", "RE", "Drop lines while they match RE, then pass the rest", false, build_while},
    {"--uniq", "", "Drop a line equal to the one before it", false, build_uniq},
    {"--fields", "LIST", "Keep fields LIST (like 1,3-5,7-), split on whitespace or --field-sep", false, build_fields},
    {"--last", "N", "Only the last N lines that reach this stage", true, build_last},
    {"--since", "TIME", "Keep entries stamped at or after TIME (2026-01-01T10:00, 10:00, 30m, 2h, 3d ago)", false,
     build_time_window},
    {"--until", "TIME", "Keep entries stamped before TIME (same forms as --since)", false, build_time_window},
    {"--where", "EXPR", "Keep JSON/logfmt lines whose fields satisfy EXPR (LogQL: status>=500 and level=\"error\")", false,
     build_where},
};

}  // namespace

std::span<const StageFlag> stage_flags() { return kStageFlags; }

const StageFlag* find_stage_flag(std::string_view name) {
  for (const StageFlag& flag : kStageFlags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

std::vector<std::unique_ptr<Stage>> build_stages(const std::vector<StageSpec>& specs, const StageContext& context) {
  if (specs.size() > kMaxStages) {
    throw UsageError(fmt::format("too many stages: {} stage flags given, at most {} are allowed", specs.size(), kMaxStages));
  }
  std::vector<std::unique_ptr<Stage>> stages;
  stages.reserve(specs.size());
  for (const StageSpec& spec : specs) {
    const StageFlag* flag = find_stage_flag(spec.flag);
    if (flag == nullptr) throw UsageError(fmt::format("unknown stage {}", spec.flag));
    stages.push_back(flag->build(spec, context));
  }
  return stages;
}

std::vector<std::unique_ptr<Stage>> build_stages(const std::vector<StageSpec>& specs, Syntax syntax,
                                                 const std::string& field_separator) {
  StageContext context;
  context.syntax = syntax;
  context.field_separator = field_separator;
  context.now = static_cast<double>(std::time(nullptr));
  return build_stages(specs, context);
}

}  // namespace logsift
