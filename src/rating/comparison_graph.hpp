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

// The same checks with a work space kept between calls, so a fit that runs them on every
// bootstrap round allocates nothing once warm (adjacency as compressed rows, not lists).
class GraphCheck {
 public:
  // Pieces of the graph ignoring direction among the models with games (0: none has games).
  // Also notes whether every pair with games went both ways (each side took some credit):
  // then one piece is the same as strongly connected.
  int count_pieces(const PairTotals& pairs);
  bool two_way() const { return two_way_; }
  bool strongly_connected(const PairTotals& pairs);

 private:
  // Models reached from `start` along the compressed rows (offsets_, targets_).
  std::size_t reach(uint32_t start, const std::vector<uint32_t>& offsets,
                    const std::vector<uint32_t>& targets);

  std::vector<uint32_t> parent_, out_offsets_, out_targets_, in_offsets_, in_targets_, stack_;
  std::vector<char> active_, seen_;
  bool two_way_ = false;
};

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
