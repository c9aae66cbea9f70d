#include "generate/provider_limits.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace paddock::generate {
namespace {

using namespace std::chrono_literals;
using Clock = RequestRateLimiter::Clock;

// Runs wait(stop_token) -> bool on a thread, requests a stop 20 ms later, expects the thread
// to finish within a second of that, and returns what `wait` returned.
template <typename Wait>
std::optional<bool> stopped_after_20ms(Wait wait) {
  std::optional<bool> result;
  std::jthread waiter([&](std::stop_token stop) { result = wait(stop); });
  std::this_thread::sleep_for(20ms);
  const auto asked = Clock::now();
  waiter.request_stop();
  waiter.join();
  EXPECT_LT(Clock::now() - asked, 1s);
  return result;
}

TEST(ConcurrencyLimiter, NeverLetsMoreThanTheLimitRunAtOnce) {
  ConcurrencyLimiter limiter;
  limiter.set_limit("dashscope", 2);
  std::atomic<int> running = 0;
  std::atomic<int> most = 0;
  std::atomic<int> done = 0;
  std::vector<std::jthread> workers;
  for (int i = 0; i < 6; ++i) {
    workers.emplace_back([&] {
      auto permit = limiter.acquire("dashscope");
      ASSERT_TRUE(permit);
      const int now = ++running;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(15ms);
      --running;
      ++done;
    });
  }
  workers.clear();  // joins
  EXPECT_EQ(done, 6);
  EXPECT_EQ(most, 2);
  EXPECT_EQ(limiter.in_use("dashscope"), 0);
}

TEST(ConcurrencyLimiter, ProvidersHaveSeparateSlots) {
  ConcurrencyLimiter limiter(1);  // default for every provider
  auto kling = limiter.try_acquire("kling");
  ASSERT_TRUE(kling);
  EXPECT_FALSE(limiter.try_acquire("kling"));
  EXPECT_TRUE(limiter.try_acquire("fal"));
  EXPECT_EQ(limiter.in_use("kling"), 1);
  kling.reset();
  EXPECT_EQ(limiter.in_use("kling"), 0);
  EXPECT_TRUE(limiter.try_acquire("kling"));
}

TEST(ConcurrencyLimiter, ZeroMeansUnlimitedAndARaisedLimitWakesWaiters) {
  ConcurrencyLimiter limiter;
  std::vector<ConcurrencyLimiter::Permit> held;
  for (int i = 0; i < 50; ++i) held.push_back(*limiter.try_acquire("free"));
  EXPECT_EQ(limiter.in_use("free"), 50);

  limiter.set_limit("veo", 1);
  auto first = limiter.try_acquire("veo");
  std::atomic<bool> got = false;
  std::jthread waiter([&] {
    auto second = limiter.acquire("veo");
    got = second.has_value();
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(got);
  limiter.set_limit("veo", 2);
  waiter.join();
  EXPECT_TRUE(got);
}

TEST(ConcurrencyLimiter, AcquireReturnsEmptyWhenStopped) {
  ConcurrencyLimiter limiter;
  limiter.set_limit("runway", 1);
  auto held = limiter.try_acquire("runway");
  EXPECT_EQ(stopped_after_20ms(
                [&](std::stop_token stop) { return limiter.acquire("runway", stop).has_value(); }),
            false);
  EXPECT_EQ(limiter.in_use("runway"), 1);
}

TEST(RequestRateLimiter, SpendsTheBurstThenSpacesRequestsByTheRate) {
  RequestRateLimiter limiter;
  limiter.set_rate("minimax", 2, 2);  // 2 per second, 2 at once
  const auto t0 = Clock::now();
  EXPECT_EQ(limiter.reserve("minimax", t0), 0ms);
  EXPECT_EQ(limiter.reserve("minimax", t0), 0ms);
  EXPECT_EQ(limiter.reserve("minimax", t0), 500ms);
  EXPECT_EQ(limiter.reserve("minimax", t0), 1000ms);
  // 1.5 s on, the two promised tokens are paid back and the bucket holds one more.
  EXPECT_EQ(limiter.reserve("minimax", t0 + 1500ms), 0ms);
  EXPECT_EQ(limiter.reserve("minimax", t0 + 1500ms), 500ms);
  // A long quiet spell refills only up to the burst.
  EXPECT_EQ(limiter.reserve("minimax", t0 + 60s), 0ms);
  EXPECT_EQ(limiter.reserve("minimax", t0 + 60s), 0ms);
  EXPECT_EQ(limiter.reserve("minimax", t0 + 60s), 500ms);
}

TEST(RequestRateLimiter, UnlimitedByDefaultAndPerProvider) {
  RequestRateLimiter limiter;
  const auto t0 = Clock::now();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.reserve("replicate", t0), 0ms);
  RequestRateLimiter strict(1, 1);
  EXPECT_EQ(strict.reserve("a", t0), 0ms);
  EXPECT_EQ(strict.reserve("a", t0), 1s);
  EXPECT_EQ(strict.reserve("b", t0), 0ms);
}

TEST(RequestRateLimiter, WaitTurnSleepsItsShareAndStopsOnRequest) {
  RequestRateLimiter limiter;
  limiter.set_rate("xai", 20, 1);  // one every 50 ms
  const auto start = Clock::now();
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.wait_turn("xai"));
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 145ms);
  EXPECT_LT(took, 2s);

  limiter.set_rate("slow", 0.1, 1);  // one every 10 s
  EXPECT_TRUE(limiter.wait_turn("slow"));
  EXPECT_EQ(
      stopped_after_20ms([&](std::stop_token stop) { return limiter.wait_turn("slow", stop); }),
      false);
}

}  // namespace
}  // namespace paddock::generate
