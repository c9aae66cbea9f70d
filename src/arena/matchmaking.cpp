#include "arena/matchmaking.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numbers>
#include <numeric>
#include <unordered_map>

namespace paddock::arena {
namespace {

// Natural units per point of the 400-point logistic scale.
constexpr double kNaturalPerPoint = std::numbers::ln10 / 400.0;

std::vector<uint32_t> shared_prompts(const CatalogTrack& track, std::size_t a, std::size_t b) {
  std::vector<uint32_t> out;
  const auto& pa = track.model_prompts[a];
  const auto& pb = track.model_prompts[b];
  std::set_intersection(pa.begin(), pa.end(), pb.begin(), pb.end(), std::back_inserter(out));
  return out;
}

const CatalogClip* clip_of(const CatalogPrompt& prompt, const std::string& model_id) {
  auto it =
      std::lower_bound(prompt.clips.begin(), prompt.clips.end(), model_id,
                       [](const CatalogClip& c, const std::string& id) { return c.model_id < id; });
  return it != prompt.clips.end() && it->model_id == model_id ? &*it : nullptr;
}

std::optional<Pairing> pick_uniform(const CatalogTrack& track, RandomBits& bits) {
  const auto& prompt =
      track.prompts[track.battle_prompts[uniform_below(bits, track.battle_prompts.size())]];
  std::size_t n = prompt.clips.size();
  // An ordered pair of distinct clips, uniformly: the order is the sides.
  std::size_t i = uniform_below(bits, n);
  std::size_t j = uniform_below(bits, n - 1);
  if (j >= i) ++j;
  return Pairing{&prompt, &prompt.clips[i], &prompt.clips[j]};
}

// A dense symmetric matrix, row-major.
struct Matrix {
  std::size_t n = 0;
  std::vector<double> a;
  explicit Matrix(std::size_t size) : n(size), a(size * size, 0.0) {}
  double& operator()(std::size_t i, std::size_t j) { return a[i * n + j]; }
  double operator()(std::size_t i, std::size_t j) const { return a[i * n + j]; }
};

// The inverse of a symmetric positive definite matrix, by Gauss-Jordan elimination (the
// matrix is small: one row per model, and the prior keeps it well conditioned).
Matrix inverse(Matrix m) {
  const std::size_t n = m.n;
  Matrix inv(n);
  for (std::size_t i = 0; i < n; ++i) inv(i, i) = 1;
  for (std::size_t col = 0; col < n; ++col) {
    const double pivot = m(col, col);
    for (std::size_t j = 0; j < n; ++j) {
      m(col, j) /= pivot;
      inv(col, j) /= pivot;
    }
    for (std::size_t row = 0; row < n; ++row) {
      if (row == col) continue;
      const double f = m(row, col);
      if (f == 0) continue;
      for (std::size_t j = 0; j < n; ++j) {
        m(row, j) -= f * m(col, j);
        inv(row, j) -= f * inv(col, j);
      }
    }
  }
  return inv;
}

double win_probability(double natural_difference) {
  return 1.0 / (1.0 + std::exp(-natural_difference));
}

// What the board still needs (docs/matchmaking.md, "Adaptive"): the comparisons that decide
// whether the top is settled, each as a linear function c'theta whose standard deviation the
// votes should shrink, and how far it is from being small enough.
struct PlanTarget {
  // anchored: the sum of the standard deviations of the published scores of a and b (their
  // intervals must be disjoint); else the standard deviation of theta_a - theta_b (their
  // order must be right).
  std::size_t a = 0, b = 0;
  bool anchored = false;
  double scale = 1;  // z / gap: the target is met when scale * sd < 1
};

// The covariance S = H^-1 of the scores (natural units) and what one more vote would do to it.
class PlanCovariance {
 public:
  PlanCovariance(Matrix s) : s_(std::move(s)), row_sum_(s_.n, 0.0) { refresh(); }

