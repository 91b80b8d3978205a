#include "logsift/source.hpp"

#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "logsift/byte_scan.hpp"
#include "logsift/decompress.hpp"
#include "logsift/follow.hpp"
#include "logsift/matcher.hpp"
#include "logsift/null_data.hpp"
#include "logsift/worker.hpp"
#include "logsift/worker_gate.hpp"

namespace logsift {
namespace {

// Chunks are searched piece by piece. Where the search does not look for NULs itself, each piece
// is checked for them first, and is small enough for the check to leave it in the cache.
constexpr std::size_t kPiece = 128 * 1024;

// Where the piece of `chunk` that begins at `start` ends: at the first '\n' at least kPiece on,
// or at the chunk's end.
std::size_t piece_end(std::string_view chunk, std::size_t start) {
  return chunk.size() - start <= kPiece ? chunk.size() : line_end_at(chunk, start + kPiece);
}

// The first line at or after `from` that matches `lead` and, when set, `also` as well: the lead is
// searched for over the buffer, `also` checked on each line the lead finds.
// `first_nul` as in Matcher::next_matching_line.
std::optional<Span> next_line_matching_both(const Matcher& lead, const Matcher* also, std::string_view chunk,
                                            std::size_t from, std::size_t* first_nul) {
  for (;;) {
    const std::optional<Span> hit = lead.next_matching_line(chunk, from, first_nul);
    if (!hit || also == nullptr || also->matches(chunk.substr(hit->begin, hit->size()))) return hit;
    if (hit->end >= chunk.size()) return std::nullopt;
    from = hit->end + 1;
  }
}

// How many lines of `sample` (whole lines) match `matcher`.
std::size_t matching_lines_in(const Matcher& matcher, std::string_view sample) {
  std::size_t count = 0;
  for (std::size_t from = 0; from <= sample.size();) {
    const std::optional<Span> hit = matcher.next_matching_line(sample, from);
    if (!hit) break;
    ++count;
    from = hit->end + 1;
  }
  return count;
}

// What the worker found in the later part of a chunk: the matching lines, up to a limit, and
// (when lines are numbered) how many newlines precede each of them and the whole part.
struct FoundLines {
  std::vector<Span> spans;                   // ascending, relative to the chunk
  std::vector<std::uint64_t> newlines_before;  // per span, when counted
  std::uint64_t total_newlines = 0;          // in the whole chunk, when counted and complete
  std::size_t found_up_to = 0;               // every match before this offset is in spans
  std::size_t first_nul = std::string_view::npos;  // when looked for: the first NUL before found_up_to
  bool counted = false;
};

// Where the matching lines of a chunk are: searched for as the lines are wanted, or taken from
// what the worker found ahead (then searched for only past `found_up_to`). When watching for
// NULs, the search looks for them on its way (Matcher::next_matching_line), so that every byte up
// to the end of the line found last has been looked at.
class MatchingLines {
 public:
  // Lines that match `matcher` and, when set, `also`.
  MatchingLines(const Matcher* matcher, const Matcher* also, bool watch_nul = false)
      : matcher_(matcher), also_(also), watch_nul_(watch_nul) {}
  MatchingLines(const Matcher* matcher, const Matcher* also, bool watch_nul, const FoundLines* found)
      : matcher_(matcher), also_(also), found_(found), watch_nul_(watch_nul), first_nul_(found->first_nul) {}

  // The first matching line of `chunk` that starts at or after `from` (a line start).
  std::optional<Span> next(std::string_view chunk, std::size_t from) {
    if (found_ == nullptr || from >= found_->found_up_to) return search(chunk, from);
    while (next_found_ < found_->spans.size() && found_->spans[next_found_].begin < from) ++next_found_;
    if (next_found_ < found_->spans.size()) return found_->spans[next_found_];
    return found_->found_up_to <= chunk.size() ? search(chunk, found_->found_up_to) : std::nullopt;
  }

  // Whether a NUL was seen at or before `offset`; exact for offsets up to the end of the line
  // next() returned last (the end of the chunk after it returned nullopt).
  bool nul_by(std::size_t offset) const { return watch_nul_ && first_nul_ <= offset; }

  // The number of newlines in chunk[0, to) if the worker counted them: `to` is the line start of
  // the span next() returned last, or the chunk's end after the last span.
  std::optional<std::uint64_t> newlines_before(std::string_view chunk, std::size_t to) const {
    if (found_ == nullptr || !found_->counted) return std::nullopt;
    if (next_found_ < found_->spans.size() && found_->spans[next_found_].begin == to) {
      return found_->newlines_before[next_found_];
    }
    if (to == chunk.size() && found_->found_up_to > chunk.size()) return found_->total_newlines;
    return std::nullopt;
  }

