#pragma once
// Adding attention checks (store::Control): an operator names a prompt, the model whose clip
// of it is the intact side, and a deliberately broken copy of that clip (frozen, blocky,
// noisy: plainly broken to anyone who watches). The broken file enters the media folder
// through the import's path (store_clip_media: checked against the track, house encoding,
// named by content hash), so in a battle nothing but its picture tells it apart.

#include <cstdint>
#include <filesystem>
#include <string>

#include "base/result.hpp"
#include "store/store.hpp"

namespace paddock::arena {

struct ControlRequest {
  std::string track{};
  std::string id{};  // catalog id rules (catalog_rules.hpp)
  std::string prompt{};
  std::string intact_model{};
  // The broken copy; empty: made from the intact clip by break_clip (below).
  std::filesystem::path broken{};
  std::string note{};  // how it was broken
};

struct AddedControl {
  store::Control control;
  store::Upsert upsert = store::Upsert::Unchanged;
};

// A plainly broken copy of `intact` for `track`, written to `out` (an MP4): the picture
// pixelated to a sixteenth of its size and covered in moving noise, the sound (on audio
// tracks) kept. Made in-process with libavfilter (media::render_clip). Errors:
// "render_failed" naming the file.
Status break_clip(const std::filesystem::path& intact, const store::Track& track,
                  const std::filesystem::path& out);

// Stores the broken clip (made by break_clip when request.broken is empty) and upserts the
// control. Errors: "invalid" (a bad id; no such
// track or prompt; the model has no clip of the prompt; the broken clip's content is the
// intact clip's own), a clip refusal (is_clip_refusal), "io_error", or the store's.
Result<AddedControl> add_control(store::Store& store, const ControlRequest& request,
                                 const std::filesystem::path& media_dir);

}  // namespace paddock::arena
