// Typed values of --where: numbers, durations and byte sizes, read from the expression's literals
// and from field values alike (LogQL's rules). Each parser takes the whole text or nothing: a text
// that is not entirely of its kind gives nullopt, never a partial value, never an exception.
// Durations are Go's time.ParseDuration syntax in seconds; sizes are humanize.ParseBytes' in bytes.
#pragma once

#include <optional>
#include <string_view>

namespace logsift {

// A JSON-style number: optional '-' (or '+'), digits, optional fraction, optional exponent.
// "inf", "nan", hex and empty strings are not numbers.
std::optional<double> parse_number(std::string_view text);

// "250ms", "1.5s", "2m", "1h30m", "-3us", "0": units ns, us (µs, μs), ms, s, m, h; a unit is
// required except for "0".
std::optional<double> parse_duration(std::string_view text);

// "10KB" (10,000), "1MiB" (1,048,576), "12 kb", "512", "1.5G": SI units (k, kb, m, mb, ... eb)
// count in 1000s, IEC units (ki, kib, ... eib) in 1024s, case-insensitively; no unit is bytes.
std::optional<double> parse_bytes(std::string_view text);

}  // namespace logsift
