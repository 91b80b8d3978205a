#include "logsift/time_window.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace logsift {

generator<Line> time_window(generator<Line> input, TimestampParser parser, std::optional<double> since,
                            std::optional<double> until, TimeUse* use) {
  // Before any timestamp a line is as old as can be: in only if there is no lower bound.
  bool inside = !since;
  if (use != nullptr) use->complete = false;
  for (const Line& line : input) {
    if (use != nullptr) use->lines = true;
    if (const std::optional<double> t = parser.parse(line.text)) {
      inside = (!since || *t >= *since) && (!until || *t < *until);
      if (use != nullptr) use->stamped = true;
    }
    if (inside) co_yield line;
  }
  if (use != nullptr) use->complete = true;
}

namespace {

constexpr std::size_t kChunk = std::size_t{16} * 1024;        // one pread of the probes
constexpr std::uint64_t kDense = std::uint64_t{64} * 1024;    // the probe search ends on a range this small
constexpr std::uint64_t kBudget = std::uint64_t{8} << 20;     // bytes the probes may read
constexpr std::uint64_t kStretch = std::uint64_t{1} << 20;    // ... or walk without meeting a timestamp
constexpr std::size_t kPass = std::size_t{256} * 1024;        // one read of the proving pass
constexpr std::size_t kLook = TimestampParser::kLookahead;

// A probe read too much or failed: the search for a reference ends there.
struct GiveUp {};

// Reads the file in small pieces with pread, keeping the last piece, within a read budget.
class ProbeReader {
 public:
  ProbeReader(int fd, std::uint64_t size) : fd_(fd), size_(size), buffer_(kChunk) {}

  std::uint64_t size() const { return size_; }

  // The bytes from `pos` to the end of the buffered piece: at least min(want, size - pos) of them.
  std::string_view at(std::uint64_t pos, std::size_t want) {
    want = static_cast<std::size_t>(std::min<std::uint64_t>(want, size_ - pos));
    if (pos < start_ || pos + want > start_ + length_) fill(pos, std::max(want, kChunk));
    return {buffer_.data() + (pos - start_), static_cast<std::size_t>(start_ + length_ - pos)};
  }

 private:
  void fill(std::uint64_t pos, std::size_t want) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want, size_ - pos));
    read_ += n;
    if (read_ > kBudget) throw GiveUp{};
    if (buffer_.size() < n) buffer_.resize(n);
    std::size_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(fd_, buffer_.data() + done, n - done, static_cast<off_t>(pos + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) throw GiveUp{};  // an error, or the file shrank under us
      done += static_cast<std::size_t>(got);
    }
    start_ = pos;
    length_ = n;
  }

  int fd_;
  std::uint64_t size_;
  std::vector<char> buffer_;
  std::uint64_t start_ = 0;
  std::size_t length_ = 0;
  std::uint64_t read_ = 0;
};

// The start of the first line at or after `x`: x itself if a line starts there.
std::uint64_t line_start(ProbeReader& reader, std::uint64_t x) {
  if (x == 0) return 0;
  for (std::uint64_t pos = x - 1; pos < reader.size();) {
    const std::string_view bytes = reader.at(pos, 1);  // whatever is buffered from pos on
    if (const void* nl = std::memchr(bytes.data(), '\n', bytes.size())) {
      return pos + static_cast<std::uint64_t>(static_cast<const char*>(nl) - bytes.data()) + 1;
    }
    pos += bytes.size();
  }
  return reader.size();
}

struct Stamped {
  std::uint64_t start;
  double t;
  std::string_view text;  // valid until the reader's next read
};

// The first line starting in [x, limit) that has a timestamp. The parser sees the same bytes the
// stage will (the text before '\n', of which only the first kLook bytes matter).
std::optional<Stamped> first_stamped(ProbeReader& reader, const TimestampParser& parser, std::uint64_t x,
                                     std::uint64_t limit) {
  std::uint64_t start = line_start(reader, x);
  const std::uint64_t first = start;
  while (start < limit && start < reader.size()) {
    if (start - first > kStretch) throw GiveUp{};
    std::string_view head = reader.at(start, kLook + 1);
    head = head.substr(0, std::min(head.size(), kLook + 1));
    const std::size_t nl = head.find('\n');
    const std::string_view text = head.substr(0, nl == std::string_view::npos ? kLook : nl);
    if (const std::optional<double> t = parser.parse(text)) return Stamped{start, *t, text};
    start = nl != std::string_view::npos ? start + nl + 1 : line_start(reader, start + head.size());
  }
  return std::nullopt;
}

