#pragma once
// The rules a catalog entry must follow, whoever writes it (paddock import, paddock admin,
// the admin HTTP endpoints): what an id looks like, what a track and a model need.

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

// Returns success, or Error "invalid" naming the problem: a bad id, an empty name, a
// non-positive duration or size, or an aspect that is not "W:H" or does not match the size
// within 1%.
Status validate_track(const store::Track&);

// Returns success, or Error "invalid" naming the problem: a bad id, an empty display name,
// an anonymous model without a codename, or a `generation` that is not empty and breaks
// the rules of validate_generation.
Status validate_model(const store::Model&);

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
