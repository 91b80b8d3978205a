// Field extraction (JSON and logfmt), typed values, and --where's evaluation over them.
#include "logsift/fields.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "logsift/logfmt.hpp"
#include "logsift/typed_value.hpp"
#include "logsift/where_predicate.hpp"

namespace logsift {
namespace {

std::optional<std::string> field(const std::string& line, const std::string& path,
                                 InputFormat format = InputFormat::automatic) {
  FieldReader reader(format);
  reader.load(line);
  auto value = reader.find(FieldPath(path));
  if (!value) return std::nullopt;
  return std::string(value->text);
}

bool where(const std::string& expression, const std::string& line, InputFormat format = InputFormat::automatic) {
  WherePredicate predicate(expression);
  FieldReader reader(format);
  reader.load(line);
  return predicate.test(reader);
}

TEST(TypedValue, Numbers) {
  EXPECT_EQ(parse_number("503"), 503);
  EXPECT_EQ(parse_number("-1.5e3"), -1500);
  EXPECT_EQ(parse_number("2E-2"), 0.02);
  EXPECT_EQ(parse_number("+7"), 7);
  EXPECT_EQ(parse_number(".5"), 0.5);
  for (const char* bad : {"", "-", "n/a", "inf", "nan", "0x10", "1e", "1.2.3", " 1", "1 "}) {
    EXPECT_EQ(parse_number(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(parse_number("1e999"), HUGE_VAL);
}

TEST(TypedValue, DurationsAsGoParsesThem) {
  EXPECT_EQ(parse_duration("1.5s"), 1.5);
  EXPECT_EQ(parse_duration("1500ms"), 1.5);
  EXPECT_EQ(parse_duration("1h30m"), 5400);
  EXPECT_EQ(parse_duration("-2m"), -120);
  EXPECT_EQ(parse_duration("0"), 0);
  EXPECT_DOUBLE_EQ(*parse_duration("3\xC2\xB5s"), 3e-6);
  EXPECT_DOUBLE_EQ(*parse_duration("250ns"), 250e-9);
  for (const char* bad : {"", "1", "1.5", "s", "1x", "1.5 s", "1sm"}) EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
}

TEST(TypedValue, ByteSizesAsHumanizeParsesThem) {
  EXPECT_EQ(parse_bytes("10KB"), 10000);
  EXPECT_EQ(parse_bytes("10kb"), 10000);
  EXPECT_EQ(parse_bytes("1MiB"), 1048576);
  EXPECT_EQ(parse_bytes("1.5 GB"), 1.5e9);
  EXPECT_EQ(parse_bytes("512"), 512);
  EXPECT_EQ(parse_bytes("2k"), 2000);
  EXPECT_EQ(parse_bytes("2Ki"), 2048);
  for (const char* bad : {"", "KB", "10QB", "-1KB", "1..2KB"}) EXPECT_EQ(parse_bytes(bad), std::nullopt) << bad;
}

TEST(Fields, JsonPathsNestedArraysAndExactDottedKeys) {
  const std::string line = R"({"a":{"b":{"c":1}},"id.orig_h":"1.2.3.4","id":{"orig_h":"no"},"tags":["x",{"k":"y"}]})";
  EXPECT_EQ(field(line, "a.b.c"), "1");
  EXPECT_EQ(field(line, "id.orig_h"), "1.2.3.4");  // the key spelled exactly so comes first
  EXPECT_EQ(field(line, "tags.0"), "x");
  EXPECT_EQ(field(line, "tags.1.k"), "y");
  EXPECT_EQ(field(line, "tags.2"), std::nullopt);
  EXPECT_EQ(field(line, "a.b"), R"({"c":1})");
  EXPECT_EQ(field(line, "a.x"), std::nullopt);
  EXPECT_EQ(field(line, "a.b.c.d"), std::nullopt);
  EXPECT_EQ(field(R"({"x.y":{"z":5},"x":{"y":{"z":6}}})", "x.y.z"), "5");  // longest key at each level
}

TEST(Fields, JsonUnicodeEscapesInKeysAndValues) {
  EXPECT_EQ(field(R"({"l\u0065vel":"\u0065rror"})", "level"), "error");
  EXPECT_EQ(field(R"({"m":"caf\u00e9 \ud83d\ude00 \"q\""})", "m"), "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\"");
  EXPECT_TRUE(where(R"(level="error")", R"({"level":"\u0065rror"})"));
  EXPECT_TRUE(where(R"(msg="a\nb")", R"({"msg":"a\nb"})"));
}

TEST(Fields, JsonKindsAndBrokenLines) {
  FieldReader reader;
  reader.load(R"({"n":null,"t":true,"x":-1.5e3})");
  EXPECT_EQ(reader.kind(), LineKind::json);
  EXPECT_EQ(reader.find(FieldPath("n"))->kind, ValueKind::null);
  EXPECT_EQ(reader.find(FieldPath("t"))->kind, ValueKind::boolean);
  EXPECT_EQ(reader.find(FieldPath("x"))->text, "-1.5e3");
  FieldReader json(InputFormat::json);
  json.load(R"([1,2])");  // JSON, but no object
  EXPECT_EQ(json.kind(), LineKind::none);
  json.load("level=error");
  EXPECT_EQ(json.find(FieldPath("level")), std::nullopt);
  reader.load(R"({"a":"unterminated)");
  EXPECT_EQ(reader.find(FieldPath("a")), std::nullopt);
  EXPECT_EQ(field(R"({"a":1})", "a", InputFormat::logfmt), std::nullopt);  // '{"a":1}' is one bare key
  // A line simdjson gives up on partway: the second lookup must not touch the abandoned document
  // (a null parser; found by fuzz_fields).
  FieldReader broken(InputFormat::json);
  broken.load(R"({"l\u0065vel":"x")");
  (void)broken.find(FieldPath("level"));
  (void)broken.find(FieldPath("level"));
  (void)broken.find(FieldPath("a.b"));
}

TEST(Fields, LogfmtEdgeCases) {
  const std::string line = R"(ts=1 level=error msg="disk \"full\" on /dev/sda" empty= quoted_empty="" bare dur=1.5s k=v=w)";
  EXPECT_EQ(field(line, "level"), "error");
  EXPECT_EQ(field(line, "msg"), "disk \"full\" on /dev/sda");
  EXPECT_EQ(field(line, "empty"), "");
  EXPECT_EQ(field(line, "quoted_empty"), "");
  EXPECT_EQ(field(line, "bare"), "");
  EXPECT_EQ(field(line, "k"), "v=w");
  EXPECT_EQ(field(line, "missing"), std::nullopt);
  EXPECT_EQ(field(R"(a=1 a=2)", "a"), "1");  // the first wins
  EXPECT_EQ(field("a=1\tb=2\r", "b"), "2");
  EXPECT_EQ(field(R"(m="caf\u00e9")", "m"), "caf\xC3\xA9");
  EXPECT_EQ(field(R"(a=1 b="open c=3)", "c"), std::nullopt);  // unterminated quote: no pairs after it
  EXPECT_EQ(field(R"(a=1 b="open c=3)", "a"), "1");
  EXPECT_EQ(field(R"(a=x"y b=2)", "b"), std::nullopt);
  EXPECT_EQ(field(R"(http.status=500)", "http.status"), "500");
  EXPECT_EQ(field(R"(  {not json)", "x", InputFormat::automatic), std::nullopt);
}

TEST(Where, TypesFollowLogQL) {
  EXPECT_TRUE(where("status=503", R"({"status":"503"})"));   // a numeric string is a number
  EXPECT_TRUE(where("status=503", R"({"status":503.0})"));
  EXPECT_TRUE(where("status=\"503\"", R"({"status":503})"));  // a number compared as text
  EXPECT_FALSE(where("status=\"503\"", R"({"status":503.0})"));
  EXPECT_TRUE(where("status>=500", "status=503"));            // every logfmt value may be a number
  EXPECT_FALSE(where("status>=500", R"({"status":"n/a"})"));   // not a number: false, no error
  EXPECT_FALSE(where("status!=500", R"({"status":"n/a"})"));
  EXPECT_TRUE(where("x<0", R"({"x":-1e-3})"));
  EXPECT_TRUE(where("x>1e2", R"({"x":"1.5E2"})"));
  EXPECT_TRUE(where("dur=1.5s", "dur=1500ms"));
  EXPECT_TRUE(where("dur>1s", R"({"dur":"1m"})"));
  EXPECT_FALSE(where("dur>1s", R"({"dur":5})"));  // a bare number is no duration
  EXPECT_TRUE(where("size>=1KiB", "size=1024"));
  EXPECT_TRUE(where("size>1MB", R"({"size":"2 MB"})"));
  EXPECT_TRUE(where("ok=\"true\"", R"({"ok":true})"));
  EXPECT_FALSE(where("n=\"null\"", R"({"n":null})"));
  EXPECT_FALSE(where("o=~\".*\"", R"({"o":{}})"));
}

TEST(Where, MissingFieldsFailEveryComparisonAndNotInvertsThat) {
  const std::string line = R"({"a":"x"})";
  EXPECT_FALSE(where("b=\"x\"", line));
  EXPECT_FALSE(where("b!=\"x\"", line));
  EXPECT_FALSE(where("b!~\"x\"", line));
  EXPECT_FALSE(where("b<1", line));
  EXPECT_TRUE(where("not b=\"x\"", line));
  EXPECT_TRUE(where("exists(a)", line));
  EXPECT_FALSE(where("exists(b)", line));
  EXPECT_TRUE(where("exists(n)", R"({"n":null})"));
  EXPECT_FALSE(where("a=\"x\"", "plain text line"));
  EXPECT_TRUE(where("exists(plain)", "plain text line"));  // logfmt: bare keys are fields
}

TEST(Where, RegexesMatchTheWholeValue) {
  EXPECT_TRUE(where(R"(id=~"u1.*")", R"({"id":"u123"})"));
  EXPECT_FALSE(where(R"(id=~"u1")", R"({"id":"u123"})"));
  EXPECT_TRUE(where(R"(id!~"u1")", R"({"id":"u123"})"));
  EXPECT_TRUE(where(R"(id=~"a|u123")", R"({"id":"u123"})"));
  EXPECT_TRUE(where(R"(code=~"5..")", R"({"code":503})"));
}

TEST(Where, BooleanLogic) {
  const std::string line = R"({"a":1,"b":2})";
  EXPECT_TRUE(where("a=1 and b=2", line));
  EXPECT_FALSE(where("a=1 and b=3", line));
  EXPECT_TRUE(where("a=2 or b=2", line));
  EXPECT_TRUE(where("not (a=2 or b=3)", line));
  EXPECT_TRUE(where("a=0 or a=1 and b=2", line));
  EXPECT_FALSE(where("(a=0 or a=1) and b=3", line));
}

}  // namespace
}  // namespace logsift
