#include "rating/davidson.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rating/bradley_terry.hpp"
#include "rating/comparison_graph.hpp"
#include "rating/newton.hpp"
#include "rating/scale.hpp"

namespace paddock::rating {

namespace {

// Models with games get consecutive parameter indices in index order; -1 for the others.
std::vector<int> davidson_compact(const PairTotals& pairs, int& active) {
  std::vector<int> compact(pairs.models, -1);
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    if (pairs.games[p] > 0) compact[pairs.first[p]] = compact[pairs.second[p]] = 0;
  }
  active = 0;
  for (auto& c : compact) {
    if (c == 0) c = active++;
  }
  return compact;
}

// The log-likelihood at v = (theta of the models with games, phi), its gradient and its
// Hessian (g and h sized active + 1).
double davidson_evaluate(const PairTotals& pairs, const std::vector<int>& compact, int active,
                         bool prior, const Eigen::VectorXd& v, Eigen::VectorXd& g,
                         Eigen::MatrixXd& h) {
  g.setZero();
  h.setZero();
  const double phi = v[active];
  double f = 0;
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const double n = pairs.games[p];
    if (!(n > 0)) continue;
    const int i = compact[pairs.first[p]], j = compact[pairs.second[p]];
    const double t = pairs.ties[p];
    const double wins_i = pairs.credit[p] - kTieCredit * t;
    const double wins_j = n - pairs.credit[p] - kTieCredit * t;
    const double d = v[i] - v[j];
    const DavidsonProbabilities q = davidson_probabilities(d, phi);
    f += 0.5 * (wins_i - wins_j) * d + t * phi - n * q.log_d;
    const double gd = 0.5 * (wins_i - wins_j) - 0.5 * n * (q.win - q.loss);
    const double gphi = t - n * q.tie;
    const double hdd = -n * 0.25 * ((q.win + q.loss) - (q.win - q.loss) * (q.win - q.loss));
    const double hdphi = 0.5 * n * q.tie * (q.win - q.loss);
    const double hphiphi = -n * q.tie * (1.0 - q.tie);
    g[i] += gd;
    g[j] -= gd;
    g[active] += gphi;
    h(i, i) += hdd;
    h(j, j) += hdd;
    h(i, j) -= hdd;
    h(j, i) -= hdd;
    h(i, active) += hdphi;
    h(active, i) += hdphi;
    h(j, active) -= hdphi;
    h(active, j) -= hdphi;
    h(active, active) += hphiphi;
  }
  if (prior) f += add_prior_games(v, active, g, h);
  return f;
}

}  // namespace

// Everything scaled by e^-max(|d|/2, phi), so nothing overflows.
DavidsonProbabilities davidson_probabilities(double d, double phi) {
  const double h = 0.5 * d;
  const double top = std::max(std::abs(h), phi);
  const double a = std::exp(h - top), b = std::exp(-h - top), c = std::exp(phi - top);
  const double s = a + b + c;
  return {a / s, b / s, c / s, top + std::log(s)};
}

DavidsonFit fit_davidson(const PairTotals& pairs, std::span<const double> start, double start_nu) {
  DavidsonFit result;
  double ties = 0, games = 0;
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    ties += pairs.ties[p];
    games += pairs.games[p];
  }
  if (!(ties > 0) || !(ties < games)) {
    // No ties: Davidson is Bradley-Terry with nu = 0. Only ties: nu is infinite and the
    // ties, as half wins, put every score level, which is also Davidson's answer.
    BradleyTerrySolver solver;
    const BradleyTerryFit fit = solver.fit(pairs, start);
    result.theta = fit.theta;
    result.prior_used = fit.prior_used;
    result.converged = fit.converged;
    result.iterations = fit.iterations;
    result.nu = ties > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    return result;
  }

  result.theta.assign(pairs.models, std::numeric_limits<double>::quiet_NaN());
  int active = 0;
  const std::vector<int> compact = davidson_compact(pairs, active);
  const bool prior = !strongly_connected(pairs);
  result.prior_used = prior;

  Eigen::VectorXd x(active + 1);
  for (std::size_t m = 0; m < pairs.models; ++m) {
    if (compact[m] < 0) continue;
    const double s = m < start.size() ? start[m] : 0.0;
    x[compact[m]] = std::isfinite(s) ? s : 0.0;
  }
  const double rate = ties / games;
  const double nu0 = start_nu > 0 && std::isfinite(start_nu) ? start_nu : 2 * rate / (1 - rate);
  x[active] = std::log(nu0);

  auto evaluate = [&](const Eigen::VectorXd& v, Eigen::VectorXd& g, Eigen::MatrixXd& h) {
    return davidson_evaluate(pairs, compact, active, prior, v, g, h);
  };
  // Without the prior the likelihood sees only differences of theta: hold the first fixed.
  const NewtonOutcome outcome = maximize_concave(x, prior ? 0 : 1, evaluate);
  result.converged = outcome.converged;
  result.iterations = outcome.iterations;
  result.nu = std::exp(x[active]);
  for (std::size_t m = 0; m < pairs.models; ++m) {
    if (compact[m] >= 0) result.theta[m] = x[compact[m]];
  }
  return result;
}

Eigen::MatrixXd davidson_information(const PairTotals& pairs, std::span<const double> theta,
                                     double nu, bool prior) {
  int active = 0;
  const std::vector<int> compact = davidson_compact(pairs, active);
  Eigen::VectorXd v(active + 1), g(active + 1);
  Eigen::MatrixXd h(active + 1, active + 1);
  for (std::size_t m = 0; m < pairs.models; ++m) {
    if (compact[m] >= 0) v[compact[m]] = theta[m];
  }
  v[active] = std::log(nu);
  davidson_evaluate(pairs, compact, active, prior, v, g, h);
  return -h;
}

}  // namespace paddock::rating
