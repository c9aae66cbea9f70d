#pragma once
// Votes reduced to what the statistics need: the distinct (pair, outcome, group, vote weight)
// cells with
// their counts, models in canonical order (sorted by name) and each pair's lower-index
// model first. Every later step (fit, bootstrap draws, weights) works on these cells, so
// the board depends only on the multiset of votes, never on their order or source.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rating/pair_totals.hpp"
#include "rating/rating.hpp"
#include "rating/vote_selection.hpp"

namespace paddock::rating {

// Outcome classes of a cell, from the pair's first (lower-index) model's side.
enum CellOutcome : uint8_t { kFirstWins = 0, kSecondWins = 1, kTie = 2, kBothBad = 3 };
inline constexpr int kCellOutcomes = 4;

struct Cells {
  std::vector<std::string> models;    // canonical order: sorted by name
  std::vector<uint32_t> table_model;  // canonical index -> the table's model index

  // Pairs that met, sorted by (first, second); first < second.
  std::vector<uint32_t> first, second;

  // Cells sorted by (pair, outcome, group, weight), count > 0. `weight` is the weight of
  // each of the cell's votes (1 unless the votes carry weights), so the cell counts
  // weight * count in the fit.
  std::vector<uint32_t> pair;
  std::vector<uint8_t> outcome;
  std::vector<uint32_t> group;
  std::vector<double> weight;
  std::vector<int64_t> count;

  int64_t votes = 0;          // sum of count
  int64_t down_weighted = 0;  // of those, votes with a weight below 1
  double weight_total = 0;    // sum of weight * count
  int64_t self_matches = 0;   // votes with model_a == model_b, left out
};

// Aggregates the selected votes. `group_of_set` maps each of the table's category sets to a
// group index (use all zeros for one group); groups must already be in canonical order.
Cells aggregate_cells(const VoteTable& votes, const VoteSelection& selection,
                      std::span<const uint32_t> group_of_set, uint32_t group_count);

// The credit one vote of a cell gives the pair's first model: kWinCredit for a win, 0 for a
// loss, kTieCredit for a tie or both-bad.
double first_model_credit(uint8_t outcome);

// The pair totals of the cells, cell k counting games[k] (its weighted games), summed per
// pair in cell order: the board's tally and the robustness refits share it.
PairTotals pair_totals_of(const Cells& cells, std::span<const double> games);

}  // namespace paddock::rating
