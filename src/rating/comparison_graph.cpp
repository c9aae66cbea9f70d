#include "rating/comparison_graph.hpp"

#include <algorithm>

namespace paddock::rating {

namespace {

struct Adjacency {
  std::vector<std::vector<uint32_t>> out, in;
  std::vector<char> active;
};

Adjacency build(const PairTotals& pairs) {
  Adjacency g;
  g.out.resize(pairs.models);
  g.in.resize(pairs.models);
  g.active.assign(pairs.models, 0);
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    if (!(pairs.games[p] > 0)) continue;
    const uint32_t i = pairs.first[p], j = pairs.second[p];
    g.active[i] = g.active[j] = 1;
    if (pairs.credit[p] > 0) {  // i took credit from j
      g.out[i].push_back(j);
      g.in[j].push_back(i);
    }
    if (pairs.games[p] - pairs.credit[p] > 0) {
      g.out[j].push_back(i);
      g.in[i].push_back(j);
    }
  }
  return g;
}

// Number of nodes reached from `start` along `edges`.
std::size_t reach(const std::vector<std::vector<uint32_t>>& edges, uint32_t start) {
  std::vector<char> seen(edges.size(), 0);
  std::vector<uint32_t> stack{start};
  seen[start] = 1;
  std::size_t count = 1;
  while (!stack.empty()) {
    const uint32_t v = stack.back();
    stack.pop_back();
    for (uint32_t w : edges[v]) {
      if (!seen[w]) {
        seen[w] = 1;
        ++count;
        stack.push_back(w);
      }
    }
  }
  return count;
}

}  // namespace

bool strongly_connected(const PairTotals& pairs) {
  const Adjacency g = build(pairs);
  std::size_t active = 0;
  uint32_t start = 0;
  for (uint32_t v = 0; v < g.active.size(); ++v) {
    if (g.active[v]) {
      if (active == 0) start = v;
      ++active;
    }
  }
  if (active <= 1) return true;
  return reach(g.out, start) == active && reach(g.in, start) == active;
}

std::vector<std::vector<uint32_t>> graph_pieces(const PairTotals& pairs) {
  // Union-find over the pairs with games; cheap enough for every bootstrap round.
  std::vector<uint32_t> parent(pairs.models);
  std::vector<char> active(pairs.models, 0);
  for (uint32_t v = 0; v < parent.size(); ++v) parent[v] = v;
  auto root = [&](uint32_t v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    if (!(pairs.games[p] > 0)) continue;
    const uint32_t i = pairs.first[p], j = pairs.second[p];
    active[i] = active[j] = 1;
    const uint32_t ri = root(i), rj = root(j);
    if (ri != rj) parent[std::max(ri, rj)] = std::min(ri, rj);
  }
  std::vector<std::vector<uint32_t>> pieces;
  std::vector<int> piece_of_root(pairs.models, -1);
  for (uint32_t v = 0; v < parent.size(); ++v) {  // v ascending: each piece comes out sorted
    if (!active[v]) continue;
    const uint32_t r = root(v);
    if (piece_of_root[r] < 0) {
      piece_of_root[r] = static_cast<int>(pieces.size());
      pieces.emplace_back();
    }
    pieces[static_cast<std::size_t>(piece_of_root[r])].push_back(v);
  }
  return pieces;
}

GraphDiagnosis diagnose_graph(const PairTotals& pairs) {
  const Adjacency g = build(pairs);
  GraphDiagnosis d;
  for (uint32_t v = 0; v < g.active.size(); ++v) {
    if (!g.active[v]) continue;
    if (g.in[v].empty()) d.never_lost.push_back(v);
    if (g.out[v].empty()) d.never_won.push_back(v);
  }
  d.pieces = graph_pieces(pairs);
  return d;
}

}  // namespace paddock::rating
