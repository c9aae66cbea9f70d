#pragma once
// Private to the demo layer: what to render for the demo catalog (one source image per
// image-to-video prompt; the clips are made by paddock generate's placeholder provider
// from clip_recipe()) and the import manifest of tracks, models and prompts.

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "media/clip_render.hpp"

namespace paddock::demo {

// The provider name the demo's models are generated with (protocol "placeholder").
inline constexpr std::string_view kPlaceholderProvider = "placeholder";

struct RenderJob {
  std::filesystem::path out;  // absolute
  bool image = false;         // a PNG from recipe.video; otherwise a clip
  media::ClipRecipe recipe;
  std::string label;  // "t2v/p01/veo-3.1" or "i2v/q01 source"
};

struct RenderPlan {
  std::vector<RenderJob> jobs;  // the source images
  std::string manifest;         // JSON Lines (tracks, models, prompts), paths relative to the
                                // render folder
};

// Returns the plan for rendering into `render_dir` with captions in `font`.
RenderPlan plan_render(const std::filesystem::path& render_dir, const std::filesystem::path& font);

// The clip `model_id` makes for a demo prompt: the entrant's look, the prompt's subject and
// motion, captions. Errors: "unsupported" for a track or prompt the demo does not have.
Result<media::ClipRecipe> clip_recipe(std::string_view track_id, std::string_view prompt_id,
                                      std::string_view model_id, const std::filesystem::path& font);

}  // namespace paddock::demo
