// Decompression: one more ByteStream, placed between a raw input and the line splitter, that
// decodes gzip, bzip2, xz or zstd as it goes, in constant memory (one output buffer plus the
// library's own state) whatever the size of the input. Concatenated members, streams and frames
// are decoded one after the other. Corrupt or truncated data throws InputError, but only after
// every byte that decoded before it has been handed out.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "logsift/byte_stream.hpp"

namespace logsift {

enum class Compression { none, gzip, bzip2, xz, zstd };

// What a decoder may allocate for the window the data declares (an xz dictionary, a zstd window)
// unless told otherwise: zstd's own default, and more than any xz preset needs (-9: 64 MiB). Data
// that declares more fails with an InputError that names --decompress-memory, before allocating.
constexpr std::uint64_t kDefaultDecodeMemory = std::uint64_t{128} << 20;

// Recognises the format by the magic number at the start of `raw` (gzip 1f 8b 08, bzip2 "BZh1"
// to "BZh9", xz fd 37 7a 58 5a 00, zstd 28 b5 2f fd or a zstd skippable frame) and returns a
// stream of the decoded bytes; input that starts with none of them passes through unchanged.
// Detection reads on until it can decide (a pipe may deliver a byte at a time) and loses nothing.
// Nothing is read before the first next().
std::unique_ptr<ByteStream> decompressing_stream(std::unique_ptr<ByteStream> raw,
                                                 std::uint64_t memory_limit = kDefaultDecodeMemory);

// Decodes `raw` as `format` whatever it starts with (data of another kind fails as corrupt).
// Compression::none means "detect, but it must be compressed": input that is not throws
// InputError("not a compressed file") from the first next().
std::unique_ptr<ByteStream> decompressing_stream(std::unique_ptr<ByteStream> raw, Compression format,
                                                 std::uint64_t memory_limit = kDefaultDecodeMemory);

// The format the first bytes of an input announce, by the same magic numbers: none when they
// announce none, also when `head` is too short to hold a whole one.
Compression compression_announced(std::string_view head);

// "none", "gzip", "bzip2", "xz" or "zstd": the prefix of this module's error messages too.
std::string_view compression_name(Compression format);

}  // namespace logsift
