#include "rating/presentation_control.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>
#include <tuple>

#include "fmt/core.h"
#include "rating/bradley_terry.hpp"
#include "rating/comparison_graph.hpp"
#include "rating/newton.hpp"
#include "rating/random.hpp"
#include "rating/scale.hpp"

namespace paddock::rating {

namespace {

// A vote before standardizing: its canonical pair, the first model's credit, whether the
// vote's model_a is the pair's first model (+1) or not (-1), and r from the first's side.
struct RawRow {
  uint32_t first, second;
  double credit;
  int sign;
  uint32_t group;
  std::vector<double> r;
  double weight;  // the vote weight
  int64_t count;

  auto key() const { return std::tie(first, second, credit, sign, group, r, weight); }
};

double vote_credit(Outcome outcome) {
  if (outcome == Outcome::AWins) return kWinCredit;
  if (outcome == Outcome::BWins) return 0.0;
  return kTieCredit;
}

// The log-likelihood at v = (theta of the models with games, beta), its gradient and its
// Hessian (g and h sized theta_count + covariates).
double controlled_evaluate(const CovariateRows& rows, std::span<const double> row_games,
                           const std::vector<int>& compact, Eigen::Index theta_count, bool prior,
                           const Eigen::VectorXd& v, Eigen::VectorXd& g, Eigen::MatrixXd& h) {
  const std::size_t k_count = rows.covariates;
  g.setZero();
  h.setZero();
  double f = 0;
  for (std::size_t r = 0; r < row_games.size(); ++r) {
    const double n = row_games[r];
    if (!(n > 0)) continue;
    const int i = compact[rows.first[r]], j = compact[rows.second[r]];
    const double* z = rows.z.data() + r * k_count;
    double eta = v[i] - v[j];
    for (std::size_t k = 0; k < k_count; ++k)
      eta += v[theta_count + static_cast<Eigen::Index>(k)] * z[k];
    const double y = rows.credit[r];
    const double log_p = log_sigmoid(eta);
    f += n * (y * log_p + (1.0 - y) * (log_p - eta));
    const double p = sigmoid(eta);
    const double e = n * (y - p);
    const double w = n * p * (1.0 - p);
    g[i] += e;
    g[j] -= e;
    h(i, i) -= w;
    h(j, j) -= w;
    h(i, j) += w;
    h(j, i) += w;
    for (std::size_t k = 0; k < k_count; ++k) {
      const Eigen::Index bk = theta_count + static_cast<Eigen::Index>(k);
      g[bk] += e * z[k];
      h(i, bk) -= w * z[k];
      h(bk, i) -= w * z[k];
      h(j, bk) += w * z[k];
      h(bk, j) += w * z[k];
      for (std::size_t l = 0; l < k_count; ++l) {
        h(bk, theta_count + static_cast<Eigen::Index>(l)) -= w * z[k] * z[l];
      }
    }
  }
  if (prior) f += add_prior_games(v, theta_count, g, h);
  return f;
}

}  // namespace

double relative_difference(double a, double b) {
  const double sum = a + b;
  return sum == 0 ? 0.0 : (a - b) / sum;
}

Result<CovariateRows> covariate_rows(const VoteTable& votes, const VoteSelection& selection,
                                     const Cells& cells, std::span<const uint32_t> group_of_set,
                                     std::span<const std::string> control) {
  CovariateRows rows;
  rows.covariates = control.size();
  rows.models = cells.models.size();
  std::vector<uint32_t> features;
  for (const auto& name : control) {
    const auto f = votes.find_feature(name);
    if (!f) {
      return fail("bad_control",
                  fmt::format("no vote carries the feature \"{}\" to control for", name));
    }
    features.push_back(*f);
  }
  constexpr uint32_t kAbsent = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> canonical(votes.model_count(), kAbsent);
  for (uint32_t i = 0; i < cells.table_model.size(); ++i) canonical[cells.table_model[i]] = i;

  const auto a = votes.model_a();
  const auto b = votes.model_b();
  const auto outcome = votes.outcome();
  const auto sets = votes.category_set();
  std::vector<RawRow> raw;
  std::vector<double> r(features.size());
  for (std::size_t v = 0; v < votes.size(); ++v) {
    if (!selection.contains(v) || a[v] == b[v]) continue;
    bool complete = true;
    for (std::size_t k = 0; k < features.size() && complete; ++k) {
      const double x = votes.feature_a(features[k], v), y = votes.feature_b(features[k], v);
      complete = std::isfinite(x) && std::isfinite(y);
      if (complete) r[k] = relative_difference(x, y);
    }
    const uint32_t ca = canonical[a[v]], cb = canonical[b[v]];
    if (!complete || ca == kAbsent || cb == kAbsent) {
      ++rows.missing;
      continue;
    }
    const int sign = ca < cb ? 1 : -1;
    const double y = vote_credit(outcome[v]);
    RawRow row{std::min(ca, cb),
               std::max(ca, cb),
               sign > 0 ? y : kWinCredit - y,
               sign,
               group_of_set[sets[v]],
               r,
               votes.weight(v),
               1};
    for (double& x : row.r) x *= sign;
    raw.push_back(std::move(row));
  }
  if (raw.empty()) {
    return fail("bad_control", "no vote used carries every feature to control for");
  }
  std::sort(raw.begin(), raw.end(),
            [](const RawRow& x, const RawRow& y) { return x.key() < y.key(); });
  std::vector<RawRow> merged;
  for (auto& row : raw) {
    if (!merged.empty() && merged.back().key() == row.key()) {
      ++merged.back().count;
    } else {
      merged.push_back(std::move(row));
    }
  }

  for (const auto& row : merged) {
    rows.first.push_back(row.first);
    rows.second.push_back(row.second);
    rows.credit.push_back(row.credit);
    rows.sign.push_back(static_cast<double>(row.sign));
    rows.group.push_back(row.group);
    rows.weight.push_back(row.weight);
    rows.count.push_back(row.count);
    rows.votes += row.count;
    rows.r.insert(rows.r.end(), row.r.begin(), row.r.end());
  }
  if (const int k = standardize(rows, rows.count); k >= 0) {
    return fail("bad_control",
                fmt::format("the feature \"{}\" does not differ between the clips of the "
                            "votes used, so its effect cannot be estimated",
                            control[static_cast<std::size_t>(k)]));
  }
  return rows;
}

int standardize(CovariateRows& rows, std::span<const int64_t> counts) {
  // Mean and population sd of r in the votes' own orientation (sign * r from the first's
  // side), summed over the rows in canonical order so the result is independent of order.
  // Votes count with their weights here as in the fit, so a vote of weight 1/2 is
  // standardized as half a vote.
  const std::size_t k_count = rows.covariates, n_rows = rows.first.size();
  rows.mean.assign(k_count, 0.0);
  rows.sd.assign(k_count, 0.0);
  double n = 0;
  for (std::size_t i = 0; i < n_rows; ++i) n += rows.weight[i] * static_cast<double>(counts[i]);
  for (std::size_t i = 0; i < n_rows; ++i) {
    for (std::size_t k = 0; k < k_count; ++k)
      rows.mean[k] +=
          rows.weight[i] * static_cast<double>(counts[i]) * rows.sign[i] * rows.r[i * k_count + k];
  }
  for (auto& m : rows.mean) m /= n;
  for (std::size_t i = 0; i < n_rows; ++i) {
    for (std::size_t k = 0; k < k_count; ++k) {
      const double d = rows.sign[i] * rows.r[i * k_count + k] - rows.mean[k];
      rows.sd[k] += rows.weight[i] * static_cast<double>(counts[i]) * d * d;
    }
  }
  int constant = -1;
  for (std::size_t k = 0; k < k_count; ++k) {
    rows.sd[k] = std::sqrt(rows.sd[k] / n);
    if (!(rows.sd[k] > 0) && constant < 0) constant = static_cast<int>(k);
  }
  rows.z.assign(n_rows * k_count, 0.0);
  if (constant >= 0) return constant;
  for (std::size_t i = 0; i < n_rows; ++i) {
    for (std::size_t k = 0; k < k_count; ++k) {
      rows.z[i * k_count + k] =
          (rows.r[i * k_count + k] - rows.sign[i] * rows.mean[k]) / rows.sd[k];
    }
  }
  return -1;
}

std::vector<double> row_games(const CovariateRows& rows, std::span<const double> group_weight) {
  std::vector<double> games(rows.count.size());
  for (std::size_t r = 0; r < games.size(); ++r) {
    games[r] = group_weight[rows.group[r]] * (rows.weight[r] * static_cast<double>(rows.count[r]));
  }
  return games;
}

ControlledFit fit_controlled(const CovariateRows& rows, std::span<const double> row_games,
                             std::span<const double> start) {
  ControlledFit result;
  const std::size_t m = rows.models, k_count = rows.covariates;
  result.theta.assign(m, std::numeric_limits<double>::quiet_NaN());
  result.beta.assign(k_count, 0.0);

  // The pair totals decide which models have games and whether the prior is needed.
  PairTotals totals;
  totals.models = m;
  std::vector<int> compact(m, -1);
  for (std::size_t r = 0; r < row_games.size(); ++r) {
    if (!(row_games[r] > 0)) continue;
    totals.first.push_back(rows.first[r]);
    totals.second.push_back(rows.second[r]);
    totals.games.push_back(row_games[r]);
    totals.credit.push_back(row_games[r] * rows.credit[r]);
    compact[rows.first[r]] = compact[rows.second[r]] = 0;
  }
  int active = 0;
  for (auto& c : compact) {
    if (c == 0) c = active++;
  }
  if (active == 0) {
    result.converged = true;
    return result;
  }
  const bool prior = !strongly_connected(totals);
  result.prior_used = prior;

  const auto theta_count = static_cast<Eigen::Index>(active);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(theta_count + static_cast<Eigen::Index>(k_count));
  if (start.size() == m + k_count) {
    for (std::size_t i = 0; i < m; ++i) {
      if (compact[i] >= 0 && std::isfinite(start[i])) x[compact[i]] = start[i];
    }
    for (std::size_t k = 0; k < k_count; ++k)
      x[theta_count + static_cast<Eigen::Index>(k)] = start[m + k];
  }

  auto evaluate = [&](const Eigen::VectorXd& v, Eigen::VectorXd& g, Eigen::MatrixXd& h) {
    return controlled_evaluate(rows, row_games, compact, theta_count, prior, v, g, h);
  };
  const NewtonOutcome outcome = maximize_concave(x, prior ? 0 : 1, evaluate);
  result.converged = outcome.converged;
  result.iterations = outcome.iterations;
  for (std::size_t i = 0; i < m; ++i) {
    if (compact[i] >= 0) result.theta[i] = x[compact[i]];
  }
  for (std::size_t k = 0; k < k_count; ++k)
    result.beta[k] = x[theta_count + static_cast<Eigen::Index>(k)];
  return result;
}

Eigen::MatrixXd controlled_information(const CovariateRows& rows, std::span<const double> row_games,
                                       const ControlledFit& fit) {
  std::vector<int> compact(rows.models, -1);
  for (std::size_t r = 0; r < row_games.size(); ++r) {
    if (row_games[r] > 0) compact[rows.first[r]] = compact[rows.second[r]] = 0;
  }
  Eigen::Index active = 0;
  for (auto& c : compact) {
    if (c == 0) c = static_cast<int>(active++);
  }
  const auto size = active + static_cast<Eigen::Index>(rows.covariates);
  Eigen::VectorXd v(size), g(size);
  Eigen::MatrixXd h(size, size);
  for (std::size_t m = 0; m < rows.models; ++m) {
    if (compact[m] >= 0) v[compact[m]] = fit.theta[m];
  }
  for (std::size_t k = 0; k < rows.covariates; ++k)
    v[active + static_cast<Eigen::Index>(k)] = fit.beta[k];
  controlled_evaluate(rows, row_games, compact, active, fit.prior_used, v, g, h);
  return -h;
}

ControlledBootstrap bootstrap_controlled(const CovariateRows& rows,
                                         const CategoryWeighting* weighting,
                                         const ControlledFit& start, const Anchor& anchor,
                                         int rounds, uint64_t seed, int threads) {
  ControlledBootstrap result;
  const std::size_t m = rows.models, k_count = rows.covariates;
  result.ratings.assign(static_cast<std::size_t>(rounds) * m, 0.0);
  result.effects.assign(static_cast<std::size_t>(rounds) * k_count, 0.0);
  if (rounds <= 0) return result;
  std::size_t groups = 1;
  for (uint32_t g : rows.group) groups = std::max<std::size_t>(groups, g + 1);
  std::vector<double> warm(start.theta);
  warm.insert(warm.end(), start.beta.begin(), start.beta.end());

  std::atomic<int> next_round{0};
  std::atomic<int> prior_rounds{0};
  auto work = [&]() {
    std::vector<int64_t> drawn(rows.count.size()), group_counts(groups);
    std::vector<double> group_weight(groups, 1.0), games(rows.count.size());
    for (int round = next_round++; round < rounds; round = next_round++) {
      auto rng = Xoshiro256::for_stream(seed, static_cast<uint64_t>(round));
      multinomial(rng, rows.votes, rows.count, drawn);
      if (weighting != nullptr) {
        std::fill(group_counts.begin(), group_counts.end(), 0);
        for (std::size_t r = 0; r < drawn.size(); ++r) group_counts[rows.group[r]] += drawn[r];
        weighting->weights(group_counts, group_weight);
      }
      for (std::size_t r = 0; r < drawn.size(); ++r) {
        games[r] = group_weight[rows.group[r]] * (rows.weight[r] * static_cast<double>(drawn[r]));
      }
      const ControlledFit fit = fit_controlled(rows, games, warm);
      if (fit.prior_used) ++prior_rounds;
      const auto at = static_cast<std::size_t>(round);
      anchor_scores(fit.theta, anchor, std::span<double>(result.ratings.data() + at * m, m));
      for (std::size_t k = 0; k < k_count; ++k) {
        result.effects[at * k_count + k] = kPointsPerNatural * fit.beta[k];
      }
    }
  };
  run_workers(threads, rounds, work);
  result.prior_rounds = prior_rounds.load();
  return result;
}

}  // namespace paddock::rating
