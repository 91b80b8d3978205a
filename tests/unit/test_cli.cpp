#include "logsift/cli.hpp"

#include <gtest/gtest.h>

#include "logsift/error.hpp"
#include "logsift/matcher.hpp"
#include "logsift/stage_flags.hpp"

namespace logsift {
namespace {

CommandLine parse(std::vector<std::string> args) {
  args.insert(args.begin(), "logsift");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

TEST(cli, first_positional_is_the_pattern) {
  Config config = parse({"ERROR", "a.log", "b.log"}).config;
  EXPECT_EQ(config.patterns, (std::vector<std::string>{"ERROR"}));
  EXPECT_EQ(config.files, (std::vector<std::string>{"a.log", "b.log"}));
}

TEST(cli, regexp_values_may_start_with_a_dash_or_be_empty) {
  Config config = parse({"-e", "-x", "-e", "", "file"}).config;
  EXPECT_EQ(config.patterns, (std::vector<std::string>{"-x", ""}));
  EXPECT_EQ(config.files, (std::vector<std::string>{"file"}));
}

TEST(cli, bracket_expressions_reach_the_pattern_unchanged) {
  EXPECT_EQ(parse({"[]x-]", "[a,b]"}).config.patterns, (std::vector<std::string>{"[]x-]"}));
  EXPECT_EQ(parse({"[]x-]", "[a,b]"}).config.files, (std::vector<std::string>{"[a,b]"}));
  EXPECT_EQ(parse({"-e", "[a,b]", "--keep", "[x,y]"}).config.patterns, (std::vector<std::string>{"[a,b]"}));
  EXPECT_EQ(parse({"-e", "[a,b]", "--keep", "[x,y]"}).config.stages[0].value, "[x,y]");
}

TEST(cli, empty_value_after_equals_does_not_take_the_next_word) {
  Config config = parse({"--regexp=", "--keep=", "--take", "2", "f"}).config;
  EXPECT_EQ(config.patterns, (std::vector<std::string>{""}));
  EXPECT_EQ(config.stages, (std::vector<StageSpec>{{"--keep", ""}, {"--take", "2"}}));
  EXPECT_EQ(config.files, (std::vector<std::string>{"f"}));
}

TEST(cli, stages_keep_command_line_order_with_repeats) {
  Config config = parse({"--take", "5", "--keep", "X", "--uniq", "--keep", "Y", "-e", "p"}).config;
  EXPECT_EQ(config.stages, (std::vector<StageSpec>{{"--take", "5"}, {"--keep", "X"}, {"--uniq", ""}, {"--keep", "Y"}}));
}

TEST(cli, bundled_short_flags_and_attached_values) {
  Config config = parse({"-inH", "-A2", "-m1", "x"}).config;
  EXPECT_TRUE(config.ignore_case);
  EXPECT_TRUE(config.line_number);
  EXPECT_EQ(config.with_filename, true);
  EXPECT_EQ(config.after, 2u);
  EXPECT_EQ(config.max_count, std::uint64_t{1});
}

TEST(cli, bundle_may_end_in_an_option_taking_the_next_word) {
  Config config = parse({"-ie", "-DEADLOCK", "-nA", "2", "file"}).config;
  EXPECT_EQ(config.patterns, (std::vector<std::string>{"-DEADLOCK"}));
  EXPECT_TRUE(config.ignore_case);
  EXPECT_TRUE(config.line_number);
  EXPECT_EQ(config.after, 2u);
  EXPECT_EQ(config.files, (std::vector<std::string>{"file"}));
  EXPECT_EQ(parse({"-ve[x]"}).config.patterns, (std::vector<std::string>{"[x]"}));
}

TEST(cli, context_sets_both_sides_unless_one_is_given) {
  Config config = parse({"-C", "3", "-A", "1", "x"}).config;
  EXPECT_EQ(config.before, 3u);
  EXPECT_EQ(config.after, 1u);
}

TEST(cli, last_of_with_and_no_filename_wins) {
  EXPECT_EQ(parse({"-H", "-h", "x"}).config.with_filename, false);
  EXPECT_EQ(parse({"-h", "-H", "x"}).config.with_filename, true);
}

TEST(cli, negative_max_count_means_no_limit) { EXPECT_FALSE(parse({"-m", "-1", "x"}).config.max_count); }

TEST(cli, bad_input_is_a_usage_error) {
  EXPECT_THROW(parse({"--bogus", "x"}), UsageError);
  EXPECT_THROW(parse({"-m", "many", "x"}), UsageError);
  EXPECT_THROW(parse({"-A", "-1", "x"}), UsageError);
  EXPECT_THROW(parse({"--color=sometimes", "x"}), UsageError);
  EXPECT_THROW(parse({}), UsageError);
  EXPECT_THROW(parse({"-F", "-G", "x"}), UsageError);
}

std::string usage_error(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const UsageError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(cli, grep_dash_num_is_context_also_inside_a_bundle) {
  EXPECT_EQ(parse({"-m1", "-5", "foo", "t.txt"}).config.patterns, (std::vector<std::string>{"foo"}));
  EXPECT_EQ(parse({"-m1", "-5", "foo", "t.txt"}).config.before, 5u);
  Config config = parse({"-n12i", "foo"}).config;
  EXPECT_EQ(config.after, 12u);
  EXPECT_TRUE(config.line_number && config.ignore_case);
  EXPECT_EQ(parse({"-3", "-1", "x"}).config.after, 1u);
}

TEST(cli, repeated_value_options_take_the_last_value) {
  EXPECT_EQ(parse({"-m", "1", "-m", "2", "x"}).config.max_count, std::uint64_t{2});
  EXPECT_EQ(parse({"-A", "1", "-A", "2", "x"}).config.after, 2u);
  EXPECT_EQ(parse({"--color=always", "--color=never", "x"}).config.color, ColorMode::never);
  EXPECT_EQ(parse({"--label", "a", "--label", "b", "x"}).config.label, "b");
  // Options that collect values keep them all.
  EXPECT_EQ(parse({"-e", "a", "-e", "b"}).config.patterns, (std::vector<std::string>{"a", "b"}));
}

TEST(cli, include_and_exclude_globs_from_files) {
  const std::string path = ::testing::TempDir() + "logsift_globs.txt";
  std::FILE* file = std::fopen(path.c_str(), "w");
  std::fputs("*.log\n\n*.txt\n", file);
  std::fclose(file);
  Config config = parse({"--include-from", path, "--exclude", "a*", "--exclude-from=" + path, "x"}).config;
  EXPECT_EQ(config.include, (std::vector<std::string>{"*.log", "*.txt"}));
  EXPECT_EQ(config.exclude, (std::vector<std::string>{"a*", "*.log", "*.txt"}));
  std::remove(path.c_str());
}

TEST(cli, messages_name_the_problem) {
  EXPECT_EQ(usage_error({"-ve"}), "option requires an argument -- 'e'");
  EXPECT_EQ(usage_error({"x", "--take"}), "--take needs a number");
  EXPECT_EQ(usage_error({"x", "--keep"}), "--keep needs a value");
  EXPECT_EQ(usage_error({"--kep", "x"}), "unknown option '--kep' (did you mean --keep?)");
  EXPECT_EQ(usage_error({"--jsn=1", "x"}), "unknown option '--jsn' (did you mean --json?)");
  EXPECT_EQ(usage_error({"--zzzzzzzz", "x"}), "unknown option '--zzzzzzzz' (try --help)");
  EXPECT_EQ(usage_error({"-f", "/"}), "/: Is a directory");
}

TEST(cli, quoted_values_are_cut_short) {
  const std::string huge(3'000'000, 'x');
  EXPECT_EQ(quote("abc"), "'abc'");
  const std::string message = usage_error({"--histogram", huge, "x"});
  EXPECT_LT(message.size(), 400u) << message.substr(0, 100);
  EXPECT_NE(message.find("(3000000 bytes)"), std::string::npos);
  // A bad pattern of 3 MB: RE2's own message repeats it, and is cut too.
  const std::string bad_pattern = "(" + huge;
  try {
    Matcher pattern({bad_pattern}, MatcherOptions{});
    ADD_FAILURE() << "no error";
  } catch (const UsageError& error) {
    EXPECT_LT(std::string_view(error.what()).size(), 600u);
  }
  // A cut never splits a UTF-8 character.
  std::string text = "a";  // then two-byte characters: byte 200 is the middle of one
  for (int i = 0; i < 150; ++i) text += "\xC3\xA9";
  EXPECT_EQ(quote(text), "'" + text.substr(0, 199) + "...' (301 bytes)");
}

TEST(cli, help_and_version_do_not_search) {
  EXPECT_TRUE(parse({"--help"}).immediate_output);
  EXPECT_NE(parse({"-V"}).immediate_output->find("logsift"), std::string::npos);
}

TEST(cli, bare_color_means_auto) {
  Config config = parse({"--color", "ERROR", "file"}).config;
  EXPECT_EQ(config.color, ColorMode::automatic);
  EXPECT_EQ(config.patterns, (std::vector<std::string>{"ERROR"}));
}

// The CLI declares its stage options from the stage-flag table alone: each row is an option of
// --help with its value name and help, takes a value that starts with '-' (or none, for a switch),
// and says what a missing value should be.
TEST(cli, stage_options_come_from_the_stage_flag_table) {
  const std::string help = *parse({"--help"}).immediate_output;
  ASSERT_FALSE(stage_flags().empty());
  for (const StageFlag& row : stage_flags()) {
    const std::string name{row.name};
    SCOPED_TRACE(name);
    const std::string entry = row.is_switch() ? name : name + " " + std::string{row.value_name};
    EXPECT_NE(help.find(entry), std::string::npos);
    EXPECT_NE(help.find(std::string{row.help}), std::string::npos);
    if (row.is_switch()) {
      EXPECT_EQ(parse({name, "p"}).config.stages, (std::vector<StageSpec>{{name, ""}}));
    } else {
      EXPECT_EQ(parse({name, "-x", "p"}).config.stages, (std::vector<StageSpec>{{name, "-x"}}));
      EXPECT_EQ(usage_error({"p", name}), name + (row.numeric ? " needs a number" : " needs a value"));
    }
  }
}

}  // namespace
}  // namespace logsift
