#include "logsift/byte_scan.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <tuple>
#include <utility>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define LOGSIFT_HAVE_X86_SIMD 1
#include <immintrin.h>
// glibc's CPU probe results; its header spells bool as C's _Bool, which only GCC accepts in C++.
#if __has_include(<sys/platform/x86.h>) && !defined(__clang__)
#define LOGSIFT_HAVE_GLIBC_CPU_FEATURES 1
#include <sys/platform/x86.h>
#endif
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

// The 200 most common letter pairs of English, most common first. Adjacent bytes are far from
// independent ("qu" is about as common as 'q' alone, "ck" as 'k'), so the cost of such a pair
// comes from its own rank instead of from its letters.
constexpr std::string_view kCommonBigrams =
    "th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le "
    "ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di fo ho pe ec "
    "pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh ee wi em ad ol rt po we na "
    "ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi ci vi pl ig tu ev ld ry mp fe bl ab "
    "gh ty op wo sa ay ex ke fr oo av ag if ap gr od bo sp rd do uc bu ei ov by rm ep tt oc fa "
    "ef cu rn sc gi da yo cr cl du ga qu ue ff ba ey ls va um pp ua up lu go ht ru ug ds lt pi "
    "rc rr eg au ck ew mu br bi pt ak pu ui rg ib tl ny ki rk ys ";

// Cost of each listed pair of lowercase letters (0: not listed), on the scale of two summed
// kByteFrequency entries, where about 27 units make a factor of two: "th" (3.5% of English
// letter pairs) costs as much as two 'e's would, the 200th pair (about 0.05%) like 'k' and 'c'.
constexpr std::array<std::array<std::uint16_t, 26>, 26> make_bigram_costs() {
  std::array<std::array<std::uint16_t, 26>, 26> cost{};
  for (std::size_t i = 0, rank = 0; i + 1 < kCommonBigrams.size(); i += 3, ++rank) {
    cost[kCommonBigrams[i] - 'a'][kCommonBigrams[i + 1] - 'a'] =
        static_cast<std::uint16_t>(516 - rank * 17 / 20);
  }
  return cost;
}

constexpr auto kBigramCost = make_bigram_costs();

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

// What the multi-needle scanners need to know about a searcher, flattened for the free functions.
struct MultiView {
  const char* pool;
  const detail::MultiNeedle* needles;
  const std::size_t* bucket_begin;
  std::size_t max_anchor;
  const std::uint8_t* first;   // 256 entries each
  const std::uint8_t* second;
  const std::uint8_t* first_lo;  // 16 entries each
  const std::uint8_t* first_hi;
  const std::uint8_t* second_lo;
  const std::uint8_t* second_hi;
};

// The needles of `buckets` whose fingerprint may sit at hay[q]: returns the smaller of `best` and
// the leftmost start in [from, best) where one of them really occurs. Kept out of line so the
// rare hit path does not crowd the registers of the scanning loops.
template <bool Fold>
__attribute__((noinline)) std::size_t verify_anchor(const char* hay, std::size_t n,
                                                    std::size_t from, std::size_t q,
                                                    unsigned buckets, std::size_t best,
                                                    const MultiView& mv) noexcept {
  while (buckets != 0) {
    const auto b = static_cast<unsigned>(__builtin_ctz(buckets));
    buckets &= buckets - 1;
    for (std::size_t i = mv.bucket_begin[b]; i < mv.bucket_begin[b + 1]; ++i) {
      const detail::MultiNeedle& nd = mv.needles[i];
      if (q < from + nd.anchor) continue;
      const std::size_t s = q - nd.anchor;
      if (s < best && nd.size <= n - s &&
          verify_bytes<Fold>(hay + s, mv.pool + nd.offset, nd.size)) {
        best = s;
      }
    }
  }
  return best;
}

// Anchors are positions of a needle's fingerprint, s + anchor for a start s; so a hit at anchor q
// can still be beaten by one at a later anchor q' (a needle with a larger anchor), but only while
// q' < best + max_anchor. Scanning in anchor order therefore ends there, not at the first hit.

