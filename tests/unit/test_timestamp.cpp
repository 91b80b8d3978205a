#include "logsift/timestamp.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "logsift/error.hpp"
#include "support.hpp"

namespace logsift {
namespace {

using test::utc;

const double k10am = utc(2026, 1, 1, 10);

void expect_time(const TimestampParser& parser, const std::string& line, double expected) {
  const std::optional<double> t = parser.parse(line);
  ASSERT_TRUE(t.has_value()) << line;
  EXPECT_NEAR(*t, expected, 1e-6) << line;
}

void expect_none(const TimestampParser& parser, const std::string& line) {
  const std::optional<double> t = parser.parse(line);
  EXPECT_FALSE(t.has_value()) << line << " gave " << t.value_or(0);
}

// ---- auto-detection ------------------------------------------------------------------------

TEST(timestamp, iso_with_t_or_space_fraction_and_zone) {
  const TimestampParser p;
  expect_time(p, "2026-01-01T10:00:00Z INFO  [main] started", k10am);
  expect_time(p, "2026-01-01T10:00:00.123+02:00 WARN disk", k10am - 7200 + 0.123);
  expect_time(p, "2026-01-01T10:00:00.5-05:30 x", k10am + 5.5 * 3600 + 0.5);
  expect_time(p, "2026-01-01T10:00:00+0100 x", k10am - 3600);
  expect_time(p, "2026-01-01T10:00:00+01 x", k10am - 3600);
  expect_time(p, "2026-01-01T10:00:00.123456789Z x", k10am + 0.123456789);
  expect_time(p, "2026-01-01T10:00:00.1234567891234Z x", k10am + 0.123456789);  // beyond ns: ignored
  expect_time(p, "2026-01-01 10:00:00 INFO plain", k10am);
  expect_time(p, "2026-01-01 10:00:00,456 INFO [main] log4j comma", k10am + 0.456);
  expect_time(p, "2026-01-01 10:00:07, Info                  CBS    comma without fraction", k10am + 7);
  expect_time(p, "2026-01-01 10:00:00,789 - INFO  [Quorum] dash after", k10am + 0.789);
  expect_time(p, "2026-01-01T10:00Z minutes only", k10am);
  expect_time(p, "2026-01-01 10:00:00-worker-3 not a zone", k10am);
  expect_time(p, "2024-02-29T23:59:60Z leap day, leap second", utc(2024, 3, 1));
  expect_time(p, "2026-01-01T10:00:00Z\r", k10am);  // CRLF input keeps the '\r'
}

TEST(timestamp, iso_after_a_prefix_and_the_leftmost_wins) {
  const TimestampParser p;
  // A file name with a date in it, then the entry's own timestamp.
  expect_time(p, "api.log.1.2026-01-01_09:00:00 2026-01-01 10:00:00.008 25746 INFO req", k10am + 0.008);
  expect_time(p, "<13>1 2026-01-01T10:00:00Z host app - - msg", k10am);
  expect_time(p, "2026-01-01 10:00:00 then 2027-01-01 10:00:00", k10am);
  expect_time(p, "level=info ts=2026-01-01T10:00:00Z msg=hi", k10am);
  // The timestamp must start in the first 64 bytes.
  expect_time(p, std::string(62, '.') + " 2026-01-01T10:00:00Z", k10am);
  expect_none(p, std::string(63, '.') + " 2026-01-01T10:00:00Z");
}

TEST(timestamp, syslog_takes_the_default_year) {
  const TimestampParser p({}, 2025);
  expect_time(p, "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure", utc(2025, 6, 14, 15, 16, 1));
  expect_time(p, "Jul  1 09:00:55 laptop kernel[0]: padded day", utc(2025, 7, 1, 9, 0, 55));
  expect_time(p, "Nov 9 12:01:01 dn228/dn228 crond[2916]: one-digit day", utc(2025, 11, 9, 12, 1, 1));
  expect_time(p, "Dec 10 06:55:46 gateway sshd[24200]: Invalid user", utc(2025, 12, 10, 6, 55, 46));
  expect_time(p, "Feb 29 00:00:00 host leap day in a year-less format", utc(2025, 3, 1));
  const TimestampParser other({}, 2031);
  expect_time(other, "Jun 14 15:16:01 combo x", utc(2031, 6, 14, 15, 16, 1));
  // Inside a larger line, after an epoch: the leftmost timestamp is the epoch.
  expect_time(p, "- 1767261600 2026.01.01 dn228 Jan 1 10:00:00 dn228/dn228 crond", k10am);
}

TEST(timestamp, syslog_year_from_the_file_time_rolls_back_over_new_year) {
  // Modified on 2026-01-02: December lines are from 2025, January lines from 2026.
  const TimestampParser p = TimestampParser::for_file({}, utc(2026, 1, 2, 8), 0);
  expect_time(p, "Dec 31 23:59:59 host cron: before midnight", utc(2025, 12, 31, 23, 59, 59));
  expect_time(p, "Jan  1 00:00:01 host cron: after midnight", utc(2026, 1, 1, 0, 0, 1));
  expect_time(p, "Jan  3 00:00:00 host a day of slack for clocks", utc(2026, 1, 3));
  expect_time(p, "Jan  4 00:00:00 host beyond the slack", utc(2025, 1, 4));
  // Formats with a year do not roll.
  expect_time(p, "2026-12-31 10:00:00 future", utc(2026, 12, 31, 10));
}

TEST(timestamp, apache_error_and_access_logs) {
  const TimestampParser p;
  expect_time(p, "[Thu Jan 01 10:00:00 2026] [notice] workerEnv.init() ok /etc/httpd/conf/x", k10am);
  expect_time(p, "[Thu Jan  1 10:00:00 2026] [error] padded day", k10am);
  expect_time(p, "[Thu Jan 01 10:00:00.250000 2026] [core:error] [pid 12] microseconds", k10am + 0.25);
  expect_time(p, "192.0.2.7 - - [01/Jan/2026:10:00:00 +0000] \"GET /index.html HTTP/1.1\" 200 512", k10am);
  expect_time(p, "192.0.2.7 - frank [01/Jan/2026:11:00:00 +0100] \"GET / HTTP/1.1\" 200 2326", k10am);
  expect_time(p, "192.0.2.7 - - [01/Jan/2026:04:30:00 -0530] \"POST /login HTTP/1.1\" 302 0", k10am);
  // A long client field: the bracket sits past 64 bytes, still within 128.
  const std::string client = "2001:db8:85a3:0:0:8a2e:370:7334 - some.very.long.user.name@example.org ";
  ASSERT_GT(client.size(), 64u);
  expect_time(p, client + "[01/Jan/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1", k10am);
  expect_none(p, std::string(130, 'x') + " [01/Jan/2026:10:00:00 +0000] too far");
  // Brackets that are not timestamps.
  expect_none(p, "[worker-7] [INFO] nothing here");
  // Not the Apache form without its year, but a syslog timestamp inside it.
  expect_time(p, "[Thu Jan 01 10:00:00] no year", utc(1970, 1, 1, 10));
}

TEST(timestamp, compact_slashed_and_epoch_forms) {
  const TimestampParser p;
  expect_time(p, "260101 100000 148 INFO dfs.DataNode$PacketResponder: terminating", k10am);
  expect_time(p, "991231 235959 7 INFO last of the century", utc(1999, 12, 31, 23, 59, 59));
  expect_time(p, "26/01/01 10:00:00 INFO executor.Backend: Registered signal handlers", k10am);
  expect_time(p, "26/01/01 10:00:00,5 INFO with a fraction", k10am + 0.5);
  expect_time(p, "- 1767261600 2026.01.01 R02-M1-N0-C:J12-U11 RAS KERNEL INFO cache", k10am);
  expect_time(p, "KERNDTLB 1767261600 2026.01.01 R23-M0 RAS KERNEL FATAL data TLB", k10am);
  expect_time(p, "134681 node-246 unix.hw state_change.unavailable 1767261600 1 Component", k10am);
  expect_time(p, "1767261600.25 epoch with a fraction", k10am + 0.25);
  expect_time(p, "ts=1767261600 msg=hello", k10am);
}

TEST(timestamp, nginx_android_klog_dashed_bracketed_and_epoch_milliseconds) {
  const TimestampParser p(std::string_view{}, 2026);
  expect_time(p, "2026/01/01 10:00:00 [error] 1234#0: *5 open() failed", k10am);
  expect_time(p, "2026/01/01 10:00:00.25 [warn] with a fraction", k10am + 0.25);
  expect_time(p, "01-01 10:00:00.811  1795  1825 I PowerManager: acquire", k10am + 0.811);
  expect_time(p, "I0101 10:00:00.123456   12345 server.go:42] started", k10am + 0.123456);
  expect_time(p, "E0101 10:00:00.5 1 main.go:1] failed", k10am + 0.5);
  expect_time(p, "20260101-10:00:00:606|Step_LSC|30002312|onStandStepChanged 3579", k10am + 0.606);
  expect_time(p, "20260101-10:00:00 without milliseconds", k10am);
  expect_time(p, "[01.01 10:00:00] chrome.exe - proxy.example.com:443 open", k10am);
  expect_time(p, "1767261600250 epoch milliseconds", k10am + 0.25);
  // Year-less forms take the parser's default year, as syslog does.
  expect_time(TimestampParser(std::string_view{}, 2025), "I0101 10:00:00.0 1 a.go:1] x", utc(2025, 1, 1, 10));
  for (const char* line : {
           "2026/13/01 10:00:00 month 13",
           "2026/01/01 10:00 no seconds",
           "13-01 10:00:00.000 month 13",
           "02-30 10:00:00.000 February 30",
           "X0101 10:00:00.000 not a severity letter",
           "I0101 25:00:00.000 hour 25",
           "20261301-10:00:00:000 month 13",
           "[13.01 10:00:00] month 13",
           "[01.01 10:00:00 no closing bracket",
           "176726160025 twelve digits",
           "17672616002501 fourteen digits",
           "1767261600250abc a hex id",
       }) {
    expect_none(p, line);
  }
}

TEST(timestamp, lines_without_a_timestamp) {
  const TimestampParser p;
  for (const char* line : {
           "",
           "    at com.example.OrderService.process(OrderService.java:42)",
           "Caused by: java.lang.IllegalStateException: queue full",
           "\t... 23 more",
           "Traceback (most recent call last):",
           "order 12345678901 has 11 digits, 123456789 has 9",
           "blk_1767261600 is part of a name, v1.1767261600 of a version",
           "-1767261600 is negative, :1767261600 a port, /1767261600 a path",
           "1767261600abc is a hex id, 1767261600-12 a range",
           "0767261600 leading zero",
           "payload dump: 2026-01-01 is a date without a time",
           "2026-13-01T10:00:00Z month 13",
           "2026-02-29T10:00:00Z not a leap year",
           "2026-01-01T24:00:00Z hour 24",
           "2026-01-01T10:60:00Z minute 60",
           "Jun 32 10:00:00 host day 32",
           "June 14 15:16:01 host full month name",
           "Jun 14 15:16 host no seconds",
           "261301 100000 month 13",
           "2601011 100000 seven digits",
           "260101 1000001 seven digits",
           "26/13/01 10:00:00 month 13",
           "x2026-01-01T10:00:00Z glued to a word",
       }) {
    expect_none(p, line);
  }
  expect_time(p, "id42 260101 100000 a blank separates them", k10am);
}

TEST(timestamp, only_the_first_lookahead_bytes_count) {
  const TimestampParser p;
  const std::string line = "2026-01-01T10:00:00.123456789" + std::string(300, '1') + "+02:00";
  // The zone is past kLookahead: the same answer for the whole line and its first bytes.
  EXPECT_EQ(p.parse(line), p.parse(line.substr(0, TimestampParser::kLookahead)));
  expect_time(p, line, k10am + 0.123456789);
}

TEST(timestamp, results_do_not_depend_on_lines_seen_before) {
  const std::vector<std::string> lines = {
      "Jun 14 15:16:01 combo sshd[1]: a",
      "2026-01-01T10:00:00Z b",
      "    at continuation",
      "[Thu Jan 01 10:00:00 2026] [notice] c",
      "xThu Jan 01 10:00:00 2026] not Apache: the syslog form inside",
      "[Thu Jan 01 10:00:00 2026] [notice] c again",
      "x01/Jan/2026:10:00:00 +0000] not Apache either",
      "[01/Jan/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1",
      "192.0.2.7 - - [01/Jan/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1",
      "260101 100000 148 INFO d",
      "26/01/01 10:00:00 INFO e",
      "- 1767261600 2026.01.01 f",
      "1767261600 2026-01-01 10:00:00 leftmost is the epoch, either way",
  };
  std::vector<std::optional<double>> fresh;
  for (const std::string& line : lines) fresh.push_back(TimestampParser({}, 2025).parse(line));
  const TimestampParser shared({}, 2025);
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::size_t j = round == 0 ? i : round == 1 ? lines.size() - 1 - i : (i * 5 + 2) % lines.size();
      EXPECT_EQ(shared.parse(lines[j]), fresh[j]) << lines[j];
    }
  }
}

