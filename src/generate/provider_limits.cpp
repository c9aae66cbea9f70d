#include "generate/provider_limits.hpp"

#include <algorithm>
#include <utility>

namespace paddock::generate {

// ---- ConcurrencyLimiter ------------------------------------------------------------

ConcurrencyLimiter::Permit::Permit(Permit&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)), provider_(std::move(other.provider_)) {}

ConcurrencyLimiter::Permit& ConcurrencyLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    give_back();
    limiter_ = std::exchange(other.limiter_, nullptr);
    provider_ = std::move(other.provider_);
  }
  return *this;
}

ConcurrencyLimiter::Permit::~Permit() {
  give_back();
}

void ConcurrencyLimiter::Permit::give_back() noexcept {
  if (limiter_ != nullptr) limiter_->release(provider_);
  limiter_ = nullptr;
}

ConcurrencyLimiter::Slots& ConcurrencyLimiter::slots_of(std::string_view provider) {
  auto it = providers_.find(provider);
  if (it == providers_.end()) {
    it = providers_.emplace(std::string(provider), Slots{default_limit_, 0}).first;
  }
  return it->second;
}

void ConcurrencyLimiter::set_limit(std::string_view provider, int max_in_flight) {
  {
    std::lock_guard lock(mutex_);
    slots_of(provider).limit = max_in_flight;
  }
  freed_.notify_all();  // a raised limit lets waiters in
}

std::optional<ConcurrencyLimiter::Permit> ConcurrencyLimiter::acquire(std::string_view provider,
                                                                      std::stop_token stop) {
  std::unique_lock lock(mutex_);
  Slots& slots = slots_of(provider);  // map nodes stay put while others are added
  if (!freed_.wait(lock, stop, [&] { return has_room(slots); })) return std::nullopt;
  ++slots.used;
  return Permit(this, std::string(provider));
}

std::optional<ConcurrencyLimiter::Permit> ConcurrencyLimiter::try_acquire(
    std::string_view provider) {
  std::lock_guard lock(mutex_);
  Slots& slots = slots_of(provider);
  if (!has_room(slots)) return std::nullopt;
  ++slots.used;
  return Permit(this, std::string(provider));
}

int ConcurrencyLimiter::in_use(std::string_view provider) const {
  std::lock_guard lock(mutex_);
  const auto it = providers_.find(provider);
  return it == providers_.end() ? 0 : it->second.used;
}

void ConcurrencyLimiter::release(const std::string& provider) noexcept {
  {
    std::lock_guard lock(mutex_);
    --providers_.find(provider)->second.used;
  }
  // Waiters of every provider share the condition variable; each rechecks its own slots.
  freed_.notify_all();
}

// ---- RequestRateLimiter ------------------------------------------------------------

RequestRateLimiter::Bucket& RequestRateLimiter::bucket_of(std::string_view provider) {
  auto it = buckets_.find(provider);
  if (it == buckets_.end()) {
    Bucket bucket;
    bucket.per_second = default_per_second_;
    bucket.burst = std::max(1.0, default_burst_);
    it = buckets_.emplace(std::string(provider), bucket).first;
  }
  return it->second;
}

void RequestRateLimiter::set_rate(std::string_view provider, double per_second, double burst) {
  std::lock_guard lock(mutex_);
  Bucket& bucket = bucket_of(provider);
  bucket.per_second = per_second;
  bucket.burst = std::max(1.0, burst);
  bucket.tokens = std::min(bucket.tokens, bucket.burst);
}

RequestRateLimiter::Clock::duration RequestRateLimiter::reserve(std::string_view provider,
                                                                Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Bucket& bucket = bucket_of(provider);
  if (bucket.per_second <= 0) return Clock::duration::zero();
  if (!bucket.started) {
    bucket.started = true;
    bucket.tokens = bucket.burst;  // a fresh bucket starts full
    bucket.updated = now;
  }
  if (now > bucket.updated) {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(bucket.burst, bucket.tokens + elapsed * bucket.per_second);
    bucket.updated = now;
  }
  bucket.tokens -= 1;
  if (bucket.tokens >= 0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(-bucket.tokens / bucket.per_second));
}

bool RequestRateLimiter::wait_turn(std::string_view provider, std::stop_token stop) {
  const auto due = Clock::now() + reserve(provider);
  std::mutex mutex;
  std::condition_variable_any never_notified;
  std::unique_lock lock(mutex);
  // Returns early only when `stop` is requested; the predicate never becomes true otherwise.
  never_notified.wait_until(lock, stop, due, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace paddock::generate
