#include "arena/watch_weighting.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/text.hpp"
#include "fmt/core.h"
#include "rating/rating.hpp"

namespace paddock::arena {
namespace {

constexpr double kMsPerSecond = 1000;

}  // namespace

Result<std::optional<WatchWeighting>> parse_watch_weighting(std::string_view weight,
                                                            double min_share) {
  weight = trim(weight);
  if (weight.empty() || weight == "off") return std::optional<WatchWeighting>();
  WatchWeighting rule;
  const auto [end, ec] = std::from_chars(weight.data(), weight.data() + weight.size(), rule.weight);
  if (ec != std::errc() || end != weight.data() + weight.size() ||
      !rating::is_vote_weight(rule.weight)) {
    return fail(
        "bad_option",
        fmt::format("watch weighting must be \"off\" or a weight in (0, 1], not \"{}\"", weight));
  }
  if (!(min_share >= 0 && min_share <= 1)) {
    return fail("bad_option",
                fmt::format("the watched share must be a number from 0 to 1, not {}", min_share));
  }
  rule.min_share = min_share;
  return std::optional<WatchWeighting>(rule);
}

double watch_weight(const store::Vote& vote, std::optional<double> left_seconds,
                    std::optional<double> right_seconds, const WatchWeighting& rule) {
  if (!left_seconds && !right_seconds) return 1;
  const double shorter =
      std::min(left_seconds.value_or(*right_seconds), right_seconds.value_or(*left_seconds));
  bool unwatched = static_cast<double>(vote.decision_ms) < kMsPerSecond * shorter;
  if (left_seconds) {
    unwatched = unwatched || static_cast<double>(vote.left_watch_ms) <
                                 rule.min_share * kMsPerSecond * *left_seconds;
  }
  if (right_seconds) {
    unwatched = unwatched || static_cast<double>(vote.right_watch_ms) <
                                 rule.min_share * kMsPerSecond * *right_seconds;
  }
  return unwatched ? rule.weight : 1.0;
}

std::optional<double> clip_seconds(const ClipFeatureIndex& clips, const std::string& track_id,
                                   const std::string& prompt_id, const std::string& model_id) {
  const ClipFeatures* f = clips.find(track_id, prompt_id, model_id);
  if (!f) return std::nullopt;
  const double seconds = (*f)[kDurationFeature];
  if (!(std::isfinite(seconds) && seconds > 0)) return std::nullopt;
  return seconds;
}

double watch_weight(const store::Vote& vote, const ClipFeatureIndex& clips,
                    const WatchWeighting& rule) {
  return watch_weight(vote, clip_seconds(clips, vote.track_id, vote.prompt_id, vote.left_model),
                      clip_seconds(clips, vote.track_id, vote.prompt_id, vote.right_model), rule);
}

}  // namespace paddock::arena
