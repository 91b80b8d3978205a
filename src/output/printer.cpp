#include "logsift/printer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <cstring>
#include <unordered_map>
#include <vector>
#include <iterator>

#include "logsift/machine_printers.hpp"
#include "logsift/matcher.hpp"
#include "logsift/output.hpp"
#include "logsift/timestamp.hpp"
#include "logsift/utf8.hpp"

namespace logsift {
namespace {

// Writes `text` wrapped in grep's SGR start/end sequences when coloring with a non-empty `sgr`.
void append_colored(Output& out, bool color, std::string_view sgr, std::string_view text) {
  if (color && !sgr.empty()) {
    fmt::format_to(std::back_inserter(out.buffer()), "\33[{}m\33[K{}\33[m\33[K", sgr, text);
  } else {
    out.append(text);
  }
}

void append_file_name(Output& out, bool color, const ColorScheme& colors, std::string_view name) {
  append_colored(out, color, colors.file_name, name);
}

class LinePrinter final : public Printer {
 public:
  LinePrinter(Output& out, Diagnostics& diagnostics, LinePrinterOptions options)
      : out_(out), diagnostics_(diagnostics), options_(std::move(options)) {}

  void begin_input(std::string_view name) override {
    name_ = name;
    encoding_error_ = false;
  }

  // grep -T pads numbers to the digits of the file's size + 1, or of the largest offset (19)
  // when the size is not known.
  void input_size(std::optional<std::uint64_t> bytes) override {
    number_width_ = bytes ? fmt::formatted_size("{}", *bytes + 1) : 19;
  }

  void selected_line(const Line& line, std::span<const Span> spans) override { line_part(line, true, spans, true, true); }

  void context_line(const Line& line, std::span<const Span> spans) override { line_part(line, false, spans, true, true); }

  bool takes_span_batches() const override { return true; }
  void line_part(const Line& line, bool selected, std::span<const Span> spans, bool first, bool last) override {
    printed_any_ = true;
    if (options_.only_matching) {
      if (!selected) return;  // grep -o prints no context lines, only separators
      for (const Span& span : spans) {
        std::string_view match = line.text.substr(span.begin, span.size());
        if (!printable(match)) continue;
        write_prefix(line.number, line.offset + span.begin, ':');
        append_colored(out_, options_.color, options_.colors.selected_match, match);
        if (options_.crlf) out_.append("\r");
        out_.end_line(options_.line_terminator);
      }
      return;
    }
    write_line(line, spans, selected ? ':' : '-', selected ? options_.colors.selected_match : options_.colors.context_match,
               first, last);
  }

  void group_separator() override {
    if (!printed_any_) return;
    append_colored(out_, options_.color, options_.colors.separator, "--");
    out_.end_line();
  }

  void end_input(const InputSummary& summary) override {
    if (summary.binary_match || (encoding_error_ && !options_.binary_without_match)) {
      out_.flush();  // keep stdout and the notice on stderr in order on a terminal
      diagnostics_.notice(fmt::format("{}: binary file matches", name_));
    }
  }

  bool wants_lines() const override { return true; }
  bool wants_spans() const override { return options_.only_matching || options_.color; }
  bool last_line_shown() const override { return options_.only_matching || line_printable_; }

 private:
  // grep suppresses output of text that is not valid in the locale's encoding and reports the
  // input as a binary file that matches instead.
  bool printable(std::string_view text) {
    if (options_.text || is_valid_utf8(text)) return true;
    encoding_error_ = true;
    return false;
  }

  void write_prefix(std::uint64_t number, std::uint64_t offset, char sep) {
    const bool color = options_.color;
    const char sep_text[1] = {sep};
    const std::string_view sep_view(sep_text, 1);
    if (options_.with_filename) {
      append_file_name(out_, color, options_.colors, name_);
      if (options_.null_after_name) {
        out_.append(std::string_view("\0", 1));
      } else {
        append_colored(out_, color, options_.colors.separator, sep_view);
      }
    }
    const std::size_t width = options_.initial_tab ? number_width_ : 0;
    if (options_.line_number) {
      append_colored(out_, color, options_.colors.line_number, fmt::format("{:>{}}", number, width));
      append_colored(out_, color, options_.colors.separator, sep_view);
    }
    if (options_.byte_offset) {
      append_colored(out_, color, options_.colors.byte_offset, fmt::format("{:>{}}", offset, width));
      append_colored(out_, color, options_.colors.separator, sep_view);
    }
    if (options_.initial_tab && (options_.with_filename || options_.line_number || options_.byte_offset)) {
      out_.append("\t");
    }
  }

