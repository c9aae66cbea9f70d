// The full-size coverage measurement (label "slow"): 500 simulated logs of 10 models and
// 5000 votes, 1000 bootstrap rounds each. Prints the coverage of the 95% intervals.

#include <gtest/gtest.h>

#include <cstdio>

#include "rating/rating.hpp"
#include "rating/simulation.hpp"

namespace paddock::rating {
namespace {

TEST(Coverage, NinetyFivePercentIntervalsCoverTheTruthAboutNinetyFivePercentOfTheTime) {
  constexpr int kLogs = 500;
  int covered = 0, total = 0;
  for (int log = 0; log < kLogs; ++log) {
    SimulationOptions so;
    so.models = 10;
    so.votes = 5000;
    so.tie_rate = 0.15;
    so.seed = 50000 + static_cast<uint64_t>(log);
    auto sim = simulate(so);
    ASSERT_TRUE(sim);
    BoardOptions o;
    o.bootstrap_rounds = 1000;
    o.seed = static_cast<uint64_t>(log);
    auto board = compute_board(sim->votes, o);
    ASSERT_TRUE(board);
    for (const auto& m : sim->models) {
      for (const auto& r : board->models) {
        if (r.model != m.name) continue;
        covered += r.ci_low <= m.rating && m.rating <= r.ci_high;
        ++total;
      }
    }
  }
  const double coverage = static_cast<double>(covered) / total;
  std::printf("coverage of 95%% intervals: %d of %d = %.4f\n", covered, total, coverage);
  RecordProperty("coverage", std::to_string(coverage));
  EXPECT_GT(coverage, 0.935);
  EXPECT_LT(coverage, 0.965);
}

}  // namespace
}  // namespace paddock::rating
