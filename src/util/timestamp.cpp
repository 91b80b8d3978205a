#include "logsift/timestamp.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "logsift/error.hpp"

namespace logsift {
namespace {

// The auto-detected formats. Each one is recognisable from its first few bytes, and no two can match
// at the same position: ISO has '-' at +4, nginx's date '/' at +4, the slashed form '/' at +2, the
// month-day form '-' at +2, the compact form a blank at +6, the dashed form '-' at +8, epoch seconds
// ten digits (milliseconds thirteen); the Apache forms a letter or a digit after '[', the bracketed
// month-day form '.' at +3; syslog a month name; klog a severity letter and a blank at +5.
enum Format : int {
  kIso,           // 2026-01-01T10:00:00.5+02:00
  kSyslog,        // Jun 14 15:16:01
  kApacheError,   // [Sun Dec 04 04:47:44 2005]
  kApacheAccess,  // [17/May/2015:10:05:03 +0000]
  kCompact,       // 081109 203615
  kSlashed,       // 17/06/09 20:10:40
  kEpoch,         // 1117838570, 1117838570.675, 1117838570675
  kSlashedIso,    // 2026/12/02 09:00:00 (nginx error log)
  kMonthDay,      // 03-17 16:13:38.811 (Android logcat)
  kDashed,        // 20171223-22:15:29:606
  kBracketed,     // [10.30 16:49:06]
  kKlog,          // I1202 09:00:00.123456 (Kubernetes klog, glog)
};

constexpr std::size_t kWindow = 64;        // a timestamp must start this close to the line start
constexpr std::size_t kWideWindow = 128;   // ... or this close, for `[dd/Mon/yyyy:` and --time-format

inline bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }
inline bool is_alpha(char c) { return static_cast<unsigned char>((c | 0x20) - 'a') < 26; }
inline bool is_word(char c) { return is_digit(c) || is_alpha(c) || c == '_'; }
inline bool is_blank(char c) { return c == ' ' || c == '\t'; }
inline char lower(char c) { return static_cast<char>(c | 0x20); }

// Exactly `n` digits at p.
inline bool fixed(const char* p, const char* end, int n, int& out) {
  if (end - p < n) return false;
  int value = 0;
  for (int i = 0; i < n; ++i) {
    if (!is_digit(p[i])) return false;
    value = value * 10 + (p[i] - '0');
  }
  out = value;
  return true;
}

// Between `min` and `max` digits at p (as many as there are), advancing p.
inline bool digits(const char*& p, const char* end, int min, int max, int& out) {
  int value = 0;
  int n = 0;
  while (n < max && p + n < end && is_digit(p[n])) {
    value = value * 10 + (p[n] - '0');
    ++n;
  }
  if (n < min) return false;
  p += n;
  out = value;
  return true;
}

// The digits of a fraction at p (at least one), advancing past all of them; digits beyond the ninth
// are read but do not count, as no log has resolution below a nanosecond.
inline bool fraction(const char*& p, const char* end, double& out) {
  static constexpr double kScale[] = {1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9};
  if (p == end || !is_digit(*p)) return false;
  std::int64_t value = 0;
  int n = 0;
  for (; p < end && is_digit(*p); ++p) {
    if (n < 9) {
      value = value * 10 + (*p - '0');
      ++n;
    }
  }
  out = static_cast<double>(value) * kScale[n];
  return true;
}

constexpr bool is_leap(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

constexpr int days_in_month(int year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int year_of(double epoch) {
  std::int64_t days = static_cast<std::int64_t>(std::floor(epoch / 86400));
  // civil_from_days, year only.
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return static_cast<int>(yoe + era * 400 + (month <= 2));
}

// A year-less date is checked against a leap year: Feb 29 must not be refused before its year is known.
inline bool valid_date(int year, int month, int day, bool has_year) {
  return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(has_year ? year : 2000, month);
}

inline bool valid_clock(int hour, int minute, int second) {
  return hour <= 23 && minute <= 59 && second <= 60;  // 60: a leap second
}

// POSIX %y: 69-99 are 1969-1999, 00-68 are 2000-2068.
inline int century(int yy) { return yy >= 69 ? 1900 + yy : 2000 + yy; }

constexpr const char* kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                                   "july",    "august",   "september", "october", "november", "december"};
constexpr const char* kWeekdays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};

constexpr std::uint32_t pack(char a, char b, char c) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(a)) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b)) << 8 | static_cast<unsigned char>(c);
}

