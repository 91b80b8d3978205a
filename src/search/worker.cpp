#include "logsift/worker.hpp"

#include <chrono>
#include <system_error>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <utility>

#include "logsift/signals.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LOGSIFT_CPU_RELAX() _mm_pause()
#else
#define LOGSIFT_CPU_RELAX() std::this_thread::yield()
#endif

namespace logsift {
namespace {

// How long a waiting thread spins before it sleeps: longer than a typical half-block job, short
// enough that an idle worker (while the owner writes a lot of output) soon stops using a core.
constexpr auto kSpinTime = std::chrono::microseconds(200);

}  // namespace

// Waits until `counter` differs from `seen`: spinning first, then asleep. (Not atomic::wait: in
// libstdc++ 12 it can miss a notification and sleep forever.)
void Worker::await_change(const std::atomic<std::uint32_t>& counter, std::uint32_t seen) {
  const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
  for (unsigned round = 0;; ++round) {
    if (counter.load(std::memory_order_acquire) != seen) return;
    if (round % 64 == 63 && std::chrono::steady_clock::now() > spin_until) break;
    LOGSIFT_CPU_RELAX();
  }
  std::unique_lock lock(mutex_);
  sleepers_.fetch_add(1, std::memory_order_seq_cst);
  // Either this load sees the change, or the changer sees sleepers_ and notifies under the mutex.
  while (counter.load(std::memory_order_seq_cst) == seen) changed_.wait(lock);
  sleepers_.fetch_sub(1, std::memory_order_relaxed);
}

void Worker::advance(std::atomic<std::uint32_t>& counter, std::uint32_t value) {
  counter.store(value, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    { std::lock_guard lock(mutex_); }  // a sleeper between its check and its wait holds the mutex
    changed_.notify_all();
  }
}

Worker::~Worker() {
  if (!thread_.joinable()) return;
  await_posted_done();  // a job still running may use what its poster is about to destroy
  stopping_.store(true, std::memory_order_release);
  advance(posted_, posted_.load(std::memory_order_relaxed) + 1);  // wakes the worker to see stopping_
  thread_.join();
}

void Worker::post(void (*job)(void*), void* context) {
  job_ = job;
  context_ = context;
  if (!thread_.joinable()) {
#if defined(__GLIBC__)
    // glibc would give the worker an arena of its own at its first allocation (the twin matcher's
    // DFA): mapping and trimming 64 MiB of address space, most of a millisecond, for a thread that
    // allocates next to nothing. One arena for the process.
    static const bool one_arena = ::mallopt(M_ARENA_MAX, 1) == 1;
    (void)one_arena;
#endif
    if (!no_thread_) {
      try {
        const SignalsHeld held;
        thread_ = std::thread([this] { run(); });
      } catch (const std::system_error&) {
        no_thread_ = true;  // no thread to be had (ulimit -u, -v): the owner runs the jobs itself
      }
    }
  }
  if (no_thread_) {
    run_job();
    posted_.store(posted_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    done_.store(posted_.load(std::memory_order_relaxed), std::memory_order_release);
    return;
  }
  advance(posted_, posted_.load(std::memory_order_relaxed) + 1);  // publishes job_ and context_
}

void Worker::await_posted_done() {
  const std::uint32_t target = posted_.load(std::memory_order_relaxed);
  for (std::uint32_t done; (done = done_.load(std::memory_order_acquire)) != target;) await_change(done_, done);
}

void Worker::wait() {
  await_posted_done();
  if (error_) std::rethrow_exception(std::exchange(error_, {}));
}

void Worker::run_job() {
  try {
    job_(context_);
  } catch (...) {
    error_ = std::current_exception();  // for wait() to rethrow
  }
}

void Worker::run() {
  std::uint32_t finished = 0;
  for (;;) {
    await_change(posted_, finished);
    if (stopping_.load(std::memory_order_acquire)) return;
    run_job();
    finished = posted_.load(std::memory_order_relaxed);
    advance(done_, finished);  // publishes the job's results and error_
  }
}

}  // namespace logsift
