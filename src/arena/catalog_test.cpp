#include "arena/catalog.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace paddock::arena {
namespace {

using store::ModelStatus;

store::Model model(std::string id, ModelStatus status, std::string codename = {}) {
  return store::Model{id, "Real " + id, "Org " + id, status, std::move(codename)};
}

std::string fmt_hex(unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  return {kHex[c >> 4], kHex[c & 15]};
}

store::Clip clip(std::string prompt, std::string model_id) {
  store::Clip c;
  c.track_id = "t2v";
  c.prompt_id = std::move(prompt);
  c.model_id = model_id;
  // A well-formed hash (64 lowercase hex digits), distinct per model.
  c.hash = std::string(56, '0');
  for (char ch : model_id.substr(0, 4)) c.hash += fmt_hex(static_cast<unsigned char>(ch));
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

TEST(PickPairing, NeverPicksHiddenOrRetiredModelsAndCoversEveryOrderedPair) {
  auto c = sample();
  const auto* t = c.find_track("t2v");
  std::mt19937_64 rng(42);
  std::map<std::pair<std::string, std::string>, int> seen;
  const int draws = 60'000;
  for (int i = 0; i < draws; ++i) {
    auto p = pick_pairing(*t, rng);
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

TEST(PickPairing, TheServersSecureDrawsAreUniformOverOrderedPairsToo) {
  auto c = sample();
  const auto* t = c.find_track("t2v");
  sys::SecureRandom rng;
  std::map<std::pair<std::string, std::string>, int> seen;
  const int draws = 60'000;
  for (int i = 0; i < draws; ++i) {
    auto p = pick_pairing(*t, rng);
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
  auto c = Catalog::build({t}, {model("pubA", ModelStatus::Public)},
                          {{"empty", "p", "x", "en", {}, "", ""}}, {}, "1");
  std::mt19937_64 rng(1);
  EXPECT_FALSE(pick_pairing(*c.find_track("empty"), rng));
}

TEST(Catalog, KnowsMediaTypesAndKeepsClipsApartFromSources) {
  store::TrackSummary t;
  t.track.id = "t2v";
  store::Prompt p{"t2v", "p1", "x", "en", {}, std::string(64, 'e'), "image/png"};
  auto cl = clip("p1", "pubA");
  auto c = Catalog::build({t}, {model("pubA", ModelStatus::Public)}, {p}, {cl}, "1");
  ASSERT_NE(c.media_mime(std::string(64, 'e'), true), nullptr);
  EXPECT_EQ(*c.media_mime(std::string(64, 'e'), true), "image/png");
  EXPECT_EQ(c.media_mime(cl.hash, true), nullptr);
  ASSERT_NE(c.media_mime(cl.hash, false), nullptr);
}

TEST(Catalog, LeavesMalformedStoredHashesOutOfBattlesAndSaysWhich) {
  store::TrackSummary t;
  t.track.id = "t2v";
  auto bad_clip = clip("p1", "anoB");
  bad_clip.hash = "not-a-hash\n";
  auto short_clip = clip("p1", "pubE");
  short_clip.hash = std::string(63, 'a');
  store::Prompt bad_source{"t2v", "p2", "y", "en", {}, "ABC\"", "image/png"};
  auto c = Catalog::build(
      {t},
      {model("pubA", ModelStatus::Public), model("anoB", ModelStatus::Anonymous, "x"),
       model("pubE", ModelStatus::Public)},
      {{"t2v", "p1", "x", "en", {}, "", ""}, bad_source},
      {clip("p1", "pubA"), bad_clip, short_clip, clip("p2", "pubA"), clip("p2", "anoB")}, "1");
  // p1 keeps one good clip (no battle); p2 is left out for its source.
  EXPECT_TRUE(c.find_track("t2v")->battle_prompts.empty());
  ASSERT_EQ(c.set_aside().size(), 3u);
  EXPECT_NE(c.set_aside()[0].find("prompt \"p2\""), std::string::npos) << c.set_aside()[0];
  EXPECT_NE(c.set_aside()[1].find("malformed hash \"not-a-hash\\x0a\""), std::string::npos)
      << c.set_aside()[1];
  sys::SecureRandom rng;
  EXPECT_FALSE(pick_pairing(*c.find_track("t2v"), rng));
}

}  // namespace
}  // namespace paddock::arena