 private:
  std::optional<Span> search(std::string_view chunk, std::size_t from) {
    return next_line_matching_both(*matcher_, also_, chunk, from, watch_nul_ ? &first_nul_ : nullptr);
  }

  const Matcher* matcher_;
  const Matcher* also_;
  const FoundLines* found_ = nullptr;
  std::size_t next_found_ = 0;
  bool watch_nul_;
  std::size_t first_nul_ = std::string_view::npos;
};

// The worker's search of the later part of a chunk, into a bounded list of line spans.
struct WorkerSearch {
  // At most this many spans (lines of a few bytes that all match would otherwise make the list
  // as big as the block); past them the consumer searches the rest itself. Half a 2 MiB window
  // of ~120-byte log lines that nearly all match (-v INFO) is about 8000.
  static constexpr std::size_t kMaxSpans = 16384;

  const Matcher* matcher = nullptr;  // a twin of the consumer's: the threads share no RE2 locks
  const Matcher* also = nullptr;     // likewise, for SourceOptions::also_select
  std::string_view chunk;
  bool check_nul = false;       // the chunk, and nul_tail after it, are to be looked at for NULs
  std::string_view nul_tail;
  bool count_lines = false;
  FoundLines found;
  bool nul_in_tail = false;
  // Set when the consumer stops reading (a -m or --take reached) while this search runs: the
  // worker gives up at the next piece instead of searching a part nobody will read.
  std::atomic<bool> abandoned{false};

