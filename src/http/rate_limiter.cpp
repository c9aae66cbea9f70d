#include "http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace paddock::http {

RateLimiter::RateLimiter(double per_minute, std::size_t max_keys)
    : per_minute_(per_minute),
      per_second_(per_minute / 60.0),
      max_per_shard_(std::max<std::size_t>(1, max_keys / kShards)) {}

int RateLimiter::take(std::string_view key, Clock::time_point now) {
  if (unlimited()) return 0;
  auto& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) sweep(shard, now);
    if (shard.buckets.size() >= max_per_shard_) {
      // Still full of active keys: refuse new ones rather than grow without bound.
      return 1;
    }
    it = shard.buckets.emplace(std::string(key), Bucket{per_minute_, now}).first;
  }
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.updated).count();
  if (elapsed > 0) {
    b.tokens = std::min(per_minute_, b.tokens + elapsed * per_second_);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  double wait = (1.0 - b.tokens) / per_second_;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

void RateLimiter::sweep(Shard& shard, Clock::time_point now) {
  std::erase_if(shard.buckets, [&](const auto& entry) {
    double elapsed = std::chrono::duration<double>(now - entry.second.updated).count();
    return entry.second.tokens + elapsed * per_second_ >= per_minute_;
  });
}

}  // namespace paddock::http
