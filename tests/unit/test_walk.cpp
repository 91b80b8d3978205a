#include "logsift/walk.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <string>
#include <vector>

#include "logsift/output.hpp"
#include "support.hpp"

namespace logsift {
namespace {

using test::TempDir;
using test::write_file;

std::vector<std::string> displays(const std::vector<InputFile>& inputs) {
  std::vector<std::string> out;
  for (const InputFile& input : inputs) out.push_back(input.display);
  return out;
}

TEST(walk, operands_keep_their_order_and_stdin_shows_its_label) {
  Config config;
  config.label = "(in)";
  Diagnostics diagnostics;
  const auto inputs = collect_inputs({"b.log", "-", "a.log"}, false, config, diagnostics);
  EXPECT_EQ(displays(inputs), (std::vector<std::string>{"b.log", "(in)", "a.log"}));
  EXPECT_EQ(inputs[1].path, "");
  EXPECT_EQ(inputs[0].path, "b.log");
}

TEST(walk, recursive_walk_sorts_names_prunes_and_filters_by_glob) {
  TempDir dir;
  ::mkdir(dir.file("sub").c_str(), 0755);
  ::mkdir(dir.file("skip").c_str(), 0755);
  for (const char* name : {"z.log", "a.log", "a.txt", "sub/m.log", "skip/x.log"}) write_file(dir.file(name), "x\n");
  Config config;
  config.recursive = true;
  config.include = {"*.log"};
  config.exclude_dir = {"skip"};
  Diagnostics diagnostics;
  const std::string root = dir.path();
  EXPECT_EQ(displays(collect_inputs({root}, false, config, diagnostics)),
            (std::vector<std::string>{root + "/a.log", root + "/sub/m.log", root + "/z.log"}));
  // A directory operand without -r is an operand like any other (the search reports it).
  config.recursive = false;
  EXPECT_EQ(displays(collect_inputs({root}, false, config, diagnostics)), (std::vector<std::string>{}));
  config.include.clear();
  EXPECT_EQ(displays(collect_inputs({root}, false, config, diagnostics)), (std::vector<std::string>{root}));
  EXPECT_FALSE(diagnostics.had_error());
}

TEST(walk, implied_dot_shows_names_without_a_prefix) {
  TempDir dir;
  write_file(dir.file("one.log"), "x\n");
  Config config;
  config.recursive = true;
  Diagnostics diagnostics;
  const auto inputs = collect_inputs({dir.path()}, true, config, diagnostics);
  EXPECT_EQ(displays(inputs), (std::vector<std::string>{"one.log"}));
  EXPECT_EQ(inputs[0].path, dir.file("one.log"));
}

}  // namespace
}  // namespace logsift
