#include "logsift/follow.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "logsift/source.hpp"
#include "support.hpp"

namespace logsift {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Lines = std::vector<std::string>;

// Runs `body` on a thread so that the suite can never hang on a stream that waits forever: after
// 10 s it requests a stop (which ends every follow stream) and fails; if even that does not end
// the body, it ends the process.
template <typename Body>
void within_time_limit(Body body) {
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  std::thread runner([&] {
    try {
      body();
    } catch (const std::exception& error) {
      ADD_FAILURE() << "exception: " << error.what();
    }
    done.set_value();
  });
  if (finished.wait_for(10s) != std::future_status::ready) {
    ADD_FAILURE() << "still running after 10 s: requesting a stop";
    request_follow_stop();
    if (finished.wait_for(5s) != std::future_status::ready) {
      std::fprintf(stderr, "test_follow: a follow stream ignored the stop request; giving up\n");
      std::_Exit(1);
    }
  }
  runner.join();
}

// A log writer: keeps its file open with O_APPEND, as loggers do, so it may go on writing to a
// file that has been renamed or truncated under it.
class Writer {
 public:
  explicit Writer(const std::string& path) : fd_(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) {
    EXPECT_GE(fd_, 0) << path;
  }
  ~Writer() {
    if (fd_ >= 0) ::close(fd_);
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  void write(const std::string& text) const {
    EXPECT_EQ(::write(fd_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }

 private:
  int fd_;
};

void append(const std::string& path, const std::string& text) { Writer(path).write(text); }

int open_for_reading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0) << path;
  return fd;
}

// Waits (briefly, the writer side) until `count` has reached `at_least`.
void wait_for(const std::atomic<std::size_t>& count, std::size_t at_least) {
  const auto deadline = Clock::now() + 5s;
  while (count.load() < at_least && Clock::now() < deadline) std::this_thread::sleep_for(2ms);
}

struct Followed {
  Lines lines;       // the first `want` lines
  Lines after_stop;  // whatever the generator still yielded after the stop request (should be none)
  Clock::duration stop_took{};
};

// Reads lines through split_lines(make_follow_stream(...)) until `want` have come (counting them
// in `seen` for a writer that waits on the reader), then requests a stop and drains the generator.
Followed follow_lines(int fd, const std::string& path, std::size_t want, std::chrono::milliseconds poll_interval,
                      std::atomic<std::size_t>* seen = nullptr, std::size_t block_size = 64) {
  Followed result;
  auto state = std::make_shared<InputState>();
  generator<Line> lines = split_lines(make_follow_stream(fd, path, block_size, poll_interval), SourceOptions{}, state);
  auto it = lines.begin();
  for (; it != std::default_sentinel; ++it) {
    result.lines.emplace_back(it->text);
    if (seen) ++*seen;
    if (result.lines.size() == want) break;  // not ++it: that would wait for one more line
  }
  const auto stop_at = Clock::now();
  request_follow_stop();
  if (it != std::default_sentinel) {
    for (++it; it != std::default_sentinel; ++it) result.after_stop.emplace_back(it->text);
  }
  result.stop_took = Clock::now() - stop_at;
  return result;
}

std::string drain_now(ByteStream& stream) { return std::string(stream.next().bytes); }

std::size_t open_fd_count() {
  std::size_t count = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (::readdir(dir) != nullptr) ++count;
    ::closedir(dir);
  }
  return count;
}

class follow : public ::testing::Test {
 protected:
  void SetUp() override {
    reset_follow_stop();
    detail::force_follow_polling(false);
    dir_ = tmp_.path();
    path_ = dir_ + "/app.log";
  }
  void TearDown() override {
    reset_follow_stop();
    detail::force_follow_polling(false);
  }

