#include "rating/robustness.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>

#include "rating/bradley_terry.hpp"
#include "rating/davidson.hpp"
#include "rating/scale.hpp"

namespace paddock::rating {

namespace {

// ---- the removal of votes: games per unit, influence, the search -------------------

// Refits with the votes left (per unit) weighing `unit_games`; says whether the order flipped.
using RobustnessRefit =
    std::function<bool(std::span<const int64_t> left, std::span<const double> unit_games)>;

struct RobustnessRemoval {
  std::size_t unit;
  double delta;  // first-order change of theta_upper - theta_lower per vote removed
};

class VoteRemoval {
 public:
  explicit VoteRemoval(const RemovableVotes& votes) : votes_(votes) {
    groups_ = std::max<std::size_t>(1, votes.group_counts.size());
    group_weight_.assign(groups_, 1.0);
    if (votes.weighting == nullptr) return;
    votes.weighting->weights(votes.group_counts, group_weight_);
    // How each group's weight changes when group g loses one vote (row g).
    reweight_.assign(groups_ * groups_, 0.0);
    std::vector<int64_t> counts(votes.group_counts);
    std::vector<double> after(groups_);
    for (std::size_t g = 0; g < groups_; ++g) {
      if (counts[g] <= 0) continue;
      --counts[g];
      votes.weighting->weights(counts, after);
      ++counts[g];
      for (std::size_t h = 0; h < groups_; ++h) {
        reweight_[g * groups_ + h] = after[h] - group_weight_[h];
      }
    }
  }

  // The weighted games of each unit with `removed` of its votes taken out (none if empty);
  // the category weights are recomputed from the votes left.
  std::vector<double> games(std::span<const int64_t> removed) const {
    std::vector<double> weight = group_weight_;
    if (votes_.weighting != nullptr && !removed.empty()) {
      std::vector<int64_t> counts(votes_.group_counts);
      for (std::size_t u = 0; u < removed.size(); ++u) counts[votes_.group[u]] -= removed[u];
      votes_.weighting->weights(counts, weight);
    }
    std::vector<double> out(votes_.count.size());
    for (std::size_t u = 0; u < out.size(); ++u) {
      const int64_t left = votes_.count[u] - (removed.empty() ? 0 : removed[u]);
      out[u] = weight[votes_.group[u]] * (votes_.weight[u] * static_cast<double>(left));
    }
    return out;
  }

  std::span<const int64_t> left() const { return votes_.count; }

  // delta per unit for the projected gradients psi (see robustness.hpp).
  std::vector<double> influence(std::span<const double> psi) const {
    std::vector<double> shift(groups_, 0.0);
    if (!reweight_.empty()) {
      std::vector<double> q(groups_, 0.0);
      for (std::size_t u = 0; u < psi.size(); ++u) {
        q[votes_.group[u]] += votes_.weight[u] * static_cast<double>(votes_.count[u]) * psi[u];
      }
      for (std::size_t g = 0; g < groups_; ++g) {
        for (std::size_t h = 0; h < groups_; ++h) shift[g] += reweight_[g * groups_ + h] * q[h];
      }
    }
    std::vector<double> delta(psi.size());
    for (std::size_t u = 0; u < psi.size(); ++u) {
      const uint32_t g = votes_.group[u];
      delta[u] = -group_weight_[g] * votes_.weight[u] * psi[u] + shift[g];
    }
    return delta;
  }

  // The removable units whose votes hold the order up, most helpful first; `helpful` their
  // votes.
  std::vector<RobustnessRemoval> order(std::span<const double> psi, int64_t& helpful) const;
  // The first k at which the linear figure crosses zero along `order`; -1 if none.
  int64_t approximate(std::span<const RobustnessRemoval> order, double difference) const;
  // Votes taken from each unit by removing the first k of `order`.
  std::vector<int64_t> prefix(std::span<const RobustnessRemoval> order, int64_t k) const;
  bool flips_without(std::span<const int64_t> taken, const RobustnessRefit& refit) const;

  // The influence order at this fit, searched by refits (steps 1 and 2).
  OrderRobustness search(std::span<const double> psi, double difference,
                         const RobustnessRefit& refit) const;

 private:
  bool removable(std::size_t u) const {
    return votes_.count[u] > 0 && (votes_.removable.empty() || votes_.removable[u] != 0);
  }

