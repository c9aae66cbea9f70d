#pragma once
// The comparison graph: model i points at model j when i took some credit from j (a win or
// a tie). The Bradley-Terry maximum-likelihood scores exist (are finite) exactly when this
// graph is strongly connected (Zermelo 1929; Ford 1957): otherwise some group of models never
// lost to the rest, and the likelihood keeps growing as that group's scores go to infinity.

#include <cstdint>
#include <string>
#include <vector>

#include "rating/pair_totals.hpp"

namespace paddock::rating {

// True when every model with games can reach every other one along the graph.
// Models without games are ignored.
bool strongly_connected(const PairTotals& pairs);

struct GraphDiagnosis {
  std::vector<uint32_t> never_lost;           // models with games but no credit taken from them
  std::vector<uint32_t> never_won;            // models with games but no credit of their own
  std::vector<std::vector<uint32_t>> pieces;  // groups of models that met each other (>1 means
                                              // the graph falls apart)
};

// The pieces of the graph ignoring direction: models with games that met, directly or
// through others. Each piece sorted; pieces in order of their first model.
std::vector<std::vector<uint32_t>> graph_pieces(const PairTotals& pairs);

// Why the graph is not strongly connected, for the board's notes.
GraphDiagnosis diagnose_graph(const PairTotals& pairs);

}  // namespace paddock::rating
