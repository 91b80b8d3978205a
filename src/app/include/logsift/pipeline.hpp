// Pipeline: the whole search, built from a Config and run over every input.
// build() compiles every pattern and checks every stage before any input is opened (UsageError).
// run() walks the inputs (files, stdin, directories with -r), and for each one wires
// source -> stages -> sink -> printer, and returns grep's exit status: 0 selected, 1 none, 2 error.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "logsift/config.hpp"

namespace logsift {

class Pipeline {
 public:
  static Pipeline build(Config config);
  ~Pipeline();
  Pipeline(Pipeline&&) noexcept;
  Pipeline& operator=(Pipeline&&) noexcept;

  int run();
  // The --explain text: one line per stage, what was pushed down, and the sink's strategy.
  std::string explain() const;

 private:
  struct Impl;
  explicit Pipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace logsift
