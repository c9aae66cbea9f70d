// paddock admin, end to end: changes made by the command, read back from the store.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli_fixture.hpp"

namespace paddock::import_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class Admin : public CliTest {
 protected:
  void SetUp() override {
    auto r = paddock({"import", write_standard_catalog()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  store::Model model(const std::string& id) {
    auto db = open_db();
    auto m = db->find_model(id);
    EXPECT_TRUE(m && *m) << id;
    return m && *m ? **m : store::Model{};
  }

  // Stores votes cast by two sessions from two addresses, as a server would.
  void cast_votes() {
    auto db = open_db();
    std::vector<store::Vote> votes;
    const std::pair<const char*, const char*> voters[] = {
        {"s1", "10.0.0.1"}, {"s1", "10.0.0.1"}, {"s2", "10.0.0.2"}, {"s3", "10.0.0.1"}};
    int i = 0;
    for (const auto& [session, address] : voters) {
      store::Vote v;
      v.battle_id = "b" + std::to_string(++i);
      v.track_id = "t2v";
      v.prompt_id = "p1";
      v.left_model = "ma";
      v.right_model = "mb";
      v.choice = store::Choice::Left;
      v.session = session;
      v.address = address;
      v.created_at_ms = 1764213600000 + i;
      votes.push_back(v);
    }
    auto stored = db->insert_votes(votes);
    ASSERT_TRUE(stored) << stored.error().message;
  }
};

TEST_F(Admin, RevealsAnAnonymousModel) {
  ASSERT_EQ(model("ma").status, store::ModelStatus::Anonymous);
  auto r = paddock({"admin", "models", "set", "ma", "--status", "public"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("status \"anonymous\" -> \"public\""), std::string::npos) << r.out;
  store::Model m = model("ma");
  EXPECT_EQ(m.status, store::ModelStatus::Public);
  EXPECT_EQ(m.display_name, "HappyHorse-1.0");
  // A re-import of the catalog (still saying anonymous) does not undo the reveal.
  r = paddock({"import", "catalog.jsonl"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("kept the store's"), std::string::npos) << r.out;
  EXPECT_EQ(model("ma").status, store::ModelStatus::Public);
  // ...unless asked to.
  r = paddock({"import", "--update-models", "catalog.jsonl"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(model("ma").status, store::ModelStatus::Anonymous);
}

TEST_F(Admin, RetiresAndRenamesModels) {
  auto r = paddock({"admin", "models", "set", "mb", "--status", "retired"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(model("mb").status, store::ModelStatus::Retired);
  r = paddock({"admin", "models", "set", "ma", "--name", "HappyHorse-1.1", "--organization",
               "Lab A2", "--codename", "Mystery-B"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  store::Model m = model("ma");
  EXPECT_EQ(m.display_name, "HappyHorse-1.1");
  EXPECT_EQ(m.organization, "Lab A2");
  EXPECT_EQ(m.codename, "Mystery-B");
  EXPECT_EQ(m.status, store::ModelStatus::Anonymous);
}

TEST_F(Admin, SetsAndRemovesAGenerationConfigByTheCatalogRules) {
  auto r = paddock({"admin", "models", "set", "mb", "--generation",
                    R"({"provider": "dashscope", "model": {"text-to-video": "wan2.6-t2v"}})"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(model("mb").generation,
            R"({"model":{"text-to-video":"wan2.6-t2v"},"provider":"dashscope"})");
  r = paddock({"admin", "models", "set", "mb", "--generation", R"({"provider": "dashscope"})"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("needs \"model\""), std::string::npos) << r.err;
  EXPECT_EQ(model("mb").generation,
            R"({"model":{"text-to-video":"wan2.6-t2v"},"provider":"dashscope"})");
  r = paddock({"admin", "models", "add", "mz", "--name", "Z", "--generation", "[]"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  r = paddock({"admin", "models", "set", "mb", "--generation", ""});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(model("mb").generation, "");
}

TEST_F(Admin, AddsModelsAndRefusesInvalidOnes) {
  auto r =
      paddock({"admin", "models", "add", "md", "--name", "New Model", "--status", "anonymous"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("codename"), std::string::npos) << r.err;
  r = paddock({"admin", "models", "add", "md", "--name", "New Model", "--status", "anonymous",
               "--codename", "Dark-Horse"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(model("md").codename, "Dark-Horse");
  r = paddock({"admin", "models", "add", "md", "--name", "Again"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_EQ(paddock({"admin", "models", "set", "nobody", "--status", "public"}).exit_code, 1);
  EXPECT_EQ(paddock({"admin", "models", "set", "ma", "--status", "famous"}).exit_code, 2);
  EXPECT_EQ(paddock({"admin", "models", "set", "ma"}).exit_code, 2);
  EXPECT_EQ(model("ma").status, store::ModelStatus::Anonymous);
}

TEST_F(Admin, ListsModelsAsTextAndJson) {
  auto r = paddock({"admin", "models", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Mystery-A"), std::string::npos) << r.out;
  r = paddock({"admin", "models", "list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json models = json::parse(r.out).at("models");  // the shape of GET /api/admin/models
  ASSERT_EQ(models.size(), 3u);
  EXPECT_EQ(models[0]["id"], "ma");
  EXPECT_EQ(models[0]["status"], "anonymous");
  EXPECT_EQ(models[0]["codename"], "Mystery-A");
  EXPECT_EQ(models[0]["public_name"], "Mystery-A");
  EXPECT_EQ(models[2]["status"], "hidden");
  EXPECT_TRUE(models[2]["public_name"].is_null());
}

TEST_F(Admin, AddsAModelAsPublicUnlessToldOtherwiseAsTheHttpApiDoes) {
  auto r = paddock({"admin", "models", "add", "veo-3", "--name", "Veo 3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json added = json::parse(r.out);
  EXPECT_EQ(added["result"], "inserted");
  EXPECT_EQ(added["model"]["status"], "public");
  EXPECT_EQ(model("veo-3").status, store::ModelStatus::Public);
  r = paddock({"admin", "models", "add", "../etc", "--name", "X"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("\"../etc\" is not an id"), std::string::npos) << r.err;
}

TEST_F(Admin, ListsAndVoidsTheVotesOfASessionOrAnAddress) {
  cast_votes();
  auto r = paddock({"admin", "votes", "list", "--session", "s1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json listed = json::parse(r.out).at("votes");  // the shape of GET /api/admin/votes
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["session"], "s1");
  EXPECT_EQ(listed[0]["vote_id"], 1);
  EXPECT_EQ(listed[0]["created_at"], 1764213600001);
  EXPECT_EQ(listed[0]["voided"], false);

  r = paddock({"admin", "votes", "void", "--session", "s1", "--reason", "ballot stuffing"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("2 votes voided"), std::string::npos) << r.out;
  r = paddock(
      {"admin", "votes", "void", "--address", "10.0.0.1", "--reason", "same host", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json::parse(r.out)["voided"], 1);  // s3's; s1's were voided already

  auto db = open_db();
  auto all = db->list_votes({.include_voided = true});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 4u);
  EXPECT_TRUE((*all)[0].voided);
  EXPECT_EQ((*all)[0].void_reason, "ballot stuffing");
  EXPECT_FALSE((*all)[2].voided);  // s2 on 10.0.0.2
  EXPECT_EQ((*all)[3].void_reason, "same host");

  // Voided votes stay listed, flagged, as over HTTP.
  r = paddock({"admin", "votes", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("4 votes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("voided: ballot stuffing"), std::string::npos) << r.out;
  r = paddock({"admin", "stats", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json stats = json::parse(r.out);
  EXPECT_EQ(stats["votes"], 4);
  EXPECT_EQ(stats["voided_votes"], 3);
  EXPECT_EQ(stats["clips"], 5);
  EXPECT_EQ(stats["models"], 3);
}

TEST_F(Admin, ReviewsVotersAndFlagsTheOneWhoseVotesAreImprobable) {
  // 20 sessions see ma beat mb 9 times in 10; session "r1" votes mb 12 times out of 12.
  auto db = open_db();
  std::vector<store::Vote> votes;
  const auto add = [&](const std::string& session, const std::string& address, bool ma_wins) {
    store::Vote v;
    v.battle_id = "b" + std::to_string(votes.size());
    v.track_id = "t2v";
    v.prompt_id = "p1";
    v.left_model = "ma";
    v.right_model = "mb";
    v.choice = ma_wins ? store::Choice::Left : store::Choice::Right;
    v.session = session;
    v.address = address;
    v.created_at_ms = 1764213600000 + static_cast<int64_t>(votes.size());
    votes.push_back(v);
  };
  for (int s = 0; s < 20; ++s) {
    for (int k = 0; k < 10; ++k)
      add("h" + std::to_string(s), "10.0." + std::to_string(s) + ".1", k != s % 10);
  }
  for (int k = 0; k < 12; ++k) add("r1", "198.51.100.9", false);
  ASSERT_TRUE(db->insert_votes(votes));
  auto r = paddock({"admin", "voters", "--track", "t2v"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("212 votes of 21 sessions on 21 prefixes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("r1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("198.51.100.0/24"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(" h1 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 flagged (12 votes)"), std::string::npos) << r.out;
  r = paddock({"admin", "voters", "--track", "t2v", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json::parse(r.out);
  ASSERT_EQ(j.at("flagged").size(), 2u);
  EXPECT_EQ(j.at("flagged").at(0).at("favoured").at("model"), "mb");
  // Nothing was voided by the review.
  EXPECT_EQ(db->list_votes({.include_voided = false})->size(), 212u);
  EXPECT_EQ(paddock({"admin", "voters", "--track", "t2v", "--min-votes", "0"}).exit_code, 2);
}

TEST_F(Admin, ListsVotesInPagesOfAtMostTenThousand) {
  cast_votes();
  auto r = paddock({"admin", "votes", "list", "--limit", "3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json page = json::parse(r.out).at("votes");
  ASSERT_EQ(page.size(), 3u);
  r = paddock({"admin", "votes", "list", "--after", std::to_string(page[2]["vote_id"].get<int>()),
               "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("votes").size(), 1u);
  r = paddock({"admin", "votes", "list", "--limit", "3"});
  EXPECT_NE(r.out.find("(the next page: --after 3)"), std::string::npos) << r.out;
  for (const char* limit : {"0", "10001", "-1"}) {
    r = paddock({"admin", "votes", "list", "--limit", limit});
    EXPECT_EQ(r.exit_code, 2) << limit << r.out;
    EXPECT_NE(r.err.find("from 1 to 10000"), std::string::npos) << r.err;
  }
}

TEST_F(Admin, VoidsWithinOneTrack) {
  cast_votes();
  auto r = paddock({"admin", "votes", "void", "--address", "10.0.0.1", "--track", "i2v", "--reason",
                    "wrong track"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("0 votes voided"), std::string::npos) << r.out;  // all were on t2v
  r = paddock(
      {"admin", "votes", "void", "--address", "10.0.0.1", "--track", "t2v", "--reason", "proxy"});
  EXPECT_NE(r.out.find("3 votes voided"), std::string::npos) << r.out;
}

TEST_F(Admin, RefusesToVoidWithoutSayingWhose) {
  cast_votes();
  auto r = paddock({"admin", "votes", "void", "--reason", "everything"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("say whose votes"), std::string::npos) << r.err;
  r = paddock({"admin", "votes", "void", "--session", "s1", "--reason", ""});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("say why"), std::string::npos) << r.err;
  EXPECT_EQ(paddock({"admin", "votes", "void", "--session", "s1"}).exit_code, 2);  // no reason
  auto db = open_db();
  EXPECT_EQ(db->counts()->voided_votes, 0);
}

// paddock export takes --up-to as GET /api/votes/export takes up_to: a vote id, never a
// negative number (-1 once meant "every vote").
TEST_F(Admin, ExportsUpToAVoteIdAndRefusesANegativeOne) {
  cast_votes();
  auto lines = [](const std::string& text) {
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  };
  auto r = paddock({"export", "--track", "t2v"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines(r.out), 4);
  r = paddock({"export", "--track", "t2v", "--up-to", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines(r.out), 2);
  r = paddock({"export", "--track", "t2v", "--up-to", "-1"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("must be a whole number, 0 or more (not -1)"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// Clips are measured at import; clips stored before paddock measured them (NULL) are
// measured by `paddock admin measure-clips`, to the same values; exports carry them.
TEST_F(Admin, MeasuresClipsWithoutMeasurementsAndExportsTheirFeatures) {
  std::vector<store::Clip> imported;
  {
    auto db = open_db();
    imported = db->list_clips("").value();
    ASSERT_FALSE(imported.empty());
    for (const auto& c : imported) {
      ASSERT_TRUE(c.motion && c.luma && c.saturation) << c.track_id << "/" << c.model_id;
      EXPECT_GT(*c.motion, 0) << "testsrc2 moves";
      store::Clip old = c;  // as a clip from before schema 6
      old.motion = old.luma = old.saturation = std::nullopt;
      ASSERT_TRUE(db->set_clip_presentation(old).value());
    }
  }
  auto r = paddock({"admin", "measure-clips"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(std::to_string(imported.size()) + " clips measured"), std::string::npos)
      << r.out;
  EXPECT_EQ(open_db()->list_clips("").value(), imported);  // the import's values exactly

  r = paddock({"admin", "measure-clips", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json report = json::parse(r.out);
  EXPECT_EQ(report.at("measured"), 0);
  EXPECT_EQ(report.at("already_measured"), imported.size());

  // A clip whose file is gone is named, and the others are still measured.
  const store::Clip& lost = imported.front();
  fs::remove(dir_ / "media" / lost.hash.substr(0, 2) / (lost.hash + ".mp4"));
  r = paddock({"admin", "measure-clips", "--all"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(lost.track_id + "/" + lost.prompt_id + "/" + lost.model_id),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find(std::to_string(imported.size() - 1) + " clips measured"), std::string::npos)
      << r.out;

  cast_votes();
  r = paddock({"export", "--track", "t2v", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string header = r.out.substr(0, r.out.find('\n'));
  EXPECT_NE(header.find("decision_ms,features_a.duration,features_a.width,features_a.height,"
                        "features_a.fps,features_a.audio,features_a.motion,features_a.luma,"
                        "features_a.saturation,features_b.duration"),
            std::string::npos)
      << header;
  r = paddock({"export", "--track", "t2v"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json first = json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(first.at("features_a").at("audio"), 1);  // t2v has sound
  EXPECT_GT(first.at("features_a").at("motion").get<double>(), 0);
  EXPECT_NEAR(first.at("features_b").at("duration").get<double>(), 2, 0.1);
}

TEST_F(Admin, ShowsStatsAndNeverCreatesADatabase) {
  auto r = paddock({"admin", "stats"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("clips"), std::string::npos) << r.out;
  r = paddock({"admin", "--db", "missing.db", "stats"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no such database"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "missing.db"));
  r = paddock({"admin", "stats", "--db", "missing.db"});  // options after the subcommand too
  EXPECT_EQ(r.exit_code, 1);
}

}  // namespace
}  // namespace paddock::import_test
