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

inline constexpr double kMaxTrackFps = 1000;

// Returns success, or Error "invalid" naming the problem: a bad id, an empty name, a
// non-positive duration or size, a frame rate outside 0 to kMaxTrackFps (0: not chosen yet),
// or an aspect that is not "W:H" or does not match the size within 1%.
Status validate_track(const store::Track&);

// Returns success, or Error "invalid" naming the problem: a bad id, an empty display name,
// or an anonymous model without a codename.
Status validate_model(const store::Model&);

}  // namespace paddock::arena
