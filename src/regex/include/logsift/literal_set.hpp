// LiteralSet: thousands of literal strings (-F -f lists) searched in one pass, for lists far too
// large for one regex. Built once in time linear in the list; read-only afterwards, so threads
// may share it. Occurrences are reported in order of where they start: a hashed table of every
// literal's first bytes says where one may start, and only there are literals compared, at most
// one binary search per distinct length, so no list and no text makes a position costly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace logsift {

class LiteralSet {
 public:
  // literals: non-empty. ascii_case_insensitive: ASCII letters match either case, every other byte
  // only itself.
  LiteralSet(const std::vector<std::string>& literals, bool ascii_case_insensitive);

  // Calls visit(id, begin) for every occurrence of a literal in `text` (id: its index in the list
  // given; begin: where it starts), in order of `begin` (equal literals in order of id), until
  // visit returns false. Returns false when visit stopped it.
  template <typename Visit>
  bool scan(std::string_view text, Visit&& visit) const {
    auto thunk = [](void* context, std::size_t id, std::size_t begin) {
      return static_cast<bool>((*static_cast<Visit*>(context))(id, begin));
    };
    return scan_with(text, thunk, &visit);
  }

  std::size_t length(std::size_t id) const noexcept { return literals_[id].size; }
  std::size_t max_length() const noexcept { return max_length_; }
  std::size_t size() const noexcept { return literals_.size(); }

 private:
  using Callback = bool (*)(void* context, std::size_t id, std::size_t begin);
  bool scan_with(std::string_view text, Callback callback, void* context) const;
  // Compares text[0, size) with the folded literal of `id`, folding the text's bytes.
  int compare(const char* text, std::size_t id) const noexcept;

  struct Literal {
    std::size_t offset = 0, size = 0;  // its folded bytes: pool_[offset, offset + size)
  };
  // Literals of one length among those sharing a prefix: order_[begin, begin + count), sorted.
  struct Run {
    std::size_t size = 0, begin = 0, count = 0;
  };
  struct Bucket {
    std::uint32_t prefix = 0;
    std::uint32_t runs_begin = 0, runs_end = 0;  // into runs_
  };

  std::array<std::uint8_t, 256> fold_{};
  std::string pool_;
  std::vector<Literal> literals_;
  std::vector<std::uint32_t> order_;  // ids by (prefix, length, folded bytes, id)
  std::vector<Run> runs_;
  std::vector<Bucket> buckets_;
  std::vector<std::uint32_t> table_;   // open addressing: bucket index + 1, 0 for a free slot
  std::vector<std::uint64_t> filter_;  // one bit per hashed prefix that some literal starts with
  unsigned filter_shift_ = 0, table_shift_ = 0;
  std::size_t prefix_size_ = 0;  // bytes hashed: the shortest literal's length, at most 4
  std::size_t max_length_ = 0;
};

}  // namespace logsift
