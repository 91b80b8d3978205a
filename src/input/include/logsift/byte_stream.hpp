// ByteStream: where the line splitter gets its bytes, one block at a time.
// next() returns the next block of the input, valid until the following call; an empty block
// means the end of the input. Read (or decode) errors throw InputError after every block before
// them has been handed out. Streams read nothing until next() is first called.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string_view>

namespace logsift {

struct Block {
  std::string_view bytes;
  bool has_nul = false;  // a NUL byte is in `bytes`: grep's sign of a binary file
  // The stream did not look for NUL bytes (has_nul is false): the consumer does, so that the check
  // happens on whichever thread reads the bytes first.
  bool nul_unchecked = false;
  // Mapped blocks: becomes true (in a signal handler) when the file was cut short under the
  // mapping and bytes of this block now read as zeros. The consumer stops using the block then; the
  // empty block that follows carries it too, so that a line begun before the cut is dropped.
  const std::atomic<bool>* lost = nullptr;
  // The first block of a new generation of a followed file (it was rotated or truncated): its
  // lines are numbered from 1 and its offsets from 0 again, as a fresh search of it would show.
  bool new_generation = false;
};

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  virtual Block next() = 0;
};

// One read(2), retried on EINTR: the bytes read, 0 at the end of input. Throws InputError with
// strerror's text. Shared by every stream that reads a file descriptor.
std::size_t read_some(int fd, char* into, std::size_t capacity);

// Plain read(2) into one reused buffer of `block_size` bytes; the first reads are smaller (64 KiB,
// doubling) so that a search that stops early touches little memory. For pipes, terminals and
// early-exit searches: it reads no further ahead than the block the consumer is on.
std::unique_ptr<ByteStream> make_fd_stream(int fd, std::size_t block_size);

// A regular file from its current offset, mapped `window` bytes at a time: each block is one
// window, unmapped on the next call. No copy out of the page cache, and the memory of one window.
// Blocks come with nul_unchecked and lost set. The file is sized anew for each window, so bytes
// appended meanwhile are read too; where mapping fails, read(2) takes over. A file cut short while
// mapped ends the input there, as read(2) would, instead of raising SIGBUS. Null if the file
// cannot be mapped this way.
std::unique_ptr<ByteStream> make_mapped_stream(int fd, std::size_t window);

// How a regular file is brought in: `automatic` measures (see make_file_stream); `read` and `map`
// force one way (LOGSIFT_INPUT_PATH=read|map, for tests that compare the two).
enum class InputPath { automatic, read, map };

// A regular file from its current offset, read in blocks of `block_size` or mapped in windows of
// `window` bytes (populated with MADV_POPULATE_READ), whichever costs this thread less CPU time
// per byte, as measured on the file as it goes (or as `path` forces). Blocks come with
// nul_unchecked set; mapped ones with `lost` (see make_mapped_stream). Memory: the read buffer
// and one window.
std::unique_ptr<ByteStream> make_file_stream(int fd, std::size_t block_size, std::size_t window, InputPath path);

}  // namespace logsift
