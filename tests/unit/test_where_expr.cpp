// --where's parser: precedence, literal types, and errors with the position of what is wrong.
#include "logsift/where_expr.hpp"

#include <gtest/gtest.h>

#include <string>

#include "logsift/error.hpp"
#include "logsift/where_predicate.hpp"

namespace logsift {
namespace {

std::string parsed(const std::string& text) { return to_string(parse_where(text)); }

std::size_t error_position(const std::string& text) {
  try {
    parse_where(text);
  } catch (const WhereSyntaxError& error) {
    return error.position;
  }
  ADD_FAILURE() << "no error for " << text;
  return 999;
}

TEST(WhereExpr, NotBindsTighterThanAndThanOr) {
  EXPECT_EQ(parsed("a=1 or b=2 and c=3"), "(a = 1 or (b = 2 and c = 3))");
  EXPECT_EQ(parsed("a=1 and b=2 or c=3"), "((a = 1 and b = 2) or c = 3)");
  EXPECT_EQ(parsed("not a=1 and b=2"), "((not a = 1) and b = 2)");
  EXPECT_EQ(parsed("not (a=1 or b=2)"), "(not (a = 1 or b = 2))");
  EXPECT_EQ(parsed("(a=1 or b=2) and c=3"), "((a = 1 or b = 2) and c = 3)");
  EXPECT_EQ(parsed("not not exists(x)"), "(not (not exists(x)))");
}

TEST(WhereExpr, CommaAndBlankMeanAndAsInLogQL) {
  EXPECT_EQ(parsed("a=1, b=2"), "(a = 1 and b = 2)");
  EXPECT_EQ(parsed("a=1 b=2 or c=3"), "((a = 1 and b = 2) or c = 3)");
}

TEST(WhereExpr, OperatorsAndLiteralTypes) {
  const WhereNode node = parse_where("http.status >= -1.5e3");
  EXPECT_EQ(node.field.text(), "http.status");
  EXPECT_EQ(node.op, CompareOp::ge);
  EXPECT_EQ(node.type, LiteralType::number);
  EXPECT_DOUBLE_EQ(node.number, -1500);
  EXPECT_EQ(parse_where("d > 1h30m").type, LiteralType::duration);
  EXPECT_DOUBLE_EQ(parse_where("d > 1h30m").number, 5400);
  EXPECT_DOUBLE_EQ(parse_where("d < 250ms").number, 0.25);
  EXPECT_EQ(parse_where("s > 10KB").type, LiteralType::bytes);
  EXPECT_DOUBLE_EQ(parse_where("s > 10KB").number, 10000);
  EXPECT_DOUBLE_EQ(parse_where("s > 1MiB").number, 1048576);
  EXPECT_EQ(parse_where("a == \"x\"").op, CompareOp::eq);
  EXPECT_EQ(parse_where("a != \"x\"").op, CompareOp::ne);
  EXPECT_EQ(parse_where("a =~ \"x\"").op, CompareOp::match);
  EXPECT_EQ(parse_where("a !~ \"x\"").op, CompareOp::no_match);
  EXPECT_EQ(parse_where("a <= 1").op, CompareOp::le);
  EXPECT_EQ(parse_where("a < 1").op, CompareOp::lt);
  EXPECT_EQ(parse_where("a > 1").op, CompareOp::gt);
  EXPECT_EQ(parse_where("@timestamp = \"x\"").field.text(), "@timestamp");
  EXPECT_EQ(parse_where("tags.0 = \"x\"").field.size(), 2u);
}

TEST(WhereExpr, StringEscapes) {
  EXPECT_EQ(parse_where(R"(a = "q\"b\\s\n\u00e9\U0001F600\x41")").text, "q\"b\\s\n\xC3\xA9\xF0\x9F\x98\x80" "A");
  EXPECT_EQ(parse_where(R"(a =~ `\d+`)").text, R"(\d+)");
}

TEST(WhereExpr, ErrorsCarryThePosition) {
  EXPECT_EQ(error_position(""), 0u);
  EXPECT_EQ(error_position("a="), 2u);
  EXPECT_EQ(error_position("a=error"), 2u);
  EXPECT_EQ(error_position("a = 1 and"), 9u);
  EXPECT_EQ(error_position("(a = 1"), 6u);
  EXPECT_EQ(error_position("a = 1)"), 5u);
  EXPECT_EQ(error_position("a <> 1"), 2u);
  EXPECT_EQ(error_position("a ~ 1"), 2u);
  EXPECT_EQ(error_position("a > \"x\""), 4u);
  EXPECT_EQ(error_position("a =~ 5"), 5u);
  EXPECT_EQ(error_position("dur > 5parsecs"), 6u);
  EXPECT_EQ(error_position("s > 10QB"), 4u);
  EXPECT_EQ(error_position(R"(a = "x\d")"), 6u);
  EXPECT_EQ(error_position(R"(a = "open)"), 4u);
  EXPECT_EQ(error_position("a. = 1"), 2u);
  EXPECT_EQ(error_position("exists(a"), 8u);
  EXPECT_EQ(error_position("()"), 1u);
  EXPECT_EQ(error_position(std::string(300, '(') + "a=1" + std::string(300, ')')), 201u);
}

TEST(WhereExpr, PredicateErrorsAreOneLineUsageErrorsWithAOneBasedPosition) {
  try {
    WherePredicate("a=1 and", "--where");
    FAIL();
  } catch (const UsageError& error) {
    EXPECT_EQ(std::string(error.what()).substr(0, 36), "--where 'a=1 and': at position 8: ex");
  }
  try {
    WherePredicate("a =~ \"(\"", "--where");
    FAIL();
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("at position 6: bad regex"), std::string::npos) << error.what();
  }
}

TEST(WhereExpr, RequiredLiteralsOnlyWhereTheWholeExpressionNeedsThem) {
  using Set = std::optional<std::vector<std::string>>;
  EXPECT_EQ(WherePredicate("level=\"error\"").required_literals(), Set({"error"}));
  EXPECT_EQ(WherePredicate("level=\"error\" and status>=500").required_literals(), Set({"error"}));
  EXPECT_EQ(WherePredicate("a=\"x\" or b=~\"yy.*|zz\"").required_literals(), Set({"x", "yy", "zz"}));
  EXPECT_EQ(WherePredicate("id=~\"u1.*\"").required_literals(), Set({"u1"}));
  EXPECT_EQ(WherePredicate("id=~\"ab?c\"").required_literals(), Set({"a"}));
  EXPECT_EQ(WherePredicate("a=\"x\" or status>=500").required_literals(), std::nullopt);
  EXPECT_EQ(WherePredicate("not a=\"x\"").required_literals(), std::nullopt);
  EXPECT_EQ(WherePredicate("a!=\"x\"").required_literals(), std::nullopt);
  EXPECT_EQ(WherePredicate("a=\"\"").required_literals(), std::nullopt);
  EXPECT_EQ(WherePredicate("a=~\"(?i)x\"").required_literals(), std::nullopt);
  EXPECT_EQ(WherePredicate("a=~\".*x\"").required_literals(), std::nullopt);
}

}  // namespace
}  // namespace logsift
