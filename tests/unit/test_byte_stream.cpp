#include "logsift/byte_stream.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "logsift/decompress.hpp"
#include "logsift/error.hpp"
#include "logsift/matcher.hpp"
#include "logsift/source.hpp"
#include "support.hpp"

namespace logsift {
namespace {

using test::TempFile;

std::string drain(ByteStream& stream, bool* saw_nul = nullptr) {
  std::string all;
  for (;;) {
    Block block = stream.next();
    if (block.bytes.empty()) return all;
    if (saw_nul && block.has_nul) *saw_nul = true;
    all.append(block.bytes);
  }
}

// Source options for a file mapped in 64 KiB windows, searched for `pattern`, by the worker thread
// too (from the first window on) when `with_worker`.
SourceOptions mapped_search(const std::string& pattern, bool with_worker) {
  SourceOptions options;
  options.map_file = true;
  options.map_window = 64 * 1024;
  options.input_path = InputPath::map;
  options.select = std::make_shared<const Matcher>(std::vector<std::string>{pattern}, MatcherOptions{});
  if (with_worker) {
    options.helper_select = std::make_shared<const Matcher>(options.select->twin());
    options.search_alone_first = 0;
  }
  return options;
}

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string text(size, ' ');
  for (char& c : text) c = static_cast<char>("ab\n\rxyz"[rng() % 7]);
  return text;
}

TEST(byte_stream, mapped_windows_deliver_every_byte_in_order) {
  for (std::size_t size : {0u, 1u, 4095u, 4096u, 4097u, 100000u}) {
    for (std::size_t window : {4096u, 12288u}) {
      const std::string content = random_bytes(size, static_cast<unsigned>(size));
      TempFile file(content);
      auto stream = make_mapped_stream(file.fd(), window);
      ASSERT_NE(stream, nullptr);
      EXPECT_EQ(drain(*stream), content) << size << " in windows of " << window;
    }
  }
}

// The read buffer of one input is reused by the next: a fresh buffer for each of thousands of
// small files (-r) cost a mapping, a page fault per page and an unmapping each.
TEST(byte_stream, the_next_input_reuses_the_read_buffer_without_faults) {
  const std::string content = random_bytes(200 * 1024, 9);
  TempFile file(content);
  auto faults = [] {
    rusage usage{};
    ::getrusage(RUSAGE_THREAD, &usage);
    return usage.ru_minflt;
  };
  { auto first = make_fd_stream(file.fd(), 256 * 1024); EXPECT_EQ(drain(*first), content); }
  ::lseek(file.fd(), 0, SEEK_SET);
  const long before = faults();
  auto second = make_fd_stream(file.fd(), 256 * 1024);
  std::size_t bytes = 0;
  for (Block block = second->next(); !block.bytes.empty(); block = second->next()) bytes += block.bytes.size();
  const long faulted = faults() - before;
  EXPECT_EQ(bytes, content.size());
  EXPECT_LT(faulted, 8);  // a fresh 256 KiB buffer faults in 50 pages for these reads
}

// How many ranges of `path` this process has mapped: one per window.
std::size_t mappings_of(const std::string& path) {
  std::ifstream maps("/proc/self/maps");
  std::size_t count = 0;
  for (std::string entry; std::getline(maps, entry);) {
    count += entry.size() >= path.size() && entry.compare(entry.size() - path.size(), path.size(), path) == 0;
  }
  return count;
}

// Files read, mapped, or either as measured (switching between the two as the costs say) give
// every byte once and in order, also from an offset that is not a page's.
TEST(byte_stream, file_streams_deliver_every_byte_in_order_either_way) {
  std::string content;
  for (int i = 0; content.size() < (std::size_t{20} << 20); ++i) content += "line " + std::to_string(i) + " some text\n";
  TempFile file(content);
  for (InputPath path : {InputPath::read, InputPath::map, InputPath::automatic}) {
    for (std::size_t start : {std::size_t{0}, std::size_t{12345}}) {
      ::lseek(file.fd(), static_cast<off_t>(start), SEEK_SET);
      auto stream = make_file_stream(file.fd(), 256 * 1024, 2 * 1024 * 1024, path);
      EXPECT_TRUE(drain(*stream) == content.substr(start)) << static_cast<int>(path) << " from " << start;
    }
  }
}

// Mapped windows sit at addresses congruent to their file offset modulo the window size (so that
// 2 MiB folios of the page cache can be mapped whole), and a forced read maps nothing.
TEST(byte_stream, mapped_windows_are_aligned_and_forced_reads_map_nothing) {
  const std::size_t window = 64 * 1024;
  const std::string content = random_bytes(10 * window + 999, 11);
  TempFile file(content);
  ::lseek(file.fd(), 5000, SEEK_SET);
  auto mapped = make_file_stream(file.fd(), 4096, window, InputPath::map);
  std::uint64_t offset = 5000;
  for (Block block = mapped->next(); !block.bytes.empty(); block = mapped->next()) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block.bytes.data()) % window, offset % window);
    EXPECT_LE(offset % window + block.bytes.size(), window);  // windows end at multiples of the size
    offset += block.bytes.size();
  }
  EXPECT_EQ(offset, content.size());
  ::lseek(file.fd(), 0, SEEK_SET);
  auto read = make_file_stream(file.fd(), 4096, window, InputPath::read);
  std::string all;
  std::size_t most = 0;
  for (Block block = read->next(); !block.bytes.empty(); block = read->next()) {
    all.append(block.bytes);
    most = std::max(most, mappings_of(file.path()));
  }
  EXPECT_EQ(all, content);
  EXPECT_EQ(most, 0u);
}

