// Honest boards (issue 14): the robustness of the top in /api/leaderboard, and the listing
// rules an operator can switch on.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <thread>

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

TEST(HonestBoard, AWeightedBoardCountsTheWeightOfTheVotesRemoved) {
  TestArena arena;
  // 40 watched votes, Seedance winning 30, and 40 unwatched ones for Kling that weigh 1/4:
  // Seedance leads 30 to 20 in weight. Removing 10 of its wins leaves 20 to 20 (level),
  // 11 puts Kling ahead; removing light votes only helps Seedance. Counted by hand.
  std::vector<TestArena::SeededVote> votes;
  for (int k = 0; k < 40; ++k) {
    votes.push_back(
        {"seedance-2", "kling-21", k % 4 != 3, "watcher", "10.0.0.1", 2000, 2000, 5000});
  }
  for (int k = 0; k < 40; ++k) {
    votes.push_back({"seedance-2", "kling-21", false, "skipper", "10.0.1.1", 0, 0, 300});
  }
  const int64_t last = arena.seed_votes(votes);
  PaddockServer server(arena.server_options({"--watch-weighting", "0.25"}));
  auto c = server.client();
  const json board = wait_for_board(c, "track=t2v", last);
  ASSERT_EQ(board.at("vote_weights").at("down_weighted_votes"), 40);
  ASSERT_TRUE(board.contains("robustness")) << board.dump();
  const auto& top = board.at("robustness").at(0);
  EXPECT_EQ(top.at("upper"), "Seedance 2.0");
  EXPECT_EQ(top.at("lower"), "Kling 2.1");
  EXPECT_EQ(top.at("votes"), 11);
  EXPECT_EQ(top.at("share"), 11.0 / 80.0);
  EXPECT_EQ(top.at("confirmed"), true);
}

TEST(HonestBoard, ABalancedBoardRecomputesItsCategoryWeightsWithoutTheVotes) {
  TestArena arena;
  // p1 {animals, motion} and p2 {landscape}: balanced, p1's votes hold 2/3 of the weight
  // and p2's 1/3. Seedance's weighted share is 2/3 * 3/4 + 1/3 * 2/8 = 7/12 (as voted it
  // trails, 5 to 7). One removal leaves it at least 1/2 + 1/21 or 2/3 * 2/3 + 1/12 > 1/2;
  // two of its p1 wins leave 1/3 + 1/12 < 1/2. Counted by hand.
  std::vector<TestArena::SeededVote> votes;
  auto add = [&](const std::string& prompt, bool seedance_wins, int n) {
    for (int k = 0; k < n; ++k) {
      TestArena::SeededVote v{"seedance-2", "kling-21", seedance_wins};
      v.prompt_id = prompt;
      votes.push_back(v);
    }
  };
  add("p1", true, 3);
  add("p1", false, 1);
  add("p2", true, 2);
  add("p2", false, 6);
  const int64_t last = arena.seed_votes(votes);
  PaddockServer server(arena.server_options());
  auto c = server.client();
  const json as_voted = wait_for_board(c, "track=t2v", last);
  EXPECT_EQ(as_voted.at("models").at(0).at("model"), "Kling 2.1");
  const json board = wait_for_board(c, "track=t2v&weights=balanced", last);
  ASSERT_TRUE(board.contains("robustness")) << board.dump();
  const auto& top = board.at("robustness").at(0);
  EXPECT_EQ(top.at("upper"), "Seedance 2.0");
  EXPECT_EQ(top.at("votes"), 2);
  EXPECT_EQ(top.at("confirmed"), true);
}

