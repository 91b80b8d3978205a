#include "logsift/byte_stream.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>

#include "logsift/error.hpp"
#include "logsift/source.hpp"

namespace logsift {
namespace {

// A temporary file holding `content`, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/logsift-test-XXXXXX";
    fd_ = ::mkstemp(name);
    path_ = name;
    EXPECT_EQ(::write(fd_, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    ::lseek(fd_, 0, SEEK_SET);
  }
  ~TempFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }

 private:
  int fd_;
  std::string path_;
};

std::string drain(ByteStream& stream, bool* saw_nul = nullptr) {
  std::string all;
  for (;;) {
    Block block = stream.next();
    if (block.bytes.empty()) return all;
    if (saw_nul && block.has_nul) *saw_nul = true;
    all.append(block.bytes);
  }
}

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string text(size, ' ');
  for (char& c : text) c = static_cast<char>("ab\n\rxyz"[rng() % 7]);
  return text;
}

TEST(byte_stream, read_ahead_delivers_every_byte_in_order) {
  for (std::size_t size : {0u, 1u, 4095u, 4096u, 4097u, 100000u}) {
    const std::string content = random_bytes(size, static_cast<unsigned>(size));
    TempFile file(content);
    auto stream = make_read_ahead_stream(file.fd(), 4096, 3);
    EXPECT_EQ(drain(*stream), content) << size;
  }
}

TEST(byte_stream, read_ahead_reports_nul_bytes) {
  std::string content = random_bytes(20000, 1);
  content[15000] = '\0';
  TempFile file(content);
  bool saw_nul = false;
  auto stream = make_read_ahead_stream(file.fd(), 4096, 2);
  drain(*stream, &saw_nul);
  EXPECT_TRUE(saw_nul);
}

TEST(byte_stream, read_ahead_error_arrives_after_the_data) {
  const int fd = ::open("/", O_RDONLY | O_DIRECTORY);
  auto stream = make_read_ahead_stream(fd, 4096, 2);
  EXPECT_THROW(stream->next(), InputError);
  ::close(fd);
}

TEST(byte_stream, destroying_a_read_ahead_stream_early_stops_its_reader) {
  TempFile file(random_bytes(1 << 20, 2));
  for (int i = 0; i < 20; ++i) {
    ::lseek(file.fd(), 0, SEEK_SET);
    auto stream = make_read_ahead_stream(file.fd(), 4096, 2);
    EXPECT_FALSE(stream->next().bytes.empty());
  }  // must not hang or crash
}

TEST(byte_stream, read_ahead_reads_nothing_before_asked) {
  TempFile file("abc\n");
  { auto stream = make_read_ahead_stream(file.fd(), 4096, 2); }
  EXPECT_EQ(::lseek(file.fd(), 0, SEEK_CUR), 0);
}

TEST(byte_stream, lines_are_the_same_with_and_without_read_ahead) {
  std::string content;
  std::mt19937 rng(5);
  for (int i = 0; i < 3000; ++i) content += std::string(rng() % 300, 'x') + (i % 7 ? "\n" : "\r\n");
  content += std::string(20000, 'L');  // longer than a block, no final newline
  TempFile file(content);
  auto collect = [&](bool read_ahead) {
    ::lseek(file.fd(), 0, SEEK_SET);
    SourceOptions options;
    options.buffer_size = 4096;
    options.read_ahead = read_ahead;
    std::vector<std::tuple<std::string, std::uint64_t, std::uint64_t>> lines;
    for (const Line& line : read_lines(file.fd(), options, std::make_shared<InputState>())) {
      lines.emplace_back(std::string(line.text), line.number, line.offset);
    }
    return lines;
  };
  const auto plain = collect(false);
  EXPECT_EQ(plain.size(), 3001u);
  EXPECT_EQ(collect(true), plain);
}

}  // namespace
}  // namespace logsift