  // One line, or (with batches of spans) the part of it up to the end of the batch's last span;
  // `written_to_` is where the line's text has been written up to.
  void write_line(const Line& line, std::span<const Span> spans, char sep, std::string_view match_sgr, bool first,
                  bool last) {
    if (first) {
      line_printable_ = printable(line.text);
      if (!line_printable_) return;
      write_prefix(line.number, line.offset, sep);
      written_to_ = 0;
    }
    if (!line_printable_) return;
    if (options_.color) {
      for (const Span& span : spans) {
        out_.append(line.text.substr(written_to_, span.begin - written_to_));
        append_colored(out_, true, match_sgr, line.text.substr(span.begin, span.size()));
        written_to_ = span.end;
      }
    }
    if (!last) {
      out_.flush_if_large();  // a line of many matches is not held whole in the buffer either
      return;
    }
    out_.append(line.text.substr(written_to_));
    if (line.crlf) out_.append("\r");
    out_.end_line(options_.line_terminator);
  }

  Output& out_;
  Diagnostics& diagnostics_;
  LinePrinterOptions options_;
  std::string name_;
  bool printed_any_ = false;  // across inputs: grep separates groups of different files too
  bool encoding_error_ = false;
  bool line_printable_ = true;  // of the line being written in parts
  std::size_t written_to_ = 0;
  std::size_t number_width_ = 0;  // -T's
};

// Printers that report once per input (or once at the end) and need no line events.
class SummaryPrinter : public Printer {
 public:
  void begin_input(std::string_view name) override { name_ = name; }
  bool wants_lines() const override { return false; }
  bool wants_spans() const override { return false; }

 protected:
  std::string name_;
};

class CountPrinter final : public SummaryPrinter {
 public:
  CountPrinter(Output& out, bool with_filename, bool color, ColorScheme colors, bool null_after_name)
      : out_(out), with_filename_(with_filename), color_(color), colors_(std::move(colors)),
        null_after_name_(null_after_name) {}

  void end_input(const InputSummary& summary) override {
    if (with_filename_) {
      append_file_name(out_, color_, colors_, name_);
      if (null_after_name_) {
        out_.append(std::string_view("\0", 1));
      } else {
        append_colored(out_, color_, colors_.separator, ":");
      }
    }
    out_.append(fmt::format_int(summary.selected).str());
    out_.end_line();
  }

 private:
  Output& out_;
  bool with_filename_;
  bool color_;
  ColorScheme colors_;
  bool null_after_name_;
};

class FileListPrinter final : public SummaryPrinter {
 public:
  FileListPrinter(Output& out, FileListing which, bool color, ColorScheme colors, bool null_after_name)
      : out_(out), which_(which), color_(color), colors_(std::move(colors)), null_after_name_(null_after_name) {}

  void end_input(const InputSummary& summary) override {
    const bool matched = summary.selected > 0;
    if (matched == (which_ == FileListing::with_matches)) {
      append_file_name(out_, color_, colors_, name_);
      out_.end_line(null_after_name_ ? '\0' : '\n');
    }
  }

 private:
  Output& out_;
  FileListing which_;
  bool color_;
  ColorScheme colors_;
  bool null_after_name_;
};

class CountByPrinter final : public Printer {
 public:
  CountByPrinter(Output& out, std::shared_ptr<const Matcher> key, std::optional<std::size_t> top, bool json)
      : out_(out), key_(std::move(key)), top_(top), json_(json), group_(key_->group_count() >= 1 ? 1 : 0) {}
  // Keyed by a field instead (--count-by-field).
  CountByPrinter(Output& out, FieldPath field, InputFormat format, std::optional<std::size_t> top, bool json)
      : out_(out), top_(top), json_(json), field_(std::move(field)), reader_(format) {}

  void selected_line(const Line& line, std::span<const Span>) override {
    if (field_) {
      reader_.load(line.text);
      const std::optional<FieldValue> value = reader_.find(*field_);
      if (!value) return;
      lookup_.assign(value->text);
      ++counts_[lookup_];
      return;
    }
    if (!key_->find_groups(line.text, 0, groups_)) return;
    const std::optional<Span>& span = groups_[group_];
    const std::string_view key = span ? line.text.substr(span->begin, span->size()) : std::string_view{};
    // Heterogeneous lookup would need a transparent hash; a reused string avoids the allocation.
    lookup_.assign(key);
    ++counts_[lookup_];
  }
  bool wants_lines() const override { return true; }
  bool wants_spans() const override { return false; }
  bool shows_lines() const override { return false; }

