#include "rating/ranks.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace paddock::rating {

double quantile(std::vector<double>& values, double q) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
               values.end());
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double h = static_cast<double>(values.size() - 1) * q;
  const auto below = static_cast<std::size_t>(std::floor(h));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (h - static_cast<double>(below)) * (values[above] - values[below]);
}

std::vector<Interval> percentile_intervals(std::span<const double> rounds_by_models,
                                           std::size_t models, double ci_level) {
  std::vector<Interval> out(models);
  if (models == 0) return out;
  const std::size_t rounds = rounds_by_models.size() / models;
  const double tail = (1.0 - ci_level) / 2.0;
  std::vector<double> column(rounds);
  for (std::size_t m = 0; m < models; ++m) {
    column.resize(rounds);
    for (std::size_t r = 0; r < rounds; ++r) column[r] = rounds_by_models[r * models + m];
    out[m].low = quantile(column, tail);
    out[m].high = quantile(column, 1.0 - tail);  // column is sorted and NaN-free by now
  }
  return out;
}

std::vector<RankRange> rank_ranges(std::span<const double> ratings,
                                   std::span<const Interval> intervals) {
  const std::size_t n = ratings.size();
  std::vector<Interval> iv(n);
  for (std::size_t i = 0; i < n; ++i) {
    iv[i] = intervals[i];
    if (std::isnan(iv[i].low) || std::isnan(iv[i].high)) iv[i] = {ratings[i], ratings[i]};
  }
  std::vector<RankRange> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    int higher = 0, above = 0, below = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      if (ratings[j] > ratings[i]) ++higher;
      if (iv[j].low > iv[i].high) ++above;
      if (iv[j].high < iv[i].low) ++below;
    }
    out[i] = {1 + higher, 1 + above, static_cast<int>(n) - below};
  }
  return out;
}

}  // namespace paddock::rating
