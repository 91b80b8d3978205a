#include "logsift/time_window.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "logsift/generator.hpp"
#include "logsift/line.hpp"
#include "logsift/timestamp.hpp"
#include "support.hpp"

namespace logsift {
namespace {

using namespace test;  // Texts, Out, collect, texts_of (support.hpp)
using LogFile = test::TempFile;

// The lines of `content` from byte `start` (a line start), numbered from `number`.
generator<Line> lines_from(std::string content, std::uint64_t start = 0, std::uint64_t number = 1) {
  std::uint64_t offset = start;
  while (offset < content.size()) {
    std::size_t nl = content.find('\n', offset);
    const std::size_t stop = nl == std::string::npos ? content.size() : nl;
    co_yield Line{std::string_view(content).substr(offset, stop - offset), number++, offset};
    offset = stop + 1;
  }
}

std::string join(const Texts& texts) {
  std::string all;
  for (const std::string& text : texts) all += text + "\n";
  return all;
}

double at(const char* iso) { return parse_time_argument(iso, 0); }

// ---- the stage -----------------------------------------------------------------------------

const Texts kEntries = {
    "preamble without a time",
    "2026-01-01T09:59:59Z INFO a",
    "2026-01-01T10:00:00Z ERROR b",
    "java.lang.IllegalStateException: boom",
    "    at com.example.Worker.run(Worker.java:42)",
    "2026-01-01T10:30:00Z INFO c",
    "2026-01-01T11:00:00Z INFO d",
    "    at trailing continuation of d",
    "2026-01-01T10:45:00Z INFO e, out of order",
};

TEST(time_window, since_is_inclusive_and_continuations_follow_their_entry) {
  auto out = texts_of(collect(time_window(lines_from(join(kEntries)), TimestampParser(), at("2026-01-01T10:00"), {})));
  EXPECT_EQ(out, (Texts{"2026-01-01T10:00:00Z ERROR b", "java.lang.IllegalStateException: boom",
                        "    at com.example.Worker.run(Worker.java:42)", "2026-01-01T10:30:00Z INFO c",
                        "2026-01-01T11:00:00Z INFO d", "    at trailing continuation of d",
                        "2026-01-01T10:45:00Z INFO e, out of order"}));
}

TEST(time_window, until_is_exclusive_and_reading_goes_on_past_it) {
  auto out = texts_of(collect(time_window(lines_from(join(kEntries)), TimestampParser(), {}, at("2026-01-01T11:00"))));
  // The preamble precedes every timestamp: in when there is no lower bound. The line after d is
  // earlier than `until` again: logs are not reliably sorted, so the stage reads on.
  EXPECT_EQ(out, (Texts{"preamble without a time", "2026-01-01T09:59:59Z INFO a", "2026-01-01T10:00:00Z ERROR b",
                        "java.lang.IllegalStateException: boom", "    at com.example.Worker.run(Worker.java:42)",
                        "2026-01-01T10:30:00Z INFO c", "2026-01-01T10:45:00Z INFO e, out of order"}));
}

TEST(time_window, both_ends_and_an_empty_window) {
  auto out = texts_of(collect(time_window(lines_from(join(kEntries)), TimestampParser(), at("2026-01-01T10:00:00"),
                                      at("2026-01-01T10:30:00"))));
  EXPECT_EQ(out, (Texts{"2026-01-01T10:00:00Z ERROR b", "java.lang.IllegalStateException: boom",
                        "    at com.example.Worker.run(Worker.java:42)"}));
  EXPECT_TRUE(collect(time_window(lines_from(join(kEntries)), TimestampParser(), at("2026-01-01T10:30"),
                              at("2026-01-01T10:30")))
                  .empty());
}

TEST(time_window, numbers_and_offsets_pass_unchanged) {
  const std::string content = join(kEntries);
  auto out = collect(time_window(lines_from(content), TimestampParser(), at("2026-01-01T10:44"), {}));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].number, 7u);
  EXPECT_EQ(out[0].offset, content.find("2026-01-01T11:00:00Z"));
  EXPECT_EQ(out[1].number, 8u);
  EXPECT_EQ(out[2].number, 9u);
}

TEST(time_window, mixed_formats_and_a_year_less_log) {
  const Texts syslog = {"Dec 31 23:59:00 host cron[1]: old year", "Jan  1 00:00:30 host cron[2]: new year",
                        "  continued", "Jan  1 00:02:00 host cron[3]: later"};
  const TimestampParser parser = TimestampParser::for_file({}, at("2026-01-01T08:00"));
  auto out = texts_of(collect(time_window(lines_from(join(syslog)), parser, at("2026-01-01"), at("2026-01-01T00:01"))));
  EXPECT_EQ(out, (Texts{"Jan  1 00:00:30 host cron[2]: new year", "  continued"}));
}

