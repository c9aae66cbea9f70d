#pragma once
// The board's notes: how edge cases were handled, in words a reader of the board follows.
// Kept apart from the steps of compute_board so those read as the method.

#include <cstdint>
#include <string>
#include <vector>

#include "rating/pair_totals.hpp"

namespace paddock::rating {

// Why the weak prior was needed (models that never lost or never won, pieces that never
// met) and what it does.
std::string prior_note(const PairTotals& totals, const std::vector<std::string>& names);

// That the models fall into pieces, each fitted on its own, whose mutual placement means
// nothing.
std::string pieces_note(const std::vector<std::vector<std::string>>& pieces);

}  // namespace paddock::rating
