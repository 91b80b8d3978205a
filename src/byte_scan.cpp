#include "logsift/byte_scan.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <tuple>
#include <utility>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define LOGSIFT_HAVE_X86_SIMD 1
#include <immintrin.h>
#else
#define LOGSIFT_HAVE_X86_SIMD 0
#endif

namespace logsift {
namespace {

// ---------------------------------------------------------------------------------------------
// Byte frequencies

// How common each byte is in typical log and prose text, on an arbitrary 0..255 scale (only the
// order matters). Hand-made rather than measured on one corpus so that it does not overfit any one
// log format: the pair chosen from it only has to avoid the obviously common bytes.
constexpr std::array<std::uint8_t, 256> make_byte_frequencies() {
  std::array<std::uint8_t, 256> f{};
  // Control bytes hardly ever occur inside a line; tabs and CRs do, newlines separate lines.
  f['\t'] = 60;
  f['\r'] = 40;
  f['\n'] = 100;
  f[' '] = 255;

  // Lowercase: English letter order, kept high because most log words are lowercase.
  constexpr std::pair<char, std::uint8_t> lower[] = {
      {'e', 240}, {'t', 232}, {'a', 226}, {'o', 222}, {'i', 220}, {'n', 218}, {'s', 216},
      {'r', 214}, {'l', 200}, {'d', 196}, {'c', 192}, {'h', 184}, {'u', 186}, {'m', 182},
      {'p', 178}, {'g', 168}, {'f', 164}, {'w', 150}, {'y', 146}, {'b', 144}, {'v', 132},
      {'k', 122}, {'x', 104}, {'q', 66},  {'j', 72},  {'z', 70},
  };
  for (auto [c, v] : lower) f[static_cast<unsigned char>(c)] = v;

  // Uppercase is rarer, except the letters of level names (INFO, WARN, ERROR, DEBUG, FATAL) and
  // the 'T'/'Z' of ISO-8601 timestamps, which show up on nearly every line of many logs.
  for (int c = 'A'; c <= 'Z'; ++c) f[c] = 70;
  constexpr std::pair<char, std::uint8_t> upper[] = {
      {'E', 130}, {'I', 124}, {'N', 124}, {'R', 122}, {'O', 120}, {'T', 128}, {'A', 118},
      {'S', 112}, {'D', 108}, {'F', 100}, {'W', 96},  {'G', 96},  {'B', 88},  {'U', 92},
      {'L', 98},  {'C', 100}, {'P', 92},  {'M', 90},  {'H', 80},  {'Z', 92},  {'Q', 40},
      {'X', 48},  {'J', 44},  {'K', 56},  {'V', 56},  {'Y', 58},
  };
  for (auto [c, v] : upper) f[static_cast<unsigned char>(c)] = v;

  // Digits are everywhere in logs (timestamps, ids, counters, addresses); low ones a bit more.
  constexpr std::uint8_t digits[] = {206, 204, 198, 186, 182, 184, 180, 176, 178, 176};
  for (int d = 0; d < 10; ++d) f['0' + d] = digits[d];

  constexpr std::pair<char, std::uint8_t> punct[] = {
      {'.', 188}, {':', 186}, {'-', 182}, {'/', 164}, {'=', 154}, {',', 152},  {'_', 142},
      {'"', 140}, {'[', 128}, {']', 128}, {'(', 110}, {')', 110}, {'\'', 100}, {';', 82},
      {'+', 88},  {'{', 82},  {'}', 82},  {'?', 78},  {'%', 72},  {'&', 72},   {'@', 70},
      {'#', 60},  {'>', 62},  {'<', 54},  {'*', 52},  {'!', 50},  {'|', 50},   {'\\', 52},
      {'$', 42},  {'~', 30},  {'^', 20},  {'`', 20},
  };
  for (auto [c, v] : punct) f[static_cast<unsigned char>(c)] = v;

  // UTF-8: continuation bytes are shared by all non-ASCII characters, so they are more common
  // than any one lead byte. Bytes that never occur in valid UTF-8 stay at 0.
  for (int c = 0x80; c <= 0xBF; ++c) f[c] = 46;
  for (int c = 0xC2; c <= 0xF4; ++c) f[c] = 34;
  return f;
}

constexpr std::array<std::uint8_t, 256> kByteFrequency = make_byte_frequencies();

// ---------------------------------------------------------------------------------------------
// ASCII case folding

constexpr bool is_ascii_upper(unsigned char c) noexcept { return c >= 'A' && c <= 'Z'; }
constexpr bool is_ascii_lower(unsigned char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr unsigned char ascii_lower(unsigned char c) noexcept {
  return is_ascii_upper(c) ? static_cast<unsigned char>(c | 0x20) : c;
}
constexpr unsigned char ascii_upper(unsigned char c) noexcept {
  return is_ascii_lower(c) ? static_cast<unsigned char>(c & ~0x20) : c;
}

// `folded` is already lowercase; only the haystack side needs folding.
inline bool equal_folded(const char* p, const char* folded, std::size_t m) noexcept {
  for (std::size_t k = 0; k < m; ++k) {
    if (ascii_lower(static_cast<unsigned char>(p[k])) != static_cast<unsigned char>(folded[k])) {
      return false;
    }
  }
  return true;
}

// What the scanners need to know about a searcher, flattened so the free AVX2 functions (which
// cannot be members: they carry their own target attribute) can take it.
struct Pair {
  const char* needle;  // lowercased when folding
  std::size_t m;
  std::size_t i1, i2;
  // A haystack byte c hits chosen byte k when (c | fold_k) == byte_k: fold_k is 0x20 for a letter
  // under case folding (byte_k then being lowercase), else 0. No false hits: (c | 0x20) == 'k'
  // holds for exactly 'k' and 'K', so non-letters never sneak in through the OR.
  unsigned char byte1, fold1, byte2, fold2;
};

template <bool Fold>
inline bool verify_bytes(const char* p, const char* needle, std::size_t m) noexcept {
  if constexpr (Fold) {
    return equal_folded(p, needle, m);
  } else {
    return std::memcmp(p, needle, m) == 0;
  }
}

template <bool Fold>
inline bool verify(const char* p, const Pair& pr) noexcept {
  return verify_bytes<Fold>(p, pr.needle, pr.m);
}

inline bool byte_hits(char c, unsigned char byte, unsigned char fold) noexcept {
  return (static_cast<unsigned char>(c) | fold) == byte;
}

// Scalar scan over candidate starts [begin, end_start); the AVX2 path uses it for the short tail.
template <bool Fold>
std::size_t find_pair_scalar(const char* hay, std::size_t begin, std::size_t end_start,
                             const Pair& pr) noexcept {
  for (std::size_t s = begin; s < end_start; ++s) {
    if (byte_hits(hay[s + pr.i1], pr.byte1, pr.fold1) &&
        byte_hits(hay[s + pr.i2], pr.byte2, pr.fold2) && verify<Fold>(hay + s, pr)) {
      return s;
    }
  }
  return std::string_view::npos;
}

// Portable scan: memchr (vectorised in every libc) for whichever chosen byte has a single value,
// then verify; only a folded letter pair falls back to the byte-at-a-time loop.
template <bool Fold>
std::size_t find_memchr(const char* hay, std::size_t from, std::size_t end_start,
                        const Pair& pr) noexcept {
  std::size_t off;
  unsigned char byte;
  if (pr.fold1 == 0) {
    off = pr.i1, byte = pr.byte1;
  } else if (pr.fold2 == 0) {
    off = pr.i2, byte = pr.byte2;
  } else {
    return find_pair_scalar<Fold>(hay, from, end_start, pr);
  }
  std::size_t s = from;
  while (s < end_start) {
    const void* hit = std::memchr(hay + s + off, byte, end_start - s);
    if (hit == nullptr) break;
    const std::size_t cand = static_cast<std::size_t>(static_cast<const char*>(hit) - hay) - off;
    if (verify<Fold>(hay + cand, pr)) return cand;
    s = cand + 1;
  }
  return std::string_view::npos;
}

// ---------------------------------------------------------------------------------------------
// Several needles

using detail::PairGroup;
using detail::PairNeedle;

Pair to_pair(const char* pool, const PairNeedle& nd) noexcept {
  return Pair{pool + nd.offset, nd.size,       nd.rare1,      nd.rare2,
              nd.rare1_byte,    nd.rare1_fold, nd.rare2_byte, nd.rare2_fold};
}

// Whether `nd` occurs at hay[s]. Checks the length first, so it never reads past hay[n - 1].
template <bool Fold>
inline bool needle_at(const char* hay, std::size_t n, std::size_t s, const char* pool,
                      const PairNeedle& nd) noexcept {
  return nd.size <= n - s && byte_hits(hay[s + nd.rare1], nd.rare1_byte, nd.rare1_fold) &&
         byte_hits(hay[s + nd.rare2], nd.rare2_byte, nd.rare2_fold) &&
         verify_bytes<Fold>(hay + s, pool + nd.offset, nd.size);
}

// First start in [from, limit) where any of the `count` needles occurs.
template <bool Fold>
std::size_t find_multi_scalar(const char* hay, std::size_t n, std::size_t from, std::size_t limit,
                              const char* pool, const PairNeedle* nd, std::size_t count) noexcept {
  for (std::size_t s = from; s < limit; ++s) {
    for (std::size_t k = 0; k < count; ++k) {
      if (needle_at<Fold>(hay, n, s, pool, nd[k])) return s;
    }
  }
  return std::string_view::npos;
}

// Candidate starts p + bit for each set bit of `mask`, lowest first; checking every needle at each
// start (rather than only those whose pair hit) is cheap because candidates are rare.
template <int N, bool Fold>
inline std::size_t first_verified(const char* hay, std::size_t n, std::size_t p, std::uint64_t mask,
                                  const char* pool, const PairNeedle* nd) noexcept {
  while (mask != 0) {
    const std::size_t s = p + static_cast<std::size_t>(__builtin_ctzll(mask));
#pragma GCC unroll 8
    for (int k = 0; k < N; ++k) {
      if (needle_at<Fold>(hay, n, s, pool, nd[k])) return s;
    }
    mask &= mask - 1;
  }
  return std::string_view::npos;
}

// Leftmost hit over several units (needles or groups of them) that each scan on their own: the
// units take turns over windows of growing size, and each searches only up to the best hit so far.
// Scanning window by window keeps a repeated find() linear: a unit that never matches is not run
// to the end of the haystack each time another unit has a hit just ahead. Windows start small for
// the same reason, and stop growing around the size of L2 so the later units re-read cached bytes.
template <class SearchUnit>
std::size_t find_leftmost_windowed(std::size_t from, std::size_t end_start, std::size_t units,
                                   SearchUnit search) noexcept {
  constexpr std::size_t kFirstWindow = 1024;
  constexpr std::size_t kMaxWindow = 64 * 1024;
  std::size_t window = kFirstWindow;
  for (std::size_t w = from; w < end_start;) {
    const std::size_t limit = end_start - w > window ? w + window : end_start;
    std::size_t best = limit;
    for (std::size_t u = 0; u < units && best > w; ++u) {
      const std::size_t hit = search(u, w, best);  // < best or npos
      if (hit != std::string_view::npos) best = hit;
    }
    if (best < limit) return best;
    w = limit;
    window = std::min(window * 2, kMaxWindow);
  }
  return std::string_view::npos;
}

std::size_t count_newlines_swar(const char* begin, const char* end) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
  std::size_t total = 0;
  const char* p = begin;
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    w ^= ones * '\n';
    // Exact zero-byte test (no false positives from borrows): bit 7 of a byte is set iff it was 0.
    const std::uint64_t zero = ~(((w & low7) + low7) | w | low7);
    // At most 8 flags of value 1, so the multiply sums them into the top byte without overflow.
    total += static_cast<std::size_t>(((zero >> 7) * ones) >> 56);
    p += 8;
  }
  for (; p < end; ++p) total += (*p == '\n');
  return total;
}

// ---------------------------------------------------------------------------------------------
// AVX2

#if LOGSIFT_HAVE_X86_SIMD

bool cpu_has_avx2() noexcept {
  // Needed when this runs from a static constructor, before libgcc has probed the CPU itself.
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}

__attribute__((target("avx2,popcnt"))) std::size_t count_newlines_avx2(const char* begin,
                                                                       const char* end) noexcept {
  const __m256i nl = _mm256_set1_epi8('\n');
  std::size_t total = 0;
  const char* p = begin;
  // Four vectors per round keep enough loads in flight to run at memory bandwidth.
  while (end - p >= 128) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64));
    const __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 96));
    const std::uint64_t ab =
        static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, nl))) |
        static_cast<std::uint64_t>(
            static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, nl))))
            << 32;
    const std::uint64_t cd =
        static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(c, nl))) |
        static_cast<std::uint64_t>(
            static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(d, nl))))
            << 32;
    total += static_cast<std::size_t>(_mm_popcnt_u64(ab) + _mm_popcnt_u64(cd));
    p += 128;
  }
  while (end - p >= 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    total += static_cast<std::size_t>(
        _mm_popcnt_u32(static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, nl)))));
    p += 32;
  }
  if (p < end) {
    if (end - begin >= 32) {
      // Re-read the last 32 bytes of the range and drop the ones already counted: no scalar tail
      // and no read past `end`.
      const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(end - 32));
      const auto fresh = static_cast<unsigned>(end - p);  // 1..31
      const auto mask =
          static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, nl))) >>
          (32 - fresh);
      total += static_cast<std::size_t>(_mm_popcnt_u32(mask));
    } else {
      for (; p < end; ++p) total += (*p == '\n');
    }
  }
  return total;
}