// Anchors [q, q_end), with q_end <= n - 1 so that the second fingerprint byte is in the haystack.
template <bool Fold>
std::size_t scan_anchors_scalar(const char* hay, std::size_t n, std::size_t from, std::size_t q,
                                std::size_t q_end, std::size_t best, const MultiView& mv) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(hay);
  auto at = [&](std::size_t k) -> unsigned { return mv.first[bytes[k]] & mv.second[bytes[k + 1]]; };
  // Four anchors per test: one well-predicted branch instead of four.
  while (q + 4 <= q_end && q < best + mv.max_anchor) {
    const unsigned b[4] = {at(q), at(q + 1), at(q + 2), at(q + 3)};
    if ((b[0] | b[1] | b[2] | b[3]) != 0) {
      for (std::size_t k = 0; k < 4 && q + k < best + mv.max_anchor; ++k) {
        if (b[k] != 0) best = verify_anchor<Fold>(hay, n, from, q + k, b[k], best, mv);
      }
    }
    q += 4;
  }
  for (; q < q_end && q < best + mv.max_anchor; ++q) {
    if (const unsigned buckets = at(q); buckets != 0) {
      best = verify_anchor<Fold>(hay, n, from, q, buckets, best, mv);
    }
  }
  return best;
}

// Lane j of `lanes` holds the buckets for anchor q + j; mask has a bit for each nonzero lane.
template <bool Fold>
std::size_t verify_lanes(const char* hay, std::size_t n, std::size_t from, std::size_t q,
                         const std::uint8_t* lanes, std::uint64_t mask, std::size_t best,
                         const MultiView& mv) noexcept {
  while (mask != 0) {
    const auto j = static_cast<std::size_t>(__builtin_ctzll(mask));
    if (q + j >= best + mv.max_anchor) break;
    best = verify_anchor<Fold>(hay, n, from, q + j, lanes[j], best, mv);
    mask &= mask - 1;
  }
  return best;
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
#if defined(LOGSIFT_HAVE_GLIBC_CPU_FEATURES)
  // glibc has probed the CPU already; libgcc's probe would run CPUID again, and under a
  // hypervisor each CPUID is a costly exit, paid on every start.
  return CPU_FEATURE_ACTIVE(AVX2) && CPU_FEATURE_ACTIVE(POPCNT);
#else
  // Needed when this runs from a static constructor, before libgcc has probed the CPU itself.
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
#endif
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

// NUL bytes among the 64 at p, one bit each.
__attribute__((target("avx2"), always_inline)) inline std::uint64_t nul_bits(const char* p) noexcept {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i a = _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)), zero);
  const __m256i b = _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)), zero);
  return static_cast<std::uint32_t>(_mm256_movemask_epi8(a)) |
         static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(b))) << 32;
}

