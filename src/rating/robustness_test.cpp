// Robustness of an order: the votes whose removal flips it, checked by hand on small logs
// and against every subset of the votes (refitting each) on random small logs.

#include "rating/robustness.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <tuple>

#include "rating/bradley_terry.hpp"
#include "rating/rating.hpp"
#include "rating/simulation.hpp"
#include "rating/test_votes.hpp"

namespace paddock::rating {
namespace {

using testing::Record;

std::vector<Record> repeated(const std::string& a, const std::string& b, Outcome o, int n) {
  return std::vector<Record>(static_cast<std::size_t>(n), Record{a, b, o});
}

std::vector<Record> joined(std::initializer_list<std::vector<Record>> parts) {
  std::vector<Record> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Board robust_board(const std::vector<Record>& records, int top = 10) {
  BoardOptions o;
  o.bootstrap_rounds = 0;
  o.robustness_top = top;
  return testing::board_of(testing::table_of(records), o);
}

// The fewest votes whose removal puts `lower` above `upper`, by refitting after every
// combination of removals (votes of one kind are interchangeable, so a combination is a
// count per kind). -1 when none does.
int64_t brute_force_flip(const std::vector<Record>& records, const std::string& upper,
                         const std::string& lower) {
  std::map<std::string, uint32_t> index;
  for (const auto& r : records) {
    index.emplace(r.a, 0);
    index.emplace(r.b, 0);
  }
  uint32_t next = 0;
  for (auto& [name, i] : index) i = next++;
  // Kinds: (first, second, credit of first) with counts.
  std::map<std::tuple<uint32_t, uint32_t, double>, int> kinds;
  for (const auto& r : records) {
    uint32_t a = index[r.a], b = index[r.b];
    double credit = r.outcome == Outcome::AWins ? 1.0 : r.outcome == Outcome::BWins ? 0.0 : 0.5;
    if (a > b) {
      std::swap(a, b);
      credit = 1.0 - credit;
    }
    ++kinds[{a, b, credit}];
  }
  std::vector<std::tuple<uint32_t, uint32_t, double>> kind;
  std::vector<int> count;
  for (const auto& [k, n] : kinds) {
    kind.push_back(k);
    count.push_back(n);
  }
  int64_t best = -1;
  std::vector<int> removed(kind.size(), 0);
  BradleyTerrySolver solver;
  while (true) {
    int64_t total = 0;
    for (int r : removed) total += r;
    if (best < 0 || total < best) {
      PairTotals t;
      t.models = index.size();
      std::map<std::pair<uint32_t, uint32_t>, std::size_t> pair;
      for (std::size_t k = 0; k < kind.size(); ++k) {
        const auto [a, b, credit] = kind[k];
        const double n = count[k] - removed[k];
        if (n == 0) continue;
        auto [it, added] = pair.emplace(std::pair{a, b}, t.first.size());
        if (added) {
          t.first.push_back(a);
          t.second.push_back(b);
          t.games.push_back(0);
          t.credit.push_back(0);
        }
        t.games[it->second] += n;
        t.credit[it->second] += n * credit;
      }
      if (!t.first.empty()) {
        const auto fit = solver.fit(t);
        const double up = fit.theta[index[upper]], low = fit.theta[index[lower]];
        if (std::isfinite(up) && std::isfinite(low) && low - up > kFlipMargin) best = total;
      }
    }
    std::size_t k = 0;
    while (k < removed.size() && removed[k] == count[k]) removed[k++] = 0;
    if (k == removed.size()) break;
    ++removed[k];
  }
  return best;
}

TEST(Robustness, TwoModelsFlipWhenTheLeadersWinsFallBelowTheOthers) {
  // A 7 wins, B 3: B passes A once A has fewer than 3 wins left, after 5 removals.
  const Board board = robust_board(
      joined({repeated("A", "B", Outcome::AWins, 7), repeated("A", "B", Outcome::BWins, 3)}));
  ASSERT_EQ(board.robustness.size(), 1u);
  const RobustnessRow& r = board.robustness[0];
  EXPECT_EQ(r.upper, "A");
  EXPECT_EQ(r.lower, "B");
  EXPECT_EQ(r.rank, 1);
  EXPECT_EQ(r.votes, 5);
  EXPECT_TRUE(r.confirmed);
  EXPECT_DOUBLE_EQ(r.share, 0.5);
  EXPECT_GE(r.refits, 1);
}

TEST(Robustness, ALevelScoreIsNoFlip) {
  // A 5 wins, B 3: removing two leaves them level (no change of order), three flips it.
  const Board board = robust_board(
      joined({repeated("A", "B", Outcome::AWins, 5), repeated("A", "B", Outcome::BWins, 3),
              repeated("A", "B", Outcome::Tie, 4)}));
  ASSERT_EQ(board.robustness.size(), 1u);
  EXPECT_EQ(board.robustness[0].votes, 3);
  EXPECT_EQ(brute_force_flip(joined({repeated("A", "B", Outcome::AWins, 5),
                                     repeated("A", "B", Outcome::BWins, 3),
                                     repeated("A", "B", Outcome::Tie, 4)}),
                             "A", "B"),
            3);
}

TEST(Robustness, AnOrderNoRemovalFlipsHasNoFigure) {
  // B never won: removing A's wins only takes the pair off the board.
  const Board board = robust_board(repeated("A", "B", Outcome::AWins, 4));
  ASSERT_EQ(board.robustness.size(), 1u);
  EXPECT_EQ(board.robustness[0].votes, -1);
  EXPECT_FALSE(board.robustness[0].confirmed);
  EXPECT_TRUE(std::isnan(board.robustness[0].share));
}

TEST(Robustness, EveryAdjacentPairOfTheTopInBoardOrder) {
  const auto records =
      joined({repeated("A", "B", Outcome::AWins, 6), repeated("A", "B", Outcome::BWins, 4),
              repeated("B", "C", Outcome::AWins, 6), repeated("B", "C", Outcome::BWins, 3),
              repeated("C", "D", Outcome::AWins, 5), repeated("C", "D", Outcome::BWins, 4),
              repeated("A", "D", Outcome::AWins, 3), repeated("A", "D", Outcome::BWins, 1)});
  const Board board = robust_board(records, 3);
  ASSERT_EQ(board.robustness.size(), 2u);  // #1-#2 and #2-#3 of a top 3
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(board.robustness[k].upper, board.models[k].model);
    EXPECT_EQ(board.robustness[k].lower, board.models[k + 1].model);
    EXPECT_EQ(board.robustness[k].rank, static_cast<int>(k + 1));
    EXPECT_EQ(board.robustness[k].votes,
              brute_force_flip(records, board.models[k].model, board.models[k + 1].model));
  }
}

TEST(Robustness, MatchesEverySubsetOnRandomSmallLogs) {
  // Three models, every pair with wins both ways (so the full fit needs no prior), the
  // first names stronger. The figure is a real flip (a refit confirmed it), so it is never
  // below the true minimum; it should be the minimum itself.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> stronger(1, 5), weaker(1, 3), ties(0, 1);
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"A", "B"}, {"A", "C"}, {"B", "C"}};
  int compared = 0, exact = 0;
  for (int trial = 0; trial < 25; ++trial) {
    std::vector<Record> records;
    for (const auto& [a, b] : pairs) {
      records = joined({records, repeated(a, b, Outcome::AWins, stronger(rng)),
                        repeated(a, b, Outcome::BWins, weaker(rng)),
                        repeated(a, b, Outcome::Tie, ties(rng))});
    }
    const Board board = robust_board(records);
    ASSERT_EQ(board.robustness.size(), 2u);
    for (const RobustnessRow& r : board.robustness) {
      const int64_t brute = brute_force_flip(records, r.upper, r.lower);
      ASSERT_GT(brute, 0);
      ASSERT_TRUE(r.confirmed) << "trial " << trial;
      EXPECT_GE(r.votes, brute) << "trial " << trial;
      ++compared;
      if (r.votes == brute) ++exact;
    }
  }
  EXPECT_EQ(compared, 50);
  EXPECT_EQ(exact, compared);
}