TEST(time_window, no_timestamp_at_all) {
  const Texts lines = {"a", "b"};
  EXPECT_TRUE(collect(time_window(lines_from(join(lines)), TimestampParser(), 0.0, {})).empty());
  EXPECT_EQ(collect(time_window(lines_from(join(lines)), TimestampParser(), {}, 1e12)).size(), 2u);
}

// ---- the seek ------------------------------------------------------------------------------

std::string iso_ms(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return text;
}

// A log with its line starts and each line's timestamp as the parser reads it.
struct Log {
  std::string content;
  std::vector<std::uint64_t> starts;
  std::vector<std::optional<double>> times;

  void index(const TimestampParser& parser) {
    starts.clear();
    times.clear();
    for (const Line& line : lines_from(content)) {
      starts.push_back(line.offset);
      times.push_back(parser.parse(line.text));
    }
  }
};

// `count` entries, times going up by 0-2.5 s (often equal), with stack traces, an occasional long
// line, and a preamble. `jitter_ms` moves each time by up to that much either way.
Log make_log(std::size_t count, unsigned seed, std::int64_t jitter_ms = 0, const char* eol = "\n",
             const char* start = "2026-01-01T00:00:00") {
  std::mt19937 rng(seed);
  Log log;
  std::string& c = log.content;
  c += "# service started, log format v3";
  c += eol;
  std::int64_t ms = static_cast<std::int64_t>(at(start)) * 1000;
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned r = rng() % 1000;
    if (r < 80) {
      c += "java.lang.RuntimeException: request " + std::to_string(i) + " failed" + eol;
      for (unsigned k = rng() % 4; k > 0; --k) c += "    at com.example.Handler.step" + std::to_string(k) + "(Handler.java:1" + std::to_string(k) + ")" + eol;
      continue;
    }
    if (rng() % 3 != 0) ms += rng() % 2500;
    std::int64_t shown = ms;
    if (jitter_ms > 0) shown += static_cast<std::int64_t>(rng() % (2 * jitter_ms + 1)) - jitter_ms;
    c += iso_ms(shown) + " INFO  [worker-" + std::to_string(rng() % 16) + "] request " + std::to_string(i);
    if (r == 999) c += " payload=" + std::string(40000 + rng() % 40000, 'x');  // longer than a pread
    c += eol;
  }
  return log;
}

// What a scan from byte 0 keeps under --since alone, as line indexes.
std::vector<bool> kept_by_scan(const Log& log, double since) {
  std::vector<bool> kept(log.times.size());
  bool inside = false;
  for (std::size_t i = 0; i < log.times.size(); ++i) {
    if (log.times[i]) inside = *log.times[i] >= since;
    kept[i] = inside;
  }
  return kept;
}

// The answer by a linear scan: the first line with a timestamp >= since, else a last line without
// '\n' (a writer may be finishing it), else the end.
std::uint64_t linear_offset(const Log& log, double since) {
  for (std::size_t i = 0; i < log.times.size(); ++i) {
    if (log.times[i] && *log.times[i] >= since) return log.starts[i];
  }
  if (!log.content.empty() && log.content.back() != '\n') return log.starts.back();
  return log.content.size();
}

// A seek answer is right if it is a line start with a timestamp (or the end), and no line a scan
// would keep lies before it: from there the stage yields what it yields from byte 0.
::testing::AssertionResult seek_is_correct(const Log& log, double since, std::uint64_t offset) {
  if (offset != log.content.size()) {
    auto it = std::lower_bound(log.starts.begin(), log.starts.end(), offset);
    if (it == log.starts.end() || *it != offset) return ::testing::AssertionFailure() << offset << " is not a line start";
    if (!log.times[it - log.starts.begin()]) return ::testing::AssertionFailure() << offset << " has no timestamp";
  }
  const std::vector<bool> kept = kept_by_scan(log, since);
  for (std::size_t i = 0; i < kept.size() && log.starts[i] < offset; ++i) {
    if (kept[i]) return ::testing::AssertionFailure() << "line " << i + 1 << " is kept but skipped by " << offset;
  }
  return ::testing::AssertionSuccess();
}

