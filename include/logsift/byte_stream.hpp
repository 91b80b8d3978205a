// ByteStream: where the line splitter gets its bytes, one block at a time.
// next() returns the next block of the input, valid until the following call; an empty block
// means the end of the input. Read (or decode) errors throw InputError after every block before
// them has been handed out. Streams read nothing until next() is first called.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

namespace logsift {

struct Block {
  std::string_view bytes;
  bool has_nul = false;  // a NUL byte is in `bytes`: grep's sign of a binary file
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

// A reader thread fills a ring of `blocks` buffers ahead of the consumer, so that the kernel's
// copy out of the page cache overlaps with searching. Memory: blocks * block_size. For regular
// files, where reading ahead has no visible effect.
std::unique_ptr<ByteStream> make_read_ahead_stream(int fd, std::size_t block_size, std::size_t blocks);

}  // namespace logsift