  static void run(void* context) {
    auto& job = *static_cast<WorkerSearch*>(context);
    const std::string_view chunk = job.chunk;
    FoundLines& found = job.found;
    found.spans.clear();
    found.newlines_before.clear();
    found.counted = job.count_lines;
    found.found_up_to = chunk.size() + 1;
    found.first_nul = std::string_view::npos;
    std::size_t* const first_nul = job.check_nul ? &found.first_nul : nullptr;
    std::uint64_t newlines = 0;
    std::size_t counted_to = 0;
    std::size_t pos = 0;
    for (std::size_t start = 0, end = 0; start <= chunk.size() && pos <= chunk.size(); start = end + 1) {
      if (job.abandoned.load(std::memory_order_relaxed)) return;
      end = piece_end(chunk, start);
      const std::string_view searched = chunk.substr(0, end);  // ends at a line end
      while (pos <= end) {
        if (found.spans.size() == kMaxSpans) {
          found.found_up_to = pos;
          break;
        }
        const std::optional<Span> hit = next_line_matching_both(*job.matcher, job.also, searched, pos, first_nul);
        if (!hit) {
          pos = end + 1;
          break;
        }
        if (job.count_lines) {
          newlines += count_newlines(chunk.data() + counted_to, chunk.data() + hit->begin);
          counted_to = hit->begin;
          found.newlines_before.push_back(newlines);
        }
        found.spans.push_back(*hit);
        pos = hit->end + 1;
      }
      if (found.found_up_to <= chunk.size()) break;
    }
    // Past found_up_to the consumer searches, and looks for NULs, itself; the unfinished line
    // after the chunk is looked at here.
    job.nul_in_tail = job.check_nul && contains_nul(job.nul_tail);
    if (job.count_lines && found.found_up_to > chunk.size()) {
      found.total_newlines = newlines + count_newlines(chunk.data() + counted_to, chunk.data() + chunk.size());
    }
  }
};

// Chunks smaller than this are searched by the consumer alone: the hand-over would cost more than
// the half it saves.
constexpr std::size_t kMinChunkToShare = 16 * 1024;

// The lines of one chunk: whole lines separated by '\n', the last without its terminator (so
// every position after a '\n' starts a line, the chunk's end included). `next_number` is the
// number of the chunk's first line on entry and one past its last line on exit. Without a
// `select` matcher every line is yielded.
// With `saw_nul`, a NUL the search came across (MatchingLines watching) sets it before the line
// holding it is yielded.
generator<Line> chunk_lines(std::string_view chunk, std::uint64_t base_offset, std::uint64_t* next_number,
                            const Matcher* select, MatchingLines matching, bool invert, bool count_lines,
                            bool* saw_nul = nullptr) {
  std::size_t pos = 0;
  const std::uint64_t first_number = *next_number;
  auto make_line = [&](std::size_t begin, std::size_t end) {
    if (saw_nul != nullptr && matching.nul_by(end)) *saw_nul = true;
    return Line{chunk.substr(begin, end - begin), *next_number, base_offset + begin};
  };
  // A NUL in lines the search passed over counts for the lines of the chunks after this one.
  auto note_nul_to_end = [&] {
    if (saw_nul != nullptr && matching.nul_by(chunk.size())) *saw_nul = true;
  };
  // Moves `pos` to `to` (a line start), keeping the line number in step.
  auto skip_to = [&](std::size_t to) {
    if (count_lines) {
      if (const std::optional<std::uint64_t> counted = matching.newlines_before(chunk, to)) {
        *next_number = first_number + *counted;
      } else {
        *next_number += count_newlines(chunk.data() + pos, chunk.data() + to);
      }
    }
    pos = to;
  };

  if (select == nullptr) {
    for (;;) {
      const std::size_t end = line_end_at(chunk, pos);
      co_yield make_line(pos, end);
      ++*next_number;
      if (end >= chunk.size()) co_return;
      pos = end + 1;
    }
  }
  if (!invert) {
    for (;;) {
      const std::optional<Span> hit = matching.next(chunk, pos);
      if (!hit) {
        skip_to(chunk.size());
        ++*next_number;  // past the chunk's last line
        note_nul_to_end();
        co_return;
      }
      skip_to(hit->begin);
      co_yield make_line(hit->begin, hit->end);
      ++*next_number;
      if (hit->end >= chunk.size()) co_return;
      pos = hit->end + 1;
    }
  }
  // Inverted: every line before the next match is selected, the match itself is skipped.
  for (;;) {
    const std::optional<Span> hit = matching.next(chunk, pos);
    const std::size_t stop = hit ? hit->begin : chunk.size() + 1;
    while (pos < stop) {
      const std::size_t end = line_end_at(chunk, pos);
      co_yield make_line(pos, end);
      ++*next_number;
      pos = end + 1;
    }
    if (!hit) {
      note_nul_to_end();
      co_return;
    }
    ++*next_number;
    if (hit->end >= chunk.size()) {
      note_nul_to_end();
      co_return;
    }
    pos = hit->end + 1;
  }
}

// Whether the NULs of `bytes` (the current block) are to end lines, as GNU grep ends lines at them
// in a binary input: then no line of a binary input is longer than a block, however long its runs
// of NULs without a newline (a sparse file, /dev/zero). A stream that checked its block says so;
// an unchecked (mapped) block is looked at whole in an input known to be binary, and otherwise
// only where it would be carried into the next block (the part before the first newline when a
// line is being carried, and the part after the last): those are short in a text file, and hold
// the whole block when there is no newline. A NUL that only a cut-short mapping put there does
// not count (the input ends there).
bool ends_lines_at_nuls(std::string_view bytes, const Block& block, bool binary, bool carrying) {
  if (!block.nul_unchecked) return block.has_nul;
  bool found = false;
  if (binary) {
    found = contains_nul(bytes);
  } else {
    const void* first_nl = std::memchr(bytes.data(), '\n', bytes.size());
    if (first_nl == nullptr) {
      found = contains_nul(bytes);
    } else {
      const void* last_nl = ::memrchr(bytes.data(), '\n', bytes.size());
      const auto head = static_cast<std::size_t>(static_cast<const char*>(first_nl) - bytes.data());
      const auto tail = static_cast<std::size_t>(static_cast<const char*>(last_nl) - bytes.data()) + 1;
      found = (carrying && contains_nul(bytes.substr(0, head))) || contains_nul(bytes.substr(tail));
    }
  }
  return found && !(block.lost != nullptr && block.lost->load(std::memory_order_acquire));
}

}  // namespace

generator<Line> split_lines(std::unique_ptr<ByteStream> stream, SourceOptions options,
                            std::shared_ptr<InputState> state) {
  // Lines must match `select` and, when set, `also`; whichever of the two matched fewer lines of the
  // first chunk leads (is searched for), the other is checked on the lines it finds.
  const Matcher* select = options.select.get();
  const Matcher* also = select != nullptr && !options.invert ? options.also_select.get() : nullptr;
  bool lead_chosen = also == nullptr;
  // With a twin matcher, the later part of each big chunk is searched on a worker thread (which
  // starts when first given a chunk).
  const bool share_search =
      select != nullptr && options.helper_select != nullptr && (also == nullptr || options.helper_also_select != nullptr);
  std::optional<Worker> worker;
  if (share_search) worker.emplace();
  WorkerSearch worker_search;
  // The consumer's part of a shared chunk, in thousandths, adjusted block by block.
  constexpr std::size_t kMinShare = 200, kMaxShare = 800, kShareStep = 25;
  std::size_t consumer_share = 500;
  worker_search.matcher = options.helper_select.get();
  worker_search.also = also != nullptr ? options.helper_also_select.get() : nullptr;
  worker_search.count_lines = options.count_lines;
  std::uint64_t next_number = options.first_line_number;
  std::uint64_t earlier_lines = 0;  // lines of a followed file's earlier generations
  // Lines read so far, including one yielded now: a consumer that stops early (-m, --take) has read it.
  auto note_read = [&](std::uint64_t through) { state->lines_read = earlier_lines + through - (options.first_line_number - 1); };
  // NULs ending lines need the input known to be binary from its first NUL on, in counts too.
  const bool look_for_nul = options.detect_binary || options.nul_ends_lines;
  std::uint64_t block_offset = options.start_offset;  // input offset of the current block
  std::string carry;               // the start of a line that continues in the next block
  std::string zapped;              // a block of a binary input with its NULs turned into '\n'
  std::uint64_t carry_offset = 0;
  bool carrying = false;

  // A mapped file cut short under us: bytes past the cut read as zeros, so no line that may hold
  // them is yielded; the input ends there, as it would for read(2). A page the cut took faults
  // only when touched, and the search may have read a line long before it is yielded (the worker
  // reads ahead), so each page of a line is touched again before the check.
  const std::atomic<bool>* lost = nullptr;
  auto cut_short = [&](std::string_view text) {
    if (lost == nullptr) return false;
    constexpr std::size_t kPage = 4096;
    for (std::size_t i = 0; i < text.size(); i += kPage) (void)*static_cast<const volatile char*>(text.data() + i);
    if (!text.empty()) (void)*static_cast<const volatile char*>(text.data() + text.size() - 1);
    return lost->load(std::memory_order_acquire);
  };

  // Whether sharing a block with the worker pays is measured as blocks go (no free core, and the
  // hand-overs cost more than the worker saves).
  WorkerGate gate;
  struct Measured {
    bool eligible = false;  // the block could have been shared
    bool shared = false;
    std::size_t bytes = 0;
    std::chrono::steady_clock::time_point fetched;
  } measured;
  for (;;) {
    const auto fetched = std::chrono::steady_clock::now();
    if (measured.eligible) {
      gate.record(measured.shared, measured.bytes,
                  static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(fetched - measured.fetched).count()));
    }
    measured = Measured{false, false, 0, fetched};
    const Block block = stream->next();
    lost = block.lost;
    if (block.bytes.empty()) break;
    if (block.new_generation) {
      if (carrying) {  // the old generation's last line, without '\n'
        carrying = false;
        for (Line line : chunk_lines(carry, carry_offset, &next_number, select, MatchingLines(select, also),
                                     options.invert, options.count_lines)) {
          line.terminated = false;
          note_read(line.number);
          co_yield line;
        }
      }
      earlier_lines += next_number - 1;
      next_number = 1;
      block_offset = 0;
    }
    const bool was_binary = state->saw_nul;
    if (block.has_nul) state->saw_nul = true;
    // A stream that left the NUL check to us: each part is checked before its lines are yielded,
    // by the thread that searches it.
    auto note_nul = [&](std::string_view part) {
      if (block.nul_unchecked && look_for_nul && !state->saw_nul && contains_nul(part)) state->saw_nul = true;
    };
    state->bytes_read += block.bytes.size();
    std::string_view bytes = block.bytes;
    if (options.nul_ends_lines && ends_lines_at_nuls(bytes, block, was_binary, carrying)) {
      state->saw_nul = true;
      zapped.assign(bytes);
      std::replace(zapped.begin(), zapped.end(), '\0', '\n');
      bytes = zapped;
    }
    std::size_t pos = 0;

    if (carrying) {
      const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
      if (nl == nullptr) {  // a line longer than a block: keep collecting
        note_nul(bytes);
        // Grown to powers of two, whatever the block sizes: a line just under one (a 256 MiB line
        // carried from 64 KiB reads) then needs no further doubling and copy.
        if (carry.size() + bytes.size() > carry.capacity()) carry.reserve(std::bit_ceil(carry.size() + bytes.size()));
        carry.append(bytes);
        block_offset += bytes.size();
        continue;
      }
      pos = static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data());
      note_nul(bytes.substr(0, pos));
      carry.append(bytes.substr(0, pos));
      ++pos;
      carrying = false;
      for (const Line& line : chunk_lines(carry, carry_offset, &next_number, select, MatchingLines(select, also),
                                          options.invert, options.count_lines)) {
        if (cut_short(line.text)) co_return;
        note_read(line.number);
        co_yield line;
      }
    }
    // In an input not yet known to be binary, a NUL the search comes across in the block's complete
    // lines makes the rest of the block split at NULs: the lines yielded so far hold none (the
    // search sets saw_nul before it yields the line holding one), the rest is searched again.
    const bool may_turn_binary = options.nul_ends_lines && !state->saw_nul;
    std::size_t yielded_to = pos;              // the end (after its '\n') of the last line yielded
    std::uint64_t number_after_yielded = next_number;
    std::size_t restart_at = std::string_view::npos;
    auto restart_point = [&]() -> std::size_t {
      if (!may_turn_binary || !state->saw_nul || bytes.data() == zapped.data()) return std::string_view::npos;
      const bool nul_ahead = std::memchr(bytes.data() + yielded_to, '\0', bytes.size() - yielded_to) != nullptr;
      return nul_ahead ? yielded_to : std::string_view::npos;
    };
  scan_chunk:  // again after split_at_nuls
    // Every complete line left in the block, searched as one chunk.
    const void* last_nl = pos < bytes.size() ? ::memrchr(bytes.data() + pos, '\n', bytes.size() - pos) : nullptr;
    if (last_nl != nullptr) {
      const auto end = static_cast<std::size_t>(static_cast<const char*>(last_nl) - bytes.data());
      const std::string_view chunk = bytes.substr(pos, end - pos);
      if (!lead_chosen) {
        lead_chosen = true;
        const std::string_view sample = chunk.substr(0, piece_end(chunk, 0));
        if (matching_lines_in(*also, sample) < matching_lines_in(*select, sample)) {
          std::swap(select, also);
          std::swap(worker_search.matcher, worker_search.also);
        }
      }
      // With a worker, the part after the line at the split point is searched on its thread.
      const std::size_t split_at = chunk.size() / 1000 * consumer_share;
      const bool worker_joins = share_search && block_offset - options.start_offset >= options.search_alone_first;
      measured.eligible = worker_joins && chunk.size() >= kMinChunkToShare;
      measured.bytes = chunk.size();
      const void* middle_nl = measured.eligible && gate.share()
                                  ? std::memchr(chunk.data() + split_at, '\n', chunk.size() - split_at)
                                  : nullptr;
      const std::size_t split =
          middle_nl ? static_cast<std::size_t>(static_cast<const char*>(middle_nl) - chunk.data()) : chunk.size();
      // Whatever way this coroutine ends, a search given to the worker has to be over before its
      // chunk (the stream's buffer) and worker_search go.
      struct Joined {
        Worker* worker = nullptr;  // set while a search is in flight
        std::atomic<bool>* abandoned = nullptr;
        ~Joined() {
          if (worker == nullptr) return;
          abandoned->store(true, std::memory_order_relaxed);
          try {
            worker->wait();
          } catch (...) {  // the consumer is gone (or failing already): nobody to tell
          }
        }
      } joined;
      // Where the stream left the NUL check to us and there is a search, the search looks for NULs
      // on its way instead of in a pass of its own.
      const bool search_watches_nul = select != nullptr && block.nul_unchecked && look_for_nul && !state->saw_nul;
      bool* const saw_nul = search_watches_nul ? &state->saw_nul : nullptr;
      if (middle_nl != nullptr) {
        measured.shared = true;
        worker_search.chunk = chunk.substr(split + 1);
        // The worker looks for NULs in its part, and in the unfinished line after it.
        worker_search.check_nul = search_watches_nul;
        worker_search.nul_tail = bytes.substr(end);
        worker_search.abandoned.store(false, std::memory_order_relaxed);
        worker->post(&WorkerSearch::run, &worker_search);
        joined.worker = &*worker;
        joined.abandoned = &worker_search.abandoned;
      }
      const std::string_view first = chunk.substr(0, split);
      for (std::size_t start = 0, stop = 0; start <= first.size(); start = stop + 1) {
        stop = piece_end(first, start);
        if (!search_watches_nul) note_nul(bytes.substr(pos + start, stop + 1 - start));  // with the '\n' after it
        for (const Line& line : chunk_lines(first.substr(start, stop - start), block_offset + pos + start, &next_number,
                                            select, MatchingLines(select, also, search_watches_nul), options.invert,
                                            options.count_lines, saw_nul)) {
          if (cut_short(line.text)) co_return;
          if ((restart_at = restart_point()) != std::string_view::npos) goto split_at_nuls;
          note_read(line.number);
          co_yield line;
          yielded_to = static_cast<std::size_t>(line.offset - block_offset) + line.text.size() + 1;
          number_after_yielded = line.number + 1;
        }
      }
      if (middle_nl == nullptr) {
        note_nul(bytes.substr(end));  // the unfinished line after the chunk
      } else {
        // The consumer also maps, yields and prints: where it has waited for the worker, it takes a
        // bigger part of the next block, where the worker was done first, a smaller one.
        const bool worker_was_done = worker->finished();
        consumer_share = worker_was_done ? std::max(kMinShare, consumer_share - kShareStep)
                                         : std::min(kMaxShare, consumer_share + kShareStep);
        joined.worker = nullptr;
        worker->wait();
        for (const Line& line : chunk_lines(worker_search.chunk, block_offset + pos + split + 1, &next_number, select,
                                            MatchingLines(select, also, search_watches_nul, &worker_search.found),
                                            options.invert, options.count_lines, saw_nul)) {
          if (cut_short(line.text)) co_return;
          if ((restart_at = restart_point()) != std::string_view::npos) goto split_at_nuls;
          note_read(line.number);
          co_yield line;
          yielded_to = static_cast<std::size_t>(line.offset - block_offset) + line.text.size() + 1;
          number_after_yielded = line.number + 1;
        }
        if (worker_search.nul_in_tail) state->saw_nul = true;
      }
      pos = end + 1;
    } else {
      note_nul(bytes.substr(pos));
    }
    if ((restart_at = restart_point()) != std::string_view::npos) {
    split_at_nuls:
      zapped.assign(bytes);
      std::replace(zapped.begin(), zapped.end(), '\0', '\n');
      next_number = number_after_yielded;
      bytes = zapped;
      pos = restart_at;
      goto scan_chunk;
    }
    note_read(next_number - 1);
    if (pos < bytes.size()) {
      carry.assign(bytes.substr(pos));
      carry_offset = block_offset + pos;
      carrying = true;
    }
    block_offset += bytes.size();
  }
  if (carrying) {  // a last line without '\n'
    for (Line line : chunk_lines(carry, carry_offset, &next_number, select, MatchingLines(select, also), options.invert,
                                 options.count_lines)) {
      line.terminated = false;
      if (cut_short(line.text)) co_return;
      note_read(line.number);
      co_yield line;
    }
  }
  note_read(next_number - 1);
}

