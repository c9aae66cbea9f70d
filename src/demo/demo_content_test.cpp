#include "demo/demo_content.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "arena/catalog_rules.hpp"

namespace paddock::demo {
namespace {

const DemoTrack& track(std::string_view id) {
  for (const auto& t : demo_tracks()) {
    if (t.id == id) return t;
  }
  throw std::runtime_error("no track " + std::string(id));
}

TEST(DemoContent, HasTheThreeTracks) {
  EXPECT_EQ(track("t2v").task, "text-to-video");
  EXPECT_FALSE(track("t2v").audio);
  EXPECT_EQ(track("i2v").task, "image-to-video");
  EXPECT_FALSE(track("i2v").audio);
  EXPECT_EQ(track("t2v-audio").task, "text-to-video");
  EXPECT_TRUE(track("t2v-audio").audio);
}

TEST(DemoContent, EntrantsAreValidModelsAndHappyHorseStartsAnonymous) {
  std::set<std::string_view> ids;
  for (const auto& m : demo_models()) {
    EXPECT_TRUE(arena::is_valid_id(m.id)) << m.id;
    EXPECT_TRUE(ids.insert(m.id).second) << m.id;
    EXPECT_FALSE(m.organization.empty()) << m.id;
    EXPECT_EQ(!m.codename.empty(), m.id == kRevealedModel) << m.id;
  }
  for (auto name : {"happyhorse-1.0", "seedance-2.0", "skyreels-v4", "kling-3.0",
                    "grok-imagine-video", "veo-3.1", "wan-2.5"}) {
    EXPECT_TRUE(ids.contains(name)) << name;
  }
  for (const auto& t : demo_tracks()) {
    for (const auto& e : t.entries) EXPECT_TRUE(ids.contains(e.model)) << e.model;
  }
}

TEST(DemoContent, PublishedGapsAreThoseOfThePublicBoards) {
  const auto& t2v = track("t2v").entries;
  EXPECT_EQ(t2v[0].model, "happyhorse-1.0");
  EXPECT_EQ(t2v[0].rating, 1379);
  EXPECT_EQ(t2v[1].model, "seedance-2.0");
  EXPECT_EQ(t2v[0].rating - t2v[1].rating, 106);
  EXPECT_EQ(t2v[2].model, "skyreels-v4");
  EXPECT_EQ(t2v[3].model, "kling-3.0");
  const auto& i2v = track("i2v").entries;
  EXPECT_EQ(i2v[0].rating, 1411);
  EXPECT_EQ(i2v[1].model, "seedance-2.0");
  EXPECT_EQ(i2v[1].rating, 1356);
  EXPECT_EQ(i2v[2].model, "grok-imagine-video");
  EXPECT_EQ(i2v[2].rating, 1331);
  const auto& audio = track("t2v-audio").entries;
  EXPECT_EQ(audio[0].model, "seedance-2.0");
  EXPECT_EQ(audio[1].model, "happyhorse-1.0");
  for (const auto& t : demo_tracks()) {
    for (size_t i = 1; i < t.entries.size(); ++i) {
      EXPECT_LT(t.entries[i].rating, t.entries[i - 1].rating) << t.id << " is listed best first";
    }
  }
}

TEST(DemoContent, AboutSixtyPercentOfPromptsArePortraits) {
  double portraits = 0, prompts = 0;
  for (const auto& t : demo_tracks()) {
    portraits += portrait_share(t) * static_cast<double>(t.prompts.size());
    prompts += static_cast<double>(t.prompts.size());
  }
  EXPECT_NEAR(portraits / prompts, 0.6, 0.05);
}

TEST(DemoContent, PortraitEdgeRaisesHappyHorseOnPortraitsOnly) {
  const DemoTrack& t = track("t2v");
  const DemoEntry& hh = t.entries[0];
  const DemoEntry& sd = t.entries[1];
  const DemoPrompt* portrait = nullptr;
  const DemoPrompt* other = nullptr;
  for (const auto& p : t.prompts) {
    bool is_portrait =
        std::find(p.categories.begin(), p.categories.end(), "portrait") != p.categories.end();
    (is_portrait ? portrait : other) = &p;
  }
  ASSERT_TRUE(portrait && other);
  EXPECT_GT(true_rating(t, hh, *portrait), hh.rating);
  EXPECT_LT(true_rating(t, hh, *other), hh.rating);
  EXPECT_GT(true_rating(t, hh, *other), sd.rating) << "still ahead on the rest";
  EXPECT_EQ(true_rating(t, sd, *portrait), sd.rating);
  // The as-voted mix is centred on the rating.
  const double s = portrait_share(t);
  const double mix = s * true_rating(t, hh, *portrait) + (1 - s) * true_rating(t, hh, *other);
  EXPECT_NEAR(mix, hh.rating, 8);
}

}  // namespace
}  // namespace paddock::demo
