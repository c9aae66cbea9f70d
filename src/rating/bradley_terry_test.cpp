#include "rating/bradley_terry.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "rating/comparison_graph.hpp"
#include "rating/random.hpp"
#include "rating/scale.hpp"

namespace paddock::rating {
namespace {

PairTotals pairs(std::size_t models,
                 std::initializer_list<std::tuple<uint32_t, uint32_t, double, double>> list) {
  PairTotals t;
  t.models = models;
  for (auto [i, j, games, credit] : list) {
    t.first.push_back(i);
    t.second.push_back(j);
    t.games.push_back(games);
    t.credit.push_back(credit);
  }
  return t;
}

double points(const BradleyTerryFit& fit, int i, int j) {
  return kPointsPerNatural *
         (fit.theta[static_cast<std::size_t>(i)] - fit.theta[static_cast<std::size_t>(j)]);
}

TEST(BradleyTerry, TwoModelsMatchTheClosedForm) {
  // w wins and l losses: the difference is 400 log10(w / l).
  for (auto [w, l] : {std::pair{30.0, 10.0}, {7.0, 3.0}, {1.0, 99.0}, {500.0, 499.0}}) {
    BradleyTerrySolver solver;
    const auto fit = solver.fit(pairs(2, {{0, 1, w + l, w}}));
    EXPECT_FALSE(fit.prior_used);
    EXPECT_TRUE(fit.converged);
    EXPECT_NEAR(points(fit, 0, 1), 400 * std::log10(w / l), 1e-7) << w << ":" << l;
  }
}

TEST(BradleyTerry, TiesCountHalfAWinToEachSide) {
  BradleyTerrySolver solver;
  // 10 wins, 0 losses, 10 ties: credit 15 against 5.
  const auto fit = solver.fit(pairs(2, {{0, 1, 20, 15}}));
  EXPECT_FALSE(fit.prior_used);
  EXPECT_NEAR(points(fit, 0, 1), 400 * std::log10(3.0), 1e-7);
}

TEST(BradleyTerry, GradientVanishesAtTheFitOnABiggerGraph) {
  const auto data =
      pairs(4, {{0, 1, 40, 25}, {1, 2, 30, 12}, {0, 2, 50, 41}, {2, 3, 20, 9}, {0, 3, 10, 7.5}});
  BradleyTerrySolver solver;
  const auto fit = solver.fit(data);
  ASSERT_TRUE(fit.converged);
  std::vector<double> gradient(4, 0);
  for (std::size_t p = 0; p < data.size(); ++p) {
    const double g = data.credit[p] -
                     data.games[p] * sigmoid(fit.theta[data.first[p]] - fit.theta[data.second[p]]);
    gradient[data.first[p]] += g;
    gradient[data.second[p]] -= g;
  }
  for (double g : gradient) EXPECT_NEAR(g, 0, 1e-9);
}

TEST(BradleyTerry, WarmStartReachesTheSameScores) {
  const auto data = pairs(3, {{0, 1, 40, 25}, {1, 2, 30, 12}, {0, 2, 50, 41}});
  BradleyTerrySolver solver;
  const auto cold = solver.fit(data);
  const std::vector<double> start{5, -3, 1};
  const auto warm = solver.fit(data, start);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(points(cold, i, j), points(warm, i, j), 1e-8);
  }
}

// 30 models, strengths spread over +-3 natural units, 1-60 games a pair, the credit drawn
// from the model; model 0 also beat everyone when `undefeated` (the prior is then needed).
PairTotals random_pairs(uint64_t seed, bool undefeated) {
  Xoshiro256 rng(seed);
  PairTotals t;
  t.models = 30;
  std::vector<double> strength(t.models);
  for (auto& s : strength) s = 6 * rng.uniform() - 3;
  for (uint32_t i = 0; i < t.models; ++i) {
    for (uint32_t j = i + 1; j < t.models; ++j) {
      const auto games = static_cast<int64_t>(1 + rng.below(60));
      t.first.push_back(i);
      t.second.push_back(j);
      t.games.push_back(static_cast<double>(games));
      const double credit =
          static_cast<double>(binomial(rng, games, sigmoid(strength[i] - strength[j])));
      t.credit.push_back(undefeated && i == 0 ? static_cast<double>(games) : credit);
    }
  }
  return t;
}

TEST(BradleyTerry, ChordStepsReachNewtonsMaximum) {
  // Chord steps (bootstrap rounds) reuse a factorization while the steps shrink fast enough
  // and factor anew otherwise: from a cold start (large first steps, slow contraction), a
  // warm one and one far past the maximum (steps shortened) they must end where Newton's
  // method ends, to the tolerance.
  for (const bool undefeated : {false, true}) {
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      const auto data = random_pairs(seed, undefeated);
      BradleyTerrySolver newton;
      const auto exact = newton.fit(data);
      ASSERT_TRUE(exact.converged);
      ASSERT_EQ(exact.prior_used, undefeated);
      std::vector<double> warm = exact.theta, far = exact.theta;
      Xoshiro256 rng(seed + 100);
      for (auto& t : warm) t += 0.2 * rng.uniform() - 0.1;
      for (auto& t : far) t *= 3;  // far past the maximum: the first steps overshoot
      for (const auto& start : {std::vector<double>{}, warm, far}) {
        BradleyTerrySolver chord;
        chord.set_chord_steps(true);
        const auto fit = chord.fit(data, start);
        EXPECT_TRUE(fit.converged);
        EXPECT_EQ(fit.prior_used, undefeated);
        for (std::size_t m = 0; m < data.models; ++m) {
          EXPECT_NEAR(fit.theta[m] - fit.theta[1], exact.theta[m] - exact.theta[1],
                      kNewtonStepTolerance)
              << "seed " << seed << " start "
              << (start.empty()   ? "cold"
                  : start == warm ? "warm"
                                  : "far")
              << " model " << m;
        }
      }
    }
  }
}