// A decoder reading mapped compressed input holds one window at a time.
TEST(byte_stream, a_decoder_over_a_mapped_file_holds_one_window) {
  if (std::system("gzip --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "gzip is not installed";
  const std::string content = random_bytes(600000, 7);
  TempFile plain(content);
  TempFile packed("");
  ASSERT_EQ(std::system(("gzip -c " + plain.path() + " > " + packed.path()).c_str()), 0);
  auto stream = decompressing_stream(make_mapped_stream(packed.fd(), 16384));
  std::string all;
  std::size_t most = 0;
  for (;;) {
    const Block block = stream->next();
    most = std::max(most, mappings_of(packed.path()));
    if (block.bytes.empty()) break;
    all.append(block.bytes);
  }
  EXPECT_EQ(all, content);
  EXPECT_EQ(most, 1u);
}

// Memory stays flat because one window is mapped at a time, whether or not the worker searches
// part of it.
TEST(byte_stream, the_source_holds_one_window_while_it_yields) {
  std::string content;
  for (int i = 0; content.size() < 700000; ++i) content += "line " + std::to_string(i) + (i % 3 ? " xyz\n" : "\n");
  TempFile file(content);
  for (bool with_worker : {false, true}) {
    for (const char* pattern : {"xyz", ""}) {
      SourceOptions options = mapped_search(pattern, with_worker);
      ::lseek(file.fd(), 0, SEEK_SET);
      std::size_t lines = 0, most = 0;
      for (const Line& line : read_lines(file.fd(), options, std::make_shared<InputState>())) {
        (void)line;
        if (++lines % 500 == 0) most = std::max(most, mappings_of(file.path()));
      }
      EXPECT_GT(lines, 30000u);
      EXPECT_EQ(most, 1u) << "'" << pattern << "'" << (with_worker ? " with the worker" : "");
    }
  }
}

TEST(byte_stream, mapped_stream_starts_where_the_file_offset_is) {
  const std::string content = random_bytes(30000, 3);
  TempFile file(content);
  ::lseek(file.fd(), 5001, SEEK_SET);  // not on a page boundary, as after a --since seek
  auto stream = make_mapped_stream(file.fd(), 8192);
  EXPECT_EQ(drain(*stream), content.substr(5001));
}

TEST(byte_stream, mapped_stream_reads_what_was_appended_meanwhile) {
  const std::string content = random_bytes(10000, 4);
  TempFile file(content);
  auto stream = make_mapped_stream(file.fd(), 4096);
  std::string got(stream->next().bytes);
  const std::string more = random_bytes(7000, 5);
  ASSERT_EQ(::pwrite(file.fd(), more.data(), more.size(), static_cast<off_t>(content.size())),
            static_cast<ssize_t>(more.size()));
  got += drain(*stream);
  EXPECT_EQ(got, content + more);
}

TEST(byte_stream, mapped_stream_of_a_directory_is_an_input_error) {
  const int fd = ::open("/", O_RDONLY | O_DIRECTORY);
  auto stream = make_mapped_stream(fd, 4096);
  ASSERT_NE(stream, nullptr);
  EXPECT_THROW(stream->next(), InputError);
  ::close(fd);
}

// Without the guard, reading a window past the new end of a truncated file is a SIGBUS.
TEST(byte_stream, a_file_cut_short_while_mapped_ends_the_input_instead_of_crashing) {
  TempFile file(random_bytes(3 * 4096, 6));
  auto stream = make_mapped_stream(file.fd(), 2 * 4096);
  const Block block = stream->next();
  ASSERT_EQ(block.bytes.size(), 2u * 4096);
  ASSERT_NE(block.lost, nullptr);
  EXPECT_FALSE(block.lost->load());
  ASSERT_EQ(::ftruncate(file.fd(), 0), 0);
  EXPECT_EQ(block.bytes[100], '\0');  // the lost pages read as zeros
  EXPECT_EQ(block.bytes[5000], '\0');
  EXPECT_TRUE(block.lost->load());
  const Block end = stream->next();
  EXPECT_TRUE(end.bytes.empty());
  ASSERT_NE(end.lost, nullptr);
  EXPECT_TRUE(end.lost->load());
}

// The source yields no line that could hold bytes of the cut: it stops where the cut is noticed,
// also for lines the worker found before the cut (their pages fault only when read again).
TEST(byte_stream, the_source_stops_at_a_cut_without_yielding_zeros) {
  std::string content;
  for (int i = 0; i < 40000; ++i) content += "line " + std::to_string(i) + "\n";
  for (bool with_worker : {false, true}) {
    TempFile file(content);
    const SourceOptions options = mapped_search("line", with_worker);
    std::vector<std::string> got;
    for (const Line& line : read_lines(file.fd(), options, std::make_shared<InputState>())) {
      got.emplace_back(line.text);
      if (got.size() == 4000) {  // in the second half of the first window: found by the worker
        ASSERT_EQ(::ftruncate(file.fd(), 100), 0);
      }
    }
    ASSERT_GE(got.size(), 4000u);
    EXPECT_LT(got.size(), 40000u);
    for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], "line " + std::to_string(i)) << with_worker;
  }
}

