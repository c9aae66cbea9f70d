// Presentation control on the server: clips imported through `paddock import` carry their
// measured motion; votes planted so that the moving clip wins whichever model made it give a
// raw board with a gap between the models and a control=motion board without it, with the
// motion effect reported; `paddock export | paddock rate --control motion` reproduces it.

#include <gtest/gtest.h>

#include <fstream>

#include "api.hpp"
#include "paddock_server.hpp"
#include "store/open_store.hpp"
#include "support/media_files.hpp"
#include "support/process.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMovingModel1 = "seedance-2";  // moving on p1, still on p2
constexpr const char* kMovingModel2 = "kling-21";    // still on p1, moving on p2

class ServerPresentationControl : public ::testing::Test {
 protected:
  void SetUp() override {
    // The two public models' clips of p1 and p2, again, through paddock import (which
    // measures them): one moving picture and one still picture per prompt.
    const fs::path catalog = arena_.dir() / "looks";
    fs::create_directories(catalog / "t2v" / "p1");
    fs::create_directories(catalog / "t2v" / "p2");
    std::ofstream(catalog / "prompts.jsonl") << "";
    const ClipSpec moving{.duration_s = 1, .fps = 12, .picture = "testsrc2"};
    const ClipSpec still{.duration_s = 1, .fps = 12, .picture = "smptebars"};
    fs::copy_file(shared_clip(moving),
                  catalog / "t2v" / "p1" / (std::string(kMovingModel1) + ".mp4"));
    fs::copy_file(shared_clip(still),
                  catalog / "t2v" / "p1" / (std::string(kMovingModel2) + ".mp4"));
    fs::copy_file(shared_clip(still),
                  catalog / "t2v" / "p2" / (std::string(kMovingModel1) + ".mp4"));
    fs::copy_file(shared_clip(moving),
                  catalog / "t2v" / "p2" / (std::string(kMovingModel2) + ".mp4"));
    auto r = run_process({paddock_binary().string(), "import", "--db", arena_.db().string(),
                          "--media", arena_.media().string(), catalog.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

    // Equal models; the moving clip wins 4 votes in 5. Most votes are on p1, where
    // kMovingModel1 has the moving clip, so the raw board favours it.
    last_vote_ = seed({{"p1", 120, 30}, {"p2", 10, 40}});
    server_ = std::make_unique<PaddockServer>(arena_.server_options());
  }

  struct Block {
    std::string prompt;
    int first_wins, second_wins;  // kMovingModel1 against kMovingModel2
  };

  int64_t seed(const std::vector<Block>& blocks) {
    auto store = store::open_store(arena_.db().string(), {.create_if_missing = false});
    if (!store) throw std::runtime_error(store.error().message);
    std::vector<store::Vote> votes;
    for (const auto& b : blocks) {
      for (int i = 0; i < b.first_wins + b.second_wins; ++i) {
        store::Vote v;
        v.battle_id = "planted-" + std::to_string(votes.size());
        v.track_id = "t2v";
        v.prompt_id = b.prompt;
        // Sides alternate, so that the side shown first says nothing.
        const bool first_left = votes.size() % 2 == 0;
        v.left_model = first_left ? kMovingModel1 : kMovingModel2;
        v.right_model = first_left ? kMovingModel2 : kMovingModel1;
        const bool first_wins = i < b.first_wins;
        v.choice = first_wins == first_left ? store::Choice::Left : store::Choice::Right;
        v.session = "planter-" + std::to_string(votes.size() % 7);
        v.address = "127.0.0.1";
        v.created_at_ms = 1'700'000'000'000 + static_cast<int64_t>(votes.size());
        votes.push_back(std::move(v));
      }
    }
    auto stored = (*store)->insert_votes(votes);
    if (!stored) throw std::runtime_error(stored.error().message);
    return stored->back().id;
  }

  static double rating_of(const json& board, const std::string& model) {
    for (const auto& m : board.at("models")) {
      if (m.at("model") == model) return m.at("rating").get<double>();
    }
    ADD_FAILURE() << model << " is not on the board";
    return 0;
  }

  TestArena arena_;
  int64_t last_vote_ = 0;
  std::unique_ptr<PaddockServer> server_;
};

TEST_F(ServerPresentationControl, TheMotionControlledBoardRemovesAPlantedMotionEffect) {
  auto c = server_->client();
  const json raw = wait_for_board(c, "track=t2v", last_vote_);
  const json controlled = wait_for_board(c, "track=t2v&control=motion", last_vote_);
  const double raw_gap = rating_of(raw, "Seedance 2.0") - rating_of(raw, "Kling 2.1");
  const double controlled_gap =
      rating_of(controlled, "Seedance 2.0") - rating_of(controlled, "Kling 2.1");
  EXPECT_GT(raw_gap, 80) << raw.dump();
  EXPECT_LT(std::abs(controlled_gap), 30) << controlled.dump();
  EXPECT_EQ(controlled.at("filter").at("control"), json({"motion"}));
  EXPECT_EQ(controlled.at("control"), json({"motion"}));
  // The raw score of the same fit is beside each controlled one.
  for (const auto& m : controlled.at("models")) {
    EXPECT_NEAR(m.at("raw_rating").get<double>(), rating_of(raw, m.at("model")), 0.5);
  }
  ASSERT_EQ(controlled.at("covariates").size(), 1u);
  const auto& motion = controlled.at("covariates")[0];
  EXPECT_EQ(motion.at("feature"), "motion");
  EXPECT_GT(motion.at("effect").get<double>(), 50);
  EXPECT_GT(motion.at("ci_low").get<double>(), 0);  // the planted effect is told apart from 0
  EXPECT_GT(motion.at("ci_high").get<double>(), motion.at("effect").get<double>());
  EXPECT_TRUE(raw.at("covariates").empty());

  // Spellings, orders and repeats of one control are one board.
  const json again = wait_for_board(c, "track=t2v&control=%20Motion,motion", last_vote_);
  EXPECT_EQ(again.at("filter").at("control"), json({"motion"}));
  EXPECT_EQ(again.at("models"), controlled.at("models"));

  // The export carries the clips' features, and paddock rate reproduces the board with them.
  const fs::path log = arena_.dir() / "votes.jsonl";
  auto exported =
      run_process({paddock_binary().string(), "export", "--db", arena_.db().string(), "--track",
                   "t2v", "--up-to", std::to_string(last_vote_), "--output", log.string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto rated =
      run_process({paddock_binary().string(), "rate", log.string(), "--seed", "1", "--bootstrap",
                   "100", "--min-votes", "50", "--control", "motion", "--format", "json"});
  ASSERT_EQ(rated.exit_code, 0) << rated.err;
  const json offline = json::parse(rated.out);
  ASSERT_EQ(offline.at("models").size(), controlled.at("models").size());
  for (std::size_t i = 0; i < offline.at("models").size(); ++i) {
    for (const char* field : {"model", "rating", "ci_low", "ci_high", "raw_rating", "rank"}) {
      EXPECT_EQ(offline["models"][i].at(field), controlled["models"][i].at(field)) << field;
    }
  }
  EXPECT_EQ(offline.at("covariates"), controlled.at("covariates"));
}

TEST_F(ServerPresentationControl, TheControlledBoardSaysHowManyVotesHoldItsOwnOrder) {
  auto c = server_->client();
  const json raw = wait_for_board(c, "track=t2v", last_vote_);
  const json controlled = wait_for_board(c, "track=t2v&control=motion", last_vote_);
  ASSERT_TRUE(raw.contains("robustness")) << raw.dump();
  ASSERT_TRUE(controlled.contains("robustness")) << controlled.dump();
  const auto& top = controlled.at("robustness").at(0);
  // The figure is of the controlled order, the controlled board's own #1 and #2.
  EXPECT_EQ(top.at("upper"), controlled.at("models").at(0).at("model"));
  EXPECT_EQ(top.at("lower"), controlled.at("models").at(1).at("model"));
  EXPECT_EQ(top.at("confirmed"), true);
  // With the motion effect taken out the two equal models are near level: their order
  // rests on fewer votes than the raw board's, whose gap the moving clips made.
  EXPECT_LT(top.at("votes").get<int64_t>(), raw.at("robustness").at(0).at("votes").get<int64_t>());

  // paddock rate finds the same figures in the export.
  const fs::path log = arena_.dir() / "votes-robustness.jsonl";
  auto exported =
      run_process({paddock_binary().string(), "export", "--db", arena_.db().string(), "--track",
                   "t2v", "--up-to", std::to_string(last_vote_), "--output", log.string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto rated = run_process({paddock_binary().string(), "rate", log.string(), "--bootstrap", "0",
                            "--control", "motion", "--robustness", "--format", "json"});
  ASSERT_EQ(rated.exit_code, 0) << rated.err;
  EXPECT_EQ(json::parse(rated.out).at("robustness"), controlled.at("robustness"));
}

TEST_F(ServerPresentationControl, AnUnknownFeatureIsRefusedNamingIt) {
  auto c = server_->client();
  auto r = c.get("/api/leaderboard?track=t2v&control=motion,loudness");
  EXPECT_EQ(r.status, 400) << r.body;
  const json j = body_json(r);
  EXPECT_EQ(j.at("error").at("code"), "bad_control");
  EXPECT_NE(j.at("error").at("message").get<std::string>().find("loudness"), std::string::npos)
      << r.body;
}

}  // namespace
}  // namespace paddock::testing
