// The full-size coverage measurements (label "slow"): 500 simulated logs of 10 models and
// 5000 votes, 1000 bootstrap rounds each, and the same logs with sandwich intervals; then
// small logs (600 votes) where the two methods part. Prints the coverage of the 95%
// intervals (docs/rating-method.md, "Bootstrap or sandwich").

#include <gtest/gtest.h>

#include <cstdio>

#include "rating/rating.hpp"
#include "rating/simulation.hpp"

namespace paddock::rating {
namespace {

struct Coverage {
  int covered = 0, total = 0;
  double width = 0;  // sum of interval widths
};

// Coverage of the true ratings by the board's intervals over `logs` simulated logs.
Coverage measure(int logs, int64_t votes, uint64_t first_seed, IntervalMethod method, int rounds) {
  Coverage c;
  for (int log = 0; log < logs; ++log) {
    SimulationOptions so;
    so.models = 10;
    so.votes = votes;
    so.tie_rate = 0.15;
    so.seed = first_seed + static_cast<uint64_t>(log);
    auto sim = simulate(so);
    EXPECT_TRUE(sim);
    BoardOptions o;
    o.bootstrap_rounds = rounds;
    o.intervals = method;
    o.seed = static_cast<uint64_t>(log);
    auto board = compute_board(sim->votes, o);
    EXPECT_TRUE(board);
    for (const auto& m : sim->models) {
      for (const auto& r : board->models) {
        if (r.model != m.name) continue;
        c.covered += r.ci_low <= m.rating && m.rating <= r.ci_high;
        c.width += r.ci_high - r.ci_low;
        ++c.total;
      }
    }
  }
  return c;
}

TEST(Coverage, NinetyFivePercentIntervalsCoverTheTruthAboutNinetyFivePercentOfTheTime) {
  const Coverage c = measure(500, 5000, 50000, IntervalMethod::Bootstrap, 1000);
  const double coverage = static_cast<double>(c.covered) / c.total;
  std::printf("coverage of 95%% intervals: %d of %d = %.4f, mean width %.2f\n", c.covered, c.total,
              coverage, c.width / c.total);
  RecordProperty("coverage", std::to_string(coverage));
  EXPECT_GT(coverage, 0.935);
  EXPECT_LT(coverage, 0.965);
}

TEST(Coverage, SandwichIntervalsCoverTheTruthAboutNinetyFivePercentOfTheTime) {
  const Coverage c = measure(500, 5000, 50000, IntervalMethod::Sandwich, 0);
  const double coverage = static_cast<double>(c.covered) / c.total;
  std::printf("sandwich, 5000 votes: coverage %d of %d = %.4f, mean width %.2f\n", c.covered,
              c.total, coverage, c.width / c.total);
  RecordProperty("coverage", std::to_string(coverage));
  EXPECT_GT(coverage, 0.935);
  EXPECT_LT(coverage, 0.965);
}

TEST(Coverage, OnSmallLogsBothMethodsStayNearTheirLevel) {
  // 600 votes over 10 models: about 13 votes per pair, where the normal approximation is
  // weakest.
  const Coverage boot = measure(200, 600, 70000, IntervalMethod::Bootstrap, 1000);
  const Coverage sand = measure(200, 600, 70000, IntervalMethod::Sandwich, 0);
  const double b = static_cast<double>(boot.covered) / boot.total;
  const double s = static_cast<double>(sand.covered) / sand.total;
  std::printf(
      "600 votes: bootstrap coverage %d of %d = %.4f (mean width %.1f), sandwich %d of %d "
      "= %.4f (mean width %.1f)\n",
      boot.covered, boot.total, b, boot.width / boot.total, sand.covered, sand.total, s,
      sand.width / sand.total);
  EXPECT_GT(b, 0.92);
  EXPECT_GT(s, 0.92);
}

}  // namespace
}  // namespace paddock::rating
