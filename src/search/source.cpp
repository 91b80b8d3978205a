#include "logsift/source.hpp"

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
#include "logsift/matcher.hpp"
#include "logsift/null_data.hpp"
#include "logsift/open_input.hpp"
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

// One input's line splitting, block by block, in three named parts: finish the line carried from
// the block before (extend_carry, finish_carry); search the block's complete lines as one chunk
// (search_block, search_chunk: choose_lead, split_point with the worker thread, adapt_share); keep the
// unfinished tail for the next block (keep_tail). One NUL policy runs through them: admit (what a
// block says, and NULs ending lines in a binary input), note_nul (blocks the stream left unchecked)
// and search_block's restart (an input that turns binary mid-block). Every line the parts yield is
// checked against a mapping cut short and counted as read before it leaves.
class LineSplitter {
 public:
  LineSplitter(SourceOptions options, std::shared_ptr<InputState> state)
      : options_(std::move(options)),
        state_(std::move(state)),
        select_(options_.select.get()),
        also_(select_ != nullptr && !options_.invert ? options_.also_select.get() : nullptr),
        lead_chosen_(also_ == nullptr),
        share_search_(select_ != nullptr && options_.helper_select != nullptr &&
                      (also_ == nullptr || options_.helper_also_select != nullptr)),
        look_for_nul_(options_.detect_binary || options_.nul_ends_lines),
        next_number_(options_.first_line_number),
        block_offset_(options_.start_offset) {
    if (share_search_) worker_.emplace();
    worker_search_.matcher = options_.helper_select.get();
    worker_search_.also = also_ != nullptr ? options_.helper_also_select.get() : nullptr;
    worker_search_.count_lines = options_.count_lines;
  }

  bool stopped() const { return stopped_; }
  bool carrying() const { return carrying_; }

  // The next block of `stream`. The time since the last one tells the gate whether sharing that
  // block with the worker paid.
  Block fetch(ByteStream& stream) {
    const auto fetched = std::chrono::steady_clock::now();
    if (measured_.eligible) {
      gate_.record(measured_.shared, measured_.bytes,
                   static_cast<std::uint64_t>(
                       std::chrono::duration_cast<std::chrono::nanoseconds>(fetched - measured_.fetched).count()));
    }
    measured_ = Measured{false, false, 0, fetched};
    Block block = stream.next();
    lost_ = block.lost;
    return block;
  }

  // A followed file that starts again (rotated, truncated): numbers and offsets restart.
  void start_generation() {
    earlier_lines_ += next_number_ - 1;
    next_number_ = 1;
    block_offset_ = 0;
  }

  // The bytes of `block` as lines are split in them: with the NULs of a binary input made '\n'
  // where NULs end lines. Notes what the block says of NULs and its size.
  std::string_view admit(const Block& block) {
    const bool was_binary = state_->saw_nul;
    if (block.has_nul) state_->saw_nul = true;
    nul_unchecked_ = block.nul_unchecked;
    state_->bytes_read += block.bytes.size();
    std::string_view bytes = block.bytes;
    if (options_.nul_ends_lines && ends_lines_at_nuls(bytes, block, was_binary, carrying_)) {
      state_->saw_nul = true;
      bytes = zap_nuls(bytes);
    }
    return bytes;
  }