// The since values worth trying: outside the log, on entries, between and around them.
std::vector<double> since_values(const Log& log, unsigned seed) {
  std::vector<double> stamps;
  for (const auto& t : log.times) {
    if (t) stamps.push_back(*t);
  }
  double lowest = std::numeric_limits<double>::infinity(), highest = -lowest;
  for (double t : stamps) {
    lowest = std::min(lowest, t);
    highest = std::max(highest, t);
  }
  std::vector<double> values = {-1e12, lowest - 3600, lowest, lowest + 0.0005, highest, highest - 0.0005,
                                highest + 0.001, highest + 86400};
  std::mt19937 rng(seed);
  for (int i = 0; i < 60; ++i) {
    const double t = stamps[rng() % stamps.size()];
    values.push_back(t);           // exactly an entry (often shared by several lines)
    values.push_back(t + 0.0005);  // between entries: times are whole milliseconds
    values.push_back(t - 0.0005);
  }
  for (int i = 0; i < 20; ++i) values.push_back(lowest + (highest - lowest) * (rng() % 10000) / 10000.0);
  return values;
}

TEST(find_since_offset, matches_a_linear_scan_on_a_sorted_file) {
  const TimestampParser parser;
  Log log = make_log(200000, 7);
  log.index(parser);
  LogFile file(log.content);
  for (double since : since_values(log, 11)) {
    const std::optional<std::uint64_t> offset = find_since_offset(file.fd(), log.content.size(), parser, since);
    ASSERT_TRUE(offset.has_value()) << std::fixed << since;
    EXPECT_EQ(*offset, linear_offset(log, since)) << std::fixed << since;
  }
  EXPECT_EQ(::lseek(file.fd(), 0, SEEK_CUR), 0) << "the file offset must be left alone";
}

TEST(find_since_offset, the_stage_yields_the_same_from_the_offset) {
  const TimestampParser parser;
  Log log = make_log(30000, 3);
  log.index(parser);
  LogFile file(log.content);
  const std::vector<double> values = since_values(log, 5);
  for (std::size_t i = 0; i < values.size(); i += 9) {
    const double since = values[i];
    const auto offset = find_since_offset(file.fd(), log.content.size(), parser, since);
    ASSERT_TRUE(offset.has_value());
    const auto whole = collect(time_window(lines_from(log.content), parser, since, {}));
    const auto sought = collect(time_window(lines_from(log.content, *offset), parser, since, {}));
    ASSERT_EQ(sought.size(), whole.size()) << std::fixed << since;
    for (std::size_t k = 0; k < whole.size(); ++k) {
      EXPECT_EQ(sought[k].text, whole[k].text);
      EXPECT_EQ(sought[k].offset, whole[k].offset);
    }
  }
}

TEST(find_since_offset, crlf_and_no_final_newline) {
  const TimestampParser parser;
  Log log = make_log(20000, 9, 0, "\r\n");
  log.content += "2030-01-01T00:00:00.000Z INFO  last line, no newline";
  log.index(parser);
  LogFile file(log.content);
  for (double since : since_values(log, 13)) {
    const auto offset = find_since_offset(file.fd(), log.content.size(), parser, since);
    ASSERT_TRUE(offset.has_value());
    EXPECT_EQ(*offset, linear_offset(log, since)) << std::fixed << since;
  }
}

TEST(find_since_offset, small_empty_and_timestamp_free_files) {
  const TimestampParser parser;
  {
    LogFile empty("");
    EXPECT_EQ(find_since_offset(empty.fd(), 0, parser, 0), std::optional<std::uint64_t>(0));
  }
  {
    const std::string text = "no\ntimestamps\nhere\n";
    LogFile plain(text);
    EXPECT_EQ(find_since_offset(plain.fd(), text.size(), parser, 0), std::optional<std::uint64_t>(text.size()));
  }
  {
    Log log;
    log.content = join(kEntries);
    log.index(parser);
    LogFile small(log.content);
    // Small files are walked whole, so even this one, out of order at the end, is answered right.
    for (double since : since_values(log, 17)) {
      const auto offset = find_since_offset(small.fd(), log.content.size(), parser, since);
      if (offset) {
        EXPECT_TRUE(seek_is_correct(log, since, *offset)) << std::fixed << since;
      }
    }
    EXPECT_EQ(find_since_offset(small.fd(), log.content.size(), parser, at("2026-01-01T10:00")),
              std::optional<std::uint64_t>(log.content.find("2026-01-01T10:00:00Z")));
  }
}

