#include "logsift/decompress.hpp"

#define ZLIB_CONST  // next_in as a pointer to const: zlib never writes through it
#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <utility>

#include "logsift/byte_scan.hpp"
#include "logsift/error.hpp"

namespace logsift {
namespace {

// One output buffer per decoder: large enough that the splitter sees few block edges, small
// enough that many open inputs cost little.
constexpr std::size_t kOutputSize = std::size_t{256} * 1024;


// ---- Detection ----------------------------------------------------------------------------

// A magic number as ranges of byte values, since bzip2 ends its magic with the block size
// digit and zstd's skippable frames take sixteen values in their first byte.
struct ByteRange {
  unsigned char low, high;
};

constexpr std::size_t kLongestMagic = 6;

struct Magic {
  Compression format;
  std::size_t length;
  ByteRange bytes[kLongestMagic];
};

// gzip's third byte (method 8, deflate, the only one ever defined) and bzip2's digit keep text
// that merely starts with 0x1f or "BZh" from being taken for an archive.
constexpr Magic kMagics[] = {
    {Compression::gzip, 3, {{0x1f, 0x1f}, {0x8b, 0x8b}, {0x08, 0x08}}},
    {Compression::bzip2, 4, {{'B', 'B'}, {'Z', 'Z'}, {'h', 'h'}, {'1', '9'}}},
    {Compression::xz, 6, {{0xfd, 0xfd}, {'7', '7'}, {'z', 'z'}, {'X', 'X'}, {'Z', 'Z'}, {0x00, 0x00}}},
    {Compression::zstd, 4, {{0x28, 0x28}, {0xb5, 0xb5}, {0x2f, 0x2f}, {0xfd, 0xfd}}},
    {Compression::zstd, 4, {{0x50, 0x5f}, {0x2a, 0x2a}, {0x4d, 0x4d}, {0x18, 0x18}}},  // skippable frame
};

// The format `head` announces; nullopt while `head` is a proper prefix of some magic number, so
// that more bytes could still make it one.
std::optional<Compression> classify(std::string_view head) {
  bool undecided = false;
  for (const Magic& magic : kMagics) {
    std::size_t i = 0;
    while (i < magic.length && i < head.size()) {
      const auto byte = static_cast<unsigned char>(head[i]);
      if (byte < magic.bytes[i].low || byte > magic.bytes[i].high) break;
      ++i;
    }
    if (i == magic.length) return magic.format;
    if (i == head.size()) undecided = true;
  }
  if (undecided) return std::nullopt;
  return Compression::none;
}

// Wraps the raw stream so that detection can look at its first bytes and then hand every one of
// them on. Only bytes of blocks too short to decide on are copied (fewer than kLongestMagic); the
// block that settles it is replayed in place, as it stays valid until raw's next call.
class PeekedStream final : public ByteStream {
 public:
  explicit PeekedStream(std::unique_ptr<ByteStream> raw) : raw_(std::move(raw)) {}

  // Reads until the start of the input settles the format. Read errors are held back and
  // thrown by next() after the bytes that came before them.
  Compression detect() {
    for (;;) {
      std::string probe = head_;
      probe.append(held_.bytes.substr(0, kLongestMagic));
      const std::optional<Compression> format = classify(probe);
      if (format) return *format;
      if (ended_) return Compression::none;
      head_.append(held_.bytes);
      held_ = {};
      try {
        held_ = raw_->next();
        if (held_.bytes.empty()) ended_ = true;
      } catch (...) {
        error_ = std::current_exception();
        ended_ = true;
      }
    }
  }

  bool read_failed() const { return error_ != nullptr; }

  Block next() override {
    switch (stage_) {
      case Stage::head:
        stage_ = Stage::held;
        if (!head_.empty()) return Block{head_, contains_nul(head_)};
        [[fallthrough]];
      case Stage::held:
        stage_ = Stage::rest;
        if (!held_.bytes.empty()) return held_;
        [[fallthrough]];
      case Stage::rest:
        if (error_) std::rethrow_exception(std::exchange(error_, {}));
        if (ended_) return {};
        return raw_->next();
    }
    return {};
  }

 private:
  enum class Stage { head, held, rest };

