// A ByteStream test double for the fuzz targets: hands out a byte string in blocks of
// pseudo-random size (from a one-byte seed, so that a crashing input replays the same chunking).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "logsift/byte_stream.hpp"

namespace logsift_fuzz {

class SizeSequence {
 public:
  explicit SizeSequence(std::uint8_t seed) : state_(0x9E3779B97F4A7C15ull ^ seed), seed_(seed) {}
  std::size_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    // Mostly tiny blocks (a line or a compressed header spans many of them), sometimes large ones.
    switch (seed_ & 3) {
      case 0: return 1;
      case 1: return 1 + state_ % 7;
      case 2: return 1 + state_ % 97;
      default: return (state_ & 8) ? 1 + state_ % 4096 : 1 + state_ % 5;
    }
  }

 private:
  std::uint64_t state_;
  std::uint8_t seed_;
};

// Each block is its own heap allocation, scribbled over on the next call and then freed: a
// consumer that keeps a view past next() reads garbage or, under ASan, freed memory, and one that
// reads past a block's end is caught at once.
class ChunkedStream final : public logsift::ByteStream {
 public:
  ChunkedStream(std::string_view data, std::uint8_t seed) : data_(data), sizes_(seed) {}

  logsift::Block next() override {
    if (current_) std::memset(current_->data(), '#', current_->size());
    current_.reset();
    if (pos_ >= data_.size()) return {};
    const std::size_t n = std::min(sizes_.next(), data_.size() - pos_);
    current_ = std::make_unique<std::vector<char>>(data_.begin() + pos_, data_.begin() + pos_ + n);
    pos_ += n;
    const std::string_view bytes(current_->data(), n);
    return logsift::Block{bytes, bytes.find('\0') != std::string_view::npos};
  }

 private:
  std::string_view data_;
  SizeSequence sizes_;
  std::size_t pos_ = 0;
  std::unique_ptr<std::vector<char>> current_;
};

}  // namespace logsift_fuzz
