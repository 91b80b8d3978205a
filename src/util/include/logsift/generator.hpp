// generator<T>: a lazy, single-pass C++20 coroutine range (g++ 12 has no std::generator).
// Nothing runs until the first begin(); each ++ resumes the body up to its next co_yield.
// The reference returned by operator* points into the suspended coroutine's frame and is valid
// only until the iterator is advanced. Exceptions thrown by the body surface from begin()/++.
#pragma once

#include <coroutine>
#include <exception>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>

namespace logsift {

template <typename T>
class generator {
 public:
  using value_type = std::remove_cvref_t<T>;
  using reference = const value_type&;

  struct promise_type {
    const value_type* current = nullptr;
    std::exception_ptr error;

    generator get_return_object() noexcept {
      return generator{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    std::suspend_always final_suspend() const noexcept { return {}; }
    // A temporary yielded by value lives until the end of the co_yield full-expression, which
    // includes the suspension, so keeping its address is safe for both overloads.
    std::suspend_always yield_value(const value_type& value) noexcept {
      current = std::addressof(value);
      return {};
    }
    std::suspend_always yield_value(value_type&& value) noexcept {
      current = std::addressof(value);
      return {};
    }
    void return_void() const noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }
    // Generators only produce values; awaiting inside one is a design error.
    template <typename U>
    std::suspend_never await_transform(U&&) = delete;
  };

  using handle_type = std::coroutine_handle<promise_type>;

  class iterator {
   public:
    using iterator_concept = std::input_iterator_tag;
    using value_type = generator::value_type;
    using difference_type = std::ptrdiff_t;

    iterator() noexcept = default;
    explicit iterator(handle_type handle) noexcept : handle_(handle) {}

    reference operator*() const noexcept { return *handle_.promise().current; }
    const value_type* operator->() const noexcept { return handle_.promise().current; }

    iterator& operator++() {
      advance(handle_);
      return *this;
    }
    void operator++(int) { ++*this; }

    friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept {
      return !it.handle_ || it.handle_.done();
    }

   private:
    handle_type handle_{};
  };

  generator() noexcept = default;
  generator(generator&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  generator& operator=(generator&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  generator(const generator&) = delete;
  generator& operator=(const generator&) = delete;
  ~generator() { reset(); }

  // Starts the body: single pass, so call it once.
  iterator begin() {
    if (handle_) advance(handle_);
    return iterator{handle_};
  }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  explicit generator(handle_type handle) noexcept : handle_(handle) {}

  static void advance(handle_type handle) {
    handle.resume();
    if (handle.done() && handle.promise().error) {
      std::rethrow_exception(std::exchange(handle.promise().error, {}));
    }
  }

  void reset() noexcept {
    if (handle_) handle_.destroy();
    handle_ = {};
  }

  handle_type handle_{};
};

}  // namespace logsift