  void absorb(const Printer& other) override {
    if (const auto* same = dynamic_cast<const CountByPrinter*>(&other)) {
      for (const auto& [key, count] : same->counts_) counts_[key] += count;
    }
  }

  void finish() override {
    std::vector<std::pair<std::string_view, std::uint64_t>> rows(counts_.begin(), counts_.end());
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    if (top_ && rows.size() > *top_) rows.resize(*top_);
    for (const auto& [key, count] : rows) {
      if (json_) {
        fmt::format_to(std::back_inserter(out_.buffer()), R"({{"key":{},"count":{}}})", json_data(key), count);
      } else {
        fmt::format_to(std::back_inserter(out_.buffer()), "{:>7} {}", count, key);
      }
      out_.end_line();
    }
  }

 private:
  Output& out_;
  std::shared_ptr<const Matcher> key_;
  std::optional<std::size_t> top_;
  bool json_;
  std::size_t group_;
  std::vector<std::optional<Span>> groups_;
  std::string lookup_;
  std::unordered_map<std::string, std::uint64_t> counts_;
  std::optional<FieldPath> field_;
  FieldReader reader_;
};

class HistogramPrinter final : public Printer {
 public:
  HistogramPrinter(Output& out, std::shared_ptr<const TimestampParser> parser, double bucket_seconds,
                   std::size_t width, bool json)
      : out_(out),
        parser_(std::move(parser)),
        bucket_(bucket_seconds),
        // Buckets of whole weeks start on Mondays (ISO weeks; 1969-12-29 was one), others at the epoch.
        origin_(std::fmod(bucket_seconds, 7 * 86400.0) == 0 ? -3 * 86400.0 : 0),
        width_(width),
        json_(json) {}

  void date_input(double mtime, TimeUse* use) override {
    parser_ = std::make_shared<const TimestampParser>(parser_->for_mtime(mtime));
    use_ = use;
  }
  void selected_line(const Line& line, std::span<const Span>) override {
    const std::optional<double> time = parser_->parse(line.text);
    if (use_ != nullptr) use_->lines = true;
    if (!time) {
      ++untimed_;
      return;
    }
    if (use_ != nullptr) use_->stamped = true;
    ++counts_[static_cast<std::int64_t>(std::floor((*time - origin_) / bucket_))];
  }
  void end_input(const InputSummary&) override { use_ = nullptr; }
  bool wants_lines() const override { return true; }
  bool wants_spans() const override { return false; }
  bool shows_lines() const override { return false; }

  void absorb(const Printer& other) override {
    if (const auto* same = dynamic_cast<const HistogramPrinter*>(&other)) {
      for (const auto& [bucket, count] : same->counts_) counts_[bucket] += count;
      untimed_ += same->untimed_;
    }
  }

  void finish() override {
    if (counts_.empty() && untimed_ == 0) return;
    std::uint64_t highest = 1;
    for (const auto& [bucket, count] : counts_) highest = std::max(highest, count);
    const std::size_t bar_columns = width_ > 48 ? width_ - 38 : 10;
    auto row = [&](std::int64_t bucket, std::uint64_t count) {
      const double start = start_of(bucket);
      if (json_) {
        fmt::format_to(std::back_inserter(out_.buffer()), R"({{"bucket":"{}","start":{},"count":{}}})",
                       format_utc(start), static_cast<std::int64_t>(start), count);
      } else {
        fmt::format_to(std::back_inserter(out_.buffer()), "{}  {:>9}  {}", format_utc(start), count,
                       bar(count, highest, bar_columns));
      }
      out_.end_line();
    };
    // A run of more empty buckets than this (a stray timestamp decades away, 1s buckets over a
    // quiet night) is one gap row: the output stays proportional to the buckets with lines.
    constexpr std::int64_t kMaxEmptyRows = 10;
    auto gap = [&](std::int64_t bucket, std::int64_t empty) {
      const double start = start_of(bucket);
      if (json_) {
        fmt::format_to(std::back_inserter(out_.buffer()),
                       R"({{"bucket":"{}","start":{},"count":0,"empty_buckets":{}}})", format_utc(start),
                       static_cast<std::int64_t>(start), empty);
      } else {
        fmt::format_to(std::back_inserter(out_.buffer()), "{}  {:>9}  ~ {} empty buckets, to {}", format_utc(start), 0,
                       empty, format_utc(start_of(bucket + empty - 1)));
      }
      out_.end_line();
    };
    // Every bucket from the first to the last, short runs of empty ones too, so the time axis is even.
    std::optional<std::int64_t> previous;
    for (const auto& [bucket, count] : counts_) {
      if (previous) {
        const std::int64_t empty = bucket - *previous - 1;
        if (empty > kMaxEmptyRows) {
          gap(*previous + 1, empty);
        } else {
          for (std::int64_t b = *previous + 1; b < bucket; ++b) row(b, 0);
        }
      }
      row(bucket, count);
      previous = bucket;
    }
    if (untimed_ > 0) {
      if (json_) {
        fmt::format_to(std::back_inserter(out_.buffer()), R"({{"bucket":null,"count":{}}})", untimed_);
      } else {
        fmt::format_to(std::back_inserter(out_.buffer()), "{:<19}  {:>9}", "(no timestamp)", untimed_);
      }
      out_.end_line();
    }
  }

