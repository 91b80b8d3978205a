// FollowGroup: many followed files searched on one thread (`--follow` with several files).
// Each task (one input's whole search) runs as a fiber on a stack of its own; a follow stream
// inside a task that reaches the end of its file yields to the group instead of blocking, and the
// group waits for all of them at once on one inotify instance. Streams share one read buffer.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace logsift {

class FollowGroup {
 public:
  FollowGroup();
  ~FollowGroup();
  FollowGroup(const FollowGroup&) = delete;
  FollowGroup& operator=(const FollowGroup&) = delete;

  // A task to run as a fiber. Its stack is 1 MiB (as under `ulimit -s 1024`; 4 MiB under
  // AddressSanitizer), reserved, not committed: only the pages a task touches take memory.
  void add(std::function<void()> task);
  // Runs the tasks on the calling thread until every one has returned. A task that throws asks
  // every follow stream to stop (request_follow_stop); the first exception is rethrown at the end.
  void run();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

namespace detail {
// What a follow stream uses when it runs inside a group task; in_follow_group() is false elsewhere
// (then the stream reads into its own buffer and waits by itself).
bool in_follow_group() noexcept;
// One buffer of at least `size` bytes shared by the group's streams: a block handed out from it is
// valid until the task next waits or yields, which is when ByteStream::next() is called again.
char* follow_group_buffer(std::size_t size);
// Watches `path` for `mask` on the group's inotify instance on behalf of the current task: its
// events wake the task. False if the watch could not be added.
bool follow_group_watch(const std::string& path, std::uint32_t mask);
// Drops the current task's watches (before watching a reopened file, and at its end).
void follow_group_unwatch() noexcept;
// Suspends the current task until an event on one of its watches, a stop request, or `timeout`.
void follow_group_wait(std::chrono::milliseconds timeout);
// Lets the other tasks run before this one goes on (a file that never stops growing must not
// starve the others).
void follow_group_yield();
}  // namespace detail

}  // namespace logsift
