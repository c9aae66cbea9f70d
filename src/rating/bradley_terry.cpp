#include "rating/bradley_terry.hpp"

#include <algorithm>
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
constexpr int kMaxLevelIterations = 100;
constexpr double kLevelTolerance = 1e-12;  // natural units

// The shift c of a piece's scores that maximizes its virtual games against the reference:
// sum of 1/2 log sigmoid(t_i + c) + 1/2 log sigmoid(-t_i - c), concave in c; its derivative
// is sum (1/2 - sigmoid(t_i + c)). Newton from c = -mean(t).
double prior_level(const std::vector<double>& theta) {
  double c = 0;
  for (double t : theta) c -= t;
  c /= static_cast<double>(theta.size());
  for (int k = 0; k < kMaxLevelIterations; ++k) {
    double slope = 0, curvature = 0;
    for (double t : theta) {
      const double p = sigmoid(t + c);
      slope += kPriorVirtualGames * (kTieCredit - p);
      curvature += kPriorVirtualGames * p * (1.0 - p);
    }
    const double step = slope / curvature;
    c += step;
    if (std::abs(step) < kLevelTolerance) break;
  }
  return c;
}

}  // namespace

void BradleyTerrySolver::evaluate(const PairTotals& pairs, bool prior, bool with_information) {
  const auto active = theta_.size();
  gradient_.setZero(static_cast<Eigen::Index>(active));
  if (with_information) {
    information_.setZero(static_cast<Eigen::Index>(active), static_cast<Eigen::Index>(active));
  }
  // sigmoid(theta_i - theta_j) = pi_i / (pi_i + pi_j) with pi = e^(theta - max theta): one
  // exp per model instead of one per pair (the pairs are up to m^2/2). Where both pi
  // underflow, the sigmoid itself.
  const double top = theta_.maxCoeff();
  strength_ = (theta_.array() - top).exp();
  // Raw pointers, and the first model's sums in registers while the pairs keep the same
  // first model (they come sorted): summing in memory made each pair wait for the last one's
  // store to the same entry.
  const double* games = pairs.games.data();
  const double* credit = pairs.credit.data();
  const uint32_t* first = pairs.first.data();
  const uint32_t* second = pairs.second.data();
  const int* compact = compact_.data();
  const double* strength = strength_.data();
  double* gradient = gradient_.data();
  double* information = information_.data();
  const auto stride = static_cast<std::size_t>(information_.outerStride());
  int current = -1;
  double gradient_i = 0, information_ii = 0;
  const auto flush = [&] {
    if (current < 0) return;
    gradient[current] += gradient_i;
    if (with_information)
      information[static_cast<std::size_t>(current) * (stride + 1)] += information_ii;
  };
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const double n = games[p];
    if (!(n > 0)) continue;
    const int i = compact[first[p]], j = compact[second[p]];
    if (i != current) {
      flush();
      current = i;
      gradient_i = information_ii = 0;
    }
    const double both = strength[i] + strength[j];
    const double p_ij = both > 0 ? strength[i] / both : sigmoid(theta_[i] - theta_[j]);
    const double g = credit[p] - n * p_ij;
    gradient_i += g;
    gradient[j] -= g;
    if (!with_information) continue;
    const double w = n * p_ij * (1.0 - p_ij);
    information_ii += w;
    const auto column = static_cast<std::size_t>(i) * stride;  // column-major
    information[static_cast<std::size_t>(j) * (stride + 1)] += w;
    information[column + static_cast<std::size_t>(j)] -= w;  // lower triangle only: i < j
  }
  flush();
  if (prior) {
    for (Eigen::Index i = 0; i < theta_.size(); ++i) {
      const double p = sigmoid(theta_[i]);
      gradient_[i] += kPriorVirtualGames * (kTieCredit - p);
      if (with_information) information_(i, i) += kPriorVirtualGames * p * (1.0 - p);
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

int BradleyTerrySolver::compact(const PairTotals& pairs) {
  compact_.assign(pairs.models, -1);
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    if (pairs.games[p] > 0) compact_[pairs.first[p]] = compact_[pairs.second[p]] = 0;
  }
  int active = 0;
  for (auto& c : compact_) {
    if (c == 0) c = active++;
  }
  return active;
}

BradleyTerryFit BradleyTerrySolver::fit(const PairTotals& pairs, std::span<const double> start,
                                        PriorUse prior_use) {
  BradleyTerryFit result;
  result.theta.assign(pairs.models, std::numeric_limits<double>::quiet_NaN());
  if (prior_use == PriorUse::Always) {
    if (compact(pairs) == 0) {
      result.converged = true;
      return result;
    }
    result.prior_used = true;
    fit_connected(pairs, start, true, result);
    return result;
  }
  const int pieces = graph_.count_pieces(pairs);
  if (pieces == 0) {
    result.converged = true;
    return result;
  }
  if (pieces > 1) {
    fit_pieces(pairs, start, graph_pieces(pairs), result);
    return result;
  }
  compact(pairs);
  // One piece whose every pair went both ways is strongly connected: skip the search.
  result.prior_used = !graph_.two_way() && !graph_.strongly_connected(pairs);
  fit_connected(pairs, start, result.prior_used, result);
  return result;
}

void BradleyTerrySolver::fit_pieces(const PairTotals& pairs, std::span<const double> start,
                                    const std::vector<std::vector<uint32_t>>& pieces,
                                    BradleyTerryFit& result) {
  result.pieces = static_cast<int>(pieces.size());
  result.prior_used = true;  // the pieces' levels
  result.converged = true;
  std::vector<int> piece_of(pairs.models, -1), local(pairs.models, -1);
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    for (std::size_t i = 0; i < pieces[k].size(); ++i) {
      piece_of[pieces[k][i]] = static_cast<int>(k);
      local[pieces[k][i]] = static_cast<int>(i);
    }
  }
  std::vector<PairTotals> parts(pieces.size());
  for (std::size_t k = 0; k < pieces.size(); ++k) parts[k].models = pieces[k].size();
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    if (!(pairs.games[p] > 0)) continue;
    auto& part = parts[static_cast<std::size_t>(piece_of[pairs.first[p]])];
    part.first.push_back(static_cast<uint32_t>(local[pairs.first[p]]));
    part.second.push_back(static_cast<uint32_t>(local[pairs.second[p]]));
    part.games.push_back(pairs.games[p]);
    part.credit.push_back(pairs.credit[p]);
  }
  std::vector<double> part_start;
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    part_start.clear();
    for (uint32_t m : pieces[k]) part_start.push_back(m < start.size() ? start[m] : 0.0);
    BradleyTerryFit part;
    part.theta.assign(pieces[k].size(), 0.0);
    compact(parts[k]);
    fit_connected(parts[k], part_start, !graph_.strongly_connected(parts[k]), part);
    result.converged = result.converged && part.converged;
    result.iterations = std::max(result.iterations, part.iterations);
    const double shift = prior_level(part.theta);
    for (std::size_t i = 0; i < pieces[k].size(); ++i) {
      result.theta[pieces[k][i]] = part.theta[i] + shift;
    }
  }
}

