// compute_board: the steps of docs/rating-method.md, in order.

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <future>
#include <numeric>
#include <thread>

#include "fmt/core.h"
#include "rating/anchor.hpp"
#include "rating/bootstrap.hpp"
#include "rating/bradley_terry.hpp"
#include "rating/category_weights.hpp"
#include "rating/cells.hpp"
#include "rating/comparison_graph.hpp"
#include "rating/elo.hpp"
#include "rating/ranks.hpp"
#include "rating/rating.hpp"
#include "rating/scale.hpp"
#include "rating/vote_selection.hpp"

namespace paddock::rating {

namespace {

constexpr int kMaxBootstrapRounds = 1'000'000;
constexpr std::size_t kNamesInNote = 5;  // names listed in a note before "and N more"

class Stopwatch {
 public:
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return seconds;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

Status validate(const BoardOptions& o) {
  if (o.bootstrap_rounds < 0 || o.bootstrap_rounds > kMaxBootstrapRounds) {
    return fail("bad_option", fmt::format("bootstrap rounds must be 0..{}, not {}",
                                          kMaxBootstrapRounds, o.bootstrap_rounds));
  }
  if (!(o.ci_level > 0 && o.ci_level < 1)) {
    return fail("bad_option", fmt::format("ci level must be between 0 and 1, not {}", o.ci_level));
  }
  if (!std::isfinite(o.anchor_value)) return fail("bad_option", "anchor value is not finite");
  if (o.min_votes < 0) return fail("bad_option", "min votes must not be negative");
  if (o.threads < 0) return fail("bad_option", "threads must not be negative");
  if (o.filter.since && o.filter.until && !(*o.filter.since < *o.filter.until)) {
    return fail("bad_option", "since must be before until");
  }
  return ok();
}

std::string name_list(const std::vector<uint32_t>& models, const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t k = 0; k < models.size() && k < kNamesInNote; ++k) {
    if (!out.empty()) out += ", ";
    out += names[models[k]];
  }
  if (models.size() > kNamesInNote)
    out += fmt::format(" and {} more", models.size() - kNamesInNote);
  return out;
}

std::string prior_note(const PairTotals& totals, const std::vector<std::string>& names) {
  const GraphDiagnosis d = diagnose_graph(totals);
  std::vector<std::string> reasons;
  if (d.pieces.size() > 1) {
    std::string groups;
    for (std::size_t k = 0; k < d.pieces.size() && k < kNamesInNote; ++k) {
      if (!groups.empty()) groups += " | ";
      groups += "{" + name_list(d.pieces[k], names) + "}";
    }
    reasons.push_back(fmt::format(
        "the models fall into {} groups that never met ({}); how the groups compare is set by "
        "the prior alone",
        d.pieces.size(), groups));
  }
  if (!d.never_lost.empty()) reasons.push_back("never lost: " + name_list(d.never_lost, names));
  if (!d.never_won.empty()) reasons.push_back("never won: " + name_list(d.never_won, names));
  if (reasons.empty()) {
    reasons.emplace_back("one group of models never lost a vote to the others");
  }
  std::string why;
  for (const auto& r : reasons) why += (why.empty() ? "" : "; ") + r;
  return fmt::format(
      "The maximum-likelihood scores do not exist for these votes ({}). Every model therefore "
      "also plays {} virtual tie game against a fixed reference player: a very weak prior that "
      "keeps all scores finite and pulls the affected ones toward the middle.",
      why, kPriorVirtualGames);
}

// Category groups for weighting: the category sets that have selected votes, in canonical
// order (by their sorted names). Sets whose categories all have share 0 leave the selection.
struct Groups {
  std::vector<uint32_t> group_of_set;
  std::vector<std::vector<std::string>> names;
  std::vector<int64_t> counts;
};

Groups category_groups(const VoteTable& votes, VoteSelection& selection,
                       const CategoryWeights& weights) {
  std::vector<int64_t> per_set(votes.category_set_count(), 0);
  const auto sets = votes.category_set();
  const auto a = votes.model_a();
  const auto b = votes.model_b();
  for (std::size_t v = 0; v < votes.size(); ++v) {
    if (selection.contains(v) && a[v] != b[v]) ++per_set[sets[v]];
  }
  auto names_of = [&](uint32_t s) {
    std::vector<std::string> names;
    for (uint32_t c : votes.category_set_members(s)) names.push_back(votes.category_names()[c]);
    return names;  // sorted: members are kept sorted by name
  };
  auto has_share = [&](const std::vector<std::string>& names) {
    if (weights.balanced) return true;
    if (names.empty()) {
      auto it = weights.shares.find(std::string(kUncategorized));
      return it != weights.shares.end() && it->second > 0;
    }
    return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
      auto it = weights.shares.find(n);
      return it != weights.shares.end() && it->second > 0;
    });
  };
  std::vector<std::pair<std::vector<std::string>, uint32_t>> used;
  for (uint32_t s = 0; s < per_set.size(); ++s) {
    if (per_set[s] == 0) continue;
    auto names = names_of(s);
    if (has_share(names)) {
      used.emplace_back(std::move(names), s);
    } else {
      selection.exclude_set(s);
    }
  }
  std::sort(used.begin(), used.end());
  Groups g;
  g.group_of_set.assign(votes.category_set_count(), 0);
  for (uint32_t k = 0; k < used.size(); ++k) {
    g.group_of_set[used[k].second] = k;
    g.names.push_back(used[k].first);
    g.counts.push_back(per_set[used[k].second]);
  }
  return g;
}

}  // namespace

