// Worker: a second thread that runs one job at a time for the thread that owns it, so that a
// block can be searched in two parts at once. Hand-overs spin briefly before sleeping: on a VM a
// sleeping thread takes tens of microseconds to wake, as long as searching part of a block.
// post() and wait() alternate and are called by the owner only; whatever a job touches must stay
// valid until wait() returns. The destructor waits for a job in flight and joins the thread.
// Where no thread can be started (a process or memory limit), post() runs the job itself.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>

namespace logsift {

class Worker {
 public:
  Worker() = default;
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts `job(context)` on the worker thread (started on first use, with SIGINT and SIGTERM
  // blocked so that they stay with the thread that writes the output).
  void post(void (*job)(void*), void* context);
  // Waits until the posted job has finished; rethrows what it threw.
  void wait();
  // Whether the posted job has finished already (wait() would not block).
  bool finished() const { return done_.load(std::memory_order_acquire) == posted_.load(std::memory_order_relaxed); }

 private:
  void run();
  void run_job();  // job_(context_), its exception kept in error_
  void await_posted_done();  // until every posted job has finished
  void await_change(const std::atomic<std::uint32_t>& counter, std::uint32_t seen);
  void advance(std::atomic<std::uint32_t>& counter, std::uint32_t value);

  std::thread thread_;
  void (*job_)(void*) = nullptr;
  void* context_ = nullptr;
  std::exception_ptr error_;
  // Posts and completions are counted; the worker runs a job when posted_ is ahead of done_.
  std::atomic<std::uint32_t> posted_{0};
  std::atomic<std::uint32_t> done_{0};
  std::atomic<bool> stopping_{false};
  bool no_thread_ = false;  // starting the thread failed: jobs run in post()
  // Sleeping after the spin: a thread waits on changed_ and counts itself in sleepers_, so that
  // a hand-over makes a system call only when someone sleeps.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::atomic<int> sleepers_{0};
};

}  // namespace logsift