  const RemovableVotes& votes_;
  std::size_t groups_ = 1;
  std::vector<double> group_weight_;
  std::vector<double> reweight_;  // groups x groups; empty without category weights
};

std::vector<RobustnessRemoval> VoteRemoval::order(std::span<const double> psi,
                                                  int64_t& helpful) const {
  const std::vector<double> delta = influence(psi);
  // The units whose votes hold the order up (removing one lowers the difference), most
  // helpful first; equal influences keep unit order, so the result is deterministic.
  std::vector<RobustnessRemoval> order;
  helpful = 0;
  for (std::size_t u = 0; u < delta.size(); ++u) {
    if (removable(u) && delta[u] < 0) {
      order.push_back({u, delta[u]});
      helpful += votes_.count[u];
    }
  }
  std::stable_sort(
      order.begin(), order.end(),
      [](const RobustnessRemoval& x, const RobustnessRemoval& y) { return x.delta < y.delta; });
  return order;
}

int64_t VoteRemoval::approximate(std::span<const RobustnessRemoval> order,
                                 double difference) const {
  int64_t removed = 0;
  for (const RobustnessRemoval& r : order) {
    const int64_t count = votes_.count[r.unit];
    const double needed = (difference + kFlipMargin) / -r.delta;  // votes of this unit to flip
    if (needed < static_cast<double>(count)) {
      return removed + static_cast<int64_t>(std::floor(needed)) + 1;
    }
    difference += r.delta * static_cast<double>(count);
    removed += count;
  }
  return -1;
}

std::vector<int64_t> VoteRemoval::prefix(std::span<const RobustnessRemoval> order,
                                         int64_t k) const {
  std::vector<int64_t> taken(votes_.count.size(), 0);
  for (const RobustnessRemoval& r : order) {
    if (k <= 0) break;
    taken[r.unit] = std::min<int64_t>(k, votes_.count[r.unit]);
    k -= taken[r.unit];
  }
  return taken;
}

bool VoteRemoval::flips_without(std::span<const int64_t> taken,
                                const RobustnessRefit& refit) const {
  std::vector<int64_t> left(votes_.count.size());
  for (std::size_t u = 0; u < left.size(); ++u) left[u] = votes_.count[u] - taken[u];
  return refit(left, games(taken));
}

OrderRobustness VoteRemoval::search(std::span<const double> psi, double difference,
                                    const RobustnessRefit& refit) const {
  OrderRobustness out;
  int64_t helpful = 0;
  const std::vector<RobustnessRemoval> order = this->order(psi, helpful);
  if (helpful == 0) return out;

  // Step 1: the approximation's k.
  out.approximate = approximate(order, difference);

  // Step 2: refits from k_approx, by doubling steps, then bisection between the largest
  // prefix known not to flip (lo) and the smallest known to flip (hi).
  // Without an approximate k (the linear figure never crosses zero: the prior, or a model
  // losing all its games, bends the fit far from it), the search starts from one vote.
  auto flips = [&](int64_t k) {
    ++out.refits;
    return flips_without(prefix(order, k), refit);
  };
  int64_t lo = 0, hi = -1;
  const int64_t start = out.approximate > 0 ? out.approximate : 1;
  if (flips(start)) {
    hi = start;
    for (int64_t step = 1; out.refits < kMaxRobustnessRefits; step *= 2) {
      const int64_t k = hi - step;
      if (k <= lo) break;
      if (flips(k)) {
        hi = k;
      } else {
        lo = k;
        break;
      }
    }
  } else {
    lo = start;
    for (int64_t step = 1; lo < helpful && out.refits < kMaxRobustnessRefits; step *= 2) {
      const int64_t k = std::min(lo + step, helpful);
      if (flips(k)) {
        hi = k;
        break;
      }
      lo = k;
    }
  }
  while (hi >= 0 && hi - lo > 1 && out.refits < kMaxRobustnessRefits) {
    const int64_t mid = lo + (hi - lo) / 2;
    (flips(mid) ? hi : lo) = mid;
  }
  out.votes = hi;
  out.confirmed = hi >= 0;
  return out;
}

// ---- the influence direction r = H^-1 (e_upper - e_lower) --------------------------

// Parameters: the scores of the models with games (in index order), then the fit's others
// (phi, beta). Without the prior, L only sees differences of the scores: the first is held
// at 0, which leaves r^T x unchanged for every x whose score entries sum to zero (every
// vote's gradient is such an x).
class InfluenceDirection {
 public:
  InfluenceDirection(const Eigen::MatrixXd& information, std::vector<int> compact, bool prior)
      : compact_(std::move(compact)), skip_(prior ? 0 : 1) {
    const Eigen::Index free = information.rows() - skip_;
    if (free < 1) return;
    llt_.compute(information.bottomRightCorner(free, free));
    usable_ = llt_.info() == Eigen::Success;
  }