// Comparison mask for the 32 candidate starts p..p+31: lane j is 0xFF iff both chosen needle
// bytes match at start p+j. Fold ORs in bit 5 first, which accepts both cases of a letter with
// one extra op instead of a second compare (measured ~1.5x faster than two cmpeq + OR in cache).
template <bool Fold>
__attribute__((target("avx2"), always_inline)) inline __m256i pair_block(
    const char* p, std::size_t i1, std::size_t i2, __m256i b1, __m256i f1, __m256i b2,
    __m256i f2) noexcept {
  __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i1));
  __m256i v2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i2));
  if constexpr (Fold) {
    v1 = _mm256_or_si256(v1, f1);
    v2 = _mm256_or_si256(v2, f2);
  } else {
    (void)f1;
    (void)f2;
  }
  return _mm256_and_si256(_mm256_cmpeq_epi8(v1, b1), _mm256_cmpeq_epi8(v2, b2));
}

// Candidate starts are [from, end_start) with end_start = n - m + 1. A 32-start block at p loads
// up to byte p + 31 + max(i1, i2) <= p + 30 + m, which is in bounds exactly when
// p + 32 <= end_start, so every full block is safe to load and every candidate in it is safe to
// verify.
template <bool Fold>
__attribute__((target("avx2"))) std::size_t find_pair_avx2(const char* hay, std::size_t from,
                                                           std::size_t end_start,
                                                           const Pair& pr) noexcept {
  const __m256i b1 = _mm256_set1_epi8(static_cast<char>(pr.byte1));
  const __m256i f1 = _mm256_set1_epi8(static_cast<char>(pr.fold1));
  const __m256i b2 = _mm256_set1_epi8(static_cast<char>(pr.byte2));
  const __m256i f2 = _mm256_set1_epi8(static_cast<char>(pr.fold2));
  const std::size_t i1 = pr.i1;
  const std::size_t i2 = pr.i2;

  std::size_t p = from;
  // Two blocks per round with a single test: for rare pairs nearly every round is a miss.
  while (p + 64 <= end_start) {
    const __m256i a = pair_block<Fold>(hay + p, i1, i2, b1, f1, b2, f2);
    const __m256i b = pair_block<Fold>(hay + p + 32, i1, i2, b1, f1, b2, f2);
    const __m256i any = _mm256_or_si256(a, b);
    if (!_mm256_testz_si256(any, any)) {
      std::uint64_t mask =
          static_cast<std::uint32_t>(_mm256_movemask_epi8(a)) |
          static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(b))) << 32;
      while (mask != 0) {
        const std::size_t s = p + static_cast<std::size_t>(__builtin_ctzll(mask));
        if (verify<Fold>(hay + s, pr)) return s;
        mask &= mask - 1;
      }
    }
    p += 64;
  }
  std::uint32_t skip = 0;  // low lanes of the final block that lie before p (already scanned)
  if (p + 32 > end_start) {
    if (p >= end_start) return std::string_view::npos;
    if (end_start < 32) return find_pair_scalar<Fold>(hay, p, end_start, pr);
    // Slide the last block back to end inside the haystack instead of reading past it.
    skip = static_cast<std::uint32_t>(p - (end_start - 32));
    p = end_start - 32;
  }
  for (;;) {
    const __m256i a = pair_block<Fold>(hay + p, i1, i2, b1, f1, b2, f2);
    std::uint32_t mask = static_cast<std::uint32_t>(_mm256_movemask_epi8(a));
    mask &= ~std::uint32_t{0} << skip;
    while (mask != 0) {
      const std::size_t s = p + static_cast<std::size_t>(__builtin_ctz(mask));
      if (verify<Fold>(hay + s, pr)) return s;
      mask &= mask - 1;
    }
    p += 32;
    if (p >= end_start) return std::string_view::npos;
    if (p + 32 > end_start) {
      skip = static_cast<std::uint32_t>(p - (end_start - 32));
      p = end_start - 32;
    } else {
      skip = 0;
    }
  }
}

