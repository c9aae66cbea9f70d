#pragma once
// Putting fitted scores on the point scale. The likelihood only sees differences, so the
// level is a choice: by default the mean of the scores is kDefaultAnchorValue; or one named
// model is pinned to a value.
//     R_i = anchor_value + kPointsPerNatural * (theta_i - theta_ref),
// theta_ref = mean of theta over the models with a score, or theta of the anchor model.

#include <cstdint>
#include <optional>
#include <span>

namespace paddock::rating {

struct Anchor {
  std::optional<uint32_t> model;  // index among the fitted models; none: the mean
  double value = 1000;
};

// Writes the points of each model; NaN stays NaN. If the anchor model's theta is NaN, every
// output is NaN (that bootstrap round cannot be placed on the scale).
void anchor_scores(std::span<const double> theta, const Anchor& anchor, std::span<double> out);

}  // namespace paddock::rating
