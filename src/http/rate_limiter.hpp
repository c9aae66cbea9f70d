#pragma once
// Token buckets keyed by a string (a session id or a client address): each key may spend
// `per_minute` requests in a burst, refilled continuously at `per_minute` per minute.

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace paddock::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // per_minute <= 0 means unlimited. At most `max_keys` buckets are kept; when full, buckets
  // that have refilled completely (idle keys) are dropped first. Idle buckets are also
  // dropped as time passes (each shard is swept about once a minute, when a request comes),
  // so the memory a burst of keys took is given back without the cap being reached.
  explicit RateLimiter(double per_minute, std::size_t max_keys = 1'000'000);

  // Takes one token from `key`'s bucket. Returns 0 if the request may go ahead, otherwise
  // the whole seconds to wait before a token is available (at least 1).
  int take(std::string_view key, Clock::time_point now = Clock::now());
  // What take() would answer, without taking anything.
  int wait(std::string_view key, Clock::time_point now = Clock::now());

  bool unlimited() const { return per_minute_ <= 0; }
  // Buckets kept now.
  std::size_t keys();

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Bucket> buckets;
    Clock::time_point next_sweep{};
  };
  static constexpr std::size_t kShards = 16;
  static constexpr std::chrono::seconds kSweepEvery{60};

  void sweep(Shard& shard, Clock::time_point now);
  // Tokens in `b` at `now` (refilled since its last update, at most per_minute).
  double tokens_at(const Bucket& b, Clock::time_point now) const;
  int seconds_until_one(double tokens) const;

  double per_minute_;
  double per_second_;
  std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace paddock::http
