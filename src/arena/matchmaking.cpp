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

// The value of one more vote on each pair (docs/matchmaking.md, "Adaptive"). Scores in
// natural units; S the covariance the votes so far and the prior give; each model's published
// score is its difference from the mean, so its variance is a_k' S a_k with a_k = e_k - 1/M.
std::vector<double> pair_values(const std::vector<double>& theta,
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
  const Matrix s = inverse(std::move(h));
  std::vector<double> row_sum(m, 0.0);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < m; ++j) row_sum[i] += s(i, j);
  }
  const double total = std::accumulate(row_sum.begin(), row_sum.end(), 0.0);
  const double md = static_cast<double>(m);
  std::vector<double> variance(m), sd(m);  // of each published score, natural units
  for (std::size_t k = 0; k < m; ++k) {
    variance[k] = std::max(s(k, k) - 2 * row_sum[k] / md + total / (md * md), 0.0);
    sd[k] = std::sqrt(variance[k]);
  }

  // Adjacent ranks and how much settling each matters: Phi(-margin)^3, the margin being how
  // far their intervals are from disjoint in sd of the difference; ranks within the top weigh
  // more.
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return theta[a] > theta[b]; });
  std::vector<double> weight(m, 0.0);  // per model: the relevance of the ranks it borders
  struct Adjacent {
    std::size_t a, b;
    double relevance;
  };
  std::vector<Adjacent> adjacent;
  for (std::size_t t = 0; t + 1 < m; ++t) {
    const std::size_t a = order[t], b = order[t + 1];
    const double spread = std::sqrt(variance[a] + variance[b]);
    const double margin =
        (std::abs(theta[a] - theta[b]) - options.separation_z * (sd[a] + sd[b])) / spread;
    // Cubed: the pairs furthest from settled (the board's bottleneck) come first.
    double relevance = std::pow(0.5 * std::erfc(margin / std::numbers::sqrt2), 3);
    if (t + 1 < static_cast<std::size_t>(std::max(options.top_ranks, 0))) {
      relevance *= options.top_weight;
    }
    weight[a] += relevance;
    weight[b] += relevance;
    adjacent.push_back({a, b, relevance});
  }

  // One vote on (i, j) adds w x x' to the information, x = e_i - e_j; by Sherman-Morrison
  // the variance of each published score a_k' theta falls by w (a_k' S x)^2 / (1 + w x' S x)
  // (each model weighted by the relevance of the ranks it borders) ...
  std::vector<double> values;
  values.reserve(pairs.size());
  for (auto [i, j] : pairs) {
    const double p = win_probability(theta[i] - theta[j]);
    const double w = p * (1 - p);
    const double sxx = s(i, i) + s(j, j) - 2 * s(i, j);
    const double mean_u = (row_sum[i] - row_sum[j]) / md;
    double value = 0;
    for (std::size_t k = 0; k < m; ++k) {
      if (weight[k] == 0) continue;
      const double projected = s(k, i) - s(k, j) - mean_u;
      const double fall = w * projected * projected / (1 + w * sxx);
      value += weight[k] * (sd[k] - std::sqrt(std::max(variance[k] - fall, 0.0)));
    }
    // ... and the variance of the difference of adjacent ranks (their order) by
    // w (x_t' S x)^2 / (1 + w x' S x), x_t = e_a - e_b.
    for (const auto& t : adjacent) {
      const double var_d = s(t.a, t.a) + s(t.b, t.b) - 2 * s(t.a, t.b);
      const double projected = s(t.a, i) - s(t.a, j) - s(t.b, i) + s(t.b, j);
      const double fall = w * projected * projected / (1 + w * sxx);
      value += t.relevance * (std::sqrt(var_d) - std::sqrt(std::max(var_d - fall, 0.0)));
    }
    values.push_back(value / kNaturalPerPoint);  // points
  }
  return values;
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
    plan.value = pair_values(theta, votes, plan.pairs, options);
  }

  double total = 0;
  for (double v : plan.value) total += std::isfinite(v) && v > 0 ? v : 0;
  const double n = static_cast<double>(plan.pairs.size());
  const double explore = total > 0 ? std::clamp(options.exploration, 0.0, 1.0) : 1.0;
  double running = 0;
  for (double v : plan.value) {
    const double share = total > 0 && std::isfinite(v) && v > 0 ? v / total : 0;
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
