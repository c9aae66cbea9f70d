#include "demo/arena_simulation.hpp"

#include <gtest/gtest.h>

namespace paddock::demo {
namespace {

ArenaSimulationOptions small(arena::MatchmakingMode mode, uint64_t seed = 3) {
  ArenaSimulationOptions o;
  o.matchmaking.mode = mode;
  o.max_votes = 6000;
  o.seed = seed;
  o.stop_when_settled = false;
  return o;
}

TEST(SimulateArena, IsDeterministicBySeed) {
  auto a = simulate_arena(small(arena::MatchmakingMode::Adaptive));
  auto b = simulate_arena(small(arena::MatchmakingMode::Adaptive));
  auto c = simulate_arena(small(arena::MatchmakingMode::Adaptive, 4));
  ASSERT_TRUE(a && b && c);
  ASSERT_EQ(a->models.size(), 12u);
  for (std::size_t i = 0; i < a->models.size(); ++i) {
    EXPECT_EQ(a->models[i].battles, b->models[i].battles);
  }
  EXPECT_EQ(a->board.models[0].rating, b->board.models[0].rating);
  bool differs = false;
  for (std::size_t i = 0; i < a->models.size(); ++i) {
    differs |= a->models[i].battles != c->models[i].battles;
  }
  EXPECT_TRUE(differs);
}

TEST(SimulateArena, LateModelsPlayOnlyAfterTheyArrive) {
  auto o = small(arena::MatchmakingMode::Uniform);
  o.max_votes = 1500;  // video-j arrives at 1500, video-d at 3000
  auto r = simulate_arena(o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->votes, 1500);
  EXPECT_EQ(r->models[3].battles, 0);
  EXPECT_EQ(r->models[8].battles, 0);
  EXPECT_GT(r->models[0].battles, 0);
  double total = 0;
  for (const auto& m : r->models) total += m.share;
  EXPECT_NEAR(total, 1.0, 1e-12);
}

TEST(SimulateArena, UniformSharesAreEvenAndAdaptiveOnesFavourTheCloseTop) {
  auto uniform = small(arena::MatchmakingMode::Uniform);
  auto adaptive = small(arena::MatchmakingMode::Adaptive);
  uniform.max_votes = adaptive.max_votes = 12'000;
  auto u = simulate_arena(uniform);
  auto a = simulate_arena(adaptive);
  ASSERT_TRUE(u && a);
  // After 12000 votes, the top 5 (true ranks) get more battles adaptively than uniformly, the
  // bottom model fewer, and every model still plays.
  auto top5 = [](const ArenaSimulationResult& r) {
    double s = 0;
    for (const auto& m : r.models) s += m.true_rank <= 5 ? m.share : 0;
    return s;
  };
  EXPECT_GT(top5(*a), top5(*u) + 0.05);
  EXPECT_LT(a->models[11].share, u->models[11].share);
  for (const auto& m : a->models) EXPECT_GT(m.battles, 100) << m.id;
}

TEST(SimulateArena, HonestVotesRecoverTheTrueOrderAndTheBoardSettles) {
  auto o = small(arena::MatchmakingMode::Adaptive);
  o.max_votes = 200'000;
  o.stop_when_settled = true;
  auto r = simulate_arena(o);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->settled_at);
  EXPECT_EQ(r->votes, *r->settled_at);
  EXPECT_EQ(r->board.models[0].model, "video-a");
  EXPECT_EQ(r->board.models[4].model, "video-e");
}

TEST(SimulateArena, CarelessVotersFlattenTheBoard) {
  auto o = small(arena::MatchmakingMode::Uniform);
  o.voters = {{"careless", 1, std::make_shared<CarelessVoter>(CarelessVoter::Habit::Random)}};
  auto careless = simulate_arena(o);
  auto honest = simulate_arena(small(arena::MatchmakingMode::Uniform));
  ASSERT_TRUE(careless && honest);
  auto range = [](const rating::Board& b) {
    return b.models.front().rating - b.models.back().rating;
  };
  EXPECT_LT(range(careless->board), range(honest->board) / 2);
  EXPECT_EQ(careless->votes_by_group[0], 6000);
}

TEST(SimulateArena, RefusesBadOptions) {
  ArenaSimulationOptions o;
  o.refit_every = 0;
  EXPECT_EQ(simulate_arena(o).error().code, "bad_option");
  o = {};
  o.settle_top = 12;
  EXPECT_EQ(simulate_arena(o).error().code, "bad_option");
  o = {};
  o.models = {SimulatedModel{"x", "o", 1000, 0, -1}, SimulatedModel{"x", "o", 1000, 0, -1}};
  o.settle_top = 1;
  EXPECT_EQ(simulate_arena(o).error().code, "bad_option");
}

TEST(Settled, NeedsTheTrueOrderAndDisjointAdjacentIntervals) {
  rating::Board b;
  for (auto [name, lo, hi] : {std::tuple{"a", 1190.0, 1210.0}, std::tuple{"b", 1160.0, 1180.0},
                              std::tuple{"c", 1100.0, 1170.0}}) {
    rating::ModelRow row;
    row.model = name;
    row.ci_low = lo;
    row.ci_high = hi;
    b.models.push_back(row);
  }
  EXPECT_TRUE(settled(b, {"a", "b", "c"}, 2));
  EXPECT_FALSE(settled(b, {"a", "b", "c"}, 3));  // b and c overlap
  EXPECT_FALSE(settled(b, {"b", "a", "c"}, 2));  // wrong order
}

}  // namespace
}  // namespace paddock::demo
