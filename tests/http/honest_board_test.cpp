// Honest boards (issue 14): the robustness of the top in /api/leaderboard, and the listing
// rules an operator can switch on.

#include <gtest/gtest.h>

#include "api.hpp"
#include "paddock_server.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

std::vector<TestArena::SeededVote> duel(const std::string& a, const std::string& b, int a_wins,
                                        int b_wins) {
  std::vector<TestArena::SeededVote> votes;
  for (int k = 0; k < a_wins; ++k) votes.push_back({a, b, true});
  for (int k = 0; k < b_wins; ++k) votes.push_back({a, b, false});
  return votes;
}

TEST(HonestBoard, TheLeaderboardSaysHowManyVotesHoldTheTop) {
  TestArena arena;
  // 7 wins to 3: the #1 changes once it has fewer wins left than 3, after 5 removals (3:3
  // is level, no change), counted by hand.
  const int64_t last = arena.seed_votes(duel("seedance-2", "kling-21", 7, 3));
  PaddockServer server(arena.server_options());
  auto c = server.client();
  const json board = wait_for_board(c, "track=t2v", last);
  ASSERT_EQ(board.at("votes"), 10);
  ASSERT_TRUE(board.contains("robustness")) << board.dump();
  const auto& top = board.at("robustness").at(0);
  EXPECT_EQ(top.at("rank"), 1);
  EXPECT_EQ(top.at("upper"), board.at("models").at(0).at("model"));
  EXPECT_EQ(top.at("lower"), board.at("models").at(1).at("model"));
  EXPECT_EQ(top.at("votes"), 5);
  EXPECT_EQ(top.at("share"), 0.5);
  EXPECT_EQ(top.at("confirmed"), true);
}

}  // namespace
}  // namespace paddock::testing
