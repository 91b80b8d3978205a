#include "logsift/follow_group.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "logsift/follow.hpp"
#include "logsift/source.hpp"
#include "logsift/stage.hpp"
#include "support.hpp"

namespace logsift {
namespace {

using namespace std::chrono_literals;
using Lines = std::vector<std::string>;

void append(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  EXPECT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
}

// Runs the group's tasks with a guard: after 10 s a stop is requested (which ends every follow
// stream), so a broken group fails instead of hanging the suite.
void run_with_time_limit(FollowGroup& group) {
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  std::thread guard([&] {
    if (finished.wait_for(10s) != std::future_status::ready) {
      ADD_FAILURE() << "still running after 10 s: requesting a stop";
      request_follow_stop();
      if (finished.wait_for(5s) != std::future_status::ready) std::_Exit(1);
    }
  });
  try {
    group.run();
  } catch (...) {
    done.set_value();
    guard.join();
    throw;
  }
  done.set_value();
  guard.join();
}

class follow_group : public ::testing::Test {
 protected:
  void SetUp() override {
    reset_follow_stop();
    dir_ = tmp_.path();
  }
  void TearDown() override { reset_follow_stop(); }
  std::string path(int i) const { return dir_ + "/f" + std::to_string(i) + ".log"; }

  // A task that follows path(i) through `stages` until `want` lines have come.
  std::function<void()> follower(int i, std::size_t want, Lines& into, const std::vector<std::unique_ptr<Stage>>* stages = nullptr) {
    return [this, i, want, &into, stages] {
      into.clear();
      const int fd = ::open(path(i).c_str(), O_RDONLY | O_CLOEXEC);
      ASSERT_GE(fd, 0);
      auto state = std::make_shared<InputState>();
      generator<Line> lines = split_lines(make_follow_stream(fd, path(i), 64), SourceOptions{}, state);
      if (stages) {
        for (const auto& stage : *stages) lines = stage->apply(std::move(lines));
      }
      for (const Line& line : lines) {
        into.emplace_back(line.text);
        if (into.size() == want) break;
      }
      ::close(fd);
    };
  }

  test::TempDir tmp_;  // removed after TearDown
  std::string dir_;
};

TEST_F(follow_group, runs_every_task_on_the_calling_thread_and_sees_appends_to_each_file) {
  constexpr int kFiles = 50;
  for (int i = 0; i < kFiles; ++i) append(path(i), "start " + std::to_string(i) + "\n");
  std::vector<Lines> got(kFiles);
  std::vector<std::thread::id> ran_on(kFiles);
  FollowGroup group;
  for (int i = 0; i < kFiles; ++i) {
    group.add([&, i, task = follower(i, 3, got[i])] {
      ran_on[i] = std::this_thread::get_id();
      task();
    });
  }
  // The writer appends once every task has read its first line and waits at the end of its file.
  std::thread writer([&] {
    std::this_thread::sleep_for(200ms);
    for (int i = kFiles - 1; i >= 0; --i) append(path(i), "second " + std::to_string(i) + "\nthi");
    std::this_thread::sleep_for(100ms);
    for (int i = 0; i < kFiles; ++i) append(path(i), "rd " + std::to_string(i) + "\n");
  });
  run_with_time_limit(group);
  writer.join();
  for (int i = 0; i < kFiles; ++i) {
    const std::string n = std::to_string(i);
    EXPECT_EQ(got[i], (Lines{"start " + n, "second " + n, "third " + n})) << "file " << i;
    EXPECT_EQ(ran_on[i], std::this_thread::get_id());
  }
}

TEST_F(follow_group, a_task_that_throws_stops_the_others_and_its_exception_comes_out) {
  append(path(0), "a\n");
  Lines got;
  FollowGroup group;
  group.add(follower(0, 1000, got));  // would wait for ever
  group.add([] { throw std::runtime_error("output closed"); });
  EXPECT_THROW(run_with_time_limit(group), std::runtime_error);
  EXPECT_EQ(got, Lines{"a"});
  EXPECT_TRUE(follow_stop_requested());
}

TEST_F(follow_group, a_stop_request_ends_every_waiting_task) {
  for (int i = 0; i < 3; ++i) append(path(i), "x\n");
  std::vector<Lines> got(3);
  FollowGroup group;
  for (int i = 0; i < 3; ++i) group.add(follower(i, 1000, got[i]));
  std::thread stopper([] {
    std::this_thread::sleep_for(200ms);
    request_follow_stop();
  });
  run_with_time_limit(group);  // fails if the stop did not end the tasks
  stopper.join();
  for (const Lines& lines : got) EXPECT_EQ(lines, Lines{"x"});
}

// The longest chain the command line accepts runs within a task's stack (each stage resumes the
// one before it, on that stack).
TEST_F(follow_group, the_longest_stage_chain_fits_a_task_stack) {
  std::vector<StageSpec> specs;
  for (std::size_t i = 0; i < kMaxStages; ++i) specs.push_back({i % 2 ? "--sub" : "--last", i % 2 ? "s/x/y/g" : "5"});
  const auto stages = build_stages(specs, Syntax::extended, "");
  append(path(0), "x1\nx2\n");
  Lines got;
  FollowGroup group;
  group.add(follower(0, 2, got, &stages));
  std::thread stopper([] {
    std::this_thread::sleep_for(300ms);
    request_follow_stop();  // --last passes its lines on at the end of the input
  });
  run_with_time_limit(group);
  stopper.join();
  EXPECT_EQ(got, (Lines{"y1", "y2"}));
}

}  // namespace
}  // namespace logsift
