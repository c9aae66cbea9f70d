#include "rating/bradley_terry.hpp"

#include <cmath>
#include <limits>

#include "rating/comparison_graph.hpp"
#include "rating/scale.hpp"

namespace paddock::rating {

namespace {

// A step may lower the log-likelihood by this relative amount and still count as no worse:
// near the maximum, rounding makes equal values differ in the last digits.
constexpr double kLogLikelihoodSlack = 1e-13;
constexpr double kOvershootSlope = 0.5;

}  // namespace

void BradleyTerrySolver::evaluate(const PairTotals& pairs, bool prior) {
  const auto active = theta_.size();
  gradient_.setZero(static_cast<Eigen::Index>(active));
  information_.setZero(static_cast<Eigen::Index>(active), static_cast<Eigen::Index>(active));
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const double n = pairs.games[p];
    if (!(n > 0)) continue;
    const int i = compact_[pairs.first[p]], j = compact_[pairs.second[p]];
    const double p_ij = sigmoid(theta_[i] - theta_[j]);
    const double g = pairs.credit[p] - n * p_ij;
    gradient_[i] += g;
    gradient_[j] -= g;
    const double w = n * p_ij * (1.0 - p_ij);
    information_(i, i) += w;
    information_(j, j) += w;
    information_(j, i) -= w;  // lower triangle only: i < j
  }
  if (prior) {
    for (Eigen::Index i = 0; i < theta_.size(); ++i) {
      const double p = sigmoid(theta_[i]);
      gradient_[i] += kPriorVirtualGames * (kTieCredit - p);
      information_(i, i) += kPriorVirtualGames * p * (1.0 - p);
    }
  }
}

double BradleyTerrySolver::log_likelihood(const PairTotals& pairs, bool prior) const {
  double sum = 0;
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const double n = pairs.games[p];
    if (!(n > 0)) continue;
    const double d = theta_[compact_[pairs.first[p]]] - theta_[compact_[pairs.second[p]]];
    // log p = log_sigmoid(d); log(1 - p) = log_sigmoid(d) - d
    const double log_p = log_sigmoid(d);
    sum += pairs.credit[p] * log_p + (n - pairs.credit[p]) * (log_p - d);
  }
  if (prior) {
    const double half = kPriorVirtualGames * kTieCredit;
    for (Eigen::Index i = 0; i < theta_.size(); ++i) {
      const double log_p = log_sigmoid(theta_[i]);
      sum += half * log_p + half * (log_p - theta_[i]);
    }
  }
  return sum;
}

BradleyTerryFit BradleyTerrySolver::fit(const PairTotals& pairs, std::span<const double> start,
                                        PriorUse prior_use) {
  BradleyTerryFit result;
  result.theta.assign(pairs.models, std::numeric_limits<double>::quiet_NaN());

  compact_.assign(pairs.models, -1);
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    if (pairs.games[p] > 0) compact_[pairs.first[p]] = compact_[pairs.second[p]] = 0;
  }
  int active = 0;
  for (auto& c : compact_) {
    if (c == 0) c = active++;
  }
  if (active == 0) {
    result.converged = true;
    return result;
  }
  const bool prior = prior_use == PriorUse::Always || !strongly_connected(pairs);
  result.prior_used = prior;

  theta_.resize(active);
  for (std::size_t m = 0; m < pairs.models; ++m) {
    if (compact_[m] < 0) continue;
    const double s = m < start.size() ? start[m] : 0.0;
    theta_[compact_[m]] = std::isfinite(s) ? s : 0.0;
  }
  // active >= 2 here: a pair with games has two models.
  // Without the prior, L only sees differences: hold the first active model fixed and
  // solve for the others (the reduced Laplacian is positive definite on a connected graph).
  const Eigen::Index skip = prior ? 0 : 1;
  const Eigen::Index free = active - skip;
  evaluate(pairs, prior);
  for (int iteration = 0; iteration < kMaxNewtonIterations; ++iteration) {
    result.iterations = iteration + 1;
    llt_.compute(information_.bottomRightCorner(free, free));
    if (llt_.info() != Eigen::Success) break;
    step_.setZero(active);
    step_.tail(free) = llt_.solve(gradient_.tail(free));
    if (step_.cwiseAbs().maxCoeff() < kNewtonStepTolerance) {
      theta_ += step_;  // quadratic convergence: what is left is far below the tolerance
      result.converged = true;
      break;
    }

    // Along the step, L is concave with slope gradient.step > 0 at the start. If the slope
    // at the end is no steeper than -kOvershootSlope times that, the step went at most about
    // 1.5 times past the maximum along the line, so L rose (exactly so where L is
    // quadratic, which is where Newton steps land); otherwise compare L itself and halve
    // the step until it does not drop.
    trial_ = theta_;
    const double slope = gradient_.dot(step_);
    double before = std::numeric_limits<double>::quiet_NaN();
    double scale = 1.0;
    bool accepted = false;
    for (int halving = 0; halving <= kMaxStepHalvings; ++halving) {
      theta_ = trial_ + scale * step_;
      evaluate(pairs, prior);
      if (gradient_.dot(step_) >= -kOvershootSlope * slope || !(slope > 0)) {
        accepted = true;
        break;
      }
      if (std::isnan(before)) {
        std::swap(theta_, trial_);
        before = log_likelihood(pairs, prior);
        std::swap(theta_, trial_);
      }
      const double after = log_likelihood(pairs, prior);
      if (after >= before - kLogLikelihoodSlack * (1.0 + std::abs(before))) {
        accepted = true;
        break;
      }
      scale *= 0.5;
    }
    if (!accepted) {
      theta_ = trial_;
      evaluate(pairs, prior);
      result.converged = true;  // no representable improvement left
      break;
    }
  }

  for (std::size_t m = 0; m < pairs.models; ++m) {
    if (compact_[m] >= 0) result.theta[m] = theta_[compact_[m]];
  }
  return result;
}

}  // namespace paddock::rating