  std::size_t size() const { return s_.n; }
  double cov(std::size_t i, std::size_t j) const { return s_(i, j); }
  // Variance of the published score of k (its difference from the mean of all scores).
  double published_variance(std::size_t k) const {
    const double md = static_cast<double>(s_.n);
    return std::max(s_(k, k) - 2 * row_sum_[k] / md + total_ / (md * md), 0.0);
  }
  double difference_variance(std::size_t a, std::size_t b) const {
    return std::max(s_(a, a) + s_(b, b) - 2 * s_(a, b), 0.0);
  }
  // a_k' S x for the published score of k and x = e_i - e_j.
  double published_projection(std::size_t k, std::size_t i, std::size_t j) const {
    return s_(k, i) - s_(k, j) - (row_sum_[i] - row_sum_[j]) / static_cast<double>(s_.n);
  }
  double difference_projection(std::size_t a, std::size_t b, std::size_t i, std::size_t j) const {
    return s_(a, i) - s_(a, j) - s_(b, i) + s_(b, j);
  }
  // One vote of information w on (i, j): S -= w S x x' S / (1 + w x' S x) (Sherman-Morrison).
  void add_vote(std::size_t i, std::size_t j, double w) {
    const std::size_t n = s_.n;
    std::vector<double> u(n);
    for (std::size_t k = 0; k < n; ++k) u[k] = s_(k, i) - s_(k, j);
    const double f = w / (1 + w * (u[i] - u[j]));
    for (std::size_t k = 0; k < n; ++k) {
      for (std::size_t l = 0; l < n; ++l) s_(k, l) -= f * u[k] * u[l];
    }
    refresh();
  }

 private:
  void refresh() {
    total_ = 0;
    for (std::size_t i = 0; i < s_.n; ++i) {
      row_sum_[i] = 0;
      for (std::size_t j = 0; j < s_.n; ++j) row_sum_[i] += s_(i, j);
      total_ += row_sum_[i];
    }
  }
  Matrix s_;
  std::vector<double> row_sum_;
  double total_ = 0;
};

// The comparisons the top of the board is waiting for, from the scores `theta` (natural
// units) and the covariance: adjacent ranks within the top `top_ranks` (disjoint published
// intervals), and every model below them against the last of them (the right models in the
// top; a new model, with the prior's uncertainty, weighs a lot here until it is placed).
std::vector<PlanTarget> plan_targets(const std::vector<double>& theta,
                                     const MatchmakingOptions& options) {
  const std::size_t m = theta.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return theta[a] > theta[b]; });
  const std::size_t top =
      std::clamp<std::size_t>(static_cast<std::size_t>(std::max(options.top_ranks, 1)), 1, m - 1);
  const double floor = std::max(options.gap_floor, 1e-3) * kNaturalPerPoint;
  std::vector<PlanTarget> out;
  for (std::size_t t = 0; t + 1 < top; ++t) {
    const std::size_t a = order[t], b = order[t + 1];
    out.push_back(
        {a, b, true, options.separation_z / std::max(std::abs(theta[a] - theta[b]), floor)});
  }
  const std::size_t last = order[top - 1];
  for (std::size_t t = top; t < m; ++t) {
    const std::size_t b = order[t];
    out.push_back(
        {last, b, false, options.separation_z / std::max(std::abs(theta[last] - theta[b]), floor)});
  }
  return out;
}

// How far the board is from settled: sum over the targets of (scale * sd)^power, sd the
// target's standard deviation (the sum of two published ones for adjacent ranks). A target
// at the edge of being met counts 1; the power makes the furthest from met, the board's
// bottleneck, dominate.
double target_loss(const PlanTarget& t, double var_a, double var_b, double power) {
  const double sd = t.anchored ? std::sqrt(var_a) + std::sqrt(var_b) : std::sqrt(var_a);
  return std::pow(t.scale * sd, power);
}

struct PlanDesign {
  std::vector<double> value;       // per pair: the fall of the loss one more vote gives now
  std::vector<double> allocation;  // per pair: its share of the next plan_votes votes
};

