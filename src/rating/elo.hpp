#pragma once
// Online Elo, shown beside the Bradley-Terry score as a reference. Votes are taken one at a
// time in tstamp order; after each, with E_a = 1 / (1 + kBase^((R_b - R_a) / kScale)) and
// S_a = 1, 1/2 or 0 (win, tie or both-bad, loss):  R_a += K (S_a - E_a),  R_b -= K (S_a - E_a).
// Unlike the Bradley-Terry fit it depends on the order of the votes.

#include <cstdint>
#include <span>
#include <vector>

#include "rating/rating.hpp"
#include "rating/vote_selection.hpp"

namespace paddock::rating {

inline constexpr double kEloK = 4;
inline constexpr double kEloStart = 1000;

struct EloResult {
  std::vector<double> ratings;  // per model index given by model_index
  bool table_order = false;     // some vote had no tstamp, so table order was used
};

// Elo over the selected votes, in tstamp order; votes with equal tstamps keep table order.
// If a selected vote has no tstamp, all are taken in table order. `model_index` maps each
// table model to an index below `models`.
EloResult online_elo(const VoteTable& votes, const VoteSelection& selection,
                     std::span<const uint32_t> model_index, std::size_t models);

}  // namespace paddock::rating
