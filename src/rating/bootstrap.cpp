#include "rating/bootstrap.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <tuple>

#include "rating/bradley_terry.hpp"
#include "rating/davidson.hpp"
#include "rating/newton.hpp"
#include "rating/random.hpp"
#include "rating/scale.hpp"

namespace paddock::rating {

namespace {

// Credit classes of a draw cell, from the pair's first model's side.
enum DrawCredit : uint8_t { kDrawWin = 0, kDrawTie = 1, kDrawLoss = 2 };
constexpr double kDrawCredit[] = {kWinCredit, kTieCredit, 0.0};

// Cells as the draws see them: ties and both-bad merged, sorted by (pair, credit, group,
// weight).
struct DrawCells {
  std::vector<uint32_t> pair;
  std::vector<uint8_t> credit;
  std::vector<uint32_t> group;
  std::vector<double> weight;
  std::vector<int64_t> count;
};

DrawCells merge_ties(const Cells& cells) {
  struct Key {
    uint32_t pair;
    uint8_t credit;
    uint32_t group;
    double weight;
    int64_t count;
  };
  std::vector<Key> keys;
  keys.reserve(cells.count.size());
  for (std::size_t k = 0; k < cells.count.size(); ++k) {
    uint8_t credit = kDrawTie;
    if (cells.outcome[k] == kFirstWins) credit = kDrawWin;
    if (cells.outcome[k] == kSecondWins) credit = kDrawLoss;
    keys.push_back({cells.pair[k], credit, cells.group[k], cells.weight[k], cells.count[k]});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& x, const Key& y) {
    return std::tie(x.pair, x.credit, x.group, x.weight) <
           std::tie(y.pair, y.credit, y.group, y.weight);
  });
  DrawCells d;
  for (const auto& k : keys) {
    if (!d.pair.empty() && d.pair.back() == k.pair && d.credit.back() == k.credit &&
        d.group.back() == k.group && d.weight.back() == k.weight) {
      d.count.back() += k.count;
      continue;
    }
    d.pair.push_back(k.pair);
    d.credit.push_back(k.credit);
    d.group.push_back(k.group);
    d.weight.push_back(k.weight);
    d.count.push_back(k.count);
  }
  return d;
}

// Rounds a worker draws at once (their counts: 32 x cells int64).
constexpr int kRoundsPerBlock = 32;

// One worker's state: everything a round needs, allocated once.
struct RoundWorker {
  BradleyTerrySolver solver;
  PairTotals totals;
  std::vector<int64_t> drawn, group_counts;
  std::vector<double> group_weight, model_games;
};

}  // namespace