  std::unique_ptr<ByteStream> raw_;
  std::string head_;  // copies of blocks too short to decide on
  Block held_;        // the last block read while detecting, not copied
  bool ended_ = false;
  std::exception_ptr error_;
  Stage stage_ = Stage::head;
};

// ---- Decoding -------------------------------------------------------------------------------

// What one call into a library did.
struct Step {
  std::size_t consumed = 0;
  std::size_t produced = 0;
  bool end = false;        // a member (stream, frame) ended here with all its output produced
  bool bad_magic = false;  // a member does not start like this format
  std::string_view error;  // non-empty: the data is corrupt
  bool cut_or_memory = false;  // the error is a truncation or a memory limit, not bytes of another kind
};

// How much of the input a decoder keeps while nothing has decoded, so that it can hand the input
// on as it is if the first member turns out not to be compressed data (text that starts with
// "BZh9"). Every format fails on such text within its first block.
constexpr std::size_t kReplayLimit = std::size_t{1} << 20;

// The loop common to all formats: feed raw blocks in, fill the output buffer, and keep the
// ordering promise (decoded bytes first, then the error). Subclasses wrap one library call.
class Decoder : public ByteStream {
 public:
  Decoder(Compression format, std::unique_ptr<ByteStream> input, bool pads_with_zeros)
      : format_(format),
        input_(std::move(input)),
        out_(std::make_unique_for_overwrite<char[]>(kOutputSize)),
        pads_with_zeros_(pads_with_zeros) {}

  // Detected by magic bytes only: if the first member fails on its data before decoding a byte,
  // the input is handed on as it is (grep would search those bytes; an archive cut short or over
  // the memory limit still fails).
  void fall_back_to_raw() { recording_ = true; }

  Block next() final {
    if (raw_) return next_raw();
    if (finished_) return {};
    if (pending_error_) {
      finished_ = true;
      std::rethrow_exception(std::exchange(pending_error_, {}));
    }
    std::size_t filled = 0;
    try {
      filled = fill();
    } catch (...) {  // a read error from the raw stream: nothing decoded is waiting (see fill)
      finished_ = true;
      throw;
    }
    if (raw_) return next_raw();
    if (filled == 0) {
      finished_ = true;
      if (pending_error_) std::rethrow_exception(std::exchange(pending_error_, {}));
      return {};
    }
    const std::string_view bytes(out_.get(), filled);
    return Block{bytes, contains_nul(bytes)};
  }

 protected:
  virtual Step decode(std::string_view in, char* out, std::size_t out_size, bool input_ended) = 0;
  // Prepares for a member after the first.
  virtual void restart() {}

 private:
  // Decodes into out_ until it is full, the input ends, or more input is needed and some output
  // is ready: a pipe's reader gets what the writer has sent so far rather than waiting on it.
  // Returns the bytes produced; sets pending_error_ on bad data.
  std::size_t fill() {
    std::size_t filled = 0;
    while (filled < kOutputSize) {
      if (in_.empty() && starved_ && !input_ended_) {
        if (filled > 0) break;
        // Reading only with nothing in hand means a read error can simply propagate.
        if (recording_) keep_for_replay();
        block_ = input_->next();
        in_ = block_.bytes;
        if (in_.empty()) input_ended_ = true;
      }
      if (!in_member_) {
        if (pads_with_zeros_ && members_ > 0) {  // what gzip and bzip2 ignore after a member
          const std::size_t data = in_.find_first_not_of('\0');
          in_.remove_prefix(data == std::string_view::npos ? in_.size() : data);
        }
        if (in_.empty()) {
          if (!input_ended_) {
            starved_ = true;
            continue;
          }
          if (members_ == 0) fail("unexpected end of input");  // not even one member
          break;
        }
        if (members_ > 0) restart();
        ++members_;
        in_member_ = true;
      }
      const Step step = decode(in_, out_.get() + filled, kOutputSize - filled, input_ended_);
      in_.remove_prefix(step.consumed);
      filled += step.produced;
      if ((filled > 0 || step.end || members_ > 1) && recording_) {
        recording_ = false;
        std::string().swap(replay_);
      }
      if (recording_ && (step.bad_magic || (!step.error.empty() && !step.cut_or_memory))) {
        raw_ = true;  // not this format after all
        break;
      }
      if (step.bad_magic) {
        fail(members_ == 1 ? "not in " + std::string(compression_name(format_)) + " format"
                           : "trailing garbage after compressed data");
        break;
      }
      if (!step.error.empty()) {
        fail(step.error);
        break;
      }
      if (step.end) {
        in_member_ = false;
        starved_ = true;
        continue;
      }
      // Output space left over means the library took all the input it could use.
      starved_ = filled < kOutputSize;
      if (step.consumed == 0 && step.produced == 0) {
        if (!in_.empty()) {  // with input and room to write, no progress is a broken stream
          fail("corrupt data");
          break;
        }
        if (input_ended_) {
          fail("unexpected end of input");
          break;
        }
      }
    }
    return filled;
  }