  // Adds the head of `bytes` to the carried line. Returns where the rest of the block starts,
  // after the carried line's '\n', or npos when the line goes on past the block.
  std::size_t extend_carry(std::string_view bytes) {
    const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
    if (nl == nullptr) {
      note_nul(bytes);
      // Grown to powers of two, whatever the block sizes: a line just under one (a 256 MiB line
      // carried from 64 KiB reads) then needs no further doubling and copy.
      if (carry_.size() + bytes.size() > carry_.capacity()) carry_.reserve(std::bit_ceil(carry_.size() + bytes.size()));
      carry_.append(bytes);
      block_offset_ += bytes.size();
      return std::string_view::npos;
    }
    const auto end = static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data());
    note_nul(bytes.substr(0, end));
    carry_.append(bytes.substr(0, end));
    return end + 1;
  }

  // The carried line, if any, when it is complete: `terminated` by a '\n', or the input's (or a
  // generation's) last line without one.
  generator<Line> finish_carry(bool terminated) {
    if (!carrying_) co_return;
    carrying_ = false;
    for (Line line : chunk_lines(carry_, carry_offset_, &next_number_, select_, MatchingLines(select_, also_),
                                 options_.invert, options_.count_lines)) {
      line.terminated = terminated;
      if (!admit_line(line)) co_return;
      co_yield line;
    }
  }

  // The complete lines of `bytes` from `pos` on, searched as one chunk. Sets the tail (what
  // keep_tail carries into the next block).
  generator<Line> search_block(std::string_view bytes, std::size_t pos) {
    // In an input not yet known to be binary, a NUL the search comes across in the block's
    // complete lines makes the rest of the block split at NULs: the lines yielded so far hold none
    // (the search sets saw_nul before it yields the line holding one), the rest is searched again.
    const bool may_turn_binary = options_.nul_ends_lines && !state_->saw_nul;
    std::size_t yielded_to = pos;  // the end (after its '\n') of the last line yielded
    std::uint64_t number_after_yielded = next_number_;
    auto restart_point = [&]() -> std::size_t {
      if (!may_turn_binary || !state_->saw_nul || bytes.data() == zapped_.data()) return std::string_view::npos;
      const bool nul_ahead = std::memchr(bytes.data() + yielded_to, '\0', bytes.size() - yielded_to) != nullptr;
      return nul_ahead ? yielded_to : std::string_view::npos;
    };
    for (;;) {
      const void* last_nl = pos < bytes.size() ? ::memrchr(bytes.data() + pos, '\n', bytes.size() - pos) : nullptr;
      if (last_nl == nullptr) {
        note_nul(bytes.substr(pos));
      } else {
        const auto end = static_cast<std::size_t>(static_cast<const char*>(last_nl) - bytes.data());
        for (const Line& line : search_chunk(bytes, pos, end)) {
          if (cut_short(line.text)) {
            stopped_ = true;
            co_return;
          }
          if (restart_point() != std::string_view::npos) break;  // ends the chunk's search
          note_read(line.number);
          co_yield line;
          yielded_to = static_cast<std::size_t>(line.offset - block_offset_) + line.text.size() + 1;
          number_after_yielded = line.number + 1;
        }
        pos = end + 1;
      }
      const std::size_t restart_at = restart_point();
      if (restart_at == std::string_view::npos) break;
      // Searched again from the first line not yielded, with NULs ending lines.
      next_number_ = number_after_yielded;
      bytes = zap_nuls(bytes);
      pos = restart_at;
    }
    note_read(next_number_ - 1);
    tail_ = bytes.substr(std::min(pos, bytes.size()));
    tail_offset_ = block_offset_ + pos;
    block_offset_ += bytes.size();
  }

  // The unfinished line at the block's end, kept until the next block completes it.
  void keep_tail() {
    if (tail_.empty()) return;
    carry_.assign(tail_);
    carry_offset_ = tail_offset_;
    carrying_ = true;
  }

  void finish() { note_read(next_number_ - 1); }

 private:
  // Lines read so far, including one yielded now: a consumer that stops early (-m, --take) has read it.
  void note_read(std::uint64_t through) {
    state_->lines_read = earlier_lines_ + through - (options_.first_line_number - 1);
  }

  // Whether `line` may be yielded (counted as read if so); else the input ends here.
  bool admit_line(const Line& line) {
    if (cut_short(line.text)) {
      stopped_ = true;
      return false;
    }
    note_read(line.number);
    return true;
  }

  // A mapped file cut short under us: bytes past the cut read as zeros, so no line that may hold
  // them is yielded; the input ends there, as it would for read(2). A page the cut took faults
  // only when touched, and the search may have read a line long before it is yielded (the worker
  // reads ahead), so each page of a line is touched again before the check.
  bool cut_short(std::string_view text) const {
    if (lost_ == nullptr) return false;
    constexpr std::size_t kPage = 4096;
    for (std::size_t i = 0; i < text.size(); i += kPage) (void)*static_cast<const volatile char*>(text.data() + i);
    if (!text.empty()) (void)*static_cast<const volatile char*>(text.data() + text.size() - 1);
    return lost_->load(std::memory_order_acquire);
  }

  // A stream that left the NUL check to us: each part is checked before its lines are yielded,
  // by the thread that searches it.
  void note_nul(std::string_view part) {
    if (nul_unchecked_ && look_for_nul_ && !state_->saw_nul && contains_nul(part)) state_->saw_nul = true;
  }

  // A copy of `bytes` with its NULs turned into '\n'.
  std::string_view zap_nuls(std::string_view bytes) {
    zapped_.assign(bytes);
    std::replace(zapped_.begin(), zapped_.end(), '\0', '\n');
    return zapped_;
  }

  // The lines of the chunk bytes[pos, end) (complete lines, `end` at a '\n') that pass: the
  // consumer's part piece by piece, then the part the worker searched meanwhile, where sharing
  // pays. Run to its end, it also looks at the unfinished line after `end` for NULs; a consumer
  // that stops early (the input turned binary) skips that and any rest of the worker's part.
  generator<Line> search_chunk(std::string_view bytes, std::size_t pos, std::size_t end) {
    const std::string_view chunk = bytes.substr(pos, end - pos);
    choose_lead(chunk);
    const std::size_t split = split_point(chunk);
    // Whatever way this coroutine ends, a search given to the worker has to be over before its
    // chunk (the stream's buffer) and worker_search_ go.
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
    const bool search_watches_nul = select_ != nullptr && nul_unchecked_ && look_for_nul_ && !state_->saw_nul;
    bool* const saw_nul = search_watches_nul ? &state_->saw_nul : nullptr;
    const bool shared = split < chunk.size();
    if (shared) {
      worker_search_.chunk = chunk.substr(split + 1);
      // The worker looks for NULs in its part, and in the unfinished line after it.
      worker_search_.check_nul = search_watches_nul;
      worker_search_.nul_tail = bytes.substr(end);
      worker_search_.abandoned.store(false, std::memory_order_relaxed);
      worker_->post(&WorkerSearch::run, &worker_search_);
      joined.worker = &*worker_;
      joined.abandoned = &worker_search_.abandoned;
    }
    const std::string_view first = chunk.substr(0, split);
    for (std::size_t start = 0, stop = 0; start <= first.size(); start = stop + 1) {
      stop = piece_end(first, start);
      if (!search_watches_nul) note_nul(bytes.substr(pos + start, stop + 1 - start));  // with the '\n' after it
      for (const Line& line : chunk_lines(first.substr(start, stop - start), block_offset_ + pos + start, &next_number_,
                                          select_, MatchingLines(select_, also_, search_watches_nul), options_.invert,
                                          options_.count_lines, saw_nul)) {
        co_yield line;
      }
    }
    if (!shared) {
      note_nul(bytes.substr(end));  // the unfinished line after the chunk
      co_return;
    }
    adapt_share();
    joined.worker = nullptr;
    worker_->wait();
    for (const Line& line : chunk_lines(worker_search_.chunk, block_offset_ + pos + split + 1, &next_number_, select_,
                                        MatchingLines(select_, also_, search_watches_nul, &worker_search_.found),
                                        options_.invert, options_.count_lines, saw_nul)) {
      co_yield line;
    }
    if (worker_search_.nul_in_tail) state_->saw_nul = true;
  }

  // With two matchers, the one that matched fewer lines of the first chunk leads (is searched for).
  void choose_lead(std::string_view chunk) {
    if (lead_chosen_) return;
    lead_chosen_ = true;
    const std::string_view sample = chunk.substr(0, piece_end(chunk, 0));
    if (matching_lines_in(*also_, sample) < matching_lines_in(*select_, sample)) {
      std::swap(select_, also_);
      std::swap(worker_search_.matcher, worker_search_.also);
    }
  }

  // Where the consumer's part of `chunk` ends and the worker's starts (after that '\n'), or the
  // chunk's size when the consumer searches it alone.
  std::size_t split_point(std::string_view chunk) {
    const std::size_t split_at = chunk.size() / 1000 * consumer_share_;
    const bool worker_joins = share_search_ && block_offset_ - options_.start_offset >= options_.search_alone_first;
    measured_.eligible = worker_joins && chunk.size() >= kMinChunkToShare;
    measured_.bytes = chunk.size();
    const void* middle_nl =
        measured_.eligible && gate_.share() ? std::memchr(chunk.data() + split_at, '\n', chunk.size() - split_at) : nullptr;
    measured_.shared = middle_nl != nullptr;
    return middle_nl ? static_cast<std::size_t>(static_cast<const char*>(middle_nl) - chunk.data()) : chunk.size();
  }

  // The consumer also maps, yields and prints: where it has waited for the worker, it takes a
  // bigger part of the next block, where the worker was done first, a smaller one.
  void adapt_share() {
    constexpr std::size_t kMinShare = 200, kMaxShare = 800, kShareStep = 25;
    consumer_share_ = worker_->finished() ? std::max(kMinShare, consumer_share_ - kShareStep)
                                          : std::min(kMaxShare, consumer_share_ + kShareStep);
  }

  SourceOptions options_;
  std::shared_ptr<InputState> state_;
  // Lines must match `select_` and, when set, `also_` (see choose_lead).
  const Matcher* select_;
  const Matcher* also_;
  bool lead_chosen_;
  // With a twin matcher, the later part of each big chunk is searched on a worker thread (which
  // starts when first given a chunk).
  bool share_search_;
  // NULs ending lines need the input known to be binary from its first NUL on, in counts too.
  bool look_for_nul_;
  std::optional<Worker> worker_;
  WorkerSearch worker_search_;
  std::size_t consumer_share_ = 500;  // the consumer's part of a shared chunk, in thousandths
  WorkerGate gate_;
  struct Measured {
    bool eligible = false;  // the block could have been shared
    bool shared = false;
    std::size_t bytes = 0;
    std::chrono::steady_clock::time_point fetched;
  } measured_;

  std::uint64_t next_number_;
  std::uint64_t earlier_lines_ = 0;  // lines of a followed file's earlier generations
  std::uint64_t block_offset_;       // input offset of the current block
  const std::atomic<bool>* lost_ = nullptr;
  bool nul_unchecked_ = false;       // the current block's NULs are for us to look for
  std::string carry_;                // the start of a line that continues in the next block
  std::uint64_t carry_offset_ = 0;
  bool carrying_ = false;
  std::string zapped_;               // a block of a binary input with its NULs turned into '\n'
  std::string_view tail_;            // after search_block: the unfinished line at the block's end
  std::uint64_t tail_offset_ = 0;
  bool stopped_ = false;
};

}  // namespace