TEST(BradleyTerry, WeightsActLikeRepeatedGames) {
  BradleyTerrySolver solver;
  const auto once = solver.fit(pairs(3, {{0, 1, 4, 3}, {1, 2, 6, 2}, {0, 2, 5, 4}}));
  const auto weighted = solver.fit(pairs(3, {{0, 1, 10, 7.5}, {1, 2, 15, 5}, {0, 2, 12.5, 10}}));
  EXPECT_NEAR(points(once, 0, 1), points(weighted, 0, 1), 1e-8);
  EXPECT_NEAR(points(once, 1, 2), points(weighted, 1, 2), 1e-8);
}

TEST(BradleyTerry, UndefeatedModelGetsAFiniteScoreFromThePrior) {
  // Model 0 beat everyone it met; no maximum exists.
  const auto data = pairs(3, {{0, 1, 12, 12}, {0, 2, 5, 5}, {1, 2, 20, 11}});
  EXPECT_FALSE(strongly_connected(data));
  BradleyTerrySolver solver;
  const auto fit = solver.fit(data);
  EXPECT_TRUE(fit.prior_used);
  EXPECT_TRUE(fit.converged);
  for (double t : fit.theta) EXPECT_TRUE(std::isfinite(t));
  EXPECT_GT(points(fit, 0, 1), 200);  // far ahead, but finite
  const auto d = diagnose_graph(data);
  EXPECT_EQ(d.never_lost, std::vector<uint32_t>{0});
  EXPECT_TRUE(d.never_won.empty());
}

TEST(BradleyTerry, DisconnectedGroupsGetFiniteScoresFromThePrior) {
  const auto data = pairs(4, {{0, 1, 10, 6}, {2, 3, 10, 3}});
  BradleyTerrySolver solver;
  const auto fit = solver.fit(data);
  EXPECT_TRUE(fit.prior_used);
  for (double t : fit.theta) EXPECT_TRUE(std::isfinite(t));
  EXPECT_GT(fit.theta[0], fit.theta[1]);
  EXPECT_LT(fit.theta[2], fit.theta[3]);
  const auto d = diagnose_graph(data);
  EXPECT_EQ(d.pieces.size(), 2u);
}

TEST(BradleyTerry, ModelsWithoutGamesHaveNoScore) {
  BradleyTerrySolver solver;
  const auto fit = solver.fit(pairs(3, {{0, 2, 10, 6}, {0, 1, 0, 0}}));
  EXPECT_TRUE(std::isnan(fit.theta[1]));
  EXPECT_FALSE(fit.prior_used);
}

TEST(BradleyTerry, ExtremeButConnectedRecordsConverge) {
  BradleyTerrySolver solver;
  const auto fit = solver.fit(pairs(2, {{0, 1, 100000, 99999}}));
  EXPECT_FALSE(fit.prior_used);
  EXPECT_NEAR(points(fit, 0, 1), 400 * std::log10(99999.0), 1e-6);
}

}  // namespace
}  // namespace paddock::rating
