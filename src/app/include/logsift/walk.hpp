// Walk: the inputs the FILE operands name, in search order. "-" is standard input; with -r/-R a
// directory is walked (entries in byte order of their names, --exclude-dir pruning, -R loops
// reported and not entered); other operands and walked files are kept when --include/--exclude
// list their base name. Unreadable entries are reported through Diagnostics and skipped.
#pragma once

#include <string>
#include <vector>

#include "logsift/config.hpp"

namespace logsift {

class Diagnostics;

struct InputFile {
  std::string path;     // what to open; empty for standard input
  std::string display;  // what to print
};

// `implicit_dir`: the operand "." was not given but implied by -r without FILEs; its files are
// shown without a "./" prefix, as grep does.
std::vector<InputFile> collect_inputs(const std::vector<std::string>& operands, bool implicit_dir, const Config& config,
                                      Diagnostics& diagnostics);

}  // namespace logsift
