// Blindness: nothing a voter receives before voting names a model (not in the battle, not
// in the clip URLs, headers or bytes, even when the uploaded clips carried the names in
// their metadata); hidden models never appear; anonymous ones only under their codename.

#include <gtest/gtest.h>

#include "api.hpp"
#include "paddock_server.hpp"
#include "support/media_files.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

class Anonymity : public ::testing::Test {
 protected:
  void SetUp() override { server_ = std::make_unique<PaddockServer>(arena_.server_options()); }

  static void expect_no_identity(const std::string& text, const std::string& where) {
    for (const auto& id : TestArena::identities()) {
      EXPECT_EQ(text.find(id), std::string::npos) << "\"" << id << "\" appears in " << where;
    }
  }

  static void expect_absent(const std::string& text, std::initializer_list<const char*> names,
                            const std::string& where) {
    for (const char* n : names) {
      EXPECT_EQ(text.find(n), std::string::npos) << "\"" << n << "\" appears in " << where;
    }
  }

  TestArena arena_;
  std::unique_ptr<PaddockServer> server_;
};

TEST_F(Anonymity, NothingSentBeforeTheVoteNamesAModel) {
  auto c = server_->client();
  for (int i = 0; i < 40; ++i) {
    auto b = new_battle(c, i % 4 == 0 ? "i2v" : "t2v");
    expect_no_identity(b.response.raw_headers + b.response.body, "a battle");
    for (const auto& url : {b.left_url, b.right_url}) {
      auto clip = c.get(url);
      ASSERT_EQ(clip.status, 200);
      expect_no_identity(clip.raw_headers, "clip headers");
      expect_no_identity(clip.body, "clip bytes");
      auto part = c.get(url, {{"Range", "bytes=0-1023"}});
      expect_no_identity(part.raw_headers + part.body, "a clip range");
    }
    if (b.body["prompt"].contains("source_image_url")) {
      auto src = c.get(b.body["prompt"]["source_image_url"].get<std::string>());
      expect_no_identity(src.raw_headers + src.body, "a prompt source");
    }
  }
}

TEST_F(Anonymity, TheFilesPlantedWithNamesReallyCarriedThem) {
  // The test above means something only if the uploads did carry the names: the shared
  // clips made by ffmpeg keep their tags, only paddock's stored copies lose them.
  ASSERT_FALSE(arena_.uploads().empty());
  for (const auto& [model, path] : arena_.uploads()) {
    if (model != "zebra-q9") continue;
    EXPECT_TRUE(file_contains(path, "Zebra Quantum 9")) << path;
    EXPECT_TRUE(file_contains(path, "HappyHorse-1.0")) << path;
  }
}

TEST_F(Anonymity, HiddenModelsNeverAppearAndAnonymousOnesOnlyByCodename) {
  auto c = server_->client();
  std::set<std::string> revealed;
  int64_t last = 0;
  for (int i = 0; i < 120; ++i) {
    auto b = new_battle(c);
    auto r = cast_vote(c, b.ticket, i % 2 ? "left" : "right");
    ASSERT_EQ(r.status, 201);
    auto v = body_json(r);
    last = v.at("vote_id");
    for (const char* side : {"left", "right"}) {
      revealed.insert(v[side].at("model").get<std::string>());
      if (v[side]["model"] == "HappyHorse-1.0") {
        EXPECT_EQ(v[side].at("organization"), "(undisclosed)");
      }
    }
    expect_absent(r.body, {"Phantom", "Zebra", "Old Timer", "phantom-x", "zebra-q9"}, "a reveal");
  }
  // Retired and hidden models get no battles; the anonymous one is shown by its codename.
  EXPECT_EQ(revealed, (std::set<std::string>{"Seedance 2.0", "Kling 2.1", "HappyHorse-1.0"}));

  auto board = wait_for_board(c, "track=t2v", last);
  auto text = board.dump();
  expect_absent(text, {"Phantom", "Zebra", "phantom-x", "zebra-q9"}, "the board");
  bool codename = false;
  for (const auto& m : board.at("models")) {
    if (m.at("model") == "HappyHorse-1.0") {
      codename = true;
      EXPECT_EQ(m.at("organization"), "(undisclosed)");
      EXPECT_EQ(m.at("status"), "anonymous");
    }
  }
  EXPECT_TRUE(codename);
  auto exported = c.get("/api/votes/export?track=t2v");
  expect_absent(exported.body, {"Phantom", "Zebra", "phantom-x", "zebra-q9"}, "the export");
  EXPECT_NE(exported.body.find("HappyHorse-1.0"), std::string::npos);
}

TEST_F(Anonymity, AHiddenModelsVotesLeaveTheBoardAndTheExport) {
  auto c = server_->client();
  auto admin = server_->client();
  Headers auth{{"Authorization", std::string("Bearer ") + kAdminToken}};
  int64_t last = 0;
  for (int i = 0; i < 60; ++i) {
    auto b = new_battle(c);
    last = body_json(cast_vote(c, b.ticket, "left")).at("vote_id");
  }
  wait_for_board(c, "track=t2v", last);
  // Hide Kling: its votes must vanish from the public board and export.
  auto r = admin.post_json("/api/admin/models", R"({"id":"kling-21","status":"hidden"})", auth);
  ASSERT_EQ(r.status, 200) << r.body;
  json board;
  for (int i = 0; i < 100; ++i) {
    board = wait_for_board(c, "track=t2v", 0);
    if (board.dump().find("Kling") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(board.dump().find("Kling"), std::string::npos);
  EXPECT_EQ(c.get("/api/votes/export?track=t2v").body.find("Kling"), std::string::npos);
  // And no new battle includes it.
  for (int i = 0; i < 30; ++i) {
    auto b = new_battle(c);
    auto v = body_json(cast_vote(c, b.ticket, "tie"));
    EXPECT_NE(v["left"]["model"], "Kling 2.1");
    EXPECT_NE(v["right"]["model"], "Kling 2.1");
  }
}

TEST_F(Anonymity, RevealingAModelRenamesItEverywhere) {
  auto c = server_->client();
  Headers auth{{"Authorization", std::string("Bearer ") + kAdminToken}};
  int64_t last = 0;
  for (int i = 0; i < 60; ++i) {
    auto b = new_battle(c);
    last = body_json(cast_vote(c, b.ticket, "right")).at("vote_id");
  }
  auto before = wait_for_board(c, "track=t2v", last);
  ASSERT_NE(before.dump().find("HappyHorse-1.0"), std::string::npos);
  auto r = c.post_json("/api/admin/models", R"({"id":"zebra-q9","status":"public"})", auth);
  ASSERT_EQ(r.status, 200) << r.body;
  json after;
  for (int i = 0; i < 100; ++i) {
    after = wait_for_board(c, "track=t2v", last);
    if (after.dump().find("Zebra Quantum 9") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(after.dump().find("Zebra Quantum 9"), std::string::npos);
  EXPECT_EQ(after.dump().find("HappyHorse-1.0"), std::string::npos);
  EXPECT_EQ(after.at("votes"), before.at("votes"));
  auto exported = c.get("/api/votes/export?track=t2v").body;
  EXPECT_NE(exported.find("Zebra Quantum 9"), std::string::npos);
  EXPECT_EQ(exported.find("HappyHorse-1.0"), std::string::npos);
}

}  // namespace
}  // namespace paddock::testing
