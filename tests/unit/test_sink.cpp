#include "logsift/sink.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "logsift/matcher.hpp"
#include "logsift/output.hpp"

namespace logsift {
namespace {

// Records printer events as text: "S3:line[0,1)" selected (with its spans), "C2:line" context,
// "--" a separator request (the sink asks before every group; the printer decides whether to print).
class RecordingPrinter final : public Printer {
 public:
  std::vector<std::string> events;
  bool lines = true;
  void begin_input(std::string_view name) override { events.push_back(fmt::format("begin {}", name)); }
  void selected_line(const Line& line, std::span<const Span> spans) override {
    std::string event = fmt::format("S{}:{}", line.number, line.text);
    for (const Span& span : spans) event += fmt::format("[{},{})", span.begin, span.end);
    events.push_back(event);
  }
  void context_line(const Line& line, std::span<const Span>) override {
    events.push_back(fmt::format("C{}:{}", line.number, line.text));
  }
  void group_separator() override { events.push_back("--"); }
  void end_input(const InputSummary& summary) override {
    events.push_back(fmt::format("end {}{}", summary.selected, summary.binary_match ? " binary" : ""));
  }
  bool wants_lines() const override { return lines; }
  bool wants_spans() const override { return true; }
};

struct SinkRun {
  std::vector<std::string> events;
  std::size_t consumed = 0;  // lines sent before the sink said it was done
};

SinkRun run_sink(const std::vector<std::string>& lines, const std::string& pattern, SinkOptions options,
             bool wants_lines = true, bool saw_nul = false) {
  RecordingPrinter printer;
  printer.lines = wants_lines;
  Diagnostics diagnostics(true);
  auto input = std::make_shared<InputState>();
  input->saw_nul = saw_nul;
  MatcherOptions matcher_options;
  matcher_options.leftmost_longest = true;
  auto matcher = std::make_shared<const Matcher>(std::vector<std::string>{pattern}, matcher_options);
  Sink sink = grep_sink(matcher, options, &printer, &diagnostics, "f", input);
  SinkRun run;
  for (std::size_t i = 0; i < lines.size() && !sink.done(); ++i) {
    Line line{lines[i], i + 1, 0};
    sink.send(line);
    ++run.consumed;
  }
  sink.close();
  run.events = printer.events;
  return run;
}

const std::vector<std::string> kLines = {"a1", "b", "c", "a2", "d", "e", "f", "a3", "g"};

TEST(sink, is_primed_on_creation_and_reports_begin_at_once) {
  RecordingPrinter printer;
  Diagnostics diagnostics(true);
  auto matcher = std::make_shared<const Matcher>(std::vector<std::string>{"a"}, MatcherOptions{});
  Sink sink = grep_sink(matcher, {}, &printer, &diagnostics, "name", std::make_shared<InputState>());
  ASSERT_EQ(printer.events.size(), 1u);
  EXPECT_EQ(printer.events[0], "begin name");
  EXPECT_FALSE(sink.done());
}

TEST(sink, selects_matching_lines_with_spans) {
  SinkRun run = run_sink({"xaax", "b"}, "a+", {});
  EXPECT_EQ(run.events, (std::vector<std::string>{"begin f", "S1:xaax[1,3)", "end 1"}));
}

TEST(sink, context_groups_are_separated) {
  SinkOptions options;
  options.before = 1;
  options.after = 1;
  options.separate_groups = true;
  SinkRun run = run_sink(kLines, "a", options);
  EXPECT_EQ(run.events, (std::vector<std::string>{"begin f", "--", "S1:a1[0,1)", "C2:b", "C3:c", "S4:a2[0,1)", "C5:d",
                                                  "--", "C7:f", "S8:a3[0,1)", "C9:g", "end 3"}));
}

TEST(sink, max_count_stops_reading_without_context) {
  SinkOptions options;
  options.max_count = 2;
  SinkRun run = run_sink(kLines, "a", options);
  EXPECT_EQ(run.consumed, 4u);
  EXPECT_EQ(run.events.back(), "end 2");
}

TEST(sink, trailing_context_after_max_count_includes_matching_lines) {
  SinkOptions options;
  options.max_count = 1;
  options.after = 3;
  options.separate_groups = true;
  SinkRun run = run_sink(kLines, "a|c", options);
  EXPECT_EQ(run.events, (std::vector<std::string>{"begin f", "--", "S1:a1[0,1)", "C2:b", "C3:c", "C4:a2", "end 1"}));
  EXPECT_EQ(run.consumed, 4u);
}

TEST(sink, zero_context_still_separates_non_adjacent_groups) {
  SinkOptions options;
  options.separate_groups = true;
  SinkRun run = run_sink({"a", "a", "b", "a"}, "a", options);
  EXPECT_EQ(run.events, (std::vector<std::string>{"begin f", "--", "S1:a[0,1)", "S2:a[0,1)", "--", "S4:a[0,1)", "end 3"}));
}

TEST(sink, max_count_zero_selects_nothing_and_reads_nothing) {
  SinkOptions options;
  options.max_count = 0;
  SinkRun run = run_sink(kLines, "a", options);
  EXPECT_EQ(run.consumed, 0u);
  EXPECT_EQ(run.events, (std::vector<std::string>{"begin f", "end 0"}));
}

TEST(sink, invert_selects_non_matching_lines) {
  SinkOptions options;
  options.invert = true;
  SinkRun run = run_sink({"a", "b", "a"}, "a", options);
  EXPECT_EQ(run.events, (std::vector<std::string>{"begin f", "S2:b", "end 1"}));
}

TEST(sink, count_only_printer_stops_at_first_match_when_asked) {
  SinkOptions options;
  options.stop_at_first_match = true;
  SinkRun run = run_sink(kLines, "a", options, false);
  EXPECT_EQ(run.consumed, 1u);
  EXPECT_EQ(run.events, (std::vector<std::string>{"begin f", "end 1"}));
}

TEST(sink, binary_input_reports_a_match_instead_of_lines) {
  SinkRun run = run_sink(kLines, "a", {}, true, true);
  EXPECT_EQ(run.events, (std::vector<std::string>{"begin f", "end 1 binary"}));
  EXPECT_EQ(run.consumed, 1u);
}

// Issue 13, items 3 and 5: with count_all (--max-matches, --stats) what stops the printing (-q,
// -l, -L, a binary input) does not stop the counting; -m still caps it.
TEST(sink, count_all_counts_past_the_first_match_and_a_binary_input) {
  SinkOptions options;
  options.count_all = true;
  options.stop_at_first_match = true;
  SinkRun quiet = run_sink(kLines, "a", options, false);
  EXPECT_EQ(quiet.events, (std::vector<std::string>{"begin f", "end 3"}));
  EXPECT_EQ(quiet.consumed, kLines.size());

  options.stop_at_first_match = false;
  SinkRun binary = run_sink(kLines, "a", options, true, true);
  EXPECT_EQ(binary.events, (std::vector<std::string>{"begin f", "end 3 binary"}));

  options.max_count = 2;
  SinkRun capped = run_sink(kLines, "a", options, true, true);
  EXPECT_EQ(capped.events, (std::vector<std::string>{"begin f", "end 2 binary"}));
  EXPECT_EQ(capped.consumed, 4u);  // stops reading at -m's last line
}

TEST(sink, errors_are_reported_and_the_sink_goes_on) {
  RecordingPrinter printer;
  Diagnostics diagnostics(true);
  auto matcher = std::make_shared<const Matcher>(std::vector<std::string>{"a"}, MatcherOptions{});
  Sink sink = grep_sink(matcher, {}, &printer, &diagnostics, "f", std::make_shared<InputState>());
  Line line{"a", 1, 0};
  sink.send(line);
  sink.raise("Input/output error");
  EXPECT_FALSE(sink.done());
  EXPECT_TRUE(diagnostics.had_error());
  sink.close();
  EXPECT_TRUE(sink.done());
  EXPECT_EQ(sink.summary().selected, 1u);
}

class ThrowingPrinter final : public Printer {
 public:
  void selected_line(const Line&, std::span<const Span>) override { throw WriteError("write error: disk full"); }
  bool wants_lines() const override { return true; }
  bool wants_spans() const override { return false; }
};

TEST(sink, printer_failure_reaches_the_sender) {
  ThrowingPrinter printer;
  Diagnostics diagnostics(true);
  auto matcher = std::make_shared<const Matcher>(std::vector<std::string>{"a"}, MatcherOptions{});
  Sink sink = grep_sink(matcher, {}, &printer, &diagnostics, "f", std::make_shared<InputState>());
  Line line{"a", 1, 0};
  EXPECT_THROW(sink.send(line), WriteError);
  EXPECT_TRUE(sink.done());
}

// Fails in begin_input, which the sink calls before its first suspension (while being created).
class FailingAtBeginPrinter final : public Printer {
 public:
  void begin_input(std::string_view) override { throw WriteError("write error: disk full"); }
  bool wants_lines() const override { return true; }
  bool wants_spans() const override { return false; }
};

TEST(sink, failure_before_the_first_suspension_reaches_the_sender) {
  FailingAtBeginPrinter printer;
  Diagnostics diagnostics(true);
  auto matcher = std::make_shared<const Matcher>(std::vector<std::string>{"a"}, MatcherOptions{});
  Sink sink = grep_sink(matcher, {}, &printer, &diagnostics, "f", std::make_shared<InputState>());
  EXPECT_TRUE(sink.done());
  Line line{"a", 1, 0};
  EXPECT_THROW(sink.send(line), WriteError);
  EXPECT_NO_THROW(sink.close());  // thrown once: the failure is not reported twice
}

TEST(sink, failure_before_the_first_suspension_reaches_close_when_nothing_is_sent) {
  FailingAtBeginPrinter printer;
  Diagnostics diagnostics(true);
  auto matcher = std::make_shared<const Matcher>(std::vector<std::string>{"a"}, MatcherOptions{});
  Sink sink = grep_sink(matcher, {}, &printer, &diagnostics, "f", std::make_shared<InputState>());
  EXPECT_THROW(sink.close(), WriteError);
}

TEST(sink, huge_before_context_is_allocated_as_lines_come) {
  // grep takes any context length; a ring sized up front could not be allocated.
  SinkOptions options;
  options.before = std::numeric_limits<std::size_t>::max();
  options.separate_groups = true;
  SinkRun run = run_sink(kLines, "a2", options);
  EXPECT_EQ(run.events, (std::vector<std::string>{"begin f", "--", "C1:a1", "C2:b", "C3:c", "S4:a2[0,2)", "end 1"}));
}

TEST(sink, before_context_ring_keeps_the_last_lines_once_full) {
  SinkOptions options;
  options.before = 2;
  options.separate_groups = true;
  SinkRun run = run_sink(kLines, "a", options);
  EXPECT_EQ(run.events, (std::vector<std::string>{"begin f", "--", "S1:a1[0,1)", "C2:b", "C3:c", "S4:a2[0,1)", "--",
                                                  "C6:e", "C7:f", "S8:a3[0,1)", "end 3"}));
}

// Takes spans in batches, as the line printer does; records each batch's size and flags.
class BatchRecordingPrinter final : public Printer {
 public:
  std::vector<std::string> parts;
  std::size_t spans_seen = 0;
  std::size_t next_begin = 0;  // the spans arrive in order, without gaps or repeats
  bool in_order = true;
  void selected_line(const Line&, std::span<const Span>) override { parts.push_back("whole"); }
  void context_line(const Line&, std::span<const Span>) override { parts.push_back("whole"); }
  bool wants_lines() const override { return true; }
  bool wants_spans() const override { return true; }
  bool takes_span_batches() const override { return true; }
  void line_part(const Line&, bool selected, std::span<const Span> spans, bool first, bool last) override {
    parts.push_back(fmt::format("{}{}{}{}", selected ? "S" : "C", spans.size(), first ? " first" : "", last ? " last" : ""));
    for (const Span& span : spans) {
      in_order = in_order && span.begin == next_begin && span.end == span.begin + 1;
      next_begin = span.begin + 2;
    }
    spans_seen += spans.size();
  }
};

TEST(sink, matches_of_a_long_line_reach_the_printer_in_bounded_batches) {
  BatchRecordingPrinter printer;
  Diagnostics diagnostics(true);
  MatcherOptions matcher_options;
  matcher_options.leftmost_longest = true;
  auto matcher = std::make_shared<const Matcher>(std::vector<std::string>{"a"}, matcher_options);
  Sink sink = grep_sink(matcher, {}, &printer, &diagnostics, "f", std::make_shared<InputState>());
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "ab";
  Line line{text, 1, 0};
  sink.send(line);
  sink.close();
  EXPECT_EQ(printer.parts, (std::vector<std::string>{"S4096 first", "S4096", "S1808 last"}));
  EXPECT_EQ(printer.spans_seen, 10000u);
  EXPECT_TRUE(printer.in_order);
}

}  // namespace
}  // namespace logsift
