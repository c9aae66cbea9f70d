// The track's settings mapped onto a vendor's parameters, and the deviations said in words.

#include "generate/setting_mapping.hpp"

#include <gtest/gtest.h>

namespace paddock::generate {
namespace {

using nlohmann::json;

const std::set<std::string> kAll = {"duration", "resolution", "aspect",
                                    "audio",    "seed",       "watermark"};

GenerationRequest track(double duration = 5, int width = 1280, int height = 720) {
  GenerationRequest request;
  request.provider_model = "m";
  request.duration_s = duration;
  request.width = width;
  request.height = height;
  request.aspect = "16:9";
  request.seed = 7;
  return request;
}

SettingsSpec veo_like() {
  SettingsSpec s;
  s.duration.sent = true;
  s.duration.values = {4, 6, 8};
  s.duration.by_resolution = {{"1080p", {8}}, {"4k", {8}}};
  s.resolution.sent = true;
  s.resolution.values = {{"720p", "720p"}, {"1080p", "1080p"}};
  s.aspect.form = AspectForm::Ratio;
  s.aspect.values = {"16:9", "9:16"};
  s.audio.form = SwitchForm::AlwaysOn;
  s.audio.note = "no switch on the Gemini API";
  s.watermark.form = SwitchForm::AlwaysOn;
  s.watermark.note = "SynthID";
  return s;
}

bool says(const MappedSettings& mapped, std::string_view words) {
  for (const std::string& deviation : mapped.deviations) {
    if (deviation.find(words) != std::string::npos) return true;
  }
  return false;
}

TEST(SettingMapping, ADurationTheApiLacksIsSentAsTheNearestAndSaidSo) {
  auto mapped = map_settings(veo_like(), track(5), kAll, "Veo");
  ASSERT_TRUE(mapped) << mapped.error().message;
  EXPECT_EQ(mapped->vars.at("duration"), 6);  // 4 and 6 are as near: the longer
  EXPECT_TRUE(says(*mapped, "duration 5 s sent as 6 s (Veo takes 4, 6, 8 s)"));
  EXPECT_EQ(mapped->clip.duration_s, 6);
}

TEST(SettingMapping, ADurationCanDependOnTheResolution) {
  auto mapped = map_settings(veo_like(), track(5, 1920, 1080), kAll, "Veo");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->vars.at("resolution"), "1080p");
  EXPECT_EQ(mapped->vars.at("duration"), 8);
  EXPECT_TRUE(says(*mapped, "duration 5 s sent as 8 s (Veo takes 8 s at 1080p)"));
}

TEST(SettingMapping, SwitchesTheApiLacksAreDeviationsWithTheirReason) {
  auto mapped = map_settings(veo_like(), track(), kAll, "Veo");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(says(*mapped, "audio always on: Veo cannot make silent clips (no switch"));
  EXPECT_TRUE(
      says(*mapped, "watermark cannot be turned off: Veo always marks its clips (SynthID)"));
  EXPECT_TRUE(says(*mapped, "no seed: Veo takes none, so seed 7 is not sent"));
  EXPECT_FALSE(mapped->vars.contains("audio"));
  EXPECT_FALSE(mapped->vars.contains("seed"));
}

TEST(SettingMapping, WhatTheApiCannotMakeIsUnsupported) {
  auto aspect = track();
  aspect.aspect = "1:1";
  auto refused = map_settings(veo_like(), aspect, kAll, "Veo");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "unsupported");
  EXPECT_EQ(refused.error().message, "aspect ratio 1:1: Veo takes 16:9, 9:16");

  auto resolution = map_settings(veo_like(), track(8, 3840, 2160), kAll, "Veo");
  ASSERT_FALSE(resolution);
  EXPECT_EQ(resolution.error().message, "resolution 4k (3840x2160): Veo takes 1080p, 720p");

  SettingsSpec strict = veo_like();
  strict.duration.round = false;
  EXPECT_FALSE(map_settings(strict, track(5), kAll, "Veo"));
}

TEST(SettingMapping, OnlyTheSettingsTheBodyUsesAreMapped) {
  auto aspect = track();
  aspect.aspect = "1:1";  // not refused: this task's body sends no aspect
  auto mapped = map_settings(veo_like(), aspect, {"duration"}, "Veo");
  ASSERT_TRUE(mapped) << mapped.error().message;
  EXPECT_FALSE(mapped->vars.contains("aspect"));
  EXPECT_FALSE(mapped->vars.contains("resolution"));
}

