#include "logsift/plan.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <string_view>
#include <utility>

#include "logsift/error.hpp"
#include "logsift/output.hpp"
#include "logsift/timestamp.hpp"

namespace logsift {
namespace {

bool should_use_color(ColorMode mode) {
  if (mode == ColorMode::always) return true;
  if (mode == ColorMode::never) return false;
  const char* term = std::getenv("TERM");
  return std::getenv("NO_COLOR") == nullptr && ::isatty(STDOUT_FILENO) && term != nullptr &&
         std::strcmp(term, "dumb") != 0;
}

}  // namespace

void check_output_modes(const Config& config) {
  const std::pair<std::string_view, bool> modes[] = {
      {"-c", config.count},
      {config.listing == FileListing::without_match ? "-L" : "-l", config.listing.has_value()},
      {"--json", config.json},
      {"--format", config.format.has_value()},
      {"--count-by", !config.count_by.empty()},
      {"--count-by-field", !config.count_by_field.empty()},
      {"--histogram", config.histogram_bucket > 0},
  };
  auto combines = [](std::string_view a, std::string_view b) {
    return (a == "-c" && (b == "-l" || b == "-L")) || (a == "--json" && (b == "--count-by" || b == "--count-by-field" || b == "--histogram"));
  };
  for (std::size_t i = 0; i < std::size(modes); ++i) {
    for (std::size_t j = i + 1; j < std::size(modes); ++j) {
      if (modes[i].second && modes[j].second && !combines(modes[i].first, modes[j].first)) {
        throw UsageError(fmt::format("{} cannot be used with {}", modes[i].first, modes[j].first));
      }
    }
  }
}

// With the conflicts above ruled out, at most one mode is left but for the two allowed pairs:
// -l/-L over -c, and --count-by or --histogram over --json (whose JSON they print).
PrinterKind choose_printer(const Config& c) {
  check_output_modes(c);
  if (c.quiet) return PrinterKind::quiet;
  if (c.format == "github") return PrinterKind::github;
  if (c.format) return PrinterKind::template_format;
  if (c.histogram_bucket > 0) return PrinterKind::histogram;
  if (!c.count_by.empty()) return PrinterKind::count_by;
  if (!c.count_by_field.empty()) return PrinterKind::count_by_field;
  if (c.json) return PrinterKind::json;
  if (c.listing) return PrinterKind::file_list;
  if (c.count) return PrinterKind::count;
  return PrinterKind::lines;
}

Plan Plan::build(Config config) {
  Plan p;
  p.config_ = std::move(config);
  const Config& c = p.config_;

  MatcherOptions options;
  options.syntax = c.syntax;
  options.ignore_case = c.ignore_case;
  options.word = c.word;
  options.whole_line = c.whole_line;
  options.leftmost_longest = true;  // grep's -o and colors report the longest leftmost match
  options.dot_matches_newline = c.null_data;
  p.pattern_ = std::make_shared<const Matcher>(c.patterns, options);
  StageContext stage_context;
  stage_context.syntax = c.syntax;
  stage_context.field_separator = c.field_sep;
  stage_context.time_format = c.time_format;
  stage_context.input_format = c.input_format;
  stage_context.now = static_cast<double>(std::time(nullptr));
  if (!c.time_format.empty()) {
    try {
      TimestampParser check(c.time_format);  // a bad format fails before any input is read
    } catch (const UsageError& error) {
      throw bad_value("--time-format", c.time_format, error.what());
    }
  }
  p.stages_ = build_stages(c.stages, stage_context);
  if (c.format && *c.format != "github") p.template_format_.emplace(*c.format);  // a bad one fails here
  if (!c.count_by.empty()) {
    MatcherOptions key_options;
    key_options.syntax = c.syntax;
    try {
      p.count_by_key_ = std::make_shared<const Matcher>(std::vector<std::string>{c.count_by}, key_options);
    } catch (const UsageError& error) {
      throw bad_value("--count-by", c.count_by, error.what());
    }
  }
  p.printer_kind_ = choose_printer(c);

  // Predicate pushdown: the first consumer of the source, if it is a pure filter, searches the
  // raw buffer. Context lines need every line, so PATTERN is pushed down only without them.
  // Not with -z (the source searches records with their newlines swapped for NULs) nor --crlf (it
  // searches lines with their '\r', which `$`, `.`, `\s` and negated classes see).
  Pushdown& push = p.pushdown_;
  const bool raw_lines_differ = c.null_data || c.crlf;
  const bool pattern_can_select = !c.context_requested && !p.pattern_->matches_every_line() && !raw_lines_differ;
  if (!p.stages_.empty() && !raw_lines_differ) {
    if (auto filter = p.stages_.front()->pushdown_filter()) {
      push.select = std::move(filter);
      push.first_stage = 1;
      // Behind nothing but --keep stages, a line PATTERN rejects is never printed nor counted, so the
      // source drops it too, searching for whichever of the two predicates is rarer.
      const bool only_keeps_follow = std::all_of(p.stages_.begin() + 1, p.stages_.end(),
                                                 [](const auto& stage) { return stage->pushdown_filter() != nullptr; });
      if (pattern_can_select && !c.invert && only_keeps_follow) push.also_select = p.pattern_;
    } else if (auto prefilter = p.stages_.front()->prefilter()) {
      push.select = std::move(prefilter);  // the stage stays: it checks the lines found
      push.select_is_prefilter = true;
    }
  } else if (pattern_can_select) {
    push.select = p.pattern_;
    push.select_is_pattern = true;
  }
  // The twins for the source's worker thread, built here once: follow threads share the plan, so
  // nothing in it may be filled in later.
  if (push.select) push.select_twin = std::make_shared<const Matcher>(push.select->twin());
  if (push.also_select) push.also_select_twin = std::make_shared<const Matcher>(push.also_select->twin());

  p.color_ = should_use_color(c.color);
  if (const char* spec = std::getenv("GREP_COLORS")) p.colors_.apply_grep_colors(spec);
  return p;
}

std::unique_ptr<Printer> Plan::make_printer(Output& output, Diagnostics& diagnostics, bool with_filename) const {
  const Config& c = config_;
  switch (printer_kind_) {
    case PrinterKind::quiet:
      return make_quiet_printer();
    case PrinterKind::github:
      return make_github_printer(output, pattern_, "error", &diagnostics);
    case PrinterKind::template_format:
      return make_template_printer(output, *template_format_, pattern_, &diagnostics, c.input_format);
    case PrinterKind::histogram: {
      winsize size{};
      const std::size_t width =
          ::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0 ? size.ws_col
                                                                                                       : 80;
      auto parser = std::make_shared<const TimestampParser>(
          TimestampParser::for_file(c.time_format, static_cast<double>(std::time(nullptr))));
      return make_histogram_printer(output, std::move(parser), c.histogram_bucket, width, c.json);
    }
    case PrinterKind::count_by:
      return make_count_by_printer(output, count_by_key_, c.top, c.json);
    case PrinterKind::count_by_field:
      return make_count_by_field_printer(output, FieldPath(c.count_by_field), c.input_format, c.top, c.json);
    case PrinterKind::json:
      return make_json_printer(output);
    case PrinterKind::file_list:
      return make_file_list_printer(output, *c.listing, color_, colors_, c.null_after_name);
    case PrinterKind::count:
      return make_count_printer(output, with_filename, color_, colors_, c.null_after_name);
    case PrinterKind::lines:
      break;
  }
  LinePrinterOptions options;
  options.with_filename = with_filename;
  options.line_number = c.line_number;
  options.byte_offset = c.byte_offset;
  options.only_matching = c.only_matching;
  options.text = c.text;
  options.null_after_name = c.null_after_name;
  options.binary_without_match = c.binary_without_match;
  options.initial_tab = c.initial_tab;
  options.line_terminator = c.null_data ? '\0' : '\n';
  options.crlf = c.crlf;
  options.color = color_;
  options.colors = colors_;
  return make_line_printer(output, diagnostics, options);
}

std::string Plan::explain() const {
  const SourceOptions& s = source_defaults_;
  const Pushdown& push = pushdown_;
  std::string text = fmt::format("source: read(2) in {} KiB blocks (a file over {} MiB: read, or mapped in {} MiB "
                                 "windows where that measures cheaper",
                                 s.buffer_size >> 10, map_threshold() >> 20, s.map_window >> 20);
  text += push.select ? fmt::format("; from {} MiB on, part of each searched by a worker thread)", s.search_alone_first >> 20)
                      : std::string(")");
  if (push.select) {
    text += "; pushed down: " + (push.select_is_pattern     ? "PATTERN (" + push.select->describe() + ")"
                                 : push.select_is_prefilter ? "a prefilter of stage 1, which checks the lines it "
                                                              "finds (" + push.select->describe() + ")"
                                                            : stages_.front()->describe());
    if (push.select_is_pattern && config_.invert) text += ", inverted";
    if (push.also_select) {
      text += ", and PATTERN (" + pattern_->describe() +
              "); whichever of the two matches fewer lines of the first 128 KiB is searched for, the other is "
              "checked on the lines found";
    }
  }
  text += '\n';
  for (std::size_t i = push.first_stage; i < stages_.size(); ++i) {
    text += fmt::format("stage {}: {}\n", i + 1 - push.first_stage, stages_[i]->describe());
  }
  text += fmt::format("sink: PATTERN {}{}\n", push.select_is_pattern || push.also_select ? "already applied by the source; " : "",
                      pattern_->describe());
  return text;
}

}  // namespace logsift