TEST(timestamp, parse_is_safe_from_several_threads) {
  const TimestampParser shared({}, 2025);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < 20000; ++i) {
        const bool iso = (i + k) % 2 == 0;
        const auto t = shared.parse(iso ? "2026-01-01T10:00:00Z x" : "Jan  1 10:00:00 host x");
        const double expected = iso ? k10am : utc(2025, 1, 1, 10);
        if (!t || *t != expected) ++wrong[k];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int k = 0; k < 4; ++k) EXPECT_EQ(wrong[k], 0);
}

TEST(timestamp, default_utc_offset_applies_only_without_a_zone) {
  const TimestampParser east({}, 2026, 3600);  // the text was written at UTC+1
  expect_time(east, "2026-01-01 11:00:00 local", k10am);
  expect_time(east, "2026-01-01T10:00:00Z explicit", k10am);
  expect_time(east, "Jan  1 11:00:00 host syslog", k10am);
  expect_time(east, "1767261600 epoch is always UTC", k10am);
}

// ---- --time-format -------------------------------------------------------------------------

TEST(timestamp, time_format_conversions) {
  expect_time(TimestampParser("%Y-%m-%d %H:%M:%S"), "2026-01-01 10:00:00 x", k10am);
  expect_time(TimestampParser("%F %T"), "2026-01-01 10:00:00 x", k10am);
  expect_time(TimestampParser("%FT%T.%f%z"), "2026-01-01T10:00:00.25+02:00 x", k10am - 7200 + 0.25);
  expect_time(TimestampParser("[%d/%b/%Y:%T %z]"), "h - - [01/Jan/2026:10:00:00 +0000] \"GET /\"", k10am);
  expect_time(TimestampParser("%d %B %Y %H:%M"), "01 January 2026 10:00 full month name", k10am);
  expect_time(TimestampParser("%a %b %e %T %Y"), "Thu Jan  1 10:00:00 2026", k10am);
  expect_time(TimestampParser("%A, %d-%b-%y %T"), "Thursday, 01-Jan-26 10:00:00", k10am);
  expect_time(TimestampParser("%s"), "1767261600 x", k10am);
  expect_time(TimestampParser("%s.%f"), "t=1767261600.5 x", k10am + 0.5);
  expect_time(TimestampParser("%Y %j %T"), "2026 001 10:00:00", k10am);
  expect_time(TimestampParser("%Y %j %T"), "2024 366 10:00:00", utc(2024, 12, 31, 10));
  expect_time(TimestampParser("%m/%d/%Y %I:%M:%S %p"), "01/01/2026 10:00:00 AM", k10am);
  expect_time(TimestampParser("%m/%d/%Y %I:%M:%S %p"), "01/01/2026 12:30:00 pm", utc(2026, 1, 1, 12, 30));
  expect_time(TimestampParser("%m/%d/%Y %I:%M:%S %p"), "01/01/2026 12:30:00 AM", utc(2026, 1, 1, 0, 30));
  expect_time(TimestampParser("100%% %F"), "at 100% 2026-01-01", utc(2026, 1, 1));
  // Unpadded fields and glued digits, as some apps write them: 20260101-1:2:35:789|...
  expect_time(TimestampParser("%Y%m%d-%H:%M:%S:%f"), "20260101-1:2:35:789|Step_LSC|30002312|onStandStepChanged",
              utc(2026, 1, 1, 1, 2, 35) + 0.789);
  // Year-less formats take the default year.
  expect_time(TimestampParser("[%m.%d %H:%M:%S]", 2025), "[10.30 16:49:06] chrome.exe - proxy open",
              utc(2025, 10, 30, 16, 49, 6));
  expect_time(TimestampParser("%m-%d %H:%M:%S.%f", 2025), "01-01 10:00:00.811  1702  2395 D WindowManager",
              utc(2025, 1, 1, 10) + 0.811);
  // A blank in the format matches a run of blanks.
  expect_time(TimestampParser("%b %d %T", 2026), "Jan   1 10:00:00 host", k10am);
}

