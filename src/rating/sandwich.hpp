#pragma once
// Closed-form intervals from the robust ("sandwich") covariance of the Bradley-Terry fit,
// the alternative to the bootstrap that the largest public arena moved to in 2025.
//
// With H the information matrix at the fit (minus the Hessian of L: the Laplacian with edge
// weights n_ij p_ij (1 - p_ij), plus the prior's diagonal when the prior was used) and
//     J = sum over votes of  w^2 (y - p_ij)^2 (e_i - e_j)(e_i - e_j)^T
// (y the vote's credit 1, 1/2 or 0 for the first model, w its category weight times its own vote
// weight), the covariance of theta is H^-1 J H^-1. Without the prior, L only sees differences: one
// model is held fixed (the covariance of differences does not depend on which). A score R_i =
// anchor + c (theta_i - theta_ref) has variance c^2 a^T Cov a with a = e_i - e_ref (or
// e_i - the mean over the models), and its interval is R_i -/+ z sd, z the normal quantile
// at (1 + ci) / 2. The "meat" J uses the observed outcomes rather than the model's variance,
// so ties (y = 1/2, less variable than a win or a loss) and a model that fits badly are
// accounted for.

#include <span>
#include <vector>

#include "rating/anchor.hpp"
#include "rating/cells.hpp"
#include "rating/pair_totals.hpp"
#include "rating/ranks.hpp"

namespace paddock::rating {

// The quantile of the standard normal distribution at p in (0, 1).
double normal_quantile(double p);

// Intervals of each model's score (NaN for models without games). `totals` and `theta`
// are the full fit's; `group_weight` the weight per category group of the cells.
std::vector<Interval> sandwich_intervals(const Cells& cells, std::span<const double> group_weight,
                                         const PairTotals& totals, std::span<const double> theta,
                                         bool prior, const Anchor& anchor, double ci_level);

}  // namespace paddock::rating