void BradleyTerrySolver::fit_connected(const PairTotals& pairs, std::span<const double> start,
                                       bool prior, BradleyTerryFit& result) {
  const int active = static_cast<int>(
      std::count_if(compact_.begin(), compact_.end(), [](int c) { return c >= 0; }));
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
  evaluate(pairs, prior, true);
  // Factor the information matrix at the next iteration (a Newton step), or reuse the last
  // factorization (a chord step: see set_chord_steps)?
  bool factor = true;
  double step_before = std::numeric_limits<double>::infinity();
  for (int iteration = 0; iteration < kMaxNewtonIterations; ++iteration) {
    result.iterations = iteration + 1;
    const bool newton = factor;
    if (newton) {
      llt_.compute(information_.bottomRightCorner(free, free));
      if (llt_.info() != Eigen::Success) break;
    }
    step_.setZero(active);
    step_.tail(free) = llt_.solve(gradient_.tail(free));
    const double step = step_.cwiseAbs().maxCoeff();
    // A chord step follows a Newton step, and another follows a chord step that shrank at
    // least kChordContraction-fold; otherwise the next step is Newton's.
    const bool contracting = newton || step <= step_before / kChordContraction;
    if (step < kNewtonStepTolerance && contracting) {
      theta_ += step_;  // what is left is far below the tolerance (quadratic or contracting)
      result.converged = true;
      break;
    }
    factor = !chord_steps_ || !contracting;
    step_before = step;

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
      evaluate(pairs, prior, factor);
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
      evaluate(pairs, prior, true);
      result.converged = true;  // no representable improvement left
      break;
    }
    if (scale < 1.0 && !factor) {
      factor = true;  // a shortened step: factor at the point it reached
      evaluate(pairs, prior, true);
    }
  }

  for (std::size_t m = 0; m < pairs.models; ++m) {
    if (compact_[m] >= 0) result.theta[m] = theta_[compact_[m]];
  }
}

Eigen::MatrixXd BradleyTerrySolver::information(const PairTotals& pairs,
                                                std::span<const double> theta, bool prior) {
  const int active = compact(pairs);
  theta_.resize(active);
  for (std::size_t m = 0; m < pairs.models; ++m) {
    if (compact_[m] >= 0) theta_[compact_[m]] = theta[m];
  }
  evaluate(pairs, prior, true);
  Eigen::MatrixXd full = information_.selfadjointView<Eigen::Lower>();
  return full;
}

}  // namespace paddock::rating
