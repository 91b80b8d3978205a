#include "logsift/open_input.hpp"

#include <fcntl.h>

#include <utility>

#include "logsift/decompress.hpp"
#include "logsift/follow.hpp"

namespace logsift {
namespace {

// --progress: counts the bytes as read from the file, before any decoding, so that they compare
// with the file sizes the total is made of (a decoded gzip file is many times its size).
class CountingStream final : public ByteStream {
 public:
  CountingStream(std::unique_ptr<ByteStream> inner, std::atomic<std::uint64_t>* counter)
      : inner_(std::move(inner)), counter_(counter) {}
  Block next() override {
    Block block = inner_->next();
    counter_->fetch_add(block.bytes.size(), std::memory_order_relaxed);
    return block;
  }

 private:
  std::unique_ptr<ByteStream> inner_;
  std::atomic<std::uint64_t>* counter_;
};

}  // namespace

std::unique_ptr<ByteStream> open_input(int fd, const StreamOptions& options) {
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::unique_ptr<ByteStream> stream;
  if (!options.follow_path.empty()) {
    stream = make_follow_stream(fd, options.follow_path, options.buffer_size);
  } else if (options.map_file) {
    stream = make_file_stream(fd, options.buffer_size, options.map_window, options.input_path);
  } else {
    stream = make_fd_stream(fd, options.buffer_size);
  }
  if (options.progress != nullptr) stream = std::make_unique<CountingStream>(std::move(stream), options.progress);
  if (options.decoding == StreamOptions::Decoding::automatic) {
    stream = decompressing_stream(std::move(stream), options.decode_memory);
  } else if (options.decoding == StreamOptions::Decoding::forced) {
    stream = decompressing_stream(std::move(stream), Compression::none, options.decode_memory);
  }
  return stream;
}

}  // namespace logsift
