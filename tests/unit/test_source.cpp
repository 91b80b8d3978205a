#include "logsift/source.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "logsift/error.hpp"
#include "logsift/matcher.hpp"

namespace logsift {
namespace {

struct Collected {
  std::string text;
  std::uint64_t number;
  std::uint64_t offset;
  friend bool operator==(const Collected&, const Collected&) = default;
};

// The reference splitter: what the source must produce for `input`.
std::vector<Collected> split_reference(const std::string& input) {
  std::vector<Collected> lines;
  std::size_t start = 0;
  std::uint64_t number = 1;
  while (start < input.size()) {
    std::size_t nl = input.find('\n', start);
    std::size_t end = nl == std::string::npos ? input.size() : nl;
    lines.push_back({input.substr(start, end - start), number++, start});
    start = end + 1;
  }
  return lines;
}

// Feeds `input` through a pipe in chunks of `chunk` bytes (0: all at once) from another thread,
// so the source sees short reads at arbitrary places.
std::vector<Collected> read_all(const std::string& input, SourceOptions options, std::size_t chunk = 0,
                                std::shared_ptr<InputState> state = std::make_shared<InputState>()) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  std::thread writer([&] {
    std::size_t step = chunk == 0 ? input.size() : chunk;
    for (std::size_t pos = 0; pos < input.size(); pos += step) {
      std::size_t n = std::min(step, input.size() - pos);
      ASSERT_EQ(::write(fds[1], input.data() + pos, n), static_cast<ssize_t>(n));
    }
    ::close(fds[1]);
  });
  std::vector<Collected> lines;
  for (const Line& line : read_lines(fds[0], options, state)) {
    lines.push_back({std::string(line.text), line.number, line.offset});
  }
  writer.join();
  ::close(fds[0]);
  return lines;
}

SourceOptions small_buffer(std::size_t size) {
  SourceOptions options;
  options.buffer_size = size;
  return options;
}

TEST(source, empty_input_has_no_lines) { EXPECT_TRUE(read_all("", {}).empty()); }

TEST(source, last_line_without_newline_is_a_line) {
  EXPECT_EQ(read_all("a\nbc", {}), split_reference("a\nbc"));
}

TEST(source, empty_lines_are_kept) {
  EXPECT_EQ(read_all("\n\nx\n\n", {}), split_reference("\n\nx\n\n"));
}

TEST(source, crlf_bytes_are_kept_as_they_are) {
  auto lines = read_all("a\r\nb\r\n", {});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "a\r");
  EXPECT_EQ(lines[1].offset, 3u);
}

TEST(source, lines_across_buffer_boundaries_and_longer_than_the_buffer) {
  std::string input;
  for (int i = 0; i < 200; ++i) input += std::string(static_cast<std::size_t>(i * 7 % 53), 'x') + std::to_string(i) + "\n";
  input += std::string(10000, 'L') + "\nend";
  for (std::size_t buffer : {16u, 64u, 100u, 4096u}) {
    for (std::size_t chunk : {0u, 1u, 7u, 333u}) {
      EXPECT_EQ(read_all(input, small_buffer(buffer), chunk), split_reference(input))
          << "buffer " << buffer << " chunk " << chunk;
    }
  }
}

TEST(source, random_inputs_match_the_reference_splitter) {
  std::mt19937 rng(12345);
  const std::string alphabet("ab\n\r\0x", 6);  // the NUL included
  for (int round = 0; round < 200; ++round) {
    std::string input(rng() % 300, ' ');
    for (char& c : input) c = alphabet[rng() % alphabet.size()];
    EXPECT_EQ(read_all(input, small_buffer(8 + rng() % 40), 1 + rng() % 50), split_reference(input));
  }
}

TEST(source, reports_nul_bytes) {
  auto state = std::make_shared<InputState>();
  read_all(std::string("a\n\0b\n", 5), {}, 0, state);
  EXPECT_TRUE(state->saw_nul);
  EXPECT_EQ(state->bytes_read, 5u);
}

TEST(source, read_error_surfaces_as_input_error) {
  int fd = ::open("/", O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  auto lines = read_lines(fd, {}, std::make_shared<InputState>());
  EXPECT_THROW(lines.begin(), InputError);
  ::close(fd);
}

TEST(source, reads_nothing_before_the_first_line_is_asked_for) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], "x\n", 2), 2);
  {
    auto state = std::make_shared<InputState>();
    generator<Line> lines = read_lines(fds[0], {}, state);
    EXPECT_EQ(state->bytes_read, 0u);
  }
  char byte;
  EXPECT_EQ(::read(fds[0], &byte, 1), 1);  // still in the pipe
  ::close(fds[0]);
  ::close(fds[1]);
}