// OR of the packed-pair masks of N needles for the 32 starts at p.
template <int N, bool Fold>
__attribute__((target("avx2"), always_inline)) inline __m256i multi_block(
    const char* p, const std::size_t* i1, const std::size_t* i2, const __m256i* b1,
    const __m256i* f1, const __m256i* b2, const __m256i* f2) noexcept {
  __m256i any = pair_block<Fold>(p, i1[0], i2[0], b1[0], f1[0], b2[0], f2[0]);
#pragma GCC unroll 8
  for (int k = 1; k < N; ++k) {
    any = _mm256_or_si256(any, pair_block<Fold>(p, i1[k], i2[k], b1[k], f1[k], b2[k], f2[k]));
  }
  return any;
}

// First start in [from, limit) where one of the N needles nd[0..N) occurs. A 32-start block at p
// reads up to byte p + 31 + reach, so blocks run while p + 32 <= n - reach; starts beyond that (only
// a needle shorter than the reach can be there) are left to the scalar loop. Needles longer than
// the block guarantee are length-checked when verified.
template <int N, bool Fold>
__attribute__((target("avx2"))) std::size_t find_multi_avx2(const char* hay, std::size_t n,
                                                            std::size_t from, std::size_t limit,
                                                            const char* pool, const PairNeedle* nd,
                                                            const PairGroup& group) noexcept {
  if (group.min_size > n) return std::string_view::npos;
  limit = std::min(limit, n - group.min_size + 1);
  if (from >= limit) return std::string_view::npos;

  std::size_t i1[N], i2[N];
  __m256i b1[N], f1[N], b2[N], f2[N];
#pragma GCC unroll 8
  for (int k = 0; k < N; ++k) {
    i1[k] = nd[k].rare1;
    i2[k] = nd[k].rare2;
    b1[k] = _mm256_set1_epi8(static_cast<char>(nd[k].rare1_byte));
    f1[k] = _mm256_set1_epi8(static_cast<char>(nd[k].rare1_fold));
    b2[k] = _mm256_set1_epi8(static_cast<char>(nd[k].rare2_byte));
    f2[k] = _mm256_set1_epi8(static_cast<char>(nd[k].rare2_fold));
  }
  const std::size_t hi = n >= group.reach ? std::min(limit, n - group.reach) : 0;

  std::size_t p = from;
  while (p + 64 <= hi) {
    const __m256i a = multi_block<N, Fold>(hay + p, i1, i2, b1, f1, b2, f2);
    const __m256i b = multi_block<N, Fold>(hay + p + 32, i1, i2, b1, f1, b2, f2);
    const __m256i any = _mm256_or_si256(a, b);
    if (!_mm256_testz_si256(any, any)) {
      const std::uint64_t mask =
          static_cast<std::uint32_t>(_mm256_movemask_epi8(a)) |
          static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(b))) << 32;
      const std::size_t s = first_verified<N, Fold>(hay, n, p, mask, pool, nd);
      if (s != std::string_view::npos) return s;
    }
    p += 64;
  }
  if (p < hi && hi >= 32) {
    for (;;) {
      // The last block slides back to end at hi rather than read past it; its lanes below p were
      // scanned already.
      std::uint32_t skip = 0;
      if (p + 32 > hi) {
        skip = static_cast<std::uint32_t>(p - (hi - 32));
        p = hi - 32;
      }
      const __m256i a = multi_block<N, Fold>(hay + p, i1, i2, b1, f1, b2, f2);
      const std::uint32_t mask =
          static_cast<std::uint32_t>(_mm256_movemask_epi8(a)) & (~std::uint32_t{0} << skip);
      if (mask != 0) {
        const std::size_t s = first_verified<N, Fold>(hay, n, p, mask, pool, nd);
        if (s != std::string_view::npos) return s;
      }
      p += 32;
      if (p >= hi) break;
    }
  }
  return find_multi_scalar<Fold>(hay, n, p, limit, pool, nd, N);
}

