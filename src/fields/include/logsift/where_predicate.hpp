// WherePredicate: a parsed --where expression with its regexes compiled, tested against the
// fields of a line. Types follow LogQL: the literal decides how a field compares (a string as
// text, a number, duration or size by parsing the field's text as one); a field that is missing,
// or that does not parse as the literal's type, makes its comparison false, != and !~ included.
// Built before any input is read (UsageError with the position of what is wrong); const and
// shareable between threads, each of which brings its own FieldReader.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logsift/fields.hpp"

namespace logsift {

class WherePredicate {
 public:
  // `flag` names the option in messages ("--where").
  WherePredicate(std::string_view expression, std::string_view flag = "--where");
  ~WherePredicate();
  WherePredicate(WherePredicate&&) noexcept;

  // Whether the line `reader` was loaded with satisfies the expression.
  bool test(FieldReader& reader) const;

  // The expression as parsed, fully parenthesised.
  std::string describe() const;

  // Byte strings one of which every accepted line holds as written, unless the line holds a
  // backslash (a JSON or logfmt escape can spell any character): from = and =~ on strings
  // (a regex's literal prefix) that the whole expression requires. nullopt when there are none.
  std::optional<std::vector<std::string>> required_literals() const;

  struct Node;  // the compiled tree (where_predicate.cpp)

 private:
  std::unique_ptr<Node> root_;
  std::string text_;
};

}  // namespace logsift