TEST(find_since_offset, a_year_less_syslog_file) {
  const TimestampParser parser({}, 2026);
  Log log;
  std::int64_t t = static_cast<std::int64_t>(at("2026-03-01"));
  std::mt19937 rng(21);
  const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 50000; ++i) {
    t += rng() % 40;
    const std::time_t s = static_cast<std::time_t>(t);
    std::tm tm{};
    ::gmtime_r(&s, &tm);
    char head[32];
    std::snprintf(head, sizeof head, "%s %2d %02d:%02d:%02d", months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    log.content += std::string(head) + " gateway sshd[" + std::to_string(rng() % 30000) + "]: session " +
                   std::to_string(i) + "\n";
  }
  log.index(parser);
  LogFile file(log.content);
  for (double since : since_values(log, 23)) {
    const auto offset = find_since_offset(file.fd(), log.content.size(), parser, since);
    ASSERT_TRUE(offset.has_value());
    EXPECT_EQ(*offset, linear_offset(log, since)) << std::fixed << since;
  }
}

TEST(find_since_offset, a_rotated_concatenation_is_answered_exactly) {
  const TimestampParser parser;
  Log sorted = make_log(100000, 31);
  const std::size_t half = sorted.content.find("\n2026", sorted.content.size() / 2) + 1;
  Log log;
  log.content = sorted.content.substr(half) + sorted.content.substr(0, half);  // app.log.1 after app.log
  log.index(parser);
  LogFile file(log.content);
  for (double since : since_values(log, 37)) {
    const auto offset = find_since_offset(file.fd(), log.content.size(), parser, since);
    ASSERT_TRUE(offset.has_value());
    EXPECT_EQ(*offset, linear_offset(log, since)) << std::fixed << since;
  }
}

TEST(find_since_offset, out_of_order_files_are_answered_exactly) {
  const TimestampParser parser;
  struct Case {
    const char* name;
    Log log;
  };
  std::vector<Case> cases;
  // Threads writing a few seconds out of step.
  cases.push_back({"jitter", make_log(60000, 41, 5000)});
  // Two services appending to one file in blocks of 300 lines, an hour apart.
  {
    const Log a = make_log(30000, 43), b = make_log(30000, 47, 0, "\n", "2026-01-01T01:00:00");
    std::vector<std::string> la, lb;
    for (const Line& line : lines_from(a.content)) la.emplace_back(line.text);
    for (const Line& line : lines_from(b.content)) lb.emplace_back(line.text);
    Log mixed;
    for (std::size_t i = 0; i < std::max(la.size(), lb.size()); i += 300) {
      for (std::size_t k = i; k < i + 300 && k < la.size(); ++k) mixed.content += la[k] + "\n";
      for (std::size_t k = i; k < i + 300 && k < lb.size(); ++k) mixed.content += lb[k] + "\n";
    }
    cases.push_back({"interleaved", mixed});
  }
  // A few lines hours late, or one line hours early, in an otherwise sorted file.
  for (double where : {0.5, 0.37, 0.81, 0.1}) {
    Log log = make_log(60000, 53);
    const std::size_t at_middle = log.content.find("\n2026", static_cast<std::size_t>(log.content.size() * where)) + 1;
    log.content.insert(at_middle, "2025-12-31T23:00:00.000Z WARN  [worker-1] replayed from a queue\n"
                                  "2025-12-31T23:00:01.000Z WARN  [worker-1] replayed from a queue\n");
    cases.push_back({"late lines", log});
    log.content.insert(at_middle, "2026-01-01T09:00:00.000Z ANOMALY\n");
    cases.push_back({"an early line", log});
  }
  for (Case& c : cases) {
    c.log.index(parser);
    LogFile file(c.log.content);
    for (double since : since_values(c.log, 59)) {
      const auto offset = find_since_offset(file.fd(), c.log.content.size(), parser, since);
      ASSERT_TRUE(offset.has_value());
      EXPECT_EQ(*offset, linear_offset(c.log, since)) << c.name << " " << std::fixed << since;
    }
  }
}

