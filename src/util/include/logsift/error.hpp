// Errors that logsift reports to the user: one line on stderr, "logsift: <what>", exit status 2.
// UsageError is raised before any input is read (bad flag, bad regex, bad stage argument);
// InputError concerns one input (unreadable, a directory) and the search goes on with the next.
// A user's value is quoted in a message through quote(), which cuts it short: a 3 MB pattern must
// not make a 3 MB line on stderr.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace logsift {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bytes of a value shown in a message; a longer one is cut at a character boundary.
inline constexpr std::size_t kQuoteLimit = 200;

// 'value', or 'first bytes...' (N bytes) when it is longer than kQuoteLimit.
std::string quote(std::string_view value);

// `text` (a library's message, which may repeat a huge pattern) cut like quote(), unquoted.
std::string shorten(std::string_view text);

// The one shape of a message about a bad option value: "FLAG 'VALUE': why".
UsageError bad_value(std::string_view flag, std::string_view value, std::string_view why);

}  // namespace logsift