// The design (docs/matchmaking.md, "Adaptive"): the next `plan_votes` votes placed one at a
// time, each on the pair whose vote lowers the loss most given the votes placed before it.
PlanDesign design_votes(const std::vector<double>& theta,
                        const std::vector<std::vector<int64_t>>& votes,
                        const std::vector<std::pair<uint32_t, uint32_t>>& pairs,
                        const MatchmakingOptions& options) {
  const std::size_t m = theta.size();
  const double prior = 1.0 / std::pow(kNaturalPerPoint * options.prior_sd, 2);
  Matrix h(m);
  for (std::size_t i = 0; i < m; ++i) {
    h(i, i) += prior;
    for (std::size_t j = i + 1; j < m; ++j) {
      if (votes[i][j] == 0) continue;
      const double p = win_probability(theta[i] - theta[j]);
      const double w = static_cast<double>(votes[i][j]) * p * (1 - p);
      h(i, i) += w;
      h(j, j) += w;
      h(i, j) -= w;
      h(j, i) -= w;
    }
  }
  PlanCovariance s(inverse(std::move(h)));
  const auto targets = plan_targets(theta, options);
  const double power = options.focus_power;
  std::vector<double> info(pairs.size());
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    const double p = win_probability(theta[pairs[k].first] - theta[pairs[k].second]);
    info[k] = p * (1 - p);
  }

  PlanDesign design;
  design.allocation.assign(pairs.size(), 0.0);
  const int rounds = std::max(options.plan_votes, 1);
  std::vector<double> var_a(targets.size()), var_b(targets.size());
  for (int round = 0; round < rounds; ++round) {
    double loss = 0;
    for (std::size_t t = 0; t < targets.size(); ++t) {
      const auto& g = targets[t];
      var_a[t] = g.anchored ? s.published_variance(g.a) : s.difference_variance(g.a, g.b);
      var_b[t] = g.anchored ? s.published_variance(g.b) : 0;
      loss += target_loss(g, var_a[t], var_b[t], power);
    }
    std::vector<double> fall(pairs.size(), 0.0);
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      const auto [i, j] = pairs[k];
      const double w = info[k];
      const double shrink = w / (1 + w * s.difference_variance(i, j));
      double after = 0;
      for (std::size_t t = 0; t < targets.size(); ++t) {
        const auto& g = targets[t];
        double a = var_a[t], b = var_b[t];
        if (g.anchored) {
          const double pa = s.published_projection(g.a, i, j);
          const double pb = s.published_projection(g.b, i, j);
          a = std::max(a - shrink * pa * pa, 0.0);
          b = std::max(b - shrink * pb * pb, 0.0);
        } else {
          const double pd = s.difference_projection(g.a, g.b, i, j);
          a = std::max(a - shrink * pd * pd, 0.0);
        }
        after += target_loss(g, a, b, power);
      }
      fall[k] = loss - after;
    }
    if (round == 0) design.value = fall;
    const auto best =
        static_cast<std::size_t>(std::max_element(fall.begin(), fall.end()) - fall.begin());
    if (!(fall[best] > 0)) break;
    design.allocation[best] += 1;
    s.add_vote(pairs[best].first, pairs[best].second, info[best]);
  }
  double placed = std::accumulate(design.allocation.begin(), design.allocation.end(), 0.0);
  if (placed > 0) {
    for (double& a : design.allocation) a /= placed;
  }
  return design;
}

}  // namespace

std::optional<MatchmakingMode> parse_matchmaking_mode(std::string_view name) {
  if (name == "uniform") return MatchmakingMode::Uniform;
  if (name == "adaptive") return MatchmakingMode::Adaptive;
  return std::nullopt;
}

std::string_view matchmaking_mode_name(MatchmakingMode mode) {
  return mode == MatchmakingMode::Uniform ? "uniform" : "adaptive";
}

BoardEstimates estimates_from_board(
    const rating::Board& board,
    const std::function<std::optional<std::string>(const std::string&)>& model_id) {
  BoardEstimates out;
  std::unordered_map<std::string, std::string> ids;
  for (const auto& row : board.models) {
    auto id = model_id(row.model);
    if (!id) continue;
    ids.emplace(row.model, *id);
    out.models.push_back({std::move(*id), row.rating});
  }
  for (const auto& pair : board.pairs) {
    auto a = ids.find(pair.model_a);
    auto b = ids.find(pair.model_b);
    if (a == ids.end() || b == ids.end() || pair.votes == 0) continue;
    out.pairs.push_back({a->second, b->second, pair.votes});
  }
  return out;
}

