// Field extraction runs on every line of arbitrary input, JSON or not. For any line and any path
// the reader must not crash or read outside the line (simdjson gets a padded copy), a value's text
// must be valid until the next lookup, and the same lookup twice must give the same answer (the
// On-Demand document is rewound between lookups).
//
// Input: [format] [path...] '\n' [line]: format byte % 3 picks auto, json or logfmt; the path is
// the bytes up to the first newline.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "logsift/fields.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto format = static_cast<logsift::InputFormat>(data[0] % 3);
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t newline = rest.find('\n');
  if (newline == std::string_view::npos) return 0;
  const logsift::FieldPath path{std::string(rest.substr(0, newline))};
  const std::string line(rest.substr(newline + 1));  // its own allocation: ASan sees any overread

  logsift::FieldReader reader(format);
  reader.load(line);
  std::optional<std::string> first;
  if (auto value = reader.find(path)) first = std::string(value->text);
  std::optional<std::string> second;
  if (auto value = reader.find(path)) second = std::string(value->text);
  if (first != second) std::abort();
  // Every prefix of the path too: walks that stop early, enter arrays, or fail halfway.
  for (std::size_t i = 0; i < path.text().size(); ++i) {
    if (path.text()[i] == '.') (void)reader.find(logsift::FieldPath(path.text().substr(0, i)));
  }
  return 0;
}