// 1-12 for a three-letter month name at p, any case; 0 otherwise.
inline int month_abbrev(const char* p, const char* end) {
  if (end - p < 3) return 0;
  switch (pack(lower(p[0]), lower(p[1]), lower(p[2]))) {
    case pack('j', 'a', 'n'): return 1;
    case pack('f', 'e', 'b'): return 2;
    case pack('m', 'a', 'r'): return 3;
    case pack('a', 'p', 'r'): return 4;
    case pack('m', 'a', 'y'): return 5;
    case pack('j', 'u', 'n'): return 6;
    case pack('j', 'u', 'l'): return 7;
    case pack('a', 'u', 'g'): return 8;
    case pack('s', 'e', 'p'): return 9;
    case pack('o', 'c', 't'): return 10;
    case pack('n', 'o', 'v'): return 11;
    case pack('d', 'e', 'c'): return 12;
    default: return 0;
  }
}

// A name from `names` at p, abbreviated to three letters or in full, any case; its index + 1, or 0.
int name_at(const char*& p, const char* end, const char* const* names, int count) {
  if (end - p < 3) return 0;
  for (int i = 0; i < count; ++i) {
    const char* name = names[i];
    if (lower(p[0]) != name[0] || lower(p[1]) != name[1] || lower(p[2]) != name[2]) continue;
    const std::size_t full = std::strlen(name);
    std::size_t n = 3;
    while (n < full && p + n < end && lower(p[n]) == name[n]) ++n;
    p += n == full ? full : 3;
    return i + 1;
  }
  return 0;
}

// `Z`, `±hh`, `±hhmm` or `±hh:mm` at p, advancing p; seconds east of UTC. Anything else (a '-' that
// starts a word, a longer number) is not a zone and leaves p alone.
bool zone(const char*& p, const char* end, int& seconds) {
  if (p == end) return false;
  if (*p == 'Z' || *p == 'z') {
    ++p;
    seconds = 0;
    return true;
  }
  if (*p != '+' && *p != '-') return false;
  const char* q = p + 1;
  int hours = 0, minutes = 0;
  if (!fixed(q, end, 2, hours)) return false;
  q += 2;
  if (q < end && *q == ':' && fixed(q + 1, end, 2, minutes)) {
    q += 3;
  } else if (fixed(q, end, 2, minutes)) {
    q += 2;
  }
  if ((q < end && is_digit(*q)) || hours > 23 || minutes > 59) return false;
  seconds = (hours * 3600 + minutes * 60) * (*p == '-' ? -1 : 1);
  p = q;
  return true;
}

// `HH:MM:SS` at p, optionally followed by `.fff` (or `,fff` when `comma`), advancing p.
bool clock(const char*& p, const char* end, int& hour, int& minute, int& second, double& frac, bool comma) {
  if (!fixed(p, end, 2, hour) || end - p < 8 || p[2] != ':' || !fixed(p + 3, end, 2, minute) || p[5] != ':' ||
      !fixed(p + 6, end, 2, second) || !valid_clock(hour, minute, second)) {
    return false;
  }
  p += 8;
  frac = 0;
  if (end - p >= 2 && (*p == '.' || (comma && *p == ',')) && is_digit(p[1])) {
    ++p;
    fraction(p, end, frac);
  }
  return true;
}

// `YYYY-MM-DD` then `T` or a blank, `HH:MM[:SS[.fff]]` and an optional zone, at p; advances p.
// Shared by log lines and TIME arguments.
bool iso(const char*& p, const char* end, int& year, int& month, int& day, int& hour, int& minute, int& second,
         double& frac, std::optional<int>& offset) {
  if (end - p < 16 || p[4] != '-' || p[7] != '-' || p[13] != ':') return false;
  if (!fixed(p, end, 4, year) || !fixed(p + 5, end, 2, month) || !fixed(p + 8, end, 2, day)) return false;
  const char sep = p[10];
  if (sep != 'T' && sep != ' ' && sep != 't') return false;
  if (!fixed(p + 11, end, 2, hour) || !fixed(p + 14, end, 2, minute)) return false;
  const char* q = p + 16;
  second = 0;
  frac = 0;
  if (q < end && *q == ':' && fixed(q + 1, end, 2, second)) {
    q += 3;
    if (end - q >= 2 && (*q == '.' || *q == ',') && is_digit(q[1])) {
      ++q;
      fraction(q, end, frac);
    }
  }
  if (!valid_date(year, month, day, true) || !valid_clock(hour, minute, second)) return false;
  int seconds = 0;
  offset.reset();
  if (zone(q, end, seconds)) offset = seconds;
  p = q;
  return true;
}

