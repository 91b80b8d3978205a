// Sink: the grep end of the pipeline, a push coroutine (like a primed Python generator fed with
// send()). It starts running when created, gets each line leaving the stage chain via send(),
// input errors via raise() (it reports them and goes on) and the end of the input via close().
// Its state (before-context ring, after-context countdown, -m count) is its local variables.
// A line passed to send() is only read during the call; lines kept for context are copied.
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "logsift/line.hpp"
#include "logsift/printer.hpp"
#include "logsift/input_state.hpp"

namespace logsift {

class Matcher;
class Diagnostics;

struct SinkOptions {
  bool invert = false;                      // -v
  std::optional<std::uint64_t> max_count;   // -m
  std::size_t before = 0;                   // -B
  std::size_t after = 0;                    // -A
  bool separate_groups = false;             // print "--" between non-adjacent groups (context asked)
  bool stop_at_first_match = false;         // -q, -l, -L: one selected line decides the input
  bool lines_preselected = false;           // the source already applied PATTERN (pushdown)
  bool text = false;                        // -a: binary inputs are printed as text
  // -I: an input found binary (a NUL read, InputState::saw_nul) selects nothing: its count is 0,
  // nothing more of it is printed or read, and no "binary file matches" is said (as grep -I).
  bool binary_without_match = false;
  // --max-matches, --stats: every selected line is counted (up to -m) even where no more can be
  // printed (-q, -l, -L after the first, a binary input after its first): reading goes on.
  bool count_all = false;
};

class Sink {
 public:
  struct promise_type;
  using handle_type = std::coroutine_handle<promise_type>;

  enum class EventKind { line, error, end };
  struct Event {
    EventKind kind = EventKind::end;
    const Line* line = nullptr;
    std::string_view error;
  };

  // Awaited by the sink body: suspends until the next send()/raise()/close().
  struct NextEvent {};
  // Awaited once by the sink body to reach its own promise (for its summary).
  struct ThisPromise {};

  struct promise_type {
    Event event;
    InputSummary summary;
    std::exception_ptr exception;

    Sink get_return_object() noexcept { return Sink{handle_type::from_promise(*this)}; }
    std::suspend_never initial_suspend() const noexcept { return {}; }  // primed on creation
    std::suspend_always final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() noexcept { exception = std::current_exception(); }

    auto await_transform(NextEvent) noexcept {
      struct Awaiter {
        promise_type& promise;
        bool await_ready() const noexcept { return false; }
        void await_suspend(handle_type) const noexcept {}
        Event await_resume() const noexcept { return promise.event; }
      };
      return Awaiter{*this};
    }
    auto await_transform(ThisPromise) noexcept {
      struct Awaiter {
        promise_type& promise;
        bool await_ready() const noexcept { return true; }
        void await_suspend(handle_type) const noexcept {}
        promise_type& await_resume() const noexcept { return promise; }
      };
      return Awaiter{*this};
    }
  };

  Sink(Sink&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Sink& operator=(Sink&&) = delete;
  Sink(const Sink&) = delete;
  ~Sink() {
    if (handle_) handle_.destroy();
  }

  // Each of these rethrows what the body threw (for example a WriteError from the printer), also
  // when it threw while being created, before its first suspension, and is therefore done.
  void send(const Line& line) { deliver({EventKind::line, &line, {}}); }
  void raise(std::string_view error) { deliver({EventKind::error, nullptr, error}); }
  void close() { deliver({EventKind::end, nullptr, {}}); }

  // True once the sink needs no more lines for this input (-m, -q, -l reached, or closed).
  bool done() const noexcept { return handle_.done(); }
  const InputSummary& summary() const noexcept { return handle_.promise().summary; }

 private:
  // The body has not run yet when this is called (it runs after get_return_object), so what it
  // throws before its first suspension is kept in the promise for the next deliver().
  explicit Sink(handle_type handle) noexcept : handle_(handle) {}

  void deliver(Event event) {
    if (handle_.done()) {
      rethrow_if_failed();
      return;
    }
    handle_.promise().event = event;
    handle_.resume();
    rethrow_if_failed();
  }
  void rethrow_if_failed() {
    if (handle_.promise().exception) std::rethrow_exception(std::exchange(handle_.promise().exception, {}));
  }

  handle_type handle_;
};

// The grep sink for one input named `name`: selects lines with `pattern` (unless preselected),
// tracks context and limits, and reports to `printer`. `printer` and `diagnostics` must outlive it.
Sink grep_sink(std::shared_ptr<const Matcher> pattern, SinkOptions options, Printer* printer,
               Diagnostics* diagnostics, std::string name, std::shared_ptr<InputState> input);

}  // namespace logsift
