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

// A well-formed hash (64 lowercase hex digits; the catalog leaves others out of battles),
// distinct per prompt and model.
std::string hash_of(const std::string& text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string h;
  for (unsigned char ch : text) h += {kHex[ch >> 4], kHex[ch & 15]};
  return std::string(64 - h.size(), '0') + h;
}

store::Clip clip(std::string prompt, std::string model_id) {
  store::Clip c;
  c.track_id = "t2v";
  c.hash = hash_of(prompt + "-" + model_id);
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

// The server draws from SecureRandomBits (the CSPRNG), not a seeded generator.
TEST(PickPairing, TheServersSecureDrawsAreUniformOverOrderedPairsToo) {
  auto c = arena(3, 1);
  SecureRandomBits bits;
  std::map<std::pair<std::string, std::string>, int> seen;
  const int draws = 60'000;
  for (int i = 0; i < draws; ++i) {
    auto p = pick_pairing(*c.find_track("t2v"), nullptr, bits);
    ASSERT_TRUE(p);
    ASSERT_NE(p->left->model_id, p->right->model_id);
    ++seen[{p->left->model_id, p->right->model_id}];
  }
  ASSERT_EQ(seen.size(), 6u);
  // Not a fixed seed: 7 standard deviations (about 640) keeps a false alarm below 1e-11.
  for (const auto& [pair, n] : seen) EXPECT_NEAR(n, draws / 6, 640);
}

TEST(PickPairing, GivesNothingForATrackWithoutPairs) {
  store::TrackSummary t;
  t.track.id = "empty";
  auto c = Catalog::build({t}, {model("pubA")}, {{"empty", "p", "x", "en", {}, "", ""}}, {}, "1");
  Seeded s;
  EXPECT_FALSE(pick_pairing(*c.find_track("empty"), nullptr, s.bits));
  PairingPlan plan = plan_pairings(*c.find_track("empty"), {}, {});
  EXPECT_TRUE(plan.pairs.empty());
  EXPECT_FALSE(pick_pairing(*c.find_track("empty"), &plan, s.bits));
}

BoardEstimates board_of(std::vector<std::pair<std::string, double>> ratings, int64_t votes) {
  BoardEstimates e;
  for (const auto& [id, r] : ratings) e.models.push_back({id, r});
  for (std::size_t i = 0; i < ratings.size(); ++i) {
    for (std::size_t j = i + 1; j < ratings.size(); ++j) {
      e.pairs.push_back({ratings[i].first, ratings[j].first, votes});
    }
  }
  return e;
}

double value_of(const PairingPlan& plan, const std::string& a, const std::string& b) {
  for (std::size_t k = 0; k < plan.pairs.size(); ++k) {
    const auto& x = plan.models[plan.pairs[k].first];
    const auto& y = plan.models[plan.pairs[k].second];
    if ((x == a && y == b) || (x == b && y == a)) return plan.value[k];
  }
  ADD_FAILURE() << "no pair " << a << " " << b;
  return 0;
}

TEST(PlanPairings, KeepsEveryPossiblePairAboveTheExplorationFloor) {
  auto c = arena(4, 2, /*only_p9=*/true);
  const auto& t = *c.find_track("t2v");
  auto e = board_of({{"m0", 1300}, {"m1", 1295}, {"m2", 800}, {"m3", 700}, {"late", 1000}}, 200);
  MatchmakingOptions o;
  auto plan = plan_pairings(t, e, o);
  // 4 models all meet (6 pairs) and late meets m0 alone: 7 possible pairs.
  ASSERT_EQ(plan.pairs.size(), 7u);
  EXPECT_NEAR(std::accumulate(plan.probability.begin(), plan.probability.end(), 0.0), 1.0, 1e-12);
  EXPECT_NEAR(plan.cumulative.back(), 1.0, 1e-12);
  for (double p : plan.probability) EXPECT_GE(p, o.exploration / 7 - 1e-15);
  // The level pair at the top is worth far more than pairs whose order is long settled.
  EXPECT_GT(value_of(plan, "m0", "m1"), 10 * value_of(plan, "m2", "m3"));
  EXPECT_EQ(*std::max_element(plan.value.begin(), plan.value.end()), value_of(plan, "m0", "m1"));
}

TEST(PlanPairings, GivesANewModelExtraBattlesUntilItsIntervalNarrows) {
  auto c = arena(5, 1);
  const auto& t = *c.find_track("t2v");
  // m4 is new: not on the board yet. Its pairs are worth more than the settled ones.
  auto e = board_of({{"m0", 1200}, {"m1", 1100}, {"m2", 1000}, {"m3", 900}}, 2000);
  auto plan = plan_pairings(t, e, {});
  double fresh = 0, settled = 0;
  for (std::size_t k = 0; k < plan.pairs.size(); ++k) {
    const bool with_new = plan.models[plan.pairs[k].second] == "m4";
    (with_new ? fresh : settled) += plan.probability[k];
  }
  EXPECT_GT(fresh, 0.6);  // 4 of 10 pairs, uniformly 0.4
  // Once it has as many votes as the others and sits well below the top, it is back to the
  // exploration floor (4 of 10 pairs: 0.2 * 0.4).
  auto later = board_of({{"m0", 1200}, {"m1", 1100}, {"m2", 1000}, {"m3", 900}, {"m4", 600}}, 2000);
  auto plan2 = plan_pairings(t, later, {});
  double fresh2 = 0;
  for (std::size_t k = 0; k < plan2.pairs.size(); ++k) {
    if (plan2.models[plan2.pairs[k].second] == "m4") fresh2 += plan2.probability[k];
  }
  EXPECT_NEAR(fresh2, 0.08, 1e-12);
}

double probability_of(const PairingPlan& plan, const std::string& a, const std::string& b) {
  for (std::size_t k = 0; k < plan.pairs.size(); ++k) {
    const auto& x = plan.models[plan.pairs[k].first];
    const auto& y = plan.models[plan.pairs[k].second];
    if ((x == a && y == b) || (x == b && y == a)) return plan.probability[k];
  }
  ADD_FAILURE() << "no pair " << a << " " << b;
  return 0;
}

TEST(PlanPairings, SpendsTheBattlesOnOverlappingAdjacentRanksOfTheTop) {
  auto c = arena(8, 1);
  const auto& t = *c.find_track("t2v");
  // m0 and m1 are level at the top, m6 and m7 level at the bottom; every other adjacent
  // pair is 100 points apart with 3000 votes: settled.
  auto e = board_of({{"m0", 1500},
                     {"m1", 1495},
                     {"m2", 1300},
                     {"m3", 1200},
                     {"m4", 1100},
                     {"m5", 1000},
                     {"m6", 800},
                     {"m7", 795}},
                    3000);
  MatchmakingOptions o;
  auto plan = plan_pairings(t, e, o);
  ASSERT_EQ(plan.pairs.size(), 28u);
  const double floor = o.exploration / 28;
  EXPECT_NEAR(std::accumulate(plan.allocation.begin(), plan.allocation.end(), 0.0), 1.0, 1e-12);
  // Most adaptive battles go to the open pair at the top ...
  EXPECT_GT(probability_of(plan, "m0", "m1"), 0.5);
  // ... none beyond the floor to the equally open pair at the bottom (it does not decide the
  // top 5), nor to settled pairs far apart.
  EXPECT_NEAR(probability_of(plan, "m6", "m7"), floor, 1e-12);
  EXPECT_NEAR(probability_of(plan, "m2", "m7"), floor, 1e-12);
  for (double p : plan.probability) EXPECT_GE(p, floor - 1e-15);
  // Once the top pair is a safe distance apart, the plan moves on.
  auto settled = e;
  settled.models[0].rating = 1800;
  auto later = plan_pairings(t, settled, o);
  EXPECT_LT(probability_of(later, "m0", "m1"), probability_of(plan, "m0", "m1") / 2);
}

TEST(PlanPairings, GivesTheLevelPairOfThreeModelsMostBattles) {
  // tests/http/matchmaking_test.cpp's arena: two level models, each beating the third 19
  // times in 20 (511 points), 200 votes per pair.
  auto c = arena(3, 1);
  auto plan = plan_pairings(*c.find_track("t2v"),
                            board_of({{"m0", 1300}, {"m1", 1300}, {"m2", 789}}, 200), {});
  // The level pair gets the most; the others still get a share beyond the floor, for the mean
  // anchor: the published intervals of m0 and m1 include the uncertainty of m2's score.
  const double open = probability_of(plan, "m0", "m1");
  EXPECT_GT(open, 0.4);  // uniformly 1/3
  EXPECT_GT(open, probability_of(plan, "m0", "m2") + 0.1);
  EXPECT_GT(open, probability_of(plan, "m1", "m2") + 0.1);
  EXPECT_NEAR(probability_of(plan, "m0", "m2"), probability_of(plan, "m1", "m2"), 0.1);
}

TEST(PlanPairings, MeasuresTheBottomOfTheBoardForTheMeanAnchor) {
  // The published intervals are relative to the mean of every score, so intervals at the top
  // narrow only if the bottom is measured against the rest too: with the top pairs well
  // measured among themselves and the bottom barely at all, the plan turns to the bottom.
  auto c = arena(6, 1);
  const auto& t = *c.find_track("t2v");
  BoardEstimates e;
  for (auto [id, r] : std::vector<std::pair<std::string, double>>{
           {"m0", 1200}, {"m1", 1180}, {"m2", 1160}, {"m3", 1140}, {"m4", 1120}, {"m5", 900}}) {
    e.models.push_back({id, r});
  }
  for (int i = 0; i < 5; ++i) {
    for (int j = i + 1; j < 5; ++j) {
      e.pairs.push_back({"m" + std::to_string(i), "m" + std::to_string(j), 5000});
    }
    e.pairs.push_back({"m" + std::to_string(i), "m5", 5});
  }
  auto plan = plan_pairings(t, e, {});
  double with_bottom = 0;
  for (std::size_t k = 0; k < plan.pairs.size(); ++k) {
    if (plan.models[plan.pairs[k].second] == "m5") with_bottom += plan.allocation[k];
  }
  EXPECT_GT(with_bottom, 0.5);
}

TEST(PlanPairings, IsUniformInUniformModeAndWhenEveryRankIsSettled) {
  auto c = arena(3, 1);
  MatchmakingOptions o;
  o.mode = MatchmakingMode::Uniform;
  auto plan = plan_pairings(*c.find_track("t2v"), {}, o);
  ASSERT_EQ(plan.pairs.size(), 3u);
  for (double p : plan.probability) EXPECT_NEAR(p, 1.0 / 3, 1e-12);
  // Ratings far apart with millions of votes: nothing left to settle, so (nearly) uniform.
  o.mode = MatchmakingMode::Adaptive;
  auto e = board_of({{"m0", 1400}, {"m1", 1000}, {"m2", 600}}, 10'000'000);
  plan = plan_pairings(*c.find_track("t2v"), e, o);
  for (double v : plan.value) EXPECT_LT(v, 1e-9);
}

TEST(PickPairing, FollowsThePlanAndBalancesTheSides) {
  auto c = arena(4, 3);
  const auto& t = *c.find_track("t2v");
  auto plan =
      plan_pairings(t, board_of({{"m0", 1100}, {"m1", 1090}, {"m2", 900}, {"m3", 700}}, 300), {});
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

namespace paddock::arena {
namespace {

TEST(EstimatesFromBoard, MapsNamesToIdsAndKeepsPairCounts) {
  rating::Board board;
  rating::ModelRow a;
  a.model = "Alpha";
  a.rating = 1100;
  rating::ModelRow b = a;
  b.model = "Beta";
  b.rating = 1000;
  rating::ModelRow c = a;
  c.model = "Unknown";
  board.models = {a, b, c};
  board.pairs = {{"Alpha", "Beta", 7, 4, 3, 0, 0.6}, {"Alpha", "Unknown", 5, 1, 4, 0, 0.5}};
  auto e = estimates_from_board(board, [](const std::string& name) -> std::optional<std::string> {
    if (name == "Unknown") return std::nullopt;
    return "id-" + name;
  });
  ASSERT_EQ(e.models.size(), 2u);
  EXPECT_EQ(e.models[0].model_id, "id-Alpha");
  EXPECT_EQ(e.models[0].rating, 1100);
  ASSERT_EQ(e.pairs.size(), 1u);
  EXPECT_EQ(e.pairs[0].model_a, "id-Alpha");
  EXPECT_EQ(e.pairs[0].model_b, "id-Beta");
  EXPECT_EQ(e.pairs[0].votes, 7);
}

}  // namespace
}  // namespace paddock::arena