inline bool is_numeric_directive(char kind) { return kind != 0 && std::strchr("YymdeHIMSjsf", kind) != nullptr; }

std::vector<TimestampParser::Item> compile_format(std::string_view format) {
  std::vector<TimestampParser::Item> items;
  auto bad = [&](const std::string& why) -> std::vector<TimestampParser::Item> {
    throw UsageError("invalid --time-format '" + std::string(format) + "': " + why);
  };
  bool day = false, month = false, day_of_year = false, epoch = false;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c == ' ' || c == '\t') {
      if (items.empty() || items.back().kind != ' ') items.push_back({' ', 0});
      continue;
    }
    if (c != '%') {
      items.push_back({0, c});
      continue;
    }
    if (++i == format.size()) return bad("it ends in a lone %");
    const char d = format[i];
    switch (d) {
      case 'Y': case 'y': case 'H': case 'I': case 'M': case 'S': case 'f': case 'p': case 'a': case 'A': case 'z':
        items.push_back({d, 0});
        break;
      case 'm': case 'b': case 'B': case 'h':
        items.push_back({d == 'm' ? 'm' : 'b', 0});
        month = true;
        break;
      case 'd': case 'e':
        items.push_back({d, 0});
        day = true;
        break;
      case 'j':
        items.push_back({d, 0});
        day_of_year = true;
        break;
      case 's':
        items.push_back({d, 0});
        epoch = true;
        break;
      case 'T':
        items.insert(items.end(), {{'H', 0}, {0, ':'}, {'M', 0}, {0, ':'}, {'S', 0}});
        break;
      case 'R':
        items.insert(items.end(), {{'H', 0}, {0, ':'}, {'M', 0}});
        break;
      case 'F':
        items.insert(items.end(), {{'Y', 0}, {0, '-'}, {'m', 0}, {0, '-'}, {'d', 0}});
        month = day = true;
        break;
      case '%':
        items.push_back({0, '%'});
        break;
      case 'n': case 't':
        if (items.empty() || items.back().kind != ' ') items.push_back({' ', 0});
        break;
      default:
        return bad(std::string("unsupported conversion %") + d);
    }
  }
  if (!epoch && !day_of_year && !(month && day)) {
    return bad("it needs a date: %d or %e with %m or %b, or %j, or %F, or %s");
  }
  return items;
}

}  // namespace

TimestampParser::TimestampParser(std::string_view format, int default_year, int utc_offset_seconds)
    : default_year_(default_year), utc_offset_(utc_offset_seconds) {
  if (!format.empty()) items_ = compile_format(format);
}

TimestampParser TimestampParser::for_file(std::string_view format, double mtime, int utc_offset_seconds) {
  TimestampParser parser(format, year_of(mtime + utc_offset_seconds), utc_offset_seconds);
  parser.latest_ = mtime + 86400;  // a day of slack for clocks and zones
  return parser;
}

TimestampParser TimestampParser::for_mtime(double mtime) const {
  TimestampParser parser(*this);
  parser.default_year_ = year_of(mtime + utc_offset_);
  parser.latest_ = mtime + 86400;
  return parser;
}

TimestampParser::TimestampParser(const TimestampParser& other)
    : items_(other.items_),
      default_year_(other.default_year_),
      utc_offset_(other.utc_offset_),
      latest_(other.latest_),
      hint_(other.hint_.load(std::memory_order_relaxed)) {}

TimestampParser& TimestampParser::operator=(const TimestampParser& other) {
  items_ = other.items_;
  default_year_ = other.default_year_;
  utc_offset_ = other.utc_offset_;
  latest_ = other.latest_;
  hint_.store(other.hint_.load(std::memory_order_relaxed), std::memory_order_relaxed);
  return *this;
}

double TimestampParser::from_fields(int year, int month, int day, int hour, int minute, int second, double frac,
                                    std::optional<int> zone, bool has_year) const {
  const std::int64_t clock_seconds = hour * 3600 + minute * 60 + second - (zone ? *zone : utc_offset_);
  if (!has_year) year = default_year_;
  double t = static_cast<double>(days_from_civil(year, month, day) * 86400 + clock_seconds);
  if (!has_year && latest_ && t > *latest_) {
    t = static_cast<double>(days_from_civil(year - 1, month, day) * 86400 + clock_seconds);
  }
  return t + frac;
}

