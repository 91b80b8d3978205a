// Issue 14: where --follow-last N starts (last_lines_offset, count_newlines), and waiting for a
// file that does not exist yet (wait_for_file).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <thread>

#include "logsift/follow.hpp"

namespace logsift {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/logsift-follow-start-XXXXXX";
    fd_ = ::mkstemp(name);
    ::unlink(name);
    EXPECT_EQ(::write(fd_, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  }
  ~TempFile() { ::close(fd_); }
  int fd() const { return fd_; }

 private:
  int fd_;
};

// tail -n's answer, the slow way: the start of the last n lines (a last line without '\n' counts).
std::uint64_t expected_offset(const std::string& text, std::uint64_t n) {
  if (n == 0) return text.size();
  std::size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;
  std::uint64_t found = 0;
  for (std::size_t i = end; i-- > 0;) {
    if (text[i] == '\n' && ++found == n) return i + 1;
  }
  return 0;
}

TEST(last_lines_offset, small_cases) {
  struct Case {
    std::string text;
    std::uint64_t n;
    std::uint64_t offset;
  };
  for (const Case& c : {Case{"", 3, 0}, Case{"a\nb\nc\n", 0, 6}, Case{"a\nb\nc\n", 1, 4}, Case{"a\nb\nc\n", 2, 2},
                        Case{"a\nb\nc\n", 3, 0}, Case{"a\nb\nc\n", 9, 0}, Case{"a\nb\nc", 1, 4},
                        Case{"a\nb\nc", 2, 2}, Case{"\n\n\n", 2, 1}, Case{"\n", 1, 0}, Case{"abc", 1, 0}}) {
    TempFile file(c.text);
    EXPECT_EQ(last_lines_offset(file.fd(), c.text.size(), c.n), c.offset) << c.text << " n=" << c.n;
    EXPECT_EQ(::lseek(file.fd(), 0, SEEK_CUR), static_cast<off_t>(c.text.size())) << "the offset is left alone";
  }
}

TEST(last_lines_offset, across_block_boundaries) {
  // Lines of random lengths, some longer than a 64 KiB block, compared with the slow answer.
  std::mt19937 rng(14);
  std::string text;
  while (text.size() < 600000) {
    const std::size_t length = rng() % 10 == 0 ? 70000 + rng() % 70000 : rng() % 200;
    text.append(length, static_cast<char>('a' + rng() % 26));
    text += '\n';
  }
  text += "no newline at the end";
  TempFile file(text);
  for (std::uint64_t n : {0, 1, 2, 3, 5, 17, 100, 1000, 5000, 1000000}) {
    EXPECT_EQ(last_lines_offset(file.fd(), text.size(), n), expected_offset(text, n)) << n;
  }
  const std::uint64_t at = expected_offset(text, 100);
  std::uint64_t newlines = 0;
  for (std::uint64_t i = 0; i < at; ++i) newlines += text[i] == '\n';
  EXPECT_EQ(count_newlines(file.fd(), at), newlines);
}

TEST(wait_for_file, returns_once_the_file_is_created) {
  char dir[] = "/tmp/logsift-wait-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/later.log";
  reset_follow_stop();
  std::thread creator([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("hello\n", f);
    std::fclose(f);
  });
  const int fd = wait_for_file(path, std::chrono::milliseconds(5000));  // inotify wakes it, not the poll
  creator.join();
  ASSERT_GE(fd, 0);
  char buffer[16] = {};
  EXPECT_EQ(::read(fd, buffer, sizeof buffer), 6);
  EXPECT_STREQ(buffer, "hello\n");
  ::close(fd);
  ::unlink(path.c_str());

  // A stop ends the wait with -1.
  std::thread stopper([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    request_follow_stop();
  });
  EXPECT_EQ(wait_for_file(path, std::chrono::milliseconds(5000)), -1);
  stopper.join();
  reset_follow_stop();
  ::rmdir(dir);
}

}  // namespace
}  // namespace logsift
