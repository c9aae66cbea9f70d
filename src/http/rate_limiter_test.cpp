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

}  // namespace
}  // namespace paddock::http
