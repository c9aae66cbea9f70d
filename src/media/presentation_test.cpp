#include <gtest/gtest.h>

#include <filesystem>

#include "media/media.hpp"
#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

namespace paddock::media {
namespace {

namespace fs = std::filesystem;
using testing::ClipSpec;

PresentationMeasures measured(const fs::path& p) {
  auto m = measure_presentation(p);
  if (!m) ADD_FAILURE() << p << ": " << m.error().code << ": " << m.error().message;
  return m.value_or(PresentationMeasures{});
}

const fs::path& clip_of(const std::string& picture) {
  return testing::shared_clip(
      {.duration_s = 1, .width = 160, .height = 90, .fps = 24, .picture = picture});
}

TEST(PresentationMeasures, AStillPictureHasNoMotionAndAMovingOneHas) {
  const auto still = measured(clip_of("smptebars"));
  const auto moving = measured(clip_of("testsrc2"));
  EXPECT_EQ(still.frames, 24);
  EXPECT_EQ(moving.frames, 24);
  EXPECT_LT(still.motion, 0.002);
  EXPECT_GT(moving.motion, 0.005);  // testsrc2 moves a small part of its picture: 0.013
  EXPECT_GT(moving.motion, 5 * still.motion);
}

TEST(PresentationMeasures, WhiteIsBrightBlackIsDarkAndGreyIsHalfway) {
  const auto white = measured(clip_of("color=c=white"));
  EXPECT_GT(white.luma, 0.97);
  EXPECT_LE(white.luma, 1.0);  // never a hair above: the store keeps only 0-1
  EXPECT_LT(measured(clip_of("color=c=black")).luma, 0.03);
  EXPECT_NEAR(measured(clip_of("color=c=0x808080")).luma, 0.5, 0.03);
}

TEST(PresentationMeasures, GreyHasNoSaturationAndPureRedIsFullySaturated) {
  const auto grey = measured(clip_of("color=c=0x808080"));
  const auto red = measured(clip_of("color=c=0xff0000"));
  EXPECT_LT(grey.saturation, 0.03);
  EXPECT_GT(red.saturation, 0.9);
  // Rec. 709 luma of pure red.
  EXPECT_NEAR(red.luma, 0.2126, 0.04);
  EXPECT_LT(red.motion, 0.002);
}

TEST(PresentationMeasures, ASingleFrameHasNoMotion) {
  testing::TempDir dir;
  const fs::path one = dir / "one.mp4";
  testing::make_clip(one, {.duration_s = 1.0 / 24, .width = 160, .height = 90, .fps = 24});
  const auto m = measured(one);
  EXPECT_EQ(m.frames, 1);
  EXPECT_EQ(m.motion, 0);
}

TEST(PresentationMeasures, RefusesWhatIsNotAClipByName) {
  testing::TempDir dir;
  const fs::path text = dir / "notes.mp4";
  testing::write_file(text, "not a video at all");
  auto m = measure_presentation(text);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, "not_media");
  EXPECT_NE(m.error().message.find(text.string()), std::string::npos) << m.error().message;

  const fs::path image = dir / "still.png";
  testing::make_image(image, 64, 36);
  m = measure_presentation(image);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, "not_video");

  m = measure_presentation(dir / "missing.mp4");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, "not_found");
}

TEST(PresentationMeasures, ATruncatedClipIsCorrupt) {
  testing::TempDir dir;
  const fs::path cut = dir / "cut.mp4";
  const std::string bytes = testing::read_file(clip_of("testsrc2"));
  testing::write_file(cut, bytes.substr(0, bytes.size() / 2));
  auto m = measure_presentation(cut);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, "corrupt") << m.error().message;
  EXPECT_NE(m.error().message.find(cut.string()), std::string::npos) << m.error().message;
}

}  // namespace
}  // namespace paddock::media