TEST(SettingMapping, PixelSizesTakeAnAllowedSizeOfTheSameShape) {
  SettingsSpec runway;
  runway.aspect.form = AspectForm::Pixels;
  runway.aspect.values = {"1280:720", "720:1280"};
  auto mapped = map_settings(runway, track(5, 1920, 1080), {"aspect"}, "Runway gen4.5");
  ASSERT_TRUE(mapped) << mapped.error().message;
  EXPECT_EQ(mapped->vars.at("aspect"), "1280:720");
  EXPECT_TRUE(says(*mapped, "size 1920:1080 sent as 1280:720"));
  EXPECT_FALSE(map_settings(runway, track(5, 1080, 1080), {"aspect"}, "Runway gen4.5"));

  SettingsSpec wan;
  wan.aspect.form = AspectForm::Pixels;
  wan.aspect.separator = "*";
  auto star = map_settings(wan, track(5, 832, 480), {"aspect"}, "Wan");
  ASSERT_TRUE(star);
  EXPECT_EQ(star->vars.at("aspect"), "832*480");
}

TEST(SettingMapping, DurationTypesAndRanges) {
  SettingsSpec kling;
  kling.duration.sent = true;
  kling.duration.type = ValueType::String;
  kling.duration.values = {5, 10};
  auto mapped = map_settings(kling, track(8), {"duration"}, "Kling");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->vars.at("duration"), "10");

  SettingsSpec range;
  range.duration.sent = true;
  range.duration.min = 3;
  range.duration.max = 15;
  auto inside = map_settings(range, track(7), {"duration"}, "X");
  ASSERT_TRUE(inside);
  EXPECT_EQ(inside->vars.at("duration"), 7);
  EXPECT_FALSE(says(*inside, "duration"));
  auto above = map_settings(range, track(20), {"duration"}, "X");
  ASSERT_TRUE(above);
  EXPECT_EQ(above->vars.at("duration"), 15);
  EXPECT_TRUE(says(*above, "duration 20 s sent as 15 s (X takes 3 to 15 s)"));
}

TEST(SettingMapping, SeedsOutsideTheRangeAreFoldedTheSameWayForEveryone) {
  SettingsSpec s;
  s.seed.sent = true;
  s.seed.min = 0;
  s.seed.max = 99;
  auto request = track();
  request.seed = 1234;
  auto mapped = map_settings(s, request, {"seed"}, "X");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->vars.at("seed"), 34);
  EXPECT_TRUE(says(*mapped, "seed 1234 sent as 34 (X takes 0 to 99)"));
  request.seed = -1;
  EXPECT_EQ(map_settings(s, request, {"seed"}, "X")->vars.at("seed"), 99);
  request.seed = std::numeric_limits<std::int64_t>::min();
  const auto folded = map_settings(s, request, {"seed"}, "X")->vars.at("seed").get<std::int64_t>();
  EXPECT_GE(folded, 0);
  EXPECT_LE(folded, 99);
}

TEST(SettingMapping, ResolutionValuesCanDifferFromTheTrackWithANote) {
  SettingsSpec minimax;
  minimax.resolution.sent = true;
  minimax.resolution.values = {{"720p", "768P"}, {"1080p", "1080P"}};
  minimax.resolution.notes = {{"720p", "Hailuo makes 768P, not 720P"}};
  auto mapped = map_settings(minimax, track(), {"resolution"}, "MiniMax");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->vars.at("resolution"), "768P");
  EXPECT_TRUE(says(*mapped, "resolution 720p sent as 768P (Hailuo makes 768P, not 720P)"));
  EXPECT_EQ(resolution_tier(1920, 1080), "1080p");
  EXPECT_EQ(resolution_tier(720, 1280), "720p");
  EXPECT_EQ(resolution_tier(3840, 2160), "4k");
  EXPECT_EQ(resolution_tier(0, 0), "");
}

TEST(SettingMapping, SettingsNotSentAreSaid) {
  SettingsSpec nothing;  // a protocol that maps no setting at all
  auto mapped = map_settings(nothing, track(), kAll, "fal");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(says(*mapped, "duration 5 s not sent: fal takes no duration"));
  EXPECT_TRUE(says(*mapped, "resolution 720p not sent"));
  EXPECT_TRUE(says(*mapped, "aspect ratio 16:9 not sent"));
  EXPECT_TRUE(says(*mapped, "audio off not sent: fal's default applies"));
  EXPECT_TRUE(says(*mapped, "watermark off not sent"));
  EXPECT_TRUE(says(*mapped, "no seed"));
  EXPECT_TRUE(mapped->vars.empty());
}

}  // namespace
}  // namespace paddock::generate
