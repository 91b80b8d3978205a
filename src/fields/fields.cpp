#include "logsift/fields.hpp"

#include <simdjson.h>

#include <cstring>

#include "logsift/logfmt.hpp"

namespace logsift {

namespace od = simdjson::ondemand;

std::optional<InputFormat> parse_input_format(std::string_view name) {
  if (name == "auto") return InputFormat::automatic;
  if (name == "json") return InputFormat::json;
  if (name == "logfmt") return InputFormat::logfmt;
  return std::nullopt;
}

FieldPath::FieldPath(std::string text) : text_(std::move(text)) {
  std::size_t begin = 0;
  for (;;) {
    const std::size_t dot = text_.find('.', begin);
    begins_.push_back(begin);
    ends_.push_back(dot == std::string::npos ? text_.size() : dot);
    if (dot == std::string::npos) break;
    begin = dot + 1;
  }
}

std::string_view FieldPath::join(std::size_t first, std::size_t count) const {
  return std::string_view(text_).substr(begins_[first], ends_[first + count - 1] - begins_[first]);
}

namespace {

bool all_digits(std::string_view text) {
  if (text.empty() || text.size() > 18) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::size_t to_index(std::string_view digits) {
  std::size_t value = 0;
  for (char c : digits) value = value * 10 + static_cast<std::size_t>(c - '0');
  return value;
}

std::string_view trim_right(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// The JSON side: a line is iterated once by simdjson (its structural index), and each lookup walks
// the object from its start again (rewind), reading only the keys on its way.
class JsonLine {
 public:
  bool load(std::string_view line) {
    // simdjson reads up to SIMDJSON_PADDING bytes past the end: the line is copied into a buffer
    // that has them (a view of the block could end at the end of a mapping).
    if (padded_.size() < line.size() + simdjson::SIMDJSON_PADDING) padded_.resize(line.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(padded_.data(), line.data(), line.size());
    std::memset(padded_.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
    broken_ = false;
    if (parser_.iterate(padded_.data(), line.size(), padded_.size()).get(doc_)) return false;
    od::json_type type;
    return !doc_.type().get(type) && type == od::json_type::object;
  }

  std::optional<FieldValue> find(const FieldPath& path) {
    // route_: the field ordinal (or array index) taken at each level so far. A level is scanned
    // once for the longest key the rest of the path spells; a full match ends the search there,
    // a shorter one is entered after the scan (from the start again: On-Demand reads forwards).
    route_.clear();
    std::size_t used = 0;  // segments consumed by the route
    for (;;) {
      Scan scan{&path, used};
      // A malformed line can leave the document unusable (simdjson abandons its iterator, and a
      // rewind would then follow a null parser): after the first error the line has no fields.
      if (broken_ || !walk(scan)) {
        broken_ = true;
        return std::nullopt;
      }
      if (scan.found) return scan.value;
      if (scan.best_count == 0) return std::nullopt;
      route_.push_back(scan.best_ordinal);
      used += scan.best_count;
    }
  }

 private:
  struct Scan {
    const FieldPath* path;
    std::size_t used;
    bool found = false;
    FieldValue value;
    std::size_t best_count = 0;
    std::size_t best_ordinal = 0;
  };

  bool walk(Scan& scan) {
    doc_.rewind();
    od::object root;
    if (doc_.get_object().get(root)) return false;
    return step_object(root, 0, scan);
  }

  bool step_object(od::object& object, std::size_t level, Scan& scan) {
    if (level == route_.size()) return scan_object(object, scan);
    std::size_t ordinal = 0;
    for (auto result : object) {
      od::field field;
      if (std::move(result).get(field)) return false;
      if (ordinal++ == route_[level]) return step_value(field.value(), level + 1, scan);
    }
    return false;
  }

  bool step_array(od::array& array, std::size_t level, Scan& scan) {
    if (level == route_.size()) return scan_array(array, scan);
    std::size_t index = 0;
    for (auto result : array) {
      od::value element;
      if (std::move(result).get(element)) return false;
      if (index++ == route_[level]) return step_value(element, level + 1, scan);
    }
    return false;
  }

  bool step_value(od::value value, std::size_t level, Scan& scan) {
    od::json_type type;
    if (value.type().get(type)) return false;
    if (type == od::json_type::object) {
      od::object object;
      if (value.get_object().get(object)) return false;
      return step_object(object, level, scan);
    }
    if (type == od::json_type::array) {
      od::array array;
      if (value.get_array().get(array)) return false;
      return step_array(array, level, scan);
    }
    return true;  // a scalar where the path goes on: nothing more to find (scan stays empty)
  }

  bool scan_object(od::object& object, Scan& scan) {
    const FieldPath& path = *scan.path;
    const std::size_t left = path.size() - scan.used;
    std::size_t ordinal = 0;
    for (auto result : object) {
      od::field field;
      if (std::move(result).get(field)) return false;
      std::string_view key;
      if (field.unescaped_key().get(key)) return false;
      // Keys are compared decoded ("\u0065rror" is "error"); a key longer than the rest of the
      // path cannot be spelled by it.
      for (std::size_t count = left; count > scan.best_count; --count) {
        if (key != path.join(scan.used, count)) continue;
        if (count == left) return take(field.value(), scan);
        scan.best_count = count;
        scan.best_ordinal = ordinal;
        break;
      }
      ++ordinal;
    }
    return true;
  }

  bool scan_array(od::array& array, Scan& scan) {
    const std::string_view segment = scan.path->join(scan.used, 1);
    if (!all_digits(segment)) return true;
    const std::size_t wanted = to_index(segment);
    std::size_t index = 0;
    for (auto result : array) {
      od::value element;
      if (std::move(result).get(element)) return false;
      if (index++ != wanted) continue;
      if (scan.used + 1 == scan.path->size()) return take(element, scan);
      scan.best_count = 1;
      scan.best_ordinal = wanted;
      return true;
    }
    return true;
  }

  bool take(od::value value, Scan& scan) {
    od::json_type type;
    if (value.type().get(type)) return false;
    FieldValue& out = scan.value;
    switch (type) {
      case od::json_type::string:
        out.kind = ValueKind::string;
        if (value.get_string().get(out.text)) return false;
        break;
      case od::json_type::number:
      case od::json_type::boolean:
      case od::json_type::null:
        out.kind = type == od::json_type::number ? ValueKind::number
                   : type == od::json_type::boolean ? ValueKind::boolean
                                                    : ValueKind::null;
        out.text = trim_right(value.raw_json_token());
        break;
      case od::json_type::object: {
        out.kind = ValueKind::object;
        od::object object;
        if (value.get_object().get(object) || object.raw_json().get(out.text)) return false;
        break;
      }
      case od::json_type::array: {
        out.kind = ValueKind::array;
        od::array array;
        if (value.get_array().get(array) || array.raw_json().get(out.text)) return false;
        break;
      }
    }
    scan.found = true;
    return true;
  }

  od::parser parser_;
  od::document doc_;
  std::vector<char> padded_;
  std::vector<std::size_t> route_;
  bool broken_ = false;
};

}  // namespace

struct FieldReader::Impl {
  InputFormat format;
  std::string_view line;
  LineKind kind = LineKind::none;
  JsonLine json;
  std::string scratch;
};

FieldReader::FieldReader(InputFormat format) : impl_(std::make_unique<Impl>()) { impl_->format = format; }
FieldReader::~FieldReader() = default;
FieldReader::FieldReader(FieldReader&&) noexcept = default;
FieldReader& FieldReader::operator=(FieldReader&&) noexcept = default;

void FieldReader::load(std::string_view line) {
  Impl& m = *impl_;
  m.line = line;
  bool json = m.format == InputFormat::json;
  if (m.format == InputFormat::automatic) {
    const std::size_t first = line.find_first_not_of(" \t");
    json = first != std::string_view::npos && line[first] == '{';
  }
  if (json) {
    m.kind = m.json.load(line) ? LineKind::json : LineKind::none;
  } else {
    m.kind = LineKind::logfmt;
  }
}

LineKind FieldReader::kind() const { return impl_->kind; }

std::optional<FieldValue> FieldReader::find(const FieldPath& path) {
  Impl& m = *impl_;
  switch (m.kind) {
    case LineKind::none: return std::nullopt;
    case LineKind::json: return m.json.find(path);
    case LineKind::logfmt: {
      const std::optional<std::string_view> value = logfmt_find(m.line, path.text(), m.scratch);
      if (!value) return std::nullopt;
      return FieldValue{ValueKind::string, *value};
    }
  }
  return std::nullopt;
}

}  // namespace logsift
