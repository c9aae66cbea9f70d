#pragma once
// What the Bradley-Terry likelihood needs from the votes: for each pair of models that met,
// the (weighted) number of games and the first model's credit, a win counting 1 and a tie
// or both-bad 1/2 (kWinCredit, kTieCredit).

#include <cstdint>
#include <vector>

namespace paddock::rating {

struct PairTotals {
  std::size_t models = 0;
  std::vector<uint32_t> first, second;  // first < second
  std::vector<double> games;            // n_ij
  std::vector<double> credit;           // s_ij: the first model's credit; the second's is n - s
  std::vector<double> ties;  // t_ij: of n_ij, the ties and both-bad (only the Davidson model
                             // reads it; may be empty otherwise)

  std::size_t size() const { return first.size(); }
};

}  // namespace paddock::rating
