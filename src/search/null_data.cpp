#include "logsift/null_data.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace logsift {
namespace {

class SwappingStream final : public ByteStream {
 public:
  explicit SwappingStream(std::unique_ptr<ByteStream> inner) : inner_(std::move(inner)) {}

  Block next() override {
    Block block = inner_->next();
    if (block.bytes.empty()) return block;
    buffer_.assign(block.bytes);
    for (char& c : buffer_) {
      if (c == '\n') {
        c = '\0';
      } else if (c == '\0') {
        c = '\n';
      }
    }
    block.bytes = buffer_;
    block.has_nul = false;
    block.nul_unchecked = false;
    return block;
  }

 private:
  std::unique_ptr<ByteStream> inner_;
  std::string buffer_;
};

}  // namespace

std::unique_ptr<ByteStream> swap_nul_and_newline(std::unique_ptr<ByteStream> stream) {
  return std::make_unique<SwappingStream>(std::move(stream));
}

generator<Line> restore_newlines(generator<Line> lines) {
  std::string text;  // the current line with its newlines back, valid until the next one
  for (Line line : lines) {
    if (std::memchr(line.text.data(), '\0', line.text.size()) != nullptr) {
      text.assign(line.text);
      std::replace(text.begin(), text.end(), '\0', '\n');
      line.text = text;
    }
    co_yield line;
  }
}

}  // namespace logsift
