#include "sys/work_in_order.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace paddock::sys {
namespace {

using namespace std::chrono_literals;

TEST(ForEachInOrder, FinishesEveryIndexInOrderAfterItsWork) {
  for (int threads : {0, 1, 2, 8}) {
    for (std::size_t count : {0, 1, 2, 100}) {
      std::vector<std::size_t> results(count, 0);
      std::vector<std::size_t> finished;
      for_each_in_order(
          count, threads, [&](std::size_t i) { results[i] = i * i + 1; },
          [&](std::size_t i) {
            EXPECT_EQ(results[i], i * i + 1) << "finish(" << i << ") before its work";
            finished.push_back(i);
            return true;
          });
      ASSERT_EQ(finished.size(), count) << threads << " threads";
      for (std::size_t i = 0; i < count; ++i) EXPECT_EQ(finished[i], i);
    }
  }
}

TEST(ForEachInOrder, RunsUpToTheGivenNumberOfWorksAtOnceAndNoMore) {
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  for_each_in_order(
      12, 3,
      [&](std::size_t) {
        int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        // Wait (a while at most) for the others to start, so three really overlap.
        auto until = std::chrono::steady_clock::now() + 5s;
        while (most.load() < 3 && std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(1ms);
        }
        --running;
      },
      [](std::size_t) { return true; });
  EXPECT_EQ(most.load(), 3);
}

TEST(ForEachInOrder, StartsNoWorkOnceFinishSaysStop) {
  std::atomic<int> started{0};
  std::vector<std::size_t> finished;
  for_each_in_order(
      100, 2,
      [&](std::size_t i) {
        ++started;
        if (i > 0) std::this_thread::sleep_for(10ms);
      },
      [&](std::size_t i) {
        finished.push_back(i);
        return false;
      });
  EXPECT_EQ(finished, std::vector<std::size_t>{0});
  EXPECT_LT(started.load(), 10);
}

TEST(ForEachInOrder, RethrowsWhatAWorkThrewAfterTheOthersStop) {
  for (int threads : {1, 4}) {
    std::vector<std::size_t> finished;
    EXPECT_THROW(for_each_in_order(
                     50, threads,
                     [](std::size_t i) {
                       if (i == 5) throw std::runtime_error("five");
                     },
                     [&](std::size_t i) {
                       finished.push_back(i);
                       return true;
                     }),
                 std::runtime_error);
    EXPECT_EQ(finished, (std::vector<std::size_t>{0, 1, 2, 3, 4})) << threads << " threads";
  }
}

TEST(ForEachInOrder, RethrowsWhatFinishThrew) {
  EXPECT_THROW(for_each_in_order(
                   50, 4, [](std::size_t) { std::this_thread::sleep_for(1ms); },
                   [](std::size_t i) -> bool {
                     if (i == 2) throw std::logic_error("two");
                     return true;
                   }),
               std::logic_error);
}

}  // namespace
}  // namespace paddock::sys