namespace {
// --progress: counts the bytes as read from the file, before any decoding, so that they compare
// with the file sizes the total is made of (a decoded gzip file is many times its size).
class CountingStream final : public ByteStream {
 public:
  CountingStream(std::unique_ptr<ByteStream> inner, std::atomic<std::uint64_t>* counter)
      : inner_(std::move(inner)), counter_(counter) {}
  Block next() override {
    Block block = inner_->next();
    counter_->fetch_add(block.bytes.size(), std::memory_order_relaxed);
    return block;
  }

 private:
  std::unique_ptr<ByteStream> inner_;
  std::atomic<std::uint64_t>* counter_;
};
}  // namespace

generator<Line> read_lines(int fd, SourceOptions options, std::shared_ptr<InputState> state) {
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::unique_ptr<ByteStream> stream;
  if (!options.follow_path.empty()) {
    stream = make_follow_stream(fd, options.follow_path, options.buffer_size);
  } else if (options.map_file) {
    stream = make_file_stream(fd, options.buffer_size, options.map_window, options.input_path);
  } else {
    stream = make_fd_stream(fd, options.buffer_size);
  }
  if (options.progress != nullptr) stream = std::make_unique<CountingStream>(std::move(stream), options.progress);
  if (options.decoding == SourceOptions::Decoding::automatic) {
    stream = decompressing_stream(std::move(stream), options.decode_memory);
  } else if (options.decoding == SourceOptions::Decoding::forced) {
    stream = decompressing_stream(std::move(stream), Compression::none, options.decode_memory);
  }
  if (options.null_data) stream = swap_nul_and_newline(std::move(stream));
  return split_lines(std::move(stream), std::move(options), std::move(state));
}

}  // namespace logsift