  bool usable() const { return usable_; }
  int index(uint32_t model) const { return compact_[model]; }

  // r, or empty when either model has no games.
  Eigen::VectorXd solve(uint32_t upper, uint32_t lower) const {
    if (!usable_ || compact_[upper] < 0 || compact_[lower] < 0) return {};
    const Eigen::Index n = llt_.rows() + skip_, free = n - skip_;
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(n);
    rhs[compact_[upper]] += 1;
    rhs[compact_[lower]] -= 1;
    Eigen::VectorXd r = Eigen::VectorXd::Zero(n);
    r.tail(free) = llt_.solve(rhs.tail(free));
    return r;
  }

  // r's entry for a model's score (0 for a model without games).
  static double of(const Eigen::VectorXd& r, int index) { return index >= 0 ? r[index] : 0.0; }

 private:
  std::vector<int> compact_;
  Eigen::Index skip_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  bool usable_ = false;
};

// Models with games get consecutive indices in index order, as the fits number them.
std::vector<int> robustness_compact(std::size_t models, std::span<const uint32_t> first,
                                    std::span<const uint32_t> second,
                                    std::span<const double> games) {
  std::vector<int> compact(models, -1);
  for (std::size_t p = 0; p < games.size(); ++p) {
    if (games[p] > 0) compact[first[p]] = compact[second[p]] = 0;
  }
  int active = 0;
  for (auto& c : compact) {
    if (c == 0) c = active++;
  }
  return compact;
}

// ---- Bradley-Terry and Davidson on cells ---------------------------------------------

class CellsInfluence {
 public:
  CellsInfluence(const Cells& cells, TieModel ties, std::span<const double> games,
                 std::span<const double> start)
      : cells_(cells) {
    const PairTotals totals = pair_totals_of(cells, games);
    std::vector<int> compact =
        robustness_compact(totals.models, totals.first, totals.second, totals.games);
    Eigen::MatrixXd information;
    bool prior = false;
    if (ties == TieModel::Davidson) {
      const DavidsonFit fit = fit_davidson(totals, start);
      theta_ = fit.theta;
      prior = fit.prior_used;
      // Without ties Davidson is Bradley-Terry (and removing votes adds none); with nothing
      // but ties every score is level and no order can be flipped.
      if (std::isinf(fit.nu)) return;
      if (fit.nu > 0) {
        davidson_ = true;
        phi_ = std::log(fit.nu);
        information = davidson_information(totals, theta_, fit.nu, prior);
      }
    }
    if (!davidson_) {
      const BradleyTerryFit fit = solver_.fit(totals, start);
      theta_ = fit.theta;
      prior = fit.prior_used;
      information = solver_.information(totals, theta_, prior);
    }
    direction_.emplace(information, std::move(compact), prior);
  }

  bool usable() const { return direction_ && direction_->usable(); }
  const std::vector<double>& theta() const { return theta_; }

  // psi per cell: r^T g for one vote of the cell (weight 1).
  std::vector<double> projected(uint32_t upper, uint32_t lower) const {
    std::vector<double> psi(cells_.count.size(), 0.0);
    const Eigen::VectorXd r = direction_->solve(upper, lower);
    if (r.size() == 0) return psi;
    const double r_phi = davidson_ ? r[r.size() - 1] : 0.0;
    for (std::size_t c = 0; c < psi.size(); ++c) {
      const uint32_t p = cells_.pair[c];
      const uint32_t a = cells_.first[p], b = cells_.second[p];
      const double along = InfluenceDirection::of(r, direction_->index(a)) -
                           InfluenceDirection::of(r, direction_->index(b));
      const double d = theta_[a] - theta_[b];
      if ((along == 0 && r_phi == 0) || !std::isfinite(d)) continue;  // e.g. another piece
      if (!davidson_) {
        psi[c] = (first_model_credit(cells_.outcome[c]) - sigmoid(d)) * along;
        continue;
      }
      // Davidson: d log P / d d = s/2 - (P(win) - P(loss))/2 (s = +1, -1, 0 for a win, a
      // loss, a tie of the first model), d log P / d phi = [tie] - P(tie).
      const DavidsonProbabilities q = davidson_probabilities(d, phi_);
      const uint8_t o = cells_.outcome[c];
      const double s = o == kFirstWins ? 1.0 : o == kSecondWins ? -1.0 : 0.0;
      const double g_d = 0.5 * s - 0.5 * (q.win - q.loss);
      const double g_phi = (o >= kTie ? 1.0 : 0.0) - q.tie;
      psi[c] = g_d * along + g_phi * r_phi;
    }
    return psi;
  }

