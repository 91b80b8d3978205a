#include "logsift/machine_printers.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <optional>
#include <utility>

#include "logsift/error.hpp"
#include "logsift/matcher.hpp"
#include "logsift/output.hpp"
#include "logsift/utf8.hpp"

namespace logsift {
namespace {

void put(fmt::memory_buffer& out, std::string_view text) { out.append(text.data(), text.data() + text.size()); }

void put_uint(fmt::memory_buffer& out, std::uint64_t value) {
  const fmt::format_int text(value);
  out.append(text.data(), text.data() + text.size());
}

// The sink is to report how much of the input it read and whether a line ended with '\n'. Until
// InputSummary::bytes_searched and Line::terminated exist, fall back to what the printer saw (the
// end of the last line it was given: the input was read at least that far) and to "every line
// ends with '\n'".
template <typename Summary>
std::uint64_t bytes_searched(const Summary& summary, std::uint64_t seen) {
  if constexpr (requires { summary.bytes_searched; }) {
    return std::max<std::uint64_t>(summary.bytes_searched, seen);
  } else {
    return seen;
  }
}

template <typename L>
bool terminated(const L& line) {
  if constexpr (requires { line.terminated; }) {
    return line.terminated;
  } else {
    return true;
  }
}

// ---- JSON ------------------------------------------------------------------------------------

// RFC 8259 string body, escaped as serde_json (ripgrep) does: the short escapes where JSON has
// them, other control characters as lower-case \u00xx, everything else (DEL, UTF-8) as is.
void put_json_escaped(fmt::memory_buffer& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t clean = 0;  // start of the run not yet copied
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    put(out, text.substr(clean, i - clean));
    clean = i + 1;
    switch (c) {
      case '"': put(out, "\\\""); break;
      case '\\': put(out, "\\\\"); break;
      case '\b': put(out, "\\b"); break;
      case '\f': put(out, "\\f"); break;
      case '\n': put(out, "\\n"); break;
      case '\r': put(out, "\\r"); break;
      case '\t': put(out, "\\t"); break;
      default: {
        const char escape[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        put(out, std::string_view(escape, sizeof escape));
      }
    }
  }
  put(out, text.substr(clean));
}

void put_base64(fmt::memory_buffer& out, std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  for (; n >= 3; n -= 3, p += 3) {
    const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
    const char quad[] = {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], alphabet[v & 63]};
    put(out, std::string_view(quad, 4));
  }
  if (n > 0) {
    const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (n == 2 ? std::uint32_t{p[1]} << 8 : 0);
    const char quad[] = {alphabet[v >> 18], alphabet[(v >> 12) & 63], n == 2 ? alphabet[(v >> 6) & 63] : '=', '='};
    put(out, std::string_view(quad, 4));
  }
}

// rg's "arbitrary data" object: {"text":"..."} when the bytes are UTF-8, else {"bytes":"base64"}.
// `suffix` (a line's '\n') is ASCII, so it never changes which of the two is used.
void put_json_data(fmt::memory_buffer& out, std::string_view bytes, std::string_view suffix = {}) {
  if (is_valid_utf8(bytes)) {
    put(out, "{\"text\":\"");
    put_json_escaped(out, bytes);
    put_json_escaped(out, suffix);
    put(out, "\"}");
  } else {
    put(out, "{\"bytes\":\"");
    if (suffix.empty()) {
      put_base64(out, bytes);
    } else {
      std::string joined;
      joined.reserve(bytes.size() + suffix.size());
      joined.append(bytes).append(suffix);
      put_base64(out, joined);
    }
    put(out, "\"}");
  }
}

// rg's Duration: secs/nanos plus a "human" form with microsecond precision. The end message lists
// the keys in declaration order, the summary (built as a JSON map in rg) alphabetically.
void put_duration(fmt::memory_buffer& out, std::chrono::nanoseconds elapsed, bool sorted_keys) {
  const auto count = static_cast<std::uint64_t>(std::max<std::int64_t>(elapsed.count(), 0));
  const std::uint64_t secs = count / 1'000'000'000;
  const std::uint64_t nanos = count % 1'000'000'000;
  const double fractional = static_cast<double>(secs) + static_cast<double>(nanos) * 1e-9;
  auto it = std::back_inserter(out);
  if (sorted_keys) {
    fmt::format_to(it, "{{\"human\":\"{:.6f}s\",\"nanos\":{},\"secs\":{}}}", fractional, nanos, secs);
  } else {
    fmt::format_to(it, "{{\"secs\":{},\"nanos\":{},\"human\":\"{:.6f}s\"}}", secs, nanos, fractional);
  }
}

struct JsonStats {
  std::chrono::nanoseconds elapsed{0};
  std::uint64_t searches = 0;
  std::uint64_t searches_with_match = 0;
  std::uint64_t bytes_searched = 0;
  std::uint64_t bytes_printed = 0;
  std::uint64_t matched_lines = 0;
  std::uint64_t matches = 0;

