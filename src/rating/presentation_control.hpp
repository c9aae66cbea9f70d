#pragma once
// Presentation control: Bradley-Terry with covariates (contextual Bradley-Terry), the video
// analogue of LMArena's style control. A vote between clips of models i and j is won by i
// with probability
//     P = sigmoid(theta_i - theta_j + sum over features k of beta_k z_k),
// where z_k is the standardized difference of feature k between the two clips:
//     r_k = (x_k,a - x_k,b) / (x_k,a + x_k,b)     (0 when both are 0)
//     z_k = (r_k - mean r_k) / sd r_k             (mean and population sd over the votes used,
//                                                  in the votes' own a/b orientation)
// as FastChat's style control standardizes its features. theta is then each model's strength
// with the presentation held equal, and beta_k the effect of one standard deviation of
// feature k's difference. Ties count half (the credit y = 1, 1/2, 0); the fit maximizes
//     L(theta, beta) = sum over votes of  y log P + (1 - y) log (1 - P)
// by Newton's method (concave). Unlike FastChat, there is no ridge penalty: the scores are
// the maximum likelihood, as without control, and the same weak prior on theta applies when
// the comparison graph is not strongly connected.
//
// Votes are reduced to rows: distinct (pair, outcome, orientation, feature differences,
// category group, vote weight) with counts, in canonical order, so the result depends only on the
// multiset of votes. The bootstrap draws multinomial counts over the rows.

#include <Eigen/Dense>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "rating/anchor.hpp"
#include "rating/category_weights.hpp"
#include "rating/cells.hpp"
#include "rating/vote_selection.hpp"

namespace paddock::rating {

// The relative difference (a - b) / (a + b) of one feature between two clips, 0 when both
// are 0: what presentation control standardizes.
double relative_difference(double a, double b);

struct CovariateRows {
  std::size_t covariates = 0;
  std::size_t models = 0;               // the cells' models, canonical order
  std::vector<uint32_t> first, second;  // per row, first < second (canonical indices)
  std::vector<double> credit;           // per row, the first model's credit: 1, 1/2 or 0
  std::vector<double> sign;             // per row, +1 when the votes' model_a is the first
  std::vector<double> r;                // rows x covariates, relative differences, first's side
  std::vector<double> z;                // rows x covariates, standardized, first's side
  std::vector<uint32_t> group;          // per row
  std::vector<double> weight;           // per row, the weight of each of its votes
  std::vector<int64_t> count;           // per row, > 0
  std::vector<double> mean, sd;         // per covariate, of r in the votes' orientation, weighted
  int64_t votes = 0;                    // sum of count
  int64_t missing = 0;                  // selected votes left out: a feature was missing
};

// The rows of the selected votes for the features named in `control` (table feature names).
// `group_of_set` as for aggregate_cells. Errors "bad_control": a feature no vote carries, a
// feature that does not vary among the votes used, or no vote carries them all.
Result<CovariateRows> covariate_rows(const VoteTable& votes, const VoteSelection& selection,
                                     const Cells& cells, std::span<const uint32_t> group_of_set,
                                     std::span<const std::string> control);

// Sets mean, sd and z from the votes `counts` (one per row; the rows' own counts, or what is
// left of them). Returns the index of the first feature that does not vary among those votes
// (its z are 0, and so are every feature's), or -1.
int standardize(CovariateRows& rows, std::span<const int64_t> counts);

struct ControlledFit {
  std::vector<double> theta;  // per model (canonical), natural units; NaN without games
  std::vector<double> beta;   // per covariate, natural units per standard deviation
  bool prior_used = false;
  bool converged = false;
  int iterations = 0;
};

// Fits theta and beta with rows weighted by `row_games` (count times category weight times
// vote weight).
// `start` warm-starts it (theta then beta; empty: zeros).
ControlledFit fit_controlled(const CovariateRows& rows, std::span<const double> row_games,
                             std::span<const double> start = {});

// Minus the Hessian of L (with the prior's virtual games when the fit used them) at `fit`,
// over the models with games in `row_games` (index order) and then beta: what the influence
// of a vote needs (robustness.hpp).
Eigen::MatrixXd controlled_information(const CovariateRows& rows, std::span<const double> row_games,
                                       const ControlledFit& fit);

struct ControlledBootstrap {
  std::vector<double> ratings;  // rounds x models, points (anchored)
  std::vector<double> effects;  // rounds x covariates, points per standard deviation
  int prior_rounds = 0;
};

// Rows drawn Multinomial(N, c_r / N) per round from Xoshiro256::for_stream(seed, r), with
// the category weights recomputed per round as in run_bootstrap.
ControlledBootstrap bootstrap_controlled(const CovariateRows& rows,
                                         const CategoryWeighting* weighting,
                                         const ControlledFit& start, const Anchor& anchor,
                                         int rounds, uint64_t seed, int threads);

// Row weights (count times the group's weight times the vote weight) for the full log.
std::vector<double> row_games(const CovariateRows& rows, std::span<const double> group_weight);

}  // namespace paddock::rating