TEST(timestamp, time_format_searches_near_the_start_and_validates) {
  const TimestampParser p("%Y-%m-%d %H:%M:%S");
  expect_time(p, "prefix: 2026-01-01 10:00:00 x", k10am);
  expect_none(p, "12026-01-01 10:00:00 a longer number is not a year");
  expect_none(p, "2026-02-30 10:00:00 no such day");
  expect_none(p, "2026-01-01 25:00:00 no such hour");
  expect_none(p, "    at com.example.Foo.bar(Foo.java:42)");
  expect_none(p, std::string(130, ' ') + "2026-01-01 10:00:00");
}

TEST(timestamp, bad_time_formats_are_usage_errors) {
  for (const char* format : {"%Q", "%H:%M:%S", "%Y-%m", "%F %", "%b %H"}) {
    try {
      TimestampParser parser(format);
      ADD_FAILURE() << format << " was accepted";
    } catch (const UsageError& error) {
      EXPECT_NE(std::string(error.what()).find(format), std::string::npos) << error.what();
    }
  }
}

// ---- TIME arguments ------------------------------------------------------------------------

const double kNow = utc(2026, 3, 15, 12, 34, 56) + 0.5;

TEST(time_argument, relative_ages) {
  EXPECT_EQ(parse_time_argument("30s", kNow), kNow - 30);
  EXPECT_EQ(parse_time_argument("30m", kNow), kNow - 1800);
  EXPECT_EQ(parse_time_argument("2h", kNow), kNow - 7200);
  EXPECT_EQ(parse_time_argument("3d", kNow), kNow - 3 * 86400);
  EXPECT_EQ(parse_time_argument("1w", kNow), kNow - 7 * 86400);
  EXPECT_EQ(parse_time_argument("1.5h", kNow), kNow - 5400);
  EXPECT_EQ(parse_time_argument("0m", kNow), kNow);
  EXPECT_EQ(parse_time_argument("now", kNow), kNow);
  EXPECT_EQ(parse_time_argument(" 2h ", kNow), kNow - 7200);
}

