// Matchmaking at the API level: a real server over a board whose order is clear for two pairs
// and open for the third. With --matchmaking adaptive the open pair gets the most battles, every
// pair still occurs, and /api/leaderboard publishes the distribution and the sampling shares;
// with --matchmaking uniform the pairs share alike. Adaptive is the default.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "api.hpp"
#include "paddock_server.hpp"
#include "store/open_store.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

constexpr const char* kStrong1 = "seedance-2";
constexpr const char* kStrong2 = "kling-21";
constexpr const char* kWeak = "zebra-q9";  // anonymous: "HappyHorse-1.0" on the board
constexpr int kVotesPerPair = 200;
constexpr int kBattles = 900;

using PairCounts = std::map<std::pair<std::string, std::string>, int>;

// The two strong models are level; each beats the weak one 19 times in 20.
int64_t seed_votes(const TestArena& arena) {
  std::vector<TestArena::SeededVote> votes;
  for (int i = 0; i < kVotesPerPair; ++i) {
    votes.push_back({kStrong1, kStrong2, i % 2 != 0});
    votes.push_back({kStrong1, kWeak, i % 20 != 0});
    votes.push_back({kStrong2, kWeak, i % 20 != 0});
  }
  return arena.seed_votes(votes);
}

// Asks for `n` battles (no votes, so the board stays put), stops the server, and counts the
// recorded battles per unordered pair of model ids.
PairCounts battles_by_pair(PaddockServer& server, const TestArena& arena, int n) {
  auto client = server.client();
  for (int i = 0; i < n; ++i) new_battle(client, "t2v");
  EXPECT_EQ(server.stop(), 0) << server.log();  // writes every issued battle
  auto store = store::open_store(arena.db().string(), {.create_if_missing = false});
  if (!store) throw std::runtime_error(store.error().message);
  auto battles = (*store)->list_battles("t2v", 1'000'000);
  if (!battles) throw std::runtime_error(battles.error().message);
  PairCounts counts;
  for (const auto& b : *battles) {
    ++counts[{std::min(b.left_model, b.right_model), std::max(b.left_model, b.right_model)}];
  }
  return counts;
}

double probability_of(const json& board, const std::string& a, const std::string& b) {
  for (const auto& p : board.at("matchmaking").at("pairs")) {
    if ((p.at("model_a") == a && p.at("model_b") == b) ||
        (p.at("model_a") == b && p.at("model_b") == a)) {
      return p.at("probability").get<double>();
    }
  }
  ADD_FAILURE() << "no pair " << a << " / " << b << " in " << board.at("matchmaking").dump();
  return 0;
}

TEST(Matchmaking, AdaptiveShiftsBattlesTowardsTheOpenPairAndKeepsEveryPair) {
  TestArena arena;
  const int64_t last = seed_votes(arena);
  PaddockServer server(arena.server_options());  // adaptive is the default
  auto client = server.client();
  // The published distribution: the level pair is the one worth voting on.
  const json board = wait_for_board(client, "track=t2v", last);
  EXPECT_EQ(board.at("matchmaking").at("mode"), "adaptive");
  ASSERT_EQ(board.at("matchmaking").at("pairs").size(), 3u);
  // (The others keep more than the floor: the published intervals of the level two include
  // the uncertainty of the weak one's score, through the mean anchor; docs/matchmaking.md.)
  const double open = probability_of(board, "Seedance 2.0", "Kling 2.1");
  EXPECT_GT(open, 0.4);  // uniformly 1/3
  for (const char* strong : {"Seedance 2.0", "Kling 2.1"}) {
    const double other = probability_of(board, strong, "HappyHorse-1.0");
    EXPECT_GT(other, 0.2 / 3 - 1e-9);
    EXPECT_GT(open, other + 0.1);
  }
  // Each model had two thirds of its pairs' votes: a third of the battles each.
  for (const auto& row : board.at("models")) {
    EXPECT_NEAR(row.at("sampling_share").get<double>(), 1.0 / 3, 1e-9) << row.dump();
  }

  // The battles handed out follow it: most on the open pair, yet every pair occurs.
  auto counts = battles_by_pair(server, arena, kBattles);
  ASSERT_EQ(counts.size(), 3u);
  const int level = counts[{kStrong2, kStrong1}];
  EXPECT_NEAR(level, open * kBattles, 5 * std::sqrt(kBattles * open * (1 - open)));
  EXPECT_GT(level, 1.1 * kBattles / 3);
  for (const auto& [pair, n] : counts) EXPECT_GT(n, 20) << pair.first << " / " << pair.second;
}

TEST(Matchmaking, UniformSharesBattlesAlikeAndPublishesNoPlan) {
  TestArena arena;
  const int64_t last = seed_votes(arena);
  PaddockServer server(arena.server_options({"--matchmaking", "uniform"}));
  auto client = server.client();
  const json board = wait_for_board(client, "track=t2v", last);
  EXPECT_EQ(board.at("matchmaking").at("mode"), "uniform");
  EXPECT_TRUE(board.at("matchmaking").at("pairs").empty());
  auto counts = battles_by_pair(server, arena, kBattles);
  ASSERT_EQ(counts.size(), 3u);
  for (const auto& [pair, n] : counts) {
    EXPECT_NEAR(n, kBattles / 3.0, 5 * std::sqrt(kBattles * 2.0 / 9)) << pair.first;
  }
}

TEST(Matchmaking, ABadModeIsRefused) {
  TestArena arena;
  EXPECT_THROW(PaddockServer s(arena.server_options({"--matchmaking", "clever"})),
               std::runtime_error);
}

}  // namespace
}  // namespace paddock::testing