TEST(byte_stream, mapped_blocks_leave_the_nul_check_to_the_source) {
  std::string content = random_bytes(200000, 7);
  TempFile clean(content);
  content[150000] = '\0';  // in the second half of a window: the worker's part
  TempFile binary(content);
  for (bool with_worker : {false, true}) {
    for (const TempFile* file : {&clean, &binary}) {
      const SourceOptions options = mapped_search("xyz", with_worker);
      auto state = std::make_shared<InputState>();
      ::lseek(file->fd(), 0, SEEK_SET);
      std::size_t lines = 0;
      for (const Line& line : read_lines(file->fd(), options, state)) lines += line.text.empty() ? 0 : 1;
      EXPECT_GT(lines, 0u);
      EXPECT_EQ(state->saw_nul, file == &binary) << "worker " << with_worker;
    }
  }
  // A caller that prints no lines can skip the search for NULs.
  SourceOptions options;
  options.map_file = true;
  options.map_window = 64 * 1024;
  options.detect_binary = false;
  auto state = std::make_shared<InputState>();
  ::lseek(binary.fd(), 0, SEEK_SET);
  for (const Line& line : read_lines(binary.fd(), options, state)) (void)line;
  EXPECT_FALSE(state->saw_nul);
}

// Mapped input: the search looks for NULs on its way, and the input turns binary exactly at the
// first line that holds or follows the first NUL, whichever thread searched that part, whatever
// the strategy, with lines selected or inverted.
TEST(byte_stream, a_mapped_input_turns_binary_at_the_line_of_its_first_nul) {
  std::mt19937 rng(11);
  std::string content;
  while (content.size() < 300000) content += (rng() % 5 == 0 ? "an xyz line " : "a plain line ") + std::to_string(rng()) + "\n";
  for (const std::string pattern : {"xyz", "xyz|plain 7", "x[y]z", "x.z"}) {
    for (std::size_t at : {std::size_t{5}, std::size_t{70000}, std::size_t{150001}, content.size() - 3}) {
      std::string bytes = content;
      bytes[at] = '\0';
      TempFile file(bytes);
      for (bool invert : {false, true}) {
        for (bool with_worker : {false, true}) {
          SourceOptions options = mapped_search(pattern, with_worker);
          options.invert = invert;
          auto state = std::make_shared<InputState>();
          ::lseek(file.fd(), 0, SEEK_SET);
          std::size_t checked = 0;
          for (const Line& line : read_lines(file.fd(), options, state)) {
            const bool holds_or_follows_nul = line.offset + line.text.size() >= at;
            ASSERT_EQ(state->saw_nul, holds_or_follows_nul)
                << pattern << " NUL at " << at << " line at " << line.offset << " invert " << invert << " worker " << with_worker;
            ++checked;
          }
          EXPECT_GT(checked, 10u);
          EXPECT_TRUE(state->saw_nul);
        }
      }
    }
  }
}

