#include "arena/controls.hpp"

#include <algorithm>

#include "arena/catalog_import.hpp"
#include "arena/catalog_rules.hpp"
#include "base/clock.hpp"
#include "base/escaping.hpp"

namespace paddock::arena {

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
  auto stored = store_clip_media(**track, r.broken, media_dir);
  if (!stored) return std::unexpected(stored.error());
  if (stored->hash == intact->hash) {
    return fail("invalid", "the broken clip " + quoted_excerpt(r.broken.string()) +
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
