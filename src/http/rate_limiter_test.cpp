#include "http/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace paddock::http {
namespace {

using std::chrono::seconds;

TEST(RateLimiter, AllowsABurstThenAsksToWait) {
  RateLimiter limiter(3);  // 3 per minute: one token every 20 s
  auto t0 = RateLimiter::Clock::now();
  EXPECT_EQ(limiter.take("s", t0), 0);
  EXPECT_EQ(limiter.take("s", t0), 0);
  EXPECT_EQ(limiter.take("s", t0), 0);
  EXPECT_EQ(limiter.take("s", t0), 20);
  EXPECT_EQ(limiter.take("s", t0 + seconds(15)), 5);
  EXPECT_EQ(limiter.take("s", t0 + seconds(21)), 0);
  EXPECT_EQ(limiter.take("other", t0), 0);  // keys are independent
}

TEST(RateLimiter, UnlimitedNeverRefuses) {
  RateLimiter limiter(0);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.take("s"), 0);
}

TEST(RateLimiter, DropsIdleKeysWhenFullAndRefusesNewOnesWhileAllAreActive) {
  RateLimiter limiter(60, 64);  // four keys per shard
  auto t0 = RateLimiter::Clock::now();
  int refused = 0;
  for (int i = 0; i < 200; ++i) refused += limiter.take("k" + std::to_string(i), t0) != 0;
  EXPECT_GT(refused, 0);
  // A minute later every bucket has refilled, so they are idle and can be replaced.
  EXPECT_EQ(limiter.take("fresh", t0 + seconds(61)), 0);
}

TEST(RateLimiter, GivesBackTheMemoryOfIdleKeysOverTimeWithoutReachingTheCap) {
  RateLimiter limiter(60);  // the default cap: a million keys
  auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.take("k" + std::to_string(i), t0), 0);
  EXPECT_EQ(limiter.keys(), 1000u);
  // Two minutes on, every bucket has refilled; requests of one new key sweep every shard.
  // (Which shard a key lands in is fixed by std::hash; 200 keys reach all 16.)
  for (int i = 0; i < 200; ++i) limiter.take("late" + std::to_string(i), t0 + seconds(120));
  EXPECT_LE(limiter.keys(), 200u);
}

TEST(RateLimiter, WaitTellsWithoutTaking) {
  RateLimiter limiter(2);  // one token every 30 s
  auto t0 = RateLimiter::Clock::now();
  EXPECT_EQ(limiter.wait("s", t0), 0);
  EXPECT_EQ(limiter.take("s", t0), 0);
  EXPECT_EQ(limiter.wait("s", t0), 0);
  EXPECT_EQ(limiter.wait("s", t0), 0);  // still one token left: wait took none
  EXPECT_EQ(limiter.take("s", t0), 0);
  EXPECT_EQ(limiter.wait("s", t0), 30);
  EXPECT_EQ(limiter.wait("s", t0 + seconds(30)), 0);
}

}  // namespace
}  // namespace paddock::http