std::size_t threads_of_this_process() {
  std::size_t count = 0;
  if (DIR* dir = ::opendir("/proc/self/task")) {
    while (const dirent* entry = ::readdir(dir)) count += entry->d_name[0] != '.';
    ::closedir(dir);
  }
  return count;
}

// The worker joins only after search_alone_first bytes: a search that ends before never starts
// its thread, one that goes on does.
TEST(byte_stream, the_worker_joins_after_the_first_bytes) {
  std::string content;
  for (int i = 0; content.size() < 600000; ++i) content += "line " + std::to_string(i) + " xyz\n";
  TempFile file(content);
  for (std::uint64_t alone : {std::uint64_t{0}, std::uint64_t{200000}, std::uint64_t{1} << 20}) {
    SourceOptions options = mapped_search("xyz", true);
    options.search_alone_first = alone;
    ::lseek(file.fd(), 0, SEEK_SET);
    const std::size_t before = threads_of_this_process();
    std::size_t most = before;
    std::uint64_t lines = 0;
    for (const Line& line : read_lines(file.fd(), options, std::make_shared<InputState>())) {
      (void)line;
      if (++lines % 1000 == 0) most = std::max(most, threads_of_this_process());
    }
    EXPECT_GT(lines, 30000u);
    if (alone >= content.size()) {
      EXPECT_EQ(most, before) << "no worker thread for a search that ends within " << alone << " bytes";
    } else {
      EXPECT_EQ(most, before + 1) << "a worker thread once past " << alone << " bytes";
    }
  }
}

TEST(byte_stream, lines_are_the_same_mapped_and_read) {
  std::string content;
  std::mt19937 rng(5);
  for (int i = 0; i < 3000; ++i) content += std::string(rng() % 300, 'x') + (i % 7 ? "\n" : "\r\n");
  content += std::string(20000, 'L');  // longer than a window, no final newline
  TempFile file(content);
  auto collect = [&](bool map_file, bool with_worker, InputPath path = InputPath::map) {
    ::lseek(file.fd(), 0, SEEK_SET);
    SourceOptions options;
    options.buffer_size = 4096;
    options.map_file = map_file;
    options.map_window = 16384;
    options.input_path = path;
    options.select = std::make_shared<const Matcher>(std::vector<std::string>{"x{100}|L"}, MatcherOptions{});
    if (with_worker) {
      options.helper_select = std::make_shared<const Matcher>(options.select->twin());
      options.search_alone_first = 0;
    }
    std::vector<std::tuple<std::string, std::uint64_t, std::uint64_t>> lines;
    for (const Line& line : read_lines(file.fd(), options, std::make_shared<InputState>())) {
      lines.emplace_back(std::string(line.text), line.number, line.offset);
    }
    return lines;
  };
  const auto plain = collect(false, false);
  EXPECT_GT(plain.size(), 1000u);
  EXPECT_EQ(collect(true, false), plain);
  EXPECT_EQ(collect(true, true), plain);
  EXPECT_EQ(collect(false, true), plain);
  for (InputPath path : {InputPath::read, InputPath::automatic}) {
    EXPECT_EQ(collect(true, false, path), plain);
    EXPECT_EQ(collect(true, true, path), plain);
  }
}

}  // namespace
}  // namespace logsift