 private:
  static std::string format_utc(double seconds) {
    const auto whole = static_cast<std::time_t>(std::floor(seconds));
    std::tm parts{};
    ::gmtime_r(&whole, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
    return text;
  }

  // A bar of count/highest of `columns` cells, in eighths of a cell.
  static std::string bar(std::uint64_t count, std::uint64_t highest, std::size_t columns) {
    static const char* const kEighths[] = {"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589"};
    const auto eighths = static_cast<std::size_t>(
        std::llround(static_cast<double>(count) / static_cast<double>(highest) * static_cast<double>(columns * 8)));
    std::string text;
    for (std::size_t i = 0; i < eighths / 8; ++i) text += "\u2588";
    text += kEighths[eighths % 8];
    return text;
  }

  Output& out_;
  std::shared_ptr<const TimestampParser> parser_;
  TimeUse* use_ = nullptr;
  double start_of(std::int64_t bucket) const { return static_cast<double>(bucket) * bucket_ + origin_; }

  double bucket_;
  double origin_;  // where bucket 0 starts, in epoch seconds
  std::size_t width_;
  bool json_;
  std::map<std::int64_t, std::uint64_t> counts_;  // ordered: rows come out in time order
  std::uint64_t untimed_ = 0;
};

// -q: every event is the default no-op.
class QuietPrinter final : public SummaryPrinter {};

}  // namespace

void ColorScheme::apply_grep_colors(std::string_view spec) {
  while (!spec.empty()) {
    std::size_t colon = spec.find(':');
    std::string_view item = spec.substr(0, colon);
    spec = colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1);
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = item.substr(0, eq);
    std::string value(item.substr(eq + 1));
    if (key == "mt") {
      selected_match = context_match = value;
    } else if (key == "ms") {
      selected_match = value;
    } else if (key == "mc") {
      context_match = value;
    } else if (key == "fn") {
      file_name = value;
    } else if (key == "ln") {
      line_number = value;
    } else if (key == "bn") {
      byte_offset = value;
    } else if (key == "se") {
      separator = value;
    }
  }
}

std::unique_ptr<Printer> make_line_printer(Output& out, Diagnostics& diagnostics, LinePrinterOptions options) {
  return std::make_unique<LinePrinter>(out, diagnostics, std::move(options));
}

std::unique_ptr<Printer> make_count_printer(Output& out, bool with_filename, bool color, ColorScheme colors,
                                            bool null_after_name) {
  return std::make_unique<CountPrinter>(out, with_filename, color, std::move(colors), null_after_name);
}

std::unique_ptr<Printer> make_file_list_printer(Output& out, FileListing which, bool color, ColorScheme colors,
                                                bool null_after_name) {
  return std::make_unique<FileListPrinter>(out, which, color, std::move(colors), null_after_name);
}

std::unique_ptr<Printer> make_quiet_printer() { return std::make_unique<QuietPrinter>(); }

std::unique_ptr<Printer> make_histogram_printer(Output& out, std::shared_ptr<const TimestampParser> parser,
                                                double bucket_seconds, std::size_t width, bool json) {
  return std::make_unique<HistogramPrinter>(out, std::move(parser), bucket_seconds, width, json);
}

std::unique_ptr<Printer> make_count_by_field_printer(Output& out, FieldPath field, InputFormat format,
                                                     std::optional<std::size_t> top, bool json) {
  return std::make_unique<CountByPrinter>(out, std::move(field), format, top, json);
}

std::unique_ptr<Printer> make_count_by_printer(Output& out, std::shared_ptr<const Matcher> key,
                                               std::optional<std::size_t> top, bool json) {
  return std::make_unique<CountByPrinter>(out, std::move(key), top, json);
}

}  // namespace logsift
