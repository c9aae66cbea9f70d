#include "rating/ranks.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace paddock::rating {
namespace {

TEST(Quantile, InterpolatesBetweenOrderStatistics) {
  std::vector<double> v{4, 1, 3, 2, 5};
  EXPECT_DOUBLE_EQ(quantile(v, 0.0), 1);
  EXPECT_DOUBLE_EQ(quantile(v, 1.0), 5);
  EXPECT_DOUBLE_EQ(quantile(v, 0.5), 3);
  EXPECT_DOUBLE_EQ(quantile(v, 0.1), 1.4);  // h = 0.4
}

TEST(Quantile, IgnoresMissingRounds) {
  std::vector<double> v{NAN, 2, 1, NAN};
  EXPECT_DOUBLE_EQ(quantile(v, 1.0), 2);
  std::vector<double> none{NAN};
  EXPECT_TRUE(std::isnan(quantile(none, 0.5)));
}

TEST(PercentileIntervals, TakeTheTailsOfEachColumn) {
  // 101 rounds of 2 models: model 0 = round index, model 1 = -round index.
  std::vector<double> m;
  for (int r = 0; r <= 100; ++r) {
    m.push_back(r);
    m.push_back(-r);
  }
  const auto iv = percentile_intervals(m, 2, 0.9);
  EXPECT_DOUBLE_EQ(iv[0].low, 5);
  EXPECT_DOUBLE_EQ(iv[0].high, 95);
  EXPECT_DOUBLE_EQ(iv[1].low, -95);
  EXPECT_DOUBLE_EQ(iv[1].high, -5);
}

TEST(RankRanges, CountIntervalsWhollyAboveAndBelow) {
  // a [90,110], b [80,100] overlaps a, c [50,70] below both, d [60,75] overlaps c only.
  const std::vector<double> ratings{100, 90, 60, 65};
  const std::vector<Interval> iv{{90, 110}, {80, 100}, {50, 70}, {60, 75}};
  const auto r = rank_ranges(ratings, iv);
  EXPECT_EQ(r[0].rank, 1);
  EXPECT_EQ(r[0].best, 1);
  EXPECT_EQ(r[0].worst, 2);
  EXPECT_EQ(r[1].rank, 2);
  EXPECT_EQ(r[1].best, 1);
  EXPECT_EQ(r[1].worst, 2);
  EXPECT_EQ(r[2].rank, 4);
  EXPECT_EQ(r[2].best, 3);
  EXPECT_EQ(r[2].worst, 4);
  EXPECT_EQ(r[3].rank, 3);
  EXPECT_EQ(r[3].best, 3);
  EXPECT_EQ(r[3].worst, 4);
}

TEST(RankRanges, EqualScoresShareARank) {
  const std::vector<double> ratings{10, 10, 5};
  const std::vector<Interval> iv(3, Interval{NAN, NAN});
  const auto r = rank_ranges(ratings, iv);
  EXPECT_EQ(r[0].rank, 1);
  EXPECT_EQ(r[1].rank, 1);
  EXPECT_EQ(r[2].rank, 3);
  EXPECT_EQ(r[2].best, 3);
  EXPECT_EQ(r[0].worst, 2);  // the point intervals of a and b touch, neither is below
}

}  // namespace
}  // namespace paddock::rating
