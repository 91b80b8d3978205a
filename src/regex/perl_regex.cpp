#define PCRE2_CODE_UNIT_WIDTH 8
#include "perl_regex.hpp"

#include <pcre2.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "logsift/error.hpp"

namespace logsift {
namespace {

// PCRE2's own default match limit (10 million backtracking steps): a catastrophic pattern such as
// (a*)*$ on a line of 50 a's reaches it in well under a second, as grep -P does.
constexpr std::uint32_t kMatchLimit = 10'000'000;
// The interpreter's backtracking memory, in KiB (PCRE2's default is 20 GB).
constexpr std::uint32_t kHeapLimitKiB = 256 * 1024;
// The JIT's stack starts small and grows, doubling, up to this, as grep's does.
constexpr std::size_t kJitStackFirst = 32 * 1024, kJitStackMost = std::size_t{64} << 20;

// What one thread needs to run matches: match data (the ovector) large enough for the pattern
// with the most groups seen so far, a match context with the limits, and a JIT stack. Matchers
// are shared between a thread and nobody else, but queries are const and may come from any
// thread, so this is per thread rather than per regex.
struct ThreadData {
  pcre2_match_data* data = nullptr;
  std::uint32_t pairs = 0;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* stack = nullptr;
  std::size_t stack_size = 0;

  ThreadData() {
    context = pcre2_match_context_create(nullptr);
    if (context == nullptr) throw std::bad_alloc();
    pcre2_set_match_limit(context, kMatchLimit);
    pcre2_set_heap_limit(context, kHeapLimitKiB);
    grow_stack(kJitStackFirst);
  }
  ~ThreadData() {
    pcre2_match_data_free(data);
    pcre2_jit_stack_free(stack);
    pcre2_match_context_free(context);
  }
  ThreadData(const ThreadData&) = delete;
  ThreadData& operator=(const ThreadData&) = delete;

  pcre2_match_data* match_data(std::uint32_t needed) {
    if (data == nullptr || pairs < needed) {
      pcre2_match_data_free(data);
      data = pcre2_match_data_create(needed, nullptr);
      if (data == nullptr) throw std::bad_alloc();
      pairs = needed;
    }
    return data;
  }

  bool grow_stack(std::size_t size) {
    if (size > kJitStackMost) return false;
    pcre2_jit_stack* bigger = pcre2_jit_stack_create(kJitStackFirst, size, nullptr);
    if (bigger == nullptr) return false;
    pcre2_jit_stack_free(stack);
    stack = bigger;
    stack_size = size;
    pcre2_jit_stack_assign(context, nullptr, stack);
    return true;
  }
};

ThreadData& thread_data() {
  thread_local ThreadData data;
  return data;
}

std::string error_text(int code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0) return fmt::format("PCRE2 error {}", code);
  return reinterpret_cast<const char*>(buffer);
}

}  // namespace

struct PerlRegex::Impl {
  pcre2_code* code = nullptr;
  std::uint32_t groups = 0;
  bool jit = false;
  ~Impl() { pcre2_code_free(code); }
};

PerlRegex::PerlRegex(const std::string& pattern, const MatcherOptions& options) : impl_(std::make_unique<Impl>()) {
  // GNU grep -P: -x anchors the whole, -w asks for no word character on either side; groups keep
  // their numbers.
  std::string wrapped = pattern;
  if (options.whole_line) {
    wrapped = "^(?:" + pattern + ")$";
  } else if (options.word) {
    wrapped = "(?<!\\w)(?:" + pattern + ")(?!\\w)";
  }
  // As grep -P in a UTF-8 locale: the pattern is UTF-8, and a subject that is not is still searched
  // (its invalid bytes match no character) rather than rejected.
  std::uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  if (options.ignore_case) flags |= PCRE2_CASELESS;
  int error = 0;
  PCRE2_SIZE offset = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(wrapped.data()), wrapped.size(), flags, &error, &offset,
                              nullptr);
  if (impl_->code == nullptr) {
    throw UsageError(fmt::format("invalid pattern {}: {}", quote(pattern), shorten(error_text(error))));
  }
  pcre2_pattern_info(impl_->code, PCRE2_INFO_CAPTURECOUNT, &impl_->groups);
  // Where the JIT is not available (or refuses), pcre2_match interprets instead.
  impl_->jit = pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE) == 0;
}

PerlRegex::~PerlRegex() = default;

bool PerlRegex::find_groups(std::string_view line, std::size_t from, std::vector<std::optional<Span>>& groups) const {
  groups.clear();
  if (from > line.size()) return false;
  ThreadData& thread = thread_data();
  pcre2_match_data* data = thread.match_data(impl_->groups + 1);
  int rc;
  for (;;) {
    rc = pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(line.data()), line.size(), from, 0, data,
                     thread.context);
    if (rc != PCRE2_ERROR_JIT_STACKLIMIT || !thread.grow_stack(thread.stack_size * 2)) break;
  }
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
      rc == PCRE2_ERROR_JIT_STACKLIMIT) {
    throw InputError("exceeded PCRE's backtracking limit");
  }
  if (rc < 0) throw InputError(fmt::format("PCRE2: {}", error_text(rc)));
  const PCRE2_SIZE* vector = pcre2_get_ovector_pointer(data);
  for (std::uint32_t i = 0; i <= impl_->groups; ++i) {
    if (vector[2 * i] == PCRE2_UNSET || static_cast<int>(i) >= rc) {
      groups.emplace_back(std::nullopt);
    } else {
      // \K can put a match's start after its end; grep then shows it empty.
      const std::size_t begin = vector[2 * i], end = std::max(vector[2 * i], vector[2 * i + 1]);
      groups.emplace_back(Span{begin, end});
    }
  }
  return true;
}

std::optional<Span> PerlRegex::find(std::string_view line, std::size_t from) const {
  thread_local std::vector<std::optional<Span>> groups;
  if (!find_groups(line, from, groups)) return std::nullopt;
  return groups.front();
}

int PerlRegex::group_count() const { return static_cast<int>(impl_->groups); }

bool PerlRegex::jit() const { return impl_->jit; }

}  // namespace logsift
