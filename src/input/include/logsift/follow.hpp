// Follow mode (`--follow`, like `tail -F`): a ByteStream over a growing log file that never ends at
// end of file but waits for appended bytes, following the path through rotation (rename and
// recreate) and copytruncate. It ends only when a stop is requested (SIGINT/SIGTERM), and then at
// once, even if unread data remains. Lines are the splitter's business: it hands out bytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "logsift/byte_stream.hpp"

namespace logsift {

// The stop flag, one for the process, read by every follow stream. request_follow_stop() is
// async-signal-safe (call it from a SIGINT/SIGTERM handler; it preserves errno) and also wakes
// streams blocked waiting in other threads at once.
void request_follow_stop() noexcept;
bool follow_stop_requested() noexcept;
void reset_follow_stop() noexcept;  // for tests: not safe against a concurrent request

// A stream over the file at `path`, already opened as `fd`. The caller keeps owning `fd` (the
// stream never closes it); a file the stream opens itself after a rotation it owns and closes.
// next() returns what read(2) gives (at most `block_size` bytes); at end of file it checks for
// truncation (size below the read offset: read again from 0) and rotation (`path` names another
// file: drain the old one, then read the new one from its start), else waits on inotify, or sleeps,
// for at most `poll_interval`. An empty block (the end) means a stop was requested.
// Limits, as with tail -F: bytes the writer adds to the old file after the switch are not read; a
// truncation is missed if the file regrew past the old offset before it was seen; a pipe, terminal
// or socket is not a growing file, and its end is the end. `path` may be empty (standard input):
// then no rotation is looked for.
// Inside a FollowGroup task the stream reads into the group's shared buffer, watches through the
// group's inotify instance and waits by yielding to the group: then its wait is bounded by 20
// times `poll_interval` when its file and directory are both watched (inotify reports every change
// it looks for; the bound is only a safety net), by `poll_interval` otherwise.
std::unique_ptr<ByteStream> make_follow_stream(int fd, std::string path, std::size_t block_size,
                                               std::chrono::milliseconds poll_interval = std::chrono::milliseconds(250));

// --follow-last N: the offset at which the last `n` lines of the regular file `fd` (of `size`
// bytes; a last line without '\n' counts as one) begin: 0 if it has no more than `n`, `size` for
// n = 0. Read backwards from the end in blocks of 64 KiB with pread (the file offset is left
// alone): constant memory, and only the tail is read. Throws InputError if a read fails.
std::uint64_t last_lines_offset(int fd, std::uint64_t size, std::uint64_t n);

// The '\n' bytes of `fd` in [0, end) (pread in blocks): the number of the line at `end` is this + 1.
std::uint64_t count_newlines(int fd, std::uint64_t end);

// --follow on a file that does not exist yet (tail -F): waits until `path` can be opened and returns
// the open descriptor (the caller owns it). Wakes on the directory's inotify events (in a
// FollowGroup task through the group, yielding to the others), else every `poll_interval`.
// -1 when a stop is requested first, or when open fails for another reason than ENOENT (errno
// tells).
int wait_for_file(const std::string& path, std::chrono::milliseconds poll_interval = std::chrono::milliseconds(250));

namespace detail {
// Tests: make streams created from now on wait by sleeping, as if inotify were unavailable.
void force_follow_polling(bool on) noexcept;
// The eventfd that becomes readable on a stop request (made on first use), or -1 if there is none:
// for waits outside the streams (FollowGroup).
int follow_wake_fd() noexcept;
}  // namespace detail

}  // namespace logsift