  JsonStats& operator+=(const JsonStats& other) {
    elapsed += other.elapsed;
    searches += other.searches;
    searches_with_match += other.searches_with_match;
    bytes_searched += other.bytes_searched;
    bytes_printed += other.bytes_printed;
    matched_lines += other.matched_lines;
    matches += other.matches;
    return *this;
  }
};

class JsonPrinter final : public Printer {
 public:
  JsonPrinter(Output& out, JsonClock clock) : out_(out), clock_(std::move(clock)), started_(clock_()) {}

  void begin_input(std::string_view name) override {
    // rg writes "begin" only once the input has something to show, so remember the name.
    path_.assign(name);
    begun_ = false;
    input_started_ = clock_();
    stats_ = {};
    seen_end_ = 0;
  }

  void selected_line(const Line& line, std::span<const Span> spans) override {
    ++stats_.matched_lines;
    stats_.matches += spans.size();
    write_line_message("match", line, spans);
  }

  void context_line(const Line& line, std::span<const Span> spans) override {
    write_line_message("context", line, spans);
  }


  void end_input(const InputSummary& summary) override {
    if (!begun_) return;  // rg neither shows nor counts a search with nothing to print
    stats_.elapsed = clock_() - input_started_;
    stats_.searches = 1;
    stats_.searches_with_match = stats_.matched_lines > 0 ? 1 : 0;
    stats_.bytes_searched = bytes_searched(summary, seen_end_);

    fmt::memory_buffer& buf = out_.buffer();
    put(buf, "{\"type\":\"end\",\"data\":{\"path\":");
    put_json_data(buf, path_);
    // The sink stops at the first selected line of a binary input without telling where the NUL
    // was, so there is no offset to give even when it saw one.
    put(buf, ",\"binary_offset\":null,\"stats\":{\"elapsed\":");
    put_duration(buf, stats_.elapsed, false);
    fmt::format_to(std::back_inserter(buf),
                   ",\"searches\":{},\"searches_with_match\":{},\"bytes_searched\":{},\"bytes_printed\":{},"
                   "\"matched_lines\":{},\"matches\":{}}}}}}}",
                   stats_.searches, stats_.searches_with_match, stats_.bytes_searched, stats_.bytes_printed,
                   stats_.matched_lines, stats_.matches);
    out_.end_line();
    total_ += stats_;
  }

  bool wants_lines() const override { return true; }
  bool wants_spans() const override { return true; }
  bool wants_empty_spans() const override { return true; }  // rg lists empty matches too

  void absorb(const Printer& other) override {
    if (const auto* same = dynamic_cast<const JsonPrinter*>(&other)) total_ += same->total_;
  }

  void finish() override {
    fmt::memory_buffer& buf = out_.buffer();
    put(buf, "{\"data\":{\"elapsed_total\":");
    put_duration(buf, clock_() - started_, true);
    fmt::format_to(std::back_inserter(buf), ",\"stats\":{{\"bytes_printed\":{},\"bytes_searched\":{},\"elapsed\":",
                   total_.bytes_printed, total_.bytes_searched);
    put_duration(buf, total_.elapsed, true);
    fmt::format_to(std::back_inserter(buf),
                   ",\"matched_lines\":{},\"matches\":{},\"searches\":{},\"searches_with_match\":{}}}}},"
                   "\"type\":\"summary\"}}",
                   total_.matched_lines, total_.matches, total_.searches, total_.searches_with_match);
    out_.end_line();
  }

