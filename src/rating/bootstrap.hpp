#pragma once
// Bootstrap of the Bradley-Terry scores on aggregated counts.
//
// Resampling the N votes with replacement gives each distinct cell (pair, outcome, category
// group) a count that is jointly Multinomial(N, c_k / N) over the cells. So each round draws
// those counts directly (a chain of binomials over the cells, in canonical order) and refits:
// the same distribution as resampling votes, at the cost of the number of cells instead of
// N. With vote weights a cell holds votes of one weight, so the draw resamples votes with
// their weights, and each round's cell counts weight * drawn in the refit. Ties and both-bad fall
// in one cell since the fits (both tie models) treat them alike. With category weights, each round
// recomputes the weights from its own category counts, exactly as the board would on a resampled
// log.
//
// Round r draws from the generator Xoshiro256::for_stream(seed, r), so the result does not
// depend on how many threads share the rounds.

#include <cstdint>
#include <span>
#include <vector>

#include "rating/anchor.hpp"
#include "rating/category_weights.hpp"
#include "rating/cells.hpp"

namespace paddock::rating {

struct BootstrapResult {
  int rounds = 0;
  std::size_t models = 0;
  std::vector<double> ratings;        // rounds x models, row-major, in points; NaN where a model
                                      // got no vote in that round (or the anchor model got none)
  int prior_rounds = 0;               // rounds whose fit needed the weak prior
  int piece_rounds = 0;               // rounds whose comparison graph fell into pieces
  std::vector<double> tie_parameter;  // Davidson's nu per round (Davidson only)
};

// REQUIRES: cells.votes > 0; `start` has one theta per model (the full fit) for warm starts
// (and `start_nu` Davidson's nu); `weighting` is null when unweighted (groups are then
// ignored). Each round is fitted with the tie model of the board.
BootstrapResult run_bootstrap(const Cells& cells, const CategoryWeighting* weighting,
                              std::span<const double> start, const Anchor& anchor, int rounds,
                              uint64_t seed, int threads, TieModel ties = TieModel::Half,
                              double start_nu = 0);

}  // namespace paddock::rating