// Pushdown must yield exactly the lines a per-line filter would, with the same numbers.
std::vector<Collected> filter_reference(const std::string& input, const Matcher& matcher, bool invert) {
  std::vector<Collected> kept;
  for (const Collected& line : split_reference(input)) {
    if (matcher.matches(line.text) != invert) kept.push_back(line);
  }
  return kept;
}

// Blocks handed out as scripted, each possibly the first of a new file generation (--follow).
class GenerationsStream final : public ByteStream {
 public:
  explicit GenerationsStream(std::vector<std::pair<std::string, bool>> blocks) : blocks_(std::move(blocks)) {}
  Block next() override {
    if (next_ == blocks_.size()) return {};
    const auto& [bytes, new_generation] = blocks_[next_++];
    Block block{bytes};
    block.new_generation = new_generation;
    return block;
  }

 private:
  std::vector<std::pair<std::string, bool>> blocks_;
  std::size_t next_ = 0;
};

// Issue 13, item 7: after a rotation or truncation a followed file's lines count from 1 and its
// offsets from 0; an unfinished last line of the old generation is a line of its own.
TEST(source, a_new_generation_restarts_numbers_and_offsets) {
  auto state = std::make_shared<InputState>();
  std::vector<Collected> lines;
  for (const Line& line : split_lines(std::make_unique<GenerationsStream>(std::vector<std::pair<std::string, bool>>{
                                          {"a\nbb\npar", false}, {"t\nc\n", false}, {"tail", false},
                                          {"x\nyy\n", true}, {"z\n", true}}),
                                      SourceOptions{}, state)) {
    lines.push_back({std::string(line.text), line.number, line.offset});
  }
  const std::vector<Collected> want = {{"a", 1, 0}, {"bb", 2, 2}, {"part", 3, 5}, {"c", 4, 10}, {"tail", 5, 12},
                                       {"x", 1, 0}, {"yy", 2, 2}, {"z", 1, 0}};
  EXPECT_EQ(lines, want);
  EXPECT_EQ(state->lines_read, 8u);  // over every generation
}

// Issue 13, item 7: a consumer that stops early (-m, --take) has read the lines up to the one it
// stopped at, though the block they came in was not finished.
TEST(source, lines_read_counts_up_to_the_line_where_reading_stopped) {
  for (const bool pushdown : {false, true}) {
    auto state = std::make_shared<InputState>();
    SourceOptions options;
    if (pushdown) options.select = std::make_shared<const Matcher>(std::vector<std::string>{"hit"}, MatcherOptions{});
    std::string input;
    for (int i = 1; i <= 1000; ++i) input += i == 10 || i == 500 ? "a hit\n" : "a line\n";
    {
      std::uint64_t seen = 0;
      for (const Line& line : split_lines(std::make_unique<GenerationsStream>(
                                              std::vector<std::pair<std::string, bool>>{{input, false}}),
                                          options, state)) {
        if (line.text == "a hit" && ++seen == 2) break;
      }
    }
    EXPECT_EQ(state->lines_read, 500u) << (pushdown ? "pushed down" : "line by line");
  }
}

TEST(source_pushdown, yields_the_lines_a_line_by_line_filter_would) {
  std::mt19937 rng(777);
  const std::string alphabet = "abcE\n";
  const std::vector<std::pair<std::string, MatcherOptions>> patterns = {
      {"ab", {}}, {"a", {}}, {"^b", {}}, {"c$", {}}, {"a.c", {}}, {"^$", {}},
      {"AB", {Syntax::extended, true}}, {"ab", {Syntax::fixed, false, true}}, {"abc", {Syntax::extended, false, false, true}},
  };
  for (const auto& [pattern, options] : patterns) {
    auto matcher = std::make_shared<const Matcher>(std::vector<std::string>{pattern}, options);
    for (bool invert : {false, true}) {
      for (int round = 0; round < 60; ++round) {
        std::string input(rng() % 200, ' ');
        for (char& c : input) c = alphabet[rng() % alphabet.size()];
        SourceOptions source = small_buffer(8 + rng() % 64);
        source.select = matcher;
        source.invert = invert;
        EXPECT_EQ(read_all(input, source, 1 + rng() % 40), filter_reference(input, *matcher, invert))
            << "pattern " << pattern << " invert " << invert << " input " << input;
      }
    }
  }
}

}  // namespace
}  // namespace logsift
