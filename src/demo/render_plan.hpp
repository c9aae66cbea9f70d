#pragma once
// Private to the demo layer: what to render for the demo catalog (one placeholder clip per
// track, prompt and entrant, one source image per image-to-video prompt) and the import
// manifest that names those files.

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "demo/clip_render.hpp"

namespace paddock::demo {

struct RenderJob {
  std::filesystem::path out;  // absolute
  bool image = false;         // a PNG from recipe.video; otherwise a clip
  ClipRecipe recipe;
  std::string label;  // "t2v/p01/veo-3.1" or "i2v/q01 source"
};

struct RenderPlan {
  std::vector<RenderJob> jobs;  // source images first (clips of their prompt follow them)
  std::string manifest;         // JSON Lines, paths relative to the render folder
};

// The font every caption is drawn with: DejaVu Sans (Debian's fonts-dejavu-core).
// Errors: "missing_font" saying which package to install.
Result<std::filesystem::path> find_caption_font();

// Returns the plan for rendering into `render_dir` with captions in `font`.
RenderPlan plan_render(const std::filesystem::path& render_dir, const std::filesystem::path& font);

// `text` escaped to be one option value of one filter in a filter graph description (two
// levels of FFmpeg escaping: the option parser's and the graph parser's).
std::string filter_value(std::string_view text);

}  // namespace paddock::demo
