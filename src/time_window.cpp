#include "logsift/time_window.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

namespace logsift {

generator<Line> time_window(generator<Line> input, TimestampParser parser, std::optional<double> since,
                            std::optional<double> until) {
  // Before any timestamp a line is as old as can be: in only if there is no lower bound.
  bool inside = !since;
  for (const Line& line : input) {
    if (const std::optional<double> t = parser.parse(line.text)) {
      inside = (!since || *t >= *since) && (!until || *t < *until);
    }
    if (inside) co_yield line;
  }
}

namespace {

constexpr std::size_t kChunk = std::size_t{16} * 1024;        // one pread
constexpr std::uint64_t kDense = std::uint64_t{64} * 1024;    // the search ends on a range this small
constexpr std::uint64_t kBudget = std::uint64_t{8} << 20;     // bytes read before giving up on a seek
constexpr std::uint64_t kStretch = std::uint64_t{1} << 20;    // ... or walked without meeting a timestamp
constexpr std::uint64_t kBehind = 2 * 1024;                 // a probe also looks at the lines just before it
constexpr std::uint64_t kAhead = 14 * 1024;                 // ... and at those after it
constexpr double kMaxDisorder = 300;                        // seconds a line may lag behind earlier ones
constexpr int kSamples = 16;

// Anything that makes the seek pointless or unsafe: the caller scans instead.
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
};

// The first line starting in [x, limit) that has a timestamp. The parser sees the same bytes the
// stage will (the text before '\n', of which only the first kLookahead bytes matter).
std::optional<Stamped> first_stamped(ProbeReader& reader, const TimestampParser& parser, std::uint64_t x,
                                     std::uint64_t limit) {
  constexpr std::size_t kLook = TimestampParser::kLookahead;
  std::uint64_t start = line_start(reader, x);
  const std::uint64_t first = start;
  while (start < limit && start < reader.size()) {
    if (start - first > kStretch) throw GiveUp{};
    std::string_view head = reader.at(start, kLook + 1);
    head = head.substr(0, std::min(head.size(), kLook + 1));
    const std::size_t nl = head.find('\n');
    const std::string_view text = head.substr(0, nl == std::string_view::npos ? kLook : nl);
    if (const std::optional<double> t = parser.parse(text)) return Stamped{start, *t};
    start = nl != std::string_view::npos ? start + nl + 1 : line_start(reader, start + head.size());
  }
  return std::nullopt;
}

// Every timestamped line met by the probes, to judge how far out of order the file is.
using Seen = std::vector<Stamped>;

// The first timestamped line starting in [x, limit), like first_stamped, but it also records the
// timestamped lines around it (from kBehind before x to kAhead after) in `seen`: a line out of order
// where the search looks is caught, even if the search lands right on it.
std::optional<Stamped> probe(ProbeReader& reader, const TimestampParser& parser, std::uint64_t x,
                             std::uint64_t limit, Seen& seen) {
  std::optional<Stamped> found;
  const std::uint64_t stop = std::min(reader.size(), x + kAhead);
  for (std::uint64_t at = x > kBehind ? x - kBehind : 0; at < reader.size();) {
    const std::optional<Stamped> line = first_stamped(reader, parser, at, reader.size());
    if (!line) break;
    if (line->start >= x && !found) {
      if (line->start >= limit) break;
      found = line;
    }
    seen.push_back(*line);
    if (found && line->start >= stop) break;
    at = line->start + 1;
  }
  return found;
}

// The largest lag in `seen` (sorted by position): how far a line's time falls below the latest time
// before it. 0 for lines in order.
double largest_lag(Seen& seen) {
  std::sort(seen.begin(), seen.end(), [](const Stamped& a, const Stamped& b) { return a.start < b.start; });
  double latest = -std::numeric_limits<double>::infinity();
  double lag = 0;
  for (const Stamped& s : seen) {
    lag = std::max(lag, latest - s.t);
    latest = std::max(latest, s.t);
  }
  return lag;
}

}  // namespace

std::optional<std::uint64_t> find_since_offset(int fd, std::uint64_t file_size, const TimestampParser& parser,
                                               double since) {
  try {
    ProbeReader reader(fd, file_size);
    Seen seen;

    // How out of order is the file? Logs written by several threads lag by a little; a line lagging
    // more than kMaxDisorder (a rotated file appended to its successor, a replay) rules the seek out.
    // (A file of kDense bytes or less is walked whole: no need.)
    for (int k = 0; file_size > kDense && k < kSamples; ++k) {
      probe(reader, parser, file_size * k / kSamples, file_size, seen);
    }
    const double observed = largest_lag(seen);
    if (observed > kMaxDisorder) return std::nullopt;
    const double lag = std::min(kMaxDisorder, 2 * observed);  // what the search assumes

    // If no line lags more than `lag`, a line p with t < since - lag means no line before p reaches
    // since (one that did would hold every later line above since - lag). So the first line >= since
    // is never before `lo`. `hi` only steers the search: it ends on a range of kDense bytes.
    std::uint64_t lo = 0;
    std::uint64_t hi = file_size;
    while (hi - lo > kDense) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      const std::optional<Stamped> line = probe(reader, parser, mid, hi, seen);
      if (line && line->t < since - lag) {
        lo = line->start + 1;
      } else {
        hi = mid;
      }
    }

    // Walk from a margin before lo to the first line >= since: the answer. Every line on the way is
    // checked, so a file walked from byte 0 needs no more checking.
    const std::uint64_t from = lo > kDense ? lo - kDense : 0;
    std::uint64_t answer = file_size;
    for (std::uint64_t at = from; at < file_size;) {
      const std::optional<Stamped> line = first_stamped(reader, parser, at, file_size);
      if (!line) break;
      seen.push_back(*line);
      if (line->t >= since) {
        answer = line->start;
        break;
      }
      at = line->start + 1;
    }
    if (from == 0) return answer;
    // Otherwise the lines nobody read are trusted to lag no more than assumed, on the evidence of
    // the ones that were read.
    if (answer < lo || largest_lag(seen) > lag) return std::nullopt;
    return answer;
  } catch (const GiveUp&) {
    return std::nullopt;
  }
}

}  // namespace logsift
