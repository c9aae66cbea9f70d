#include <gtest/gtest.h>

#include <cmath>

#include "rating/rating.hpp"
#include "rating/simulation.hpp"

namespace paddock::rating {
namespace {

VoteTable log_of(int64_t votes) {
  SimulationOptions o;
  o.models = 5;
  o.votes = votes;
  o.seed = 4;
  o.interval = 10;
  return std::move(simulate(o)->votes);
}

TEST(History, CheckpointsEveryKVotesAndAtTheEnd) {
  const VoteTable t = log_of(1050);
  HistoryOptions o;
  o.every_votes = 100;
  const auto h = compute_history(t, o);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->points.size(), 11u);
  EXPECT_EQ(h->points[0].votes, 100);
  EXPECT_EQ(h->points[0].last_index, 99);
  EXPECT_EQ(h->points.back().votes, 1050);
  EXPECT_EQ(h->models.size(), 5u);
}

TEST(History, LastPointEqualsTheBoard) {
  const VoteTable t = log_of(2000);
  const auto h = compute_history(t, HistoryOptions{});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->points.size(), static_cast<std::size_t>(kDefaultHistoryPoints));
  BoardOptions bo;
  bo.bootstrap_rounds = 0;
  const auto board = compute_board(t, bo);
  ASSERT_TRUE(board);
  for (const auto& row : board->models) {
    const auto it = std::find(h->models.begin(), h->models.end(), row.model);
    ASSERT_NE(it, h->models.end());
    EXPECT_NEAR(h->points.back().ratings[static_cast<std::size_t>(it - h->models.begin())],
                row.rating, 1e-6);
  }
}

TEST(History, EarlyPointsUseThePriorAndModelsAppearOverTime) {
  VoteTable t;
  const auto a = t.intern_model("a"), b = t.intern_model("b"), c = t.intern_model("c");
  t.add(a, b, Outcome::AWins, 0, 1);
  t.add(b, c, Outcome::AWins, 0, 2);
  t.add(c, a, Outcome::AWins, 0, 3);
  HistoryOptions o;
  o.every_votes = 1;
  const auto h = compute_history(t, o);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->points.size(), 3u);
  EXPECT_TRUE(h->points[0].prior_used);
  EXPECT_TRUE(std::isnan(h->points[0].ratings[2]));  // c has not voted yet
  EXPECT_TRUE(std::isfinite(h->points[0].ratings[0]));
  EXPECT_FALSE(h->points[2].prior_used);  // a > b > c > a: a cycle, all equal
  EXPECT_NEAR(h->points[2].ratings[0], 1000, 1e-9);
}

TEST(History, TimeBucketsEndAtBucketBoundaries) {
  const VoteTable t = log_of(500);  // tstamps start 1.7e9, every 10 s
  HistoryOptions o;
  o.bucket_seconds = 1000;
  const auto h = compute_history(t, o);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->points.size(), 5u);
  for (const auto& p : h->points) EXPECT_EQ(std::fmod(p.tstamp, 1000.0), 0.0);
  EXPECT_EQ(h->points[0].votes, 100);
  EXPECT_EQ(h->points.back().votes, 500);
}

TEST(History, RefusesNegativeSteps) {
  HistoryOptions o;
  o.every_votes = -1;
  EXPECT_FALSE(compute_history(VoteTable{}, o));
}

}  // namespace
}  // namespace paddock::rating
