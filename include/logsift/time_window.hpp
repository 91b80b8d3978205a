// Time windows (--since, --until): keep the lines whose timestamp t has since <= t < until (since
// inclusive, until exclusive, so consecutive windows never share a line). A line without a timestamp
// (a stack trace, a continuation) takes the verdict of the last line that had one; lines before the
// first timestamp count as older than any time: out under --since, in under --until alone.
// find_since_offset lets --since start reading a sorted regular file near the window, not at byte 0.
#pragma once

#include <cstdint>
#include <optional>

#include "logsift/generator.hpp"
#include "logsift/line.hpp"
#include "logsift/timestamp.hpp"

namespace logsift {

// The stage. Reads its whole input even under --until: logs are not reliably sorted, so a line past
// `until` says nothing about the lines after it. Leave an end unset (nullopt) to leave it open.
generator<Line> time_window(generator<Line> input, TimestampParser parser, std::optional<double> since,
                            std::optional<double> until);

// For --since on a regular file: the offset of a line start such that the time_window stage, fed the
// lines from there, yields what it would yield from byte 0 — the first line with a timestamp >= since,
// or file_size if none. Found by binary search with pread (the file offset is left alone): about
// log2(size / 64 KiB) probes plus 16 samples, each reading ~16 KiB, then a walk over the last 64 KiB.
// Logs written by several threads are a little out of order, so the probes and samples measure how
// far a line lags behind the ones before it; the search allows twice that (at most 300 s), and
// every line the seek reads must stay within it. nullopt (scan from byte 0 instead) when a lag is
// larger, a read fails, more than 8 MiB would be read, or 1 MiB passes without a timestamp. Files
// of 64 KiB or less are walked whole, so their answer is exact; on larger ones the check is a
// sample, and a line out of order where nothing looked (a future timestamp early on) goes unseen.
std::optional<std::uint64_t> find_since_offset(int fd, std::uint64_t file_size, const TimestampParser& parser,
                                               double since);

}  // namespace logsift
