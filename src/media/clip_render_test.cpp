#include "media/clip_render.hpp"

#include <gtest/gtest.h>

#include "media/media.hpp"
#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

namespace paddock::media {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string captioned(const fs::path& font, std::string_view text) {
  return "testsrc2=s=160x90:r=10,drawtext=fontfile=" + filter_value(font.string()) +
         ":text=" + filter_value(text) + ":expansion=none:fontsize=10:x=2:y=2,format=yuv420p";
}

TEST(FilterValue, EscapesForTheOptionParserAndThenForTheGraphParser) {
  EXPECT_EQ(filter_value("plain text"), "plain text");
  EXPECT_EQ(filter_value("a:b"), "a\\\\:b");  // \: for the option, its \ escaped for the graph
  EXPECT_EQ(filter_value("it's"), "it\\\\\\'s");
  EXPECT_EQ(filter_value("min(a,b)"), "min(a\\,b)");
  EXPECT_EQ(filter_value("[x];y"), "\\[x\\]\\;y");
  EXPECT_EQ(filter_value("back\\slash"), "back\\\\\\\\slash");
}

TEST(RenderClip, DrawsTextWithEveryCharacterTheGraphSyntaxTreatsSpecially) {
  auto font = find_caption_font();
  ASSERT_TRUE(font) << font.error().message;
  TempDir dir;
  ClipRecipe r{.video = captioned(*font, "it's 100% [a,b]; c:d \\ e"), .audio = "", .seconds = 1};
  Status s = render_clip(r, dir / "a.mp4");
  ASSERT_TRUE(s) << s.error().message;
  auto facts = probe(dir / "a.mp4");
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->width, 160);
  EXPECT_NEAR(facts->duration_s, 1, 0.15);
  EXPECT_FALSE(facts->has_audio);
}

TEST(RenderClip, SameRecipeGivesTheSameBytes) {
  auto font = find_caption_font();
  ASSERT_TRUE(font) << font.error().message;
  TempDir dir;
  ClipRecipe r{.video = captioned(*font, "same"),
               .audio =
                   "sine=f=330:sample_rate=22050,aformat=sample_fmts=fltp:"
                   "channel_layouts=mono",
               .seconds = 1};
  ASSERT_TRUE(render_clip(r, dir / "a.mp4"));
  ASSERT_TRUE(render_clip(r, dir / "b.mp4"));
  EXPECT_EQ(testing::read_file(dir / "a.mp4"), testing::read_file(dir / "b.mp4"));
  auto facts = probe(dir / "a.mp4");
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_TRUE(facts->has_audio);
  EXPECT_EQ(facts->audio_codec, "aac");
}

TEST(RenderClip, BadGraphFailsNamingTheFileAndLeavesNothingBehind) {
  TempDir dir;
  ClipRecipe r{.video = "nosuchsource=s=10x10", .audio = "", .seconds = 1};
  Status s = render_clip(r, dir / "bad.mp4");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "render_failed");
  EXPECT_NE(s.error().message.find("bad.mp4"), std::string::npos) << s.error().message;
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(RenderClip, GraphWithTwoOutputsIsRefused) {
  TempDir dir;
  ClipRecipe r{.video = "testsrc2=s=32x32,split[a][b]", .audio = "", .seconds = 1};
  Status s = render_clip(r, dir / "two.mp4");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("one open output"), std::string::npos) << s.error().message;
}

TEST(RenderImage, WritesAPng) {
  TempDir dir;
  Status s = render_image("testsrc2=s=64x36,format=rgb24", dir / "a.png");
  ASSERT_TRUE(s) << s.error().message;
  auto facts = probe(dir / "a.png");
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_TRUE(facts->is_image);
  EXPECT_EQ(facts->width, 64);
}

}  // namespace
}  // namespace paddock::media