std::optional<double> TimestampParser::parse(std::string_view line) const {
  const char* begin = line.data();
  const char* end = begin + std::min(line.size(), kLookahead);
  const std::optional<double> t = items_.empty() ? parse_auto(begin, end, true) : parse_custom(begin, end);
  if (t || !may_be_keyed(line)) return t;
  return parse_keyed(line);
}

bool TimestampParser::may_be_keyed(std::string_view line) noexcept {
  std::size_t i = 0;
  while (i < line.size() && is_blank(line[i])) ++i;
  return i < line.size() && line[i] == '{';
}

// One pass over the line's quotes: each is checked in constant time for a key, and a key's value is
// parsed only up to its own end (the next quote, or the end of a number), so the values tried do
// not overlap and the work stays linear in the line's length.
std::optional<double> TimestampParser::parse_keyed(std::string_view line) const {
  static constexpr std::string_view kKeys[] = {"time\"", "ts\"", "timestamp\"", "@timestamp\""};
  const char* const end = line.data() + line.size();
  for (const char* q = line.data(); q < end;) {
    q = static_cast<const char*>(std::memchr(q, '"', static_cast<std::size_t>(end - q)));
    if (q == nullptr) break;
    ++q;
    const std::string_view rest(q, static_cast<std::size_t>(end - q));
    std::size_t key = 0;
    for (std::string_view name : kKeys) {
      if (rest.substr(0, name.size()) == name) key = name.size();
    }
    if (key == 0) continue;
    const char* v = q + key;
    while (v < end && is_blank(*v)) ++v;
    if (v == end || *v != ':') continue;
    ++v;
    while (v < end && is_blank(*v)) ++v;
    if (v == end) break;
    const char* stop = v;
    if (*v == '"') {
      ++v;
      const void* close = std::memchr(v, '"', static_cast<std::size_t>(end - v));
      stop = close != nullptr ? static_cast<const char*>(close) : end;
    } else {
      while (stop < end && (is_digit(*stop) || *stop == '.')) ++stop;
    }
    const char* const limit = static_cast<std::size_t>(stop - v) > kLookahead ? v + kLookahead : stop;
    const std::optional<double> t = items_.empty() ? parse_auto(v, limit, false) : parse_custom(v, limit);
    if (t) return t;
    q = std::max(q, stop);  // past a string value's text: its closing quote opens no key
  }
  return std::nullopt;
}

