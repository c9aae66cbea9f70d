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
  if (now >= shard.next_sweep) {
    sweep(shard, now);
    shard.next_sweep = now + kSweepEvery;
  }
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
  if (now > b.updated) {
    b.tokens = tokens_at(b, now);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return seconds_until_one(b.tokens);
}

int RateLimiter::wait(std::string_view key, Clock::time_point now) {
  if (unlimited()) return 0;
  auto& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) return 0;
  double tokens = tokens_at(it->second, now);
  return tokens >= 1.0 ? 0 : seconds_until_one(tokens);
}

double RateLimiter::tokens_at(const Bucket& b, Clock::time_point now) const {
  double elapsed = std::chrono::duration<double>(now - b.updated).count();
  return elapsed > 0 ? std::min(per_minute_, b.tokens + elapsed * per_second_) : b.tokens;
}

int RateLimiter::seconds_until_one(double tokens) const {
  double wait = (1.0 - tokens) / per_second_;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

std::size_t RateLimiter::keys() {
  std::size_t n = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.buckets.size();
  }
  return n;
}

void RateLimiter::sweep(Shard& shard, Clock::time_point now) {
  std::erase_if(shard.buckets, [&](const auto& entry) {
    double elapsed = std::chrono::duration<double>(now - entry.second.updated).count();
    return entry.second.tokens + elapsed * per_second_ >= per_minute_;
  });
}

}  // namespace paddock::http