// Candidate starts are [from, end_start) with end_start = n - m + 1. A 32-start block at p loads
// up to byte p + 31 + max(i1, i2) <= p + 30 + m, which is in bounds exactly when
// p + 32 <= end_start, so every full block is safe to load and every candidate in it is safe to
// verify.
// With TrackNul, also looks for NUL bytes before the match it returns (see LiteralSearcher::find):
// each round compares its 64 bytes with zero too, while its own loads have them in the cache. In a
// loop that waits on memory that costs next to nothing; a separate pass would read it all twice.
template <bool Fold, bool TrackNul = false>
__attribute__((target("avx2"))) std::size_t find_pair_avx2(const char* hay, std::size_t from,
                                                           std::size_t end_start, const Pair& pr,
                                                           std::size_t* first_nul = nullptr) noexcept {
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
    __m256i any = _mm256_or_si256(a, b);
    if constexpr (TrackNul) {
      const __m256i zero = _mm256_setzero_si256();
      const __m256i za = _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(hay + p)), zero);
      const __m256i zb = _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(hay + p + 32)), zero);
      any = _mm256_or_si256(any, _mm256_or_si256(za, zb));
    }
    if (!_mm256_testz_si256(any, any)) {
      std::uint64_t mask =
          static_cast<std::uint32_t>(_mm256_movemask_epi8(a)) |
          static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(b))) << 32;
      std::uint64_t zeros = 0;
      if constexpr (TrackNul) zeros = nul_bits(hay + p);
      // Matches that start before the first NUL of the round are returned without it; past it
      // the NUL is reported and the rest of the search needs no more looking for NULs.
      const std::uint64_t before_nul = zeros == 0 ? mask : mask & ((std::uint64_t{1} << __builtin_ctzll(zeros)) - 1);
      for (std::uint64_t m = before_nul; m != 0; m &= m - 1) {
        const std::size_t s = p + static_cast<std::size_t>(__builtin_ctzll(m));
        if (verify<Fold>(hay + s, pr)) return s;
      }
      if constexpr (TrackNul) {
        if (zeros != 0) {
          const std::size_t nul = p + static_cast<std::size_t>(__builtin_ctzll(zeros));
          *first_nul = nul;
          return find_pair_avx2<Fold, false>(hay, nul, end_start, pr);
        }
      }
    }
    p += 64;
  }
  if constexpr (TrackNul) {
    // The last few blocks: searched as usual, then looked at for NULs up to the match (or the end
    // of the haystack, whose last m - 1 bytes start no candidate).
    const std::size_t found = find_pair_avx2<Fold, false>(hay, p, end_start, pr);
    const std::size_t stop = found == std::string_view::npos ? end_start + pr.m - 1 : found;
    note_first_nul(std::string_view(hay, stop), p, stop, first_nul);
    return found;
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

// Buckets whose fingerprint starts at each of the 32 anchors at p. A byte is looked up by its two
// nibbles (vpshufb indexes 16-entry tables); ANDing the two results keeps the buckets that accept
// both nibbles, and ANDing those of p[j] and p[j + 1] the buckets that accept both bytes.
// Ascii: the tables accept no byte >= 0x80, so the low-nibble lookup can skip masking off the
// high bits (vpshufb yields 0 for an index with bit 7 set, which is then the right answer).
template <bool Ascii>
__attribute__((target("avx2"), always_inline)) inline __m256i fingerprint_block(
    const char* p, __m256i lo1, __m256i hi1, __m256i lo2, __m256i hi2) noexcept {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i v2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 1));
  const __m256i low1 = Ascii ? v1 : _mm256_and_si256(v1, nibble);
  const __m256i low2 = Ascii ? v2 : _mm256_and_si256(v2, nibble);
  // AVX2 has no byte shift: shift 16-bit lanes and mask off the bits that crossed over.
  const __m256i high1 = _mm256_and_si256(_mm256_srli_epi16(v1, 4), nibble);
  const __m256i high2 = _mm256_and_si256(_mm256_srli_epi16(v2, 4), nibble);
  const __m256i b1 =
      _mm256_and_si256(_mm256_shuffle_epi8(lo1, low1), _mm256_shuffle_epi8(hi1, high1));
  const __m256i b2 =
      _mm256_and_si256(_mm256_shuffle_epi8(lo2, low2), _mm256_shuffle_epi8(hi2, high2));
  return _mm256_and_si256(b1, b2);
}

__attribute__((target("avx2"), always_inline)) inline __m256i broadcast_table(
    const std::uint8_t* table) noexcept {
  return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(table)));
}

// scan_anchors_scalar, 32 anchors at a time. A block at q reads hay[q, q + 32], inside the
// haystack whenever q + 32 <= q_end.
template <bool Fold, bool Ascii>
__attribute__((target("avx2"))) std::size_t scan_anchors_avx2(const char* hay, std::size_t n,
                                                              std::size_t from, std::size_t q,
                                                              std::size_t q_end, std::size_t best,
                                                              const MultiView& mv) noexcept {
  const __m256i lo1 = broadcast_table(mv.first_lo);
  const __m256i hi1 = broadcast_table(mv.first_hi);
  const __m256i lo2 = broadcast_table(mv.second_lo);
  const __m256i hi2 = broadcast_table(mv.second_hi);
  const __m256i zero = _mm256_setzero_si256();
  alignas(32) std::uint8_t lanes[64];

  // Two blocks per round with a single test: nearly every round is a miss. The prefetch a few
  // rounds ahead pays off on data streaming from memory (measured ~20% on a 256 MiB log; the
  // hardware prefetcher alone leaves the loop stalled), and does nothing harmful in cache.
  constexpr std::size_t kPrefetchAhead = 1024;
  while (q + 64 <= q_end && q < best + mv.max_anchor) {
    _mm_prefetch(hay + std::min(q + kPrefetchAhead, n - 1), _MM_HINT_T0);
    const __m256i a = fingerprint_block<Ascii>(hay + q, lo1, hi1, lo2, hi2);
    const __m256i b = fingerprint_block<Ascii>(hay + q + 32, lo1, hi1, lo2, hi2);
    const __m256i any = _mm256_or_si256(a, b);
    if (!_mm256_testz_si256(any, any)) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), a);
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes + 32), b);
      const std::uint64_t empty =
          static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, zero))) |
          static_cast<std::uint64_t>(static_cast<std::uint32_t>(
              _mm256_movemask_epi8(_mm256_cmpeq_epi8(b, zero))))
              << 32;
      best = verify_lanes<Fold>(hay, n, from, q, lanes, ~empty, best, mv);
    }
    q += 64;
  }
  if (q >= q_end || q >= best + mv.max_anchor) return best;
  if (q_end < 32) return scan_anchors_scalar<Fold>(hay, n, from, q, q_end, best, mv);
  for (;;) {
    // The last block slides back to end at q_end rather than read past it; its lanes below q
    // were scanned already.
    std::uint32_t skip = 0;
    if (q + 32 > q_end) {
      skip = static_cast<std::uint32_t>(q - (q_end - 32));
      q = q_end - 32;
    }
    const __m256i a = fingerprint_block<Ascii>(hay + q, lo1, hi1, lo2, hi2);
    const std::uint32_t found =
        ~static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, zero))) &
        (~std::uint32_t{0} << skip);
    if (found != 0) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), a);
      best = verify_lanes<Fold>(hay, n, from, q, lanes, found, best, mv);
    }
    q += 32;
    if (q >= q_end || q >= best + mv.max_anchor) return best;
  }
}

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