  test::TempDir tmp_;  // removed after TearDown
  std::string dir_;
  std::string path_;
};

TEST_F(follow, sees_lines_appended_after_end) {
  within_time_limit([&] {
    append(path_, "one\ntwo\n");
    const int fd = open_for_reading(path_);
    std::thread writer([&] {
      Writer log(path_);
      for (int i = 0; i < 5; ++i) {
        std::this_thread::sleep_for(20ms);
        log.write("line " + std::to_string(i) + "\n");
      }
    });
    const Followed got = follow_lines(fd, path_, 7, 250ms);
    writer.join();
    EXPECT_EQ(got.lines, (Lines{"one", "two", "line 0", "line 1", "line 2", "line 3", "line 4"}));
    EXPECT_TRUE(got.after_stop.empty());
    ::close(fd);
  });
}

TEST_F(follow, a_line_completed_by_a_later_append_comes_whole) {
  within_time_limit([&] {
    append(path_, "");
    const int fd = open_for_reading(path_);
    std::thread writer([&] {
      Writer log(path_);
      log.write("ha");
      std::this_thread::sleep_for(30ms);
      log.write("lf");
      std::this_thread::sleep_for(30ms);
      log.write("\nnext\n");
    });
    const Followed got = follow_lines(fd, path_, 2, 250ms);
    writer.join();
    EXPECT_EQ(got.lines, (Lines{"half", "next"}));
    ::close(fd);
  });
}

TEST_F(follow, follows_a_rotation_without_losing_lines) {
  within_time_limit([&] {
    append(path_, "old 1\n");
    const int fd = open_for_reading(path_);
    std::atomic<std::size_t> seen{0};
    std::thread writer([&] {
      Writer old_log(path_);
      wait_for(seen, 1);
      old_log.write("old 2\n");
      std::this_thread::sleep_for(20ms);
      old_log.write("old 3\n");  // just before the rename: must not be lost
      ASSERT_EQ(::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
      old_log.write("old 4\n");  // the logger has not reopened yet: the path names nothing
      std::this_thread::sleep_for(30ms);
      old_log.write("old 5\n");
      Writer new_log(path_);
      new_log.write("new 1\n");
      std::this_thread::sleep_for(20ms);
      new_log.write("new 2\n");
    });
    const Followed got = follow_lines(fd, path_, 7, 250ms, &seen);
    writer.join();
    EXPECT_EQ(got.lines, (Lines{"old 1", "old 2", "old 3", "old 4", "old 5", "new 1", "new 2"}));
    EXPECT_TRUE(got.after_stop.empty());
    ::close(fd);
  });
}

TEST_F(follow, follows_a_copytruncate) {
  within_time_limit([&] {
    std::string old_content;
    for (int i = 0; i < 10; ++i) old_content += "old " + std::to_string(i) + "\n";
    append(path_, old_content);
    const int fd = open_for_reading(path_);
    std::atomic<std::size_t> seen{0};
    std::thread writer([&] {
      Writer log(path_);  // O_APPEND: after the truncation it writes from offset 0
      wait_for(seen, 10);
      append(path_ + ".1", old_content);
      ASSERT_EQ(::truncate(path_.c_str(), 0), 0);
      std::this_thread::sleep_for(30ms);
      log.write("new 1\n");
      std::this_thread::sleep_for(20ms);
      log.write("new 2\n");
    });
    const Followed got = follow_lines(fd, path_, 12, 250ms, &seen);
    writer.join();
    ASSERT_EQ(got.lines.size(), 12u);
    EXPECT_EQ(got.lines[9], "old 9");
    EXPECT_EQ(got.lines[10], "new 1");
    EXPECT_EQ(got.lines[11], "new 2");
    ::close(fd);
  });
}

TEST_F(follow, follows_a_file_deleted_and_recreated_later) {
  within_time_limit([&] {
    append(path_, "before\n");
    const int fd = open_for_reading(path_);
    std::atomic<std::size_t> seen{0};
    std::thread writer([&] {
      wait_for(seen, 1);
      ASSERT_EQ(::unlink(path_.c_str()), 0);
      std::this_thread::sleep_for(100ms);  // the stream waits on the deleted file meanwhile
      Writer log(path_);
      log.write("after 1\n");
      std::this_thread::sleep_for(20ms);
      log.write("after 2\n");
    });
    const Followed got = follow_lines(fd, path_, 3, 250ms, &seen);
    writer.join();
    EXPECT_EQ(got.lines, (Lines{"before", "after 1", "after 2"}));
    ::close(fd);
  });
}

TEST_F(follow, stop_while_waiting_returns_promptly) {
  append(path_, "only\n");
  for (const bool polling : {false, true}) {
    SCOPED_TRACE(polling ? "polling" : "inotify");
    reset_follow_stop();
    detail::force_follow_polling(polling);
    within_time_limit([&] {
      const int fd = open_for_reading(path_);
      // A long poll interval: only the stop request itself can end the wait in time.
      auto stream = make_follow_stream(fd, path_, 4096, 5000ms);
      EXPECT_EQ(drain_now(*stream), "only\n");
      std::thread stopper([] {
        std::this_thread::sleep_for(100ms);
        request_follow_stop();
      });
      const auto start = Clock::now();
      EXPECT_TRUE(stream->next().bytes.empty());
      const auto took = Clock::now() - start;
      stopper.join();
      EXPECT_LT(took, 1s);
      EXPECT_GE(took, 50ms);  // it did wait for the stop, not end at end of file
      ::close(fd);
    });
  }
}

TEST_F(follow, stop_ends_the_stream_even_with_unread_data) {
  within_time_limit([&] {
    append(path_, "a\nb\n");
    const int fd = open_for_reading(path_);
    auto stream = make_follow_stream(fd, path_, 2, 250ms);
    EXPECT_EQ(drain_now(*stream), "a\n");
    request_follow_stop();
    EXPECT_TRUE(stream->next().bytes.empty());
    EXPECT_TRUE(stream->next().bytes.empty());
    ::close(fd);
  });
}

TEST_F(follow, polls_without_inotify) {
  detail::force_follow_polling(true);
  within_time_limit([&] {
    append(path_, "first\n");
    const int fd = open_for_reading(path_);
    std::atomic<std::size_t> seen{0};
    std::thread writer([&] {
      wait_for(seen, 1);
      append(path_, "second\n");
      std::this_thread::sleep_for(30ms);
      ASSERT_EQ(::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
      append(path_, "third\n");
    });
    const auto start = Clock::now();
    const Followed got = follow_lines(fd, path_, 3, 20ms, &seen);
    writer.join();
    EXPECT_EQ(got.lines, (Lines{"first", "second", "third"}));
    EXPECT_LT(Clock::now() - start, 1s);
    ::close(fd);
  });
}

TEST_F(follow, inotify_wakes_before_the_poll_interval) {
  const int probe = ::inotify_init1(IN_CLOEXEC);
  if (probe < 0) GTEST_SKIP() << "no inotify here";
  ::close(probe);
  within_time_limit([&] {
    append(path_, "");
    const int fd = open_for_reading(path_);
    std::atomic<std::size_t> seen{0};
    Clock::time_point written;
    std::thread writer([&] {
      std::this_thread::sleep_for(50ms);  // the stream is waiting by now
      written = Clock::now();
      append(path_, "now\n");
    });
    const Followed got = follow_lines(fd, path_, 1, 5000ms, &seen);
    const auto end = Clock::now();
    writer.join();
    const auto took = end - written;
    EXPECT_EQ(got.lines, Lines{"now"});
    EXPECT_LT(took, 1s);  // an event, not the 5 s timeout
    ::close(fd);
  });
}

// The steps of a rotation, one next() at a time: no thread, so every step is deterministic.
TEST_F(follow, rotation_drains_the_old_file_then_reads_the_new_one) {
  within_time_limit([&] {
    Writer old_log(path_);
    old_log.write("a\n");
    const int fd = open_for_reading(path_);
    auto stream = make_follow_stream(fd, path_, 4096, 250ms);
    EXPECT_EQ(drain_now(*stream), "a\n");
    old_log.write("b\n");
    ASSERT_EQ(::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
    Writer new_log(path_);
    new_log.write("c\n");
    EXPECT_EQ(drain_now(*stream), "b\n");
    EXPECT_EQ(drain_now(*stream), "c\n");
    old_log.write("late\n");  // after the switch: lost, as with tail -F
    new_log.write("d\n");
    EXPECT_EQ(drain_now(*stream), "d\n");
    ::close(fd);
  });
}

TEST_F(follow, truncation_restarts_from_the_start) {
  within_time_limit([&] {
    Writer log(path_);
    log.write("aaaa\nbbbb\n");
    const int fd = open_for_reading(path_);
    auto stream = make_follow_stream(fd, path_, 4096, 250ms);
    EXPECT_EQ(drain_now(*stream), "aaaa\nbbbb\n");
    ASSERT_EQ(::truncate(path_.c_str(), 0), 0);
    log.write("c\n");
    EXPECT_EQ(drain_now(*stream), "c\n");
    ::close(fd);
  });
}

TEST_F(follow, keeps_the_callers_fd_open_and_closes_its_own) {
  within_time_limit([&] {
    append(path_, "1\n");
    const int fd = open_for_reading(path_);
    std::size_t before = 0;
    {
      auto stream = make_follow_stream(fd, path_, 4096, 250ms);
      before = open_fd_count();  // the process-wide wake-up fd exists from here on
      EXPECT_EQ(drain_now(*stream), "1\n");
      for (const char* line : {"2\n", "3\n"}) {  // two rotations: the second closes a file the stream opened
        ASSERT_EQ(::rename(path_.c_str(), (path_ + ".old").c_str()), 0);
        append(path_, line);
        EXPECT_EQ(drain_now(*stream), line);
      }
    }
    EXPECT_EQ(open_fd_count(), before);
    EXPECT_NE(::fcntl(fd, F_GETFD), -1);
    ::close(fd);
  });
}

TEST_F(follow, blocks_are_at_most_block_size_and_report_nul) {
  within_time_limit([&] {
    append(path_, std::string("abc\0ef\n", 7));
    const int fd = open_for_reading(path_);
    auto stream = make_follow_stream(fd, path_, 4, 250ms);
    const Block first = stream->next();
    EXPECT_EQ(first.bytes, std::string_view("abc\0", 4));
    EXPECT_TRUE(first.has_nul);
    const Block second = stream->next();
    EXPECT_EQ(second.bytes, "ef\n");
    EXPECT_FALSE(second.has_nul);
    ::close(fd);
  });
}

TEST_F(follow, a_pipe_ends_at_its_end) {
  within_time_limit([&] {
    int ends[2];
    ASSERT_EQ(::pipe(ends), 0);
    ASSERT_EQ(::write(ends[1], "x\ny\n", 4), 4);
    ::close(ends[1]);
    auto state = std::make_shared<InputState>();
    Lines got;
    for (const Line& line : split_lines(make_follow_stream(ends[0], "", 4096, 250ms), SourceOptions{}, state)) {
      got.emplace_back(line.text);
    }
    EXPECT_EQ(got, (Lines{"x", "y"}));
    EXPECT_FALSE(follow_stop_requested());
    ::close(ends[0]);
  });
}

}  // namespace
}  // namespace logsift