  // theta_lower - theta_upper refitted on `games` (NaN when either has no games left).
  double passing(std::span<const int64_t> /*left*/, std::span<const double> games, uint32_t upper,
                 uint32_t lower) {
    const PairTotals reduced = pair_totals_of(cells_, games);
    std::vector<double> theta;
    if (davidson_) {
      theta = fit_davidson(reduced, theta_, std::exp(phi_)).theta;
    } else {
      theta = solver_.fit(reduced, theta_).theta;
    }
    return theta[lower] - theta[upper];
  }

 private:
  const Cells& cells_;
  BradleyTerrySolver solver_;
  std::vector<double> theta_;
  bool davidson_ = false;
  double phi_ = 0;
  std::optional<InfluenceDirection> direction_;
};

// ---- presentation control on its rows ------------------------------------------------

class ControlledInfluence {
 public:
  // The fit of the votes `left` (per row) weighing `games`, the features standardized on
  // those votes as the board would.
  ControlledInfluence(const CovariateRows& rows, std::span<const int64_t> left,
                      std::span<const double> games, const ControlledFit& start)
      : rows_(rows), left_rows_(rows) {
    if (standardize(rows_, left) >= 0) return;  // a feature no longer varies: no fit
    warm_ = start.theta;
    warm_.insert(warm_.end(), start.beta.begin(), start.beta.end());
    fit_ = fit_controlled(rows_, games, warm_);
    warm_ = fit_.theta;
    warm_.insert(warm_.end(), fit_.beta.begin(), fit_.beta.end());
    direction_.emplace(controlled_information(rows_, games, fit_),
                       robustness_compact(rows_.models, rows_.first, rows_.second, games),
                       fit_.prior_used);
  }

  bool usable() const { return direction_ && direction_->usable(); }
  const std::vector<double>& theta() const { return fit_.theta; }

  // psi per row: (y - P) (r_a - r_b + r_beta . z).
  std::vector<double> projected(uint32_t upper, uint32_t lower) const {
    std::vector<double> psi(rows_.count.size(), 0.0);
    const Eigen::VectorXd r = direction_->solve(upper, lower);
    if (r.size() == 0) return psi;
    const std::size_t k_count = rows_.covariates;
    const Eigen::Index beta_at = r.size() - static_cast<Eigen::Index>(k_count);
    for (std::size_t row = 0; row < psi.size(); ++row) {
      const uint32_t a = rows_.first[row], b = rows_.second[row];
      const double* z = rows_.z.data() + row * k_count;
      double along = InfluenceDirection::of(r, direction_->index(a)) -
                     InfluenceDirection::of(r, direction_->index(b));
      double eta = fit_.theta[a] - fit_.theta[b];
      for (std::size_t k = 0; k < k_count; ++k) {
        along += r[beta_at + static_cast<Eigen::Index>(k)] * z[k];
        eta += fit_.beta[k] * z[k];
      }
      if (!std::isfinite(eta)) continue;  // a row outside the fit (a model without games)
      psi[row] = (rows_.credit[row] - sigmoid(eta)) * along;
    }
    return psi;
  }

  // theta_lower - theta_upper refitted on `games`: the board without those votes
  // standardizes the features on the votes left. NaN when a feature no longer varies (no
  // board) or either model has no games left.
  double passing(std::span<const int64_t> left, std::span<const double> games, uint32_t upper,
                 uint32_t lower) {
    if (standardize(left_rows_, left) >= 0) return std::nan("");
    const ControlledFit fit = fit_controlled(left_rows_, games, warm_);
    return fit.theta[lower] - fit.theta[upper];
  }

