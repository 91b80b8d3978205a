// The line source must yield exactly what a trivial splitter yields, however the bytes arrive:
// blocks of any size (one byte, or far smaller than a line), NULs, CRs, lines spanning many
// blocks. With a pushed-down filter it must yield exactly the lines (or, inverted, the non-lines)
// that Matcher::matches accepts one by one.
//
// Input layout: [mode] [block-size seed] [pattern length] [pattern bytes] [text...]
//   mode bits 0-1: 0 no pushdown, 1 pushdown, 2 pushdown inverted, 3 pushdown of an -F literal
//   mode bit 2: -i; bit 3: count line numbers; bit 4: -w; bit 5: literal scan off
//   mode bits 6-7: 0-1 the test stream double, 2 a pipe through read_lines, 3 a mapped file
//   searched in halves by the worker thread
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "chunked_stream.hpp"
#include "logsift/byte_stream.hpp"
#include "logsift/error.hpp"
#include "logsift/matcher.hpp"
#include "logsift/source.hpp"

namespace {

using logsift::Line;
using logsift_fuzz::ChunkedStream;
using logsift_fuzz::SizeSequence;

struct Collected {
  std::string text;
  std::uint64_t number;
  std::uint64_t offset;
  bool operator==(const Collected&) const = default;
};

std::vector<Collected> reference_lines(std::string_view input) {
  std::vector<Collected> lines;
  std::size_t start = 0;
  std::uint64_t number = 1;
  while (start < input.size()) {
    const std::size_t nl = input.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? input.size() : nl;
    lines.push_back({std::string(input.substr(start, end - start)), number++, start});
    start = end + 1;
  }
  return lines;
}

[[noreturn]] void fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "fuzz_source: %s (text of %zu bytes)\n", what, text.size());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::uint8_t mode = data[0];
  const std::uint8_t seed = data[1];
  std::size_t pattern_size = data[2] % 16;
  if (3 + pattern_size > size) pattern_size = size - 3;
  const std::string pattern(reinterpret_cast<const char*>(data) + 3, pattern_size);
  const std::string_view text(reinterpret_cast<const char*>(data) + 3 + pattern_size, size - 3 - pattern_size);

  logsift::SourceOptions options;
  options.count_lines = (mode & 8) != 0;
  const unsigned pushdown = mode & 3;
  if (pushdown != 0) {
    logsift::MatcherOptions matcher_options;
    matcher_options.syntax = pushdown == 3 ? logsift::Syntax::fixed : logsift::Syntax::extended;
    matcher_options.ignore_case = (mode & 4) != 0;
    matcher_options.word = (mode & 16) != 0;
    matcher_options.literal_scan = (mode & 32) == 0;
    matcher_options.leftmost_longest = true;
    try {
      options.select = std::make_shared<const logsift::Matcher>(std::vector<std::string>{pattern}, matcher_options);
    } catch (const logsift::UsageError&) {
      return 0;  // not a pattern: nothing to push down
    }
    options.invert = pushdown == 2;
  }

  std::vector<Collected> expected;
  for (Collected& line : reference_lines(text)) {
    if (options.select && options.select->matches(line.text) == options.invert) continue;
    expected.push_back(std::move(line));
  }

  auto state = std::make_shared<logsift::InputState>();
  std::vector<Collected> got;
  const unsigned transport = mode >> 6;
  if (transport < 2) {
    for (const Line& line : logsift::split_lines(std::make_unique<ChunkedStream>(text, seed), options, state)) {
      got.push_back({std::string(line.text), line.number, line.offset});
    }
  } else if (transport == 2) {
    // A real pipe: short reads at whatever places the kernel chooses, plus a small buffer so
    // that lines outgrow it.
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    std::thread writer([&] {
      SizeSequence sizes(seed);
      for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t n = std::min(sizes.next(), text.size() - pos);
        const ssize_t w = ::write(fds[1], text.data() + pos, n);
        if (w <= 0) break;
        pos += static_cast<std::size_t>(w);
      }
      ::close(fds[1]);
    });
    options.buffer_size = 1 + seed % 64;
    for (const Line& line : logsift::read_lines(fds[0], options, state)) {
      got.push_back({std::string(line.text), line.number, line.offset});
    }
    writer.join();
    ::close(fds[0]);
  } else {
    // A file mapped in windows of one to three pages, with the worker searching half of each.
    const int fd = ::memfd_create("fuzz_source", 0);
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::abort();
    ::lseek(fd, 0, SEEK_SET);
    options.map_file = true;
    options.map_window = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) * (1 + seed % 3);
    // Mapped, or read in blocks as a big file in a cold page cache is.
    options.input_path = seed % 4 == 3 ? logsift::InputPath::read : logsift::InputPath::map;
    if (options.select) options.helper_select = std::make_shared<const logsift::Matcher>(options.select->twin());
    options.search_alone_first = 0;
    for (const Line& line : logsift::read_lines(fd, options, state)) {
      got.push_back({std::string(line.text), line.number, line.offset});
    }
    ::close(fd);
  }

  if (got.size() != expected.size()) fail("line count differs from the reference splitter", text);
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i].text != expected[i].text) fail("line text differs", text);
    if (got[i].offset != expected[i].offset) fail("line offset differs", text);
    if (options.count_lines && got[i].number != expected[i].number) fail("line number differs", text);
  }
  if (state->saw_nul != (text.find('\0') != std::string_view::npos)) fail("saw_nul is wrong", text);
  if (state->bytes_read != text.size()) fail("bytes_read is wrong", text);
  return 0;
}
