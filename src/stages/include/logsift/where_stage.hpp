// The --where stage: keeps the lines whose fields satisfy a WherePredicate (where_predicate.hpp).
// Each application reads its lines with a FieldReader of its own, so one built stage serves any
// number of inputs and threads. A line that is neither JSON nor logfmt, or lacks a field, fails
// every comparison on that field.
#pragma once

#include <memory>

#include "logsift/fields.hpp"
#include "logsift/stage.hpp"

namespace logsift {

// Throws UsageError (with the position in the expression) for a bad expression.
std::unique_ptr<Stage> make_where_stage(const StageSpec& spec, InputFormat format);

}  // namespace logsift