  // Keeps the block about to be replaced, while it may still have to be handed on.
  void keep_for_replay() {
    if (replay_.size() + block_.bytes.size() > kReplayLimit) {
      recording_ = false;
      std::string().swap(replay_);
      return;
    }
    replay_.append(block_.bytes);
  }

  // The input as it is: the blocks kept, the one in hand (still valid), then the rest.
  Block next_raw() {
    if (!replay_.empty()) {
      replay_out_ = std::exchange(replay_, {});
      return Block{replay_out_, contains_nul(replay_out_)};
    }
    if (!block_.bytes.empty()) return std::exchange(block_, Block{});
    if (input_ended_) return {};
    Block block = input_->next();
    if (block.bytes.empty()) input_ended_ = true;
    return block;
  }

  void fail(std::string_view what) {
    std::string message(compression_name(format_));
    message += ": ";
    message += what;
    pending_error_ = std::make_exception_ptr(InputError(message));
  }

  Compression format_;
  std::unique_ptr<ByteStream> input_;
  std::unique_ptr<char[]> out_;
  bool pads_with_zeros_;
  Block block_;              // the current raw block
  std::string_view in_;      // the unread rest of it
  bool input_ended_ = false;
  bool starved_ = true;      // the library needs input before it can produce more
  bool in_member_ = false;
  std::size_t members_ = 0;  // members begun
  bool finished_ = false;
  std::exception_ptr pending_error_;
  bool recording_ = false;   // nothing decoded yet, and fall_back_to_raw was asked for
  bool raw_ = false;         // the input turned out not to be compressed: handed on as it is
  std::string replay_;       // the raw blocks read before block_, while recording
  std::string replay_out_;   // ... once handed out
};

std::string mib(std::uint64_t bytes) { return std::to_string((bytes + (std::uint64_t{1} << 20) - 1) >> 20) + " MiB"; }

// The message for data that declares more memory than the limit: `what` says how much.
std::string over_limit(const std::string& what, std::uint64_t limit) {
  return what + " the " + mib(limit) + " limit (--decompress-memory=SIZE raises it)";
}

// Lengths in the C interfaces are unsigned int: larger blocks are fed in pieces.
unsigned int clamp_uint(std::size_t size) { return static_cast<unsigned int>(std::min<std::size_t>(size, UINT_MAX)); }

class GzipDecoder final : public Decoder {
 public:
  explicit GzipDecoder(std::unique_ptr<ByteStream> input) : Decoder(Compression::gzip, std::move(input), true) {
    // 16 + 15: gzip wrapping only, so that raw zlib data is not silently accepted.
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) throw std::bad_alloc();
  }
  ~GzipDecoder() override { inflateEnd(&z_); }

 private:
  Step decode(std::string_view in, char* out, std::size_t out_size, bool) override {
    z_.next_in = reinterpret_cast<const Bytef*>(in.data());
    z_.avail_in = clamp_uint(in.size());
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = clamp_uint(out_size);
    const unsigned int avail_in = z_.avail_in, avail_out = z_.avail_out;
    const int status = inflate(&z_, Z_NO_FLUSH);
    Step step;
    step.consumed = avail_in - z_.avail_in;
    step.produced = avail_out - z_.avail_out;
    switch (status) {
      case Z_OK:
      case Z_BUF_ERROR:  // no progress possible: the caller tells a truncation from a pause
        break;
      case Z_STREAM_END:
        step.end = true;
        break;
      case Z_MEM_ERROR:
        step.error = "out of memory";
        step.cut_or_memory = true;
        break;
      default:
        // zlib's word for a header that is not gzip's, in gzip-only mode.
        if (z_.msg != nullptr && std::strcmp(z_.msg, "incorrect header check") == 0) {
          step.bad_magic = true;
        } else {
          step.error = z_.msg != nullptr ? z_.msg : "corrupt data";
        }
    }
    return step;
  }

  void restart() override { inflateReset(&z_); }

  z_stream z_{};
};

class Bzip2Decoder final : public Decoder {
 public:
  explicit Bzip2Decoder(std::unique_ptr<ByteStream> input) : Decoder(Compression::bzip2, std::move(input), true) {
    init();
  }
  ~Bzip2Decoder() override { BZ2_bzDecompressEnd(&s_); }