// Rarity of the adjacent needle bytes c1 c2 (lowercase already when folding).
int pair_cost(unsigned char c1, unsigned char c2, bool fold) noexcept {
  const int cost = byte_cost(c1, fold) + byte_cost(c2, fold);
  if (!is_ascii_lower(c1) || !is_ascii_lower(c2)) return cost;
  return std::max<int>(cost, kBigramCost[c1 - 'a'][c2 - 'a']);
}

// The bytes a bucket accepts at one fingerprint position, as the vector lookup sees them: byte c
// is in the set iff bit (c & 15) of lo and bit (c >> 4) of hi are.
struct NibbleSet {
  std::uint16_t lo = 0, hi = 0;

  void add(unsigned char c) noexcept {
    lo = static_cast<std::uint16_t>(lo | 1u << (c & 0x0F));
    hi = static_cast<std::uint16_t>(hi | 1u << (c >> 4));
  }
  NibbleSet operator|(NibbleSet o) const noexcept {
    return {static_cast<std::uint16_t>(lo | o.lo), static_cast<std::uint16_t>(hi | o.hi)};
  }
  // Expected share of haystack bytes in the set, in arbitrary units: exp2 turns the log-like
  // frequency table back into something that adds up.
  double weight() const noexcept {
    double w = 0;
    for (unsigned h = hi; h != 0; h &= h - 1) {
      for (unsigned l = lo; l != 0; l &= l - 1) {
        w += std::exp2(kByteFrequency[(__builtin_ctz(h) << 4) | __builtin_ctz(l)] / 32.0);
      }
    }
    return w;
  }
};

struct Fingerprint {
  NibbleSet first, second;
  double rate() const noexcept { return first.weight() * second.weight(); }
  Fingerprint operator|(const Fingerprint& o) const noexcept {
    return {first | o.first, second | o.second};
  }
};

// Bucket (0..buckets-1) of each fingerprint. Sharing a bucket costs more than the sum of the
// parts, since the nibble sets also accept every cross combination ('O' and 'b' let 'o' and 'B'
// through too), so the fingerprints are merged greedily, always the two groups whose union adds
// the fewest expected false candidates.
std::vector<std::size_t> assign_buckets(const std::vector<Fingerprint>& prints,
                                        std::size_t buckets) {
  const std::size_t count = prints.size();
  std::vector<std::size_t> group(count);
  for (std::size_t i = 0; i < count; ++i) group[i] = i;
  if (count <= buckets) return group;

  std::vector<Fingerprint> merged = prints;
  std::vector<double> rate(count);
  for (std::size_t i = 0; i < count; ++i) rate[i] = merged[i].rate();
  std::vector<bool> alive(count, true);
  std::vector<double> extra(count * count);  // extra[i * count + j], i < j
  auto update = [&](std::size_t i, std::size_t j) {
    if (i > j) std::swap(i, j);
    extra[i * count + j] = (merged[i] | merged[j]).rate() - rate[i] - rate[j];
  };
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t j = i + 1; j < count; ++j) update(i, j);
  }
  for (std::size_t groups = count; groups > buckets; --groups) {
    std::size_t bi = 0, bj = 0;
    double best = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (!alive[i]) continue;
      for (std::size_t j = i + 1; j < count; ++j) {
        if (alive[j] && ((bi == bj) || extra[i * count + j] < best)) {
          bi = i, bj = j, best = extra[i * count + j];
        }
      }
    }
    merged[bi] = merged[bi] | merged[bj];
    rate[bi] = merged[bi].rate();
    alive[bj] = false;
    for (std::size_t& g : group) g = g == bj ? bi : g;
    for (std::size_t k = 0; k < count; ++k) {
      if (alive[k] && k != bi) update(bi, k);
    }
  }
  // Number the surviving groups 0, 1, ...
  std::vector<std::size_t> number(count, 0);
  for (std::size_t i = 0, next = 0; i < count; ++i) {
    if (alive[i]) number[i] = next++;
  }
  for (std::size_t& g : group) g = number[g];
  return group;
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

