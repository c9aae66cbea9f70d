#include "arena/voter_scoring.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>

namespace paddock::arena {
namespace {

// Probabilities are kept this far from 0 and 1, so a vote against a model the board makes
// certain costs a large but finite log-likelihood.
constexpr double kProbabilityFloor = 1e-6;
constexpr double kUpsetChance = 0.25;

double score_of(rating::Outcome outcome) {
  switch (outcome) {
    case rating::Outcome::AWins:
      return 1;
    case rating::Outcome::BWins:
      return 0;
    default:
      return 0.5;
  }
}

}  // namespace

std::vector<VoterScore> score_voters(std::span<const JudgedVote> votes,
                                     std::span<const double> ratings, std::size_t voter_count,
                                     const VoterScoringOptions& options) {
  std::vector<VoterScore> scores(voter_count);
  std::vector<double> variance(voter_count, 0);
  // Per voter, per model: battles, sum of (score - expected score) from the model's side,
  // and its variance.
  struct ModelTally {
    int64_t votes = 0;
    double excess = 0, variance = 0;
  };
  std::vector<std::map<uint32_t, ModelTally>> tally(voter_count);
  const double per_point = std::log(10.0) / options.scale;
  for (const auto& v : votes) {
    const double d = (ratings[v.left] - ratings[v.right]) * per_point;
    const double p =
        std::clamp(1.0 / (1.0 + std::exp(-d)), kProbabilityFloor, 1 - kProbabilityFloor);
    const double logit = std::log(p / (1 - p));
    const double s = score_of(v.outcome);
    auto& score = scores[v.voter];
    ++score.votes;
    score.log_likelihood += s * std::log(p) + (1 - s) * std::log(1 - p);
    score.expected += p * std::log(p) + (1 - p) * std::log(1 - p);
    variance[v.voter] += p * (1 - p) * logit * logit;
    if ((s == 1 && p < kUpsetChance) || (s == 0 && 1 - p < kUpsetChance)) ++score.upsets;
    for (auto [model, sign] : {std::pair{v.left, 1.0}, std::pair{v.right, -1.0}}) {
      auto& t = tally[v.voter][model];
      ++t.votes;
      t.excess += sign * (s - p);
      t.variance += p * (1 - p);
    }
  }
  for (std::size_t i = 0; i < voter_count; ++i) {
    auto& score = scores[i];
    score.voter = static_cast<uint32_t>(i);
    score.sd = std::sqrt(variance[i]);
    score.z = score.sd > 0 ? (score.expected - score.log_likelihood) / score.sd : 0;
    for (const auto& [model, t] : tally[i]) {
      if (t.votes < options.min_votes || !(t.variance > 0)) continue;
      const double z = t.excess / std::sqrt(t.variance);
      if (z > score.favoured_z) {
        score.favoured = model;
        score.favoured_votes = t.votes;
        score.favoured_excess = t.excess;
        score.favoured_z = z;
      }
      if (z < score.opposed_z) {
        score.opposed = model;
        score.opposed_votes = t.votes;
        score.opposed_excess = t.excess;
        score.opposed_z = z;
      }
    }
    score.bias = std::max(score.favoured_z, -score.opposed_z);
    score.flagged = score.votes >= options.min_votes &&
                    (score.z >= options.threshold || score.bias >= options.bias_threshold);
  }
  return scores;
}

std::string address_prefix(std::string_view address) {
  const std::string text(address);
  std::array<unsigned char, 16> bytes{};
  char out[64];
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) {
    std::snprintf(out, sizeof out, "%u.%u.%u.0/24", bytes[0], bytes[1], bytes[2]);
    return out;
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) {
    const bool mapped =
        std::all_of(bytes.begin(), bytes.begin() + 10, [](auto b) { return b == 0; }) &&
        bytes[10] == 0xff && bytes[11] == 0xff;
    if (mapped) {
      std::snprintf(out, sizeof out, "%u.%u.%u.0/24", bytes[12], bytes[13], bytes[14]);
      return out;
    }
    std::snprintf(out, sizeof out, "%x:%x:%x::/48", (bytes[0] << 8) | bytes[1],
                  (bytes[2] << 8) | bytes[3], (bytes[4] << 8) | bytes[5]);
    return out;
  }
  return text;
}

}  // namespace paddock::arena