 private:
  // rg's bytes_printed counts begin, match and context messages with their newlines, not "end".
  void write_line_message(std::string_view type, const Line& line, std::span<const Span> spans) {
    fmt::memory_buffer& buf = out_.buffer();
    const std::size_t start = buf.size();  // nothing flushes the buffer before end_line()
    if (!begun_) {
      begun_ = true;
      put(buf, "{\"type\":\"begin\",\"data\":{\"path\":");
      put_json_data(buf, path_);
      put(buf, "}}\n");
    }
    const bool has_newline = terminated(line);
    const bool crlf = line.crlf;  // --crlf took the '\r' off; rg shows the line as it was
    seen_end_ = std::max(seen_end_, line.offset + line.text.size() + (crlf ? 1 : 0) + (has_newline ? 1 : 0));

    put(buf, "{\"type\":\"");
    put(buf, type);
    put(buf, "\",\"data\":{\"path\":");
    put_json_data(buf, path_);
    put(buf, ",\"lines\":");
    put_json_data(buf, line.text, crlf ? (has_newline ? "\r\n" : "\r") : has_newline ? "\n" : "");
    put(buf, ",\"line_number\":");
    put_uint(buf, line.number);
    put(buf, ",\"absolute_offset\":");
    put_uint(buf, line.offset);
    put(buf, ",\"submatches\":[");
    for (std::size_t i = 0; i < spans.size(); ++i) {
      if (i > 0) put(buf, ",");
      put(buf, "{\"match\":");
      put_json_data(buf, line.text.substr(spans[i].begin, spans[i].size()));
      put(buf, ",\"start\":");
      put_uint(buf, spans[i].begin);
      put(buf, ",\"end\":");
      put_uint(buf, spans[i].end);
      put(buf, "}");
    }
    put(buf, "]}}");
    stats_.bytes_printed += buf.size() - start + 1;
    out_.end_line();
  }

  Output& out_;
  JsonClock clock_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point input_started_;
  std::string path_;
  bool begun_ = false;
  std::uint64_t seen_end_ = 0;
  JsonStats stats_;
  JsonStats total_;
};

// ---- template ----------------------------------------------------------------------------------

[[noreturn]] void bad_template(std::string_view what) {
  throw UsageError(fmt::format("bad --format template: {}", what));
}

// The match of a selected line that has no non-empty one: the pattern's empty match if it has one,
// else (a line selected by -v) an empty match at the line start.
Span empty_match(const Matcher& pattern, std::string_view line) {
  return pattern.find(line).value_or(Span{});
}

// The line printer's notice for an input whose remaining selected lines the sink held back.
void report_binary(Output& out, Diagnostics* diagnostics, const InputSummary& summary, std::string_view name) {
  if (!summary.binary_match || diagnostics == nullptr) return;
  out.flush();  // the lines printed before it come first on a terminal
  diagnostics->notice(fmt::format("{}: binary file matches", name));
}

class TemplatePrinter final : public Printer {
 public:
  TemplatePrinter(Output& out, TemplateFormat format, std::shared_ptr<const Matcher> pattern, Diagnostics* diagnostics,
                  InputFormat input_format)
      : out_(out), format_(std::move(format)), pattern_(std::move(pattern)), diagnostics_(diagnostics),
        reader_(input_format) {
    if (format_.max_group() > pattern_->group_count()) {
      bad_template(fmt::format("{{{}}} names a group, but PATTERN has {} capturing group{}", format_.max_group(),
                               pattern_->group_count(), pattern_->group_count() == 1 ? "" : "s"));
    }
  }

  void begin_input(std::string_view name) override { path_.assign(name); }

  void selected_line(const Line& line, std::span<const Span> spans) override {
    if (format_.uses_fields()) reader_.load(line.text);  // once for all of the line's matches
    if (spans.empty()) {
      write(line, empty_match(*pattern_, line.text), 0);
      return;
    }
    // Each span is searched for again from where the sink's search for it began (the previous
    // span's end), not from its own start: with -w the match needs the character before the word.
    std::size_t from = 0;
    for (const Span& span : spans) {
      write(line, span, from);
      from = span.end;
    }
  }

  void end_input(const InputSummary& summary) override { report_binary(out_, diagnostics_, summary, path_); }
  bool wants_lines() const override { return true; }
  bool wants_spans() const override { return true; }

 private:
  void write(const Line& line, Span span, std::size_t search_from) {
    TemplateFields fields;
    fields.path = path_;
    fields.line_number = line.number;
    fields.column = span.begin + 1;
    fields.byte_offset = line.offset + span.begin;
    fields.line = line.text;
    fields.match = line.text.substr(span.begin, span.size());
    if (format_.uses_fields()) fields.fields = &reader_;
    const int wanted = format_.max_group();
    if (wanted > 0) {
      // Group values of this very match: the sink found it searching from `search_from`, skipping
      // empty matches; the same search finds it again.
      std::fill(group_text_.begin(), group_text_.end(), std::string_view{});
      if (find_groups_of(line.text, span, search_from)) {
        for (int i = 1; i <= wanted && static_cast<std::size_t>(i) < groups_.size(); ++i) {
          if (groups_[i]) group_text_[i - 1] = line.text.substr(groups_[i]->begin, groups_[i]->size());
        }
      }
      fields.groups = std::span<const std::string_view>(group_text_.data(), static_cast<std::size_t>(wanted));
    }
    format_.render(out_.buffer(), fields);
    out_.end_line();
  }