bool TimestampParser::try_format(int format, const char* p, const char* begin, const char* end, double& out) const {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  double frac = 0;
  switch (format) {
    case kIso: {
      std::optional<int> offset;
      if (!iso(p, end, year, month, day, hour, minute, second, frac, offset)) return false;
      out = from_fields(year, month, day, hour, minute, second, frac, offset, true);
      return true;
    }
    case kSyslog: {  // Jun 14 15:16:01, Jul  1 09:00:55, Nov 9 12:01:01
      month = month_abbrev(p, end);
      if (month == 0 || end - p < 14 || p[3] != ' ') return false;
      const char* q = p + 4;
      if (*q == ' ') ++q;
      if (!digits(q, end, 1, 2, day) || q == end || *q != ' ') return false;
      ++q;
      if (!clock(q, end, hour, minute, second, frac, false) || (q < end && is_digit(*q))) return false;
      if (!valid_date(0, month, day, false)) return false;
      out = from_fields(0, month, day, hour, minute, second, frac, std::nullopt, false);
      return true;
    }
    case kApacheError: {  // [Sun Dec 04 04:47:44 2005], [Fri Sep 09 10:42:29.902022 2011]
      if (end - p < 26 || *p != '[' || !is_alpha(p[1]) || !is_alpha(p[2]) || !is_alpha(p[3]) || p[4] != ' ') return false;
      month = month_abbrev(p + 5, end);
      if (month == 0 || p[8] != ' ') return false;
      const char* q = p + 9;
      if (*q == ' ') ++q;
      if (!digits(q, end, 1, 2, day) || q == end || *q != ' ') return false;
      ++q;
      if (!clock(q, end, hour, minute, second, frac, false) || end - q < 6 || *q != ' ' ||
          !fixed(q + 1, end, 4, year) || q[5] != ']') {
        return false;
      }
      if (!valid_date(year, month, day, true)) return false;
      out = from_fields(year, month, day, hour, minute, second, frac, std::nullopt, true);
      return true;
    }
    case kApacheAccess: {  // [17/May/2015:10:05:03 +0000]
      if (end - p < 21 || *p != '[' || p[3] != '/' || p[7] != '/' || p[12] != ':') return false;
      month = month_abbrev(p + 4, end);
      if (month == 0 || !fixed(p + 1, end, 2, day) || !fixed(p + 8, end, 4, year)) return false;
      const char* q = p + 13;
      if (!clock(q, end, hour, minute, second, frac, false) || !valid_date(year, month, day, true)) return false;
      std::optional<int> offset;
      int seconds = 0;
      if (q < end && *q == ' ') {
        ++q;
        if (zone(q, end, seconds)) offset = seconds;
      }
      out = from_fields(year, month, day, hour, minute, second, frac, offset, true);
      return true;
    }
    case kCompact: {  // 081109 203615
      if (end - p < 13 || p[6] != ' ') return false;
      if (!fixed(p, end, 2, year) || !fixed(p + 2, end, 2, month) || !fixed(p + 4, end, 2, day) ||
          !fixed(p + 7, end, 2, hour) || !fixed(p + 9, end, 2, minute) || !fixed(p + 11, end, 2, second)) {
        return false;
      }
      if (end - p > 13 && is_digit(p[13])) return false;
      year = century(year);
      if (!valid_date(year, month, day, true) || !valid_clock(hour, minute, second)) return false;
      out = from_fields(year, month, day, hour, minute, second, 0, std::nullopt, true);
      return true;
    }
    case kSlashed: {  // 17/06/09 20:10:40
      if (end - p < 17 || p[2] != '/' || p[5] != '/' || p[8] != ' ') return false;
      if (!fixed(p, end, 2, year) || !fixed(p + 3, end, 2, month) || !fixed(p + 6, end, 2, day)) return false;
      const char* q = p + 9;
      if (!clock(q, end, hour, minute, second, frac, true) || (q < end && is_digit(*q))) return false;
      year = century(year);
      if (!valid_date(year, month, day, true)) return false;
      out = from_fields(year, month, day, hour, minute, second, frac, std::nullopt, true);
      return true;
    }
    case kEpoch: {  // 1117838570, 1117838570.675 or 1117838570675 (ms), alone: not part of an id,
                    // a negative number, a path
      if (end - p < 10 || *p == '0') return false;
      if (p > begin && (p[-1] == '-' || p[-1] == '+' || p[-1] == ':' || p[-1] == '/')) return false;
      std::int64_t value = 0;
      int n = 0;
      for (; n < 14 && p + n < end && is_digit(p[n]); ++n) value = value * 10 + (p[n] - '0');
      if (n != 10 && n != 13) return false;
      const char* q = p + n;
      if (n == 10 && end - q >= 2 && *q == '.' && is_digit(q[1])) {
        ++q;
        fraction(q, end, frac);
      }
      if (q < end && (is_word(*q) || *q == '-' || *q == ':' || *q == '/')) return false;
      out = n == 13 ? static_cast<double>(value / 1000) + static_cast<double>(value % 1000) / 1000
                    : static_cast<double>(value) + frac;
      return true;
    }
    case kSlashedIso: {  // 2026/12/02 09:00:00, 2026/12/02 09:00:00.123
      if (end - p < 19 || p[4] != '/' || p[7] != '/' || p[10] != ' ') return false;
      if (!fixed(p, end, 4, year) || !fixed(p + 5, end, 2, month) || !fixed(p + 8, end, 2, day)) return false;
      const char* q = p + 11;
      if (!clock(q, end, hour, minute, second, frac, false) || (q < end && is_digit(*q))) return false;
      if (!valid_date(year, month, day, true)) return false;
      out = from_fields(year, month, day, hour, minute, second, frac, std::nullopt, true);
      return true;
    }
    case kMonthDay: {  // 03-17 16:13:38.811, year-less
      if (end - p < 14 || p[2] != '-' || p[5] != ' ') return false;
      if (!fixed(p, end, 2, month) || !fixed(p + 3, end, 2, day)) return false;
      const char* q = p + 6;
      if (!clock(q, end, hour, minute, second, frac, false) || (q < end && is_digit(*q))) return false;
      if (!valid_date(0, month, day, false)) return false;
      out = from_fields(0, month, day, hour, minute, second, frac, std::nullopt, false);
      return true;
    }
    case kDashed: {  // 20171223-22:15:29:606 (milliseconds after a colon) or 20171223-22:15:29
      if (end - p < 17 || p[8] != '-') return false;
      if (!fixed(p, end, 4, year) || !fixed(p + 4, end, 2, month) || !fixed(p + 6, end, 2, day)) return false;
      const char* q = p + 9;
      if (!clock(q, end, hour, minute, second, frac, false)) return false;
      int millis = 0;
      if (end - q >= 4 && *q == ':' && fixed(q + 1, end, 3, millis)) {
        q += 4;
        frac = millis / 1000.0;
      }
      if ((q < end && is_digit(*q)) || !valid_date(year, month, day, true)) return false;
      out = from_fields(year, month, day, hour, minute, second, frac, std::nullopt, true);
      return true;
    }
    case kBracketed: {  // [10.30 16:49:06], year-less
      if (end - p < 16 || *p != '[' || p[3] != '.' || p[6] != ' ') return false;
      if (!fixed(p + 1, end, 2, month) || !fixed(p + 4, end, 2, day)) return false;
      const char* q = p + 7;
      if (!clock(q, end, hour, minute, second, frac, false) || q == end || *q != ']') return false;
      if (!valid_date(0, month, day, false)) return false;
      out = from_fields(0, month, day, hour, minute, second, frac, std::nullopt, false);
      return true;
    }
    case kKlog: {  // I1202 09:00:00.123456: severity, month and day, year-less
      if (end - p < 14 || std::strchr("IWEF", *p) == nullptr || p[5] != ' ') return false;
      if (!fixed(p + 1, end, 2, month) || !fixed(p + 3, end, 2, day)) return false;
      const char* q = p + 6;
      if (!clock(q, end, hour, minute, second, frac, false) || (q < end && is_digit(*q))) return false;
      if (!valid_date(0, month, day, false)) return false;
      out = from_fields(0, month, day, hour, minute, second, frac, std::nullopt, false);
      return true;
    }
  }
  return false;
}

