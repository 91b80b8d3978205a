#include "logsift/generator.hpp"

#include <gtest/gtest.h>

#include <ranges>
#include <stdexcept>
#include <string>
#include <vector>

namespace logsift {
namespace {

static_assert(std::ranges::input_range<generator<int>>);
static_assert(std::input_iterator<generator<int>::iterator>);

generator<int> count_up(int limit, int* steps) {
  for (int i = 0; i < limit; ++i) {
    ++*steps;
    co_yield i;
  }
}

TEST(generator, does_not_start_until_iterated) {
  int steps = 0;
  generator<int> numbers = count_up(3, &steps);
  EXPECT_EQ(steps, 0);
  auto it = numbers.begin();
  EXPECT_EQ(steps, 1);
  EXPECT_EQ(*it, 0);
}

TEST(generator, yields_every_value_in_order) {
  int steps = 0;
  std::vector<int> seen;
  for (int value : count_up(5, &steps)) seen.push_back(value);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(generator, empty_body_is_an_empty_range) {
  int steps = 0;
  generator<int> none = count_up(0, &steps);
  EXPECT_TRUE(none.begin() == none.end());
}

TEST(generator, resumes_only_as_far_as_asked) {
  int steps = 0;
  generator<int> numbers = count_up(1000, &steps);
  auto it = numbers.begin();
  ++it;
  ++it;
  EXPECT_EQ(*it, 2);
  EXPECT_EQ(steps, 3);
}

struct DestructionFlag {
  bool* destroyed;
  ~DestructionFlag() { *destroyed = true; }
};

generator<int> holds_resource(bool* destroyed) {
  DestructionFlag flag{destroyed};
  for (int i = 0;; ++i) co_yield i;
}

TEST(generator, destroying_before_completion_destructs_objects_on_its_stack) {
  bool destroyed = false;
  {
    generator<int> endless = holds_resource(&destroyed);
    auto it = endless.begin();
    ++it;
    EXPECT_FALSE(destroyed);
  }
  EXPECT_TRUE(destroyed);
}

generator<int> throws_after_first() {
  co_yield 1;
  throw std::runtime_error("boom");
}

TEST(generator, exception_after_first_element_comes_out_of_increment) {
  generator<int> failing = throws_after_first();
  auto it = failing.begin();
  EXPECT_EQ(*it, 1);
  EXPECT_THROW(++it, std::runtime_error);
}

generator<int> throws_at_once() {
  throw std::logic_error("early");
  co_return;
}

TEST(generator, exception_before_first_element_comes_out_of_begin) {
  generator<int> failing = throws_at_once();
  EXPECT_THROW(failing.begin(), std::logic_error);
}

generator<std::string> yields_temporaries() {
  for (int i = 0; i < 3; ++i) co_yield std::string(100, static_cast<char>('a' + i));
}

TEST(generator, yielded_temporary_stays_alive_while_suspended) {
  std::vector<std::string> seen;
  for (const std::string& text : yields_temporaries()) seen.push_back(text);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2], std::string(100, 'c'));
}

generator<int> doubled(generator<int> input) {
  for (int value : input) co_yield value * 2;
}

TEST(generator, generators_chain_lazily) {
  int steps = 0;
  generator<int> chain = doubled(count_up(1000000, &steps));
  auto it = chain.begin();
  ++it;
  EXPECT_EQ(*it, 2);
  EXPECT_EQ(steps, 2);
}

TEST(generator, move_transfers_ownership) {
  int steps = 0;
  generator<int> first = count_up(2, &steps);
  generator<int> second = std::move(first);
  std::vector<int> seen;
  for (int value : second) seen.push_back(value);
  EXPECT_EQ(seen, (std::vector<int>{0, 1}));
  EXPECT_TRUE(first.begin() == first.end());  // a moved-from generator is empty
}

}  // namespace
}  // namespace logsift
