// The demo's data, prepared by `paddock demo --prepare-only`, checked against what it is
// meant to show: the rating engine on the stored votes gives the published orderings and
// gaps, the balanced weighting narrows HappyHorse-1.0's lead, HappyHorse-1.0 is revealed,
// and battles, votes and clips are stored as the server stores them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "demo/demo.hpp"
#include "demo_fixture.hpp"
#include "media/media.hpp"

namespace paddock::demo_test {
namespace {

namespace fs = std::filesystem;
using Names = std::vector<std::string>;

class DemoBoards : public ::testing::Test {
 protected:
  void SetUp() override { db_ = open_demo_db(shared_demo()); }
  std::unique_ptr<store::Store> db_;
};

// The intervals of a and b do not overlap, a above.
void expect_separated(const rating::Board& board, const std::string& a, const std::string& b) {
  EXPECT_GT(row(board, a).ci_low, row(board, b).ci_high)
      << a << " [" << row(board, a).ci_low << ", " << row(board, a).ci_high << "] vs " << b << " ["
      << row(board, b).ci_low << ", " << row(board, b).ci_high << "]";
}

double gap(const rating::Board& board, const std::string& a, const std::string& b) {
  return row(board, a).rating - row(board, b).rating;
}

TEST_F(DemoBoards, TextToVideoHasHappyHorseFirstAndSeedance106PointsBelow) {
  auto board = board_of(*db_, "t2v");
  EXPECT_EQ(top(board, 4), (Names{"HappyHorse-1.0", "Seedance 2.0", "SkyReels V4", "Kling 3.0"}));
  EXPECT_NEAR(gap(board, "HappyHorse-1.0", "Seedance 2.0"), 106, 10);
  expect_separated(board, "HappyHorse-1.0", "Seedance 2.0");
  expect_separated(board, "Seedance 2.0", "Kling 3.0");
  EXPECT_EQ(board.models.size(), 11u);
}

TEST_F(DemoBoards, ImageToVideoHasHappyHorseSeedanceAndGrokAtThePublishedGaps) {
  auto board = board_of(*db_, "i2v");
  EXPECT_EQ(top(board, 3), (Names{"HappyHorse-1.0", "Seedance 2.0", "grok-imagine-video"}));
  EXPECT_NEAR(gap(board, "HappyHorse-1.0", "Seedance 2.0"), 1411 - 1356, 10);
  EXPECT_NEAR(gap(board, "Seedance 2.0", "grok-imagine-video"), 1356 - 1331, 10);
  expect_separated(board, "HappyHorse-1.0", "Seedance 2.0");
}

TEST_F(DemoBoards, WithAudioSeedanceIsSlightlyAheadOfHappyHorse) {
  auto board = board_of(*db_, "t2v-audio");
  EXPECT_EQ(top(board, 2), (Names{"Seedance 2.0", "HappyHorse-1.0"}));
  EXPECT_GT(gap(board, "Seedance 2.0", "HappyHorse-1.0"), 5);
  EXPECT_LT(gap(board, "Seedance 2.0", "HappyHorse-1.0"), 40);
}

// docs/demo.md, or "" if it cannot be read.
std::string demo_doc() {
  std::ifstream in(std::string(PADDOCK_DOCS) + "/demo.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// docs/demo.md quotes the boards the server shows (seed 1, 1000 bootstrap rounds): every
// score and interval of its table, the anchored scores and the leads, to the point.
TEST_F(DemoBoards, TheDocsQuoteTheBoardsTheDemoBuilds) {
  const std::string doc = demo_doc();
  ASSERT_FALSE(doc.empty());

  auto served = [](const std::string& weights = "as_voted") {
    auto o = board_options(weights);
    o.bootstrap_rounds = 1000;  // as `paddock serve` and `paddock demo` compute boards
    return o;
  };
  const std::vector<std::string> tracks{"t2v", "i2v", "t2v-audio"};
  std::map<std::string, rating::Board> boards, balanced;
  for (const auto& t : tracks) {
    boards.emplace(t, board_of(*db_, t, served()));
    balanced.emplace(t, board_of(*db_, t, served("balanced")));
  }
  auto points = [](double x) { return static_cast<int>(std::lround(x)); };
  auto lead = [&](const rating::Board& b, const std::string& a, const std::string& c) {
    return points(gap(b, a, c));
  };

  // The table: rows of three (model, score, low–high) groups, one per track.
  const auto table = doc.find("| text to video | score | 95% CI |");
  ASSERT_NE(table, std::string::npos);
  std::istringstream rows(doc.substr(table));
  std::string line;
  std::getline(rows, line);  // header
  std::getline(rows, line);  // |---|
  int checked = 0;
  const std::regex cell_re(R"(\|\s*([^|]*?)\s*\|\s*(\d+)\s*\|\s*(\d+)–(\d+)\s*)");
  while (std::getline(rows, line) && line.starts_with("| ")) {
    std::size_t k = 0;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), cell_re);
         it != std::sregex_iterator() && k < tracks.size(); ++it, ++k) {
      const auto& m = *it;
      const auto& r = row(boards.at(tracks[k]), m[1].str());
      EXPECT_EQ(points(r.rating), std::stoi(m[2].str())) << tracks[k] << " " << m[1];
      EXPECT_EQ(points(r.ci_low), std::stoi(m[3].str())) << tracks[k] << " " << m[1];
      EXPECT_EQ(points(r.ci_high), std::stoi(m[4].str())) << tracks[k] << " " << m[1];
      ++checked;
    }
  }
  EXPECT_EQ(checked, 12) << "four models of each track";

