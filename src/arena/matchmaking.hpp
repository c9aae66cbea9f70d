#pragma once
// Matchmaking: which two models (and which prompt) a new battle shows. Two modes:
//   - uniform: a uniformly random battle prompt, then two of its models uniformly;
//   - adaptive: a pair of models drawn from a PairingPlan, the probabilities the last fitted
//     board implies (towards the comparisons that most reduce the uncertainty of the board's
//     order, with a floor of uniform exploration), then a uniformly random prompt both have
//     clips for. The plan is computed when a board is refitted, never per request.
// Either way the pair is drawn on the server and only revealed after the vote, and the
// distribution is public (docs/matchmaking.md gives the formulas and why the pair a voter
// gets tells them nothing about which model made which clip).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arena/catalog.hpp"
#include "arena/random_bits.hpp"

namespace paddock::arena {

enum class MatchmakingMode { Uniform, Adaptive };
// "uniform" or "adaptive".
std::optional<MatchmakingMode> parse_matchmaking_mode(std::string_view name);
std::string_view matchmaking_mode_name(MatchmakingMode mode);

struct MatchmakingOptions {
  MatchmakingMode mode = MatchmakingMode::Adaptive;
  // Share of battles whose pair is drawn uniformly over every possible pair, whatever the
  // board says: no pair is ever starved, and a wrong board corrects itself.
  double exploration = 0.25;
  // Pairs with a model ranked within the top `top_ranks` weigh `top_weight` times more.
  int top_ranks = 5;
  double top_weight = 2;
  // A model with no score or no interval yet (new, or too few votes) counts as this
  // uncertain (standard deviation, points), at the board's mean: it gets extra battles until
  // its interval narrows.
  double unknown_sd = 150;
};

// What the last fitted board says of one model.
struct ModelEstimate {
  std::string model_id;
  double rating = 0;  // points
  double sd = 0;      // standard deviation of the rating, points; NaN or <= 0: unknown
  int rank = 0;       // 1 = best; 0: not on the board
};

// Probabilities of each unordered pair of a track's models, for one fitted board.
struct PairingPlan {
  std::vector<std::string> models;                   // the track's models (CatalogTrack::models)
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // possible pairs (i < j), indices into models
  std::vector<double> probability;                   // per pair; sums to 1
  std::vector<double> cumulative;                    // running sum of probability
};

// The information weight of comparing two models (docs/matchmaking.md): the reduction of the
// standard deviation of their difference one more vote brings, times the chance their order
// is still open, times top_weight if either is in the top.
double pair_information(const ModelEstimate& a, const ModelEstimate& b,
                        const MatchmakingOptions& options);

// The plan for `track` from the board's estimates (matched by model id; a track model without
// an estimate is unknown). Pairs are those that share a battle prompt. The adaptive share
// (1 - exploration) follows pair_information; if every weight is 0 the plan is uniform.
PairingPlan plan_pairings(const CatalogTrack& track, std::span<const ModelEstimate> estimates,
                          const MatchmakingOptions& options);

// A pairing for one battle.
struct Pairing {
  const CatalogPrompt* prompt = nullptr;
  const CatalogClip* left = nullptr;
  const CatalogClip* right = nullptr;
};

// One battle's pairing, sides in random order. Without a plan (or with one made for another
// set of models: the catalog changed since), uniform: a random battle prompt, then two of its
// models. With a plan: a pair by the plan's probabilities, then a random prompt of the two.
// nullopt if the track has no battle prompt.
std::optional<Pairing> pick_pairing(const CatalogTrack& track, const PairingPlan* plan,
                                    RandomBits& bits);

}  // namespace paddock::arena
