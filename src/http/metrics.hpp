#pragma once
// Counters and latency histograms, rendered in the Prometheus text format for /metrics.
// Updates are lock-free (relaxed atomics) so the io threads never wait on them.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace paddock::http {

class Metrics {
 public:
  // `routes` are the route labels; observe() takes an index into them.
  explicit Metrics(std::vector<std::string> routes);

  // One request on route `route` answered with `status` after `seconds`.
  void observe(std::size_t route, int status, double seconds);
  void battle_issued() { battles_.fetch_add(1, std::memory_order_relaxed); }
  void vote_stored() { votes_stored_.fetch_add(1, std::memory_order_relaxed); }
  void vote_refused(const std::string& code);

  // The Prometheus text exposition of everything counted so far, plus `extra` lines
  // (gauges the caller knows about) appended verbatim.
  std::string render(const std::string& extra = {}) const;

  // Upper bounds (seconds) of the latency histogram buckets.
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

 private:
  struct RouteCounters {
    std::array<std::atomic<uint64_t>, 600> by_status{};
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_us{0};
  };

  std::vector<std::string> routes_;
  std::vector<std::unique_ptr<RouteCounters>> counters_;
  std::atomic<uint64_t> battles_{0};
  std::atomic<uint64_t> votes_stored_{0};
  mutable std::mutex refused_mutex_;
  std::map<std::string, uint64_t> refused_;
};

}  // namespace paddock::http
