#include "rating/sandwich.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <limits>

#include "rating/bradley_terry.hpp"
#include "rating/scale.hpp"

namespace paddock::rating {

namespace {

// Bisection on the normal CDF: far from the tails of any interval level one would ask for,
// and exact to the last bit after this many halvings of [-kQuantileBound, kQuantileBound].
constexpr double kQuantileBound = 40;
constexpr int kQuantileHalvings = 200;

double cell_credit(uint8_t outcome) {
  if (outcome == kFirstWins) return kWinCredit;
  if (outcome == kSecondWins) return 0.0;
  return kTieCredit;
}

}  // namespace

double normal_quantile(double p) {
  double low = -kQuantileBound, high = kQuantileBound;
  for (int k = 0; k < kQuantileHalvings && high - low > 0; ++k) {
    const double mid = 0.5 * (low + high);
    const double cdf = 0.5 * std::erfc(-mid / std::sqrt(2.0));
    (cdf < p ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

std::vector<Interval> sandwich_intervals(const Cells& cells, std::span<const double> group_weight,
                                         const PairTotals& totals, std::span<const double> theta,
                                         bool prior, const Anchor& anchor, double ci_level) {
  const std::size_t m = totals.models;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<Interval> out(m, Interval{nan, nan});
  std::vector<int> compact(m, -1);
  int active = 0;
  for (std::size_t i = 0; i < m; ++i) {
    if (std::isfinite(theta[i])) compact[i] = active++;
  }
  if (active < 2) return out;

  BradleyTerrySolver solver;
  const Eigen::MatrixXd h = solver.information(totals, theta, prior);
  Eigen::MatrixXd j = Eigen::MatrixXd::Zero(active, active);
  for (std::size_t k = 0; k < cells.count.size(); ++k) {
    const uint32_t p = cells.pair[k];
    const int a = compact[cells.first[p]], b = compact[cells.second[p]];
    if (a < 0 || b < 0) continue;
    const double w = group_weight[cells.group[k]] * cells.weight[k];
    const double residual =
        cell_credit(cells.outcome[k]) - sigmoid(theta[cells.first[p]] - theta[cells.second[p]]);
    const double s = static_cast<double>(cells.count[k]) * w * w * residual * residual;
    j(a, a) += s;
    j(b, b) += s;
    j(a, b) -= s;
    j(b, a) -= s;
  }

  // Without the prior, hold the first model fixed (its row and column of Cov stay 0).
  const Eigen::Index skip = prior ? 0 : 1, free = active - skip;
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(active, active);
  const Eigen::LLT<Eigen::MatrixXd> llt(h.bottomRightCorner(free, free));
  if (llt.info() != Eigen::Success) return out;
  const Eigen::MatrixXd half = llt.solve(j.bottomRightCorner(free, free));  // H^-1 J
  cov.bottomRightCorner(free, free) = llt.solve(half.transpose());          // (H^-1 J H^-1)^T
  cov = 0.5 * (cov + cov.transpose()).eval();

  const double z = normal_quantile(0.5 * (1.0 + ci_level));
  std::vector<double> centre(m);
  anchor_scores(theta, anchor, centre);
  Eigen::VectorXd a(active);
  for (std::size_t i = 0; i < m; ++i) {
    if (compact[i] < 0) continue;
    if (anchor.model) {
      a.setZero();
      a[compact[i]] += 1;
      a[compact[*anchor.model]] -= 1;
    } else {
      a.setConstant(-1.0 / active);
      a[compact[i]] += 1;
    }
    const double variance = a.dot(cov * a);
    const double sd = kPointsPerNatural * std::sqrt(std::max(0.0, variance));
    out[i] = Interval{centre[i] - z * sd, centre[i] + z * sd};
  }
  return out;
}

}  // namespace paddock::rating