inline bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }
inline int two(const char* p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

// Whether the ISO date and clock at p (digits in place) are ones the parser accepts, leap seconds
// excepted.
bool valid_fields(const char* p, bool has_seconds) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int year = two(p) * 100 + two(p + 2), month = two(p + 5), day = two(p + 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  if (day > kDays[month - 1] + (month == 2 && leap)) return false;
  // No leap second: "10:00:60.5" is later than "10:01:00.2" but sorts before it.
  return two(p + 11) <= 23 && two(p + 14) <= 59 && (!has_seconds || two(p + 17) <= 59);
}

// The proving pass's fast check. Among lines that start with an ISO 8601 timestamp of one exact
// shape (the same places for digits, the same separators, fraction width and zone text, and the
// same byte after them), with a valid date and clock and no leap second, the parser
// reads the timestamp at position 0 (no other format can match there), and the text of the date,
// clock and fraction orders them as their times do. So such a line whose text is at most the
// reference's is no later than the reference, which is before `since`: no parse needed.
class IsoShape {
 public:
  // The shape of the timestamp that `text` starts with, with `text` as the reference; nullopt if
  // it does not start with one this check can take.
  static std::optional<IsoShape> of(std::string_view text) {
    const char* p = text.data();
    const std::size_t n = text.size();
    if (n < 17 || p[4] != '-' || p[7] != '-' || p[13] != ':' || (p[10] != 'T' && p[10] != 't' && p[10] != ' ')) {
      return std::nullopt;
    }
    IsoShape shape;
    for (int i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15}) {
      if (!is_digit(p[i])) return std::nullopt;
      shape.digits_ |= std::uint64_t{1} << i;
    }
    std::size_t i = 16;
    const bool has_seconds = n >= 19 && p[16] == ':' && is_digit(p[17]) && is_digit(p[18]);
    if (has_seconds) {
      shape.digits_ |= std::uint64_t{3} << 17;
      i = 19;
      if (i + 1 < n && (p[i] == '.' || p[i] == ',') && is_digit(p[i + 1])) {
        for (++i; i < n && is_digit(p[i]); ++i) shape.digits_ |= std::uint64_t{1} << std::min<std::size_t>(i, 63);
      }
    }
    if (!valid_fields(p, has_seconds)) return std::nullopt;
    shape.seconds_ = has_seconds;
    shape.ordered_ = i;
    // The zone (the parser's zone(): Z, ±hh, ±hhmm, ±hh:mm, not followed by a digit), kept as text.
    bool zoned = false;
    if (i < n && (p[i] == 'Z' || p[i] == 'z')) {
      ++i;
      zoned = true;
    } else if (i + 2 < n && (p[i] == '+' || p[i] == '-') && is_digit(p[i + 1]) && is_digit(p[i + 2])) {
      std::size_t q = i + 3;
      if (q + 2 < n && p[q] == ':' && is_digit(p[q + 1]) && is_digit(p[q + 2])) {
        q += 3;
      } else if (q + 1 < n && is_digit(p[q]) && is_digit(p[q + 1])) {
        q += 2;
      }
      const int minutes = q - i == 6 ? two(p + i + 4) : q - i == 5 ? two(p + i + 3) : 0;
      if (q < n && !is_digit(p[q]) && two(p + i + 1) <= 23 && minutes <= 59) {
        i = q;
        zoned = true;
      }
    }
    // The byte after the time ends it for both lines: without a zone, not one that could go on
    // with a fraction, seconds or a zone; after ±hh:mm, not a digit (checked above).
    if (i == n || (!zoned && (is_digit(p[i]) || std::strchr(".,:Zz+-", p[i]) != nullptr))) return std::nullopt;
    ++i;
    if (i > kMax) return std::nullopt;
    shape.length_ = i;
    std::memcpy(shape.reference_, p, i);
    return shape;
  }

  // Whether `text` has this shape, is valid and sorts at or before the reference.
  bool not_after(std::string_view text) const {
#if defined(__SSE2__)
    if (text.size() >= 32 && length_ <= 32) return not_after_sse2(text.data());
#endif
    return matches(text) && compare(text) <= 0;
  }

  // Makes `text` the reference if it has this shape, is valid and sorts after the reference (the
  // caller knows it is before `since`).
  void raise(std::string_view text) {
    if (matches(text) && compare(text) > 0) std::memcpy(reference_, text.data(), length_);
  }

 private:
  static constexpr std::size_t kMax = 64;

  bool matches(std::string_view text) const {
    if (text.size() < length_) return false;
    const char* p = text.data();
    for (std::size_t i = 0; i < length_; ++i) {
      const bool digit = (digits_ >> i) & 1;
      if (digit ? !is_digit(p[i]) : p[i] != reference_[i]) return false;
    }
    return valid_fields(p, seconds_);
  }

  int compare(std::string_view text) const { return std::memcmp(text.data(), reference_, ordered_); }

#if defined(__SSE2__)
  // not_after for 32 readable bytes at p, a shape of at most 32: one comparison of 32 bytes.
  bool not_after_sse2(const char* p) const {
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
    auto equal = [&](__m128i v, std::size_t at) {
      const __m128i ref = _mm_loadu_si128(reinterpret_cast<const __m128i*>(reference_ + at));
      return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, ref)));
    };
    auto digit = [](__m128i v) {
      const __m128i nine = _mm_set1_epi8(9);
      const __m128i off = _mm_sub_epi8(v, _mm_set1_epi8('0'));
      return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(off, nine), nine)));
    };
    const std::uint32_t same = equal(lo, 0) | equal(hi, 16) << 16;
    const std::uint32_t digits = digit(lo) | digit(hi) << 16;
    const auto want = static_cast<std::uint32_t>(digits_);
    const std::uint32_t cover = length_ == 32 ? ~std::uint32_t{0} : (std::uint32_t{1} << length_) - 1;
    if ((((digits & want) | (same & ~want)) & cover) != cover) return false;
    const std::uint32_t differ = ~same & ((std::uint32_t{1} << ordered_) - 1);
    if (differ == 0) return true;  // the reference's own date and clock
    const int first = __builtin_ctz(differ);
    if (static_cast<unsigned char>(p[first]) > static_cast<unsigned char>(reference_[first])) return false;
    // Fields before the first difference are the reference's, so valid.
    if (first < 10) return valid_fields(p, seconds_);
    return two(p + 11) <= 23 && two(p + 14) <= 59 && (!seconds_ || two(p + 17) <= 59);
  }
