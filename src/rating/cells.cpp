#include "rating/cells.hpp"

#include <algorithm>
#include <numeric>
#include <thread>
#include <unordered_map>

#include "rating/scale.hpp"

namespace paddock::rating {

namespace {

// Above this many counters the dense array gets too big; a hash map takes over.
constexpr std::size_t kDenseCellLimit = std::size_t{1} << 22;
// Counting is split over threads only for large tables (a thread per this many votes).
constexpr std::size_t kVotesPerCountingThread = std::size_t{1} << 20;
constexpr std::size_t kMaxCountingThreads = 2;

// Index of the unordered pair (lo < hi) among m models, row by row.
inline std::size_t triangle_index(std::size_t lo, std::size_t hi, std::size_t m) {
  return lo * (2 * m - lo - 1) / 2 + (hi - lo - 1);
}

struct RawCell {
  uint32_t lo, hi;  // table model indices, lo < hi
  uint8_t outcome;  // from lo's side
  uint32_t group;
  uint32_t weight_class;
  int64_t count;
};

// Counts the selected votes per (table pair, outcome, group, weight class); calls emit for
// each nonzero.
template <typename Emit>
void count_cells(const VoteTable& votes, const VoteSelection& selection,
                 std::span<const uint32_t> group_of_set, uint32_t groups, int64_t& self_matches,
                 Emit emit) {
  const std::size_t m = votes.model_count();
  const auto a = votes.model_a();
  const auto b = votes.model_b();
  const auto o = votes.outcome();
  const auto s = votes.category_set();
  const std::size_t n = votes.size();
  const std::size_t pairs = m < 2 ? 0 : m * (m - 1) / 2;
  // Without weights there is one class, and the keys are those of (pair, outcome, group).
  const std::size_t classes = votes.weight_values().size();
  const std::size_t slots = pairs * kCellOutcomes * groups * classes;

  auto key_of = [&](std::size_t v, std::size_t& key) {
    uint32_t lo = a[v], hi = b[v];
    auto outcome = static_cast<uint8_t>(o[v]);
    if (lo == hi) return false;
    if (lo > hi) {
      std::swap(lo, hi);
      if (outcome == kFirstWins || outcome == kSecondWins) outcome ^= 1;
    }
    key = (triangle_index(lo, hi, m) * kCellOutcomes + outcome) * groups + group_of_set[s[v]];
    if (classes > 1) key = key * classes + votes.weight_class(v);
    return true;
  };
  auto decode = [&](std::size_t key, int64_t count) {
    const auto weight_class = static_cast<uint32_t>(key % classes);
    key /= classes;
    const auto group = static_cast<uint32_t>(key % groups);
    key /= groups;
    const auto outcome = static_cast<uint8_t>(key % kCellOutcomes);
    const std::size_t t = key / kCellOutcomes;
    // The row lo is the last one starting at or before t (row starts grow with lo;
    // the start of the row past the last, m - 1, is the number of pairs, beyond any t).
    std::size_t low = 0, high = m - 1;
    while (high - low > 1) {
      const std::size_t mid = (low + high) / 2;
      (triangle_index(mid, mid + 1, m) <= t ? low : high) = mid;
    }
    const std::size_t lo = low;
    const std::size_t hi = lo + 1 + (t - triangle_index(lo, lo + 1, m));
    emit(RawCell{static_cast<uint32_t>(lo), static_cast<uint32_t>(hi), outcome, group, weight_class,
                 count});
  };

  if (slots <= kDenseCellLimit) {
    // Each thread counts a contiguous share of the votes into its own array; integer sums
    // do not depend on how the votes were split.
    const std::size_t threads =
        std::clamp<std::size_t>(n / kVotesPerCountingThread, 1, kMaxCountingThreads);
    std::vector<std::vector<int64_t>> dense(threads);
    std::vector<int64_t> self(threads, 0);
    auto count_range = [&](std::size_t t) {
      dense[t].assign(slots, 0);
      const std::size_t begin = n * t / threads, end = n * (t + 1) / threads;
      for (std::size_t v = begin; v < end; ++v) {
        if (!selection.contains(v)) continue;
        std::size_t key = 0;
        if (key_of(v, key)) {
          ++dense[t][key];
        } else {
          ++self[t];
        }
      }
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(count_range, t);
    count_range(0);
    for (auto& th : pool) th.join();
    for (std::size_t t = 1; t < threads; ++t) {
      for (std::size_t key = 0; key < slots; ++key) dense[0][key] += dense[t][key];
    }
    for (int64_t x : self) self_matches += x;
    for (std::size_t key = 0; key < slots; ++key) {
      if (dense[0][key] != 0) decode(key, dense[0][key]);
    }
  } else {
    std::unordered_map<std::size_t, int64_t> sparse;
    for (std::size_t v = 0; v < n; ++v) {
      if (!selection.contains(v)) continue;
      std::size_t key = 0;
      if (key_of(v, key)) {
        ++sparse[key];
      } else {
        ++self_matches;
      }
    }
    std::vector<std::pair<std::size_t, int64_t>> sorted(sparse.begin(), sparse.end());
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [key, count] : sorted) decode(key, count);
  }
}

}  // namespace

Cells aggregate_cells(const VoteTable& votes, const VoteSelection& selection,
                      std::span<const uint32_t> group_of_set, uint32_t group_count) {
  Cells cells;
  std::vector<RawCell> raw;
  count_cells(votes, selection, group_of_set, group_count, cells.self_matches,
              [&](const RawCell& c) { raw.push_back(c); });

  // Canonical model order: the models that appear, sorted by name.
  std::vector<char> present(votes.model_count(), 0);
  for (const auto& c : raw) present[c.lo] = present[c.hi] = 1;
  for (uint32_t t = 0; t < present.size(); ++t) {
    if (present[t]) cells.table_model.push_back(t);
  }
  std::sort(cells.table_model.begin(), cells.table_model.end(),
            [&](uint32_t x, uint32_t y) { return votes.model_name(x) < votes.model_name(y); });
  std::vector<uint32_t> canonical(votes.model_count(), 0);
  for (uint32_t i = 0; i < cells.table_model.size(); ++i) {
    canonical[cells.table_model[i]] = i;
    cells.models.push_back(votes.model_name(cells.table_model[i]));
  }

  for (auto& c : raw) {
    uint32_t lo = canonical[c.lo], hi = canonical[c.hi];
    if (lo > hi) {
      std::swap(lo, hi);
      if (c.outcome == kFirstWins || c.outcome == kSecondWins) c.outcome ^= 1;
    }
    c.lo = lo;
    c.hi = hi;
  }
  // Weights in order of value, not of their class (the order the table met them in).
  const auto weights = votes.weight_values();
  std::sort(raw.begin(), raw.end(), [&](const RawCell& x, const RawCell& y) {
    return std::tie(x.lo, x.hi, x.outcome, x.group, weights[x.weight_class]) <
           std::tie(y.lo, y.hi, y.outcome, y.group, weights[y.weight_class]);
  });

  for (const auto& c : raw) {
    if (cells.first.empty() || cells.first.back() != c.lo || cells.second.back() != c.hi) {
      cells.first.push_back(c.lo);
      cells.second.push_back(c.hi);
    }
    cells.pair.push_back(static_cast<uint32_t>(cells.first.size() - 1));
    cells.outcome.push_back(c.outcome);
    cells.group.push_back(c.group);
    cells.weight.push_back(weights[c.weight_class]);
    cells.count.push_back(c.count);
    cells.votes += c.count;
    if (c.weight_class != 0) cells.down_weighted += c.count;
    cells.weight_total += weights[c.weight_class] * static_cast<double>(c.count);
  }
  return cells;
}

double first_model_credit(uint8_t outcome) {
  if (outcome == kFirstWins) return kWinCredit;
  if (outcome == kSecondWins) return 0.0;
  return kTieCredit;
}

PairTotals pair_totals_of(const Cells& cells, std::span<const double> games) {
  PairTotals t;
  t.models = cells.models.size();
  t.first = cells.first;
  t.second = cells.second;
  t.games.assign(cells.first.size(), 0.0);
  t.credit.assign(cells.first.size(), 0.0);
  t.ties.assign(cells.first.size(), 0.0);
  for (std::size_t k = 0; k < games.size(); ++k) {
    const uint32_t p = cells.pair[k];
    t.games[p] += games[k];
    switch (cells.outcome[k]) {
      case kFirstWins:
        t.credit[p] += games[k] * kWinCredit;
        break;
      case kSecondWins:
        break;
      default:
        t.credit[p] += games[k] * kTieCredit;
        t.ties[p] += games[k];
    }
  }
  return t;
}

}  // namespace paddock::rating
