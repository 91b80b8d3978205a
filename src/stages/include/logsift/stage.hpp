// Stage: one step of the line chain between the source and the sink, built from one flag.
// A Stage is built once (its regexes compiled, its arguments checked: UsageError naming the flag
// and value) and applied to each input, wrapping the upstream generator in a new one. Stages pass
// lines through lazily; a line a stage rewrites lives in that stage's frame until its next line.
// A stage pulls no line it does not need: one that can end (--take, --take-while, --slice with a
// stop) returns as soon as no later line could pass, so the source stops reading. Line numbers and
// offsets are passed on unchanged, whatever a stage does to the text.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "logsift/generator.hpp"
#include "logsift/line.hpp"
#include "logsift/fields.hpp"
#include "logsift/matcher.hpp"

namespace logsift {

// One stage flag as written: flag "--take", value "10".
struct StageSpec {
  std::string flag;
  std::string value;
  friend bool operator==(const StageSpec&, const StageSpec&) = default;
};

struct TimeUse;

class Stage {
 public:
  virtual ~Stage() = default;
  virtual generator<Line> apply(generator<Line> input) const = 0;
  // The same for a named input whose modification time is known (seconds since the epoch): stages
  // that read year-less timestamps (syslog) take the year from it, and record in `use` (may be
  // null; outlives the generator) whether they found timestamps.
  virtual generator<Line> apply_to_file(generator<Line> input, double /*mtime*/, TimeUse* /*use*/ = nullptr) const {
    return apply(std::move(input));
  }
  // One line for --explain, e.g. "--take 10: pass the first 10 lines, then stop reading".
  virtual std::string describe() const = 0;
  // A pure line filter (--keep) can be pushed down into the source: it is searched over the raw
  // buffer instead of line by line. Null for every other stage.
  virtual std::shared_ptr<const Matcher> pushdown_filter() const { return nullptr; }
  // A seek hint: every line whose timestamp is before this time (seconds since the epoch) is
  // dropped, so a source over a sorted regular file may start at the first line at or after it
  // (found by binary search) instead of at the start. Set by --since; empty for every other stage.
  virtual std::optional<double> seek_hint() const { return std::nullopt; }
  // A necessary condition (--where): a line this matcher rejects cannot pass the stage, so the
  // source may skip it; the stage still checks the lines that pass. Null when there is none.
  virtual std::shared_ptr<const Matcher> prefilter() const { return nullptr; }
};

// What stages need beyond their own flag: the regex syntax (-F, -G; never -i/-v/-w/-x), the
// --field-sep for --fields, and for --since/--until the --time-format and the time "now" is.
struct StageContext {
  Syntax syntax = Syntax::extended;
  std::string field_separator;
  std::string time_format;  // empty: detect the common formats
  double now = 0;           // seconds since the epoch; relative times count back from it
  InputFormat input_format = InputFormat::automatic;  // --where: how lines are read
};

// Each stage resumes the one before it on the stack, so a chain's stack use grows with its
// length: past this many stage flags build_stages refuses (UsageError) rather than overflow the
// stack. 1000 stages use about 230 KiB of it (4,500 overflowed a 1 MiB `ulimit -s`; docs/stages.md).
inline constexpr std::size_t kMaxStages = 1000;

// Builds the chain in command-line order.
std::vector<std::unique_ptr<Stage>> build_stages(const std::vector<StageSpec>& specs, const StageContext& context);
std::vector<std::unique_ptr<Stage>> build_stages(const std::vector<StageSpec>& specs, Syntax syntax,
                                                 const std::string& field_separator);

}  // namespace logsift
