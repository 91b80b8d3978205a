// --where expressions: LogQL's label-filter syntax, parsed into a tree before any input is read.
//   expr := expr 'or' expr | expr ('and' | ',' | blank) expr | 'not' expr | '(' expr ')'
//         | 'exists' '(' FIELD ')' | FIELD OP VALUE
// OP is = (or ==) != =~ !~ > >= < <=; VALUE a number, a duration (250ms, 1h30m), a byte size
// (10KB, 1MiB) or a string ("..." with Go's escapes, or `raw`). 'not' binds tightest, then 'and',
// then 'or'. A malformed expression throws WhereSyntaxError with the byte position (from 0).
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "logsift/fields.hpp"

namespace logsift {

class WhereSyntaxError : public std::runtime_error {
 public:
  WhereSyntaxError(std::size_t position, const std::string& what) : std::runtime_error(what), position(position) {}
  std::size_t position;
};

enum class CompareOp { eq, ne, match, no_match, gt, ge, lt, le };
enum class LiteralType { string, number, duration, bytes };

struct WhereNode {
  enum class Kind { and_, or_, not_, compare, exists } kind = Kind::compare;
  std::vector<WhereNode> children;  // and/or: two or more; not: one
  FieldPath field;                  // compare, exists
  CompareOp op = CompareOp::eq;
  LiteralType type = LiteralType::string;
  std::string text;       // the string (decoded), or the literal as written
  double number = 0;      // numbers as they are; durations in seconds; sizes in bytes
  std::size_t position = 0;        // of the node's first byte
  std::size_t value_position = 0;  // of the value's first byte (for regex errors)
};

WhereNode parse_where(std::string_view expression);

// The operator as written in LogQL ("=~").
std::string_view op_name(CompareOp op);

// The tree written back fully parenthesised, for --explain and tests: (a = "x" and (not b > 5)).
std::string to_string(const WhereNode& node);

}  // namespace logsift
