// paddock serve --watch-weighting: votes whose page reported that the clips were not watched
// (decided sooner than the shorter clip lasts, or a clip played less than --watch-share of its
// length) weigh less on the boards, the board says so, and the public export writes each
// vote's weight, so `paddock export | paddock rate` reproduces the weighted board.
//
// The seeded votes: 40 watched ones where Seedance 2.0 beats Kling 2.1 three times in four,
// and 40 unwatched ones (decided in 0.3 s, nothing played) all for Kling 2.1. As voted, Kling
// leads (50 wins to 30); with the unwatched votes at 1/4, Seedance leads (30 to 20).

#include <gtest/gtest.h>

#include <fstream>

#include "api.hpp"
#include "paddock_server.hpp"
#include "support/process.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

constexpr const char* kSeedance = "seedance-2";
constexpr const char* kKling = "kling-21";
constexpr int kWatched = 40, kUnwatched = 40;

int64_t seed_watch_votes(const TestArena& arena) {
  std::vector<TestArena::SeededVote> votes;
  for (int k = 0; k < kWatched; ++k) {
    // The test clips last a second: 2 s of each and 5 s to decide is watching.
    votes.push_back({kSeedance, kKling, k % 4 != 3, "watcher", "10.0.0.1", 2000, 2000, 5000});
  }
  for (int k = 0; k < kUnwatched; ++k) {
    votes.push_back({kSeedance, kKling, false, "skipper", "10.0.1.1", 0, 0, 300});
  }
  return arena.seed_votes(votes);
}

json rate(const std::filesystem::path& log) {
  auto r = run_process({paddock_binary().string(), "rate", log.string(), "--seed", "1",
                        "--bootstrap", "100", "--min-votes", "50", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

std::filesystem::path write(const TestArena& arena, const std::string& name,
                            const std::string& text) {
  auto file = arena.dir() / name;
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

void expect_same_board(const json& server, const json& offline) {
  EXPECT_EQ(server.at("votes"), offline.at("votes"));
  EXPECT_EQ(server.at("vote_weights"), offline.at("vote_weights"));
  ASSERT_EQ(server.at("models").size(), offline.at("models").size());
  for (std::size_t i = 0; i < server.at("models").size(); ++i) {
    for (const char* field : {"model", "rating", "ci_low", "ci_high", "rank", "votes", "elo"}) {
      EXPECT_EQ(server["models"][i].at(field), offline["models"][i].at(field)) << field;
    }
  }
}

TEST(WatchWeighting, UnwatchedVotesWeighLessAndTheExportReproducesTheBoard) {
  TestArena arena;
  const int64_t last = seed_watch_votes(arena);
  PaddockServer server(arena.server_options({"--watch-weighting", "0.25"}));
  auto c = server.client();

  const json board = wait_for_board(c, "track=t2v", last);
  EXPECT_EQ(board.at("votes"), kWatched + kUnwatched);
  EXPECT_EQ(board.at("watch_weighting"), (json{{"weight", 0.25}, {"min_share", 0.5}}));
  EXPECT_EQ(board.at("vote_weights").at("down_weighted_votes"), kUnwatched);
  EXPECT_EQ(board.at("vote_weights").at("weight_total"), kWatched + 0.25 * kUnwatched);
  ASSERT_EQ(board.at("models").size(), 2u);
  EXPECT_EQ(board["models"][0].at("model"), "Seedance 2.0");

  // The public export carries the weights; rated offline it is the server's board.
  const auto http = c.get("/api/votes/export?track=t2v&up_to=" + std::to_string(last));
  ASSERT_EQ(http.status, 200);
  EXPECT_NE(http.body.find("\"weight\":0.25"), std::string::npos);
  expect_same_board(board, rate(write(arena, "weighted.jsonl", http.body)));
  const auto csv = c.get("/api/votes/export?track=t2v&format=csv&up_to=" + std::to_string(last));
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find(",decision_ms,weight,features_a.duration,"), std::string::npos);
  expect_same_board(board, rate(write(arena, "weighted.csv", csv.body)));

  // paddock export with the server's setting writes the same bytes.
  auto cli =
      run_process({paddock_binary().string(), "export", "--db", arena.db().string(), "--track",
                   "t2v", "--up-to", std::to_string(last), "--watch-weighting", "0.25"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(cli.out, http.body);

  // Without the weighting the same votes give the other order: the weights changed the board.
  auto plain = run_process({paddock_binary().string(), "export", "--db", arena.db().string(),
                            "--track", "t2v", "--up-to", std::to_string(last)});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out.find("\"weight\""), std::string::npos);
  const json as_voted = rate(write(arena, "plain.jsonl", plain.out));
  EXPECT_EQ(as_voted["models"][0].at("model"), "Kling 2.1");
  EXPECT_FALSE(as_voted.contains("vote_weights"));
}

TEST(WatchWeighting, ABadSettingIsRefusedAtStart) {
  TestArena arena;
  for (const char* bad : {"0", "1.5", "heavy"}) {
    auto r = run_process(
        {paddock_binary().string(), "serve", "--db", arena.db().string(), "--watch-weighting", bad},
        {.cwd = {}, .timeout = std::chrono::seconds(20)});
    EXPECT_NE(r.exit_code, 0) << bad;
    EXPECT_NE(r.err.find("watch"), std::string::npos) << r.err;
  }
  auto r = run_process(
      {paddock_binary().string(), "export", "--db", arena.db().string(), "--watch-weighting", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("watch weighting must be"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace paddock::testing
