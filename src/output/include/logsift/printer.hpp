// Printer: turns the sink's events into output; one kind per output style, like ripgrep's sinks.
// Events for one input arrive as begin_input, then selected/context lines and group separators in
// input order, then end_input. Line views are valid only during the call. Printers write through an
// Output they do not own; errors raised by the Output (WriteError, OutputClosed) pass through.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "logsift/fields.hpp"
#include "logsift/line.hpp"

namespace logsift {

class Matcher;

class Output;
class Diagnostics;
struct TimeUse;

struct InputSummary {
  std::uint64_t selected = 0;  // selected lines (after -v), capped by -m
  bool binary_match = false;   // a selected line was suppressed because the input is binary
  std::uint64_t bytes_searched = 0;  // bytes read from the input (decoded, when compressed)
};

class Printer {
 public:
  virtual ~Printer() = default;
  // The events do nothing by default (as ripgrep's Sink): a printer overrides those it shows.
  virtual void begin_input(std::string_view /*name*/) {}
  // Called before begin_input with the input's size when it is a regular file (nullopt when not
  // known): -T pads line numbers and offsets to the width grep gives them.
  virtual void input_size(std::optional<std::uint64_t> /*bytes*/) {}
  // `spans`: non-empty matches of PATTERN in the line, left to right (empty unless wants_spans()).
  virtual void selected_line(const Line& /*line*/, std::span<const Span> /*spans*/) {}
  virtual void context_line(const Line& /*line*/, std::span<const Span> /*spans*/) {}
  virtual void group_separator() {}
  virtual void end_input(const InputSummary& /*summary*/) {}
  // False for printers that need only counts (-c, -l, -L, -q): the sink may then skip line events
  // and stop early.
  virtual bool wants_lines() const = 0;
  virtual bool wants_spans() const = 0;
  // Whether selected lines' text is shown (grep's binary-file rule applies: a binary input's lines
  // are not printed) rather than only counted (--count-by, --histogram), which sees every selected
  // line of a binary input, as -c counts them.
  virtual bool shows_lines() const { return wants_lines(); }
  // A line may hold millions of matches. Printers that return true here also take a line's spans
  // in batches, so that they are never all held: line_part(line, selected, batch, first, last) is
  // called for each batch in order (the first with `first`, the last with `last`, possibly empty)
  // instead of one selected_line/context_line call; `selected` tells which of the two it is.
  virtual bool takes_span_batches() const { return false; }
  // False when the line just given (selected_line, context_line, or the last part of one) was left
  // out (grep's rule for text that is not valid UTF-8): the sink then does not count it as printed,
  // so the next printed line gets a "--" if it does not follow the last one shown, and the left-out
  // line's trailing context is not printed, as grep does.
  virtual bool last_line_shown() const { return true; }
  // Whether empty matches are wanted among the spans too (ripgrep's --json reports them): each
  // empty match, but not one right at the end of the match before it, as Rust's find_iter.
  virtual bool wants_empty_spans() const { return false; }
  virtual void line_part(const Line&, bool /*selected*/, std::span<const Span>, bool /*first*/, bool /*last*/) {}
  // Before begin_input: the next input's modification time (now for a pipe), by which printers that
  // read timestamps (--histogram) date year-less ones, as the --since stage does, and where they
  // record what they found (`use`, valid until end_input).
  virtual void date_input(double mtime, TimeUse* use) {
    (void)mtime;
    (void)use;
  }
  // After the last input: printers that aggregate over all inputs print here.
  virtual void finish() {}
  // --follow searches each file with a printer of its own: this adds the totals of `other` (made
  // by the same factory, never finished) to this one's, so that finish() prints one summary or
  // table for every input. Printers without totals ignore it.
  virtual void absorb(const Printer& other) { (void)other; }
};

// GNU grep's SGR sequences, from GREP_COLORS or grep's defaults; an empty one means "no color".
struct ColorScheme {
  std::string selected_match = "01;31";  // ms
  std::string context_match = "01;31";   // mc
  std::string file_name = "35";          // fn
  std::string line_number = "32";        // ln
  std::string byte_offset = "32";        // bn
  std::string separator = "36";          // se
  // Applies a GREP_COLORS value such as "ms=01;32:fn=34"; unknown capabilities are ignored.
  void apply_grep_colors(std::string_view spec);
};

struct LinePrinterOptions {
  bool with_filename = false;  // -H
  bool line_number = false;    // -n
  bool byte_offset = false;    // -b
  bool only_matching = false;  // -o
  bool text = false;           // -a: print lines of binary inputs and invalid UTF-8 as they are
  bool null_after_name = false;  // -Z: a NUL after the file name instead of ':' or '-'
  bool binary_without_match = false;  // -I: invalid UTF-8 lines are left out without a notice
  bool initial_tab = false;      // -T: a tab after the prefix, numbers padded as grep pads them
  char line_terminator = '\n';   // '\0' with -z: records end in NUL
  bool crlf = false;             // --crlf: -o matches end in "\r\n", as ripgrep's; lines as they were read
  bool color = false;
  ColorScheme colors;
};

enum class FileListing { with_matches, without_match };  // -l, -L

// grep's default output: whole lines (or -o matches) with optional prefixes, colors and separators.
std::unique_ptr<Printer> make_line_printer(Output& out, Diagnostics& diagnostics, LinePrinterOptions options);
// -c: one count per input.
// `null_after_name` (-Z): a NUL after the name instead of ':'.
std::unique_ptr<Printer> make_count_printer(Output& out, bool with_filename, bool color, ColorScheme colors,
                                            bool null_after_name = false);
// -l / -L: the names of inputs with (or without) a selected line.
// `null_after_name` (-Z): each name ends in NUL instead of a newline.
std::unique_ptr<Printer> make_file_list_printer(Output& out, FileListing which, bool color, ColorScheme colors,
                                                bool null_after_name = false);
// -q: prints nothing.
std::unique_ptr<Printer> make_quiet_printer();

// --count-by RE: counts selected lines by RE's group 1 (or whole match) over all inputs and, at
// finish(), prints "COUNT KEY" lines, most frequent first (ties by key), at most `top` of them
// (unset: all; 0: none), or with `json` one {"key":{"text":KEY},"count":N} line each (a key that
// is not UTF-8 as {"bytes":BASE64}, as rg writes data). Lines where RE does not match are not
// counted. Memory grows with the number of keys.
std::unique_ptr<Printer> make_count_by_printer(Output& out, std::shared_ptr<const Matcher> key,
                                               std::optional<std::size_t> top, bool json = false);
// --count-by-field NAME: the same table keyed by a JSON or logfmt field's value (fields.hpp; a
// string decoded, anything else as written); lines without the field are not counted.
std::unique_ptr<Printer> make_count_by_field_printer(Output& out, FieldPath field, InputFormat format,
                                                     std::optional<std::size_t> top, bool json = false);

class TimestampParser;

// --histogram: selected lines counted per time bucket of `bucket_seconds` (by each line's
// timestamp; lines without one are counted apart), printed at finish() as one row per bucket from
// the first to the last, "START  COUNT  BAR" with the bars in Unicode eighth blocks scaled to
// `width` columns, or as JSON Lines {"bucket": START, "count": N} when `json`. A run of more than
// 10 empty buckets is one gap row ("~ N empty buckets", JSON "empty_buckets"): no count is dropped
// and the rows stay at most 11 per bucket with lines.
std::unique_ptr<Printer> make_histogram_printer(Output& out, std::shared_ptr<const TimestampParser> parser,
                                                double bucket_seconds, std::size_t width, bool json);

}  // namespace logsift