// Issue 13: one line from the future early in a file, where 16 samples did not look; the seek
// skipped it.
TEST(find_since_offset, a_short_stretch_out_of_order_is_not_skipped) {
  const TimestampParser parser;
  Log log;
  const std::int64_t start = static_cast<std::int64_t>(at("2026-01-01")) * 1000;
  for (int i = 0; i < 360000; ++i) {
    if (i == 36000) log.content += "2026-01-01T09:00:00.000Z ANOMALY\n";
    log.content += iso_ms(start + 100 * std::int64_t{i}) + " INFO msg\n";
  }
  log.index(parser);
  LogFile file(log.content);
  const auto offset = find_since_offset(file.fd(), log.content.size(), parser, at("2026-01-01T08:00"));
  ASSERT_TRUE(offset.has_value());
  EXPECT_EQ(*offset, log.content.find("2026-01-01T09:00:00.000Z ANOMALY"));
}

// A line holding a NUL makes the input binary for the printer from there on: it is never skipped.
TEST(find_since_offset, a_nul_byte_is_not_skipped) {
  const TimestampParser parser;
  Log log = make_log(20000, 71);
  const std::size_t line = log.content.find("\n2026", log.content.size() / 3) + 1;
  log.content.insert(log.content.find(' ', line), 1, '\0');
  log.index(parser);
  LogFile file(log.content);
  for (double since : since_values(log, 73)) {
    const auto offset = find_since_offset(file.fd(), log.content.size(), parser, since);
    ASSERT_TRUE(offset.has_value());
    EXPECT_EQ(*offset, std::min<std::uint64_t>(linear_offset(log, since), line)) << std::fixed << since;
  }
}

// The fast check compares a line's ISO text with a reference line just before `since` (here
// 10:01:00.690): lines that sort before it in text but not in time must still be found.
TEST(find_since_offset, lines_that_sort_before_the_reference_as_text_but_not_in_time) {
  const TimestampParser parser;
  const double since = at("2026-01-01T10:01:00.700");
  const std::int64_t start = static_cast<std::int64_t>(at("2026-01-01T10:00:00")) * 1000;
  struct Case {
    const char* line;
    bool found;  // at or after since, so the answer
  };
  const Case cases[] = {
      {"2026-01-01T10:00:60.999Z a leap second, 10:01:00.999", true},
      {"2026-01-01T10:00:99.000Z not a time; 2026-01-01T11:00:00Z is", true},
      {"2026-01-01T10:00:30.000-05:00 another zone", true},
      {"2026-01-01T10:01:00.7Z a shorter fraction", true},
      {"2026-01-01T10:02Z no seconds", true},
      {"2026-01-01T10:01:00.690Z5 a digit after the zone", false},
      {"2026-01-01T10:01:00.6999Z a longer fraction", false},
  };
  for (const Case& c : cases) {
    Log log;
    for (std::int64_t ms = start; ms < start + 65000; ms += 10) {
      if (ms == start + 6000) log.content += std::string(c.line) + "\n";
      log.content += iso_ms(ms) + " INFO msg\n";
    }
    log.index(parser);
    LogFile file(log.content);
    const auto offset = find_since_offset(file.fd(), log.content.size(), parser, since);
    ASSERT_TRUE(offset.has_value());
    EXPECT_EQ(*offset, linear_offset(log, since)) << c.line;
    EXPECT_EQ(*offset == log.content.find(c.line), c.found) << c.line;
  }
}

// ---- a differential test: the seek against the scan on random files ---------------------------

