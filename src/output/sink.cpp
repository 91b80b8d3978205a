#include "logsift/sink.hpp"

#include <limits>
#include <vector>

#include "logsift/matcher.hpp"
#include "logsift/output.hpp"
#include "logsift/utf8.hpp"

namespace logsift {
namespace {

// The last `capacity` lines that were not printed, owned, for -B. Reuses its strings' storage.
// It grows as lines come, up to `capacity`: -B may be huge (grep takes any number) while the input
// is short, so no slot is allocated before a line needs it.
class ContextRing {
 public:
  struct Entry {
    std::string text;
    Line line;           // `text` member re-pointed at the owned copy on read
    std::uint64_t sequence = 0;
  };

  explicit ContextRing(std::size_t capacity) : capacity_(capacity) {}

  void push(const Line& line, std::uint64_t sequence) {
    if (capacity_ == 0) return;
    // Until the ring is full nothing is dropped, so first_ stays 0 and slots are appended in order.
    if (size_ == entries_.size() && size_ < capacity_) entries_.emplace_back();
    Entry& slot = entries_[(first_ + size_) % entries_.size()];
    if (size_ == entries_.size()) {
      first_ = (first_ + 1) % entries_.size();
    } else {
      ++size_;
    }
    slot.text.assign(line.text);
    slot.line = line;
    slot.sequence = sequence;
  }
  bool empty() const noexcept { return size_ == 0; }
  std::uint64_t first_sequence() const noexcept { return entries_[first_].sequence; }

  template <typename Visit>
  void drain(Visit visit) {
    for (std::size_t i = 0; i < size_; ++i) {
      Entry& entry = entries_[(first_ + i) % entries_.size()];
      entry.line.text = entry.text;
      visit(entry.line);
    }
    first_ = size_ = 0;
  }

