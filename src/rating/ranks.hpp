#pragma once
// Percentile intervals from bootstrap rounds, and ranks with rank ranges.
//   - interval: the (1 - ci)/2 and (1 + ci)/2 quantiles of a model's bootstrap scores, each
//     by linear interpolation between order statistics (h = (R - 1) q);
//   - rank: 1 + the number of models with a strictly higher score;
//   - best rank: 1 + the number of models whose interval lies entirely above this one's;
//   - worst rank: the number of models minus those whose interval lies entirely below.

#include <span>
#include <vector>

namespace paddock::rating {

// The q-quantile of the non-NaN values (reordered in place); NaN if there are none.
double quantile(std::vector<double>& values, double q);

struct Interval {
  double low = 0, high = 0;
};

// Per model, from a rounds x models row-major matrix.
std::vector<Interval> percentile_intervals(std::span<const double> rounds_by_models,
                                           std::size_t models, double ci_level);

struct RankRange {
  int rank = 0, best = 0, worst = 0;
};

// An interval with a NaN end counts as the point [rating, rating].
std::vector<RankRange> rank_ranges(std::span<const double> ratings,
                                   std::span<const Interval> intervals);

}  // namespace paddock::rating