// One random timestamp format: writes a time (whole milliseconds) as a line would start.
std::string stamp(int format, std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  const int frac = static_cast<int>(ms % 1000);
  const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[96];
  switch (format) {
    case 0:  // ISO with T, milliseconds, Z
      return iso_ms(ms);
    case 1:  // ISO with a blank and a comma, no zone (read as UTC)
      std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d,%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
      return text;
    case 2: {  // ISO in another zone, whole seconds
      const std::time_t east = seconds + 2 * 3600;
      ::gmtime_r(&east, &tm);
      std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d+02:00", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      return text;
    }
    case 3:  // syslog
      std::snprintf(text, sizeof text, "%s %2d %02d:%02d:%02d", months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min,
                    tm.tm_sec);
      return text;
    case 4:  // Apache access, after the client fields
      std::snprintf(text, sizeof text, "10.0.0.%d - - [%02d/%s/%04d:%02d:%02d:%02d +0000]", static_cast<int>(ms % 250),
                    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
      return text;
    default:  // epoch seconds with a fraction
      std::snprintf(text, sizeof text, "%lld.%03d", static_cast<long long>(seconds), frac);
      return text;
  }
}

// A random log: mostly in order, with clock steps back and forward, single lines out of place, stack
// traces, lines whose start only looks like a timestamp, leap seconds, another fraction width, and a
// second format now and then.
Log random_log(std::mt19937& rng, int format) {
  Log log;
  std::int64_t ms = static_cast<std::int64_t>(at("2026-01-01")) * 1000 + rng() % 86400000;
  const int lines = 3000 + static_cast<int>(rng() % 9000);
  for (int i = 0; i < lines; ++i) {
    const unsigned r = rng() % 1000;
    if (r < 60) {
      log.content += "    at com.example.Step.run(Step.java:" + std::to_string(rng() % 900) + ")\n";
      continue;
    }
    ms += rng() % 3000;
    std::int64_t shown = ms;
    if (r < 62) ms -= 20 * 60 * 1000;                   // the clock steps back 20 minutes
    else if (r < 64) ms += 3 * 3600 * 1000;             // ... or forward 3 hours
    else if (r < 67) shown += 9 * 3600 * 1000;          // one line from the future
    else if (r < 70) shown -= 5 * 3600 * 1000;          // one line from the past
    std::string head = stamp(r < 75 ? static_cast<int>(rng() % 6) : format, shown);
    if (r >= 75 && r < 78 && format == 0) {
      // Starts like an ISO time but is not a valid one; the real time comes later in the line.
      head = "2026-01-01T10:99:00.000Z then " + stamp(0, shown + 3600 * 1000);
    } else if (r >= 78 && r < 80 && format == 0) {
      head = head.substr(0, 17) + "60.999Z";  // a leap second
    } else if (r >= 80 && r < 82 && format == 0) {
      head.insert(23, "4");  // four digits of fraction
    }
    log.content += head + " INFO request " + std::to_string(i) + "\n";
  }
  return log;
}

TEST(find_since_offset, random_files_seek_and_scan_agree) {
  std::mt19937 rng(20260101);
  int sought = 0, tried = 0;
  for (int file = 0; file < 24; ++file) {
    const int format = file % 6;
    const TimestampParser parser({}, 2026);
    Log log = random_log(rng, format);
    log.index(parser);
    ASSERT_GT(log.content.size(), 65536u);  // past the size where the fast check is used
    LogFile fd(log.content);
    std::vector<double> values = since_values(log, rng());
    for (std::size_t i = 0; i < values.size(); i += 3) {
      const double since = values[i];
      const std::optional<double> until =
          rng() % 2 ? std::optional<double>(values[rng() % values.size()]) : std::nullopt;
      const auto offset = find_since_offset(fd.fd(), log.content.size(), parser, since);
      ASSERT_TRUE(offset.has_value());
      ++tried;
      if (*offset > 0) ++sought;
      EXPECT_EQ(*offset, linear_offset(log, since)) << "format " << format << " since " << std::fixed << since;
      auto chain = [&](std::uint64_t from) {
        generator<Line> lines = time_window(lines_from(log.content, from), parser, since, {});
        if (until) lines = time_window(std::move(lines), parser, {}, until);
        return collect(std::move(lines));
      };
      const auto whole = chain(0);
      const auto from_offset = chain(*offset);
      ASSERT_EQ(from_offset.size(), whole.size()) << "format " << format << " since " << std::fixed << since;
      for (std::size_t k = 0; k < whole.size(); ++k) {
        EXPECT_EQ(from_offset[k].text, whole[k].text);
        EXPECT_EQ(from_offset[k].offset, whole[k].offset);
      }
    }
  }
  // The test is worth something only if the seek skipped lines in most cases.
  EXPECT_GT(sought, tried / 2) << sought << " of " << tried;
}

TEST(find_since_offset, stretches_without_timestamps) {
  const TimestampParser parser;
  // A 270 KB thread dump, and a 3.5 MB one (more than the probes read), are walked through.
  for (int frames : {15000, 200000}) {
    Log log = make_log(20000, 61);
    const std::size_t middle = log.content.find("\n2026", log.content.size() / 2) + 1;
    std::string dump;
    for (int i = 0; i < frames; ++i) dump += "    at frame " + std::to_string(i) + "\n";
    log.content.insert(middle, dump);
    log.index(parser);
    LogFile file(log.content);
    const std::vector<double> values = since_values(log, 67);
    for (std::size_t i = 0; i < values.size(); i += frames > 100000 ? 5 : 1) {
      const auto offset = find_since_offset(file.fd(), log.content.size(), parser, values[i]);
      ASSERT_TRUE(offset.has_value()) << std::fixed << values[i];
      EXPECT_EQ(*offset, linear_offset(log, values[i])) << std::fixed << values[i];
    }
  }
}

}  // namespace
}  // namespace logsift
