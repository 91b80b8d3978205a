// Timestamps are parsed out of every line of arbitrary logs and out of --since/--until values.
// Besides not crashing, the parser promises (timestamp.hpp) that a result depends only on the
// line's first kLookahead bytes (a JSON line's time key aside) and never on the lines parsed before: the "last format" hint only
// orders the attempts. Both are checked, with the hint primed by one line of each known format.
// A --time-format or TIME argument may be rejected only with UsageError, and every result must be
// a finite number.
//
// Input: [mode] [rest...]; mode bit 0: the rest starts with a --time-format up to the first '\n';
// the remaining lines are parsed one by one, and the first is also tried as a --since TIME.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logsift/error.hpp"
#include "logsift/timestamp.hpp"

namespace {

using logsift::TimestampParser;

const char* const kPrimers[] = {
    "2024-03-01T12:00:00.5+01:00 iso",
    "2024-03-01 12:00:00,123 iso with space",
    "Jun 14 15:16:01 host syslog",
    "[Sun Dec 04 04:47:44 2005] [notice] apache error",
    "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200",
    "081109 203615 148 INFO hdfs",
    "17/06/09 20:10:40 INFO spark",
    "1700000000 epoch",
    "no timestamp at all",
};

[[noreturn]] void fail(const char* what, std::string_view line) {
  std::fprintf(stderr, "fuzz_timestamp: %s for line '", what);
  for (unsigned char c : line.substr(0, 300)) std::fprintf(stderr, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
  std::fprintf(stderr, "'\n");
  std::abort();
}

bool same(std::optional<double> a, std::optional<double> b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || std::memcmp(&*a, &*b, sizeof(double)) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::string_view format;
  if (mode & 1) {
    const std::size_t nl = rest.find('\n');
    format = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  }
  std::optional<TimestampParser> fresh;
  try {
    fresh.emplace(format, 2000 + mode % 40, ((mode >> 1) % 27 - 13) * 3600);
  } catch (const logsift::UsageError&) {
    return 0;
  }
  // Year-less timestamps roll back a year past mtime + a day: exercise that path too.
  const TimestampParser rolled = TimestampParser::for_file(format, 1.7e9 + mode * 1e6);

  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= rest.size() && lines.size() < 64;) {
    std::size_t end = rest.find('\n', start);
    if (end == std::string_view::npos) end = rest.size();
    lines.push_back(rest.substr(start, end - start));
    start = end + 1;
  }

  for (std::string_view line : lines) {
    const std::optional<double> expected = TimestampParser(*fresh).parse(line);
    if (expected && !std::isfinite(*expected)) fail("non-finite timestamp", line);
    for (const char* primer : kPrimers) {
      TimestampParser primed(*fresh);
      (void)primed.parse(primer);
      if (!same(primed.parse(line), expected)) fail("result depends on the line parsed before", line);
    }
    // The same parser reused, as one input's lines are: its hint has moved on every line.
    if (!same(fresh->parse(line), expected)) fail("result depends on the lines parsed before", line);
    // A JSON line without a timestamp in its head is searched whole for a time key.
    const bool keyed = TimestampParser::may_be_keyed(line) &&
                       !TimestampParser(*fresh).parse(line.substr(0, TimestampParser::kLookahead));
    if (line.size() >= TimestampParser::kLookahead && !keyed) {
      std::string changed(line.substr(0, TimestampParser::kLookahead));
      changed += "2024-01-01T00:00:00Z 1700000000 ";
      changed += line.substr(TimestampParser::kLookahead);
      if (!same(fresh->parse(changed), expected)) fail("result depends on bytes past kLookahead", line);
    }
    const std::optional<double> r = rolled.parse(line);
    if (r && !std::isfinite(*r)) fail("non-finite timestamp (for_file)", line);
  }

  if (!lines.empty()) {
    try {
      const double t = logsift::parse_time_argument(lines.front(), 1.7e9);
      if (!std::isfinite(t)) fail("non-finite TIME argument", lines.front());
    } catch (const logsift::UsageError&) {
    }
  }
  return 0;
}
