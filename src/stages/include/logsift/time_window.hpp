// Time windows (--since, --until): keep the lines whose timestamp t has since <= t < until (since
// inclusive, until exclusive, so consecutive windows never share a line). A line without a timestamp
// (a stack trace, a continuation) takes the verdict of the last line that had one; lines before the
// first timestamp count as older than any time: out under --since, in under --until alone.
// find_since_offset lets --since start reading a regular file at the window, not at byte 0.
#pragma once

#include <cstdint>
#include <optional>

#include "logsift/generator.hpp"
#include "logsift/line.hpp"
#include "logsift/timestamp.hpp"

namespace logsift {

// The stage. Reads its whole input even under --until: logs are not reliably sorted, so a line past
// `until` says nothing about the lines after it. Leave an end unset (nullopt) to leave it open.
// `use` (may be null; must outlive the generator) records whether lines and timestamps were seen.
generator<Line> time_window(generator<Line> input, TimestampParser parser, std::optional<double> since,
                            std::optional<double> until, TimeUse* use = nullptr);

// For --since on a regular file: the offset of a line start such that the time_window stage, fed the
// lines from there, yields what it yields from byte 0 — exactly, for any file, in order or not: the
// first line with a timestamp >= since, or the line with the first NUL byte if that comes before it
// (a NUL makes the input binary for the printer), or else the start of a last line without '\n' (a
// writer may be finishing it), or file_size. Every line before the answer is read and checked
// (pread, the file offset is left alone): lines are found 64 bytes at a time, and where the file
// is stamped with ISO 8601 times of one shape, a binary search first finds a line just
// before `since` whose text bounds the others', so most lines need a byte comparison, not a parse.
// nullopt (scan from byte 0 instead) only when a read fails. `saw_timestamp` (may be null) is set
// when a line before the answer had a timestamp.
std::optional<std::uint64_t> find_since_offset(int fd, std::uint64_t file_size, const TimestampParser& parser,
                                               double since, bool* saw_timestamp = nullptr);

}  // namespace logsift
