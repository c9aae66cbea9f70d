#pragma once
// How many votes hold an order in place: for two models i above j, the smallest number of
// votes whose removal would put j above i (Broderick, Giordano, Meager 2020, "An automatic
// finite-sample robustness metric"; applied to arena boards by Huang, Shen, Wei, Broderick
// 2025). Found in two steps (docs/rating-method.md, "Robustness"), for every fit a board
// can have: Bradley-Terry (ties as half wins), Davidson (ties their own outcome) and
// presentation control (Bradley-Terry with covariates), with vote and category weights:
//
// 1. Influence. The votes come in units of interchangeable votes (the cells of the fit, or
//    presentation control's rows). With x the fit's parameters (scores, and Davidson's
//    phi = log nu or the covariates' beta), H minus the Hessian of the log-likelihood at the
//    maximum and g_u the gradient of one vote of unit u at weight 1, removing one vote of u
//    moves the maximum, to first order, by H^-1 dS, where dS, the change of the score
//    equations, is -W_u g_u (W_u = the vote's category weight times its own weight), plus,
//    with category weights, what re-weighting the other votes adds:
//        dS = -W_u g_u + sum over groups h of dw_h G_h,   G_h = sum over units of h of
//                                                              w_v n_v g_v,
//    dw_h the change of group h's weight when u's group loses one vote. So
//    d = theta_i - theta_j moves by
//        delta_u = -W_u psi_u + sum_h dw_h q_h,   psi_u = r^T g_u,  q_h = r^T G_h,
//        r = H^-1 (e_i - e_j).
//    One solve per order, then one pass over the units. Removing votes in order of their
//    delta, most negative first, the approximation flips the order after k_approx votes.
// 2. Refits. The removal order is kept; the smallest prefix that really flips the order is
//    found by refitting without it (the category weights recomputed from the votes left, as
//    the bootstrap does), starting at k_approx and stepping down or up by doubling steps,
//    then bisecting (at most kMaxRobustnessRefits refits); without a k_approx it starts
//    from one vote.
// 3. Re-linearizing. When step 2 found no flip or a small one (at most kRelinearizeUpTo
//    votes), votes are removed one at a time instead: of the kGreedyCandidates units the
//    influence at the fit without the votes taken so far ranks first, the one whose vote,
//    refitted without, brings the lower model nearest to passing (at most
//    kMaxRobustnessRefits fits). The smaller figure of steps 2 and 3 is kept.
//
// The result is an upper bound on the true minimum (another set of votes could flip it
// with fewer), and exact where the influence order is the best order (two models; and in
// the tests, every small log checked against all subsets).

#include <cstdint>
#include <span>
#include <vector>

#include "rating/category_weights.hpp"
#include "rating/cells.hpp"
#include "rating/presentation_control.hpp"
#include "rating/rating.hpp"

namespace paddock::rating {

inline constexpr int kMaxRobustnessRefits = 64;  // per pass (steps 2 and 3)
// Step 3 runs when step 2 found no flip or one of at most this many votes.
inline constexpr int64_t kRelinearizeUpTo = 16;
inline constexpr std::size_t kGreedyCandidates = 6;
// j passes i when theta_j - theta_i exceeds this (natural units): a level score is no flip.
inline constexpr double kFlipMargin = 1e-9;

struct OrderRobustness {
  int64_t approximate = -1;  // k_approx; -1 when removing every helpful vote does not flip
                             // the order in the approximation
  int64_t votes = -1;        // smallest prefix that flips it on refitting; -1: none found
  bool confirmed = false;    // votes >= 0
  int refits = 0;
};

// The votes of a fit as the search removes them, per unit (a cell of `Cells`, or a row of
// `CovariateRows`).
struct RemovableVotes {
  std::vector<int64_t> count;   // votes of the unit in the fit (0: the unit is left out of it,
                                // as the other pieces are when one piece is fitted alone)
  std::vector<uint32_t> group;  // its category group
  std::vector<double> weight;   // the weight of each of its votes
  std::vector<char> removable;  // whether its votes may be removed (empty: every unit's may)
  // Category re-weighting (null: every group weighs 1), recomputed from the votes left, and
  // the votes per group of the whole board (what the weighting counts).
  const CategoryWeighting* weighting = nullptr;
  std::vector<int64_t> group_counts;
};

// The units of `cells`: every cell, every vote removable, no category weighting.
RemovableVotes removable_cells(const Cells& cells);

// One order of the board: the canonical indices of the upper and the lower model.
struct RobustnessOrder {
  uint32_t upper, lower;
};

// The robustness of each order on the fit of `cells` (Bradley-Terry with ties as half wins,
// or Davidson) with the votes `votes`, refitted first from `start` (the board's scores,
// natural units; one per model). REQUIRES: each upper's score >= its lower's. An order gets
// no figure (votes -1) when the fit has no influence to follow (nothing but ties under
// Davidson; a fit with pieces under Bradley-Terry: give one piece at a time).
std::vector<OrderRobustness> cells_robustness(const Cells& cells, const RemovableVotes& votes,
                                              TieModel ties, std::span<const double> start,
                                              std::span<const RobustnessOrder> orders);

// The same on presentation control's fit of `rows` (the covariates refitted with the scores);
// `start` is the board's controlled fit. The standardization of the features stays that of
// the board.
std::vector<OrderRobustness> controlled_robustness(const CovariateRows& rows,
                                                   const RemovableVotes& votes,
                                                   const ControlledFit& start,
                                                   std::span<const RobustnessOrder> orders);

}  // namespace paddock::rating
