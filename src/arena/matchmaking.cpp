#include "arena/matchmaking.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numbers>
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

}  // namespace

std::optional<MatchmakingMode> parse_matchmaking_mode(std::string_view name) {
  if (name == "uniform") return MatchmakingMode::Uniform;
  if (name == "adaptive") return MatchmakingMode::Adaptive;
  return std::nullopt;
}

std::string_view matchmaking_mode_name(MatchmakingMode mode) {
  return mode == MatchmakingMode::Uniform ? "uniform" : "adaptive";
}

double pair_information(const ModelEstimate& a, const ModelEstimate& b,
                        const MatchmakingOptions& options) {
  auto sd = [&](const ModelEstimate& m) {
    return std::isfinite(m.sd) && m.sd > 0 ? m.sd : options.unknown_sd;
  };
  const double variance = sd(a) * sd(a) + sd(b) * sd(b);  // of the difference, points^2
  const double d = a.rating - b.rating;
  const double p = 1.0 / (1.0 + std::exp(-kNaturalPerPoint * d));
  // Fisher information of one vote about the difference, per point^2.
  const double information = kNaturalPerPoint * kNaturalPerPoint * p * (1 - p);
  const double gain = std::sqrt(variance) - std::sqrt(variance / (1 + variance * information));
  // 2 Phi(-|d| / sd): 1 when the two are level, near 0 once their order is clear.
  const double open = std::erfc(std::abs(d) / std::sqrt(2 * variance));
  auto in_top = [&](const ModelEstimate& m) { return m.rank > 0 && m.rank <= options.top_ranks; };
  const double top = in_top(a) || in_top(b) ? options.top_weight : 1.0;
  return gain * open * top;
}

PairingPlan plan_pairings(const CatalogTrack& track, std::span<const ModelEstimate> estimates,
                          const MatchmakingOptions& options) {
  PairingPlan plan;
  plan.models = track.models;
  std::unordered_map<std::string_view, const ModelEstimate*> by_id;
  double mean = 0;
  for (const auto& e : estimates) {
    by_id.emplace(e.model_id, &e);
    mean += e.rating;
  }
  if (!estimates.empty()) mean /= static_cast<double>(estimates.size());
  std::vector<ModelEstimate> known(track.models.size());
  for (std::size_t i = 0; i < track.models.size(); ++i) {
    auto it = by_id.find(track.models[i]);
    if (it != by_id.end()) {
      known[i] = *it->second;
    } else {
      known[i] = ModelEstimate{track.models[i], mean, options.unknown_sd, 0};
    }
  }

  std::vector<double> weight;
  for (std::size_t i = 0; i < track.models.size(); ++i) {
    for (std::size_t j = i + 1; j < track.models.size(); ++j) {
      if (shared_prompts(track, i, j).empty()) continue;
      plan.pairs.emplace_back(static_cast<uint32_t>(i), static_cast<uint32_t>(j));
      weight.push_back(options.mode == MatchmakingMode::Adaptive
                           ? pair_information(known[i], known[j], options)
                           : 0.0);
    }
  }
  double total = 0;
  for (double w : weight) total += std::isfinite(w) ? w : 0;
  const double n = static_cast<double>(plan.pairs.size());
  const double explore = total > 0 ? std::clamp(options.exploration, 0.0, 1.0) : 1.0;
  double running = 0;
  for (std::size_t k = 0; k < plan.pairs.size(); ++k) {
    const double w = total > 0 && std::isfinite(weight[k]) ? weight[k] / total : 0;
    plan.probability.push_back(explore / n + (1 - explore) * w);
    running += plan.probability.back();
    plan.cumulative.push_back(running);
  }
  return plan;
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
