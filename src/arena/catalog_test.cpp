#include "arena/catalog.hpp"

#include <gtest/gtest.h>

namespace paddock::arena {
namespace {

using store::ModelStatus;

store::Model model(std::string id, ModelStatus status, std::string codename = {}) {
  return store::Model{id, "Real " + id, "Org " + id, status, std::move(codename)};
}

store::Clip clip(std::string prompt, std::string model_id) {
  store::Clip c;
  c.track_id = "t2v";
  c.prompt_id = std::move(prompt);
  c.model_id = model_id;
  c.hash = std::string(60, '0') + model_id.substr(0, 4);
  c.mime = "video/mp4";
  return c;
}

Catalog sample() {
  store::TrackSummary t;
  t.track.id = "t2v";
  std::vector<store::Prompt> prompts{{"t2v", "p1", "a horse", "en", {"animals", "motion"}, "", ""},
                                     {"t2v", "p2", "a city", "en", {"landscape"}, "", ""},
                                     {"t2v", "p3", "alone", "en", {}, "", ""}};
  std::vector<store::Model> models{
      model("pubA", ModelStatus::Public), model("anoB", ModelStatus::Anonymous, "HappyHorse-1.0"),
      model("hidC", ModelStatus::Hidden), model("retD", ModelStatus::Retired),
      model("pubE", ModelStatus::Public)};
  std::vector<store::Clip> clips{clip("p1", "pubA"), clip("p1", "anoB"), clip("p1", "hidC"),
                                 clip("p1", "retD"), clip("p1", "pubE"), clip("p2", "pubA"),
                                 clip("p2", "hidC"), clip("p2", "retD"), clip("p3", "pubA")};
  return Catalog::build({t}, models, prompts, clips, "7");
}

TEST(PublicName, IsTheCodenameWhileAnonymousAndNothingWhileHidden) {
  EXPECT_EQ(public_name(model("a", ModelStatus::Anonymous, "HappyHorse-1.0")), "HappyHorse-1.0");
  EXPECT_EQ(public_name(model("a", ModelStatus::Public)), "Real a");
  EXPECT_EQ(public_name(model("a", ModelStatus::Retired)), "Real a");
  EXPECT_EQ(public_name(model("a", ModelStatus::Hidden)), std::nullopt);
  EXPECT_EQ(public_organization(model("a", ModelStatus::Anonymous, "x")), "(undisclosed)");
  EXPECT_EQ(public_organization(model("a", ModelStatus::Public)), "Org a");
}

TEST(Catalog, OffersOnlyPromptsWithTwoMatchableModels) {
  auto c = sample();
  const auto* t = c.find_track("t2v");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->battle_prompts.size(), 1u);
  EXPECT_EQ(t->prompts[t->battle_prompts[0]].prompt.id, "p1");
  EXPECT_EQ(t->categories, (std::vector<std::string>{"animals", "landscape", "motion"}));
  EXPECT_EQ(c.version(), "7");
}

TEST(Catalog, IndexesWhichBattlePromptsEachMatchableModelHasAClipIn) {
  auto c = sample();
  const auto* t = c.find_track("t2v");
  EXPECT_EQ(t->models, (std::vector<std::string>{"anoB", "pubA", "pubE"}));
  ASSERT_EQ(t->model_prompts.size(), 3u);
  for (const auto& prompts : t->model_prompts) {
    EXPECT_EQ(prompts, (std::vector<uint32_t>{0}));  // p1 only: p2 and p3 have one model
  }
}

TEST(Catalog, KnowsMediaTypesAndKeepsClipsApartFromSources) {
  store::TrackSummary t;
  t.track.id = "t2v";
  store::Prompt p{"t2v", "p1", "x", "en", {}, std::string(64, 's'), "image/png"};
  auto cl = clip("p1", "pubA");
  auto c = Catalog::build({t}, {model("pubA", ModelStatus::Public)}, {p}, {cl}, "1");
  ASSERT_NE(c.media_mime(std::string(64, 's'), true), nullptr);
  EXPECT_EQ(*c.media_mime(std::string(64, 's'), true), "image/png");
  EXPECT_EQ(c.media_mime(cl.hash, true), nullptr);
  ASSERT_NE(c.media_mime(cl.hash, false), nullptr);
}

// paddock generate's provenance, summed up per track and model for the leaderboard.
TEST(Catalog, SumsUpGeneratedClipsPerTrackAndModel) {
  store::TrackSummary t;
  t.track.id = "t2v";
  auto g = [](std::string model, std::optional<double> cost, std::string currency, int64_t ms) {
    return store::ClipGeneration{.track_id = "t2v",
                                 .model_id = std::move(model),
                                 .cost = cost,
                                 .currency = std::move(currency),
                                 .generation_ms = ms};
  };
  std::vector<store::ClipGeneration> generations{
      g("pubA", 0.5, "USD", 60'000),
      g("pubA", 1.0, "USD", 20'000),
      g("pubA", std::nullopt, "", 40'000),  // no price known: left out of the mean
      g("pubE", 2.0, "USD", 10'000),
      g("pubE", 3.0, "CNY", 30'000),  // mixed: no mean
      {.track_id = "other", .model_id = "pubA", .cost = 9.0, .currency = "USD"}};
  auto c =
      Catalog::build({t}, {model("pubA", ModelStatus::Public), model("pubE", ModelStatus::Public)},
                     {}, {}, "1", generations);
  const auto* track = c.find_track("t2v");
  ASSERT_NE(track, nullptr);
  ASSERT_TRUE(track->generation.contains("pubA"));
  const GenerationStats& a = track->generation.at("pubA");
  EXPECT_EQ(a.clips, 3);
  ASSERT_TRUE(a.mean_cost);
  EXPECT_DOUBLE_EQ(*a.mean_cost, 0.75);
  EXPECT_EQ(a.currency, "USD");
  ASSERT_TRUE(a.median_seconds);
  EXPECT_DOUBLE_EQ(*a.median_seconds, 40);
  const GenerationStats& e = track->generation.at("pubE");
  EXPECT_EQ(e.clips, 2);
  EXPECT_FALSE(e.mean_cost);
  EXPECT_EQ(e.currency, "");
  EXPECT_DOUBLE_EQ(*e.median_seconds, 20);
}

}  // namespace
}  // namespace paddock::arena