bool contains_nul(std::string_view bytes) noexcept {
  return std::memchr(bytes.data(), '\0', bytes.size()) != nullptr;
}

std::size_t line_end_at(std::string_view text, std::size_t pos) noexcept {
  const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
  return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
}

void note_first_nul(std::string_view text, std::size_t from, std::size_t stop, std::size_t* first_nul) noexcept {
  const void* nul = from < stop ? std::memchr(text.data() + from, '\0', stop - from) : nullptr;
  if (nul != nullptr) *first_nul = static_cast<std::size_t>(static_cast<const char*>(nul) - text.data());
}

std::size_t LiteralSearcher::find(std::string_view haystack, std::size_t from,
                                  std::size_t* first_nul) const noexcept {
  return first_nul == nullptr ? find_impl(haystack, from, avx2_) : find_watching_nul(haystack, from, avx2_, first_nul);
}

std::size_t LiteralSearcher::find_watching_nul(std::string_view haystack, std::size_t from, bool avx2,
                                               std::size_t* first_nul) const noexcept {
  const std::size_t n = haystack.size();
  const std::size_t m = folded_.size();
  const char* hay = haystack.data();
#if LOGSIFT_HAVE_X86_SIMD
  if (avx2 && m >= 2 && m <= n && from <= n - m) {
    const Pair pr{folded_.data(), m, rare1_, rare2_, rare1_byte_, rare1_fold_, rare2_byte_,
                  rare2_fold_};
    return fold_ ? find_pair_avx2<true, true>(hay, from, n - m + 1, pr, first_nul)
                 : find_pair_avx2<false, true>(hay, from, n - m + 1, pr, first_nul);
  }
#endif
  const std::size_t found = find_impl(haystack, from, avx2);
  note_first_nul(haystack, from, std::min(found, haystack.size()), first_nul);
  return found;
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

  // Fingerprint: the adjacent pair of bytes that is rarest by pair_cost. Ties go to the earlier
  // pair, which keeps max_anchor_ and with it the lookahead after a hit short.
  struct Entry {
    std::string needle;
    std::size_t anchor = 0;
    unsigned char c1 = 0, c2 = 0;
  };
  std::vector<Entry> entries;
  for (std::string& needle : kept) {
    Entry e;
    int best_cost = 0;
    for (std::size_t k = 0; k + 1 < needle.size(); ++k) {
      const int cost = pair_cost(static_cast<unsigned char>(needle[k]),
                                 static_cast<unsigned char>(needle[k + 1]), fold_);
      if (k == 0 || cost < best_cost) best_cost = cost, e.anchor = k;
    }
    e.c1 = static_cast<unsigned char>(needle[e.anchor]);
    e.c2 = needle.size() > 1 ? static_cast<unsigned char>(needle[e.anchor + 1]) : 0;
    e.needle = std::move(needle);
    entries.push_back(std::move(e));
  }
  // Up to 8 needles get a bucket each; more share them.
  auto accepted = [&](unsigned char c) {
    NibbleSet set;
    set.add(c);
    if (fold_) set.add(ascii_upper(c));
    return set;
  };
  std::vector<Fingerprint> prints;
  for (const Entry& e : entries) {
    const NibbleSet any{0xFFFF, 0xFFFF};
    prints.push_back({accepted(e.c1), e.needle.size() > 1 ? accepted(e.c2) : any});
  }
  const std::vector<std::size_t> bucket_of = assign_buckets(prints, kBuckets);

  auto accept = [&](unsigned char c, std::uint8_t bit, std::array<std::uint8_t, 256>& table,
                    std::array<std::uint8_t, 16>& lo, std::array<std::uint8_t, 16>& hi) {
    for (unsigned char x : {c, fold_ ? ascii_upper(c) : c}) {
      table[x] |= bit;
      lo[x & 0x0F] |= bit;
      hi[x >> 4] |= bit;
    }
  };
  min_size_ = entries.front().needle.size();
  min_anchor_ = entries.front().anchor;
  for (std::size_t bucket = 0; bucket < kBuckets; ++bucket) {
    bucket_begin_[bucket] = needles_.size();
    const auto bit = static_cast<std::uint8_t>(1u << bucket);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (bucket_of[i] != bucket) continue;
      const Entry& e = entries[i];
      accept(e.c1, bit, first_, first_lo_, first_hi_);
      if (e.needle.size() > 1) {
        accept(e.c2, bit, second_, second_lo_, second_hi_);
      } else {
        for (auto& x : second_) x |= bit;
        for (auto& x : second_lo_) x |= bit;
        for (auto& x : second_hi_) x |= bit;
        one_byte_buckets_ |= bit;
      }
      needles_.push_back(detail::MultiNeedle{pool_.size(), e.needle.size(), e.anchor});
      pool_ += e.needle;
      min_size_ = std::min(min_size_, e.needle.size());
      min_anchor_ = std::min(min_anchor_, e.anchor);
      max_anchor_ = std::max(max_anchor_, e.anchor);
    }
  }
  bucket_begin_[kBuckets] = needles_.size();
  ascii_ = std::all_of(first_.begin() + 0x80, first_.end(), [](auto x) { return x == 0; }) &&
           std::all_of(second_.begin() + 0x80, second_.end(), [](auto x) { return x == 0; });
}

