// Fields: named values read out of one structured log line, a JSON object or logfmt pairs.
// A FieldReader is loaded with a line and asked for fields by path; it parses only what a lookup
// reads (JSON through simdjson On-Demand, logfmt by one pass over the line). A value's text is
// valid until the next find() or load(). One reader per thread; build it once, reuse it per line.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logsift {

// --input-format: how each line is read. automatic: a line whose first non-blank byte is '{' is
// JSON, any other is logfmt.
enum class InputFormat { automatic, json, logfmt };

// Parses "auto", "json" or "logfmt"; nullopt for anything else.
std::optional<InputFormat> parse_input_format(std::string_view name);

// A dotted path, "http.status" or "tags.0". At each level the longest run of segments that is a
// key spelled exactly so is taken ("id.orig_h" as one key before "id" then "orig_h"); an
// all-digit segment also indexes an array.
class FieldPath {
 public:
  FieldPath() = default;
  explicit FieldPath(std::string text);  // segments are split at '.'
  const std::string& text() const { return text_; }
  std::size_t size() const { return begins_.size(); }
  // Segments [first, first + count) joined by '.', as written.
  std::string_view join(std::size_t first, std::size_t count) const;
  friend bool operator==(const FieldPath& a, const FieldPath& b) { return a.text_ == b.text_; }

 private:
  std::string text_;
  std::vector<std::size_t> begins_, ends_;
};

enum class ValueKind { string, number, boolean, null, object, array };

struct FieldValue {
  ValueKind kind = ValueKind::string;
  // Strings decoded (escapes resolved); numbers, booleans and null as written; objects and arrays
  // as their raw JSON text.
  std::string_view text;
};

// What a loaded line was read as.
enum class LineKind { none, json, logfmt };

class FieldReader {
 public:
  explicit FieldReader(InputFormat format = InputFormat::automatic);
  ~FieldReader();
  FieldReader(FieldReader&&) noexcept;
  FieldReader& operator=(FieldReader&&) noexcept;

  // `line` must stay valid until the next load().
  void load(std::string_view line);
  LineKind kind() const;
  // The field at `path`, or nullopt when the line has none (or is not of a structured kind).
  std::optional<FieldValue> find(const FieldPath& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace logsift
