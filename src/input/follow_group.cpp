#include "logsift/follow_group.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <queue>
#include <unordered_map>
#include <vector>

#include "logsift/error.hpp"
#include "logsift/follow.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define LOGSIFT_ASAN_FIBERS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOGSIFT_ASAN_FIBERS 1
#endif
#endif
#ifdef LOGSIFT_ASAN_FIBERS
#include <dlfcn.h>
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace logsift {
namespace {

using Clock = std::chrono::steady_clock;

#ifdef LOGSIFT_ASAN_FIBERS
constexpr std::size_t kStackSize = std::size_t{4} << 20;  // AddressSanitizer's frames are 2-3x larger
#else
constexpr std::size_t kStackSize = std::size_t{1} << 20;  // 1000 stages take about 230 KiB of it
#endif
const std::size_t kPageSize = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));

// Under AddressSanitizer, switches are announced to it (__sanitizer_*_switch_fiber) and made with
// glibc's own swapcontext: ASan's wrapper of it prints a warning on stderr, which would change
// logsift's output, and does nothing the announcements do not.
int switch_context(ucontext_t* from, const ucontext_t* to) {
#ifdef LOGSIFT_ASAN_FIBERS
  using Swap = int (*)(ucontext_t*, const ucontext_t*);
  static const Swap real = [] {
    void* libc = ::dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    void* found = libc != nullptr ? ::dlsym(libc, "swapcontext") : nullptr;
    return found != nullptr ? reinterpret_cast<Swap>(found) : &::swapcontext;
  }();
  return real(from, to);
#else
  return ::swapcontext(from, to);
#endif
}

// A task's stack: reserved with a guard page below it, so an overflow faults instead of writing
// over another stack. MAP_NORESERVE: only touched pages are committed.
class Stack {
 public:
  Stack() {
    void* base = ::mmap(nullptr, kStackSize + kPageSize, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) throw InputError(std::string("cannot make a stack for --follow: ") + std::strerror(errno));
    base_ = static_cast<char*>(base);
    (void)::mprotect(base_, kPageSize, PROT_NONE);
#ifdef LOGSIFT_ASAN_FIBERS
    ASAN_UNPOISON_MEMORY_REGION(bottom(), kStackSize);  // an earlier stack's frames may have been here
#endif
  }
  ~Stack() { ::munmap(base_, kStackSize + kPageSize); }
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  char* bottom() const { return base_ + kPageSize; }

 private:
  char* base_;
};

struct Fiber {
  enum class State { ready, waiting, done };
  std::function<void()> task;
  std::unique_ptr<Stack> stack;  // made when the fiber first runs, freed when it ends
  ucontext_t context{};
  State state = State::ready;
  std::uint64_t wait_number = 0;  // tells a deadline of the current wait from stale ones
  std::vector<int> watches;
  std::exception_ptr failure;
  void* fake_stack = nullptr;  // AddressSanitizer's bookkeeping across switches
};

}  // namespace

struct FollowGroup::Impl {
  std::deque<std::unique_ptr<Fiber>> fibers;
  std::deque<Fiber*> ready;
  using Deadline = std::tuple<Clock::time_point, std::uint64_t, Fiber*>;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines;
  std::unordered_map<int, std::vector<Fiber*>> watchers;  // inotify watch -> the fibers it wakes
  int inotify = -1;
  std::vector<char> buffer;
  ucontext_t scheduler{};
  Fiber* running = nullptr;
  void* scheduler_fake_stack = nullptr;
  const void* scheduler_stack = nullptr;
  std::size_t scheduler_stack_size = 0;

  void resume(Fiber& fiber);
  void switch_to_scheduler(Fiber& fiber, bool ending);
  void wake(Fiber& fiber) {
    if (fiber.state != Fiber::State::waiting) return;
    fiber.state = Fiber::State::ready;
    ready.push_back(&fiber);
  }
  void wake_all() {
    for (const auto& fiber : fibers) wake(*fiber);
  }
  void read_events();
  void wait_for_something(bool block);
  static void entry();
};

namespace {
thread_local FollowGroup::Impl* current_group = nullptr;  // set while a fiber of it runs
}

