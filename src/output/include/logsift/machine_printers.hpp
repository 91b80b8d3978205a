// Machine-readable printers: ripgrep's --json messages, a user template per match (--format TEMPLATE)
// and GitHub Actions workflow commands (--format github). Each only formats the sink's events into
// an Output, wants every selected line with all its spans, needs line numbers from the source
// (SourceOptions::count_lines) and ignores group separators, which none of these formats has.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "logsift/fields.hpp"
#include "logsift/printer.hpp"

namespace logsift {

class Matcher;
class Output;
class Diagnostics;

// ripgrep 13's --json: begin/match/context/end messages per input that has a selected line, then one
// summary from finish(). Same key order and escaping as rg, lines and submatches that are not
// UTF-8 as {"bytes": base64}. Inputs without a selected line print nothing and are not counted,
// as in rg. `clock` times the searches (elapsed); tests pass a fake one. Where logsift's output
// differs from rg's, the sink decides it, not this printer: empty matches are not submatches,
// lines after -m's last match stay context, a binary input stops at its first selected line (so
// binary_offset is always null).
using JsonClock = std::function<std::chrono::steady_clock::time_point()>;
std::unique_ptr<Printer> make_json_printer(Output& out, JsonClock clock = std::chrono::steady_clock::now);

// rg's "arbitrary data" JSON object for `bytes`: {"text":"..."} when they are UTF-8 (escaped as rg
// escapes), else {"bytes":"<base64>"}. For other printers that speak JSON (--count-by --json).
std::string json_data(std::string_view bytes);

// The values of one match, as a template sees them.
struct TemplateFields {
  std::string_view path;
  std::uint64_t line_number = 0;
  std::uint64_t column = 0;       // 1-based byte column of the match start, like rg --column
  std::uint64_t byte_offset = 0;  // of the match start in the input
  std::string_view line;          // without its terminator
  std::string_view match;
  std::span<const std::string_view> groups;  // groups[0] is {1}; an absent or unset group is ""
  FieldReader* fields = nullptr;  // {.name}: a reader loaded with the line (a missing field is "")
};

// A compiled --format template: literal text with fmt-style fields {name} or {name:spec}, "{{" and
// "}}" for braces. Fields: path, line_number, column, byte_offset, line, match, 1 to 9 (capturing
// groups), and .NAME for a JSON or logfmt field of the line ({.http.status}; fields.hpp). Each spec is fmt's for the field's type (integers for line_number, column, byte_offset,
// strings otherwise), so "{line_number:>6}" pads. Copyable; render() is const and thread-safe.
class TemplateFormat {
 public:
  // Throws UsageError("bad --format template: ...") for an unknown field, an unmatched brace or a
  // spec fmt rejects for the field's type.
  explicit TemplateFormat(std::string_view text);

  // Appends one rendering (no newline).
  void render(fmt::memory_buffer& out, const TemplateFields& fields) const;

  // The highest {N} used, 0 if none: make_template_printer checks it against PATTERN's groups.
  int max_group() const noexcept { return max_group_; }
  bool uses_line_number() const noexcept { return uses_line_number_; }
  bool uses_fields() const noexcept { return uses_fields_; }

 private:
  enum class Field { literal, path, line_number, column, byte_offset, line, match, group, structured };
  struct Piece {
    Field field = Field::literal;
    int group = 0;     // for Field::group, 1..9
    std::string text;  // the literal, or "{:spec}" for fmt; empty for a field without spec
    FieldPath path;    // for Field::structured
  };
  std::vector<Piece> pieces_;
  int max_group_ = 0;
  bool uses_line_number_ = false;
  bool uses_fields_ = false;
};

// One line per match of PATTERN in a selected line (like -o), each the rendered template plus '\n'.
// A selected line without a non-empty match (-v, or a pattern that matches only the empty string)
// is rendered once, with {match} empty at the first empty match (-v: at the line start).
// Context lines print nothing. Throws UsageError when the template names a group PATTERN lacks.
// A binary input's lines are not printed (the sink stops giving them): "FILE: binary file
// matches" goes to `diagnostics` instead, as the line printer says it.
std::unique_ptr<Printer> make_template_printer(Output& out, TemplateFormat format,
                                               std::shared_ptr<const Matcher> pattern,
                                               Diagnostics* diagnostics = nullptr,
                                               InputFormat input_format = InputFormat::automatic);

// GitHub Actions annotations, one per selected line: "::LEVEL file=PATH,line=N,col=C::LINE", col
// being the first match's (left out without one). `level` is error, warning or notice (else a
// UsageError). Message data escapes '%', CR and LF; property values also ':' and ','. A binary
// input is reported to `diagnostics` as by make_template_printer.
std::unique_ptr<Printer> make_github_printer(Output& out, std::shared_ptr<const Matcher> pattern,
                                             std::string level = "error", Diagnostics* diagnostics = nullptr);

}  // namespace logsift