TEST(Robustness, TheInfluenceApproximationIsConfirmedOnALargerBoard) {
  SimulationOptions sim;
  sim.models = 6;
  sim.votes = 20000;
  sim.spread = 40;
  sim.seed = 3;
  auto simulated = simulate(sim);
  ASSERT_TRUE(simulated);
  BoardOptions o;
  o.bootstrap_rounds = 0;
  o.robustness_top = 6;
  const Board board = testing::board_of(simulated->votes, o);
  ASSERT_EQ(board.robustness.size(), 5u);
  for (const RobustnessRow& r : board.robustness) {
    ASSERT_TRUE(r.confirmed) << r.upper << ">" << r.lower;
    ASSERT_GT(r.approximate, 0);
    // The first-order figure is near the refitted one (the fit bends as votes go: within
    // half), and the search from it needs few refits.
    EXPECT_NEAR(static_cast<double>(r.approximate), static_cast<double>(r.votes),
                0.5 * static_cast<double>(r.votes))
        << r.upper << ">" << r.lower;
    EXPECT_LE(r.refits, 2 * 20);
    EXPECT_DOUBLE_EQ(r.share, static_cast<double>(r.votes) / static_cast<double>(board.votes));
  }
}

TEST(Robustness, EveryFitHasItAndANegativeTopIsRefused) {
  // Davidson ties, weights and control have their own figures (robustness_fits_test.cpp);
  // no board says it has none.
  const auto records =
      joined({repeated("A", "B", Outcome::AWins, 6), repeated("A", "B", Outcome::BWins, 4),
              repeated("A", "B", Outcome::Tie, 2)});
  BoardOptions o;
  o.bootstrap_rounds = 0;
  o.robustness_top = 10;
  o.ties = TieModel::Davidson;
  const Board board = testing::board_of(testing::table_of(records), o);
  ASSERT_EQ(board.robustness.size(), 1u);
  EXPECT_EQ(board.robustness[0].votes, 3);  // 6:4 wins, ties no help: 3:4 after 3
  for (const auto& n : board.notes) EXPECT_EQ(n.find("Robustness"), std::string::npos) << n;
  o.robustness_top = -1;
  EXPECT_FALSE(compute_board(testing::table_of(records), o));
}

}  // namespace
}  // namespace paddock::rating
