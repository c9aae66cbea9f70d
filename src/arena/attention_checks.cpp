#include "arena/attention_checks.hpp"

#include <algorithm>
#include <cmath>

namespace paddock::arena {

double binomial_upper_tail(int64_t n, int64_t k, double p) {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  // Summed in log space term by term: exact enough for the few hundred controls a voter sees.
  const double log_p = std::log(p), log_q = std::log1p(-p);
  double tail = 0;
  for (int64_t i = k; i <= n; ++i) {
    const double log_term = std::lgamma(static_cast<double>(n) + 1) -
                            std::lgamma(static_cast<double>(i) + 1) -
                            std::lgamma(static_cast<double>(n - i) + 1) +
                            static_cast<double>(i) * log_p + static_cast<double>(n - i) * log_q;
    tail += std::exp(log_term);
  }
  return std::min(tail, 1.0);
}

namespace {
// The tail is summed in floating point: 0.1^2 comes out a hair above 0.01. A tail equal to
// the rate, up to rounding, meets it.
bool at_most(double p_value, double rate) {
  return p_value <= rate * (1 + 1e-9);
}
}  // namespace

int64_t misses_to_flag(int64_t seen, const AttentionOptions& options) {
  for (int64_t k = 1; k <= seen; ++k) {
    if (at_most(binomial_upper_tail(seen, k, options.honest_miss_rate), options.false_flag_rate)) {
      return k;
    }
  }
  return seen + 1;
}

std::vector<AttentionScore> score_attention(std::span<const ControlAnswer> answers,
                                            std::size_t voter_count,
                                            const AttentionOptions& options) {
  std::vector<AttentionScore> scores(voter_count);
  for (std::size_t v = 0; v < voter_count; ++v) scores[v].voter = static_cast<uint32_t>(v);
  for (const auto& a : answers) {
    ++scores[a.voter].seen;
    scores[a.voter].missed += a.missed ? 1 : 0;
  }
  for (auto& s : scores) {
    if (s.seen == 0) continue;
    s.p_value = binomial_upper_tail(s.seen, s.missed, options.honest_miss_rate);
    s.flagged = s.missed > 0 && at_most(s.p_value, options.false_flag_rate);
  }
  return scores;
}

}  // namespace paddock::arena