void FollowGroup::Impl::entry() {
  Impl& group = *current_group;
  Fiber& fiber = *group.running;
#ifdef LOGSIFT_ASAN_FIBERS
  __sanitizer_finish_switch_fiber(nullptr, &group.scheduler_stack, &group.scheduler_stack_size);
#endif
  try {
    fiber.task();
  } catch (...) {
    fiber.failure = std::current_exception();
    request_follow_stop();  // a closed stdout ends every follower
  }
  fiber.state = Fiber::State::done;
  group.switch_to_scheduler(fiber, true);  // never returns
}

void FollowGroup::Impl::resume(Fiber& fiber) {
  if (!fiber.stack) {
    fiber.stack = std::make_unique<Stack>();
    ::getcontext(&fiber.context);
    fiber.context.uc_stack.ss_sp = fiber.stack->bottom();
    fiber.context.uc_stack.ss_size = kStackSize;
    fiber.context.uc_link = nullptr;
    ::makecontext(&fiber.context, &Impl::entry, 0);
  }
  running = &fiber;
  current_group = this;
#ifdef LOGSIFT_ASAN_FIBERS
  __sanitizer_start_switch_fiber(&scheduler_fake_stack, fiber.stack->bottom(), kStackSize);
#endif
  switch_context(&scheduler, &fiber.context);
#ifdef LOGSIFT_ASAN_FIBERS
  __sanitizer_finish_switch_fiber(scheduler_fake_stack, nullptr, nullptr);
#endif
  running = nullptr;
  current_group = nullptr;
  if (fiber.state == Fiber::State::done) {
    fiber.stack.reset();
    fiber.task = nullptr;  // what the task held (its input's name, ...) goes now
  }
}

void FollowGroup::Impl::switch_to_scheduler(Fiber& fiber, bool ending) {
#ifdef LOGSIFT_ASAN_FIBERS
  __sanitizer_start_switch_fiber(ending ? nullptr : &fiber.fake_stack, scheduler_stack, scheduler_stack_size);
#else
  (void)ending;
#endif
  switch_context(&fiber.context, &scheduler);
#ifdef LOGSIFT_ASAN_FIBERS
  __sanitizer_finish_switch_fiber(fiber.fake_stack, &scheduler_stack, &scheduler_stack_size);
#endif
}

void FollowGroup::Impl::read_events() {
  alignas(inotify_event) char events[16384];
  for (;;) {
    const ssize_t n = ::read(inotify, events, sizeof events);
    if (n <= 0) return;
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(events + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if (event->mask & IN_Q_OVERFLOW) {
        wake_all();  // events were lost: everyone looks at their file again
        continue;
      }
      auto it = watchers.find(event->wd);
      if (it == watchers.end()) continue;
      for (Fiber* fiber : it->second) wake(*fiber);
      if (event->mask & IN_IGNORED) {
        // The kernel dropped the watch (its file is gone): forget it.
        for (Fiber* fiber : it->second) std::erase(fiber->watches, event->wd);
        watchers.erase(it);
      }
    }
  }
}

// Wakes the fibers whose events came, whose deadlines passed, or all on a stop. With `block`, waits
// for one of those first (until a fiber is ready); without, only looks.
void FollowGroup::Impl::wait_for_something(bool block) {
  for (;;) {
    while (!deadlines.empty()) {
      const auto& [when, number, fiber] = deadlines.top();
      if (fiber->state != Fiber::State::waiting || fiber->wait_number != number) {
        deadlines.pop();  // a wait that already ended
      } else if (when <= Clock::now()) {
        wake(*fiber);
        deadlines.pop();
      } else {
        break;
      }
    }
    if (follow_stop_requested()) wake_all();
    if (block && !ready.empty()) return;
    int timeout = -1;
    if (!block) {
      timeout = 0;
    } else if (!deadlines.empty()) {
      const auto left = std::get<0>(deadlines.top()) - Clock::now();
      timeout = static_cast<int>(std::max<std::int64_t>(0, std::chrono::ceil<std::chrono::milliseconds>(left).count()));
    }
    pollfd fds[2];
    nfds_t count = 0;
    if (inotify >= 0) fds[count++] = pollfd{inotify, POLLIN, 0};
    const int wake = detail::follow_wake_fd();
    if (wake >= 0) fds[count++] = pollfd{wake, POLLIN, 0};
    // Without the wake fd, a stop is noticed within 50 ms.
    if (wake < 0 && (timeout < 0 || timeout > 50)) timeout = 50;
    const int rc = ::poll(fds, count, timeout);
    if (rc < 0 && errno != EINTR) throw InputError(std::strerror(errno));
    if (rc > 0 && inotify >= 0 && fds[0].revents != 0) read_events();
    if (!block) return;
  }
}

