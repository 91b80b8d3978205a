// The decompressors read files named on the command line, so anything may arrive: they may fail
// only with InputError, and must decode exactly what was compressed, however the compressed bytes
// are chunked. Checked three ways:
//   - raw fuzz bytes through format detection, and through each forced format: only InputError;
//   - the payload compressed here with zlib/bzip2/xz/zstd (one or two members/frames/streams):
//     decoding gives back exactly the payload, without an error;
//   - that compressed data cut short: what comes out is a prefix of the payload, followed by an
//     InputError (never silent truncation, never bytes that were not compressed).
//
// Input: [mode] [seed] [payload...]
//   mode % 8: 0 detect on raw bytes, 1 forced format (bits 4-6 pick it) on raw bytes,
//             2 gzip, 3 bzip2, 4 xz, 5 zstd round trip, 6-7 like 2-5 with a byte flipped
//   mode bit 3: cut the compressed data short; bit 7: two members back to back
#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "chunked_stream.hpp"
#include "logsift/decompress.hpp"
#include "logsift/error.hpp"

namespace {

using logsift::Compression;

// Far more than any 64 KiB fuzz input legitimately decodes to through gzip, xz or zstd, and the
// point at which a bzip2 or xz bomb stops being decoded (a timeout is not a finding).
constexpr std::size_t kOutputCap = std::size_t{64} << 20;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_decompress: %s\n", what);
  std::abort();
}

std::string gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) fail("deflateInit2");
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) fail("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string bzip2(std::string_view data) {
  std::string out(data.size() + data.size() / 100 + 600, '\0');
  auto size = static_cast<unsigned>(out.size());
  if (BZ2_bzBuffToBuffCompress(out.data(), &size, const_cast<char*>(data.data()), static_cast<unsigned>(data.size()),
                               1, 0, 0) != BZ_OK) {
    fail("BZ2_bzBuffToBuffCompress");
  }
  out.resize(size);
  return out;
}

std::string xz(std::string_view data) {
  std::string out(lzma_stream_buffer_bound(data.size()), '\0');
  std::size_t size = 0;
  if (lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, nullptr, reinterpret_cast<const std::uint8_t*>(data.data()),
                              data.size(), reinterpret_cast<std::uint8_t*>(out.data()), &size, out.size()) != LZMA_OK) {
    fail("lzma_easy_buffer_encode");
  }
  out.resize(size);
  return out;
}

std::string zstd(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const std::size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 1);
  if (ZSTD_isError(size)) fail("ZSTD_compress");
  out.resize(size);
  return out;
}

struct Decoded {
  std::string bytes;
  bool input_error = false;
};

Decoded decode(std::unique_ptr<logsift::ByteStream> stream) {
  Decoded result;
  try {
    for (;;) {
      const logsift::Block block = stream->next();
      if (block.bytes.empty()) break;
      if (block.has_nul != (block.bytes.find('\0') != std::string_view::npos)) fail("has_nul is wrong");
      result.bytes.append(block.bytes);
      if (result.bytes.size() > kOutputCap) break;
    }
  } catch (const logsift::InputError& error) {
    if (std::string_view(error.what()).empty()) fail("InputError without a message");
    result.input_error = true;
  }
  return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t mode = data[0];
  const std::uint8_t seed = data[1];
  const std::string_view payload(reinterpret_cast<const char*>(data) + 2, size - 2);
  using logsift_fuzz::ChunkedStream;

  const unsigned kind = mode % 8;
  if (kind == 0) {
    const Decoded out = decode(logsift::decompressing_stream(std::make_unique<ChunkedStream>(payload, seed)));
    // Input without a known magic number passes through unchanged.
    if (!out.input_error && out.bytes.size() < kOutputCap && !payload.empty()) {
      const auto first = static_cast<unsigned char>(payload[0]);
      if (first != 0x1f && first != 'B' && first != 0xfd && first != 0x28 && (first & 0xf0) != 0x50 &&
          out.bytes != payload) {
        fail("input without a magic number was not passed through unchanged");
      }
    }
    return 0;
  }
  if (kind == 1) {
    static constexpr Compression formats[] = {Compression::none, Compression::gzip, Compression::bzip2,
                                              Compression::xz,   Compression::zstd};
    const Compression format = formats[((mode >> 4) & 7) % 5];
    (void)decode(logsift::decompressing_stream(std::make_unique<ChunkedStream>(payload, seed), format));
    return 0;
  }

  const unsigned codec = (kind - 2) % 4;
  const bool flip = kind >= 6;
  std::string compressed;
  std::string expected;
  std::size_t first_member = 0;
  for (int member = 0; member < ((mode & 0x80) ? 2 : 1); ++member) {
    switch (codec) {
      case 0: compressed += gzip(payload); break;
      case 1: compressed += bzip2(payload); break;
      case 2: compressed += xz(payload); break;
      default: compressed += zstd(payload); break;
    }
    expected += payload;
    if (member == 0) first_member = compressed.size();
  }

  bool cut = false;
  if ((mode & 8) != 0 && compressed.size() > 8) {
    // Past every magic number (6 bytes for xz), short of the end.
    const std::size_t keep = 6 + (static_cast<std::size_t>(seed) * 7919) % (compressed.size() - 6);
    compressed.resize(keep);
    // Cut exactly between two members, the data left is one whole member.
    cut = keep != first_member;
    if (!cut) expected.resize(payload.size());
  }
  if (flip) {
    // After the magic number, so that the data is still recognised as compressed.
    const std::size_t at = 6 + (static_cast<std::size_t>(seed) * 104729) % (compressed.size() > 6 ? compressed.size() - 6 : 1);
    if (at < compressed.size()) compressed[at] = static_cast<char>(compressed[at] ^ (1 + (seed >> 2)));
  }

  const Decoded out = decode(logsift::decompressing_stream(std::make_unique<ChunkedStream>(compressed, seed)));
  if (flip) return 0;  // only no crash and no other exception: zstd has no checksum by default
  if (expected.compare(0, out.bytes.size(), out.bytes) != 0 || out.bytes.size() > expected.size()) {
    fail("decoded bytes are not (a prefix of) the payload");
  }
  if (!cut) {
    if (out.input_error) fail("InputError on intact compressed data");
    if (out.bytes.size() != expected.size()) fail("decoded data is shorter than the payload");
  } else if (!out.input_error) {
    fail("compressed data cut short decoded without an InputError");
  }
  return 0;
}
