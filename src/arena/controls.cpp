#include "arena/controls.hpp"

#include <algorithm>

#include "arena/catalog_import.hpp"
#include "arena/catalog_rules.hpp"
#include "base/clock.hpp"
#include "base/escaping.hpp"
#include "media/clip_render.hpp"
#include "media/media.hpp"

namespace paddock::arena {

Status break_clip(const std::filesystem::path& intact, const store::Track& track,
                  const std::filesystem::path& out) {
  const int w = std::max(2, track.width), h = std::max(2, track.height);
  const int small_w = std::max(2, (w / 16) & ~1), small_h = std::max(2, (h / 16) & ~1);
  const std::string source = media::filter_value(intact.string());
  media::ClipRecipe recipe;
  recipe.seconds = track.duration_s > 0 ? track.duration_s : 5;
  recipe.video = "movie=filename=" + source + ",scale=" + std::to_string(small_w) + ":" +
                 std::to_string(small_h) + ",scale=" + std::to_string(w) + ":" + std::to_string(h) +
                 ":flags=neighbor,noise=alls=60:allf=t,format=yuv420p";
  if (track.audio) {
    recipe.audio = "amovie=filename=" + source +
                   ",aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo";
  }
  return media::render_clip(recipe, out);
}

Result<AddedControl> add_control(store::Store& store, const ControlRequest& r,
                                 const std::filesystem::path& media_dir) {
  if (!is_valid_id(r.id)) {
    return fail("invalid", "control id " + quoted_excerpt(r.id) +
                               " is not a valid id (letters, digits, '-', '_', '.'; at most 64)");
  }
  auto track = store.find_track(r.track);
  if (!track) return std::unexpected(track.error());
  if (!*track) return fail("invalid", "no track " + quoted_excerpt(r.track));
  auto clips = store.list_clips(r.track);
  if (!clips) return std::unexpected(clips.error());
  auto intact = std::find_if(clips->begin(), clips->end(), [&](const store::Clip& c) {
    return c.prompt_id == r.prompt && c.model_id == r.intact_model;
  });
  if (intact == clips->end()) {
    return fail("invalid", "model " + quoted_excerpt(r.intact_model) + " has no clip of prompt " +
                               quoted_excerpt(r.prompt) + " in track " + quoted_excerpt(r.track) +
                               ": the intact side must be one of its clips");
  }
  std::filesystem::path broken = r.broken;
  if (broken.empty()) {
    // Made from the intact clip as stored (the house encoding of the track).
    auto intact_file = media::stored_path(media_dir, intact->hash);
    if (!intact_file) {
      return fail("invalid", "the intact clip " + intact->hash + " is not in the media folder " +
                                 quoted_excerpt(media_dir.string()));
    }
    broken = std::filesystem::temp_directory_path() /
             ("paddock-broken-" + r.track + "-" + r.id + "-" + std::to_string(unix_ms()) + ".mp4");
    if (auto made = break_clip(*intact_file, **track, broken); !made) {
      std::error_code ignored;
      std::filesystem::remove(broken, ignored);
      return std::unexpected(made.error());
    }
  }
  auto stored = store_clip_media(**track, broken, media_dir);
  if (broken != r.broken) {
    std::error_code ignored;
    std::filesystem::remove(broken, ignored);
  }
  if (!stored) return std::unexpected(stored.error());
  if (stored->hash == intact->hash) {
    return fail("invalid", "the broken clip " + quoted_excerpt(broken.string()) +
                               " is the intact clip itself once encoded: break it visibly");
  }
  store::Control k{.track_id = r.track,
                   .id = r.id,
                   .prompt_id = r.prompt,
                   .intact_model = r.intact_model,
                   .broken_hash = stored->hash,
                   .broken_mime = stored->facts.mime,
                   .broken_bytes = stored->facts.bytes,
                   .note = r.note,
                   .created_at_ms = unix_ms()};
  // Re-adding the same control keeps its first time, so it reads as unchanged.
  auto existing = store.list_controls(r.track);
  if (!existing) return std::unexpected(existing.error());
  for (const auto& e : *existing) {
    if (e.id == r.id) k.created_at_ms = e.created_at_ms;
  }
  auto upsert = store.upsert_control(k);
  if (!upsert) return std::unexpected(upsert.error());
  return AddedControl{std::move(k), *upsert};
}

}  // namespace paddock::arena
