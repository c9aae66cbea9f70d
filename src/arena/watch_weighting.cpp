#include "arena/watch_weighting.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/text.hpp"
#include "fmt/core.h"
#include "rating/rating.hpp"

namespace paddock::arena {
namespace {

std::string clip_key(std::string_view track, std::string_view prompt, std::string_view model) {
  std::string key;
  key.reserve(track.size() + prompt.size() + model.size() + 2);
  key.append(track).push_back('\n');
  key.append(prompt).push_back('\n');
  key.append(model);
  return key;
}

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

Result<ClipDurations> ClipDurations::load(store::Store& store) {
  auto clips = store.list_clips("");
  if (!clips) return std::unexpected(clips.error());
  ClipDurations d;
  for (const auto& c : *clips) {
    if (std::isfinite(c.duration_s) && c.duration_s > 0) {
      d.seconds_[clip_key(c.track_id, c.prompt_id, c.model_id)] = c.duration_s;
    }
  }
  return d;
}

std::optional<double> ClipDurations::find(std::string_view track_id, std::string_view prompt_id,
                                          std::string_view model_id) const {
  auto it = seconds_.find(clip_key(track_id, prompt_id, model_id));
  if (it == seconds_.end()) return std::nullopt;
  return it->second;
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

double watch_weight(const store::Vote& vote, const ClipDurations& durations,
                    const WatchWeighting& rule) {
  return watch_weight(vote, durations.find(vote.track_id, vote.prompt_id, vote.left_model),
                      durations.find(vote.track_id, vote.prompt_id, vote.right_model), rule);
}

}  // namespace paddock::arena
