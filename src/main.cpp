// logsift: parse the command line, build the pipeline, run it. Exit 0 selected, 1 none, 2 error.
#include <fmt/format.h>

#include "logsift/cli.hpp"
#include "logsift/error.hpp"
#include "logsift/output.hpp"
#include "logsift/pipeline.hpp"

int main(int argc, char** argv) {
  logsift::Diagnostics diagnostics;
  try {
    logsift::CommandLine command = logsift::parse_command_line(argc, argv);
    if (command.immediate_output) {
      fmt::print("{}", *command.immediate_output);
      return 0;
    }
    const bool explain_only = command.config.explain;
    logsift::Pipeline pipeline = logsift::Pipeline::build(std::move(command.config));
    if (explain_only) {
      fmt::print("{}", pipeline.explain());
      return 0;
    }
    return pipeline.run();
  } catch (const logsift::UsageError& error) {
    diagnostics.error(error.what());
  } catch (const std::exception& error) {
    diagnostics.error(error.what());
  }
  return 2;
}
