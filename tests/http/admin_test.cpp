// /api/admin/...: stats, models, votes of a session, voiding, the full export.

#include <gtest/gtest.h>

#include "api.hpp"
#include "paddock_server.hpp"
#include "test_arena.hpp"

namespace paddock::testing {
namespace {

class Admin : public ::testing::Test {
 protected:
  void SetUp() override { server_ = std::make_unique<PaddockServer>(arena_.server_options()); }
  static Headers auth() { return {{"Authorization", std::string("Bearer ") + kAdminToken}}; }
  static std::string message(const HttpResponse& r) {
    return body_json(r).at("error").at("message").get<std::string>();
  }

  TestArena arena_;
  std::unique_ptr<PaddockServer> server_;
};

TEST_F(Admin, StatsCountTheCatalogAndTheVotes) {
  auto c = server_->client();
  auto b = new_battle(c);
  ASSERT_EQ(cast_vote(c, b.ticket, "left").status, 201);
  auto stats = body_json(c.get("/api/admin/stats", auth()));
  EXPECT_EQ(stats.at("tracks"), 3);
  EXPECT_EQ(stats.at("models"), 5);
  EXPECT_EQ(stats.at("prompts"), 5);
  EXPECT_EQ(stats.at("votes"), 1);
  EXPECT_EQ(stats.at("voided_votes"), 0);
}

TEST_F(Admin, ListsModelsWithRealNamesAndChangesThem) {
  auto c = server_->client();
  auto models = body_json(c.get("/api/admin/models", auth())).at("models");
  ASSERT_EQ(models.size(), 5u);
  bool zebra = false;
  for (const auto& m : models) {
    if (m.at("id") == "zebra-q9") {
      zebra = true;
      EXPECT_EQ(m.at("display_name"), "Zebra Quantum 9");
      EXPECT_EQ(m.at("codename"), "HappyHorse-1.0");
      EXPECT_EQ(m.at("public_name"), "HappyHorse-1.0");
    }
    if (m.at("id") == "phantom-x") {
      EXPECT_TRUE(m.at("public_name").is_null());
    }
  }
  EXPECT_TRUE(zebra);

  auto added = c.post_json(
      "/api/admin/models",
      R"({"id":"veo-3","display_name":"Veo 3","organization":"Google","status":"public"})", auth());
  EXPECT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(body_json(added).at("result"), "inserted");
  auto changed = c.post_json("/api/admin/models",
                             R"({"id":"veo-3","organization":"Google DeepMind"})", auth());
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(body_json(changed).at("model").at("organization"), "Google DeepMind");
  EXPECT_EQ(body_json(changed).at("model").at("display_name"), "Veo 3");
  auto same = c.post_json("/api/admin/models", R"({"id":"veo-3","organization":"Google DeepMind"})",
                          auth());
  EXPECT_EQ(body_json(same).at("result"), "unchanged");

  EXPECT_EQ(c.post_json("/api/admin/models", R"({"id":"veo-3","status":"famous"})", auth()).status,
            400);
  EXPECT_EQ(c.post_json("/api/admin/models",
                        R"({"id":"x","status":"anonymous","display_name":"X"})", auth())
                .status,
            400);
  EXPECT_EQ(
      c.post_json("/api/admin/models", R"({"id":"../etc","display_name":"X"})", auth()).status,
      400);
  EXPECT_EQ(c.post_json("/api/admin/models", R"({"id":"nameless"})", auth()).status, 400);
}

TEST_F(Admin, ModelChangesFollowTheImportRulesAndDefaults) {
  auto c = server_->client();
  // A typo is refused, as in an import manifest, and nothing changes.
  auto typo = c.post_json("/api/admin/models", R"({"id":"zebra-q9","stauts":"retired"})", auth());
  EXPECT_EQ(typo.status, 400) << typo.body;
  EXPECT_EQ(body_json(typo).at("error").at("code"), "bad_request");
  EXPECT_NE(message(typo).find("unknown field \"stauts\""), std::string::npos) << typo.body;
  const auto listed = body_json(c.get("/api/admin/models", auth()));  // outlives the loop
  for (const auto& m : listed.at("models")) {
    if (m.at("id") == "zebra-q9") {
      EXPECT_EQ(m.at("status"), "anonymous");
    }
  }
  // A new model is public unless told otherwise, as with paddock import and paddock admin.
  auto added = c.post_json("/api/admin/models", R"({"id":"veo-3","display_name":"Veo 3"})", auth());
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(body_json(added).at("model").at("status"), "public");
  // An id that is there but invalid is not reported as missing.
  auto bad_id = c.post_json("/api/admin/models", R"({"id":"../etc","display_name":"X"})", auth());
  EXPECT_NE(message(bad_id).find("\"../etc\" is not an id"), std::string::npos) << bad_id.body;
  auto no_id = c.post_json("/api/admin/models", R"({"display_name":"X"})", auth());
  EXPECT_EQ(no_id.status, 400);
  EXPECT_EQ(message(no_id), "\"id\" is required");
}

TEST_F(Admin, VoteListingsAreLimitedToTenThousandWhateverTheLimitSays) {
  auto c = server_->client();
  for (const char* limit : {"0", "10001", "-5", "x"}) {
    auto r = c.get(std::string("/api/admin/votes?limit=") + limit, auth());
    EXPECT_EQ(r.status, 400) << limit << ": " << r.body;
  }
  EXPECT_EQ(c.get("/api/admin/votes?limit=10000", auth()).status, 200);
  EXPECT_EQ(c.get("/api/admin/votes?after=-1", auth()).status, 400);
}

TEST_F(Admin, VoidsASessionsVotesAndTheBoardDropsThem) {
  auto honest = server_->client();
  auto spammer = server_->client();
  int64_t last = 0;
  for (int i = 0; i < 20; ++i) {
    auto b = new_battle(honest);
    last = std::max<int64_t>(last, body_json(cast_vote(honest, b.ticket, "left")).at("vote_id"));
    auto s = new_battle(spammer);
    last = std::max<int64_t>(last, body_json(cast_vote(spammer, s.ticket, "right")).at("vote_id"));
  }
  auto board = wait_for_board(honest, "track=t2v", last);
  EXPECT_EQ(board.at("votes"), 40);

  // Find the spammer's session from one of its votes.
  auto all = body_json(honest.get("/api/admin/votes?limit=100", auth())).at("votes");
  ASSERT_EQ(all.size(), 40u);
  std::string session = all[1].at("session");
  EXPECT_EQ(session.size(), 32u);
  EXPECT_EQ(all[1].at("address"), "127.0.0.1");
  auto of_session =
      body_json(honest.get("/api/admin/votes?session=" + session, auth())).at("votes");
  EXPECT_EQ(of_session.size(), 20u);

  auto voided = honest.post_json("/api/admin/votes/void",
                                 json{{"session", session}, {"reason", "spam"}}.dump(), auth());
  ASSERT_EQ(voided.status, 200) << voided.body;
  EXPECT_EQ(body_json(voided).at("voided"), 20);
  EXPECT_EQ(body_json(honest.get("/api/admin/stats", auth())).at("voided_votes"), 20);

  json after;
  for (int i = 0; i < 100; ++i) {
    after = wait_for_board(honest, "track=t2v", 0);
    if (after.at("votes") == 20) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(after.at("votes"), 20);
  auto listed = body_json(honest.get("/api/admin/votes?session=" + session, auth())).at("votes");
  for (const auto& v : listed) {
    EXPECT_EQ(v.at("voided"), true);
    EXPECT_EQ(v.at("void_reason"), "spam");
  }
  EXPECT_EQ(honest.post_json("/api/admin/votes/void", R"({"reason":"all"})", auth()).status, 400);
  // A reason is required, as in paddock admin: it is kept with the votes.
  auto no_reason =
      honest.post_json("/api/admin/votes/void", json{{"session", session}}.dump(), auth());
  EXPECT_EQ(no_reason.status, 400) << no_reason.body;
  EXPECT_NE(message(no_reason).find("say why"), std::string::npos) << no_reason.body;

  // By address: every vote here came from 127.0.0.1, so the honest ones go too.
  auto of_address = body_json(honest.get("/api/admin/votes?address=127.0.0.1&limit=100", auth()));
  EXPECT_EQ(of_address.at("votes").size(), 40u);
  auto by_address = honest.post_json(
      "/api/admin/votes/void", json{{"address", "127.0.0.1"}, {"reason", "proxy"}}.dump(), auth());
  ASSERT_EQ(by_address.status, 200) << by_address.body;
  EXPECT_EQ(body_json(by_address).at("voided"), 20);  // the other 20 were voided already
  EXPECT_EQ(body_json(honest.get("/api/admin/stats", auth())).at("voided_votes"), 40);
}

TEST_F(Admin, TheFullExportCarriesEverything) {
  auto c = server_->client();
  auto b = new_battle(c);
  ASSERT_EQ(cast_vote(c, b.ticket, "left").status, 201);
  auto full = c.get("/api/admin/export?track=t2v", auth());
  ASSERT_EQ(full.status, 200);
  auto line = json::parse(full.body.substr(0, full.body.find('\n')));
  EXPECT_EQ(line.at("session").get<std::string>().size(), 32u);
  EXPECT_EQ(line.at("address"), "127.0.0.1");
  EXPECT_TRUE(line.contains("model_a_id"));
  EXPECT_EQ(line.at("track"), "t2v");
  // How long each clip was watched, as the voter sent it (api.cpp's cast_vote).
  EXPECT_EQ(line.at("left_watch_ms"), 1000);
  EXPECT_EQ(line.at("right_watch_ms"), 1100);
  EXPECT_EQ(line.at("decision_ms"), 2500);
  auto csv = c.get("/api/admin/export?track=t2v&format=csv", auth());
  EXPECT_EQ(csv.header("Content-Type"), "text/csv; charset=utf-8");
  // Saved under a name of its own, never the public export's.
  EXPECT_EQ(full.header("Content-Disposition"),
            "attachment; filename=\"paddock-votes-full-t2v.jsonl\"");
  EXPECT_EQ(c.get("/api/votes/export?track=t2v").header("Content-Disposition"),
            "attachment; filename=\"paddock-votes-t2v.jsonl\"");
  EXPECT_TRUE(csv.body.starts_with("model_a,model_b,winner,category,tstamp,track,vote_id"));
  EXPECT_EQ(c.get("/api/admin/export?format=xml", auth()).status, 400);
  auto pub = c.get("/api/votes/export?track=t2v&format=csv");
  EXPECT_EQ(pub.body.find("session"), std::string::npos);
}

}  // namespace
}  // namespace paddock::testing