  // Fills groups_ for the match `span`, which a search from `from` finds after empty matches only.
  bool find_groups_of(std::string_view text, Span span, std::size_t from) {
    while (from <= span.begin && pattern_->find_groups(text, from, groups_)) {
      const Span found = groups_[0].value_or(Span{});
      if (found == span) return true;
      if (!found.empty() || found.begin >= text.size()) return false;
      from = found.begin + 1;
    }
    return false;
  }

  Output& out_;
  TemplateFormat format_;
  std::shared_ptr<const Matcher> pattern_;
  Diagnostics* diagnostics_;
  std::string path_;
  std::vector<std::optional<Span>> groups_;
  std::array<std::string_view, 9> group_text_{};
  FieldReader reader_;
};

// ---- GitHub ------------------------------------------------------------------------------------

// Workflow command escaping (actions/toolkit's escapeData / escapeProperty).
void put_github_escaped(fmt::memory_buffer& out, std::string_view text, bool property) {
  std::size_t clean = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::string_view escape;
    switch (text[i]) {
      case '%': escape = "%25"; break;
      case '\r': escape = "%0D"; break;
      case '\n': escape = "%0A"; break;
      case ':': if (property) escape = "%3A"; break;
      case ',': if (property) escape = "%2C"; break;
      default: break;
    }
    if (escape.empty()) continue;
    put(out, text.substr(clean, i - clean));
    put(out, escape);
    clean = i + 1;
  }
  put(out, text.substr(clean));
}

class GithubPrinter final : public Printer {
 public:
  GithubPrinter(Output& out, std::shared_ptr<const Matcher> pattern, std::string level, Diagnostics* diagnostics)
      : out_(out), pattern_(std::move(pattern)), level_(std::move(level)), diagnostics_(diagnostics) {
    if (level_ != "error" && level_ != "warning" && level_ != "notice") {
      throw UsageError(fmt::format("invalid GitHub annotation level '{}' (valid: error, warning, notice)", level_));
    }
  }

  void begin_input(std::string_view name) override {
    name_.assign(name);
    // The same for every line of the input: escape it once.
    path_.clear();
    put_github_escaped(path_, name, true);
  }

  void selected_line(const Line& line, std::span<const Span> spans) override {
    std::optional<std::size_t> column;
    if (!spans.empty()) {
      column = spans.front().begin + 1;
    } else if (std::optional<Span> match = pattern_->find(line.text)) {
      column = match->begin + 1;  // an empty match; -v lines have none and get no col
    }
    fmt::memory_buffer& buf = out_.buffer();
    put(buf, "::");
    put(buf, level_);
    put(buf, " file=");
    put(buf, std::string_view(path_.data(), path_.size()));
    put(buf, ",line=");
    put_uint(buf, line.number);
    if (column) {
      put(buf, ",col=");
      put_uint(buf, *column);
    }
    put(buf, "::");
    put_github_escaped(buf, line.text, false);
    out_.end_line();
  }

  void end_input(const InputSummary& summary) override { report_binary(out_, diagnostics_, summary, name_); }
  bool wants_lines() const override { return true; }
  bool wants_spans() const override { return true; }

 private:
  Output& out_;
  std::shared_ptr<const Matcher> pattern_;
  std::string level_;
  Diagnostics* diagnostics_;
  std::string name_;
  fmt::memory_buffer path_;
};

}  // namespace

// ---- TemplateFormat ------------------------------------------------------------------------------

