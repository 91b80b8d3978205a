// --where expressions come straight from the command line. The parser must reject a bad one only
// with WhereSyntaxError at a position inside the text (or at its end), and a tree it accepts must
// print (to_string) as an expression that parses again to the same print: precedence and
// literals survive the round trip. WherePredicate may add only UsageError (a bad regex), and a
// predicate it builds must evaluate a JSON and a logfmt line without failing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "logsift/error.hpp"
#include "logsift/fields.hpp"
#include "logsift/where_expr.hpp"
#include "logsift/where_predicate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string printed;
  try {
    printed = logsift::to_string(logsift::parse_where(text));
  } catch (const logsift::WhereSyntaxError& error) {
    if (error.position > text.size()) std::abort();
    return 0;
  }
  try {
    if (logsift::to_string(logsift::parse_where(printed)) != printed) std::abort();
  } catch (const logsift::WhereSyntaxError&) {
    std::abort();  // what the parser printed must parse
  }
  try {
    const logsift::WherePredicate predicate(text);
    logsift::FieldReader reader;
    reader.load(R"({"a":1,"b":{"c":"x\u0065"},"d":[1,"2"],"e.f":null})");
    (void)predicate.test(reader);
    reader.load(R"(a=1 b.c="x\"e" d= e)");
    (void)predicate.test(reader);
    (void)predicate.required_literals();
  } catch (const logsift::UsageError&) {
  }
  return 0;
}
