#pragma once
// Matchmaking: which two models (and which prompt) a new battle shows. Two modes:
//   - uniform: a uniformly random battle prompt, then two of its models uniformly;
//   - adaptive: a pair of models drawn from a PairingPlan, the probabilities the last fitted
//     board implies — a design for the next votes that narrows what the top of the board
//     still waits for (overlapping intervals of adjacent top ranks, models not yet placed
//     below the top), with a floor of uniform exploration — then a uniformly random prompt
//     both have clips for. The plan is computed when a board is refitted, never per request.
// Either way the pair is drawn on the server and only revealed after the vote, and the
// distribution is public (docs/matchmaking.md gives the formulas, and why the pair a voter
// gets tells them nothing about which model made which clip).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arena/catalog.hpp"
#include "arena/random_bits.hpp"
#include "rating/rating.hpp"

namespace paddock::arena {

enum class MatchmakingMode { Uniform, Adaptive };
// "uniform" or "adaptive".
std::optional<MatchmakingMode> parse_matchmaking_mode(std::string_view name);
std::string_view matchmaking_mode_name(MatchmakingMode mode);

struct MatchmakingOptions {
  MatchmakingMode mode = MatchmakingMode::Adaptive;
  // Share of battles whose pair is drawn uniformly over every possible pair, whatever the
  // board says: no pair is ever starved, and a wrong board corrects itself.
  double exploration = 0.2;
  // The top the plan settles: adjacent ranks within the top `top_ranks` need disjoint
  // intervals, and every model below must be placed below them.
  int top_ranks = 5;
  // The plan is a design for the next `plan_votes` votes, placed one at a time where they
  // lower the board's distance from settled most (docs/matchmaking.md).
  int plan_votes = 250;
  // That distance sums (z sd / gap)^focus_power over the comparisons the top waits for: the
  // higher the power, the more the furthest from settled dominates. Gaps below gap_floor
  // points count as gap_floor.
  double focus_power = 8;
  double gap_floor = 10;
  // Prior standard deviation (points) of every score: what a model nobody has voted on yet
  // is worth, so a new model gets extra battles until its interval narrows.
  double prior_sd = 150;
  // The board's intervals are score -/+ separation_z sd (1.96: 95%); two adjacent ranks are
  // settled once their intervals are disjoint.
  double separation_z = 1.959964;
  // Share of battles that are attention checks (store::Control), on tracks that have any:
  // drawn at random per battle, a random control, on a random side. 0: none.
  double control_share = 0;
};

// What the last fitted board says: each model's score, and how many votes each pair has.
struct BoardEstimates {
  struct Model {
    std::string model_id;
    double rating = 0;  // points
  };
  struct Pair {
    std::string model_a, model_b;
    int64_t votes = 0;
  };
  std::vector<Model> models;
  std::vector<Pair> pairs;
};

// The estimates of a fitted board. `model_id` maps a board name to a model id; rows it does
// not know (nullopt) are left out.
BoardEstimates estimates_from_board(
    const rating::Board& board,
    const std::function<std::optional<std::string>(const std::string&)>& model_id);

// Probabilities of each unordered pair of a track's models, for one fitted board.
struct PairingPlan {
  std::vector<std::string> models;                   // the track's models (CatalogTrack::models)
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // possible pairs (i < j), indices into models
  std::vector<double> value;  // per pair: what one more vote is worth now (docs/matchmaking.md)
  std::vector<double> allocation;   // per pair: its share of the design's next votes (sums to 1)
  std::vector<double> probability;  // per pair; sums to 1
  std::vector<double> cumulative;   // running sum of probability
};

// The plan for `track` from a board's estimates (a track model the board does not have yet
// counts at the board's mean with the prior's uncertainty). Pairs are those that share a
// battle prompt. The adaptive share (1 - exploration) is proportional to `value`; in uniform
// mode, or if no pair has value, the plan is uniform over the pairs.
PairingPlan plan_pairings(const CatalogTrack& track, const BoardEstimates& estimates,
                          const MatchmakingOptions& options);

// A pairing for one battle.
struct Pairing {
  const CatalogPrompt* prompt = nullptr;
  const CatalogClip* left = nullptr;
  const CatalogClip* right = nullptr;
};

// An attention check for one battle.
struct ControlPairing {
  const CatalogPrompt* prompt = nullptr;
  const CatalogControl* control = nullptr;
  bool broken_on_left = false;
};

// Whether this battle is an attention check: with probability `share` (when the track has
// controls), a uniformly random control, its broken clip on a uniformly random side. Draws
// no random bits when share <= 0 or the track has no control, so arenas without controls
// see the same battles as before. nullopt: an ordinary battle.
std::optional<ControlPairing> pick_control(const CatalogTrack& track, double share,
                                           RandomBits& bits);

// One battle's pairing, sides in random order. Without a plan (or with one made for another
// set of models: the catalog changed since), uniform: a random battle prompt, then two of its
// models. With a plan: a pair by the plan's probabilities, then a random prompt of the two.
// nullopt if the track has no battle prompt.
std::optional<Pairing> pick_pairing(const CatalogTrack& track, const PairingPlan* plan,
                                    RandomBits& bits);

}  // namespace paddock::arena
