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

}  // namespace

bool strongly_connected(const PairTotals& pairs) {
  GraphCheck check;
  return check.strongly_connected(pairs);
}

int GraphCheck::count_pieces(const PairTotals& pairs) {
  const auto m = static_cast<uint32_t>(pairs.models);
  parent_.resize(m);
  active_.assign(m, 0);
  for (uint32_t v = 0; v < m; ++v) parent_[v] = v;
  auto root = [&](uint32_t v) {
    while (parent_[v] != v) v = parent_[v] = parent_[parent_[v]];
    return v;
  };
  int pieces = 0;
  two_way_ = true;
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    if (!(pairs.games[p] > 0)) continue;
    two_way_ = two_way_ && pairs.credit[p] > 0 && pairs.games[p] - pairs.credit[p] > 0;
    const uint32_t i = pairs.first[p], j = pairs.second[p];
    pieces += (active_[i] == 0) + (active_[j] == 0);  // each new model starts a piece
    active_[i] = active_[j] = 1;
    const uint32_t ri = root(i), rj = root(j);
    if (ri != rj) {
      parent_[std::max(ri, rj)] = std::min(ri, rj);
      --pieces;  // two pieces joined
    }
  }
  return pieces;
}

bool GraphCheck::strongly_connected(const PairTotals& pairs) {
  const auto m = static_cast<uint32_t>(pairs.models);
  // Compressed rows of "i took credit from j" (out) and its reverse (in), by counting.
  out_offsets_.assign(m + 1, 0);
  in_offsets_.assign(m + 1, 0);
  active_.assign(m, 0);
  auto for_each_edge = [&](auto edge) {
    for (std::size_t p = 0; p < pairs.size(); ++p) {
      if (!(pairs.games[p] > 0)) continue;
      const uint32_t i = pairs.first[p], j = pairs.second[p];
      active_[i] = active_[j] = 1;
      if (pairs.credit[p] > 0) edge(i, j);
      if (pairs.games[p] - pairs.credit[p] > 0) edge(j, i);
    }
  };
  for_each_edge([&](uint32_t from, uint32_t to) {
    ++out_offsets_[from + 1];
    ++in_offsets_[to + 1];
  });
  for (uint32_t v = 0; v < m; ++v) {
    out_offsets_[v + 1] += out_offsets_[v];
    in_offsets_[v + 1] += in_offsets_[v];
  }
  out_targets_.resize(out_offsets_[m]);
  in_targets_.resize(in_offsets_[m]);
  stack_.assign(out_offsets_.begin(), out_offsets_.end() - 1);  // next free slot per row
  std::vector<uint32_t>& in_next = parent_;  // scratch: next free slot per in-row
  in_next.assign(in_offsets_.begin(), in_offsets_.end() - 1);
  for_each_edge([&](uint32_t from, uint32_t to) {
    out_targets_[stack_[from]++] = to;
    in_targets_[in_next[to]++] = from;
  });
  std::size_t active = 0;
  uint32_t start = 0;
  for (uint32_t v = 0; v < m; ++v) {
    if (active_[v]) {
      if (active == 0) start = v;
      ++active;
    }
  }
  if (active <= 1) return true;
  return reach(start, out_offsets_, out_targets_) == active &&
         reach(start, in_offsets_, in_targets_) == active;
}

std::size_t GraphCheck::reach(uint32_t start, const std::vector<uint32_t>& offsets,
                              const std::vector<uint32_t>& targets) {
  seen_.assign(offsets.size() - 1, 0);
  stack_.clear();
  stack_.push_back(start);
  seen_[start] = 1;
  std::size_t count = 1;
  while (!stack_.empty()) {
    const uint32_t v = stack_.back();
    stack_.pop_back();
    for (uint32_t e = offsets[v]; e < offsets[v + 1]; ++e) {
      const uint32_t w = targets[e];
      if (!seen_[w]) {
        seen_[w] = 1;
        ++count;
        stack_.push_back(w);
      }
    }
  }
  return count;
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
