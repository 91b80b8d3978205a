// The stage-flag table: one row per stage flag, {name, value name, help, build}, in the order of
// docs/stages.md. It is the only list of stage flags: the CLI declares its options and --help from
// it, and build_stages builds each StageSpec through its row. A new stage is one new row here (and
// its builder in stage.cpp), plus its docs (README.md, docs/stages.md, docs/logsift.1, completions).
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "logsift/stage.hpp"

namespace logsift {

struct StageFlag {
  std::string_view name;        // "--take"
  std::string_view value_name;  // "N" in --help; empty for a switch, which takes no value (--uniq)
  std::string_view help;        // the --help line
  bool numeric = false;         // the value is a count: a missing one "needs a number"
  // Builds the stage from its spec (flag and value); UsageError naming the flag and value if bad.
  std::unique_ptr<Stage> (*build)(const StageSpec& spec, const StageContext& context) = nullptr;

  bool is_switch() const { return value_name.empty(); }
};

// Every stage flag, in the order of docs/stages.md.
std::span<const StageFlag> stage_flags();

// The row of a flag, or null if it is no stage flag.
const StageFlag* find_stage_flag(std::string_view name);

}  // namespace logsift
