// Command-line parsing: argv into a Config, grep-compatible. The only user of CLI11.
// Throws UsageError with a one-line message for anything malformed, before any input is read.
// --help and --version do not search: their text comes back in `immediate_output`.
#pragma once

#include <optional>
#include <string>

#include "logsift/config.hpp"

namespace logsift {

struct CommandLine {
  Config config;
  std::optional<std::string> immediate_output;
};

CommandLine parse_command_line(int argc, const char* const* argv);

}  // namespace logsift
