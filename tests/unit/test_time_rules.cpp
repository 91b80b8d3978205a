// Issue 14, "Follow and time": JSON time keys anywhere in a line (item 3), and the seek that
// must agree with them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include "logsift/time_window.hpp"
#include "logsift/timestamp.hpp"
#include "support.hpp"

namespace logsift {
namespace {

using test::utc;

const double k10am = utc(2026, 1, 1, 10);

std::string padding(std::size_t n) { return std::string("\"msg\":\"").append(n, 'x').append("\","); }
// `head`, then a padding field of n bytes (strings are appended to: GCC 12 warns falsely about
// a literal + std::string).
std::string with_padding(const char* head, std::size_t n) { return std::string(head).append(padding(n)); }

TEST(json_time_key, found_past_the_lookahead) {
  const TimestampParser p;
  for (std::size_t pad : {60, 300, 100000}) {
    for (const char* key : {"time", "ts", "timestamp", "@timestamp"}) {
      const std::string line = with_padding("{", pad) + "\"" + std::string(key) + "\":\"2026-01-01T10:00:00Z\",\"level\":\"info\"}";
      const std::optional<double> t = p.parse(line);
      ASSERT_TRUE(t.has_value()) << key << " after " << pad;
      EXPECT_EQ(*t, k10am);
    }
  }
  // Numbers: epoch seconds, with a fraction, and milliseconds; blanks around the colon.
  EXPECT_EQ(p.parse(with_padding("{", 300) + "\"ts\": 1767261600}"), k10am);
  EXPECT_NEAR(*p.parse(with_padding("{", 300) + "\"ts\" : 1767261600.25}"), k10am + 0.25, 1e-6);
  EXPECT_EQ(p.parse(with_padding("  {", 300) + "\"time\":1767261600000}"), k10am);
}

TEST(json_time_key, only_keys_of_json_lines) {
  const TimestampParser p;
  // Not a JSON object: the line's head decides, as before.
  EXPECT_FALSE(p.parse(with_padding("x", 300) + "\"time\":\"2026-01-01T10:00:00Z\"").has_value());
  // A key quoted inside a string value is not a key; one whose value has no time is passed over.
  EXPECT_FALSE(p.parse(with_padding("{", 300) + "\"m\":\"\\\"time\\\":\\\"2026-01-01T10:00:00Z\\\"\"}").has_value());
  EXPECT_EQ(p.parse(with_padding("{", 300) + "\"time\":\"soon\",\"ts\":\"2026-01-01T10:00:00Z\"}"), k10am);
  EXPECT_FALSE(p.parse(with_padding("{", 300) + "\"timer\":\"2026-01-01T10:00:00Z\"}").has_value());
  // A timestamp in the head still comes first (the leftmost, as for every line).
  EXPECT_EQ(p.parse(with_padding("{\"time\":\"2026-01-01T10:00:00Z\",", 300) + "\"ts\":1}"), k10am);
}

TEST(json_time_key, with_a_time_format) {
  const TimestampParser p("%d/%b/%Y:%H:%M:%S");
  EXPECT_EQ(p.parse(with_padding("{", 300) + "\"time\":\"01/Jan/2026:10:00:00\"}"), k10am);
}

TEST(json_time_key, many_candidate_keys_are_each_looked_at_once) {
  // 200,000 keys named like a time key with no time in them: answered (none), in one pass.
  std::string line = "{";
  for (int i = 0; i < 200000; ++i) line += "\"ts\":\"x\",\"time\":1,";
  line += "\"timestamp\":\"2026-01-01T10:00:00Z\"}";
  EXPECT_EQ(TimestampParser().parse(line), k10am);
}

TEST(json_time_key, the_since_seek_sees_keys_past_the_lookahead) {
  // Old entries, then new ones, all with their time key past byte 256; the seek must stop at the
  // first new one, not skip it as a line without a timestamp.
  std::string content;
  std::uint64_t first_new = 0;
  for (int i = 0; i < 4000; ++i) {
    if (i == 3000) first_new = content.size();
    const double t = k10am + (i < 3000 ? -3600 : 0) + i;
    content += with_padding("{", 400) + "\"time\":" + std::to_string(static_cast<std::int64_t>(t)) + "}\n";
  }
  // And one line longer than the seek's buffer, whose key is at its end.
  const std::string huge = with_padding("{", 600000) + "\"time\":" + std::to_string(static_cast<std::int64_t>(k10am + 9000)) + "}\n";
  char name[] = "/tmp/logsift-time-rules-XXXXXX";
  const int fd = ::mkstemp(name);
  ASSERT_GE(fd, 0);
  ::unlink(name);
  ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  const TimestampParser parser;
  EXPECT_EQ(find_since_offset(fd, content.size(), parser, k10am), std::optional<std::uint64_t>(first_new));
  ASSERT_EQ(::pwrite(fd, huge.data(), huge.size(), 0), static_cast<ssize_t>(huge.size()));
  EXPECT_EQ(find_since_offset(fd, huge.size(), parser, k10am), std::optional<std::uint64_t>(0));
  ::close(fd);
}

}  // namespace
}  // namespace logsift