using MultiFn = std::size_t (*)(const char*, std::size_t, std::size_t, std::size_t, const char*,
                                const PairNeedle*, const PairGroup&) noexcept;

template <bool Fold, std::size_t... I>
constexpr std::array<MultiFn, sizeof...(I)> make_multi_table(std::index_sequence<I...>) noexcept {
  return {&find_multi_avx2<static_cast<int>(I) + 1, Fold>...};
}

// Indexed by group size - 1.
constexpr auto kMultiExact =
    make_multi_table<false>(std::make_index_sequence<MultiLiteralSearcher::kGroupSize>{});
constexpr auto kMultiFold =
    make_multi_table<true>(std::make_index_sequence<MultiLiteralSearcher::kGroupSize>{});

#else

bool cpu_has_avx2() noexcept { return false; }

#endif

using CountFn = std::size_t (*)(const char*, const char*) noexcept;

CountFn resolve_count_newlines() noexcept {
#if LOGSIFT_HAVE_X86_SIMD
  if (cpu_has_avx2()) return count_newlines_avx2;
#endif
  return count_newlines_swar;
}

bool use_avx2() noexcept {
  static const bool yes = cpu_has_avx2();
  return yes;
}

// Rarity of matching the needle byte c: in folding mode a letter matches both of its cases. The
// table is closer to a log scale than to a probability, so the two cases do not simply add up:
// the commoner case dominates and the other only tips the balance.
int byte_cost(unsigned char c, bool fold) noexcept {
  if (fold && (is_ascii_lower(c) || is_ascii_upper(c))) {
    const int lower = kByteFrequency[ascii_lower(c)];
    const int upper = kByteFrequency[ascii_upper(c)];
    return std::max(lower, upper) + std::min(lower, upper) / 8;
  }
  return kByteFrequency[c];
}