generator<Line> split_lines(std::unique_ptr<ByteStream> stream, SourceOptions options,
                            std::shared_ptr<InputState> state) {
  LineSplitter splitter(std::move(options), std::move(state));
  for (;;) {
    const Block block = splitter.fetch(*stream);
    if (block.bytes.empty()) break;
    if (block.new_generation) {  // the old generation's last line has no '\n'
      for (const Line& line : splitter.finish_carry(false)) co_yield line;
      if (splitter.stopped()) co_return;
      splitter.start_generation();
    }
    const std::string_view bytes = splitter.admit(block);
    std::size_t pos = 0;
    if (splitter.carrying()) {
      pos = splitter.extend_carry(bytes);
      if (pos == std::string_view::npos) continue;
      for (const Line& line : splitter.finish_carry(true)) co_yield line;
      if (splitter.stopped()) co_return;
    }
    for (const Line& line : splitter.search_block(bytes, pos)) co_yield line;
    if (splitter.stopped()) co_return;
    splitter.keep_tail();
  }
  for (const Line& line : splitter.finish_carry(false)) co_yield line;  // a last line without '\n'
  if (splitter.stopped()) co_return;
  splitter.finish();
}

generator<Line> read_lines(int fd, SourceOptions options, std::shared_ptr<InputState> state) {
  std::unique_ptr<ByteStream> stream = open_input(fd, options);
  if (options.null_data) stream = swap_nul_and_newline(std::move(stream));
  return split_lines(std::move(stream), std::move(options), std::move(state));
}

}  // namespace logsift
