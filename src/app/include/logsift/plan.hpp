// Plan: what a search will do, decided once from a Config before any input is opened and never
// changed after (so follow threads may share it without a lock): PATTERN, the stage chain, what is
// pushed down into the source (with the twin matchers its worker thread uses, built here, eagerly),
// which printer prints, and the source sizes --explain reports. Plan::build compiles every pattern
// and checks every stage and output flag (UsageError). The run (pipeline.cpp) holds the rest.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "logsift/config.hpp"
#include "logsift/machine_printers.hpp"
#include "logsift/matcher.hpp"
#include "logsift/printer.hpp"
#include "logsift/source.hpp"
#include "logsift/stage.hpp"

namespace logsift {

class Output;
class Diagnostics;

// Predicate pushdown: the first consumer of the source, if it is a pure filter, searches the raw
// buffer instead of each line.
struct Pushdown {
  std::shared_ptr<const Matcher> select;       // null: nothing is pushed down
  std::shared_ptr<const Matcher> select_twin;  // a twin of select for the source's worker thread
  bool select_is_pattern = false;              // select is PATTERN itself: the sink need not re-match
  bool select_is_prefilter = false;            // stage 1's necessary condition; stage 1 still runs
  // A --keep pushed down with PATTERN checked along with it (and its twin), else null.
  std::shared_ptr<const Matcher> also_select;
  std::shared_ptr<const Matcher> also_select_twin;
  std::size_t first_stage = 0;  // stages before this one run in the source
};

// The printer a Config asks for. Output modes that exclude each other are a UsageError
// ("-c cannot be used with --json"): -c, -l/-L, --json, --format, --count-by and --histogram
// exclude each other but for -c with -l/-L (the list wins, as grep) and --json with --count-by or
// --histogram (which then print JSON); -q silences any of them. README.md ("Output modes") says
// the same.
enum class PrinterKind { quiet, github, template_format, histogram, count_by, count_by_field, json, file_list, count, lines };
void check_output_modes(const Config& config);
PrinterKind choose_printer(const Config& config);

class Plan {
 public:
  static Plan build(Config config);

  const Config& config() const { return config_; }
  const std::shared_ptr<const Matcher>& pattern() const { return pattern_; }
  const std::vector<std::unique_ptr<Stage>>& stages() const { return stages_; }
  const Pushdown& pushdown() const { return pushdown_; }
  PrinterKind printer_kind() const { return printer_kind_; }
  bool color() const { return color_; }
  // The sizes of the source (block, map window, when the worker joins): each input's
  // SourceOptions start from these, and --explain reports them.
  const SourceOptions& source_defaults() const { return source_defaults_; }
  // A file larger than this is mapped window by window rather than read.
  std::size_t map_threshold() const { return 4 * source_defaults_.buffer_size; }

  // A new printer of the chosen kind writing to `out` (one per follow thread).
  std::unique_ptr<Printer> make_printer(Output& out, Diagnostics& diagnostics, bool with_filename) const;
  // The --explain text: what was pushed down, one line per remaining stage, and the sink.
  std::string explain() const;

 private:
  Config config_;
  std::shared_ptr<const Matcher> pattern_;
  std::vector<std::unique_ptr<Stage>> stages_;
  Pushdown pushdown_;
  PrinterKind printer_kind_ = PrinterKind::lines;
  std::shared_ptr<const Matcher> count_by_key_;   // --count-by
  std::optional<TemplateFormat> template_format_;  // --format TEMPLATE
  bool color_ = false;
  ColorScheme colors_;
  SourceOptions source_defaults_;
};

}  // namespace logsift
