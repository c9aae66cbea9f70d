#include "http/metrics.hpp"

#include <fmt/format.h>

namespace paddock::http {

Metrics::Metrics(std::vector<std::string> routes) : routes_(std::move(routes)) {
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    counters_.push_back(std::make_unique<RouteCounters>());
  }
}

void Metrics::observe(std::size_t route, int status, double seconds) {
  if (route >= counters_.size()) return;
  auto& c = *counters_[route];
  if (status < 0 || status >= static_cast<int>(c.by_status.size())) status = 0;
  c.by_status[static_cast<std::size_t>(status)].fetch_add(1, std::memory_order_relaxed);
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  c.buckets[b].fetch_add(1, std::memory_order_relaxed);
  c.count.fetch_add(1, std::memory_order_relaxed);
  c.sum_us.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::vote_refused(const std::string& code) {
  std::lock_guard lock(refused_mutex_);
  ++refused_[code];
}

std::string Metrics::render(const std::string& extra) const {
  std::string out;
  auto sink = std::back_inserter(out);
  out += "# HELP paddock_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE paddock_http_requests_total counter\n";
  for (std::size_t r = 0; r < routes_.size(); ++r) {
    for (std::size_t s = 0; s < counters_[r]->by_status.size(); ++s) {
      auto n = counters_[r]->by_status[s].load(std::memory_order_relaxed);
      if (n) {
        fmt::format_to(sink, "paddock_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                       routes_[r], s, n);
      }
    }
  }
  out += "# HELP paddock_http_request_duration_seconds Time from a request read to its answer.\n";
  out += "# TYPE paddock_http_request_duration_seconds histogram\n";
  for (std::size_t r = 0; r < routes_.size(); ++r) {
    const auto& c = *counters_[r];
    auto count = c.count.load(std::memory_order_relaxed);
    if (!count) continue;
    uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += c.buckets[b].load(std::memory_order_relaxed);
      std::string le = b < kBuckets.size() ? fmt::format("{}", kBuckets[b]) : "+Inf";
      fmt::format_to(sink,
                     "paddock_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                     routes_[r], le, cumulative);
    }
    fmt::format_to(sink, "paddock_http_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}\n",
                   routes_[r], static_cast<double>(c.sum_us.load(std::memory_order_relaxed)) / 1e6);
    fmt::format_to(sink, "paddock_http_request_duration_seconds_count{{route=\"{}\"}} {}\n",
                   routes_[r], count);
  }
  out += "# HELP paddock_battles_issued_total Battles handed to voters.\n";
  out += "# TYPE paddock_battles_issued_total counter\n";
  fmt::format_to(sink, "paddock_battles_issued_total {}\n",
                 battles_.load(std::memory_order_relaxed));
  out += "# HELP paddock_votes_stored_total Votes durably stored.\n";
  out += "# TYPE paddock_votes_stored_total counter\n";
  fmt::format_to(sink, "paddock_votes_stored_total {}\n",
                 votes_stored_.load(std::memory_order_relaxed));
  out += "# HELP paddock_votes_refused_total Votes refused, by error code.\n";
  out += "# TYPE paddock_votes_refused_total counter\n";
  {
    std::lock_guard lock(refused_mutex_);
    for (const auto& [code, n] : refused_) {
      fmt::format_to(sink, "paddock_votes_refused_total{{code=\"{}\"}} {}\n", code, n);
    }
  }
  out += extra;
  return out;
}

}  // namespace paddock::http
