// Per-vote weights (VoteTable::set_weight): known answers for the fit, the bootstrap and the
// sandwich, and boards that do not change when every weight is 1.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "rating/rating.hpp"
#include "rating/scale.hpp"
#include "rating/simulation.hpp"
#include "rating/test_votes.hpp"

namespace paddock::rating {
namespace {

using testing::board_of;
using testing::Record;
using testing::row;
using testing::same;
using testing::table_of;

SimulationOptions weighted_log() {
  SimulationOptions o;
  o.models = 6;
  o.votes = 3000;
  o.tie_rate = 0.2;
  o.categories = {{"portrait", 1}, {"landscape", 2}};
  o.multi_category_rate = 0.2;
  o.clip_features = true;
  o.long_clip_win_rate = 0.6;
  o.seed = 11;
  return o;
}

VoteTable simulated(const SimulationOptions& o) {
  auto sim = simulate(o);
  EXPECT_TRUE(sim);
  return std::move(sim->votes);
}

// A copy of `from` whose vote v appears copies(v) times, each with weight weight(v).
VoteTable rewritten(const VoteTable& from, const std::function<int(std::size_t)>& copies,
                    const std::function<double(std::size_t)>& weight) {
  VoteTable to;
  for (std::size_t v = 0; v < from.size(); ++v) {
    std::vector<std::string> categories;
    for (uint32_t c : from.category_set_members(from.category_set()[v])) {
      categories.push_back(from.category_names()[c]);
    }
    for (int k = 0; k < copies(v); ++k) {
      to.add(to.intern_model(from.model_name(from.model_a()[v])),
             to.intern_model(from.model_name(from.model_b()[v])), from.outcome()[v],
             to.intern_category_set(categories), from.tstamp()[v]);
      for (uint32_t f = 0; f < from.feature_names().size(); ++f) {
        to.set_feature(to.intern_feature(from.feature_names()[f]), from.feature_a(f, v),
                       from.feature_b(f, v));
      }
      if (weight(v) != 1) to.set_weight(weight(v));
    }
  }
  return to;
}

void expect_near_ratings(const Board& x, const Board& y, double tolerance) {
  ASSERT_EQ(x.models.size(), y.models.size());
  for (std::size_t i = 0; i < x.models.size(); ++i) {
    EXPECT_EQ(x.models[i].model, y.models[i].model);
    EXPECT_NEAR(x.models[i].rating, y.models[i].rating, tolerance) << x.models[i].model;
    EXPECT_NEAR(x.models[i].ci_low, y.models[i].ci_low, tolerance) << x.models[i].model;
    EXPECT_NEAR(x.models[i].ci_high, y.models[i].ci_high, tolerance) << x.models[i].model;
  }
}

TEST(VoteWeights, TwoModelsMatchTheClosedForm) {
  // x wins 3 votes of weight 1, y wins 3 of weight 1/2: x's weighted share of the wins is
  // 3 / 4.5 = 2/3, so x leads by 400 log10(2) points.
  VoteTable t;
  const auto x = t.intern_model("x"), y = t.intern_model("y");
  for (int i = 0; i < 3; ++i) t.add(x, y, Outcome::AWins, VoteTable::kNoCategories, i);
  for (int i = 0; i < 3; ++i) {
    t.add(x, y, Outcome::BWins, VoteTable::kNoCategories, 3 + i);
    t.set_weight(0.5);
  }
  BoardOptions o;
  o.bootstrap_rounds = 0;
  const Board b = board_of(t, o);
  ASSERT_EQ(b.models.size(), 2u);
  EXPECT_NEAR(row(b, "x").rating - row(b, "y").rating, 400 * std::log10(2.0), 1e-9);
  EXPECT_EQ(b.votes, 6);
  EXPECT_EQ(b.down_weighted_votes, 3);
  EXPECT_DOUBLE_EQ(b.vote_weight_total, 4.5);
  // Counts stay counts of votes.
  EXPECT_EQ(row(b, "x").wins, 3);
  EXPECT_EQ(row(b, "y").wins, 3);
}

TEST(VoteWeights, HalfWeightEqualsDoublingTheOtherVotes) {
  // Weights 1/2 on every third vote and 1 elsewhere give the votes the proportions of a log
  // where those votes appear once and the others twice: the same scores (the likelihood is
  // only scaled by 2), for plain and Davidson ties and with presentation control.
  const VoteTable log = simulated(weighted_log());
  const auto third = [](std::size_t v) { return v % 3 == 0; };
  const VoteTable weighted = rewritten(
      log, [](std::size_t) { return 1; }, [&](std::size_t v) { return third(v) ? 0.5 : 1; });
  const VoteTable doubled = rewritten(
      log, [&](std::size_t v) { return third(v) ? 1 : 2; }, [](std::size_t) { return 1.0; });
  for (const auto ties : {TieModel::Half, TieModel::Davidson}) {
    BoardOptions o;
    o.bootstrap_rounds = 0;
    o.ties = ties;
    const Board w = board_of(weighted, o), d = board_of(doubled, o);
    ASSERT_EQ(w.models.size(), 6u);
    for (std::size_t i = 0; i < w.models.size(); ++i) {
      EXPECT_EQ(w.models[i].model, d.models[i].model);
      EXPECT_NEAR(w.models[i].rating, d.models[i].rating, 1e-6) << w.models[i].model;
    }
    if (ties == TieModel::Davidson) {
      EXPECT_NEAR(w.tie_parameter, d.tie_parameter, 1e-9);
    }
  }
  BoardOptions control;
  control.bootstrap_rounds = 0;
  control.control = {"duration"};
  const Board wc = board_of(weighted, control), dc = board_of(doubled, control);
  ASSERT_EQ(wc.covariates.size(), 1u);
  EXPECT_NEAR(wc.covariates[0].effect, dc.covariates[0].effect, 1e-6);
  for (std::size_t i = 0; i < wc.models.size(); ++i) {
    EXPECT_NEAR(wc.models[i].rating, dc.models[i].rating, 1e-6);
  }
  // And the weights do change the board against the plain log.
  const Board plain = board_of(log, control);
  double moved = 0;
  for (std::size_t i = 0; i < plain.models.size(); ++i) {
    moved = std::max(
        moved, std::abs(plain.models[i].raw_rating - row(wc, plain.models[i].model).raw_rating));
  }
  EXPECT_GT(moved, 0.01);
}

TEST(VoteWeights, OneWeightForEveryVoteChangesNoInterval) {
  // Scaling every vote by the same weight scales the likelihood: the scores are the same,
  // and so are the bootstrap's (each round's counts scale alike) and the sandwich's (the
  // information scales by w, the score variance by w^2) intervals.
  const VoteTable log = simulated(weighted_log());
  const VoteTable quarter = rewritten(
      log, [](std::size_t) { return 1; }, [](std::size_t) { return 0.25; });
  for (const auto method : {IntervalMethod::Bootstrap, IntervalMethod::Sandwich}) {
    for (const bool balanced : {false, true}) {
      BoardOptions o;
      o.bootstrap_rounds = 100;
      o.intervals = method;
      if (balanced) o.weights = CategoryWeights{.balanced = true, .shares = {}};
      const Board a = board_of(log, o), b = board_of(quarter, o);
      expect_near_ratings(a, b, 1e-6);
      EXPECT_EQ(b.down_weighted_votes, 3000);
      EXPECT_DOUBLE_EQ(b.vote_weight_total, 750);
    }
  }
}

TEST(VoteWeights, WeightsOfOneLeaveTheBoardBitForBit) {
  const VoteTable log = simulated(weighted_log());
  const VoteTable ones = rewritten(
      log, [](std::size_t) { return 1; }, [](std::size_t) { return 1.0; });
  EXPECT_FALSE(ones.has_weights());
  BoardOptions o;
  o.bootstrap_rounds = 100;
  const Board a = board_of(log, o), b = board_of(ones, o);
  ASSERT_EQ(a.models.size(), b.models.size());
  for (std::size_t i = 0; i < a.models.size(); ++i) {
    EXPECT_TRUE(same(a.models[i].rating, b.models[i].rating));
    EXPECT_TRUE(same(a.models[i].ci_low, b.models[i].ci_low));
    EXPECT_TRUE(same(a.models[i].ci_high, b.models[i].ci_high));
    EXPECT_TRUE(same(a.models[i].elo, b.models[i].elo));
  }
  EXPECT_EQ(b.down_weighted_votes, 0);
  EXPECT_EQ(a.notes, b.notes);
}

TEST(VoteWeights, TheBoardDoesNotDependOnTheOrderOfTheVotes) {
  // Weight classes are numbered in the order a table meets them; cells order them by value.
  std::vector<Record> records;
  std::vector<double> weights;
  const double choices[] = {1, 0.25, 0.5, 0.75};
  const std::pair<const char*, const char*> pairs[] = {{"a", "b"}, {"a", "c"}, {"a", "d"},
                                                       {"b", "c"}, {"b", "d"}, {"c", "d"}};
  for (int i = 0; i < 400; ++i) {
    const auto& [a, b] = pairs[i % 6];
    const Outcome outcome =
        i % 7 < 4 ? Outcome::AWins : (i % 7 < 6 ? Outcome::BWins : Outcome::Tie);
    records.push_back({a, b, outcome, {}, double(i)});
    weights.push_back(choices[(i * 7 / 3) % 4]);
  }
  auto build = [&](const std::vector<std::size_t>& order) {
    VoteTable t;
    for (std::size_t k : order) {
      const auto& r = records[k];
      t.add(t.intern_model(r.a), t.intern_model(r.b), r.outcome, VoteTable::kNoCategories,
            r.tstamp);
      if (weights[k] != 1) t.set_weight(weights[k]);
    }
    return t;
  };
  std::vector<std::size_t> forward(records.size()), backward;
  for (std::size_t k = 0; k < forward.size(); ++k) forward[k] = k;
  backward.assign(forward.rbegin(), forward.rend());
  BoardOptions o;
  o.bootstrap_rounds = 100;
  const Board x = board_of(build(forward), o), y = board_of(build(backward), o);
  ASSERT_EQ(x.models.size(), 4u);
  for (std::size_t i = 0; i < x.models.size(); ++i) {
    EXPECT_EQ(x.models[i].model, y.models[i].model);
    EXPECT_TRUE(same(x.models[i].rating, y.models[i].rating));
    EXPECT_TRUE(same(x.models[i].ci_low, y.models[i].ci_low));
    EXPECT_TRUE(same(x.models[i].ci_high, y.models[i].ci_high));
  }
}

TEST(VoteWeights, AppendKeepsEachVotesWeight) {
  VoteTable first, second;
  const auto a = second.intern_model("a"), b = second.intern_model("b");
  second.add(a, b, Outcome::AWins, VoteTable::kNoCategories);
  second.add(a, b, Outcome::BWins, VoteTable::kNoCategories);
  second.set_weight(0.5);
  second.add(a, b, Outcome::Tie, VoteTable::kNoCategories);
  const auto c = first.intern_model("c"), d = first.intern_model("d");
  first.add(c, d, Outcome::AWins, VoteTable::kNoCategories);
  first.set_weight(0.75);
  first.append(second);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(first.weight(0), 0.75);
  EXPECT_EQ(first.weight(1), 1);
  EXPECT_EQ(first.weight(2), 0.5);
  EXPECT_EQ(first.weight(3), 1);
  first.clear();
  EXPECT_FALSE(first.has_weights());
  EXPECT_EQ(first.weight_values().size(), 1u);
}

}  // namespace
}  // namespace paddock::rating
