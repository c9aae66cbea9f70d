#include "rating/simulation.hpp"

#include <algorithm>
#include <cmath>

#include "fmt/core.h"
#include "rating/davidson.hpp"
#include "rating/presentation_control.hpp"
#include "rating/scale.hpp"

namespace paddock::rating {

namespace {

constexpr uint64_t kRatingsStream = 0;  // generator streams of the seed
constexpr uint64_t kVotesStream = 1;
constexpr uint64_t kClipStream = 2;

bool in_unit(double x) {
  return x >= 0 && x <= 1;
}

}  // namespace

Status validate(const SimulationOptions& o) {
  if (o.models < 2) return fail("bad_option", "simulate needs at least 2 models");
  if (o.votes < 0) return fail("bad_option", "votes must not be negative");
  if (!std::isfinite(o.mean) || !(o.spread >= 0) || !std::isfinite(o.spread)) {
    return fail("bad_option", "mean and spread must be finite, spread >= 0");
  }
  if (!in_unit(o.tie_rate)) return fail("bad_option", "tie rate must be in [0, 1]");
  if (!in_unit(o.bothbad_share)) return fail("bad_option", "both-bad share must be in [0, 1]");
  if (!in_unit(o.multi_category_rate)) {
    return fail("bad_option", "multi-category rate must be in [0, 1]");
  }
  if (!(o.category_offset_spread >= 0) || !std::isfinite(o.category_offset_spread)) {
    return fail("bad_option", "category offset spread must be finite and >= 0");
  }
  if (!std::isfinite(o.start_tstamp) || !std::isfinite(o.interval) || o.interval < 0) {
    return fail("bad_option", "start and interval must be finite, interval >= 0");
  }
  double total = 0;
  for (const auto& c : o.categories) {
    if (c.name.empty()) return fail("bad_option", "a category has an empty name");
    if (!(c.share >= 0) || !std::isfinite(c.share)) {
      return fail("bad_option", fmt::format("category \"{}\" has a bad share", c.name));
    }
    total += c.share;
  }
  if (!o.categories.empty() && !(total > 0)) {
    return fail("bad_option", "category shares must not all be 0");
  }
  if (!(o.davidson_nu >= 0) || !std::isfinite(o.davidson_nu)) {
    return fail("bad_option", "Davidson's tie parameter must be finite and >= 0");
  }
  if (!(o.long_clip_win_rate > 0 && o.long_clip_win_rate < 1)) {
    return fail("bad_option", "the long-clip win rate must be in (0, 1)");
  }
  if (o.long_clip_win_rate != 0.5 && !o.clip_features) {
    return fail("bad_option", "a presentation effect needs clip features");
  }
  if (o.multi_category_rate > 0 && o.categories.size() < 2) {
    return fail("bad_option", "multi-category votes need at least 2 categories");
  }
  return ok();
}

VoteSimulator::VoteSimulator(const SimulationOptions& options)
    : options_(options),
      rng_(Xoshiro256::for_stream(options.seed, kVotesStream)),
      clip_rng_(Xoshiro256::for_stream(options.seed, kClipStream)) {
  auto ratings_rng = Xoshiro256::for_stream(options.seed, kRatingsStream);
  const int width = static_cast<int>(std::to_string(options.models).size());
  double sum = 0;
  for (int i = 0; i < options.models; ++i) {
    TrueModel m;
    m.name = fmt::format("{}{:0{}}", options.model_prefix, i + 1, std::max(width, 3));
    m.rating = options.mean + options.spread * ratings_rng.normal();
    sum += m.rating;
    models_.push_back(std::move(m));
  }
  const double shift = options.mean - sum / options.models;
  for (auto& m : models_) {
    m.rating += shift;
    for (std::size_t c = 0; c < options.categories.size(); ++c) {
      m.category_offsets.push_back(options.category_offset_spread * ratings_rng.normal());
    }
  }
  if (options.clip_features) {
    for (auto& m : models_) m.long_clip_share = clip_rng_.uniform();
  }
  double total = 0;
  for (const auto& c : options.categories) total += c.share;
  double running = 0;
  for (const auto& c : options.categories) {
    running += c.share / total;
    category_cdf_.push_back(running);
  }
}

uint32_t VoteSimulator::pick_category() {
  const double u = rng_.uniform();
  const auto it = std::upper_bound(category_cdf_.begin(), category_cdf_.end(), u);
  return static_cast<uint32_t>(std::min<std::size_t>(
      static_cast<std::size_t>(it - category_cdf_.begin()), category_cdf_.size() - 1));
}

SimulatedVote VoteSimulator::next() {
  SimulatedVote v;
  const auto m = static_cast<uint64_t>(options_.models);
  v.model_a = static_cast<uint32_t>(rng_.below(m));
  v.model_b = static_cast<uint32_t>(rng_.below(m - 1));
  if (v.model_b >= v.model_a) ++v.model_b;
  if (!category_cdf_.empty()) {
    v.categories[v.category_count++] = pick_category();
    if (options_.multi_category_rate > 0 && rng_.uniform() < options_.multi_category_rate) {
      uint32_t second = pick_category();
      for (int tries = 0; second == v.categories[0] && tries < 64; ++tries)
        second = pick_category();
      if (second != v.categories[0]) v.categories[v.category_count++] = second;
    }
  }
  auto strength = [&](uint32_t model) {
    const TrueModel& tm = models_[model];
    double offset = 0;
    for (uint32_t k = 0; k < v.category_count; ++k) offset += tm.category_offsets[v.categories[k]];
    return tm.rating + (v.category_count > 0 ? offset / v.category_count : 0.0);
  };
  double logit = (strength(v.model_a) - strength(v.model_b)) / kPointsPerNatural;
  if (options_.clip_features) {
    const uint32_t side_model[2] = {v.model_a, v.model_b};
    for (int side = 0; side < 2; ++side) {
      v.duration[side] = clip_rng_.uniform() < models_[side_model[side]].long_clip_share
                             ? kLongClipSeconds
                             : kShortClipSeconds;
      v.motion[side] = kMinMotion + (kMaxMotion - kMinMotion) * clip_rng_.uniform();
    }
    const double r = relative_difference(v.duration[0], v.duration[1]);
    const double r_long = relative_difference(kLongClipSeconds, kShortClipSeconds);
    const double q = options_.long_clip_win_rate;
    logit += std::log(q / (1 - q)) * r / r_long;
  }
  if (!options_.languages.empty()) {
    v.language = static_cast<uint32_t>(clip_rng_.below(options_.languages.size()));
  }
  // a wins when u < win_end, ties when u < tie_end: Davidson's probabilities, or ties carved
  // out of p symmetrically.
  double win_end = 0, tie_end = 0;
  if (options_.tie_model == TieModel::Davidson) {
    const DavidsonProbabilities q = davidson_probabilities(logit, std::log(options_.davidson_nu));
    win_end = q.win;
    tie_end = q.win + q.tie;
  } else {
    const double p = sigmoid(logit);
    const double tie = options_.tie_rate * 2.0 * std::min(p, 1.0 - p);
    win_end = p - tie / 2;
    tie_end = p + tie / 2;
  }
  const double u = rng_.uniform();
  if (u < win_end) {
    v.outcome = Outcome::AWins;
  } else if (u < tie_end) {
    v.outcome = rng_.uniform() < options_.bothbad_share ? Outcome::BothBad : Outcome::Tie;
  } else {
    v.outcome = Outcome::BWins;
  }
  v.tstamp = options_.start_tstamp + options_.interval * static_cast<double>(produced_);
  ++produced_;
  return v;
}

Result<Simulation> simulate(const SimulationOptions& options) {
  if (auto status = validate(options); !status) return std::unexpected(status.error());
  VoteSimulator simulator(options);
  Simulation sim;
  sim.models = simulator.models();
  for (const auto& m : sim.models) sim.votes.intern_model(m.name);
  std::vector<uint32_t> set_ids;  // set of {c} and {c, d}: interned lazily
  std::vector<std::vector<int64_t>> pair_set(options.categories.size(),
                                             std::vector<int64_t>(options.categories.size(), -1));
  sim.votes.reserve(static_cast<std::size_t>(options.votes));
  const uint32_t duration = options.clip_features ? sim.votes.intern_feature("duration") : 0;
  const uint32_t motion = options.clip_features ? sim.votes.intern_feature("motion") : 0;
  std::vector<uint32_t> languages;
  for (const auto& l : options.languages) languages.push_back(sim.votes.intern_language(l));
  for (int64_t k = 0; k < options.votes; ++k) {
    const SimulatedVote v = simulator.next();
    uint32_t set = VoteTable::kNoCategories;
    if (v.category_count > 0) {
      const uint32_t c0 = v.categories[0];
      const uint32_t c1 = v.category_count > 1 ? v.categories[1] : c0;
      int64_t& cached = pair_set[c0][c1];
      if (cached < 0) {
        std::vector<std::string_view> names{options.categories[c0].name};
        if (c1 != c0) names.emplace_back(options.categories[c1].name);
        cached = sim.votes.intern_category_set(std::span<const std::string_view>(names));
      }
      set = static_cast<uint32_t>(cached);
    }
    sim.votes.add(v.model_a, v.model_b, v.outcome, set, v.tstamp);
    if (options.clip_features) {
      sim.votes.set_feature(duration, v.duration[0], v.duration[1]);
      sim.votes.set_feature(motion, v.motion[0], v.motion[1]);
    }
    if (!languages.empty()) sim.votes.set_language(languages[v.language]);
  }
  return sim;
}

}  // namespace paddock::rating
