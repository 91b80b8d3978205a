// logfmt: `key=value key="quoted \"value\"" bare_key` pairs, read in one pass over the line.
// Keys run to '=', a blank or the end; unquoted values to the next blank; quoted values take JSON's
// escapes (\" \\ \/ \b \f \n \r \t \uXXXX). A bare key has the empty value. The first pair with
// a key wins. A stray quote or a bad escape ends the line's pairs there (lookups see those before).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace logsift {

// The value of `key` in `line`, or nullopt. A decoded quoted value lives in `scratch` (which the
// returned view may point into); an unquoted one is a view into `line`.
std::optional<std::string_view> logfmt_find(std::string_view line, std::string_view key, std::string& scratch);

// Decodes the JSON-style escapes of `quoted` (the text between the quotes) into `out`. False for a
// bad escape (`out` is then unspecified). Lone surrogates become U+FFFD.
bool decode_escapes(std::string_view quoted, std::string& out);

}  // namespace logsift
