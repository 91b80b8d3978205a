// open_input: the byte stream for one opened input, chosen from what was asked and what the input
// is: followed (--follow), a regular file of many blocks read or mapped window by window, or plain
// read(2) (pipes, terminals, small files); counted for --progress; decoded when compressed. The
// stream does not own or close `fd`, which must outlive it; blocks are valid until the next call.
//
//   StreamOptions options;
//   options.decoding = StreamOptions::Decoding::automatic;
//   std::unique_ptr<ByteStream> stream = open_input(fd, options);
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "logsift/byte_stream.hpp"

namespace logsift {

struct StreamOptions {
  std::size_t buffer_size = std::size_t{256} * 1024;
  // A regular file of many blocks: read or mapped window by window, whichever costs less on it
  // (make_file_stream; `input_path` can force one). Memory: one block and one window.
  bool map_file = false;
  std::size_t map_window = std::size_t{2} * 1024 * 1024;
  InputPath input_path = InputPath::automatic;
  // Compressed input (gzip, bzip2, xz, zstd by their magic bytes): decoded when `automatic` and
  // the bytes say so, always when `forced` (an error if they are not compressed), never when off.
  enum class Decoding { off, automatic, forced } decoding = Decoding::off;
  // The most a decoder may allocate for the window its data declares (--decompress-memory).
  std::uint64_t decode_memory = std::uint64_t{128} << 20;
  // --follow: the path of the file behind fd; at its end the stream waits for more (tail -F).
  std::string follow_path;
  // Advanced by the number of bytes of each block read from fd, before any decoding (for
  // --progress, whose total is the files' sizes); may be null.
  std::atomic<std::uint64_t>* progress = nullptr;
};

std::unique_ptr<ByteStream> open_input(int fd, const StreamOptions& options);

}  // namespace logsift