// The one numeric format that could start at p, told apart by a byte or two; -1 if too short.
inline int numeric_format(const char* p, const char* end) {
  if (end - p < 10) return -1;
  if (p[2] == '/') return kSlashed;
  if (p[2] == '-') return kMonthDay;
  if (p[4] == '-') return kIso;
  if (p[4] == '/') return kSlashedIso;
  if (p[6] == ' ') return kCompact;
  if (p[8] == '-') return kDashed;
  return kEpoch;
}

std::optional<double> TimestampParser::parse_auto(const char* begin, const char* end, bool remember) const {
  double t = 0;
  // Most logs put the same format at the very start of every line: try the last one there first.
  // A match at position 0 is the leftmost, so this shortcut never changes a result. A keyed JSON
  // value is parsed without it (`remember` false): the hint is about line starts.
  const int hint = remember ? hint_.load(std::memory_order_relaxed) : -1;
  if (hint >= 0 && try_format(hint, begin, begin, end, t)) return t;

  auto found = [&](int format, const char* p) {
    if (!remember) return t;
    const int remembered = p == begin ? format : -1;  // only a format at position 0 is worth a shortcut
    if (remembered != hint) hint_.store(remembered, std::memory_order_relaxed);
    return t;
  };
  const char* near = begin + std::min<std::size_t>(end - begin, kWindow);
  for (const char* p = begin; p < near; ++p) {
    const char c = *p;
    if (c == '[') {
      const bool digit = p + 1 < end && is_digit(p[1]);
      const int format = !digit ? kApacheError : p + 3 < end && p[3] == '.' ? kBracketed : kApacheAccess;
      if (try_format(format, p, begin, end, t)) return found(format, p);
      continue;
    }
    // A timestamp starts a word: not "id42" + "1117838570", not "v2.0" + "17/06/09".
    if (p > begin && (is_word(p[-1]) || p[-1] == '.')) continue;
    if (is_digit(c)) {
      const int format = numeric_format(p, end);
      if (format >= 0 && try_format(format, p, begin, end, t)) return found(format, p);
    } else if (is_alpha(c) && end - p >= 14 && p[3] == ' ') {
      if (try_format(kSyslog, p, begin, end, t)) return found(kSyslog, p);
    } else if (is_alpha(c) && end - p >= 14 && p[5] == ' ' && is_digit(p[1])) {
      if (try_format(kKlog, p, begin, end, t)) return found(kKlog, p);
    }
  }
  // Apache combined log: the client, identity and user fields come first.
  const char* wide = begin + std::min<std::size_t>(end - begin, kWideWindow);
  for (const char* p = near; p < wide; ++p) {
    p = static_cast<const char*>(std::memchr(p, '[', wide - p));
    if (p == nullptr) break;
    if (try_format(kApacheAccess, p, begin, end, t)) return found(kApacheAccess, p);
  }
  if (hint >= 0) hint_.store(-1, std::memory_order_relaxed);
  return std::nullopt;
}

