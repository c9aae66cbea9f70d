#pragma once
// Private to the arena: a stored vote's choice as the rating's outcome of its battle (the
// left model is model A). The one translation between the two vocabularies, used by the
// leaderboards and the vote export alike, so a board and its export cannot disagree.

#include "rating/rating.hpp"
#include "store/records.hpp"

namespace paddock::arena {

rating::Outcome outcome_of(store::Choice choice);

}  // namespace paddock::arena