  // The anchored text-to-video scores.
  std::smatch m;
  const std::regex anchored(
      R"(\(HappyHorse-1\.0 (\d+), Seedance 2\.0 (\d+), SkyReels V4 (\d+), Kling 3\.0 (\d+)\))");
  ASSERT_TRUE(std::regex_search(doc, m, anchored));
  auto options = served();
  options.anchor_model = "HappyHorse-1.0";
  options.anchor_value = std::stod(m[1].str());
  const auto anchored_board = board_of(*db_, "t2v", options);
  const char* names[] = {"HappyHorse-1.0", "Seedance 2.0", "SkyReels V4", "Kling 3.0"};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(points(row(anchored_board, names[i]).rating), std::stoi(m[i + 1].str())) << names[i];
  }

  // The leads, as voted and balanced.
  ASSERT_TRUE(std::regex_search(
      doc, m, std::regex(R"(leads text to video by (\d+) points and image to video by (\d+))")));
  EXPECT_EQ(lead(boards.at("t2v"), "HappyHorse-1.0", "Seedance 2.0"), std::stoi(m[1].str()));
  EXPECT_EQ(lead(boards.at("i2v"), "HappyHorse-1.0", "Seedance 2.0"), std::stoi(m[2].str()));
  ASSERT_TRUE(std::regex_search(doc, m, std::regex(R"(Seedance 2\.0 is (\d+) points ahead)")));
  EXPECT_EQ(lead(boards.at("t2v-audio"), "Seedance 2.0", "HappyHorse-1.0"), std::stoi(m[1].str()));
  ASSERT_TRUE(std::regex_search(
      doc, m,
      std::regex(R"(narrows from (\d+) to (\d+) points \(image to\s+video: from (\d+) to (\d+))")));
  EXPECT_EQ(lead(boards.at("t2v"), "HappyHorse-1.0", "Seedance 2.0"), std::stoi(m[1].str()));
  EXPECT_EQ(lead(balanced.at("t2v"), "HappyHorse-1.0", "Seedance 2.0"), std::stoi(m[2].str()));
  EXPECT_EQ(lead(boards.at("i2v"), "HappyHorse-1.0", "Seedance 2.0"), std::stoi(m[3].str()));
  EXPECT_EQ(lead(balanced.at("i2v"), "HappyHorse-1.0", "Seedance 2.0"), std::stoi(m[4].str()));
}

// docs/demo.md's "How it is built" names the demo's phases in the order they run, and
// counts them in words ("five timed phases"; it once said four and listed five).
TEST(DemoDocs, NameAndCountThePhasesTheDemoRuns) {
  const std::string doc = demo_doc();
  ASSERT_FALSE(doc.empty());
  std::vector<std::string> listed;
  const std::regex item(R"(\n(\d+)\. \*\*(\w+)\*\* — )");
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), item); it != std::sregex_iterator();
       ++it) {
    EXPECT_EQ(std::stoi((*it)[1].str()), static_cast<int>(listed.size()) + 1) << (*it)[0];
    listed.push_back((*it)[2].str());
  }
  std::vector<std::string> run;
  for (auto phase : {demo::DemoPhase::Render, demo::DemoPhase::Import, demo::DemoPhase::Generate,
                     demo::DemoPhase::Votes, demo::DemoPhase::Reveal}) {
    run.emplace_back(demo::to_string(phase));
  }
  EXPECT_EQ(listed, run);
  const char* const kCount[] = {"no", "one", "two", "three", "four", "five", "six", "seven"};
  ASSERT_LT(run.size(), std::size(kCount));
  EXPECT_NE(doc.find(std::string("in ") + kCount[run.size()] + " timed phases"), std::string::npos)
      << "docs/demo.md should say the demo is built in " << kCount[run.size()] << " timed phases";
}

TEST_F(DemoBoards, BalancedCategoriesNarrowHappyHorsesLeadOnTextToVideo) {
  auto as_voted = board_of(*db_, "t2v");
  auto balanced = board_of(*db_, "t2v", board_options("balanced"));
  const double lead = gap(as_voted, "HappyHorse-1.0", "Seedance 2.0");
  const double balanced_lead = gap(balanced, "HappyHorse-1.0", "Seedance 2.0");
  EXPECT_LT(balanced_lead, lead - 10) << "as voted " << lead << ", balanced " << balanced_lead;
  EXPECT_EQ(top(balanced, 1), Names{"HappyHorse-1.0"}) << "narrowed, not overturned";
}