 private:
  CovariateRows rows_;       // standardized on the votes of this fit
  CovariateRows left_rows_;  // the rows restandardized for a refit
  ControlledFit fit_;
  std::vector<double> warm_;
  std::optional<InfluenceDirection> direction_;
};

// Step 3 (see robustness.hpp): when step 2 found no flip or a small one, removes votes one
// at a time: of the kGreedyCandidates units the influence re-linearized at the fit without
// the votes before ranks first, the one whose vote, refitted without, brings the lower model
// nearest to passing, until it passes. Keeps the smaller of its figure and `best`'s; both
// are real flips.
template <typename Make>
void relinearized_search(const RemovableVotes& votes, const Make& make_influence, uint32_t upper,
                         uint32_t lower, OrderRobustness& best) {
  if (best.votes == 1 || best.votes > kRelinearizeUpTo) return;
  RemovableVotes now = votes;
  int64_t total = 0;
  int refits = 0;
  while (refits < kMaxRobustnessRefits && (best.votes < 0 || total + 1 < best.votes)) {
    const VoteRemoval removal(now);
    auto influence = make_influence(removal);
    ++refits;
    if (!influence.usable()) break;
    const double difference = influence.theta()[upper] - influence.theta()[lower];
    if (!std::isfinite(difference)) break;
    int64_t helpful = 0;
    const std::vector<RobustnessRemoval> order =
        removal.order(influence.projected(upper, lower), helpful);
    if (helpful == 0) break;
    std::size_t chosen = order.size();
    double nearest = -std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < std::min<std::size_t>(order.size(), kGreedyCandidates); ++c) {
      std::vector<int64_t> taken(now.count.size(), 0), left(now.count);
      taken[order[c].unit] = 1;
      --left[order[c].unit];
      ++refits;
      const double passing = influence.passing(left, removal.games(taken), upper, lower);
      if (std::isfinite(passing) && passing > nearest) {
        nearest = passing;
        chosen = order[c].unit;
      }
    }
    if (chosen == order.size()) break;
    --now.count[chosen];
    if (!now.group_counts.empty()) --now.group_counts[now.group[chosen]];
    ++total;
    if (nearest > kFlipMargin) {
      best.votes = total;
      best.confirmed = true;
      break;
    }
  }
  best.refits += refits;
}

template <typename Influence, typename Make>
std::vector<OrderRobustness> each_order(const RemovableVotes& votes, const Make& make_influence,
                                        std::span<const RobustnessOrder> orders) {
  std::vector<OrderRobustness> out(orders.size());
  const VoteRemoval removal(votes);
  Influence influence = make_influence(removal);
  if (!influence.usable()) return out;
  for (std::size_t k = 0; k < orders.size(); ++k) {
    const auto [upper, lower] = orders[k];
    const double difference = influence.theta()[upper] - influence.theta()[lower];
    if (!std::isfinite(difference)) continue;
    out[k] = removal.search(influence.projected(upper, lower), difference,
                            [&](std::span<const int64_t> left, std::span<const double> games) {
                              return influence.passing(left, games, upper, lower) > kFlipMargin;
                            });
    if (out[k].votes != 1) relinearized_search(votes, make_influence, upper, lower, out[k]);
  }
  return out;
}

}  // namespace

RemovableVotes removable_cells(const Cells& cells) {
  RemovableVotes votes;
  votes.count = cells.count;
  votes.group = cells.group;
  votes.weight = cells.weight;
  return votes;
}

std::vector<OrderRobustness> cells_robustness(const Cells& cells, const RemovableVotes& votes,
                                              TieModel ties, std::span<const double> start,
                                              std::span<const RobustnessOrder> orders) {
  return each_order<CellsInfluence>(
      votes,
      [&](const VoteRemoval& removal) {
        return CellsInfluence(cells, ties, removal.games({}), start);
      },
      orders);
}

std::vector<OrderRobustness> controlled_robustness(const CovariateRows& rows,
                                                   const RemovableVotes& votes,
                                                   const ControlledFit& start,
                                                   std::span<const RobustnessOrder> orders) {
  return each_order<ControlledInfluence>(
      votes,
      [&](const VoteRemoval& removal) {
        return ControlledInfluence(rows, removal.left(), removal.games({}), start);
      },
      orders);
}

}  // namespace paddock::rating
