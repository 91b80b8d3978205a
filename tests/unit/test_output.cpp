#include "logsift/output.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <thread>

namespace logsift {
namespace {

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    ::close(read_end);
    if (write_end >= 0) ::close(write_end);
  }
};

// Lines written into a pipe arrive whole and in order, through the bigger pipe and bigger writes.
TEST(output, lines_through_a_pipe_arrive_whole_and_in_order) {
  Pipe pipe;
  std::string expected;
  for (int i = 0; i < 100000; ++i) expected += "line " + std::to_string(i) + "\n";
  std::string got;
  std::thread reader([&] {
    char chunk[4096];
    for (ssize_t n; (n = ::read(pipe.read_end, chunk, sizeof chunk)) > 0;) got.append(chunk, static_cast<std::size_t>(n));
  });
  {
    Output out(pipe.write_end);
    for (int i = 0; i < 100000; ++i) {
      out.append("line " + std::to_string(i));
      out.end_line();
    }
    out.flush();
  }
  ::close(pipe.write_end);
  pipe.write_end = -1;
  reader.join();
  EXPECT_EQ(got, expected);
}

TEST(output, grows_a_pipe_it_writes_to_unless_line_buffered) {
  Pipe grown;
  { Output out(grown.write_end); }
  const int size = ::fcntl(grown.write_end, F_GETPIPE_SZ);
  // An unprivileged user past the pipe quota may be refused; then the pipe keeps its size.
  if (size != 1024 * 1024) GTEST_SKIP() << "F_SETPIPE_SZ refused here (pipe size " << size << ")";

  Pipe kept;
  const int before = ::fcntl(kept.write_end, F_GETPIPE_SZ);
  { Output out(kept.write_end, /*line_buffered=*/true); }
  EXPECT_EQ(::fcntl(kept.write_end, F_GETPIPE_SZ), before);
}

}  // namespace
}  // namespace logsift