 private:
  void init() {
    s_ = bz_stream{};
    if (BZ2_bzDecompressInit(&s_, 0, 0) != BZ_OK) throw std::bad_alloc();
  }

  Step decode(std::string_view in, char* out, std::size_t out_size, bool) override {
    s_.next_in = const_cast<char*>(in.data());  // libbz2 only reads through it
    s_.avail_in = clamp_uint(in.size());
    s_.next_out = out;
    s_.avail_out = clamp_uint(out_size);
    const unsigned int avail_in = s_.avail_in, avail_out = s_.avail_out;
    const int status = BZ2_bzDecompress(&s_);
    Step step;
    step.consumed = avail_in - s_.avail_in;
    step.produced = avail_out - s_.avail_out;
    switch (status) {
      case BZ_OK:
        break;
      case BZ_STREAM_END:
        step.end = true;
        break;
      case BZ_DATA_ERROR_MAGIC:
        step.bad_magic = true;
        break;
      case BZ_MEM_ERROR:
        step.error = "out of memory";
        step.cut_or_memory = true;
        break;
      default:
        step.error = "corrupt data";
    }
    return step;
  }

  // A finished bzip2 stream cannot be reset: the next one (pbzip2 writes many) needs new state.
  void restart() override {
    BZ2_bzDecompressEnd(&s_);
    init();
  }

  bz_stream s_{};
};

class XzDecoder final : public Decoder {
 public:
  XzDecoder(std::unique_ptr<ByteStream> input, std::uint64_t memory_limit)
      : Decoder(Compression::xz, std::move(input), false), memory_limit_(std::max<std::uint64_t>(memory_limit, 1)) {
    // LZMA_CONCATENATED: liblzma itself walks over further streams and their padding, and so
    // reports the end only when told the input is over (LZMA_FINISH). The limit keeps a header
    // that declares a huge dictionary from costing that much memory.
    if (lzma_stream_decoder(&s_, memory_limit_, LZMA_CONCATENATED) != LZMA_OK) throw std::bad_alloc();
  }
  ~XzDecoder() override { lzma_end(&s_); }

 private:
  Step decode(std::string_view in, char* out, std::size_t out_size, bool input_ended) override {
    s_.next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    s_.avail_in = in.size();
    s_.next_out = reinterpret_cast<std::uint8_t*>(out);
    s_.avail_out = out_size;
    const lzma_ret status = lzma_code(&s_, input_ended ? LZMA_FINISH : LZMA_RUN);
    Step step;
    step.consumed = in.size() - s_.avail_in;
    step.produced = out_size - s_.avail_out;
    switch (status) {
      case LZMA_OK:
        break;
      case LZMA_STREAM_END:
        step.end = true;
        break;
      case LZMA_BUF_ERROR:
        step.error = "unexpected end of input";
        step.cut_or_memory = true;
        break;
      case LZMA_FORMAT_ERROR:
        step.bad_magic = true;
        break;
      case LZMA_OPTIONS_ERROR:
        step.error = "unsupported options";
        break;
      case LZMA_MEM_ERROR:
        step.error = "out of memory";
        step.cut_or_memory = true;
        break;
      case LZMA_MEMLIMIT_ERROR:
        error_ = over_limit("needs " + mib(lzma_memusage(&s_)) + " of memory, over", memory_limit_);
        step.error = error_;
        step.cut_or_memory = true;
        break;
      default:
        step.error = "corrupt data";
    }
    return step;
  }

  lzma_stream s_ = LZMA_STREAM_INIT;
  std::uint64_t memory_limit_;
  std::string error_;  // keeps step.error's text alive
};

class ZstdDecoder final : public Decoder {
 public:
  ZstdDecoder(std::unique_ptr<ByteStream> input, std::uint64_t memory_limit)
      : Decoder(Compression::zstd, std::move(input), false), context_(ZSTD_createDCtx()), memory_limit_(memory_limit) {
    if (context_ == nullptr) throw std::bad_alloc();
    // The largest window within the limit (a power of two), as far as zstd allows.
    const ZSTD_bounds bounds = ZSTD_dParam_getBounds(ZSTD_d_windowLogMax);
    int log = 0;
    while (log < 62 && (std::uint64_t{2} << log) <= memory_limit) ++log;
    log = std::clamp(log, bounds.lowerBound, bounds.upperBound);
    ZSTD_DCtx_setParameter(context_, ZSTD_d_windowLogMax, log);
  }
  ~ZstdDecoder() override { ZSTD_freeDCtx(context_); }

