#include "demo/render_plan.hpp"

#include <gtest/gtest.h>

#include <set>

#include "arena/catalog_import.hpp"
#include "demo/demo_content.hpp"
#include "media/media.hpp"
#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

namespace paddock::demo {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST(FilterValue, EscapesForTheOptionParserAndThenForTheGraphParser) {
  EXPECT_EQ(filter_value("plain text"), "plain text");
  EXPECT_EQ(filter_value("a:b"), "a\\\\:b");  // \: for the option, its \ escaped for the graph
  EXPECT_EQ(filter_value("it's"), "it\\\\\\'s");
  EXPECT_EQ(filter_value("min(a,b)"), "min(a\\,b)");
  EXPECT_EQ(filter_value("[x];y"), "\\[x\\]\\;y");
  EXPECT_EQ(filter_value("back\\slash"), "back\\\\\\\\slash");
}

TEST(RenderPlan, HasOneClipPerTrackPromptAndEntrantAndASourcePerImagePrompt) {
  RenderPlan plan = plan_render("/render", "/font.ttf");
  size_t clips = 0, images = 0, expected_clips = 0, expected_images = 0;
  for (const auto& t : demo_tracks()) {
    expected_clips += t.prompts.size() * t.entries.size();
    if (t.task == "image-to-video") expected_images += t.prompts.size();
  }
  std::set<fs::path> outs;
  for (const auto& job : plan.jobs) {
    (job.image ? images : clips) += 1;
    EXPECT_TRUE(outs.insert(job.out).second) << job.out;
    EXPECT_TRUE(job.out.string().starts_with("/render/")) << job.out;
    EXPECT_NE(job.recipe.video.find("DEMO "), std::string::npos) << job.label;
  }
  EXPECT_EQ(clips, expected_clips);
  EXPECT_EQ(images, expected_images);
}

TEST(RenderPlan, EveryClipOfAPromptHasItsOwnPicture) {
  RenderPlan plan = plan_render("/render", "/font.ttf");
  std::set<std::string> recipes;
  for (const auto& job : plan.jobs) {
    EXPECT_TRUE(recipes.insert(job.recipe.video + job.recipe.audio).second) << job.label;
  }
}

TEST(RenderPlan, ManifestIsReadByTheImportParserWithoutProblems) {
  TempDir dir;
  RenderPlan plan = plan_render(dir.path(), "/font.ttf");
  testing::write_file(dir / "catalog.jsonl", plan.manifest);
  arena::ParsedManifest parsed = arena::parse_manifest(dir / "catalog.jsonl");
  for (const auto& p : parsed.problems) ADD_FAILURE() << p;
  EXPECT_EQ(parsed.manifest.tracks.size(), demo_tracks().size());
  EXPECT_EQ(parsed.manifest.models.size(), demo_models().size());
  size_t jobs_clips = 0;
  for (const auto& job : plan.jobs) jobs_clips += !job.image;
  EXPECT_EQ(parsed.manifest.clips.size(), jobs_clips);
  for (const auto& c : parsed.manifest.clips) {
    EXPECT_TRUE(c.file.is_absolute() && c.file.string().starts_with(dir.path().string())) << c.file;
  }
}

TEST(CaptionFont, IsFoundOnThisMachine) {
  auto font = find_caption_font();
  ASSERT_TRUE(font) << font.error().message;
  EXPECT_TRUE(fs::is_regular_file(*font));
}

// Renders the plan's first few jobs for real and checks them with the media layer's probe.
TEST(RenderPlan, RecipesRenderToClipsThatFitTheirTracks) {
  auto font = find_caption_font();
  ASSERT_TRUE(font) << font.error().message;
  TempDir dir;
  RenderPlan plan = plan_render(dir.path(), *font);
  // A source image, a silent clip and a clip with sound.
  const RenderJob* image = nullptr;
  const RenderJob* silent = nullptr;
  const RenderJob* sound = nullptr;
  for (const auto& job : plan.jobs) {
    if (job.image && !image) image = &job;
    if (!job.image && job.recipe.audio.empty() && !silent) silent = &job;
    if (!job.recipe.audio.empty() && !sound) sound = &job;
  }
  ASSERT_TRUE(image && silent && sound);
  for (const RenderJob* job : {image, silent, sound}) {
    fs::create_directories(job->out.parent_path());
    Status s =
        job->image ? render_image(job->recipe.video, job->out) : render_clip(job->recipe, job->out);
    ASSERT_TRUE(s) << s.error().message;
    auto facts = media::probe(job->out);
    ASSERT_TRUE(facts) << facts.error().message;
    EXPECT_EQ(facts->width, kClipWidth);
    EXPECT_EQ(facts->height, kClipHeight);
    if (job->image) {
      EXPECT_TRUE(facts->is_image);
      EXPECT_EQ(facts->container, "png");
      continue;
    }
    EXPECT_EQ(facts->video_codec, "h264");
    EXPECT_NEAR(facts->duration_s, kClipSeconds, 0.25) << job->label;
    EXPECT_NEAR(facts->fps, kClipFps, 0.01);
    EXPECT_EQ(facts->has_audio, !job->recipe.audio.empty()) << job->label;
    if (facts->has_audio) {
      EXPECT_EQ(facts->audio_codec, "aac");
    }
  }
}

}  // namespace
}  // namespace paddock::demo