// Offsets of the two bytes of a non-empty (already folded) needle to prefilter on: the rarest, and
// the rarest of the rest.
std::pair<std::size_t, std::size_t> choose_rare_pair(std::string_view folded, bool fold) noexcept {
  const std::size_t m = folded.size();
  auto byte_at = [&](std::size_t k) { return static_cast<unsigned char>(folded[k]); };
  std::size_t best = 0;
  for (std::size_t k = 1; k < m; ++k) {
    if (byte_cost(byte_at(k), fold) < byte_cost(byte_at(best), fold)) best = k;
  }
  // The second byte should differ from the first: an equal byte at another offset filters far
  // less, since both lanes tend to hit together inside runs like "aaaa". Take a repeat only
  // when the needle has nothing else.
  auto second_key = [&](std::size_t k) {
    return std::pair{byte_at(k) == byte_at(best), byte_cost(byte_at(k), fold)};
  };
  std::size_t second = best;
  for (std::size_t k = 0; k < m; ++k) {
    if (k != best && (second == best || second_key(k) < second_key(second))) second = k;
  }
  return {best, second};  // second == best only for a one-byte needle
}

// The value a chosen byte is compared with and the bits ORed into the haystack byte first.
std::pair<std::uint8_t, std::uint8_t> describe_rare_byte(std::string_view folded, std::size_t k,
                                                         bool fold) noexcept {
  const auto byte = static_cast<unsigned char>(folded[k]);  // already lowercase when folding
  return {byte, static_cast<std::uint8_t>((fold && is_ascii_lower(byte)) ? 0x20 : 0)};
}

}  // namespace