FollowGroup::FollowGroup() : impl_(std::make_unique<Impl>()) {
  impl_->inotify = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);  // -1: every stream polls
}

FollowGroup::~FollowGroup() {
  if (impl_->inotify >= 0) ::close(impl_->inotify);
}

void FollowGroup::add(std::function<void()> task) {
  auto fiber = std::make_unique<Fiber>();
  fiber->task = std::move(task);
  impl_->ready.push_back(fiber.get());
  impl_->fibers.push_back(std::move(fiber));
}

void FollowGroup::run() {
  Impl& group = *impl_;
  std::size_t live = group.fibers.size();
  while (live > 0) {
    if (group.ready.empty()) group.wait_for_something(true);
    Fiber& fiber = *group.ready.front();
    group.ready.pop_front();
    group.resume(fiber);
    if (fiber.state == Fiber::State::done) --live;
    // A fiber that yielded is ready again at once: look for events anyway, or the files that wait
    // would never be woken while one is read without pause.
    if (fiber.state == Fiber::State::ready) group.wait_for_something(false);
  }
  for (const auto& fiber : group.fibers) {
    if (fiber->failure) std::rethrow_exception(fiber->failure);
  }
}

namespace detail {

bool in_follow_group() noexcept { return current_group != nullptr; }

char* follow_group_buffer(std::size_t size) {
  std::vector<char>& buffer = current_group->buffer;
  if (buffer.size() < size) buffer.resize(size);
  return buffer.data();
}

bool follow_group_watch(const std::string& path, std::uint32_t mask) {
  FollowGroup::Impl& group = *current_group;
  if (group.inotify < 0) return false;
  const int wd = ::inotify_add_watch(group.inotify, path.c_str(), mask);
  if (wd < 0) return false;
  Fiber& fiber = *group.running;
  std::vector<Fiber*>& watching = group.watchers[wd];
  if (std::find(watching.begin(), watching.end(), &fiber) == watching.end()) watching.push_back(&fiber);
  if (std::find(fiber.watches.begin(), fiber.watches.end(), wd) == fiber.watches.end()) fiber.watches.push_back(wd);
  return true;
}

void follow_group_unwatch() noexcept {
  FollowGroup::Impl& group = *current_group;
  Fiber& fiber = *group.running;
  for (const int wd : fiber.watches) {
    auto it = group.watchers.find(wd);
    if (it == group.watchers.end()) continue;
    std::erase(it->second, &fiber);
    if (it->second.empty()) {
      // Shared watches (a directory of several followed files) stay while anyone needs them.
      (void)::inotify_rm_watch(group.inotify, wd);
      group.watchers.erase(it);
    }
  }
  fiber.watches.clear();
}

void follow_group_wait(std::chrono::milliseconds timeout) {
  FollowGroup::Impl& group = *current_group;
  Fiber& fiber = *group.running;
  fiber.state = Fiber::State::waiting;
  group.deadlines.emplace(Clock::now() + timeout, ++fiber.wait_number, &fiber);
  group.switch_to_scheduler(fiber, false);
  current_group = &group;  // the scheduler cleared it while others ran
}

void follow_group_yield() {
  FollowGroup::Impl& group = *current_group;
  Fiber& fiber = *group.running;
  group.ready.push_back(&fiber);  // stays ready: runs again after the others that are
  group.switch_to_scheduler(fiber, false);
  current_group = &group;
}

}  // namespace detail

}  // namespace logsift