#endif

  char reference_[kMax] = {};
  std::uint64_t digits_ = 0;  // bit i: byte i is a digit of the date, clock or fraction
  std::size_t ordered_ = 0;   // bytes [0, ordered_) hold the date, clock and fraction
  std::size_t length_ = 0;    // the bytes the shape covers
  bool seconds_ = false;
};

// A reference for the fast check: the latest line before `since` that a binary search finds,
// assuming the file is in order (if it is not, the reference is merely earlier than it could be).
// nullopt if the lines are not ISO-stamped, or the probes read too much.
std::optional<IsoShape> find_reference(int fd, std::uint64_t file_size, const TimestampParser& parser, double since) {
  std::optional<IsoShape> best;
  auto consider = [&](const Stamped& line) {
    if (best) {
      best->raise(line.text);
    } else {
      best = IsoShape::of(line.text);
    }
  };
  try {
    ProbeReader reader(fd, file_size);
    std::uint64_t lo = 0;
    std::uint64_t hi = file_size;
    while (hi - lo > kDense) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      const std::optional<Stamped> line = first_stamped(reader, parser, mid, hi);
      if (line && line->t < since) {
        consider(*line);
        lo = line->start + 1;
      } else {
        hi = mid;
      }
    }
    for (std::uint64_t at = lo; at < file_size;) {
      const std::optional<Stamped> line = first_stamped(reader, parser, at, file_size);
      if (!line || line->t >= since) break;
      consider(*line);
      at = line->start + 1;
    }
  } catch (const GiveUp&) {
    // Whatever was found so far still serves.
  }
  return best;
}

// A read error in the proving pass: the caller scans from byte 0.
struct ReadFailed {};

// The newlines of [begin, end) in order, found 64 bytes at a time (a bit mask per block rather than
// a memchr call per line). May read up to 63 bytes past `end`.
class Newlines {
 public:
  Newlines(const char* begin, const char* end) : block_(begin), end_(end) { mask_ = bits(block_); }

  // The next newline, or nullptr.
  const char* next() {
    while (mask_ == 0) {
      block_ += 64;
      if (block_ >= end_) return nullptr;
      mask_ = bits(block_);
    }
    const char* found = block_ + __builtin_ctzll(mask_);
    mask_ &= mask_ - 1;
    return found < end_ ? found : nullptr;
  }

 private:
  static std::uint64_t bits(const char* p) {
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    std::uint64_t mask = 0;
    for (int i = 0; i < 4; ++i) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
      mask |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)))) << (16 * i);
    }
    return mask;
#else
    std::uint64_t mask = 0;
    for (int i = 0; i < 64; ++i) mask |= static_cast<std::uint64_t>(p[i] == '\n') << i;
    return mask;
