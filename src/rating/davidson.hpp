#pragma once
// The Davidson (1970) tie model: a tie is its own outcome instead of half a win.
//
// With pi_i = e^theta_i and nu >= 0 the tie parameter,
//     P(i beats j) = pi_i / D,   P(j beats i) = pi_j / D,   P(tie) = nu sqrt(pi_i pi_j) / D,
//     D = pi_i + pi_j + nu sqrt(pi_i pi_j).
// Given that the vote was not a tie, P(i beats j) = sigmoid(theta_i - theta_j) as in
// Bradley-Terry, so the scores share the 400-point scale. Two equally strong models tie
// with probability nu / (2 + nu). With d = theta_i - theta_j and phi = log nu, a pair with
// w_i, w_j wins and t ties (n = w_i + w_j + t) adds to the log-likelihood
//     (w_i - w_j) d / 2 + t phi - n log(e^(d/2) + e^(-d/2) + e^phi),
// which is concave in (theta, phi) (minus a log-sum-exp of linear functions), so Newton's
// method finds the maximum. Ties and both-bad both count as ties. When the comparison graph
// is not strongly connected, the same weak prior as Bradley-Terry's keeps theta finite
// (one virtual half-win game per model against theta = 0; it does not involve nu).

#include <Eigen/Dense>
#include <limits>
#include <span>
#include <vector>

#include "rating/pair_totals.hpp"

namespace paddock::rating {

// Davidson's three outcome probabilities for d = theta_i - theta_j and phi = log nu, and
// log D (computed without overflow), for the fit and for simulated votes.
struct DavidsonProbabilities {
  double win, loss, tie, log_d;
};
DavidsonProbabilities davidson_probabilities(double d, double phi);

struct DavidsonFit {
  std::vector<double> theta;  // per model, natural units; NaN for a model without games
  double nu = 0;              // tie parameter; 0 when there are no ties
  bool prior_used = false;
  bool converged = false;
  int iterations = 0;
};

// Fits theta and nu. REQUIRES: pairs.ties filled. `start` (one theta per model, NaN
// allowed, or empty) and `start_nu` (> 0, or NaN: a start from the tie rate) warm-start it.
// Without ties the fit is plain Bradley-Terry and nu = 0; with nothing but ties, nu is
// infinite and all scores are equal.
DavidsonFit fit_davidson(const PairTotals& pairs, std::span<const double> start = {},
                         double start_nu = std::numeric_limits<double>::quiet_NaN());

// Minus the Hessian of the log-likelihood (with the prior's virtual games when `prior`) at
// `theta` and `nu`, over the models with games in index order and then phi = log nu: what
// the influence of a vote needs (robustness.hpp). REQUIRES: pairs.ties filled, 0 < nu < inf.
Eigen::MatrixXd davidson_information(const PairTotals& pairs, std::span<const double> theta,
                                     double nu, bool prior);

}  // namespace paddock::rating