std::size_t MultiLiteralSearcher::find(std::string_view haystack, std::size_t from,
                                       std::size_t* first_nul) const noexcept {
  if (first_nul == nullptr) return find_impl(haystack, from, avx2_);
  if (single_) return single_->find_watching_nul(haystack, from, avx2_, first_nul);
  const std::size_t found = find_impl(haystack, from, avx2_);
  note_first_nul(haystack, from, std::min(found, haystack.size()), first_nul);
  return found;
}

std::size_t MultiLiteralSearcher::find_impl(std::string_view haystack, std::size_t from,
                                            bool avx2) const noexcept {
  if (single_) {
    return avx2 ? single_->find(haystack, from) : detail::find_portable(*single_, haystack, from);
  }
  const std::size_t n = haystack.size();
  if (needles_.empty() || from > n || n - from < min_size_) return std::string_view::npos;
  const char* hay = haystack.data();
  const MultiView mv{pool_.data(),      needles_.data(),   bucket_begin_.data(),
                     max_anchor_,       first_.data(),     second_.data(),
                     first_lo_.data(),  first_hi_.data(),  second_lo_.data(),
                     second_hi_.data()};

  // Starts lie in [from, limit), so anchors in [from + min_anchor, limit + max_anchor); the last
  // byte is scanned separately since it has no successor to pair with.
  const std::size_t limit = n - min_size_ + 1;
  const std::size_t q = from + min_anchor_;
  const std::size_t q_end = std::min(limit + max_anchor_, n - 1);
  std::size_t best = limit;
#if LOGSIFT_HAVE_X86_SIMD
  if (avx2 && q < q_end) {
    using Scan = std::size_t (*)(const char*, std::size_t, std::size_t, std::size_t, std::size_t,
                                 std::size_t, const MultiView&) noexcept;
    constexpr Scan scans[2][2] = {{scan_anchors_avx2<false, false>, scan_anchors_avx2<false, true>},
                                  {scan_anchors_avx2<true, false>, scan_anchors_avx2<true, true>}};
    best = scans[fold_][ascii_](hay, n, from, q, q_end, best, mv);
  }
#else
  avx2 = false;
#endif
  if (!avx2 && q < q_end) {
    best = fold_ ? scan_anchors_scalar<true>(hay, n, from, q, q_end, best, mv)
                 : scan_anchors_scalar<false>(hay, n, from, q, q_end, best, mv);
  }
  // Only a one-byte needle can start at the last byte.
  const unsigned last = first_[static_cast<unsigned char>(hay[n - 1])] & one_byte_buckets_;
  if (last != 0) {
    best = fold_ ? verify_anchor<true>(hay, n, from, n - 1, last, best, mv)
                 : verify_anchor<false>(hay, n, from, n - 1, last, best, mv);
  }
  return best < limit ? best : std::string_view::npos;
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
