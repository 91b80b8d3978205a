#include "logsift/where_predicate.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "logsift/error.hpp"
#include "logsift/matcher.hpp"
#include "logsift/typed_value.hpp"
#include "logsift/where_expr.hpp"

namespace logsift {

struct WherePredicate::Node {
  WhereNode::Kind kind;
  std::vector<Node> children;
  FieldPath field;
  CompareOp op = CompareOp::eq;
  LiteralType type = LiteralType::string;
  std::string text;
  double number = 0;
  std::shared_ptr<const Matcher> regex;  // =~ and !~: the whole value must match
};

namespace {

using Node = WherePredicate::Node;

// The literal every whole match of `regex` starts with ("u1" of "u1.*"), or empty.
std::string literal_prefix(std::string_view regex) {
  std::string prefix;
  std::size_t i = 0;
  if (i < regex.size() && regex[i] == '^') ++i;
  for (; i < regex.size(); ++i) {
    const char c = regex[i];
    if (std::string_view(".[]()*+?{}|\\^$").find(c) != std::string_view::npos) {
      // A quantifier that allows zero makes the character before it optional.
      if ((c == '*' || c == '?' || c == '{') && !prefix.empty()) prefix.pop_back();
      return prefix;
    }
    prefix += c;
  }
  return prefix;
}

// Literals for a regex: one per top-level alternative, or nullopt if an alternative has none.
std::optional<std::vector<std::string>> regex_literals(std::string_view regex) {
  std::vector<std::string> out;
  int depth = 0;
  bool in_class = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= regex.size(); ++i) {
    if (i < regex.size()) {
      const char c = regex[i];
      if (c == '\\') {
        ++i;
        continue;
      }
      if (in_class) {
        if (c == ']') in_class = false;
        continue;
      }
      if (c == '[') in_class = true;
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (c != '|' || depth != 0) continue;
    }
    std::string prefix = literal_prefix(regex.substr(start, i - start));
    if (prefix.empty()) return std::nullopt;
    out.push_back(std::move(prefix));
    start = i + 1;
  }
  return out;
}

std::optional<std::vector<std::string>> literals_of(const Node& node) {
  switch (node.kind) {
    case WhereNode::Kind::compare:
      if (node.type != LiteralType::string) return std::nullopt;
      if (node.op == CompareOp::eq && !node.text.empty()) return std::vector<std::string>{node.text};
      if (node.op == CompareOp::match) return regex_literals(node.text);
      return std::nullopt;
    case WhereNode::Kind::and_: {
      // Any one conjunct's literals will do: take the set whose shortest literal is longest.
      std::optional<std::vector<std::string>> best;
      std::size_t best_length = 0;
      for (const Node& child : node.children) {
        auto set = literals_of(child);
        if (!set) continue;
        std::size_t shortest = std::min_element(set->begin(), set->end(), [](auto& a, auto& b) {
                                 return a.size() < b.size();
                               })->size();
        if (!best || shortest > best_length) {
          best = std::move(set);
          best_length = shortest;
        }
      }
      return best;
    }
    case WhereNode::Kind::or_: {
      std::vector<std::string> all;
      for (const Node& child : node.children) {
        auto set = literals_of(child);
        if (!set) return std::nullopt;
        all.insert(all.end(), set->begin(), set->end());
      }
      return all;
    }
    case WhereNode::Kind::not_:
    case WhereNode::Kind::exists:
      return std::nullopt;
  }
  return std::nullopt;
}

Node compile(const WhereNode& parsed, std::string_view expression, std::string_view flag) {
  Node node;
  node.kind = parsed.kind;
  node.field = parsed.field;
  node.op = parsed.op;
  node.type = parsed.type;
  node.text = parsed.text;
  node.number = parsed.number;
  for (const WhereNode& child : parsed.children) node.children.push_back(compile(child, expression, flag));
  if (parsed.kind == WhereNode::Kind::compare && (parsed.op == CompareOp::match || parsed.op == CompareOp::no_match)) {
    MatcherOptions options;
    options.whole_line = true;  // LogQL: the regex must match the whole value
    try {
      node.regex = std::make_shared<const Matcher>(std::vector<std::string>{parsed.text}, options);
    } catch (const UsageError& error) {
      throw bad_value(flag, expression, fmt::format("at position {}: bad regex: {}", parsed.value_position + 1, error.what()));
    }
  }
  return node;
}

template <typename T>
bool ordered(CompareOp op, const T& a, const T& b) {
  switch (op) {
    case CompareOp::eq: return a == b;
    case CompareOp::ne: return a != b;
    case CompareOp::gt: return a > b;
    case CompareOp::ge: return a >= b;
    case CompareOp::lt: return a < b;
    case CompareOp::le: return a <= b;
    case CompareOp::match:
    case CompareOp::no_match: break;
  }
  return false;
}

bool compare(const Node& node, FieldReader& reader) {
  const std::optional<FieldValue> value = reader.find(node.field);
  if (!value) return false;
  // null, objects and arrays are neither text nor numbers: every comparison with them is false.
  if (value->kind != ValueKind::string && value->kind != ValueKind::number && value->kind != ValueKind::boolean) return false;
  const std::string_view text = value->text;
  std::optional<double> number;
  switch (node.type) {
    case LiteralType::string:
      if (node.op == CompareOp::match) return node.regex->matches(text);
      if (node.op == CompareOp::no_match) return !node.regex->matches(text);
      return ordered<std::string_view>(node.op, text, node.text);
    case LiteralType::number: number = parse_number(text); break;
    case LiteralType::duration: number = parse_duration(text); break;
    case LiteralType::bytes: number = parse_bytes(text); break;
  }
  return number && ordered(node.op, *number, node.number);
}

bool evaluate(const Node& node, FieldReader& reader) {
  switch (node.kind) {
    case WhereNode::Kind::and_:
      for (const Node& child : node.children) {
        if (!evaluate(child, reader)) return false;
      }
      return true;
    case WhereNode::Kind::or_:
      for (const Node& child : node.children) {
        if (evaluate(child, reader)) return true;
      }
      return false;
    case WhereNode::Kind::not_: return !evaluate(node.children.front(), reader);
    case WhereNode::Kind::exists: return reader.find(node.field).has_value();
    case WhereNode::Kind::compare: return compare(node, reader);
  }
  return false;
}

}  // namespace

WherePredicate::WherePredicate(std::string_view expression, std::string_view flag) {
  WhereNode parsed;
  try {
    parsed = parse_where(expression);
  } catch (const WhereSyntaxError& error) {
    throw bad_value(flag, expression, fmt::format("at position {}: {}", error.position + 1, error.what()));
  }
  text_ = to_string(parsed);
  root_ = std::make_unique<Node>(compile(parsed, expression, flag));
}

WherePredicate::~WherePredicate() = default;
WherePredicate::WherePredicate(WherePredicate&&) noexcept = default;

bool WherePredicate::test(FieldReader& reader) const { return evaluate(*root_, reader); }

std::string WherePredicate::describe() const { return text_; }

std::optional<std::vector<std::string>> WherePredicate::required_literals() const { return literals_of(*root_); }

}  // namespace logsift
