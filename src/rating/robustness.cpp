#include "rating/robustness.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "rating/bradley_terry.hpp"
#include "rating/scale.hpp"

namespace paddock::rating {

namespace {

// The credit a vote of a cell gives the pair's first model.
double first_model_credit(uint8_t outcome) {
  if (outcome == kFirstWins) return kWinCredit;
  if (outcome == kSecondWins) return 0.0;
  return kTieCredit;
}

// u = H^-1 (e_upper - e_lower) per model (0 for models without games). Without the prior H
// is a Laplacian: the first model with games is held at 0, which leaves u^T x unchanged for
// every x whose entries sum to zero (every vote's gradient is such an x).
std::vector<double> influence_direction(const PairTotals& totals, std::span<const double> theta,
                                        bool prior, uint32_t upper, uint32_t lower) {
  std::vector<int> compact(totals.models, -1);
  int active = 0;
  for (std::size_t m = 0; m < totals.models; ++m) {
    if (std::isfinite(theta[m])) compact[m] = active++;
  }
  std::vector<double> u(totals.models, 0.0);
  if (active < 2 || compact[upper] < 0 || compact[lower] < 0) return u;
  BradleyTerrySolver solver;
  const Eigen::MatrixXd h = solver.information(totals, theta, prior);
  const Eigen::Index skip = prior ? 0 : 1, free = active - skip;
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(active);
  rhs[compact[upper]] += 1;
  rhs[compact[lower]] -= 1;
  const Eigen::LLT<Eigen::MatrixXd> llt(h.bottomRightCorner(free, free));
  if (llt.info() != Eigen::Success) return u;
  Eigen::VectorXd solved = Eigen::VectorXd::Zero(active);
  solved.tail(free) = llt.solve(rhs.tail(free));
  for (std::size_t m = 0; m < totals.models; ++m) {
    if (compact[m] >= 0) u[m] = solved[compact[m]];
  }
  return u;
}

struct Removal {
  std::size_t cell;
  double delta;  // first-order change of theta_upper - theta_lower per vote removed
};

// Refits without the first k votes of `order` and says whether lower then passes upper.
class Refitter {
 public:
  Refitter(const Cells& cells, const PairTotals& totals, std::span<const double> theta,
           const std::vector<Removal>& order, uint32_t upper, uint32_t lower)
      : cells_(cells),
        totals_(totals),
        theta_(theta),
        order_(order),
        upper_(upper),
        lower_(lower) {}

  bool flips(int64_t k) {
    ++refits;
    PairTotals reduced = totals_;
    for (const Removal& r : order_) {
      if (k <= 0) break;
      const int64_t taken = std::min<int64_t>(k, cells_.count[r.cell]);
      k -= taken;
      const uint32_t p = cells_.pair[r.cell];
      const double n = static_cast<double>(taken);
      reduced.games[p] -= n;
      reduced.credit[p] -= n * first_model_credit(cells_.outcome[r.cell]);
      if (!reduced.ties.empty() && cells_.outcome[r.cell] >= kTie) reduced.ties[p] -= n;
    }
    const BradleyTerryFit fit = solver_.fit(reduced, theta_);
    const double up = fit.theta[upper_], low = fit.theta[lower_];
    return std::isfinite(up) && std::isfinite(low) && low - up > kFlipMargin;
  }

  int refits = 0;

 private:
  const Cells& cells_;
  const PairTotals& totals_;
  std::span<const double> theta_;
  const std::vector<Removal>& order_;
  uint32_t upper_, lower_;
  BradleyTerrySolver solver_;
};

}  // namespace

OrderRobustness order_robustness(const Cells& cells, const PairTotals& totals,
                                 std::span<const double> theta, bool prior, uint32_t upper,
                                 uint32_t lower) {
  OrderRobustness out;
  const std::vector<double> u = influence_direction(totals, theta, prior, upper, lower);

  // The cells whose votes hold the order up (removing one lowers the difference), most
  // helpful first; equal influences keep cell order, so the result is deterministic.
  std::vector<Removal> order;
  int64_t helpful = 0;
  for (std::size_t c = 0; c < cells.count.size(); ++c) {
    const uint32_t p = cells.pair[c];
    const uint32_t a = cells.first[p], b = cells.second[p];
    const double residual = first_model_credit(cells.outcome[c]) - sigmoid(theta[a] - theta[b]);
    const double delta = -residual * (u[a] - u[b]);
    if (delta < 0) {
      order.push_back({c, delta});
      helpful += cells.count[c];
    }
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const Removal& x, const Removal& y) { return x.delta < y.delta; });
  if (helpful == 0) return out;

  // Step 1: the approximation's k.
  double difference = theta[upper] - theta[lower];
  int64_t removed = 0;
  for (const Removal& r : order) {
    const int64_t count = cells.count[r.cell];
    const double needed = (difference + kFlipMargin) / -r.delta;  // votes of this cell to flip
    if (needed < static_cast<double>(count)) {
      out.approximate = removed + static_cast<int64_t>(std::floor(needed)) + 1;
      break;
    }
    difference += r.delta * static_cast<double>(count);
    removed += count;
  }

  // Step 2: refits from k_approx, by doubling steps, then bisection between the largest
  // prefix known not to flip (lo) and the smallest known to flip (hi).
  // Without an approximate k (the linear figure never crosses zero: the prior, or a model
  // losing all its games, bends the fit far from it), the search starts from one vote.
  Refitter refit(cells, totals, theta, order, upper, lower);
  int64_t lo = 0, hi = -1;
  const int64_t start = out.approximate > 0 ? out.approximate : 1;
  if (refit.flips(start)) {
    hi = start;
    for (int64_t step = 1; refit.refits < kMaxRobustnessRefits; step *= 2) {
      const int64_t k = hi - step;
      if (k <= lo) break;
      if (refit.flips(k)) {
        hi = k;
      } else {
        lo = k;
        break;
      }
    }
  } else {
    lo = start;
    for (int64_t step = 1; lo < helpful && refit.refits < kMaxRobustnessRefits; step *= 2) {
      const int64_t k = std::min(lo + step, helpful);
      if (refit.flips(k)) {
        hi = k;
        break;
      }
      lo = k;
    }
  }
  while (hi >= 0 && hi - lo > 1 && refit.refits < kMaxRobustnessRefits) {
    const int64_t mid = lo + (hi - lo) / 2;
    (refit.flips(mid) ? hi : lo) = mid;
  }
  out.votes = hi;
  out.confirmed = hi >= 0;
  out.refits = refit.refits;
  return out;
}

}  // namespace paddock::rating
