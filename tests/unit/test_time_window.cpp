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

namespace logsift {
namespace {

using Texts = std::vector<std::string>;

// A line as it left the stage, copied: a Line's text is only valid until the next pull.
struct Out {
  std::string text;
  std::uint64_t number;
  std::uint64_t offset;
  friend bool operator==(const Out&, const Out&) = default;
};

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

std::vector<Out> run(generator<Line> lines) {
  std::vector<Out> out;
  for (const Line& line : lines) out.push_back({std::string(line.text), line.number, line.offset});
  return out;
}

Texts texts_of(const std::vector<Out>& out) {
  Texts texts;
  for (const Out& o : out) texts.push_back(o.text);
  return texts;
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
  auto out = texts_of(run(time_window(lines_from(join(kEntries)), TimestampParser(), at("2026-01-01T10:00"), {})));
  EXPECT_EQ(out, (Texts{"2026-01-01T10:00:00Z ERROR b", "java.lang.IllegalStateException: boom",
                        "    at com.example.Worker.run(Worker.java:42)", "2026-01-01T10:30:00Z INFO c",
                        "2026-01-01T11:00:00Z INFO d", "    at trailing continuation of d",
                        "2026-01-01T10:45:00Z INFO e, out of order"}));
}

TEST(time_window, until_is_exclusive_and_reading_goes_on_past_it) {
  auto out = texts_of(run(time_window(lines_from(join(kEntries)), TimestampParser(), {}, at("2026-01-01T11:00"))));
  // The preamble precedes every timestamp: in when there is no lower bound. The line after d is
  // earlier than `until` again: logs are not reliably sorted, so the stage reads on.
  EXPECT_EQ(out, (Texts{"preamble without a time", "2026-01-01T09:59:59Z INFO a", "2026-01-01T10:00:00Z ERROR b",
                        "java.lang.IllegalStateException: boom", "    at com.example.Worker.run(Worker.java:42)",
                        "2026-01-01T10:30:00Z INFO c", "2026-01-01T10:45:00Z INFO e, out of order"}));
}

TEST(time_window, both_ends_and_an_empty_window) {
  auto out = texts_of(run(time_window(lines_from(join(kEntries)), TimestampParser(), at("2026-01-01T10:00:00"),
                                      at("2026-01-01T10:30:00"))));
  EXPECT_EQ(out, (Texts{"2026-01-01T10:00:00Z ERROR b", "java.lang.IllegalStateException: boom",
                        "    at com.example.Worker.run(Worker.java:42)"}));
  EXPECT_TRUE(run(time_window(lines_from(join(kEntries)), TimestampParser(), at("2026-01-01T10:30"),
                              at("2026-01-01T10:30")))
                  .empty());
}

TEST(time_window, numbers_and_offsets_pass_unchanged) {
  const std::string content = join(kEntries);
  auto out = run(time_window(lines_from(content), TimestampParser(), at("2026-01-01T10:44"), {}));
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
  auto out = texts_of(run(time_window(lines_from(join(syslog)), parser, at("2026-01-01"), at("2026-01-01T00:01"))));
  EXPECT_EQ(out, (Texts{"Jan  1 00:00:30 host cron[2]: new year", "  continued"}));
}

TEST(time_window, no_timestamp_at_all) {
  const Texts lines = {"a", "b"};
  EXPECT_TRUE(run(time_window(lines_from(join(lines)), TimestampParser(), 0.0, {})).empty());
  EXPECT_EQ(run(time_window(lines_from(join(lines)), TimestampParser(), {}, 1e12)).size(), 2u);
}

// ---- the seek ------------------------------------------------------------------------------

class LogFile {
 public:
  explicit LogFile(const std::string& content) {
    char name[] = "/tmp/logsift-time-window-XXXXXX";
    fd_ = ::mkstemp(name);
    path_ = name;
    EXPECT_EQ(::write(fd_, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    ::lseek(fd_, 0, SEEK_SET);
  }
  ~LogFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }

 private:
  int fd_;
  std::string path_;
};

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

// The answer by a linear scan: the first line with a timestamp >= since.
std::uint64_t linear_offset(const Log& log, double since) {
  for (std::size_t i = 0; i < log.times.size(); ++i) {
    if (log.times[i] && *log.times[i] >= since) return log.starts[i];
  }
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
    const auto whole = run(time_window(lines_from(log.content), parser, since, {}));
    const auto sought = run(time_window(lines_from(log.content, *offset), parser, since, {}));
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

TEST(find_since_offset, a_rotated_concatenation_is_refused) {
  const TimestampParser parser;
  Log sorted = make_log(100000, 31);
  const std::size_t half = sorted.content.find("\n2026", sorted.content.size() / 2) + 1;
  Log log;
  log.content = sorted.content.substr(half) + sorted.content.substr(0, half);  // app.log.1 after app.log
  log.index(parser);
  LogFile file(log.content);
  int refused = 0, total = 0;
  for (double since : since_values(log, 37)) {
    const auto offset = find_since_offset(file.fd(), log.content.size(), parser, since);
    ++total;
    if (!offset) {
      ++refused;
      continue;
    }
    EXPECT_TRUE(seek_is_correct(log, since, *offset)) << std::fixed << since;
  }
  // Only a since before every line, where the answer is the first line, can be answered.
  EXPECT_GE(refused, total - 4);
}

TEST(find_since_offset, out_of_order_files_get_a_correct_offset_or_none) {
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
  // A few lines hours late in an otherwise sorted file, where the samples look and where they do not.
  for (double where : {0.5, 0.37, 0.81}) {
    Log log = make_log(60000, 53);
    const std::size_t at_middle = log.content.find("\n2026", static_cast<std::size_t>(log.content.size() * where)) + 1;
    log.content.insert(at_middle, "2025-12-31T23:00:00.000Z WARN  [worker-1] replayed from a queue\n"
                                  "2025-12-31T23:00:01.000Z WARN  [worker-1] replayed from a queue\n");
    cases.push_back({"late lines", log});
  }
  for (Case& c : cases) {
    c.log.index(parser);
    LogFile file(c.log.content);
    int answered = 0;
    for (double since : since_values(c.log, 59)) {
      const auto offset = find_since_offset(file.fd(), c.log.content.size(), parser, since);
      if (!offset) continue;
      ++answered;
      EXPECT_TRUE(seek_is_correct(c.log, since, *offset)) << c.name << " " << std::fixed << since;
    }
    std::printf("[          ] %s: answered %d, fell back otherwise\n", c.name, answered);
  }
}

TEST(find_since_offset, stretches_without_timestamps) {
  const TimestampParser parser;
  // A 270 KB thread dump is walked through; a 3.5 MB one makes the seek give up (or still be right).
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
      if (frames < 100000) {
        ASSERT_TRUE(offset.has_value()) << std::fixed << values[i];
        EXPECT_EQ(*offset, linear_offset(log, values[i])) << std::fixed << values[i];
      } else if (offset) {
        EXPECT_TRUE(seek_is_correct(log, values[i], *offset)) << std::fixed << values[i];
      }
    }
  }
}

}  // namespace
}  // namespace logsift
