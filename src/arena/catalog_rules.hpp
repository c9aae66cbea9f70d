#pragma once
// The rules a catalog entry must follow, whoever writes it (paddock import, paddock admin,
// the admin HTTP endpoints): what an id looks like, what a track and a model need.

#include <array>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "store/records.hpp"

namespace paddock::arena {

// Returns true for an id of a track, model or prompt: 1 to 64 characters from
// [A-Za-z0-9._-], starting with a letter or a digit (safe as a folder or file name).
bool is_valid_id(std::string_view id);

// The aspect ratio of a size in lowest terms, e.g. 1280x720 -> "16:9". REQUIRES: w, h > 0.
std::string aspect_of(int width, int height);

// The one id a track may not have: a catalog folder keeps prompt sources in sources/.
inline constexpr std::string_view kReservedTrackId = "sources";

inline constexpr double kMaxTrackFps = 1000;

// Returns success, or Error "invalid" naming the problem: a bad id (or "sources"), an empty
// name, a non-positive duration or size, a frame rate outside 0 to kMaxTrackFps (0: not chosen
// yet), or an aspect that is not "W:H" or does not match the size within 1%.
Status validate_track(const store::Track&);

// Returns success, or Error "invalid" naming the problem: a bad id, an empty display name,
// an anonymous model without a codename, or a `generation` that is not empty and breaks
// the rules of validate_generation.
Status validate_model(const store::Model&);

// The fields of a model wherever one is written: an import record (which adds "kind") and
// the admin API take exactly these names, and refuse any other as a typo.
inline constexpr std::array<std::string_view, 5> kModelFields{"id", "display_name", "organization",
                                                              "status", "codename"};

// A model status by its spelling. Error "invalid": "status \"famous\" is not hidden,
// anonymous, public or retired".
Result<store::ModelStatus> parse_status(std::string_view text);

// A track's seed policy (docs/generate.md): "none", "per-prompt", or "fixed:N" with N a
// whole number from 0 to 2147483647. Error "invalid" naming the problem.
Status validate_seed_policy(std::string_view policy);

// A model's generation config as JSON text (docs/import-format.md, docs/generate.md):
//   {"provider": "<provider name>",
//    "model": {"text-to-video": "<provider model id>", "image-to-video": ..., "video-edit": ...},
//    "parameters": {...fixed parameters...}}
// "provider" is an id (is_valid_id); "model" names at least one task, each with a non-empty
// id; "parameters" is optional and an object; nothing else. Returns the config in its
// canonical spelling (keys sorted, no spaces), so the same config is always stored the
// same way. Error "invalid" naming the problem.
Result<std::string> canonical_generation(std::string_view json_text);

}  // namespace paddock::arena