BootstrapResult run_bootstrap(const Cells& cells, const CategoryWeighting* weighting,
                              std::span<const double> start, const Anchor& anchor, int rounds,
                              uint64_t seed, int threads, TieModel ties, double start_nu) {
  BootstrapResult result;
  result.rounds = rounds;
  result.models = cells.models.size();
  const std::size_t models = cells.models.size();
  result.ratings.assign(static_cast<std::size_t>(rounds) * models, 0.0);
  if (rounds <= 0) return result;
  const bool davidson = ties == TieModel::Davidson;
  if (davidson) result.tie_parameter.assign(static_cast<std::size_t>(rounds), 0.0);

  const DrawCells draw = merge_ties(cells);
  // Each round's counts: Multinomial(N, c_k / N) over the cells, as resampling the N votes.
  const MultinomialSampler sampler(cells.votes, draw.count);
  std::size_t groups = 1;
  for (uint32_t g : draw.group) groups = std::max<std::size_t>(groups, g + 1);

  std::atomic<int> next_round{0};
  std::atomic<int> prior_rounds{0};
  std::atomic<int> piece_rounds{0};
  // Fits one round's drawn counts into its row of the result.
  auto fit_round = [&](RoundWorker& w, std::span<const int64_t> drawn, int round) {
    if (weighting != nullptr) {
      std::fill(w.group_counts.begin(), w.group_counts.end(), 0);
      for (std::size_t k = 0; k < drawn.size(); ++k) w.group_counts[draw.group[k]] += drawn[k];
      weighting->weights(w.group_counts, w.group_weight);
    }
    std::fill(w.totals.games.begin(), w.totals.games.end(), 0.0);
    std::fill(w.totals.credit.begin(), w.totals.credit.end(), 0.0);
    std::fill(w.totals.ties.begin(), w.totals.ties.end(), 0.0);
    // A pair's cells are consecutive: sum them in registers (in memory, each cell waited for
    // the last one's store), in the same order, so the sums are the same.
    for (std::size_t k = 0; k < drawn.size();) {
      const uint32_t pair = draw.pair[k];
      double games = 0, credit = 0, tied = 0;
      for (; k < drawn.size() && draw.pair[k] == pair; ++k) {
        if (drawn[k] == 0) continue;
        const double g =
            w.group_weight[draw.group[k]] * (draw.weight[k] * static_cast<double>(drawn[k]));
        games += g;
        credit += g * kDrawCredit[draw.credit[k]];
        if (draw.credit[k] == kDrawTie) tied += g;
      }
      w.totals.games[pair] = games;
      w.totals.credit[pair] = credit;
      if (davidson) w.totals.ties[pair] = tied;
    }
    std::span<double> row(result.ratings.data() + static_cast<std::size_t>(round) * models, models);
    if (davidson) {
      const DavidsonFit fit = fit_davidson(w.totals, start, start_nu);
      if (fit.prior_used) ++prior_rounds;
      result.tie_parameter[static_cast<std::size_t>(round)] = fit.nu;
      anchor_scores(fit.theta, anchor, row);
    } else {
      const BradleyTerryFit fit = w.solver.fit(w.totals, start);
      if (fit.prior_used) ++prior_rounds;
      if (fit.pieces > 1) ++piece_rounds;
      anchor_scores(fit.theta, anchor, row);
    }
  };
  auto work = [&]() {
    RoundWorker w;
    w.solver.set_chord_steps(true);
    w.totals.models = models;
    w.totals.first = cells.first;
    w.totals.second = cells.second;
    w.totals.games.resize(cells.first.size());
    w.totals.credit.resize(cells.first.size());
    if (davidson) w.totals.ties.resize(cells.first.size());
    w.group_counts.resize(groups);
    w.group_weight.assign(groups, 1.0);
    w.model_games.resize(models);
    // Round r draws from its own stream, so the results do not depend on the threads. A
    // worker draws a block of rounds at once (cell by cell: each cell's table stays in
    // cache), then fits them one by one.
    std::vector<Xoshiro256> rngs;
    const std::size_t cells_per_round = draw.count.size();
    w.drawn.resize(static_cast<std::size_t>(kRoundsPerBlock) * cells_per_round);
    for (int first = next_round.fetch_add(kRoundsPerBlock); first < rounds;
         first = next_round.fetch_add(kRoundsPerBlock)) {
      const int block = std::min(kRoundsPerBlock, rounds - first);
      rngs.clear();
      for (int r = 0; r < block; ++r) {
        rngs.push_back(Xoshiro256::for_stream(seed, static_cast<uint64_t>(first + r)));
      }
      const std::span<int64_t> drawn(w.drawn.data(),
                                     static_cast<std::size_t>(block) * cells_per_round);
      sampler.draw_rounds(rngs, drawn);
      for (int r = 0; r < block; ++r) {
        fit_round(w, drawn.subspan(static_cast<std::size_t>(r) * cells_per_round, cells_per_round),
                  first + r);
      }
    }
  };

  run_workers(threads, rounds, work);
  result.prior_rounds = prior_rounds.load();
  result.piece_rounds = piece_rounds.load();
  return result;
}

}  // namespace paddock::rating