std::size_t count_newlines(const char* begin, const char* end) noexcept {
  static const CountFn fn = resolve_count_newlines();
  if (begin == end) return 0;
  return fn(begin, end);
}

LiteralSearcher::LiteralSearcher(std::string needle, bool ascii_case_insensitive)
    : needle_(std::move(needle)), fold_(ascii_case_insensitive), avx2_(use_avx2()) {
  folded_ = needle_;
  if (fold_) {
    for (char& c : folded_) c = static_cast<char>(ascii_lower(static_cast<unsigned char>(c)));
  }
  const std::size_t m = folded_.size();
  if (m == 0) return;

  std::tie(rare1_, rare2_) = choose_rare_pair(folded_, fold_);
  std::tie(rare1_byte_, rare1_fold_) = describe_rare_byte(folded_, rare1_, fold_);
  std::tie(rare2_byte_, rare2_fold_) = describe_rare_byte(folded_, rare2_, fold_);
}

std::size_t LiteralSearcher::find(std::string_view haystack, std::size_t from) const noexcept {
  return find_impl(haystack, from, avx2_);
}

std::size_t LiteralSearcher::find_impl(std::string_view haystack, std::size_t from,
                                       bool avx2) const noexcept {
  const std::size_t n = haystack.size();
  const std::size_t m = folded_.size();
  if (from > n) return std::string_view::npos;
  if (m == 0) return from;
  if (m > n - from) return std::string_view::npos;
  const char* hay = haystack.data();
  if (m == 1 && rare1_fold_ == 0) {
    const void* hit = std::memchr(hay + from, rare1_byte_, n - from);
    if (hit == nullptr) return std::string_view::npos;
    return static_cast<std::size_t>(static_cast<const char*>(hit) - hay);
  }

  const Pair pr{folded_.data(), m, rare1_, rare2_, rare1_byte_, rare1_fold_, rare2_byte_,
                rare2_fold_};
  const std::size_t end_start = n - m + 1;
#if LOGSIFT_HAVE_X86_SIMD
  if (avx2) {
    return fold_ ? find_pair_avx2<true>(hay, from, end_start, pr)
                 : find_pair_avx2<false>(hay, from, end_start, pr);
  }
#else
  (void)avx2;
#endif
  return fold_ ? find_memchr<true>(hay, from, end_start, pr)
               : find_memchr<false>(hay, from, end_start, pr);
}

