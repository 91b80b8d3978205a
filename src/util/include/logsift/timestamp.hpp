// Timestamps in log lines, and the TIME arguments of --since/--until, as seconds since the epoch.
// parse() finds the leftmost timestamp near the start of a line (auto-detected, or --time-format) and
// depends only on the line's first kLookahead bytes (but for a JSON line without one there: its
// time key, anywhere; may_be_keyed), never on lines seen before: a seek that parses lines out of
// order gets the same answer as a scan. Text without a zone is read at the parser's
// default UTC offset (0: UTC), as are command-line TIMEs without a zone, so both sides agree.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace logsift {

class TimestampParser {
 public:
  // A result depends on at most this many bytes from the start of a line.
  static constexpr std::size_t kLookahead = 256;

  // `format`: empty to auto-detect, else a strptime-like format (compile_format in timestamp.cpp:
  // %Y %y %m %d %e %j %H %I %M %S %f %p %b %B %h %a %A %z %s %T %F %R %n %t %% and literal text; a space
  // matches one or more blanks). `default_year` is used by formats without a year (syslog).
  // `utc_offset_seconds` (east of UTC) is assumed for text without a zone. Throws UsageError for a
  // bad format.
  explicit TimestampParser(std::string_view format = {}, int default_year = 1970, int utc_offset_seconds = 0);

  // For one input: year-less timestamps take the year of `mtime` (the file's modification time, or
  // now for a pipe), or the year before when that would put them more than a day after `mtime` — a
  // syslog file that runs from December into January.
  static TimestampParser for_file(std::string_view format, double mtime, int utc_offset_seconds = 0);
  // This parser with the year rule of for_file for another input's `mtime`.
  TimestampParser for_mtime(double mtime) const;

  TimestampParser(const TimestampParser& other);
  TimestampParser& operator=(const TimestampParser& other);

  // Seconds since the epoch of the leftmost timestamp that starts in the first 64 bytes (128 for the
  // Apache access form `[dd/Mon/yyyy:` and for --time-format), fractions kept; nullopt if none.
  // Auto-detected: ISO 8601 (`T` or space, `.`/`,` fraction, `Z`/`±hh[:mm]`), syslog `Jun 14 15:16:01`,
  // Apache `[Sun Dec 04 04:47:44 2005]` and `[17/May/2015:10:05:03 +0000]`, `081109 203615`,
  // `17/06/09 20:10:40`, nginx `2026/12/02 09:00:00`, year-less `03-17 16:13:38.811` (Android),
  // `[10.30 16:49:06]` and klog `I1202 09:00:00.123456`, `20171223-22:15:29:606`, and epoch seconds
  // (10 digits) or milliseconds (13 digits) standing alone; else, for a JSON line, the value of its
  // first "time"/"ts"/"timestamp"/"@timestamp" key (may_be_keyed). Safe to call from several threads.
  std::optional<double> parse(std::string_view line) const;

  bool auto_detect() const noexcept { return items_.empty(); }

  // With a --time-format: the time of `text` if the format matches all of it, else nullopt (and
  // always nullopt when auto-detecting). For TIME arguments in the log's own format.
  std::optional<double> parse_whole(std::string_view text) const;

  // Whether parse() may read past kLookahead: a line whose first non-blank byte is '{' (a JSON
  // object) and that has no timestamp in its first kLookahead bytes is searched whole for a
  // "time", "ts", "timestamp" or "@timestamp" key, whose value (a string or a number) is parsed
  // as a line start would be (or with --time-format). Linear in the line's length.
  static bool may_be_keyed(std::string_view line) noexcept;

  // One element of a compiled --time-format.
  struct Item {
    char kind;     // a conversion letter ('Y', 'm', ...), ' ' for blanks, 0 for a literal
    char literal;  // for kind 0
  };

 private:
  std::optional<double> parse_auto(const char* begin, const char* end, bool remember) const;
  std::optional<double> parse_keyed(std::string_view line) const;
  std::optional<double> parse_custom(const char* begin, const char* end) const;
  bool match_custom(const char* p, const char* end, double& out, const char** stop = nullptr) const;
  bool try_format(int format, const char* p, const char* begin, const char* end, double& out) const;
  double from_fields(int year, int month, int day, int hour, int minute, int second, double fraction,
                     std::optional<int> zone, bool has_year) const;

  std::vector<Item> items_;  // empty: auto-detect
  int default_year_;
  int utc_offset_;
  std::optional<double> latest_;  // year-less timestamps after this move to the year before
  // The auto-detected format that last matched at the start of a line (-1: none), tried there
  // first. A match at position 0 is the leftmost, so the result never depends on it. Relaxed
  // atomics keep parse() const and safe to share.
  mutable std::atomic<int> hint_{-1};
};

// What the time rules (--since/--until, --histogram) found in one input, so that an input where
// none of the lines they looked at had a recognised timestamp is reported (once, by the pipeline).
struct TimeUse {
  bool lines = false;     // they looked at a line
  bool stamped = false;   // ... and found a timestamp in one
  bool complete = true;   // a --since/--until stage saw its input's end (a cut-short one proves nothing)
};

// Seconds since the epoch of a --since/--until TIME: `2026-01-01`, `2026-01-01T10:00[:00[.5]][Z|±hh:mm]`
// (or a space instead of T), `10:00[:00]` (today), all UTC unless a zone is given; `now`; `@EPOCH`;
// or an age `30s`, `30m`, `2h`, `3d`, `1w` (fractions allowed), meaning `now` minus that. With a
// --time-format `format`, also a TIME in that format, matched whole (`02/Dec/2026:09:00:00`), read
// as a log line is: its zone, or UTC; a year-less one takes the year rule of for_file with `now`.
// Throws UsageError naming the value.
double parse_time_argument(std::string_view text, double now, std::string_view format = {});

}  // namespace logsift