TEST(time_argument, absolute_times_are_utc_unless_zoned) {
  EXPECT_EQ(parse_time_argument("2026-01-01", kNow), utc(2026, 1, 1));
  EXPECT_EQ(parse_time_argument("2026-01-01T10:00", kNow), k10am);
  EXPECT_EQ(parse_time_argument("2026-01-01 10:00:00", kNow), k10am);
  EXPECT_EQ(parse_time_argument("2026-01-01T10:00:00.5Z", kNow), k10am + 0.5);
  EXPECT_EQ(parse_time_argument("2026-01-01T10:00:00,5", kNow), k10am + 0.5);
  EXPECT_EQ(parse_time_argument("2026-01-01T12:00+02:00", kNow), k10am);
  EXPECT_EQ(parse_time_argument("2026-01-01T05:00:00-0500", kNow), k10am);
  EXPECT_EQ(parse_time_argument("10:00", kNow), utc(2026, 3, 15, 10));  // today, UTC
  EXPECT_EQ(parse_time_argument("23:59:30", kNow), utc(2026, 3, 15, 23, 59, 30));
  EXPECT_EQ(parse_time_argument("10:00:00.25Z", kNow), utc(2026, 3, 15, 10) + 0.25);
  EXPECT_EQ(parse_time_argument("@1767261600", kNow), k10am);
  EXPECT_EQ(parse_time_argument("@1767261600.5", kNow), k10am + 0.5);
}

TEST(time_argument, arguments_and_log_lines_agree) {
  const TimestampParser p;
  for (const char* text : {"2026-01-01T10:00:00.123+02:00", "2026-01-01 10:00:00", "2026-01-01T10:00Z"}) {
    EXPECT_EQ(parse_time_argument(text, kNow), p.parse(std::string(text) + " INFO x")) << text;
  }
}

TEST(time_argument, bad_arguments_name_the_value) {
  for (const char* text : {"", "   ", "yesterday", "30", "30x", "-5m", "m", "1e3m", "2026-13-01", "2026-02-30",
                           "2026-1-1", "25:00", "10:60", "10", "10:00:", "10:00:00.", "2026-01-01T10:00 junk",
                           "2026-01-01T10", "@", "@-5", "@abc", "now-1h", "1h30m", "2026-01-01T10:00:00+25:00"}) {
    try {
      const double t = parse_time_argument(text, kNow);
      ADD_FAILURE() << "'" << text << "' was accepted as " << t;
    } catch (const UsageError& error) {
      EXPECT_NE(std::string(error.what()).find("'" + std::string(text) + "'"), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace logsift