MultiLiteralSearcher::MultiLiteralSearcher(std::vector<std::string> needles,
                                           bool ascii_case_insensitive)
    : size_(needles.size()), fold_(ascii_case_insensitive), avx2_(use_avx2()) {
  if (fold_) {
    for (std::string& needle : needles) {
      for (char& c : needle) c = static_cast<char>(ascii_lower(static_cast<unsigned char>(c)));
    }
  }
  // A needle that starts with another one is never needed: wherever it occurs, the shorter one
  // occurs at the same position. Of equal needles the first stays.
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < needles.size(); ++i) {
    bool redundant = false;
    for (std::size_t j = 0; j < needles.size() && !redundant; ++j) {
      redundant = j != i && needles[i].starts_with(needles[j]) &&
                  (needles[j].size() < needles[i].size() || j < i);
    }
    if (!redundant) kept.push_back(needles[i]);
  }
  if (kept.empty()) return;
  if (kept.size() == 1) {
    single_.emplace(std::move(kept.front()), fold_);
    return;
  }

  min_size_ = kept.front().size();
  for (const std::string& needle : kept) {
    PairNeedle nd;
    nd.offset = pool_.size();
    nd.size = needle.size();
    std::tie(nd.rare1, nd.rare2) = choose_rare_pair(needle, fold_);
    std::tie(nd.rare1_byte, nd.rare1_fold) = describe_rare_byte(needle, nd.rare1, fold_);
    std::tie(nd.rare2_byte, nd.rare2_fold) = describe_rare_byte(needle, nd.rare2, fold_);
    needles_.push_back(nd);
    pool_ += needle;
    min_size_ = std::min(min_size_, needle.size());
  }

  // Groups of near-equal size: the cost of a pass grows with its needle count, so 9 needles run
  // as 5 + 4 rather than as 8 + 1.
  const std::size_t count = needles_.size();
  const std::size_t n_groups = (count + kGroupSize - 1) / kGroupSize;
  std::size_t first = 0;
  for (std::size_t g = 0; g < n_groups; ++g) {
    PairGroup group;
    group.first = first;
    group.count = count / n_groups + (g < count % n_groups ? 1 : 0);
    group.min_size = needles_[first].size;
    for (std::size_t k = first; k < first + group.count; ++k) {
      group.reach = std::max({group.reach, needles_[k].rare1, needles_[k].rare2});
      group.min_size = std::min(group.min_size, needles_[k].size);
    }
    groups_.push_back(group);
    first += group.count;
  }
}

