#include "logsift/decompress.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "logsift/error.hpp"
#include "support.hpp"

namespace logsift {
namespace {

// A raw stream scripted by the test: hands out `data` in blocks whose sizes cycle through
// `sizes` (a pipe delivering whatever the writer managed to write), then optionally throws a
// read error. Every call scribbles over the previous block first, so a reader that keeps a view
// past its validity reads garbage (or, under ASan, freed memory) instead of passing by luck.
class ScriptedStream final : public ByteStream {
 public:
  explicit ScriptedStream(std::string data, std::vector<std::size_t> sizes = {std::size_t{1} << 16},
                          std::string read_error = {}, int* calls = nullptr)
      : data_(std::move(data)), sizes_(std::move(sizes)), read_error_(std::move(read_error)), calls_(calls) {}

  Block next() override {
    if (calls_) ++*calls_;
    std::fill(block_.begin(), block_.end(), '\xAA');
    if (pos_ == data_.size()) {
      if (!read_error_.empty()) throw InputError(std::exchange(read_error_, {}));
      block_.clear();
      return {};
    }
    const std::size_t size = std::min(sizes_[turn_++ % sizes_.size()], data_.size() - pos_);
    block_.assign(data_, pos_, size);
    pos_ += size;
    return Block{block_, block_.find('\0') != std::string::npos};
  }