PairingPlan plan_pairings(const CatalogTrack& track, const BoardEstimates& estimates,
                          const MatchmakingOptions& options) {
  PairingPlan plan;
  plan.models = track.models;
  const std::size_t m = track.models.size();
  auto index_of = [&](const std::string& id) -> std::optional<std::size_t> {
    auto it = std::lower_bound(track.models.begin(), track.models.end(), id);
    if (it == track.models.end() || *it != id) return std::nullopt;
    return static_cast<std::size_t>(it - track.models.begin());
  };
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = i + 1; j < m; ++j) {
      if (!shared_prompts(track, i, j).empty()) {
        plan.pairs.emplace_back(static_cast<uint32_t>(i), static_cast<uint32_t>(j));
      }
    }
  }
  if (plan.pairs.empty()) return plan;

  plan.value.assign(plan.pairs.size(), 0.0);
  if (options.mode == MatchmakingMode::Adaptive) {
    double mean = 0;
    for (const auto& e : estimates.models) mean += e.rating;
    if (!estimates.models.empty()) mean /= static_cast<double>(estimates.models.size());
    std::vector<double> theta(m, kNaturalPerPoint * mean);
    for (const auto& e : estimates.models) {
      if (auto i = index_of(e.model_id); i && std::isfinite(e.rating)) {
        theta[*i] = kNaturalPerPoint * e.rating;
      }
    }
    std::vector<std::vector<int64_t>> votes(m, std::vector<int64_t>(m, 0));
    for (const auto& p : estimates.pairs) {
      auto a = index_of(p.model_a), b = index_of(p.model_b);
      if (!a || !b || *a == *b) continue;
      votes[std::min(*a, *b)][std::max(*a, *b)] += std::max<int64_t>(p.votes, 0);
    }
    auto design = design_votes(theta, votes, plan.pairs, options);
    plan.value = std::move(design.value);
    plan.allocation = std::move(design.allocation);
  } else {
    plan.allocation.assign(plan.pairs.size(), 0.0);
  }

  double total = 0;
  for (double a : plan.allocation) total += std::isfinite(a) && a > 0 ? a : 0;
  const double n = static_cast<double>(plan.pairs.size());
  const double explore = total > 0 ? std::clamp(options.exploration, 0.0, 1.0) : 1.0;
  double running = 0;
  for (double a : plan.allocation) {
    const double share = total > 0 && std::isfinite(a) && a > 0 ? a / total : 0;
    plan.probability.push_back(explore / n + (1 - explore) * share);
    running += plan.probability.back();
    plan.cumulative.push_back(running);
  }
  return plan;
}

std::optional<ControlPairing> pick_control(const CatalogTrack& track, double share,
                                           RandomBits& bits) {
  if (!(share > 0) || track.controls.empty()) return std::nullopt;
  if (uniform_unit(bits) >= share) return std::nullopt;
  const auto& control = track.controls[uniform_below(bits, track.controls.size())];
  return ControlPairing{&track.prompts[control.prompt], &control, uniform_below(bits, 2) == 1};
}

std::optional<Pairing> pick_pairing(const CatalogTrack& track, const PairingPlan* plan,
                                    RandomBits& bits) {
  if (track.battle_prompts.empty()) return std::nullopt;
  if (plan == nullptr || plan->pairs.empty() || plan->models != track.models) {
    return pick_uniform(track, bits);
  }
  const double u = uniform_unit(bits) * plan->cumulative.back();
  auto k = static_cast<std::size_t>(
      std::upper_bound(plan->cumulative.begin(), plan->cumulative.end(), u) -
      plan->cumulative.begin());
  k = std::min(k, plan->pairs.size() - 1);
  auto [a, b] = plan->pairs[k];
  const auto prompts = shared_prompts(track, a, b);
  if (prompts.empty()) return pick_uniform(track, bits);
  const auto& prompt = track.prompts[prompts[uniform_below(bits, prompts.size())]];
  const auto* first = clip_of(prompt, track.models[a]);
  const auto* second = clip_of(prompt, track.models[b]);
  if (first == nullptr || second == nullptr) return pick_uniform(track, bits);
  if (uniform_below(bits, 2) == 1) std::swap(first, second);
  return Pairing{&prompt, first, second};
}

}  // namespace paddock::arena