 private:
  // Frames follow one another with no reset: after a frame the context expects a new one.
  Step decode(std::string_view in, char* out, std::size_t out_size, bool) override {
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    ZSTD_outBuffer output{out, out_size, 0};
    const std::size_t status = ZSTD_decompressStream(context_, &output, &input);
    Step step;
    step.consumed = input.pos;
    step.produced = output.pos;
    if (ZSTD_isError(status)) {
      if (ZSTD_getErrorCode(status) == ZSTD_error_prefix_unknown) {
        step.bad_magic = true;
      } else if (ZSTD_getErrorCode(status) == ZSTD_error_frameParameter_windowTooLarge) {
        error_ = over_limit("a frame needs a window larger than", memory_limit_);
        step.error = error_;
        step.cut_or_memory = true;
      } else {
        step.cut_or_memory = ZSTD_getErrorCode(status) == ZSTD_error_memory_allocation;
        error_ = ZSTD_getErrorName(status);
        if (!error_.empty()) error_[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(error_[0])));
        step.error = error_;
      }
    } else if (status == 0) {  // a frame is complete and flushed
      step.end = true;
    }
    return step;
  }

  ZSTD_DCtx* context_;
  std::uint64_t memory_limit_;
  std::string error_;  // keeps step.error's text alive
};

std::unique_ptr<ByteStream> make_decoder(Compression format, std::unique_ptr<ByteStream> input,
                                         std::uint64_t memory_limit, bool fall_back_to_raw = false) {
  std::unique_ptr<Decoder> decoder;
  switch (format) {
    case Compression::gzip:
      decoder = std::make_unique<GzipDecoder>(std::move(input));
      break;
    case Compression::bzip2:
      decoder = std::make_unique<Bzip2Decoder>(std::move(input));
      break;
    case Compression::xz:
      decoder = std::make_unique<XzDecoder>(std::move(input), memory_limit);
      break;
    case Compression::zstd:
      decoder = std::make_unique<ZstdDecoder>(std::move(input), memory_limit);
      break;
    case Compression::none:
      return input;
  }
  if (fall_back_to_raw) decoder->fall_back_to_raw();
  return decoder;
}

// Decides on the first next(), then hands every call to the decoder or the peeked raw stream.
class DetectingStream final : public ByteStream {
 public:
  DetectingStream(std::unique_ptr<ByteStream> raw, bool must_be_compressed, std::uint64_t memory_limit)
      : raw_(std::move(raw)), must_be_compressed_(must_be_compressed), memory_limit_(memory_limit) {}

  Block next() override {
    if (!inner_) {
      if (!raw_) return {};  // detection already failed and said so
      auto peeked = std::make_unique<PeekedStream>(std::move(raw_));
      const Compression format = peeked->detect();
      // A read error says more than "not a compressed file": let the peeked stream throw it.
      if (format == Compression::none && must_be_compressed_ && !peeked->read_failed()) {
        throw InputError("not a compressed file");
      }
      inner_ = make_decoder(format, std::move(peeked), memory_limit_, !must_be_compressed_);
    }
    return inner_->next();
  }

 private:
  std::unique_ptr<ByteStream> raw_;
  bool must_be_compressed_;
  std::uint64_t memory_limit_;
  std::unique_ptr<ByteStream> inner_;
};

}  // namespace

std::unique_ptr<ByteStream> decompressing_stream(std::unique_ptr<ByteStream> raw, std::uint64_t memory_limit) {
  return std::make_unique<DetectingStream>(std::move(raw), false, memory_limit);
}

std::unique_ptr<ByteStream> decompressing_stream(std::unique_ptr<ByteStream> raw, Compression format,
                                                 std::uint64_t memory_limit) {
  if (format == Compression::none) return std::make_unique<DetectingStream>(std::move(raw), true, memory_limit);
  return make_decoder(format, std::move(raw), memory_limit);
}

Compression compression_announced(std::string_view head) { return classify(head).value_or(Compression::none); }

std::string_view compression_name(Compression format) {
  switch (format) {
    case Compression::none:
      return "none";
    case Compression::gzip:
      return "gzip";
    case Compression::bzip2:
      return "bzip2";
    case Compression::xz:
      return "xz";
    case Compression::zstd:
      return "zstd";
  }
  return "unknown";
}

}  // namespace logsift
