#include "logsift/plan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "logsift/error.hpp"

namespace logsift {
namespace {

Config config_for(std::string pattern, std::vector<StageSpec> stages = {}) {
  Config config;
  config.patterns = {std::move(pattern)};
  config.stages = std::move(stages);
  return config;
}

TEST(plan, pattern_alone_is_pushed_down_with_its_twin_built_at_once) {
  const Plan plan = Plan::build(config_for("ERROR"));
  const Pushdown& push = plan.pushdown();
  EXPECT_EQ(push.select, plan.pattern());
  EXPECT_TRUE(push.select_is_pattern);
  ASSERT_NE(push.select_twin, nullptr);  // not left for the search (follow threads) to fill in
  EXPECT_NE(push.select_twin, push.select);
  EXPECT_EQ(push.also_select, nullptr);
  EXPECT_EQ(push.also_select_twin, nullptr);
  EXPECT_EQ(push.first_stage, 0u);
}

TEST(plan, a_leading_keep_is_pushed_down_and_pattern_checked_with_it) {
  const Plan plan = Plan::build(config_for("ERROR", {{"--keep", "db"}, {"--keep", "x"}}));
  const Pushdown& push = plan.pushdown();
  ASSERT_NE(push.select, nullptr);
  EXPECT_EQ(push.select, plan.stages().front()->pushdown_filter());
  EXPECT_FALSE(push.select_is_pattern);
  EXPECT_EQ(push.also_select, plan.pattern());
  EXPECT_NE(push.select_twin, nullptr);
  EXPECT_NE(push.also_select_twin, nullptr);
  EXPECT_EQ(push.first_stage, 1u);
}

TEST(plan, pattern_stays_in_the_sink_when_it_cannot_be_pushed_down) {
  // Behind a stage that is no filter, with context lines, or a PATTERN every line matches.
  Config after_take = config_for("ERROR", {{"--keep", "db"}, {"--take", "3"}});
  EXPECT_EQ(Plan::build(after_take).pushdown().also_select, nullptr);
  Config inverted = config_for("ERROR", {{"--keep", "db"}});
  inverted.invert = true;
  EXPECT_EQ(Plan::build(inverted).pushdown().also_select, nullptr);
  Config context = config_for("ERROR");
  context.context_requested = true;
  EXPECT_EQ(Plan::build(context).pushdown().select, nullptr);
  EXPECT_EQ(Plan::build(config_for("")).pushdown().select, nullptr);
  const Plan behind_sub = Plan::build(config_for("ERROR", {{"--sub", "s/a/b/"}}));
  EXPECT_EQ(behind_sub.pushdown().select, nullptr);
  EXPECT_EQ(behind_sub.pushdown().select_twin, nullptr);
  EXPECT_EQ(behind_sub.pushdown().first_stage, 0u);
}

TEST(plan, printer_choice_follows_the_output_flags) {
  auto kind = [](auto set) {
    Config config = config_for("x");
    set(config);
    return Plan::build(config).printer_kind();
  };
  EXPECT_EQ(kind([](Config&) {}), PrinterKind::lines);
  EXPECT_EQ(kind([](Config& c) { c.count = true; }), PrinterKind::count);
  EXPECT_EQ(kind([](Config& c) { c.listing = FileListing::without_match; }), PrinterKind::file_list);
  EXPECT_EQ(kind([](Config& c) { c.json = true; }), PrinterKind::json);
  EXPECT_EQ(kind([](Config& c) { c.format = "{line}"; }), PrinterKind::template_format);
  EXPECT_EQ(kind([](Config& c) { c.format = "github"; }), PrinterKind::github);
  EXPECT_EQ(kind([](Config& c) { c.count_by = "(a)"; }), PrinterKind::count_by);
  EXPECT_EQ(kind([](Config& c) { c.histogram_bucket = 60; }), PrinterKind::histogram);
  // The combinations allowed: -l/-L over -c (grep), --count-by or --histogram printing JSON; -q over all.
  EXPECT_EQ(kind([](Config& c) { c.count = true; c.listing = FileListing::with_matches; }), PrinterKind::file_list);
  EXPECT_EQ(kind([](Config& c) { c.json = true; c.count_by = "a"; }), PrinterKind::count_by);
  EXPECT_EQ(kind([](Config& c) { c.json = true; c.histogram_bucket = 60; }), PrinterKind::histogram);
  EXPECT_EQ(kind([](Config& c) { c.quiet = true; c.json = true; }), PrinterKind::quiet);
}

TEST(plan, conflicting_output_flags_are_a_usage_error_not_a_silent_choice) {
  auto error = [](auto set) -> std::string {
    Config config = config_for("x");
    set(config);
    try {
      Plan::build(config);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(error([](Config& c) { c.count = true; c.count_by = "a"; }), "-c cannot be used with --count-by");
  EXPECT_EQ(error([](Config& c) { c.json = true; c.listing = FileListing::with_matches; }), "-l cannot be used with --json");
  EXPECT_EQ(error([](Config& c) { c.format = "{line}"; c.json = true; }), "--json cannot be used with --format");
  EXPECT_EQ(error([](Config& c) { c.count_by = "a"; c.histogram_bucket = 60; }), "--count-by cannot be used with --histogram");
}

TEST(plan, explain_reports_the_sizes_the_source_is_given) {
  const Plan plan = Plan::build(config_for("ERROR"));
  const SourceOptions& s = plan.source_defaults();
  EXPECT_EQ(plan.map_threshold(), 4 * s.buffer_size);
  const std::string text = plan.explain();
  EXPECT_NE(text.find(std::to_string(s.buffer_size >> 10) + " KiB blocks"), std::string::npos) << text;
  EXPECT_NE(text.find("a file over " + std::to_string(plan.map_threshold() >> 20) + " MiB"), std::string::npos) << text;
  EXPECT_NE(text.find(std::to_string(s.map_window >> 20) + " MiB windows"), std::string::npos) << text;
  EXPECT_NE(text.find("from " + std::to_string(s.search_alone_first >> 20) + " MiB on"), std::string::npos) << text;
}

}  // namespace
}  // namespace logsift