TEST(HonestBoard, PiecesThatNeverMetGetAFigureEach) {
  TestArena arena;
  // Seedance 7 wins to Kling's 3 (5 removals); HappyHorse 6 to Old Timer's 4 (3): the two
  // pairs never met, so each order is measured within its piece.
  auto votes = duel("seedance-2", "kling-21", 7, 3);
  for (const auto& v : duel("zebra-q9", "oldtimer-1", 6, 4)) votes.push_back(v);
  const int64_t last = arena.seed_votes(votes);
  PaddockServer server(arena.server_options());
  auto c = server.client();
  const json board = wait_for_board(c, "track=t2v", last);
  ASSERT_EQ(board.at("pieces").size(), 2u) << board.dump();
  ASSERT_TRUE(board.contains("robustness")) << board.dump();
  const json& rows = board.at("robustness");
  ASSERT_EQ(rows.size(), 2u) << rows.dump();
  std::map<std::string, json> by_upper;
  for (const auto& r : rows) by_upper[r.at("upper")] = r;
  ASSERT_TRUE(by_upper.contains("Seedance 2.0")) << rows.dump();
  ASSERT_TRUE(by_upper.contains("HappyHorse-1.0")) << rows.dump();
  EXPECT_EQ(by_upper["Seedance 2.0"].at("votes"), 5);
  EXPECT_EQ(by_upper["Seedance 2.0"].at("rank"), 1);
  EXPECT_EQ(by_upper["HappyHorse-1.0"].at("votes"), 3);
  EXPECT_EQ(by_upper["HappyHorse-1.0"].at("lower"), "Old Timer One");
  EXPECT_NE(by_upper["Seedance 2.0"].at("piece"), by_upper["HappyHorse-1.0"].at("piece"));
  // Each row's piece is the one listing its models.
  for (const auto& r : rows) {
    const auto& piece = board.at("pieces").at(r.at("piece").get<std::size_t>());
    EXPECT_NE(std::find(piece.begin(), piece.end(), r.at("upper")), piece.end()) << r;
    EXPECT_NE(std::find(piece.begin(), piece.end(), r.at("lower")), piece.end()) << r;
  }
}

}  // namespace
}  // namespace paddock::testing

// ---- listing rules -------------------------------------------------------------------

