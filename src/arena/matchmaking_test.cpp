#include "arena/matchmaking.hpp"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <random>
#include <set>

namespace paddock::arena {
namespace {

using store::ModelStatus;

store::Model model(std::string id, ModelStatus status = ModelStatus::Public) {
  return store::Model{id, "Real " + id, "Org " + id, status, {}};
}

store::Clip clip(std::string prompt, std::string model_id) {
  store::Clip c;
  c.track_id = "t2v";
  c.hash = prompt + "-" + model_id;
  c.prompt_id = std::move(prompt);
  c.model_id = std::move(model_id);
  c.mime = "video/mp4";
  return c;
}

// Models m0..m{n-1}, every one with a clip for prompts p0..p{prompts-1}; `only_p9` adds a
// model "late" with a clip for one extra prompt p9 shared with m0 alone.
Catalog arena(int n, int prompts, bool only_p9 = false) {
  store::TrackSummary t;
  t.track.id = "t2v";
  std::vector<store::Model> models;
  std::vector<store::Prompt> ps;
  std::vector<store::Clip> clips;
  for (int i = 0; i < n; ++i) models.push_back(model("m" + std::to_string(i)));
  for (int p = 0; p < prompts; ++p) {
    ps.push_back({"t2v", "p" + std::to_string(p), "x", "en", {}, "", ""});
    for (int i = 0; i < n; ++i) clips.push_back(clip("p" + std::to_string(p), models[i].id));
  }
  if (only_p9) {
    models.push_back(model("late"));
    ps.push_back({"t2v", "p9", "x", "en", {}, "", ""});
    clips.push_back(clip("p9", "late"));
    clips.push_back(clip("p9", "m0"));
  }
  return Catalog::build({t}, models, ps, clips, "1");
}

struct Seeded {
  std::mt19937_64 engine{42};
  RandomBitsFrom<std::mt19937_64> bits{engine};
};

TEST(RandomBits, DrawsBelowABoundUniformly) {
  Seeded s;
  std::vector<int> counts(3);
  for (int i = 0; i < 30'000; ++i) ++counts[uniform_below(s.bits, 3)];
  for (int c : counts) EXPECT_NEAR(c, 10'000, 500);
  for (int i = 0; i < 1000; ++i) {
    double u = uniform_unit(s.bits);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(PickPairing, UniformWithoutAPlanNeverPicksHiddenOrRetiredModels) {
  store::TrackSummary t;
  t.track.id = "t2v";
  std::vector<store::Model> models{model("pubA"), model("anoB", ModelStatus::Anonymous),
                                   model("hidC", ModelStatus::Hidden),
                                   model("retD", ModelStatus::Retired), model("pubE")};
  std::vector<store::Clip> clips;
  for (const auto& m : models) clips.push_back(clip("p1", m.id));
  auto c = Catalog::build({t}, models, {{"t2v", "p1", "x", "en", {}, "", ""}}, clips, "1");
  Seeded s;
  std::map<std::pair<std::string, std::string>, int> seen;
  const int draws = 60'000;
  for (int i = 0; i < draws; ++i) {
    auto p = pick_pairing(*c.find_track("t2v"), nullptr, s.bits);
    ASSERT_TRUE(p);
    ASSERT_NE(p->left->model_id, p->right->model_id);
    ++seen[{p->left->model_id, p->right->model_id}];
  }
  std::set<std::string> allowed{"pubA", "anoB", "pubE"};
  ASSERT_EQ(seen.size(), 6u);  // 3 models, ordered pairs
  for (const auto& [pair, n] : seen) {
    EXPECT_TRUE(allowed.count(pair.first) && allowed.count(pair.second));
    // Uniform: 10000 expected each; 5 standard deviations is about 460.
    EXPECT_NEAR(n, draws / 6, 500) << pair.first << " vs " << pair.second;
  }
}

TEST(PickPairing, GivesNothingForATrackWithoutPairs) {
  store::TrackSummary t;
  t.track.id = "empty";
  auto c = Catalog::build({t}, {model("pubA")}, {{"empty", "p", "x", "en", {}, "", ""}}, {}, "1");
  Seeded s;
  EXPECT_FALSE(pick_pairing(*c.find_track("empty"), nullptr, s.bits));
  PairingPlan plan = plan_pairings(*c.find_track("empty"), {}, {});
  EXPECT_FALSE(pick_pairing(*c.find_track("empty"), &plan, s.bits));
}

TEST(PairInformation, FavoursClosePairsUncertainPairsAndTheTop) {
  MatchmakingOptions o;
  ModelEstimate top1{"a", 1200, 10, 1}, top2{"b", 1195, 10, 2}, far{"c", 900, 10, 9};
  ModelEstimate mid1{"d", 1000, 10, 7}, mid2{"e", 995, 10, 8};
  EXPECT_GT(pair_information(top1, top2, o), 100 * pair_information(top1, far, o));
  // Same gap and certainty, but in the top: top_weight times more.
  EXPECT_NEAR(pair_information(top1, top2, o), o.top_weight * pair_information(mid1, mid2, o),
              1e-12);
  // A model nobody knows yet (NaN sd) is worth more battles than a settled one.
  ModelEstimate fresh{"f", 1000, std::numeric_limits<double>::quiet_NaN(), 0};
  EXPECT_GT(pair_information(fresh, mid2, o), 3 * pair_information(mid1, mid2, o));
}

TEST(PlanPairings, KeepsEveryPossiblePairAboveTheExplorationFloor) {
  auto c = arena(4, 2, /*only_p9=*/true);
  const auto& t = *c.find_track("t2v");
  std::vector<ModelEstimate> e{{"m0", 1300, 5, 1},
                               {"m1", 1295, 5, 2},
                               {"m2", 800, 5, 4},
                               {"m3", 700, 5, 5},
                               {"late", 1000, 5, 3}};
  MatchmakingOptions o;
  auto plan = plan_pairings(t, e, o);
  // 4 models all meet (6 pairs) and late meets m0 alone: 7 possible pairs.
  ASSERT_EQ(plan.pairs.size(), 7u);
  EXPECT_NEAR(std::accumulate(plan.probability.begin(), plan.probability.end(), 0.0), 1.0, 1e-12);
  EXPECT_NEAR(plan.cumulative.back(), 1.0, 1e-12);
  for (double p : plan.probability) EXPECT_GE(p, o.exploration / 7 - 1e-15);
  // The close pair at the top gets the largest share.
  auto best = std::max_element(plan.probability.begin(), plan.probability.end());
  auto [i, j] = plan.pairs[best - plan.probability.begin()];
  EXPECT_EQ(plan.models[i], "m0");
  EXPECT_EQ(plan.models[j], "m1");
  EXPECT_GT(*best, 0.5);
}

TEST(PlanPairings, IsUniformInUniformModeAndWhenNothingIsOpen) {
  auto c = arena(3, 1);
  MatchmakingOptions o;
  o.mode = MatchmakingMode::Uniform;
  auto plan = plan_pairings(*c.find_track("t2v"), {}, o);
  ASSERT_EQ(plan.pairs.size(), 3u);
  for (double p : plan.probability) EXPECT_NEAR(p, 1.0 / 3, 1e-12);
  // Ratings thousands of points apart with tiny intervals: no pair is informative.
  o.mode = MatchmakingMode::Adaptive;
  std::vector<ModelEstimate> e{{"m0", 9000, 1e-3, 1}, {"m1", 5000, 1e-3, 2}, {"m2", 0, 1e-3, 3}};
  plan = plan_pairings(*c.find_track("t2v"), e, o);
  for (double p : plan.probability) EXPECT_NEAR(p, 1.0 / 3, 1e-12);
}

TEST(PickPairing, FollowsThePlanAndBalancesTheSides) {
  auto c = arena(4, 3);
  const auto& t = *c.find_track("t2v");
  std::vector<ModelEstimate> e{
      {"m0", 1100, 20, 1}, {"m1", 1090, 20, 2}, {"m2", 900, 20, 3}, {"m3", 700, 20, 4}};
  auto plan = plan_pairings(t, e, {});
  Seeded s;
  std::map<std::pair<std::string, std::string>, int> unordered;
  std::map<std::string, int> left;
  std::set<std::string> prompts;
  const int draws = 100'000;
  for (int k = 0; k < draws; ++k) {
    auto p = pick_pairing(t, &plan, s.bits);
    ASSERT_TRUE(p);
    auto a = p->left->model_id, b = p->right->model_id;
    ++left[a];
    prompts.insert(p->prompt->prompt.id);
    ++unordered[{std::min(a, b), std::max(a, b)}];
  }
  EXPECT_EQ(prompts.size(), 3u);
  ASSERT_EQ(unordered.size(), 6u);  // every pair occurs
  for (std::size_t k = 0; k < plan.pairs.size(); ++k) {
    auto key = std::make_pair(plan.models[plan.pairs[k].first], plan.models[plan.pairs[k].second]);
    const double expected = plan.probability[k] * draws;
    EXPECT_NEAR(unordered[key], expected, 5 * std::sqrt(expected) + 1) << key.first << key.second;
  }
  // Each model is on the left about half of the times it plays.
  for (const auto& [id, n] : left) {
    int plays = 0;
    for (const auto& [pair, count] : unordered) {
      if (pair.first == id || pair.second == id) plays += count;
    }
    EXPECT_NEAR(n, plays / 2.0, 5 * std::sqrt(plays / 4.0)) << id;
  }
}

TEST(PickPairing, FallsBackToUniformWhenThePlanIsForOtherModels) {
  auto before = arena(3, 1);
  auto plan = plan_pairings(*before.find_track("t2v"), {}, {});
  auto after = arena(4, 1);  // a model arrived since the plan
  Seeded s;
  std::set<std::string> seen;
  for (int k = 0; k < 2000; ++k) {
    auto p = pick_pairing(*after.find_track("t2v"), &plan, s.bits);
    ASSERT_TRUE(p);
    seen.insert(p->left->model_id);
  }
  EXPECT_TRUE(seen.count("m3"));
}

TEST(MatchmakingMode, ParsesItsNames) {
  EXPECT_EQ(parse_matchmaking_mode("uniform"), MatchmakingMode::Uniform);
  EXPECT_EQ(parse_matchmaking_mode("adaptive"), MatchmakingMode::Adaptive);
  EXPECT_FALSE(parse_matchmaking_mode("Adaptive"));
  EXPECT_EQ(matchmaking_mode_name(MatchmakingMode::Adaptive), "adaptive");
}

}  // namespace
}  // namespace paddock::arena