std::optional<double> TimestampParser::parse_custom(const char* begin, const char* end) const {
  const char* wide = begin + std::min<std::size_t>(end - begin, kWideWindow);
  const Item first = items_.front();
  const bool numeric = is_numeric_directive(first.kind);
  const bool named = first.kind == 'b' || first.kind == 'a' || first.kind == 'A' || first.kind == 'p';
  double t = 0;
  for (const char* p = begin; p < wide; ++p) {
    if (first.kind == 0) {
      p = static_cast<const char*>(std::memchr(p, first.literal, wide - p));
      if (p == nullptr) break;
    } else if (p > begin && ((numeric && is_digit(p[-1])) || (named && is_alpha(p[-1])))) {
      continue;  // not the start of a number or a name
    }
    if (match_custom(p, end, t)) return t;
  }
  return std::nullopt;
}

bool TimestampParser::match_custom(const char* p, const char* end, double& out, const char** stop) const {
  int year = default_year_, month = 1, day = 1, day_of_year = 0, hour = 0, minute = 0, second = 0;
  int pm = -1;  // -1: no %p, 0: AM, 1: PM
  bool has_year = false, has_month = false, twelve_hour = false;
  double frac = 0;
  std::optional<int> offset;
  std::optional<std::int64_t> epoch;
  for (const Item& item : items_) {
    switch (item.kind) {
      case 0:
        if (p == end || *p != item.literal) return false;
        ++p;
        break;
      case ' ':
        if (p == end || !is_blank(*p)) return false;
        while (p < end && is_blank(*p)) ++p;
        break;
      case 'Y':
        if (!digits(p, end, 4, 4, year)) return false;
        has_year = true;
        break;
      case 'y':
        if (!digits(p, end, 2, 2, year)) return false;
        year = century(year);
        has_year = true;
        break;
      case 'm':
        if (!digits(p, end, 1, 2, month)) return false;
        has_month = true;
        break;
      case 'b':
        month = name_at(p, end, kMonths, 12);
        if (month == 0) return false;
        has_month = true;
        break;
      case 'e':
        if (p < end && *p == ' ') ++p;
        [[fallthrough]];
      case 'd':
        if (!digits(p, end, 1, 2, day)) return false;
        break;
      case 'j':
        if (!digits(p, end, 1, 3, day_of_year) || day_of_year < 1 || day_of_year > 366) return false;
        break;
      case 'H':
        if (!digits(p, end, 1, 2, hour)) return false;
        break;
      case 'I':
        if (!digits(p, end, 1, 2, hour) || hour < 1 || hour > 12) return false;
        twelve_hour = true;
        break;
      case 'M':
        if (!digits(p, end, 1, 2, minute)) return false;
        break;
      case 'S':
        if (!digits(p, end, 1, 2, second)) return false;
        break;
      case 'f':
        if (!fraction(p, end, frac)) return false;
        break;
      case 'p':
        if (end - p < 2 || lower(p[1]) != 'm' || (lower(p[0]) != 'a' && lower(p[0]) != 'p')) return false;
        pm = lower(p[0]) == 'p';
        p += 2;
        break;
      case 'a':
      case 'A':
        if (name_at(p, end, kWeekdays, 7) == 0) return false;
        break;
      case 'z': {
        int seconds = 0;
        if (!zone(p, end, seconds)) return false;
        offset = seconds;
        break;
      }
      case 's': {
        std::int64_t value = 0;
        int n = 0;
        for (; n < 18 && p < end && is_digit(*p); ++n, ++p) value = value * 10 + (*p - '0');
        if (n == 0) return false;
        epoch = value;
        break;
      }
    }
  }
  if (stop != nullptr) *stop = p;
  if (epoch) {
    out = static_cast<double>(*epoch) + frac;
    return true;
  }
  if (twelve_hour) {
    hour %= 12;
    if (pm == 1) hour += 12;
  }
  if (!valid_clock(hour, minute, second)) return false;
  if (!has_month && day_of_year > 0) {
    // %j counts from January 1st; the year decides where day 60 falls.
    if (day_of_year == 366 && !is_leap(year)) return false;
    const std::int64_t clock_seconds = hour * 3600 + minute * 60 + second - (offset ? *offset : utc_offset_);
    auto at = [&](int y) {
      return static_cast<double>((days_from_civil(y, 1, 1) + day_of_year - 1) * 86400 + clock_seconds);
    };
    double t = at(year);
    if (!has_year && latest_ && t > *latest_) t = at(year - 1);
    out = t + frac;
    return true;
  }
  if (!valid_date(year, month, day, has_year)) return false;
  out = from_fields(year, month, day, hour, minute, second, frac, offset, has_year);
  return true;
}