 private:
  std::string data_;
  std::vector<std::size_t> sizes_;
  std::string read_error_;
  int* calls_;
  std::string block_;
  std::size_t pos_ = 0;
  std::size_t turn_ = 0;
};

std::vector<std::size_t> tiny_sizes() {
  std::mt19937 rng(7);
  std::vector<std::size_t> sizes(101);
  for (std::size_t& size : sizes) size = 1 + rng() % 7;
  return sizes;
}

std::unique_ptr<ByteStream> whole(std::string data) { return std::make_unique<ScriptedStream>(std::move(data)); }
std::unique_ptr<ByteStream> tiny(std::string data) {
  return std::make_unique<ScriptedStream>(std::move(data), tiny_sizes());
}

struct Drained {
  std::string bytes;
  std::string error;  // the InputError's message, empty if none
  bool saw_nul = false;
  bool quiet_after_error = true;  // next() after the error returned the end, without throwing again
};

Drained drain(ByteStream& stream) {
  Drained out;
  try {
    for (;;) {
      const Block block = stream.next();
      if (block.bytes.empty()) break;
      EXPECT_EQ(block.has_nul, block.bytes.find('\0') != std::string_view::npos);
      out.saw_nul |= block.has_nul;
      out.bytes.append(block.bytes);
    }
  } catch (const InputError& error) {
    out.error = error.what();
    try {
      out.quiet_after_error = stream.next().bytes.empty();
    } catch (const InputError&) {
      out.quiet_after_error = false;
    }
  }
  return out;
}

Drained decode(std::unique_ptr<ByteStream> raw) { return drain(*decompressing_stream(std::move(raw))); }

bool starts_with(const std::string& text, const std::string& prefix) { return text.compare(0, prefix.size(), prefix) == 0; }

// Log-like lines with random fields: compressible, but not trivially.
std::string log_text(std::size_t size, unsigned seed) {
  static const char* const words[] = {"GET", "POST", "timeout", "user", "session", "cache", "miss", "retry",
                                      "ok", "error", "db", "query", "slow", "auth", "token", "upstream"};
  std::mt19937 rng(seed);
  std::string text;
  text.reserve(size + 200);
  auto below = [&](unsigned bound) { return static_cast<unsigned>(rng() % bound); };
  char line[200];
  while (text.size() < size) {
    const int n = std::snprintf(line, sizeof line, "2024-05-%02u %02u:%02u:%02u.%03u host%u app[%u]: %s %s %s id=%u\n",
                                1 + below(28), below(24), below(60), below(60), below(1000), below(16),
                                below(40000), words[below(16)], words[below(16)], words[below(16)],
                                static_cast<unsigned>(rng()));
    text.append(line, static_cast<std::size_t>(n));
  }
  text.resize(size);
  return text;
}

// ---- Fixtures made by the real tools ------------------------------------------------------

const char* tool_command(Compression format) {
  switch (format) {
    case Compression::gzip:
      return "gzip -c";
    case Compression::bzip2:
      return "bzip2 -c";
    case Compression::xz:
      return "xz -c -1";  // the default -6 takes ten seconds for the 3 MB fixture here; decoding is alike
    case Compression::zstd:
      return "zstd -c -q";
    case Compression::none:
      break;
  }
  return "cat";
}

bool tool_available(Compression format) {
  const std::string tool(compression_name(format));
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

using test::read_file;
using test::TempDir;
using test::write_file;

// `data` compressed by the format's own tool; cached, as the big fixtures take a while.
std::string compressed(Compression format, const std::string& data) {
  static std::map<std::tuple<Compression, std::size_t, std::size_t>, std::string> cache;
  const auto key = std::make_tuple(format, data.size(), std::hash<std::string>{}(data));
  if (auto found = cache.find(key); found != cache.end()) return found->second;
  TempDir dir;
  write_file(dir.file("in"), data);
  const std::string command = std::string(tool_command(format)) + " < " + dir.file("in") + " > " + dir.file("out");
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return cache[key] = read_file(dir.file("out"));
}

const std::string& big_text() {
  static const std::string text = log_text(3 * 1000 * 1000, 1);
  return text;
}

// More than one bzip2 block (900 kB), for the damage tests, cheaper than big_text.
const std::string& medium_text() {
  static const std::string text = log_text(1200 * 1000, 13);
  return text;
}

// ---- Independent of the format --------------------------------------------------------------

TEST(decompress, passes_through_data_that_is_not_compressed) {
  std::string with_nul = log_text(300000, 2);
  with_nul[123456] = '\0';
  const std::string inputs[] = {
      "",
      "x",
      "hello\n",
      std::string("\x1f"),
      std::string("\x1f") + "starts like gzip\n",
      std::string("\x1f\x8b"),
      std::string("\x1f\x8b\x07 not deflate\n", 16),
      "BZh",
      "BZhello\n",
      std::string("\xfd" "7zX"),
      std::string("\xfd" "7zXZ!"),
      std::string("\x28\xb5\x2f"),
      "P*M",
      with_nul,
      log_text(1000000, 3),
  };
  for (const std::string& input : inputs) {
    SCOPED_TRACE(input.substr(0, 20));
    const Drained in_one = decode(whole(input));
    EXPECT_EQ(in_one.bytes, input);
    EXPECT_EQ(in_one.error, "");
    EXPECT_EQ(in_one.saw_nul, input.find('\0') != std::string::npos);
    const Drained in_pieces = decode(tiny(input));
    EXPECT_EQ(in_pieces.bytes, input);
    EXPECT_EQ(in_pieces.error, "");
  }
}

TEST(decompress, reads_nothing_before_the_first_next) {
  int calls = 0;
  auto detecting = decompressing_stream(std::make_unique<ScriptedStream>("abc", tiny_sizes(), "", &calls));
  auto forced = decompressing_stream(std::make_unique<ScriptedStream>("abc", tiny_sizes(), "", &calls),
                                     Compression::gzip);
  auto must_be = decompressing_stream(std::make_unique<ScriptedStream>("abc", tiny_sizes(), "", &calls),
                                      Compression::none);
  EXPECT_EQ(calls, 0);
}

TEST(decompress, detection_reads_only_as_far_as_it_must) {
  // A terminal or a slow pipe: the first line must not wait for bytes nobody has typed yet.
  int calls = 0;
  auto plain = decompressing_stream(std::make_unique<ScriptedStream>("hi\nthere\n", std::vector<std::size_t>{1}, "", &calls));
  EXPECT_EQ(plain->next().bytes, "h");
  EXPECT_EQ(calls, 1);

  calls = 0;
  const std::string almost_gzip("\x1f\x8b" "a\n", 4);
  auto unsure = decompressing_stream(std::make_unique<ScriptedStream>(almost_gzip, std::vector<std::size_t>{1}, "", &calls));
  EXPECT_EQ(unsure->next().bytes, almost_gzip.substr(0, 2));
  EXPECT_EQ(calls, 3);  // the third byte settled it, and comes next
  EXPECT_EQ(drain(*unsure).bytes, "a\n");
}

TEST(decompress, requiring_compression_rejects_plain_input) {
  for (const std::string input : {"", "hello\n", "\x1f"}) {
    const Drained out = drain(*decompressing_stream(whole(input), Compression::none));
    EXPECT_EQ(out.bytes, "");
    EXPECT_EQ(out.error, "not a compressed file");
    EXPECT_TRUE(out.quiet_after_error);
  }
}

TEST(decompress, requiring_compression_detects_every_format) {
  for (Compression format : {Compression::gzip, Compression::bzip2, Compression::xz, Compression::zstd}) {
    if (!tool_available(format)) continue;
    const Drained out = drain(*decompressing_stream(tiny(compressed(format, "some text\n")), Compression::none));
    EXPECT_EQ(out.bytes, "some text\n") << compression_name(format);
    EXPECT_EQ(out.error, "");
  }
}

TEST(decompress, a_read_error_while_detecting_is_kept_for_after_the_bytes) {
  const Drained out = decode(std::make_unique<ScriptedStream>("\x1f", std::vector<std::size_t>{1}, "Input/output error"));
  EXPECT_EQ(out.bytes, "\x1f");
  EXPECT_EQ(out.error, "Input/output error");

  const Drained required = drain(*decompressing_stream(
      std::make_unique<ScriptedStream>("", std::vector<std::size_t>{1}, "Is a directory"), Compression::none));
  EXPECT_EQ(required.error, "Is a directory");
}

TEST(decompress, names) {
  EXPECT_EQ(compression_name(Compression::none), "none");
  EXPECT_EQ(compression_name(Compression::gzip), "gzip");
  EXPECT_EQ(compression_name(Compression::bzip2), "bzip2");
  EXPECT_EQ(compression_name(Compression::xz), "xz");
  EXPECT_EQ(compression_name(Compression::zstd), "zstd");
}

TEST(decompress, concatenated_gzip_members) {
  // The example: gzip -c a >> f; gzip -c b >> f.
  if (!tool_available(Compression::gzip)) GTEST_SKIP() << "gzip is not installed";
  TempDir dir;
  write_file(dir.file("a"), "first file\n");
  write_file(dir.file("b"), log_text(100000, 4));
  const std::string f = dir.file("f");
  ASSERT_EQ(std::system(("gzip -c " + dir.file("a") + " >> " + f + "; gzip -c " + dir.file("b") + " >> " + f).c_str()), 0);
  const Drained out = decode(whole(read_file(f)));
  EXPECT_EQ(out.bytes, "first file\n" + log_text(100000, 4));
  EXPECT_EQ(out.error, "");
}

// Issue 13, item 8: text that merely starts with a magic number is searched as it is, as grep
// would; with a format insisted on (--decompress) it is still an error.
TEST(decompress, text_that_starts_with_a_magic_number_passes_through) {
  const std::string magics[] = {std::string("\x1f\x8b\x08", 3), "BZh9", "BZh1", std::string("\xfd" "7zXZ\0", 6),
                                std::string("\x28\xb5\x2f\xfd", 4)};
  for (const std::string& magic : magics) {
    for (const std::string& rest : {std::string(" is how this file starts\nsecond line\n"), log_text(300000, 21)}) {
      const std::string text = magic + rest;
      for (bool in_pieces : {false, true}) {
        const Drained out = decode(in_pieces ? tiny(text) : whole(text));
        EXPECT_EQ(out.error, "") << magic;
        EXPECT_TRUE(out.bytes == text) << magic << ": " << out.bytes.size() << " bytes of " << text.size();
      }
      const Drained forced = drain(*decompressing_stream(whole(text), Compression::none));
      EXPECT_FALSE(forced.error.empty()) << magic;
    }
  }
}

// CRC-32 (IEEE, as xz's headers use), bit by bit: only for patching a test fixture.
std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t crc = 0xffffffff;
  for (const char c : bytes) {
    crc ^= static_cast<unsigned char>(c);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320 & (0 - (crc & 1)));
  }
  return ~crc;
}

// `text` as xz made by the tool, its header then changed to declare a dictionary of
// (2 | props & 1) << (props / 2 + 11) bytes (37: 1536 MiB, 32: 256 MiB); the data is the same.
std::string xz_declaring_dictionary(const std::string& text, unsigned char props) {
  std::string xz = compressed(Compression::xz, text);
  const std::size_t header = 12, size = (static_cast<unsigned char>(xz[header]) + 1) * 4;
  const auto flags = static_cast<unsigned char>(xz[header + 1]);
  std::size_t at = header + 2;
  for (unsigned char present : {0x40, 0x80}) {  // compressed and uncompressed sizes, varints
    if (flags & present) {
      while (static_cast<unsigned char>(xz[at]) & 0x80) ++at;
      ++at;
    }
  }
  EXPECT_EQ(xz.substr(at, 2), std::string("\x21\x01", 2)) << "one LZMA2 filter";
  xz[at + 2] = static_cast<char>(props);
  const std::uint32_t crc = crc32(std::string_view(xz).substr(header, size - 4));
  for (int i = 0; i < 4; ++i) xz[header + size - 4 + i] = static_cast<char>(crc >> (8 * i));
  return xz;
}

// `text` as zstd made by the tool from a pipe (so with a window descriptor), declaring a window
// of 2^log bytes.
std::string zstd_declaring_window(const std::string& text, int log) {
  std::string zst = compressed(Compression::zstd, text);
  EXPECT_EQ(static_cast<unsigned char>(zst[4]) & 0x23, 0) << "not single-segment, no dictionary id";
  zst[5] = static_cast<char>((log - 10) << 3);
  return zst;
}

// Issue 13, item 16: a header that declares a huge dictionary or window fails at once, naming
// the option that raises the limit, instead of taking that much memory; raised, it decodes.
TEST(decompress, a_declared_window_over_the_memory_limit_is_an_error) {
  if (!tool_available(Compression::xz) || !tool_available(Compression::zstd)) GTEST_SKIP() << "xz or zstd missing";
  const std::string text = log_text(100000, 31);
  const std::string xz_huge = xz_declaring_dictionary(text, 37), xz_big = xz_declaring_dictionary(text, 32);
  const std::string zst_huge = zstd_declaring_window(text, 30), zst_big = zstd_declaring_window(text, 28);
  const Drained xz_default = decode(whole(xz_huge));
  EXPECT_EQ(xz_default.error, "xz: needs 1537 MiB of memory, over the 128 MiB limit (--decompress-memory=SIZE raises it)");
  EXPECT_EQ(xz_default.bytes, "");
  const Drained zst_default = decode(whole(zst_huge));
  EXPECT_EQ(zst_default.error,
            "zstd: a frame needs a window larger than the 128 MiB limit (--decompress-memory=SIZE raises it)");
  EXPECT_EQ(zst_default.bytes, "");
  // Forced formats (--decompress) have the same limit.
  EXPECT_EQ(drain(*decompressing_stream(whole(xz_huge), Compression::xz)).error, xz_default.error);
  EXPECT_EQ(drain(*decompressing_stream(whole(xz_huge), Compression::none)).error, xz_default.error);
  // Raised.
  const std::uint64_t limit = std::uint64_t{512} << 20;
  for (const std::string* archive : {&xz_big, &zst_big}) {
    const Drained raised = drain(*decompressing_stream(whole(*archive), limit));
    EXPECT_EQ(raised.error, "");
    EXPECT_TRUE(raised.bytes == text);
    EXPECT_FALSE(drain(*decompressing_stream(whole(*archive))).error.empty());
  }
  EXPECT_EQ(drain(*decompressing_stream(whole(xz_big), std::uint64_t{200} << 20)).error,
            "xz: needs 257 MiB of memory, over the 200 MiB limit (--decompress-memory=SIZE raises it)");
}

// ---- Every format -----------------------------------------------------------------------------

class decompress_format : public ::testing::TestWithParam<Compression> {
 protected:
  void SetUp() override {
    if (!tool_available(format())) GTEST_SKIP() << compression_name(format()) << " is not installed";
  }
  Compression format() const { return GetParam(); }
  std::string name() const { return std::string(compression_name(format())); }
  std::string pack(const std::string& data) const { return compressed(format(), data); }
};

TEST_P(decompress_format, empty_input) {
  const Drained out = decode(whole(pack("")));
  EXPECT_EQ(out.bytes, "");
  EXPECT_EQ(out.error, "");
}

TEST_P(decompress_format, small_input) {
  const Drained out = decode(whole(pack("one line\nand another without newline")));
  EXPECT_EQ(out.bytes, "one line\nand another without newline");
  EXPECT_EQ(out.error, "");
  EXPECT_FALSE(out.saw_nul);
}

TEST_P(decompress_format, three_megabytes_of_text) {
  const Drained out = decode(whole(pack(big_text())));
  EXPECT_EQ(out.error, "");
  EXPECT_TRUE(out.bytes == big_text()) << "decoded " << out.bytes.size() << " of " << big_text().size() << " bytes";
}

TEST_P(decompress_format, nul_bytes_are_reported) {
  std::string text = log_text(50000, 5);
  text[40000] = '\0';
  const Drained out = decode(whole(pack(text)));
  EXPECT_EQ(out.bytes, text);
  EXPECT_TRUE(out.saw_nul);
}

TEST_P(decompress_format, concatenated_members) {
  const std::string parts[] = {"first part\n", "", log_text(400000, 6), "last line without newline"};
  std::string archive, expected;
  for (const std::string& part : parts) {
    archive += pack(part);
    expected += part;
  }
  const Drained out = decode(whole(archive));
  EXPECT_EQ(out.error, "");
  EXPECT_TRUE(out.bytes == expected) << "decoded " << out.bytes.size() << " of " << expected.size() << " bytes";
}

TEST_P(decompress_format, tiny_blocks_from_a_pipe) {
  const std::string parts[] = {"a\n", log_text(300000, 8), "b\n", "", "c"};
  std::string archive, expected;
  for (const std::string& part : parts) {
    archive += pack(part);
    expected += part;
  }
  const Drained out = decode(tiny(archive));
  EXPECT_EQ(out.error, "");
  EXPECT_TRUE(out.bytes == expected) << "decoded " << out.bytes.size() << " of " << expected.size() << " bytes";
}

TEST_P(decompress_format, reads_the_tool_through_a_real_pipe) {
  TempDir dir;
  const std::string text = log_text(500000, 9);
  write_file(dir.file("in"), text);
  FILE* pipe = ::popen((std::string(tool_command(format())) + " < " + dir.file("in")).c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  const Drained out = decode(make_fd_stream(::fileno(pipe), 4096));
  EXPECT_EQ(::pclose(pipe), 0);
  EXPECT_EQ(out.error, "");
  EXPECT_TRUE(out.bytes == text);
}

TEST_P(decompress_format, truncated_archive_gives_the_decoded_prefix_then_an_error) {
  const std::string archive = pack(medium_text());
  const std::string cut = archive.substr(0, archive.size() - 100);
  for (bool in_pieces : {false, true}) {
    const Drained out = decode(in_pieces ? tiny(cut) : whole(cut));
    EXPECT_EQ(out.error, name() + ": unexpected end of input");
    EXPECT_GT(out.bytes.size(), medium_text().size() / 2);
    EXPECT_TRUE(starts_with(medium_text(), out.bytes));
    EXPECT_TRUE(out.quiet_after_error);
  }
}

TEST_P(decompress_format, an_error_comes_after_every_byte_decoded_before_it) {
  // The first member fits in one output buffer: a decoder that dropped its buffer on meeting the
  // error would lose it whole.
  const std::string first = log_text(100000, 14), second = log_text(5000, 15);
  const std::string good = pack(first), next = pack(second);
  std::string corrupt = next;
  for (std::size_t i = corrupt.size() / 2; i < corrupt.size() / 2 + 8; ++i) corrupt[i] = static_cast<char>(~corrupt[i]);
  for (const std::string& damaged : {next.substr(0, next.size() - 1), next.substr(0, next.size() / 2), corrupt}) {
    const Drained out = decode(whole(good + damaged));
    EXPECT_TRUE(starts_with(out.error, name() + ": ")) << out.error;
    EXPECT_TRUE(starts_with(out.bytes, first));
    // Cut short, what came out is right; corrupt, the bytes before the failed check may not be.
    if (damaged != corrupt) {
      EXPECT_TRUE(starts_with(first + second, out.bytes));
    }
  }
}

TEST_P(decompress_format, hands_out_what_it_has_before_reading_on) {
  // `tail -f log | gzip`: a member that has arrived must reach the reader even while the writer
  // is still silent.
  int calls = 0;
  const std::string member = pack("first line\n");
  auto stream = decompressing_stream(std::make_unique<ScriptedStream>(
      member + pack("second line\n"), std::vector<std::size_t>{member.size()}, "", &calls));
  EXPECT_EQ(stream->next().bytes, "first line\n");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(stream->next().bytes, "second line\n");
}

TEST_P(decompress_format, every_truncation_of_a_small_archive_is_an_error) {
  const std::string text = "alpha\nbeta\ngamma\n";
  const std::string archive = pack(text);
  for (std::size_t size = 0; size < archive.size(); ++size) {
    // Forced: shorter than its magic number, a cut archive would otherwise pass as plain text.
    const Drained out = drain(*decompressing_stream(whole(archive.substr(0, size)), format()));
    EXPECT_FALSE(out.error.empty()) << "cut to " << size << " of " << archive.size() << " bytes";
    EXPECT_TRUE(starts_with(text, out.bytes)) << size;
  }
}

TEST_P(decompress_format, an_archive_cut_short_is_an_error_when_detected_too) {
  // Cut short, an archive has no wrong bytes: it is not mistaken for text that only starts like one.
  const std::string text = "alpha\nbeta\ngamma\n";
  const std::string archive = pack(text);
  for (std::size_t size = 6; size < archive.size(); ++size) {
    const Drained out = decode(whole(archive.substr(0, size)));
    EXPECT_FALSE(out.error.empty()) << "cut to " << size << " of " << archive.size() << " bytes";
    EXPECT_TRUE(starts_with(text, out.bytes)) << size;
  }
}

TEST_P(decompress_format, corrupt_archive_is_an_error) {
  const std::string archive = pack(medium_text());
  for (unsigned seed = 0; seed < 4; ++seed) {
    std::string broken = archive;
    std::mt19937 rng(seed);
    const std::size_t middle = broken.size() / 2 + rng() % 1000;
    for (std::size_t i = 0; i < 8; ++i) broken[middle + i] = static_cast<char>(broken[middle + i] ^ (1 + rng() % 255));
    const Drained out = decode(whole(broken));
    EXPECT_TRUE(starts_with(out.error, name() + ": ")) << "seed " << seed << ": \"" << out.error << '"';
    EXPECT_TRUE(out.quiet_after_error);
  }
}

TEST_P(decompress_format, random_damage_never_crashes) {
  const std::string archive = pack(log_text(20000, 10));
  std::mt19937 rng(11);
  for (int round = 0; round < 200; ++round) {
    std::string broken = archive;
    for (int flips = 1 + static_cast<int>(rng() % 3); flips > 0; --flips) {
      broken[rng() % broken.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    const Drained out = round % 2 ? decode(tiny(broken)) : drain(*decompressing_stream(whole(broken), format()));
    EXPECT_TRUE(out.quiet_after_error);
  }
}

TEST_P(decompress_format, forced_format_decodes_its_own_and_rejects_plain_text) {
  const Drained good = drain(*decompressing_stream(tiny(pack("text\n")), format()));
  EXPECT_EQ(good.bytes, "text\n");
  EXPECT_EQ(good.error, "");
  const Drained plain = drain(*decompressing_stream(whole("plain text, not compressed\n"), format()));
  EXPECT_EQ(plain.bytes, "");
  EXPECT_EQ(plain.error, name() + ": not in " + name() + " format");
}

TEST_P(decompress_format, trailing_garbage_comes_after_all_the_data) {
  const std::string text = log_text(10000, 12);
  const Drained out = decode(tiny(pack(text) + "garbage!\n"));
  EXPECT_EQ(out.bytes, text);
  EXPECT_TRUE(starts_with(out.error, name() + ": ")) << out.error;
}

TEST_P(decompress_format, trailing_zero_padding) {
  // gzip, bzip2 and xz (its stream padding) accept zeros after the data, as their tools do; a
  // zstd frame cannot start with a zero, and the zstd tool rejects them too.
  const std::string text = "padded\n";
  const Drained out = decode(tiny(pack(text) + std::string(512, '\0')));
  EXPECT_EQ(out.bytes, text);
  EXPECT_EQ(out.error.empty(), format() != Compression::zstd) << out.error;
}

TEST_P(decompress_format, a_read_error_comes_after_the_decoded_bytes) {
  const std::string archive = pack(medium_text());
  // Cut past the first bzip2 block, so that every format has something to hand out first.
  const Drained out = decode(std::make_unique<ScriptedStream>(archive.substr(0, archive.size() * 9 / 10),
                                                              std::vector<std::size_t>{65536}, "Input/output error"));
  EXPECT_EQ(out.error, "Input/output error");
  EXPECT_FALSE(out.bytes.empty());
  EXPECT_TRUE(starts_with(medium_text(), out.bytes));
}

INSTANTIATE_TEST_SUITE_P(formats, decompress_format,
                         ::testing::Values(Compression::gzip, Compression::bzip2, Compression::xz, Compression::zstd),
                         [](const ::testing::TestParamInfo<Compression>& info) {
                           return std::string(compression_name(info.param));
                         });

}  // namespace
}  // namespace logsift

namespace logsift {
namespace {

// The table the --since and --follow-last seeks ask is the decoder's own: a skippable zstd frame
// counts, text that merely starts like a magic number does not.
TEST(decompress, compression_announced_uses_the_decoders_magic_numbers) {
  using namespace std::string_view_literals;
  EXPECT_EQ(compression_announced("\x1f\x8b\x08\x00"sv), Compression::gzip);
  EXPECT_EQ(compression_announced("\x1f\x8b\x07\x00"sv), Compression::none);
  EXPECT_EQ(compression_announced("BZh9xx"sv), Compression::bzip2);
  EXPECT_EQ(compression_announced("BZhello"sv), Compression::none);
  EXPECT_EQ(compression_announced("\xfd" "7zXZ\x00"sv), Compression::xz);
  EXPECT_EQ(compression_announced("\x28\xb5\x2f\xfd"sv), Compression::zstd);
  EXPECT_EQ(compression_announced("\x5a\x2a\x4d\x18"sv), Compression::zstd);
  EXPECT_EQ(compression_announced("\x1f"sv), Compression::none);
  EXPECT_EQ(compression_announced(""sv), Compression::none);
  EXPECT_EQ(compression_announced("2026-01-01 INFO"sv), Compression::none);
}

}  // namespace
}  // namespace logsift