TemplateFormat::TemplateFormat(std::string_view text) {
  std::string literal;
  auto flush_literal = [&] {
    if (literal.empty()) return;
    pieces_.push_back({Field::literal, 0, std::move(literal)});
    literal.clear();
  };

  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        literal += '}';
        ++i;
        continue;
      }
      bad_template(fmt::format("unmatched '}}' at offset {} (write '}}}}' for a brace)", i));
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
      continue;
    }
    const std::size_t close = text.find_first_of("{}", i + 1);
    if (close == std::string_view::npos || text[close] != '}') {
      // A '{' inside a field is fmt's dynamic width or precision, which needs a second argument.
      bad_template(close == std::string_view::npos
                       ? fmt::format("unmatched '{{' at offset {} (write '{{{{' for a brace)", i)
                       : fmt::format("nested '{{' in the field at offset {}", i));
    }
    const std::string_view inside = text.substr(i + 1, close - i - 1);
    const std::size_t colon = inside.find(':');
    const std::string_view name = inside.substr(0, colon);
    const bool has_spec = colon != std::string_view::npos;
    const std::string_view spec = has_spec ? inside.substr(colon + 1) : std::string_view{};

    Piece piece;
    if (name == "path") {
      piece.field = Field::path;
    } else if (name == "line_number") {
      piece.field = Field::line_number;
      uses_line_number_ = true;
    } else if (name == "column") {
      piece.field = Field::column;
    } else if (name == "byte_offset") {
      piece.field = Field::byte_offset;
    } else if (name == "line") {
      piece.field = Field::line;
    } else if (name == "match") {
      piece.field = Field::match;
    } else if (name.size() == 1 && name[0] >= '1' && name[0] <= '9') {
      piece.field = Field::group;
      piece.group = name[0] - '0';
      max_group_ = std::max(max_group_, piece.group);
    } else if (name.size() > 1 && name[0] == '.') {
      piece.field = Field::structured;
      piece.path = FieldPath(std::string(name.substr(1)));
      uses_fields_ = true;
    } else {
      bad_template(fmt::format("unknown field {{{}}} (fields: path, line_number, column, byte_offset, line, "
                               "match, 1 to 9, .FIELD)", name));
    }

    if (!spec.empty()) {
      piece.text = fmt::format("{{:{}}}", spec);
      // fmt checks a spec only against a value: format one of the field's type now, so a bad spec
      // is reported before any input is read rather than in the middle of the output.
      try {
        const bool integer =
            piece.field == Field::line_number || piece.field == Field::column || piece.field == Field::byte_offset;
        if (integer) {
          const std::uint64_t sample = 1;
          (void)fmt::vformat(piece.text, fmt::make_format_args(sample));
        } else {
          const std::string_view sample = "x";
          (void)fmt::vformat(piece.text, fmt::make_format_args(sample));
        }
      } catch (const fmt::format_error& error) {
        bad_template(fmt::format("{{{}}}: {}", inside, error.what()));
      }
    }
    flush_literal();
    pieces_.push_back(std::move(piece));
    i = close;
  }
  flush_literal();
}

void TemplateFormat::render(fmt::memory_buffer& out, const TemplateFields& fields) const {
  for (const Piece& piece : pieces_) {
    std::string_view text;
    std::uint64_t number = 0;
    bool is_number = false;
    switch (piece.field) {
      case Field::literal:
        put(out, piece.text);
        continue;
      case Field::path: text = fields.path; break;
      case Field::line: text = fields.line; break;
      case Field::match: text = fields.match; break;
      case Field::group:
        if (static_cast<std::size_t>(piece.group) <= fields.groups.size()) text = fields.groups[piece.group - 1];
        break;
      case Field::structured:
        if (fields.fields) {
          if (auto value = fields.fields->find(piece.path)) text = value->text;
        }
        break;
      case Field::line_number: number = fields.line_number; is_number = true; break;
      case Field::column: number = fields.column; is_number = true; break;
      case Field::byte_offset: number = fields.byte_offset; is_number = true; break;
    }
    if (piece.text.empty()) {
      if (is_number) {
        put_uint(out, number);
      } else {
        put(out, text);
      }
    } else if (is_number) {
      fmt::vformat_to(std::back_inserter(out), piece.text, fmt::make_format_args(number));
    } else {
      fmt::vformat_to(std::back_inserter(out), piece.text, fmt::make_format_args(text));
    }
  }
}

// ---- factories -----------------------------------------------------------------------------------

std::string json_data(std::string_view bytes) {
  fmt::memory_buffer out;
  put_json_data(out, bytes);
  return fmt::to_string(out);
}

std::unique_ptr<Printer> make_json_printer(Output& out, JsonClock clock) {
  return std::make_unique<JsonPrinter>(out, std::move(clock));
}

std::unique_ptr<Printer> make_template_printer(Output& out, TemplateFormat format,
                                               std::shared_ptr<const Matcher> pattern, Diagnostics* diagnostics,
                                               InputFormat input_format) {
  return std::make_unique<TemplatePrinter>(out, std::move(format), std::move(pattern), diagnostics, input_format);
}

std::unique_ptr<Printer> make_github_printer(Output& out, std::shared_ptr<const Matcher> pattern, std::string level,
                                             Diagnostics* diagnostics) {
  return std::make_unique<GithubPrinter>(out, std::move(pattern), std::move(level), diagnostics);
}

}  // namespace logsift