std::size_t MultiLiteralSearcher::find(std::string_view haystack, std::size_t from) const noexcept {
  return find_impl(haystack, from, avx2_);
}

std::size_t MultiLiteralSearcher::find_impl(std::string_view haystack, std::size_t from,
                                            bool avx2) const noexcept {
  if (single_) {
    return avx2 ? single_->find(haystack, from) : detail::find_portable(*single_, haystack, from);
  }
  const std::size_t n = haystack.size();
  if (needles_.empty() || from > n || n - from < min_size_) return std::string_view::npos;
  const std::size_t end_start = n - min_size_ + 1;
  const char* hay = haystack.data();
  const char* pool = pool_.data();

#if LOGSIFT_HAVE_X86_SIMD
  if (avx2) {
    const MultiFn* table = fold_ ? kMultiFold.data() : kMultiExact.data();
    auto run = [&](std::size_t g, std::size_t lo, std::size_t hi) {
      const PairGroup& group = groups_[g];
      return table[group.count - 1](hay, n, lo, hi, pool, needles_.data() + group.first, group);
    };
    if (groups_.size() == 1) return run(0, from, end_start);
    return find_leftmost_windowed(from, end_start, groups_.size(), run);
  }
#else
  (void)avx2;
#endif

  // One memchr-driven scan per needle, windowed so they effectively run side by side.
  auto run = [&](std::size_t k, std::size_t lo, std::size_t hi) {
    const PairNeedle& nd = needles_[k];
    if (nd.size > n) return std::string_view::npos;
    hi = std::min(hi, n - nd.size + 1);
    if (lo >= hi) return std::string_view::npos;
    const Pair pr = to_pair(pool, nd);
    return fold_ ? find_memchr<true>(hay, lo, hi, pr) : find_memchr<false>(hay, lo, hi, pr);
  };
  return find_leftmost_windowed(from, end_start, needles_.size(), run);
}

namespace detail {

std::size_t count_newlines_portable(const char* begin, const char* end) noexcept {
  if (begin == end) return 0;
  return count_newlines_swar(begin, end);
}

std::size_t find_portable(const LiteralSearcher& searcher, std::string_view haystack,
                          std::size_t from) noexcept {
  return searcher.find_impl(haystack, from, false);
}

std::size_t find_portable(const MultiLiteralSearcher& searcher, std::string_view haystack,
                          std::size_t from) noexcept {
  return searcher.find_impl(haystack, from, false);
}

}  // namespace detail
}  // namespace logsift
