#pragma once
// How many votes hold an order in place: for two models i above j, the smallest number of
// votes whose removal would put j above i (Broderick, Giordano, Meager 2020, "An automatic
// finite-sample robustness metric"; applied to arena boards by Huang, Shen, Wei, Broderick
// 2025). Found in two steps (docs/rating-method.md, "Robustness"):
//
// 1. Influence. Removing one vote v moves the maximum, to first order, by
//        delta theta = -H^-1 g_v,   g_v = w_v (y_v - p_ab) (e_a - e_b)
//    (H the information matrix at the fit, y_v the vote's credit for its first model a,
//    p_ab = sigmoid(theta_a - theta_b)), so d = theta_i - theta_j moves by
//        delta_v = -(y_v - p_ab) (u_a - u_b),   u = H^-1 (e_i - e_j).
//    Votes of one cell share delta_v: one solve per pair, then one pass over the cells.
//    Removing votes in order of their delta, most negative first, the approximation
//    flips the order after k_approx votes.
// 2. Refits. The removal order is kept; the smallest prefix that really flips the order is
//    found by refitting without it, starting at k_approx and stepping down or up by
//    doubling steps, then bisecting (at most kMaxRobustnessRefits refits); without a k_approx
//    it starts from one vote.
//
// The result is an upper bound on the true minimum (another set of votes could flip it
// with fewer), and exact where the influence order is the best order (two models; and in
// the tests, every small log checked against all subsets).

#include <cstdint>
#include <span>
#include <vector>

#include "rating/cells.hpp"
#include "rating/pair_totals.hpp"

namespace paddock::rating {

inline constexpr int kMaxRobustnessRefits = 64;
// j passes i when theta_j - theta_i exceeds this (natural units): a level score is no flip.
inline constexpr double kFlipMargin = 1e-9;

struct OrderRobustness {
  int64_t approximate = -1;  // k_approx; -1 when removing every helpful vote does not flip
                             // the order in the approximation
  int64_t votes = -1;        // smallest prefix that flips it on refitting; -1: none found
  bool confirmed = false;    // votes >= 0
  int refits = 0;
};

// The robustness of "upper above lower" (canonical model indices of `cells`) on the plain
// Bradley-Terry fit `theta` of `totals` (one piece, ties as half wins, every vote weight 1;
// `prior` when the fit used the weak prior). REQUIRES: theta[upper] >= theta[lower].
OrderRobustness order_robustness(const Cells& cells, const PairTotals& totals,
                                 std::span<const double> theta, bool prior, uint32_t upper,
                                 uint32_t lower);

}  // namespace paddock::rating
