#pragma once
// Per-provider limits on how hard paddock calls a vendor: how many requests may be in
// flight at once (ConcurrencyLimiter) and how many may start per second (RequestRateLimiter,
// a token bucket). Both are keyed by provider name and safe to use from many threads;
// waiting can be cut short with a std::stop_token (Ctrl-C, shutdown).

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

namespace paddock::generate {

class ConcurrencyLimiter {
 public:
  // A slot held for one request; given back when the Permit is destroyed (or moved from and
  // then destroyed). Must not outlive its limiter.
  class Permit {
   public:
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();

   private:
    friend class ConcurrencyLimiter;
    Permit(ConcurrencyLimiter* limiter, std::string provider)
        : limiter_(limiter), provider_(std::move(provider)) {}
    void give_back() noexcept;

    ConcurrencyLimiter* limiter_ = nullptr;
    std::string provider_;
  };

  // `default_limit` applies to providers without a limit of their own; 0 means unlimited.
  explicit ConcurrencyLimiter(int default_limit = 0) : default_limit_(default_limit) {}

  // Sets `provider`'s limit (0 = unlimited). Lowering it below the slots in use makes new
  // callers wait until enough slots are given back; nothing already running is stopped.
  void set_limit(std::string_view provider, int max_in_flight);

  // Waits until `provider` has a free slot and takes it. Returns nullopt, without a slot, if
  // `stop` is requested first.
  std::optional<Permit> acquire(std::string_view provider, std::stop_token stop = {});

  // Takes a slot if one is free now; nullopt otherwise.
  std::optional<Permit> try_acquire(std::string_view provider);

  // Slots of `provider` in use now.
  int in_use(std::string_view provider) const;

 private:
  struct Slots {
    int limit = 0;
    int used = 0;
  };
  Slots& slots_of(std::string_view provider);  // REQUIRES: mutex_ held
  static bool has_room(const Slots& slots) { return slots.limit <= 0 || slots.used < slots.limit; }
  void release(const std::string& provider) noexcept;

  int default_limit_;
  mutable std::mutex mutex_;
  std::condition_variable_any freed_;
  std::map<std::string, Slots, std::less<>> providers_;
};

class RequestRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // Providers without rates of their own get `default_per_second` (0 = unlimited) with a
  // bucket of `default_burst` tokens.
  explicit RequestRateLimiter(double default_per_second = 0, double default_burst = 1)
      : default_per_second_(default_per_second), default_burst_(default_burst) {}

  // `provider` may start `per_second` requests per second on average and `burst` at once
  // after a quiet spell (burst < 1 counts as 1). per_second <= 0 means unlimited.
  void set_rate(std::string_view provider, double per_second, double burst);

  // Takes `provider`'s next token: returns zero if one is available at `now`, otherwise how
  // long after `now` the token reserved for this caller becomes due. Reservations queue up
  // in call order, so many waiting callers are spaced 1/per_second apart.
  Clock::duration reserve(std::string_view provider, Clock::time_point now = Clock::now());

  // reserve(), then waits out the delay. Returns false if `stop` is requested before it has
  // passed (the token stays spent).
  bool wait_turn(std::string_view provider, std::stop_token stop = {});

 private:
  struct Bucket {
    double per_second = 0;
    double burst = 1;
    double tokens = 0;  // negative: tokens already promised to waiting callers
    Clock::time_point updated{};
    bool started = false;
  };
  Bucket& bucket_of(std::string_view provider);  // REQUIRES: mutex_ held

  double default_per_second_;
  double default_burst_;
  std::mutex mutex_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace paddock::generate