std::optional<double> TimestampParser::parse_whole(std::string_view text) const {
  const char* stop = nullptr;
  double t = 0;
  if (items_.empty() || !match_custom(text.data(), text.data() + text.size(), t, &stop)) return std::nullopt;
  if (stop != text.data() + text.size()) return std::nullopt;
  return t;
}

double parse_time_argument(std::string_view text, double now, std::string_view format) {
  if (!format.empty()) {
    try {
      return parse_time_argument(text, now);
    } catch (const UsageError&) {
      // Not one of the usual forms: then the log's own, whole, year-less ones dated as a log's.
      std::string_view trimmed = text;
      while (!trimmed.empty() && is_blank(trimmed.front())) trimmed.remove_prefix(1);
      while (!trimmed.empty() && is_blank(trimmed.back())) trimmed.remove_suffix(1);
      if (const std::optional<double> t = TimestampParser::for_file(format, now).parse_whole(trimmed)) return *t;
      throw UsageError("invalid time '" + std::string(text) +
                       "': expected the --time-format '" + std::string(format) +
                       "', a date and time (2026-01-01T10:00, '2026-01-01 10:00:00', 10:00 for today, UTC unless a "
                       "zone like Z or +02:00 follows), @EPOCH, now, or an age (30s, 30m, 2h, 3d, 1w)");
    }
  }
  const std::string_view original = text;
  auto bad = [&]() -> double {
    throw UsageError("invalid time '" + std::string(original) +
                     "': expected a date and time (2026-01-01T10:00, '2026-01-01 10:00:00', 10:00 for today, "
                     "UTC unless a zone like Z or +02:00 follows), @EPOCH, now, or an age (30s, 30m, 2h, 3d, 1w)");
  };
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  if (text.empty()) return bad();
  if (text == "now") return now;
  const char* p = text.data();
  const char* end = p + text.size();

  // A plain non-negative number in fixed notation, as all of [p, stop).
  auto number = [&](const char* from, const char* stop, double& value) {
    if (from == stop || !is_digit(*from)) return false;
    auto [ptr, ec] = std::from_chars(from, stop, value, std::chars_format::fixed);
    return ec == std::errc{} && ptr == stop && std::isfinite(value);
  };

  if (*p == '@') {
    double value = 0;
    if (!number(p + 1, end, value)) return bad();
    return value;
  }
  double amount = 0;
  if (number(p, end - 1, amount)) {  // an age: 30m
    switch (end[-1]) {
      case 's': return now - amount;
      case 'm': return now - amount * 60;
      case 'h': return now - amount * 3600;
      case 'd': return now - amount * 86400;
      case 'w': return now - amount * 7 * 86400;
      default: return bad();
    }
  }

  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  double frac = 0;
  std::optional<int> offset;
  if (text.size() == 10) {  // 2026-01-01: midnight
    if (p[4] != '-' || p[7] != '-' || !fixed(p, end, 4, year) || !fixed(p + 5, end, 2, month) ||
        !fixed(p + 8, end, 2, day) || !valid_date(year, month, day, true)) {
      return bad();
    }
    return static_cast<double>(days_from_civil(year, month, day) * 86400);
  }
  const char* q = p;
  if (iso(q, end, year, month, day, hour, minute, second, frac, offset)) {
    if (q != end) return bad();
    return static_cast<double>(days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
                               offset.value_or(0)) +
           frac;
  }
  // 10:00[:00[.5]][zone], today (UTC).
  if (!fixed(p, end, 2, hour) || end - p < 5 || p[2] != ':' || !fixed(p + 3, end, 2, minute)) return bad();
  q = p + 5;
  if (q < end && *q == ':') {
    if (!fixed(q + 1, end, 2, second)) return bad();
    q += 3;
    if (q < end && *q == '.') {
      ++q;
      if (!fraction(q, end, frac)) return bad();
    }
  }
  int seconds = 0;
  if (q < end && zone(q, end, seconds)) offset = seconds;
  if (q != end || !valid_clock(hour, minute, second)) return bad();
  const double today = std::floor(now / 86400) * 86400;
  return today + hour * 3600 + minute * 60 + second - offset.value_or(0) + frac;
}

}  // namespace logsift
