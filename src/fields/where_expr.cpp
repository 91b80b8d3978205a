#include "logsift/where_expr.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "logsift/logfmt.hpp"
#include "logsift/typed_value.hpp"

namespace logsift {
namespace {

bool is_field_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@' || c == '$';
}
bool is_field_char(char c) { return is_field_start(c) || (c >= '0' && c <= '9') || c == '-'; }
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Nesting deeper than this is refused: the parser and the evaluator recurse once per level.
constexpr int kMaxDepth = 200;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  WhereNode parse() {
    skip_blanks();
    if (pos_ == text_.size()) fail(pos_, "the expression is empty");
    WhereNode node = parse_or(0);
    skip_blanks();
    if (pos_ != text_.size()) {
      if (peek() == ')') fail(pos_, "unmatched ')'");
      fail(pos_, fmt::format("expected 'and', 'or' or the end, found {}", describe_here()));
    }
    return node;
  }

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& what) { throw WhereSyntaxError(at, what); }

  char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }

  void skip_blanks() {
    while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
  }

  // The word at the position (letters, digits, '_'...), without moving.
  std::string_view word_here() const {
    std::size_t end = pos_;
    while (end < text_.size() && (is_field_char(text_[end]) || text_[end] == '.')) ++end;
    return text_.substr(pos_, end - pos_);
  }

  bool at_keyword(std::string_view keyword) const {
    if (text_.substr(pos_, keyword.size()) != keyword) return false;
    const char next = peek(keyword.size());
    return !(is_field_char(next) || next == '.');
  }

  std::string describe_here() const {
    if (pos_ >= text_.size()) return "the end";
    const std::string_view word = word_here();
    if (!word.empty()) return fmt::format("'{}'", word);
    return fmt::format("'{}'", text_[pos_]);
  }

  // Whether a primary can start here (for the implicit 'and' of "a=1 b=2", as in LogQL).
  bool at_primary_start() const {
    const char c = peek();
    if (c == '(') return true;
    if (!is_field_start(c)) return false;
    return !at_keyword("and") && !at_keyword("or");
  }

  WhereNode parse_or(int depth) {
    WhereNode first = parse_and(depth);
    skip_blanks();
    if (!at_keyword("or")) return first;
    WhereNode node;
    node.kind = WhereNode::Kind::or_;
    node.position = first.position;
    node.children.push_back(std::move(first));
    while (at_keyword("or")) {
      pos_ += 2;
      skip_blanks();
      node.children.push_back(parse_and(depth));
      skip_blanks();
    }
    return node;
  }

  WhereNode parse_and(int depth) {
    WhereNode first = parse_unary(depth);
    WhereNode node;
    node.kind = WhereNode::Kind::and_;
    node.position = first.position;
    node.children.push_back(std::move(first));
    for (;;) {
      skip_blanks();
      if (at_keyword("and")) {
        pos_ += 3;
      } else if (peek() == ',') {
        ++pos_;
      } else if (!at_primary_start() && !at_keyword("not")) {
        break;
      }
      skip_blanks();
      node.children.push_back(parse_unary(depth));
    }
    if (node.children.size() == 1) return std::move(node.children.front());
    return node;
  }

  WhereNode parse_unary(int depth) {
    if (depth > kMaxDepth) fail(pos_, fmt::format("the expression nests deeper than {} levels", kMaxDepth));
    skip_blanks();
    if (at_keyword("not")) {
      WhereNode node;
      node.kind = WhereNode::Kind::not_;
      node.position = pos_;
      pos_ += 3;
      skip_blanks();
      node.children.push_back(parse_unary(depth + 1));
      return node;
    }
    return parse_primary(depth);
  }

  WhereNode parse_primary(int depth) {
    skip_blanks();
    const std::size_t start = pos_;
    if (peek() == '(') {
      ++pos_;
      skip_blanks();
      if (peek() == ')') fail(pos_, "empty parentheses");
      WhereNode inner = parse_or(depth + 1);
      skip_blanks();
      if (peek() != ')') fail(pos_, fmt::format("expected ')' to close the '(' at position {}, found {}", start + 1,
                                                describe_here()));
      ++pos_;
      return inner;
    }
    if (at_keyword("exists")) {
      std::size_t after = pos_ + 6;
      while (after < text_.size() && is_blank(text_[after])) ++after;
      if (after < text_.size() && text_[after] == '(') {
        pos_ = after + 1;
        skip_blanks();
        WhereNode node;
        node.kind = WhereNode::Kind::exists;
        node.position = start;
        node.field = parse_field();
        skip_blanks();
        if (peek() != ')') fail(pos_, fmt::format("expected ')' after the field of exists(, found {}", describe_here()));
        ++pos_;
        return node;
      }
    }
    if (pos_ == text_.size()) fail(pos_, "expected a field, 'not', 'exists(' or '(' at the end");
    if (at_keyword("and") || at_keyword("or")) {
      fail(pos_, fmt::format("expected a field, 'not', 'exists(' or '(', found {}", describe_here()));
    }
    WhereNode node;
    node.kind = WhereNode::Kind::compare;
    node.position = start;
    node.field = parse_field();
    skip_blanks();
    node.op = parse_op();
    skip_blanks();
    parse_value(node);
    return node;
  }

  FieldPath parse_field() {
    const std::size_t start = pos_;
    if (!is_field_start(peek())) {
      fail(pos_, fmt::format("expected a field name (letters, digits, '_', '-', '@', '$', joined by '.'), found {}",
                             describe_here()));
    }
    for (;;) {
      while (is_field_char(peek())) ++pos_;
      if (peek() != '.') break;
      if (!is_field_char(peek(1))) fail(pos_ + 1, "expected a field name after '.'");
      ++pos_;
    }
    return FieldPath(std::string(text_.substr(start, pos_ - start)));
  }

  CompareOp parse_op() {
    // The whole run of operator characters must be one operator: "<>" is not "<" then ">".
    std::size_t run = pos_;
    while (run < text_.size() && std::string_view("=!~<>").find(text_[run]) != std::string_view::npos) ++run;
    static constexpr std::string_view kOperators[] = {"=", "==", "!=", "=~", "!~", ">", ">=", "<", "<="};
    const std::string_view written = text_.substr(pos_, run - pos_);
    if (!written.empty() && std::find(std::begin(kOperators), std::end(kOperators), written) == std::end(kOperators)) {
      fail(pos_, fmt::format("unknown operator '{}' (operators: = != =~ !~ > >= < <=)", written));
    }
    const char a = peek(), b = peek(1);
    auto take = [&](std::size_t length, CompareOp op) {
      pos_ += length;
      return op;
    };
    if (a == '=' && b == '~') return take(2, CompareOp::match);
    if (a == '=' && b == '=') return take(2, CompareOp::eq);
    if (a == '=') return take(1, CompareOp::eq);
    if (a == '!' && b == '=') return take(2, CompareOp::ne);
    if (a == '!' && b == '~') return take(2, CompareOp::no_match);
    if (a == '>' && b == '=') return take(2, CompareOp::ge);
    if (a == '>') return take(1, CompareOp::gt);
    if (a == '<' && b == '=') return take(2, CompareOp::le);
    if (a == '<') return take(1, CompareOp::lt);
    std::size_t end = pos_;
    while (end < text_.size() && std::string_view("=!~<>&|^%*+").find(text_[end]) != std::string_view::npos) ++end;
    if (end > pos_) {
      fail(pos_, fmt::format("unknown operator '{}' (operators: = != =~ !~ > >= < <=)", text_.substr(pos_, end - pos_)));
    }
    fail(pos_, fmt::format("expected an operator (= != =~ !~ > >= < <=), found {}", describe_here()));
  }

  void parse_value(WhereNode& node) {
    node.value_position = pos_;
    const char c = peek();
    if (c == '"') {
      node.type = LiteralType::string;
      node.text = parse_quoted();
    } else if (c == '`') {
      const std::size_t close = text_.find('`', pos_ + 1);
      if (close == std::string_view::npos) fail(pos_, "unterminated `string`");
      node.type = LiteralType::string;
      node.text = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
    } else if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
      parse_typed(node);
    } else if (pos_ == text_.size()) {
      fail(pos_, fmt::format("expected a value after '{}' at the end", op_name(node.op)));
    } else {
      const std::string_view word = word_here();
      if (!word.empty()) {
        fail(pos_, fmt::format("expected a number, duration, size or quoted string, found '{}' (strings are "
                               "quoted: \"{}\")", word, word));
      }
      fail(pos_, fmt::format("expected a number, duration, size or quoted string, found {}", describe_here()));
    }
    const bool regex = node.op == CompareOp::match || node.op == CompareOp::no_match;
    const bool ordering = node.op == CompareOp::gt || node.op == CompareOp::ge || node.op == CompareOp::lt ||
                          node.op == CompareOp::le;
    if (regex && node.type != LiteralType::string) {
      fail(node.value_position, fmt::format("'{}' takes a regex in quotes, not {}", op_name(node.op), node.text));
    }
    if (ordering && node.type == LiteralType::string) {
      fail(node.value_position, fmt::format("'{}' compares numbers, durations or sizes, not a string", op_name(node.op)));
    }
  }

  void parse_typed(WhereNode& node) {
    const std::size_t start = pos_;
    if (peek() == '-' || peek() == '+') ++pos_;
    while (pos_ < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      const bool exponent_sign = (c == '-' || c == '+') && (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E') &&
                                 pos_ - 1 > start && text_[pos_ - 2] >= '0' && text_[pos_ - 2] <= '9';
      if (std::isalnum(c) || c == '.' || c >= 0x80 || exponent_sign) {
        ++pos_;
      } else {
        break;
      }
    }
    node.text = std::string(text_.substr(start, pos_ - start));
    if (auto number = parse_number(node.text)) {
      node.type = LiteralType::number;
      node.number = *number;
    } else if (auto seconds = parse_duration(node.text)) {
      node.type = LiteralType::duration;
      node.number = *seconds;
    } else if (auto bytes = parse_bytes(node.text); bytes && node.text[0] != '-' && node.text[0] != '+') {
      node.type = LiteralType::bytes;
      node.number = *bytes;
    } else {
      fail(start, fmt::format("bad number, duration or size '{}' (e.g. 503, -1.5e3, 250ms, 1h30m, 10KB, 1MiB)", node.text));
    }
  }

  std::string parse_quoted() {
    const std::size_t start = pos_;
    ++pos_;
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) fail(start, "unterminated string (no closing '\"')");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      const std::size_t escape = pos_;
      const char e = peek(1);
      pos_ += 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '/': out += '/'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case 'x':
        case 'u':
        case 'U': {
          const std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          std::uint32_t code = 0;
          for (std::size_t i = 0; i < digits; ++i) {
            const char h = peek(i);
            const int v = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                          : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
            if (v < 0) fail(escape, fmt::format("\\{} needs {} hex digits", e, digits));
            code = code * 16 + static_cast<std::uint32_t>(v);
          }
          pos_ += digits;
          if (e == 'x') {
            out += static_cast<char>(code);  // a byte, as in Go
          } else {
            if (code > 0x10FFFF || (code >= 0xD800 && code < 0xE000)) {
              fail(escape, "the escape names no Unicode character");
            }
            // UTF-8 through the JSON decoder (a pair of surrogates beyond the BMP).
            const std::uint32_t v = code - 0x10000;
            const std::string escaped = code < 0x10000 ? fmt::format("\\u{:04x}", code)
                                                       : fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
            std::string utf8;
            (void)decode_escapes(escaped, utf8);
            out += utf8;
          }
          break;
        }
        default:
          fail(escape, e == '\0' ? std::string("a '\\' ends the expression")
                                 : fmt::format("unknown escape '\\{}' (write \\\\ for a backslash, or use a `raw "
                                               "string`)", e));
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

void print(const WhereNode& node, std::string& out) {
  switch (node.kind) {
    case WhereNode::Kind::and_:
    case WhereNode::Kind::or_: {
      out += '(';
      for (std::size_t i = 0; i < node.children.size(); ++i) {
        if (i) out += node.kind == WhereNode::Kind::and_ ? " and " : " or ";
        print(node.children[i], out);
      }
      out += ')';
      break;
    }
    case WhereNode::Kind::not_:
      out += "(not ";
      print(node.children.front(), out);
      out += ')';
      break;
    case WhereNode::Kind::exists:
      out += fmt::format("exists({})", node.field.text());
      break;
    case WhereNode::Kind::compare:
      if (node.type == LiteralType::string) {
        std::string quoted;
        for (char c : node.text) {
          if (c == '"' || c == '\\') quoted += '\\';
          quoted += c;
        }
        out += fmt::format("{} {} \"{}\"", node.field.text(), op_name(node.op), quoted);
      } else {
        out += fmt::format("{} {} {}", node.field.text(), op_name(node.op), node.text);
      }
      break;
  }
}

}  // namespace

WhereNode parse_where(std::string_view expression) { return Parser(expression).parse(); }

std::string_view op_name(CompareOp op) {
  switch (op) {
    case CompareOp::eq: return "=";
    case CompareOp::ne: return "!=";
    case CompareOp::match: return "=~";
    case CompareOp::no_match: return "!~";
    case CompareOp::gt: return ">";
    case CompareOp::ge: return ">=";
    case CompareOp::lt: return "<";
    case CompareOp::le: return "<=";
  }
  return "?";
}

std::string to_string(const WhereNode& node) {
  std::string out;
  print(node, out);
  return out;
}

}  // namespace logsift
