#pragma once
// Watch weighting: an operator option that lets votes cast without watching count less on the
// boards (docs/voter-scoring.md, "Down-weighting votes cast without watching").
//
// A vote is "unwatched" when the page reports that it was decided sooner than the shorter
// clip lasts (decision_ms < 1000 * min(duration_left, duration_right)), or that either clip
// played less than `min_share` of its duration (watch_ms < min_share * 1000 * duration). An
// unwatched vote gets weight `weight`, every other vote 1. The watch times come from the
// page, so a script sets them as it likes: this catches careless voters, not attackers.
//
// The leaderboard cache weights the votes it rates by this rule, and the public export
// writes each vote's weight, so `paddock export | paddock rate` reproduces the board.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "arena/clip_presentation.hpp"
#include "base/result.hpp"
#include "store/store.hpp"

namespace paddock::arena {

struct WatchWeighting {
  double weight = 0.25;    // of an unwatched vote, in (0, 1]
  double min_share = 0.5;  // of each clip's duration that must have played, in [0, 1]
};

// "off" (or empty): none; else a weight in (0, 1] for unwatched votes, with `min_share`
// (checked: a number from 0 to 1). Errors: "bad_option".
Result<std::optional<WatchWeighting>> parse_watch_weighting(std::string_view weight,
                                                            double min_share);

// The weight of a vote under `rule`. Clip durations not known (nullopt) leave their part of
// the rule out; with neither known the vote weighs 1.
double watch_weight(const store::Vote& vote, std::optional<double> left_seconds,
                    std::optional<double> right_seconds, const WatchWeighting& rule);
// The duration of a clip by (track, prompt, model), or nothing if the store had no such clip
// (or no duration).
std::optional<double> clip_seconds(const ClipFeatureIndex& clips, const std::string& track_id,
                                   const std::string& prompt_id, const std::string& model_id);
// The same, with the durations looked up.
double watch_weight(const store::Vote& vote, const ClipFeatureIndex& clips,
                    const WatchWeighting& rule);

}  // namespace paddock::arena