 private:
  std::size_t capacity_;
  std::vector<Entry> entries_;
  std::size_t first_ = 0;
  std::size_t size_ = 0;
};

// Non-empty, non-overlapping matches left to right, as grep colors them and -o prints them: at
// most `limit` of them, from `*pos` on, which is left where the next batch starts.
void collect_spans(const Matcher& pattern, std::string_view text, std::vector<Span>& spans, std::size_t* pos,
                   std::size_t limit) {
  spans.clear();
  while (*pos <= text.size() && spans.size() < limit) {
    std::optional<Span> match = pattern.find(text, *pos);
    if (!match) {
      *pos = text.size() + 1;
      break;
    }
    if (match->empty()) {
      *pos = utf8_next_lead(text, match->begin);  // past an empty match, never into a character
      continue;
    }
    spans.push_back(*match);
    *pos = match->end;
  }
}

// Every match left to right as ripgrep's --json lists them (Rust's find_iter): empty ones too,
// each followed by a search one byte on, except an empty match right where the one before ended.
void collect_spans_with_empty(const Matcher& pattern, std::string_view text, std::vector<Span>& spans) {
  spans.clear();
  std::optional<std::size_t> last_end;
  for (std::size_t pos = 0; pos <= text.size();) {
    const std::optional<Span> match = pattern.find(text, pos);
    if (!match) break;
    if (match->empty()) {
      pos = match->begin + 1;
      if (last_end == match->begin) continue;
    } else {
      pos = match->end;
    }
    spans.push_back(*match);
    last_end = match->end;
  }
}

// Spans handed to a printer that takes them in batches: a line of millions of matches (-o, colors)
// then costs this many spans, not millions.
constexpr std::size_t kSpanBatch = 4096;

}  // namespace

Sink grep_sink(std::shared_ptr<const Matcher> pattern, SinkOptions options, Printer* printer,
               Diagnostics* diagnostics, std::string name, std::shared_ptr<InputState> input) {
  Sink::promise_type& self = co_await Sink::ThisPromise{};
  InputSummary& summary = self.summary;
  printer->begin_input(name);

  const bool wants_lines = printer->wants_lines();
  const bool wants_spans = printer->wants_spans();
  const bool wants_empty_spans = printer->wants_empty_spans();
  const std::uint64_t max_count = options.max_count.value_or(std::numeric_limits<std::uint64_t>::max());

  // Printers that take no lines print no context either (-c -B N).
  ContextRing before(wants_lines ? options.before : 0);
  std::vector<Span> spans;
  std::uint64_t sequence = 0;      // position in the stream reaching the sink (stages may drop lines)
  std::uint64_t last_printed = 0;  // sequence of the last line printed; 0 before the first
  std::size_t after_left = 0;
  bool limit_reached = max_count == 0;  // -m 0 (possible with -L) selects nothing, reads nothing
  bool counting_only = false;  // nothing more is printed for this input, selected lines are counted

  // A line "matches" PATTERN when it is selected without -v or is context with -v; only such
  // lines have spans to color.
  const bool batches = printer->takes_span_batches();
  auto print_line = [&](const Line& line, bool selected) {
    const bool line_matches = selected != options.invert;
    std::size_t pos = 0;
    if (wants_spans && line_matches && batches) {
      for (bool first = true;; first = false) {
        collect_spans(*pattern, line.text, spans, &pos, kSpanBatch);
        const bool last = pos > line.text.size();
        printer->line_part(line, selected, spans, first, last);
        if (last) return;
      }
    }
    spans.clear();
    if (wants_spans && line_matches) {
      if (wants_empty_spans) {
        collect_spans_with_empty(*pattern, line.text, spans);
      } else {
        collect_spans(*pattern, line.text, spans, &pos, std::numeric_limits<std::size_t>::max());
      }
    }
    if (selected) {
      printer->selected_line(line, spans);
    } else {
      printer->context_line(line, spans);
    }
  };
  // False when the printer left the line out (invalid UTF-8): grep's context then ends there.
  auto print_context = [&](const Line& line, std::uint64_t at) {
    print_line(line, false);
    if (!printer->last_line_shown()) return false;
    last_printed = at;
    return true;
  };

  while (!(limit_reached && after_left == 0)) {
    const Sink::Event event = co_await Sink::NextEvent{};
    if (event.kind == Sink::EventKind::end) break;
    if (event.kind == Sink::EventKind::error) {
      diagnostics->file_error(name, event.error);
      continue;
    }
    const Line& line = *event.line;
    ++sequence;
    if (options.binary_without_match && input->saw_nul) break;

    if (counting_only) {
      if (options.lines_preselected || pattern->matches(line.text) != options.invert) {
        if (++summary.selected >= max_count) break;
      }
      continue;
    }

    if (limit_reached) {
      // After -m's last match grep still prints the trailing context, matching lines included.
      after_left = print_context(line, sequence) ? after_left - 1 : 0;
      continue;
    }

    const bool selected = options.lines_preselected || pattern->matches(line.text) != options.invert;
    if (!selected) {
      if (after_left > 0) {
        after_left = print_context(line, sequence) ? after_left - 1 : 0;
      } else {
        before.push(line, sequence);
      }
      continue;
    }

    ++summary.selected;
    if (!wants_lines) {
      if (summary.selected >= max_count) break;
      if (options.stop_at_first_match) {
        if (!options.count_all) break;
        counting_only = true;
      }
      continue;
    }
    if (input->saw_nul && !options.text) {
      // grep prints nothing of a binary input, only that it matches.
      summary.binary_match = true;
      if (!options.count_all || summary.selected >= max_count) break;
      counting_only = true;
      continue;
    }
    if (options.separate_groups) {
      const std::uint64_t group_start = before.empty() ? sequence : before.first_sequence();
      if (last_printed == 0 || group_start > last_printed + 1) printer->group_separator();
      before.drain([&](const Line& kept) { print_line(kept, false); });
    }
    print_line(line, true);
    if (printer->last_line_shown()) {
      last_printed = sequence;
      after_left = options.after;
    } else {
      after_left = 0;
    }
    if (summary.selected >= max_count) limit_reached = true;
  }
  if (options.binary_without_match && input->saw_nul) {
    summary.selected = 0;
    summary.binary_match = false;
  }
  summary.bytes_searched = input->bytes_read;
  printer->end_input(summary);
}

}  // namespace logsift
