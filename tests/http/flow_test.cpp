// The whole flow over real HTTP: catalog in -> battle -> vote -> leaderboard -> export ->
// `paddock rate` gives the same board.

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "api.hpp"
#include "paddock_server.hpp"
#include "support/process.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

class Flow : public ::testing::Test {
 protected:
  void SetUp() override { server_ = std::make_unique<PaddockServer>(arena_.server_options()); }

  // Casts `n` votes on `track` with seeded random choices; returns the last vote id.
  int64_t vote_many(HttpClient& c, int n, const std::string& track, uint64_t seed) {
    std::mt19937_64 rng(seed);
    const char* choices[] = {"left", "right", "left", "right", "tie", "both_bad"};
    int64_t last = 0;
    for (int i = 0; i < n; ++i) {
      auto b = new_battle(c, track);
      auto r = cast_vote(c, b.ticket, choices[rng() % 6]);
      EXPECT_EQ(r.status, 201) << r.body;
      last = std::max(last, body_json(r).at("vote_id").get<int64_t>());
    }
    return last;
  }

  json rate(const std::filesystem::path& log, std::vector<std::string> extra = {}) {
    // The log comes first: `--category` takes every value after it.
    std::vector<std::string> argv{paddock_binary().string(),
                                  "rate",
                                  log.string(),
                                  "--seed",
                                  "1",
                                  "--bootstrap",
                                  "100",
                                  "--min-votes",
                                  "50",
                                  "--robustness",  // as docs/http-api.md's recipe says
                                  "--format",
                                  "json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = run_process(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  std::filesystem::path export_votes(int64_t up_to, const std::string& name) {
    auto file = arena_.dir() / name;
    auto r =
        run_process({paddock_binary().string(), "export", "--db", arena_.db().string(), "--track",
                     "t2v", "--up-to", std::to_string(up_to), "--output", file.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return file;
  }

  // The server's board is `paddock rate`'s board with the server's own fields added: every
  // field the offline board has, at any depth (scores, intervals, ranks, counts, pairs, the
  // weighting's category shares, notes), the server's has too, with the same value. One
  // writer makes both; a server field that reused a name of rate's with another meaning
  // (as "categories" once did) fails here.
  static void expect_same_board(const json& server, const json& offline,
                                const std::string& where = "board") {
    if (offline.is_object()) {
      ASSERT_TRUE(server.is_object()) << where << ": " << server.dump();
      for (const auto& [key, value] : offline.items()) {
        ASSERT_TRUE(server.contains(key)) << where << "." << key << " is missing";
        expect_same_board(server.at(key), value, where + "." + key);
      }
    } else if (offline.is_array()) {
      ASSERT_TRUE(server.is_array()) << where << ": " << server.dump();
      ASSERT_EQ(server.size(), offline.size()) << where << ": " << server.dump().substr(0, 600)
                                               << " vs " << offline.dump().substr(0, 600);
      for (std::size_t i = 0; i < offline.size(); ++i) {
        expect_same_board(server[i], offline[i], where + "[" + std::to_string(i) + "]");
      }
    } else {
      EXPECT_EQ(server, offline) << where;
    }
  }

  TestArena arena_;
  std::unique_ptr<PaddockServer> server_;
};

TEST_F(Flow, TracksListTheCatalog) {
  auto c = server_->client();
  auto r = c.get("/api/tracks");
  ASSERT_EQ(r.status, 200);
  auto tracks = body_json(r).at("tracks");
  ASSERT_EQ(tracks.size(), 3u);
  auto t2v = tracks[2];  // ordered by id: i2v, solo, t2v
  EXPECT_EQ(t2v.at("id"), "t2v");
  EXPECT_EQ(t2v.at("task"), "text-to-video");
  EXPECT_EQ(t2v.at("width"), 320);
  EXPECT_EQ(t2v.at("prompts"), 3);
  // Not the hidden model: two public ones, the anonymous one and the retired one have clips.
  EXPECT_EQ(t2v.at("models"), 4);
  EXPECT_EQ(t2v.at("audio"), false);
  EXPECT_EQ(t2v.at("aspect"), "16:9");
  EXPECT_EQ(t2v.at("categories"), json({"animals", "landscape", "motion", "portrait"}));
}

TEST_F(Flow, AVoteRevealsBothModelsAfterItIsStored) {
  auto c = server_->client();
  auto b = new_battle(c);
  EXPECT_EQ(b.body.at("track"), "t2v");
  EXPECT_GT(b.body.at("expires_at").get<int64_t>(), 0);
  EXPECT_FALSE(b.body.at("prompt").at("text").get<std::string>().empty());
  EXPECT_FALSE(b.body.at("prompt").at("language").get<std::string>().empty());
  EXPECT_FALSE(b.body.at("prompt").at("categories").empty());
  EXPECT_FALSE(b.body.at("prompt").contains("source_image_url"));  // t2v prompts have none
  auto r = cast_vote(c, b.ticket, "left");
  ASSERT_EQ(r.status, 201) << r.body;
  auto v = body_json(r);
  EXPECT_GT(v.at("vote_id").get<int64_t>(), 0);
  std::set<std::string> shown{"Seedance 2.0", "Kling 2.1", "HappyHorse-1.0"};
  EXPECT_TRUE(shown.count(v.at("left").at("model").get<std::string>()));
  EXPECT_TRUE(shown.count(v.at("right").at("model").get<std::string>()));
  EXPECT_NE(v.at("left").at("model"), v.at("right").at("model"));
}

TEST_F(Flow, TheExportReproducesEveryStandardBoardExactly) {
  auto c = server_->client();
  int64_t last = vote_many(c, 160, "t2v", 7);
  vote_many(c, 20, "i2v", 8);  // other tracks' votes stay out of the t2v export

  auto board = wait_for_board(c, "track=t2v", last);
  int64_t up_to = board.at("last_vote_id");
  EXPECT_EQ(board.at("votes"), 160);
  EXPECT_EQ(board.at("seed"), 1);
  EXPECT_EQ(board.at("filter").at("weights"), "as_voted");
  auto file = export_votes(up_to, "t2v.jsonl");
  expect_same_board(board, rate(file));
  // The board's own filter, passed back as it reads ("as_voted"), gives the same board.
  expect_same_board(board, rate(file, {"--weights", "as_voted"}));

  auto animals = wait_for_board(c, "track=t2v&category=animals", last);
  expect_same_board(animals, rate(export_votes(animals.at("last_vote_id"), "a.jsonl"),
                                  {"--category", "animals"}));
  auto balanced = wait_for_board(c, "track=t2v&weights=balanced", last);
  expect_same_board(balanced, rate(export_votes(balanced.at("last_vote_id"), "b.jsonl"),
                                   {"--weights", "balanced"}));

  // The HTTP export is the same bytes as the command's.
  auto http = c.get("/api/votes/export?track=t2v&up_to=" + std::to_string(up_to));
  ASSERT_EQ(http.status, 200);
  EXPECT_EQ(http.header("Content-Type"), "application/x-ndjson");
  std::ifstream in(file, std::ios::binary);
  std::string from_cli((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(http.body, from_cli);
  EXPECT_EQ(http.body.find("session"), std::string::npos);
  EXPECT_EQ(http.body.find("address"), std::string::npos);
}

TEST_F(Flow, AWeightForACategoryTheVotesDoNotHaveIsRefused) {
  auto c = server_->client();
  int64_t last = vote_many(c, 60, "t2v", 3);
  wait_for_board(c, "track=t2v", last);
  // Portrait votes are all on p3 (portrait, motion): none is about animals, so a board of
  // them weighted by animals alone would have no vote left.
  auto portrait = wait_for_board(c, "track=t2v&category=portrait", last);
  ASSERT_GT(portrait.at("votes").get<int>(), 0);
  HttpResponse r;
  for (int i = 0; i < 200; ++i) {
    r = c.get("/api/leaderboard?track=t2v&category=portrait&weights=animals%3D1");
    if (r.status != 202) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(body_json(r).at("error").at("code"), "bad_weights");
  EXPECT_NE(r.body.find("animals"), std::string::npos) << r.body;
  // The same weights over the votes that have animals are fine.
  EXPECT_EQ(wait_for_board(c, "track=t2v&weights=animals%3D1", last).at("filter").at("weights"),
            "animals=1");
}

TEST_F(Flow, TheBoardSaysWhenItWasComputedAndUpToWhichVote) {
  auto c = server_->client();
  int64_t before = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  int64_t last = vote_many(c, 12, "t2v", 11);
  auto board = wait_for_board(c, "track=t2v", last);
  int64_t after = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  EXPECT_EQ(board.at("last_vote_id"), last);
  EXPECT_EQ(board.at("votes"), 12);
  int64_t computed = board.at("computed_at");
  EXPECT_GE(computed, before);  // after the votes it includes were cast
  EXPECT_LE(computed, after);
  EXPECT_EQ(board.at("track"), "t2v");
  EXPECT_EQ(board.at("method"), "bradley-terry");
  // Answers carry an ETag; asking again with it gives 304 while the board is unchanged.
  auto first = c.get("/api/leaderboard?track=t2v");
  ASSERT_EQ(first.status, 200);
  ASSERT_TRUE(first.header("ETag"));
  EXPECT_EQ(c.get("/api/leaderboard?track=t2v", {{"If-None-Match", *first.header("ETag")}}).status,
            304);
}

TEST_F(Flow, AFilterNobodyAskedForIsComputedInTheBackground) {
  auto c = server_->client();
  int64_t last = vote_many(c, 30, "t2v", 3);
  auto first = c.get("/api/leaderboard?track=t2v&category=animals&category=landscape");
  if (first.status == 202) {
    EXPECT_EQ(first.header("Retry-After"), "1");
    EXPECT_EQ(body_json(first).at("status"), "computing");
  } else {
    EXPECT_EQ(first.status, 200);
  }
  auto board = wait_for_board(c, "track=t2v&category=landscape&category=animals", last);
  EXPECT_EQ(board.at("filter").at("categories"), json({"animals", "landscape"}));
}

TEST_F(Flow, ALanguageBoardKeepsThePromptsOfThatLanguage) {
  // Every test prompt is in English: the English board holds every vote, and a language
  // no prompt of the track has is refused.
  auto c = server_->client();
  int64_t last = vote_many(c, 30, "t2v", 4);
  auto english = wait_for_board(c, "track=t2v&language=en", last);
  EXPECT_EQ(english.at("votes"), 30);
  EXPECT_EQ(english.at("filter").at("languages"), json({"en"}));
  auto all = wait_for_board(c, "track=t2v", last);
  EXPECT_EQ(english.at("models"), all.at("models"));
  auto german = c.get("/api/leaderboard?track=t2v&language=de");
  EXPECT_EQ(german.status, 400) << german.body;
  EXPECT_EQ(body_json(german).at("error").at("code"), "bad_request");
}

TEST_F(Flow, TheHistoryFollowsTheVotes) {
  auto c = server_->client();
  int64_t last = vote_many(c, 40, "t2v", 5);
  wait_for_board(c, "track=t2v", last);
  json history;
  for (int i = 0; i < 200; ++i) {
    auto r = c.get("/api/leaderboard/history?track=t2v");
    if (r.status == 200) {
      history = body_json(r);
      if (history.at("last_vote_id").get<int64_t>() >= last) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(history.is_null());
  ASSERT_FALSE(history.at("points").empty());
  auto final_point = history.at("points").back();
  EXPECT_EQ(final_point.at("votes"), 40);
  EXPECT_EQ(final_point.at("last_vote_id"), last);
  EXPECT_TRUE(final_point.at("ratings").contains("Seedance 2.0"));
}

}  // namespace
}  // namespace paddock::testing
