#include "logsift/worker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace logsift {
namespace {

struct Counter {
  int value = 0;
  static void add_one(void* context) { ++static_cast<Counter*>(context)->value; }
};

TEST(worker, runs_each_posted_job_before_wait_returns) {
  Worker worker;
  Counter counter;
  for (int i = 0; i < 20000; ++i) {  // many hand-overs: a lost wake-up would hang here
    worker.post(&Counter::add_one, &counter);
    worker.wait();
    ASSERT_EQ(counter.value, i + 1);
  }
}

TEST(worker, hand_overs_survive_a_worker_that_fell_asleep) {
  Worker worker;
  Counter counter;
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // past the spin: both sides sleep
    worker.post(&Counter::add_one, &counter);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    worker.wait();
  }
  EXPECT_EQ(counter.value, 5);
}

TEST(worker, runs_jobs_on_another_thread) {
  Worker worker;
  struct Where {
    std::thread::id id;
    static void record(void* context) { static_cast<Where*>(context)->id = std::this_thread::get_id(); }
  } where;
  worker.post(&Where::record, &where);
  worker.wait();
  EXPECT_NE(where.id, std::this_thread::get_id());
}

TEST(worker, an_exception_in_a_job_comes_out_of_wait_and_the_worker_goes_on) {
  Worker worker;
  worker.post([](void*) { throw std::runtime_error("job failed"); }, nullptr);
  EXPECT_THROW(worker.wait(), std::runtime_error);
  Counter counter;
  worker.post(&Counter::add_one, &counter);
  worker.wait();
  EXPECT_EQ(counter.value, 1);
}

TEST(worker, destroying_it_waits_for_the_job_in_flight) {
  struct Slow {
    std::atomic<bool> finished{false};
    static void run(void* context) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      static_cast<Slow*>(context)->finished = true;
    }
  } slow;
  {
    Worker worker;
    worker.post(&Slow::run, &slow);
  }  // no wait(): the destructor must
  EXPECT_TRUE(slow.finished);
}

}  // namespace
}  // namespace logsift