TEST_F(DemoBoards, SeedanceLedUntilHappyHorseAppeared) {
  auto votes = db_->list_votes({.track_id = "t2v"});
  ASSERT_TRUE(votes);
  int64_t debut = INT64_MAX;
  for (const auto& v : *votes) {
    if (v.left_model == "happyhorse-1.0" || v.right_model == "happyhorse-1.0") {
      debut = std::min(debut, v.created_at_ms);
    }
  }
  const int64_t first = votes->front().created_at_ms;
  EXPECT_GT(debut - first, int64_t{25} * 24 * 3600 * 1000) << "a late entrant";
  auto options = board_options();
  options.filter.until = static_cast<double>(debut) / 1000;
  auto before = board_of(*db_, "t2v", options);
  EXPECT_EQ(top(before, 1), Names{"Seedance 2.0"});
}

TEST_F(DemoBoards, HappyHorseWasRevealedAsTheLastStep) {
  auto hh = db_->find_model("happyhorse-1.0");
  ASSERT_TRUE(hh && *hh);
  EXPECT_EQ((*hh)->status, store::ModelStatus::Public);
  EXPECT_EQ((*hh)->codename, "HappyHorse-1.0");
  EXPECT_FALSE((*hh)->organization.empty());
  auto models = db_->list_models();
  ASSERT_TRUE(models);
  for (const auto& m : *models) EXPECT_EQ(m.status, store::ModelStatus::Public) << m.id;
}

TEST_F(DemoBoards, BattlesAndVotesAreStoredAsTheServerStoresThem) {
  auto battles = db_->list_battles("", 0);
  auto votes = db_->list_votes({});
  auto clips = db_->list_clips("");
  auto prompts = db_->list_prompts("");
  ASSERT_TRUE(battles && votes && clips && prompts);
  std::map<std::string, const store::Battle*> by_id;
  for (const auto& b : *battles) by_id[b.id] = &b;
  std::set<std::string> hashes;
  for (const auto& c : *clips) hashes.insert(c.hash);
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> categories;
  for (const auto& p : *prompts) categories[{p.track_id, p.id}] = p.categories;

  EXPECT_GT(battles->size(), votes->size()) << "some battles were never voted on";
  int64_t last_time = 0;
  for (const auto& v : *votes) {
    auto b = by_id.find(v.battle_id);
    ASSERT_NE(b, by_id.end()) << v.battle_id;
    EXPECT_EQ(b->second->left_model, v.left_model);
    EXPECT_TRUE(hashes.contains(b->second->left_clip));
    EXPECT_TRUE(hashes.contains(b->second->right_clip));
    EXPECT_EQ(v.categories, (categories[{v.track_id, v.prompt_id}]));
    EXPECT_GE(v.created_at_ms, last_time) << "vote ids follow the timeline";
    last_time = v.created_at_ms;
    EXPECT_EQ(v.session.size(), 32u);
    EXPECT_TRUE(v.address.starts_with("192.0.2.") || v.address.starts_with("198.51.100.") ||
                v.address.starts_with("203.0.113."))
        << v.address;
    EXPECT_GT(v.decision_ms, 0);
    EXPECT_FALSE(v.voided);
  }
  EXPECT_EQ(votes->size(), 24000u);
}

TEST_F(DemoBoards, ClipsAreDistinctPlaceholdersInTheMediaFolder) {
  const fs::path media = shared_demo() / "media";
  auto clips = db_->list_clips("");
  ASSERT_TRUE(clips);
  std::set<std::string> hashes;
  for (const auto& c : *clips) {
    EXPECT_TRUE(hashes.insert(c.hash).second)
        << c.track_id << "/" << c.prompt_id << "/" << c.model_id << " repeats another clip";
    EXPECT_TRUE(media::stored_path(media, c.hash)) << c.hash;
    EXPECT_EQ(c.has_audio, c.track_id == "t2v-audio") << c.track_id;
    EXPECT_EQ(c.video_codec, "h264");
  }
  auto tracks = db_->list_tracks();
  ASSERT_TRUE(tracks);
  ASSERT_EQ(tracks->size(), 3u);
  int64_t expected = 0;
  for (const auto& t : *tracks) expected += t.models * t.prompts;
  EXPECT_EQ(static_cast<int64_t>(clips->size()), expected) << "every entrant on every prompt";
  auto prompts = db_->list_prompts("i2v");
  ASSERT_TRUE(prompts);
  for (const auto& p : *prompts) {
    EXPECT_EQ(p.source_mime, "image/png") << p.id;
    EXPECT_TRUE(media::stored_path(media, p.source_hash)) << p.id;
  }
  EXPECT_FALSE(fs::exists(shared_demo() / "render")) << "the working files are cleaned up";
}

TEST_F(DemoBoards, AboutSixtyPercentOfPromptsAreTalkingHeadsAndPortraits) {
  auto prompts = db_->list_prompts("");
  ASSERT_TRUE(prompts);
  double portraits = 0;
  for (const auto& p : *prompts) {
    portraits += std::count(p.categories.begin(), p.categories.end(), "portrait");
  }
  EXPECT_NEAR(portraits / static_cast<double>(prompts->size()), 0.6, 0.05);
}

}  // namespace
}  // namespace paddock::demo_test
