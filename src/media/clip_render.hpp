#pragma once
// Placeholder clips and images rendered in-process from lavfi filter graphs (test sources, text,
// motion, tones) and encoded with libavcodec — no ffmpeg process per clip, so a few hundred clips
// take seconds. Output is deterministic: the same recipe always gives the same bytes (one encoder
// thread, fixed settings).

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace paddock::media {

struct ClipRecipe {
  // A filter graph description with sources only and exactly one unconnected output, the
  // picture (it should end in format=yuv420p). Runs until `seconds` of frames are taken.
  std::string video;
  // Likewise for sound (ending in aformat=sample_fmts=fltp:...), or
  // empty for a silent clip.
  std::string audio;
  double seconds = 3;
};

// Writes an H.264 (+ AAC) MP4 to `out`. Errors: "render_failed" naming the file and what
// FFmpeg said.
Status render_clip(const ClipRecipe& recipe, const std::filesystem::path& out);

// Writes the first frame of `video` (a graph as above, ending in format=rgb24) as a PNG.
Status render_image(const std::string& video, const std::filesystem::path& out);

// The font captions are drawn with: DejaVu Sans (Debian's fonts-dejavu-core).
// Errors: "missing_font" saying which package to install.
Result<std::filesystem::path> find_caption_font();

// `text` escaped to be one option value of one filter in a filter graph description (two
// levels of FFmpeg escaping: the option parser's and the graph parser's).
std::string filter_value(std::string_view text);

}  // namespace paddock::media