namespace paddock::testing {
namespace {

Headers operator_auth() {
  return {{"Authorization", std::string("Bearer ") + kAdminToken}};
}

HttpResponse set_model(HttpClient& c, const json& fields) {
  return c.post_json("/api/admin/models", fields.dump(), operator_auth());
}

const json* row_of(const json& board, const std::string& model) {
  for (const auto& m : board.at("models")) {
    if (m.at("model") == model) return &m;
  }
  return nullptr;
}

// The board once `ready` holds of it (the board follows catalog changes within a second).
json board_when(HttpClient& c, const std::function<bool(const json&)>& ready) {
  json board;
  for (int i = 0; i < 200; ++i) {
    board = wait_for_board(c, "track=t2v", 0);
    if (ready(board)) return board;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "the board never became as expected: " << board.dump().substr(0, 300);
  return board;
}

TEST(ListingRules, TheChangeLogListsAddsRevealsRetirementsWithdrawalsAndVoids) {
  TestArena arena;
  arena.seed_votes(duel("seedance-2", "kling-21", 4, 2));
  PaddockServer server(arena.server_options({"--public-change-log"}));
  auto c = server.client();
  ASSERT_EQ(set_model(c, {{"id", "lynx-1"},
                          {"display_name", "Lynx One"},
                          {"organization", "Lynx AI"},
                          {"status", "anonymous"},
                          {"codename", "QuietFox"}})
                .status,
            201);
  // Before the reveal the log names the codename only.
  auto before = c.get("/api/changes");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.body.find("Lynx"), std::string::npos) << before.body;
  ASSERT_EQ(set_model(c, {{"id", "lynx-1"}, {"status", "public"}}).status, 200);
  ASSERT_EQ(set_model(c, {{"id", "kling-21"}, {"status", "retired"}}).status, 200);
  ASSERT_EQ(set_model(c, {{"id", "kling-21"}, {"status", "public"}}).status, 200);
  ASSERT_EQ(set_model(c, {{"id", "seedance-2"}, {"status", "hidden"}}).status, 200);
  auto voided =
      c.post_json("/api/admin/votes/void",
                  json{{"session", "seeder"}, {"reason", "test votes"}}.dump(), operator_auth());
  ASSERT_EQ(voided.status, 200) << voided.body;

  const json log = body_json(c.get("/api/changes"));
  const auto& changes = log.at("changes");
  ASSERT_EQ(changes.size(), 5u) << log.dump();
  EXPECT_EQ(changes[0].at("kind"), "added");
  EXPECT_EQ(changes[0].at("model"), "QuietFox");
  EXPECT_EQ(changes[0].at("organization"), "(undisclosed)");
  EXPECT_EQ(changes[0].at("to"), "anonymous");
  EXPECT_EQ(changes[1].at("kind"), "revealed");
  EXPECT_EQ(changes[1].at("model"), "Lynx One");
  EXPECT_EQ(changes[1].at("shown_before"), "QuietFox");
  EXPECT_EQ(changes[1].at("organization"), "Lynx AI");
  EXPECT_EQ(changes[2].at("kind"), "retired");
  EXPECT_EQ(changes[2].at("model"), "Kling 2.1");
  EXPECT_EQ(changes[3].at("kind"), "restored");
  EXPECT_EQ(changes[3].at("model"), "Kling 2.1");
  EXPECT_EQ(changes[4].at("kind"), "withdrawn");
  EXPECT_EQ(changes[4].at("model"), "Seedance 2.0");
  EXPECT_EQ(changes[4].at("organization"), "ByteDance");
  EXPECT_EQ(changes[4].at("to"), "withdrawn");
  for (std::size_t k = 1; k < changes.size(); ++k) {
    EXPECT_GE(changes[k].at("at").get<int64_t>(), changes[k - 1].at("at").get<int64_t>());
  }
  EXPECT_EQ(log.at("voided_votes"), 6);
  ASSERT_EQ(log.at("voids").size(), 1u);
  EXPECT_EQ(log.at("voids")[0].at("reason"), "test votes");
  EXPECT_EQ(log.at("voids")[0].at("votes"), 6);
  EXPECT_EQ(log.dump().find("seeder"), std::string::npos) << "no voter data";
}

TEST(ListingRules, WithoutTheSwitchThereIsNoPublicChangeLog) {
  TestArena arena;
  PaddockServer server(arena.server_options());
  auto c = server.client();
  auto r = c.get("/api/changes");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("--public-change-log"), std::string::npos) << r.body;
}

TEST(ListingRules, ARevealedModelStaysPreliminaryUntilItHasVotesAfterTheReveal) {
  for (const bool on : {true, false}) {
    SCOPED_TRACE(on ? "rule on" : "rule off");
    TestArena arena;
    // Votes from before the reveal (stored in 2023).
    arena.seed_votes(duel("zebra-q9", "seedance-2", 6, 4));
    std::vector<std::string> flags = {"--min-votes", "0"};
    if (on) flags.insert(flags.end(), {"--preliminary-votes", "3"});
    PaddockServer server(arena.server_options(flags));
    auto c = server.client();
    ASSERT_EQ(set_model(c, {{"id", "zebra-q9"}, {"status", "public"}}).status, 200);
    json board = board_when(c, [](const json& b) { return row_of(b, "Zebra Quantum 9"); });
    const json* zebra = row_of(board, "Zebra Quantum 9");
    ASSERT_NE(zebra, nullptr);
    EXPECT_EQ(zebra->at("votes"), 10);
    if (!on) {
      EXPECT_FALSE(zebra->at("preliminary").get<bool>());
      EXPECT_FALSE(zebra->contains("votes_since_reveal"));
      continue;
    }
    EXPECT_TRUE(zebra->at("preliminary").get<bool>()) << board.dump();
    EXPECT_EQ(zebra->at("votes_since_reveal"), 0);
    EXPECT_FALSE(row_of(board, "Seedance 2.0")->at("preliminary").get<bool>());
    // Real votes after the reveal, until the model was in three of them.
    int64_t since = 0;
    for (int i = 0; i < 60 && since < 3; ++i) {
      auto b = new_battle(c);
      const int64_t id = body_json(cast_vote(c, b.ticket, "left")).at("vote_id");
      board = wait_for_board(c, "track=t2v", id);
      since = row_of(board, "Zebra Quantum 9")->at("votes_since_reveal").get<int64_t>();
      EXPECT_EQ(row_of(board, "Zebra Quantum 9")->at("preliminary").get<bool>(), since < 3);
    }
    EXPECT_EQ(since, 3);
  }
}

TEST(ListingRules, TheCapOnAnonymousModelsPerOrganizationRefusesOneMore) {
  for (const bool on : {true, false}) {
    SCOPED_TRACE(on ? "rule on" : "rule off");
    TestArena arena;
    PaddockServer server(
        arena.server_options(on ? std::vector<std::string>{"--max-anonymous-per-org", "1"}
                                : std::vector<std::string>{}));
    auto c = server.client();
    // Zebra Labs has one anonymous model already (HappyHorse-1.0).
    auto second = set_model(c, {{"id", "zebra-r1"},
                                {"display_name", "Zebra R1"},
                                {"organization", "Zebra Labs"},
                                {"status", "anonymous"},
                                {"codename", "Cheetah"}});
    if (!on) {
      EXPECT_EQ(second.status, 201) << second.body;
      continue;
    }
    EXPECT_EQ(second.status, 400) << second.body;
    const std::string message = body_json(second).at("error").at("message");
    EXPECT_NE(message.find("\"Zebra Labs\" would have 2 anonymous models"), std::string::npos)
        << message;
    EXPECT_NE(message.find("cap of 1"), std::string::npos) << message;
    // Nothing was stored; another organization may still add one; revealing the first frees
    // the place.
    EXPECT_EQ(body_json(c.get("/api/admin/models", operator_auth())).dump().find("zebra-r1"),
              std::string::npos);
    EXPECT_EQ(set_model(c, {{"id", "lynx-1"},
                            {"display_name", "Lynx One"},
                            {"organization", "Lynx AI"},
                            {"status", "anonymous"},
                            {"codename", "QuietFox"}})
                  .status,
              201);
    ASSERT_EQ(set_model(c, {{"id", "zebra-q9"}, {"status", "public"}}).status, 200);
    auto after = set_model(c, {{"id", "zebra-r1"},
                               {"display_name", "Zebra R1"},
                               {"organization", "Zebra Labs"},
                               {"status", "anonymous"},
                               {"codename", "Cheetah"}});
    EXPECT_EQ(after.status, 201) << after.body;
  }
}

TEST(ListingRules, AWithdrawnModelStaysListedWhenTheRuleIsOn) {
  for (const bool on : {true, false}) {
    SCOPED_TRACE(on ? "rule on" : "rule off");
    TestArena arena;
    const int64_t last = arena.seed_votes(duel("seedance-2", "kling-21", 6, 4));
    PaddockServer server(arena.server_options(on ? std::vector<std::string>{"--keep-withdrawn"}
                                                 : std::vector<std::string>{}));
    auto c = server.client();
    ASSERT_TRUE(row_of(wait_for_board(c, "track=t2v", last), "Kling 2.1"));
    ASSERT_EQ(set_model(c, {{"id", "kling-21"}, {"status", "hidden"}}).status, 200);
    if (on) {
      const json board = board_when(c, [](const json& b) {
        const json* k = row_of(b, "Kling 2.1");
        return k && k->at("status") == "withdrawn";
      });
      if (row_of(board, "Kling 2.1")->at("status") != "withdrawn") ADD_FAILURE() << server.log();
      const json* kling = row_of(board, "Kling 2.1");
      ASSERT_NE(kling, nullptr) << server.log();
      EXPECT_EQ(kling->at("votes"), 10);  // its scores stay, from the votes it had
      EXPECT_EQ(kling->at("organization"), "Kuaishou");
      EXPECT_EQ(board.at("votes"), 10);
    } else {
      const json board = board_when(c, [](const json& b) { return !row_of(b, "Kling 2.1"); });
      EXPECT_EQ(row_of(board, "Kling 2.1"), nullptr);
      EXPECT_EQ(board.at("votes"), 0);
    }
  }
}

TEST(ListingRules, RetiredModelsStayListedAsRetired) {
  TestArena arena;
  const int64_t last = arena.seed_votes(duel("oldtimer-1", "seedance-2", 5, 5));
  PaddockServer server(arena.server_options());
  auto c = server.client();
  const json board = wait_for_board(c, "track=t2v", last);
  const json* old = row_of(board, "Old Timer One");
  ASSERT_NE(old, nullptr) << board.dump();
  EXPECT_EQ(old->at("status"), "retired");
  EXPECT_EQ(old->at("votes"), 10);
}

}  // namespace
}  // namespace paddock::testing
