#include "demo/render_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "arena/catalog_import.hpp"
#include "demo/demo_content.hpp"
#include "media/clip_render.hpp"
#include "media/media.hpp"
#include "support/media_files.hpp"
#include "support/temp_dir.hpp"

namespace paddock::demo {
namespace {

namespace fs = std::filesystem;
using media::find_caption_font;
using media::render_clip;
using media::render_image;
using testing::TempDir;

TEST(RenderPlan, HasASourcePerImagePromptAndARecipePerTrackPromptAndEntrant) {
  RenderPlan plan = plan_render("/render", "/font.ttf");
  size_t expected_images = 0;
  std::set<std::string> recipes;
  for (const auto& t : demo_tracks()) {
    if (t.task == "image-to-video") expected_images += t.prompts.size();
    for (const auto& p : t.prompts) {
      for (const auto& e : t.entries) {
        auto recipe = clip_recipe(t.id, p.id, e.model, "/font.ttf");
        ASSERT_TRUE(recipe) << recipe.error().message;
        EXPECT_NE(recipe->video.find("DEMO "), std::string::npos);
        EXPECT_EQ(recipe->audio.empty(), !t.audio);
        // every clip of a prompt has its own picture
        EXPECT_TRUE(recipes.insert(recipe->video + recipe->audio).second)
            << t.id << "/" << p.id << "/" << e.model;
      }
    }
  }
  std::set<fs::path> outs;
  for (const auto& job : plan.jobs) {
    EXPECT_TRUE(job.image) << job.label;
    EXPECT_TRUE(outs.insert(job.out).second) << job.out;
    EXPECT_TRUE(job.out.string().starts_with("/render/")) << job.out;
    EXPECT_NE(job.recipe.video.find("DEMO "), std::string::npos) << job.label;
  }
  EXPECT_EQ(plan.jobs.size(), expected_images);
  EXPECT_FALSE(clip_recipe("nope", "p01", "x", "/font.ttf"));
}

TEST(RenderPlan, ManifestIsReadByTheImportParserWithoutProblems) {
  TempDir dir;
  RenderPlan plan = plan_render(dir.path(), "/font.ttf");
  testing::write_file(dir / "catalog.jsonl", plan.manifest);
  arena::ParsedManifest parsed = arena::parse_manifest(dir / "catalog.jsonl");
  for (const auto& p : parsed.problems) ADD_FAILURE() << p;
  EXPECT_EQ(parsed.manifest.tracks.size(), demo_tracks().size());
  EXPECT_EQ(parsed.manifest.models.size(), demo_models().size());
  EXPECT_TRUE(parsed.manifest.clips.empty()) << "clips are made by paddock generate";
  for (const auto& m : parsed.manifest.models) {
    EXPECT_NE(m.model.generation.find(R"("provider":"placeholder")"), std::string::npos)
        << m.model.generation;
  }
}

TEST(CaptionFont, IsFoundOnThisMachine) {
  auto font = find_caption_font();
  ASSERT_TRUE(font) << font.error().message;
  EXPECT_TRUE(fs::is_regular_file(*font));
}

// Renders a source image and two clips for real and checks them with the media layer's probe.
TEST(RenderPlan, RecipesRenderToClipsThatFitTheirTracks) {
  auto font = find_caption_font();
  ASSERT_TRUE(font) << font.error().message;
  TempDir dir;
  RenderPlan plan = plan_render(dir.path(), *font);
  ASSERT_FALSE(plan.jobs.empty());
  const RenderJob& image = plan.jobs.front();
  fs::create_directories(image.out.parent_path());
  Status rendered = render_image(image.recipe.video, image.out);
  ASSERT_TRUE(rendered) << rendered.error().message;
  auto facts = media::probe(image.out);
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_TRUE(facts->is_image);
  EXPECT_EQ(facts->container, "png");
  EXPECT_EQ(facts->width, kClipWidth);
  // A silent clip and a clip with sound.
  std::vector<std::pair<std::string, media::ClipRecipe>> clips;
  for (const auto& t : demo_tracks()) {
    auto recipe = clip_recipe(t.id, t.prompts.front().id, t.entries.front().model, *font);
    ASSERT_TRUE(recipe);
    if (std::none_of(clips.begin(), clips.end(), [&](const auto& c) {
          return c.second.audio.empty() == recipe->audio.empty();
        })) {
      clips.emplace_back(t.id, *recipe);
    }
  }
  ASSERT_EQ(clips.size(), 2u);
  for (const auto& [label, recipe] : clips) {
    const fs::path out = dir / (label + ".mp4");
    Status s = render_clip(recipe, out);
    ASSERT_TRUE(s) << s.error().message;
    auto f = media::probe(out);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->width, kClipWidth);
    EXPECT_EQ(f->height, kClipHeight);
    EXPECT_EQ(f->video_codec, "h264");
    EXPECT_NEAR(f->duration_s, kClipSeconds, 0.25) << label;
    EXPECT_NEAR(f->fps, kClipFps, 0.01);
    EXPECT_EQ(f->has_audio, !recipe.audio.empty()) << label;
  }
}

}  // namespace
}  // namespace paddock::demo
