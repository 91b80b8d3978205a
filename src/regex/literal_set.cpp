#include "logsift/literal_set.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>

namespace logsift {
namespace {

constexpr std::uint32_t kMultiplier = 0x9E3779B1u;  // Fibonacci hashing: the top bits are well mixed

// The bits of a table of 2^bits entries a prefix hashes to.
std::uint32_t slot(std::uint32_t prefix, unsigned shift) { return (prefix * kMultiplier) >> shift; }

unsigned bits_for(std::size_t entries) { return static_cast<unsigned>(std::bit_width(std::max<std::size_t>(entries, 2) - 1)); }

// ASCII upper-case letters to lower case in each byte of x: the bytes' high bits say whether
// the byte (below 0x80) is at least 'A' and at least '[', computed without carries between bytes.
std::uint32_t fold_four(std::uint32_t x) {
  const std::uint32_t low7 = x & 0x7F7F7F7Fu;
  const std::uint32_t at_least_a = low7 + 0x3F3F3F3Fu;   // 0x80 - 'A'
  const std::uint32_t past_z = low7 + 0x25252525u;       // 0x80 - ('Z' + 1)
  const std::uint32_t upper = at_least_a & ~past_z & ~x & 0x80808080u;
  return x | (upper >> 2);
}

}  // namespace

LiteralSet::LiteralSet(const std::vector<std::string>& literals, bool ascii_case_insensitive) {
  for (std::size_t c = 0; c < 256; ++c) {
    fold_[c] = static_cast<std::uint8_t>(ascii_case_insensitive && c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  std::size_t shortest = 4;
  for (const std::string& literal : literals) {
    literals_.push_back({pool_.size(), literal.size()});
    for (char c : literal) pool_ += static_cast<char>(fold_[static_cast<std::uint8_t>(c)]);
    shortest = std::min(shortest, literal.size());
    max_length_ = std::max(max_length_, literal.size());
  }
  prefix_size_ = std::max<std::size_t>(shortest, 1);

  auto prefix_of = [&](std::uint32_t id) {
    std::uint32_t prefix = 0;
    for (std::size_t i = 0; i < prefix_size_; ++i) {
      prefix |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(pool_[literals_[id].offset + i])) << (8 * i);
    }
    return prefix;
  };
  auto bytes_of = [&](std::uint32_t id) { return std::string_view(pool_).substr(literals_[id].offset, literals_[id].size); };
  order_.resize(literals_.size());
  std::iota(order_.begin(), order_.end(), 0u);
  std::vector<std::uint32_t> prefixes(literals_.size());
  for (std::uint32_t id = 0; id < literals_.size(); ++id) prefixes[id] = prefix_of(id);
  std::sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (prefixes[a] != prefixes[b]) return prefixes[a] < prefixes[b];
    if (literals_[a].size != literals_[b].size) return literals_[a].size < literals_[b].size;
    const int bytes = bytes_of(a).compare(bytes_of(b));
    return bytes != 0 ? bytes < 0 : a < b;
  });
  for (std::size_t i = 0; i < order_.size(); ++i) {
    const std::uint32_t id = order_[i];
    if (buckets_.empty() || buckets_.back().prefix != prefixes[id]) {
      buckets_.push_back({prefixes[id], static_cast<std::uint32_t>(runs_.size()), static_cast<std::uint32_t>(runs_.size())});
    }
    if (buckets_.back().runs_end == buckets_.back().runs_begin || runs_.back().size != literals_[id].size) {
      runs_.push_back({literals_[id].size, i, 0});
      ++buckets_.back().runs_end;
    }
    ++runs_.back().count;
  }

  // The filter has about 16 bits per prefix, so few positions that start no literal pass it;
  // 2^24 bits (2 MiB) at most.
  const unsigned filter_bits = std::clamp(bits_for(buckets_.size() * 16), 12u, 24u);
  filter_shift_ = 32 - filter_bits;
  filter_.assign((std::size_t{1} << filter_bits) / 64, 0);
  const unsigned table_bits = bits_for(buckets_.size() * 2);
  table_shift_ = 32 - table_bits;
  table_.assign(std::size_t{1} << table_bits, 0);
  for (std::uint32_t b = 0; b < buckets_.size(); ++b) {
    const std::uint32_t f = slot(buckets_[b].prefix, filter_shift_);
    filter_[f / 64] |= std::uint64_t{1} << (f % 64);
    for (std::uint32_t t = slot(buckets_[b].prefix, table_shift_);; t = (t + 1) & (table_.size() - 1)) {
      if (table_[t] == 0) {
        table_[t] = b + 1;
        break;
      }
    }
  }
}

int LiteralSet::compare(const char* text, std::size_t id) const noexcept {
  const char* literal = pool_.data() + literals_[id].offset;
  for (std::size_t i = 0; i < literals_[id].size; ++i) {
    const std::uint8_t a = fold_[static_cast<std::uint8_t>(text[i])];
    const auto b = static_cast<std::uint8_t>(literal[i]);
    if (a != b) return a < b ? -1 : 1;
  }
  return 0;
}

bool LiteralSet::scan_with(std::string_view text, Callback callback, void* context) const {
  const std::size_t n = text.size();
  if (literals_.empty() || n < prefix_size_) return true;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const unsigned top = static_cast<unsigned>(8 * (prefix_size_ - 1));
  // The prefix at position s holds bytes s .. s + prefix_size_ - 1, the first in the low byte.
  std::uint32_t window = 0;
  for (std::size_t i = 0; i + 1 < prefix_size_; ++i) window = (window >> 8) | (std::uint32_t{fold_[bytes[i]]} << top);
  const std::size_t table_mask = table_.size() - 1;
  const bool folding = fold_['A'] != 'A';
  for (std::size_t s = 0; s + prefix_size_ <= n; ++s) {
    if (prefix_size_ == 4) {
      // Four bytes at once (one load), folded four at a time: no rolling, no table per byte.
      window = std::uint32_t{bytes[s]} | std::uint32_t{bytes[s + 1]} << 8 | std::uint32_t{bytes[s + 2]} << 16 |
               std::uint32_t{bytes[s + 3]} << 24;
      if (folding) window = fold_four(window);
    } else {
      window = (window >> 8) | (std::uint32_t{fold_[bytes[s + prefix_size_ - 1]]} << top);
    }
    const std::uint32_t f = slot(window, filter_shift_);
    if ((filter_[f / 64] & (std::uint64_t{1} << (f % 64))) == 0) continue;
    const Bucket* bucket = nullptr;
    for (std::uint32_t t = slot(window, table_shift_); table_[t] != 0; t = (t + 1) & table_mask) {
      if (buckets_[table_[t] - 1].prefix == window) {
        bucket = &buckets_[table_[t] - 1];
        break;
      }
    }
    if (bucket == nullptr) continue;
    for (std::uint32_t r = bucket->runs_begin; r < bucket->runs_end; ++r) {
      const Run& run = runs_[r];
      if (run.size > n - s) break;  // runs go by length
      // The first literal of this length not below the text, then every one equal to it.
      std::size_t lo = run.begin, hi = run.begin + run.count;
      while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (compare(text.data() + s, order_[mid]) > 0) lo = mid + 1;
        else hi = mid;
      }
      for (; lo < run.begin + run.count && compare(text.data() + s, order_[lo]) == 0; ++lo) {
        if (!callback(context, order_[lo], s)) return false;
      }
    }
  }
  return true;
}

}  // namespace logsift
