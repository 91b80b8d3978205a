// logsift: parse the command line, build the pipeline, run it. Exit 0 selected, 1 none, 2 error.
#include <fmt/format.h>
#include <unistd.h>

#include <new>
#include <string>

#include "logsift/cli.hpp"
#include "logsift/error.hpp"
#include "logsift/output.hpp"
#include "logsift/pipeline.hpp"

namespace {

// --help, -V and --explain: written like any output, so a failed write is an error (exit 2) and a
// closed pipe ends quietly.
int print_text(const std::string& text) {
  logsift::Output out(STDOUT_FILENO);
  out.append(text);
  out.flush();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  logsift::Diagnostics diagnostics;
  try {
    logsift::CommandLine command = logsift::parse_command_line(argc, argv);
    if (command.immediate_output) return print_text(*command.immediate_output);
    const bool explain_only = command.config.explain;
    logsift::Pipeline pipeline = logsift::Pipeline::build(std::move(command.config));
    if (explain_only) return print_text(pipeline.explain());
    return pipeline.run();
  } catch (const logsift::OutputClosed&) {
    return 0;
  } catch (const logsift::UsageError& error) {
    diagnostics.error(error.what());
  } catch (const std::bad_alloc&) {
    diagnostics.error("out of memory");
  } catch (const std::exception& error) {
    diagnostics.error(error.what());
  }
  return 2;
}
