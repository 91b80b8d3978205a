// Helpers the unit tests share: temporary files and folders that remove themselves, whole-file
// reads and writes, and a line generator collected into values a test can compare and print.
// Only for tests/unit; nothing here is part of logsift.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "logsift/generator.hpp"
#include "logsift/line.hpp"

namespace logsift::test {

// A temporary file holding `content`, open at offset 0, removed at the end of the test.
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
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

// A temporary folder, removed with what it holds at the end of the test.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/logsift-test-XXXXXX";
    EXPECT_NE(::mkdtemp(name), nullptr);
    path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Seconds since the epoch of a UTC date and time, by another road than the parsers under test:
// glibc's timegm.
inline double utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<double>(::timegm(&tm));
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

using Texts = std::vector<std::string>;

// A line as a value: what a generator gave, kept after the generator's buffers are gone.
struct Out {
  std::string text;
  std::uint64_t number;
  std::uint64_t offset;
  friend bool operator==(const Out&, const Out&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const Out& out) {
  return os << out.number << "@" << out.offset << ":'" << out.text << "'";
}

inline std::vector<Out> collect(generator<Line> lines) {
  std::vector<Out> out;
  for (const Line& line : lines) out.push_back({std::string(line.text), line.number, line.offset});
  return out;
}

inline Texts texts_of(const std::vector<Out>& out) {
  Texts texts;
  for (const Out& line : out) texts.push_back(line.text);
  return texts;
}

}  // namespace logsift::test
