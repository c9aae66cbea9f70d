#include "arena/vote_outcome.hpp"

namespace paddock::arena {

rating::Outcome outcome_of(store::Choice choice) {
  switch (choice) {
    case store::Choice::Left:
      return rating::Outcome::AWins;
    case store::Choice::Right:
      return rating::Outcome::BWins;
    case store::Choice::Tie:
      return rating::Outcome::Tie;
    case store::Choice::BothBad:
      return rating::Outcome::BothBad;
  }
  return rating::Outcome::Tie;
}

}  // namespace paddock::arena
