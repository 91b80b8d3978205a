// Errors that logsift reports to the user: one line on stderr, "logsift: <what>", exit status 2.
// UsageError is raised before any input is read (bad flag, bad regex, bad stage argument);
// InputError concerns one input (unreadable, a directory) and the search goes on with the next.
#pragma once

#include <stdexcept>
#include <string>

namespace logsift {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace logsift