Result<Board> compute_board(const VoteTable& votes, const BoardOptions& options) {
  if (auto status = validate(options); !status) return std::unexpected(status.error());
  Stopwatch clock;
  Board board;
  board.anchor = options.anchor_model
                     ? fmt::format("{}={}", *options.anchor_model, options.anchor_value)
                     : fmt::format("mean={}", options.anchor_value);
  board.seed = options.seed;
  board.bootstrap = options.bootstrap_rounds;
  board.ci = options.ci_level;
  board.weights = describe_weights(options.weights);
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // 1. Filter and group by category, then aggregate into cells.
  VoteSelection selection(votes, options.filter);
  Groups groups;
  std::optional<CategoryWeighting> weighting;
  if (options.weights) {
    groups = category_groups(votes, selection, *options.weights);
    if (!groups.counts.empty()) {
      auto made = CategoryWeighting::make(*options.weights, groups.names, groups.counts);
      if (!made) return std::unexpected(made.error());
      weighting = std::move(*made);
    }
  } else {
    groups.group_of_set.assign(votes.category_set_count(), 0);
  }
  const auto group_count = static_cast<uint32_t>(std::max<std::size_t>(1, groups.counts.size()));

  // Elo needs only the selected votes in order: run it beside everything else. It works on
  // the table's model indices; the rows pick their entries later.
  std::vector<uint32_t> identity(votes.model_count());
  std::iota(identity.begin(), identity.end(), 0u);
  double elo_seconds = 0;
  auto elo_future = std::async(std::launch::async, [&] {
    Stopwatch elo_clock;
    EloResult result = online_elo(votes, selection, identity, votes.model_count());
    elo_seconds = elo_clock.lap();
    return result;
  });
  const Cells cells = aggregate_cells(votes, selection, groups.group_of_set, group_count);
  board.votes = cells.votes;
  if (cells.self_matches > 0) {
    board.notes.push_back(
        fmt::format("{} self-matches (a model against itself) were left out.", cells.self_matches));
  }
  board.timings.aggregate = clock.lap();
  if (cells.votes == 0) {
    elo_future.wait();
    board.notes.emplace_back("No votes match the filters.");
    return board;
  }

  const std::size_t m = cells.models.size();
  Anchor anchor{std::nullopt, options.anchor_value};
  if (options.anchor_model) {
    const auto it = std::find(cells.models.begin(), cells.models.end(), *options.anchor_model);
    if (it == cells.models.end()) {
      elo_future.wait();
      return fail("unknown_anchor",
                  fmt::format("anchor model \"{}\" has no votes", *options.anchor_model));
    }
    anchor.model = static_cast<uint32_t>(it - cells.models.begin());
  }

  // 2. Pair totals (weighted) and the full fit.
  std::vector<double> group_weight(group_count, 1.0);
  if (weighting) {
    weighting->weights(groups.counts, group_weight);
    const auto memberships = weighting->memberships(groups.counts);
    double total = 0;
    for (double x : memberships) total += x;
    for (std::size_t c = 0; c < weighting->categories().size(); ++c) {
      board.categories.push_back({weighting->categories()[c], memberships[c],
                                  memberships[c] / total, weighting->target_shares()[c]});
    }
  }
  PairTotals totals;
  totals.models = m;
  totals.first = cells.first;
  totals.second = cells.second;
  totals.games.assign(cells.first.size(), 0.0);
  totals.credit.assign(cells.first.size(), 0.0);
  struct Counts {
    int64_t votes = 0, wins = 0, losses = 0, ties = 0;
  };
  std::vector<Counts> model_counts(m);
  std::vector<std::array<int64_t, kCellOutcomes>> pair_counts(cells.first.size());
  for (std::size_t k = 0; k < cells.count.size(); ++k) {
    const uint32_t p = cells.pair[k];
    const int64_t c = cells.count[k];
    const double games = group_weight[cells.group[k]] * static_cast<double>(c);
    totals.games[p] += games;
    pair_counts[p][cells.outcome[k]] += c;
    switch (cells.outcome[k]) {
      case kFirstWins:
        totals.credit[p] += games * kWinCredit;
        break;
      case kSecondWins:
        break;
      default:
        totals.credit[p] += games * kTieCredit;
    }
  }
  for (std::size_t p = 0; p < cells.first.size(); ++p) {
    const auto& pc = pair_counts[p];
    Counts& f = model_counts[cells.first[p]];
    Counts& s = model_counts[cells.second[p]];
    const int64_t ties = pc[kTie] + pc[kBothBad];
    const int64_t n = pc[kFirstWins] + pc[kSecondWins] + ties;
    f.votes += n;
    s.votes += n;
    f.wins += pc[kFirstWins];
    f.losses += pc[kSecondWins];
    s.wins += pc[kSecondWins];
    s.losses += pc[kFirstWins];
    f.ties += ties;
    s.ties += ties;
  }

  BradleyTerrySolver solver;
  const BradleyTerryFit fit = solver.fit(totals);
  std::vector<double> ratings(m);
  anchor_scores(fit.theta, anchor, ratings);
  board.prior_used = fit.prior_used;
  if (fit.prior_used) board.notes.push_back(prior_note(totals, cells.models));
  if (!fit.converged) {
    board.notes.push_back(fmt::format(
        "The fit stopped after {} Newton steps without meeting its tolerance.", fit.iterations));
  }
  board.timings.fit = clock.lap();

  // 3. Bootstrap intervals.
  std::vector<Interval> intervals(m, Interval{std::nan(""), std::nan("")});
  if (options.bootstrap_rounds > 0) {
    const BootstrapResult boot =
        run_bootstrap(cells, weighting ? &*weighting : nullptr, fit.theta, anchor,
                      options.bootstrap_rounds, options.seed, threads);
    intervals = percentile_intervals(boot.ratings, m, options.ci_level);
    board.bootstrap_prior_rounds = boot.prior_rounds;
    if (boot.prior_rounds > 0) {
      board.notes.push_back(fmt::format(
          "In {} of {} bootstrap rounds the resampled votes left some model undefeated, "
          "winless or cut off, and those rounds used the same weak prior.",
          boot.prior_rounds, options.bootstrap_rounds));
    }
  } else {
    board.notes.emplace_back(
        "No bootstrap: intervals are not computed and rank ranges are "
        "the plain ranks.");
  }
  board.timings.bootstrap = clock.lap();

  // 4. Elo in tstamp order (computed meanwhile).
  const EloResult elo = elo_future.get();
  board.timings.elo = elo_seconds;
  if (elo.table_order) {
    board.notes.emplace_back(
        "Some votes have no tstamp, so Elo took the votes in the order "
        "of the log.");
  }
  clock.lap();  // waiting for Elo: counted in its own time

  // 5. Rows: preliminary models, ranks among the models shown, pairs.
  std::vector<uint32_t> shown;
  int64_t hidden = 0;
  for (uint32_t i = 0; i < m; ++i) {
    const bool preliminary = model_counts[i].votes < options.min_votes;
    if (preliminary && options.hide_preliminary) {
      ++hidden;
    } else {
      shown.push_back(i);
    }
  }
  if (hidden > 0) {
    board.notes.push_back(fmt::format(
        "{} preliminary models (fewer than {} votes) are hidden; they still count in the fit.",
        hidden, options.min_votes));
  }
  std::sort(shown.begin(), shown.end(), [&](uint32_t x, uint32_t y) {
    if (ratings[x] != ratings[y]) return ratings[x] > ratings[y];
    return cells.models[x] < cells.models[y];
  });
  std::vector<double> shown_ratings;
  std::vector<Interval> shown_intervals;
  for (uint32_t i : shown) {
    shown_ratings.push_back(ratings[i]);
    shown_intervals.push_back(intervals[i]);
  }
  const auto ranks = rank_ranges(shown_ratings, shown_intervals);
  std::vector<char> is_shown(m, 0);
  for (std::size_t k = 0; k < shown.size(); ++k) {
    const uint32_t i = shown[k];
    is_shown[i] = 1;
    const Counts& c = model_counts[i];
    ModelRow row;
    row.model = cells.models[i];
    row.rating = ratings[i];
    row.ci_low = intervals[i].low;
    row.ci_high = intervals[i].high;
    row.rank = ranks[k].rank;
    row.rank_best = ranks[k].best;
    row.rank_worst = ranks[k].worst;
    row.votes = c.votes;
    row.wins = c.wins;
    row.losses = c.losses;
    row.ties = c.ties;
    row.win_rate = c.votes > 0
                       ? (static_cast<double>(c.wins) + kTieCredit * static_cast<double>(c.ties)) /
                             static_cast<double>(c.votes)
                       : 0.0;
    row.elo = elo.ratings[cells.table_model[i]];
    row.preliminary = c.votes < options.min_votes;
    board.models.push_back(std::move(row));
  }
  for (std::size_t p = 0; p < cells.first.size(); ++p) {
    const uint32_t i = cells.first[p], j = cells.second[p];
    if (!is_shown[i] || !is_shown[j]) continue;
    const auto& pc = pair_counts[p];
    PairRow row;
    row.model_a = cells.models[i];
    row.model_b = cells.models[j];
    row.a_wins = pc[kFirstWins];
    row.b_wins = pc[kSecondWins];
    row.ties = pc[kTie] + pc[kBothBad];
    row.votes = row.a_wins + row.b_wins + row.ties;
    row.predicted_a_win = win_probability(ratings[i], ratings[j]);
    board.pairs.push_back(std::move(row));
  }
  board.timings.assemble = clock.lap();
  return board;
}

}  // namespace paddock::rating
