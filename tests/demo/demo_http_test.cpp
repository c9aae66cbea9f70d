// paddock demo serving: started on a copy of a prepared demo, it answers as the demo
// (GET /api/config), serves the three boards in the intended order, narrows HappyHorse-1.0's
// lead when categories are balanced, and counts a vote cast through the API.
#include <gtest/gtest.h>

#include <memory>

#include "api.hpp"
#include "demo_fixture.hpp"
#include "paddock_server.hpp"
#include "support/temp_dir.hpp"

namespace paddock::demo_test {
namespace {

namespace fs = std::filesystem;
using testing::json;
using Names = std::vector<std::string>;

class DemoServed : public ::testing::Test {
 protected:
  void SetUp() override {
    copy_demo(tmp_ / "demo");
    testing::PaddockServer::Options options;
    options.command = {"demo", "--dir", (tmp_ / "demo").string(), "--listen", "127.0.0.1:0"};
    options.env = {{"PADDOCK_MIN_WATCH_FRACTION", "0"}};  // the test votes without watching
    server_ = std::make_unique<testing::PaddockServer>(options);
  }
  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->stop(), 0) << server_->log();
    }
  }

  json board(const std::string& query, int64_t after = 1) {
    auto client = server_->client();
    return testing::wait_for_board(client, query, after, std::chrono::seconds(60));
  }

  testing::TempDir tmp_;
  std::unique_ptr<testing::PaddockServer> server_;
};

Names top(const json& board, size_t n) {
  Names names;
  for (size_t i = 0; i < n && i < board.at("models").size(); ++i) {
    names.push_back(board["models"][i].at("model").get<std::string>());
  }
  return names;
}

const json& model(const json& board, const std::string& name) {
  for (const auto& m : board.at("models")) {
    if (m.at("model") == name) return m;
  }
  throw std::runtime_error(name + " is not on the board");
}

double rating(const json& board, const std::string& name) {
  return model(board, name).at("rating").get<double>();
}

TEST_F(DemoServed, SaysItIsTheDemo) {
  auto client = server_->client();
  auto r = client.get("/api/config");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(testing::body_json(r).at("demo"), true);
  EXPECT_NE(server_->log().find("reusing the demo"), std::string::npos) << server_->log();
}

TEST_F(DemoServed, ServesTheThreeBoardsInTheIntendedOrder) {
  auto t2v = board("track=t2v");
  EXPECT_EQ(top(t2v, 4), (Names{"HappyHorse-1.0", "Seedance 2.0", "SkyReels V4", "Kling 3.0"}));
  EXPECT_NEAR(rating(t2v, "HappyHorse-1.0") - rating(t2v, "Seedance 2.0"), 106, 10);
  EXPECT_GT(model(t2v, "HappyHorse-1.0").at("ci_low").get<double>(),
            model(t2v, "Seedance 2.0").at("ci_high").get<double>());
  EXPECT_EQ(model(t2v, "HappyHorse-1.0").at("status"), "public") << "revealed";

  auto i2v = board("track=i2v");
  EXPECT_EQ(top(i2v, 3), (Names{"HappyHorse-1.0", "Seedance 2.0", "grok-imagine-video"}));
  EXPECT_NEAR(rating(i2v, "HappyHorse-1.0") - rating(i2v, "Seedance 2.0"), 55, 10);
  EXPECT_NEAR(rating(i2v, "Seedance 2.0") - rating(i2v, "grok-imagine-video"), 25, 10);

  auto audio = board("track=t2v-audio");
  EXPECT_EQ(top(audio, 2), (Names{"Seedance 2.0", "HappyHorse-1.0"}));
}

TEST_F(DemoServed, BalancedCategoriesNarrowHappyHorsesLead) {
  auto as_voted = board("track=t2v");
  auto balanced = board("track=t2v&weights=balanced");
  EXPECT_EQ(balanced.at("filter").at("weights"), "balanced");
  const double lead = rating(as_voted, "HappyHorse-1.0") - rating(as_voted, "Seedance 2.0");
  const double narrowed = rating(balanced, "HappyHorse-1.0") - rating(balanced, "Seedance 2.0");
  EXPECT_LT(narrowed, lead - 10) << "as voted " << lead << ", balanced " << narrowed;
  EXPECT_EQ(top(balanced, 1), Names{"HappyHorse-1.0"});
}

TEST_F(DemoServed, AVoteCastThroughTheApiIsCounted) {
  auto before = board("track=t2v");
  auto client = server_->client();
  auto battle = testing::new_battle(client, "t2v");
  EXPECT_EQ(client.get(battle.left_url).status, 200) << "the clip plays";
  auto r = testing::cast_vote(client, battle.ticket, "left");
  ASSERT_EQ(r.status, 201) << r.body;
  auto receipt = testing::body_json(r);
  const int64_t vote_id = receipt.at("vote_id").get<int64_t>();
  const std::string left = receipt.at("left").at("model").get<std::string>();
  const std::string right = receipt.at("right").at("model").get<std::string>();

  auto after = board("track=t2v", vote_id);
  EXPECT_EQ(after.at("votes").get<int64_t>(), before.at("votes").get<int64_t>() + 1);
  EXPECT_EQ(model(after, left).at("votes").get<int64_t>(),
            model(before, left).at("votes").get<int64_t>() + 1);
  EXPECT_EQ(model(after, left).at("wins").get<int64_t>(),
            model(before, left).at("wins").get<int64_t>() + 1);
  EXPECT_EQ(model(after, right).at("losses").get<int64_t>(),
            model(before, right).at("losses").get<int64_t>() + 1);
}

}  // namespace
}  // namespace paddock::demo_test