#endif
  }

  const char* block_;
  const char* end_;
  std::uint64_t mask_;
};

// The proving pass: every line from byte 0 in order, up to the first one with a timestamp >= since
// or with a NUL byte (which makes the input binary for the printer, so it is never skipped).
// Lines are checked by `shape` where they can be, by the parser otherwise.
std::uint64_t first_kept_line(int fd, std::uint64_t file_size, const TimestampParser& parser, double since,
                              std::optional<IsoShape> shape, bool& saw_timestamp) {
  constexpr std::size_t kPad = 64;  // Newlines reads a block past the end
  std::vector<char> buffer(kPass + kPad);
  std::uint64_t base = 0;  // file offset of buffer[0]
  std::size_t length = 0;  // bytes held
  constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t nul = kNone;  // the first NUL read, if any
  // Keeps the bytes from `keep` on and reads after them; false at the end of the file.
  auto read_more = [&](std::uint64_t keep) {
    const std::size_t kept = static_cast<std::size_t>(base + length - keep);
    std::memmove(buffer.data(), buffer.data() + (keep - base), kept);
    base = keep;
    length = kept;
    const std::uint64_t left = file_size - (base + length);
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kPass - kept, left));
    if (want == 0) return false;
    ssize_t got;
    do {
      got = ::pread(fd, buffer.data() + length, want, static_cast<off_t>(base + length));
    } while (got < 0 && errno == EINTR);
    if (got < 0) throw ReadFailed{};
    if (got == 0) return false;  // the file shrank: what is left is not proved, so not skipped
    if (nul == kNone) {
      if (const void* z = std::memchr(buffer.data() + length, '\0', static_cast<std::size_t>(got))) {
        nul = base + static_cast<std::uint64_t>(static_cast<const char*>(z) - buffer.data());
      }
    }
    length += static_cast<std::size_t>(got);
    return true;
  };
  // Whether a line is before `since` or has no timestamp. The parser looks at its first kLook
  // bytes, and at the whole of a JSON line that has no timestamp there.
  auto before_since = [&](std::string_view text) {
    if (shape && shape->not_after(text)) return saw_timestamp = true;
    const std::optional<double> t = parser.parse(text);
    if (!t) return true;
    saw_timestamp = true;
    if (*t >= since) return false;
    if (shape) shape->raise(text);
    return true;
  };

  std::uint64_t pos = 0;  // the start of the line to check
  if (!read_more(0)) return 0;
  for (;;) {
    const char* begin = buffer.data() + (pos - base);
    Newlines newlines(begin, buffer.data() + length);
    while (const char* nl = newlines.next()) {
      const std::size_t size = static_cast<std::size_t>(nl - begin);
      if (!before_since(std::string_view(begin, size))) return pos;
      pos += size + 1;
      if (nul < pos) return pos - size - 1;
      begin = nl + 1;
    }
    // The rest, [pos, base + length), is the start of a line.
    const std::size_t held = static_cast<std::size_t>(base + length - pos);
    // A last line without '\n' is not skipped: a writer may be finishing it.
    if (base + length >= file_size) return pos;
    if (held < kPass) {  // fetch the rest of the line
      if (!read_more(pos)) return pos;
      continue;
    }
    // A line longer than the buffer: check its head, then walk on to its end. A JSON line whose
    // head has no timestamp may have its time key further on: not proved, not skipped.
    const std::string_view head(begin, kLook);
    if (!before_since(head) || (TimestampParser::may_be_keyed(head) && !parser.parse(head))) return pos;
    for (;;) {
      if (nul < base + length || !read_more(base + length)) return pos;
      if (const void* end = std::memchr(buffer.data(), '\n', length)) {
        const std::uint64_t next = base + static_cast<std::uint64_t>(static_cast<const char*>(end) - buffer.data()) + 1;
        if (nul < next) return pos;
        pos = next;
        break;
      }
    }
  }
}

}  // namespace

std::optional<std::uint64_t> find_since_offset(int fd, std::uint64_t file_size, const TimestampParser& parser,
                                               double since, bool* saw_timestamp) {
  std::optional<IsoShape> shape;
  bool saw = false;
  if (parser.auto_detect() && file_size > kDense) shape = find_reference(fd, file_size, parser, since);
  try {
    const std::uint64_t offset = first_kept_line(fd, file_size, parser, since, shape, saw);
    if (saw_timestamp != nullptr) *saw_timestamp = saw;
    return offset;
  } catch (const ReadFailed&) {
    return std::nullopt;
  }
}

}  // namespace logsift
