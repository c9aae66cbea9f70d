// compute_board: the steps of docs/rating-method.md, one function each, in order.

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <future>
#include <numeric>
#include <thread>

#include "fmt/core.h"
#include "rating/anchor.hpp"
#include "rating/board_notes.hpp"
#include "rating/bootstrap.hpp"
#include "rating/bradley_terry.hpp"
#include "rating/category_weights.hpp"
#include "rating/cells.hpp"
#include "rating/comparison_graph.hpp"
#include "rating/davidson.hpp"
#include "rating/elo.hpp"
#include "rating/presentation_control.hpp"
#include "rating/ranks.hpp"
#include "rating/rating.hpp"
#include "rating/robustness.hpp"
#include "rating/sandwich.hpp"
#include "rating/scale.hpp"
#include "rating/vote_selection.hpp"

namespace paddock::rating {

namespace {

constexpr int kMaxBootstrapRounds = 1'000'000;

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
  if (o.robustness_top < 0) return fail("bad_option", "robustness top must not be negative");
  if (o.filter.since && o.filter.until && !(*o.filter.since < *o.filter.until)) {
    return fail("bad_option", "since must be before until");
  }
  if (!o.control.empty() && o.ties == TieModel::Davidson) {
    return fail("bad_option", "presentation control is fitted with ties as half wins only");
  }
  if (o.intervals == IntervalMethod::Sandwich &&
      (o.ties == TieModel::Davidson || !o.control.empty())) {
    return fail("bad_option",
                "sandwich intervals are offered for the plain fit (ties as half wins, no "
                "control); use the bootstrap");
  }
  return ok();
}

// The board's description of its own options.
Board board_header(const BoardOptions& options) {
  Board board;
  board.anchor = options.anchor_model
                     ? fmt::format("{}={}", *options.anchor_model, options.anchor_value)
                     : fmt::format("mean={}", options.anchor_value);
  board.seed = options.seed;
  board.bootstrap = options.intervals == IntervalMethod::Bootstrap ? options.bootstrap_rounds : 0;
  board.ci = options.ci_level;
  board.weights = describe_weights(options.weights);
  board.intervals = interval_method_name(options.intervals);
  board.ties_model = tie_model_name(options.ties);
  board.control = options.control;
  return board;
}

// ---- 1. which votes, in which category groups ---------------------------------------

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

struct Selected {
  VoteSelection selection;
  Groups groups;
  std::optional<CategoryWeighting> weighting;
  uint32_t group_count = 1;
};

Result<Selected> select_votes(const VoteTable& votes, const BoardOptions& options) {
  Selected s{VoteSelection(votes, options.filter), {}, std::nullopt, 1};
  if (options.weights) {
    s.groups = category_groups(votes, s.selection, *options.weights);
    if (!s.groups.counts.empty()) {
      auto made = CategoryWeighting::make(*options.weights, s.groups.names, s.groups.counts);
      if (!made) return std::unexpected(made.error());
      s.weighting = std::move(*made);
    }
  } else {
    s.groups.group_of_set.assign(votes.category_set_count(), 0);
  }
  s.group_count = static_cast<uint32_t>(std::max<std::size_t>(1, s.groups.counts.size()));
  return s;
}

Result<Anchor> find_anchor(const Cells& cells, const BoardOptions& options) {
  Anchor anchor{std::nullopt, options.anchor_value};
  if (!options.anchor_model) return anchor;
  const auto it = std::find(cells.models.begin(), cells.models.end(), *options.anchor_model);
  if (it == cells.models.end()) {
    return fail("unknown_anchor",
                fmt::format("anchor model \"{}\" has no votes", *options.anchor_model));
  }
  anchor.model = static_cast<uint32_t>(it - cells.models.begin());
  return anchor;
}

// ---- 2. the cells, tallied: weighted pair totals and plain counts -------------------

struct Counts {
  int64_t votes = 0, wins = 0, losses = 0, ties = 0, both_bad = 0;
};

struct Tallies {
  std::vector<double> group_weight;                       // per category group (1 without weights)
  PairTotals totals;                                      // weighted, what the fit sees
  std::vector<Counts> models;                             // per model, unweighted
  std::vector<std::array<int64_t, kCellOutcomes>> pairs;  // per pair and outcome, unweighted
};

// What weighting does to each category (only with weights).
std::vector<CategoryShare> category_shares(const CategoryWeighting& weighting,
                                           const Groups& groups) {
  std::vector<CategoryShare> shares;
  const auto memberships = weighting.memberships(groups.counts);
  double total = 0;
  for (double x : memberships) total += x;
  for (std::size_t c = 0; c < weighting.categories().size(); ++c) {
    shares.push_back({weighting.categories()[c], memberships[c], memberships[c] / total,
                      weighting.target_shares()[c]});
  }
  return shares;
}

Tallies tally(const Cells& cells, const Selected& selected) {
  Tallies t;
  t.group_weight.assign(selected.group_count, 1.0);
  if (selected.weighting) selected.weighting->weights(selected.groups.counts, t.group_weight);
  const std::size_t pairs = cells.first.size();
  std::vector<double> games(cells.count.size());
  t.pairs.assign(pairs, {});
  for (std::size_t k = 0; k < cells.count.size(); ++k) {
    const int64_t c = cells.count[k];
    games[k] = t.group_weight[cells.group[k]] * (cells.weight[k] * static_cast<double>(c));
    t.pairs[cells.pair[k]][cells.outcome[k]] += c;
  }
  t.totals = pair_totals_of(cells, games);
  t.models.assign(cells.models.size(), {});
  for (std::size_t p = 0; p < pairs; ++p) {
    const auto& pc = t.pairs[p];
    Counts& f = t.models[cells.first[p]];
    Counts& s = t.models[cells.second[p]];
    const int64_t ties = pc[kTie] + pc[kBothBad];
    const int64_t n = pc[kFirstWins] + pc[kSecondWins] + ties;
    for (Counts* c : {&f, &s}) {
      c->votes += n;
      c->ties += ties;
      c->both_bad += pc[kBothBad];
    }
    f.wins += pc[kFirstWins];
    f.losses += pc[kSecondWins];
    s.wins += pc[kSecondWins];
    s.losses += pc[kFirstWins];
  }
  return t;
}

// ---- 3. the scores ------------------------------------------------------------------

struct Scores {
  std::vector<double> theta;                             // natural units, per model
  std::vector<double> ratings;                           // points, anchored
  double nu = std::numeric_limits<double>::quiet_NaN();  // Davidson only
  bool prior_used = false;
  int pieces = 1;
  bool converged = true;
  int iterations = 0;
};

Scores fit_scores(const Tallies& t, TieModel ties, const Anchor& anchor) {
  Scores s;
  if (ties == TieModel::Davidson) {
    const DavidsonFit fit = fit_davidson(t.totals);
    s.theta = fit.theta;
    s.nu = fit.nu;
    s.prior_used = fit.prior_used;
    s.converged = fit.converged;
    s.iterations = fit.iterations;
  } else {
    BradleyTerrySolver solver;
    const BradleyTerryFit fit = solver.fit(t.totals);
    s.theta = fit.theta;
    s.prior_used = fit.prior_used;
    s.pieces = fit.pieces;
    s.converged = fit.converged;
    s.iterations = fit.iterations;
  }
  s.ratings.resize(s.theta.size());
  anchor_scores(s.theta, anchor, s.ratings);
  return s;
}

// The pieces of the comparison graph by name, the largest first (then by first name), and
// each model's piece.
std::vector<std::vector<std::string>> named_pieces(const PairTotals& totals,
                                                   const std::vector<std::string>& names,
                                                   std::vector<int>& piece_of) {
  auto pieces = graph_pieces(totals);
  std::stable_sort(pieces.begin(), pieces.end(),
                   [](const auto& x, const auto& y) { return x.size() > y.size(); });
  std::vector<std::vector<std::string>> out;
  piece_of.assign(names.size(), 0);
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    out.emplace_back();
    for (uint32_t m : pieces[k]) {
      out.back().push_back(names[m]);
      piece_of[m] = static_cast<int>(k);
    }
  }
  return out;
}

// ---- 4. intervals -------------------------------------------------------------------

std::vector<Interval> no_intervals(std::size_t models) {
  return std::vector<Interval>(models, Interval{std::nan(""), std::nan("")});
}

std::vector<Interval> bootstrap_intervals(const Cells& cells, const Selected& selected,
                                          const Scores& scores, const Anchor& anchor,
                                          const BoardOptions& options, int threads, Board& board) {
  const BootstrapResult boot = run_bootstrap(
      cells, selected.weighting ? &*selected.weighting : nullptr, scores.theta, anchor,
      options.bootstrap_rounds, options.seed, threads, options.ties, scores.nu);
  board.bootstrap_prior_rounds = boot.prior_rounds;
  if (boot.prior_rounds > 0) {
    board.notes.push_back(
        fmt::format("In {} of {} bootstrap rounds the resampled votes left some model undefeated, "
                    "winless or cut off, and those rounds used the same weak prior{}.",
                    boot.prior_rounds, options.bootstrap_rounds,
                    boot.piece_rounds > 0
                        ? fmt::format(" ({} of them fell into pieces, each fitted on its own)",
                                      boot.piece_rounds)
                        : ""));
  }
  return percentile_intervals(boot.ratings, cells.models.size(), options.ci_level);
}

std::vector<Interval> interval_step(const Cells& cells, const Selected& selected, const Tallies& t,
                                    const Scores& scores, const Anchor& anchor,
                                    const BoardOptions& options, int threads, Board& board) {
  if (options.intervals == IntervalMethod::Sandwich) {
    return sandwich_intervals(cells, t.group_weight, t.totals, scores.theta, scores.prior_used,
                              anchor, options.ci_level);
  }
  if (options.bootstrap_rounds > 0) {
    return bootstrap_intervals(cells, selected, scores, anchor, options, threads, board);
  }
  board.notes.emplace_back(
      "No bootstrap: intervals are not computed and rank ranges are the plain ranks.");
  return no_intervals(cells.models.size());
}

// ---- 3'. presentation control: the controlled scores, their intervals, the effects ----

// What the robustness of a controlled board refits.
struct ControlledModel {
  CovariateRows rows;
  ControlledFit fit;
};

Status controlled_scores(const VoteTable& votes, const Selected& selected, const Cells& cells,
                         const Anchor& anchor, const BoardOptions& options, int threads,
                         Scores& scores, std::vector<Interval>& intervals,
                         std::optional<ControlledModel>& kept, Board& board) {
  auto rows = covariate_rows(votes, selected.selection, cells, selected.groups.group_of_set,
                             options.control);
  if (!rows) return std::unexpected(rows.error());
  std::vector<double> group_weight(selected.group_count, 1.0);
  if (selected.weighting) selected.weighting->weights(selected.groups.counts, group_weight);
  const ControlledFit fit = fit_controlled(*rows, row_games(*rows, group_weight));
  Scores controlled;
  controlled.theta = fit.theta;
  controlled.ratings.resize(fit.theta.size());
  anchor_scores(fit.theta, anchor, controlled.ratings);
  controlled.prior_used = fit.prior_used;
  controlled.converged = fit.converged;
  controlled.iterations = fit.iterations;
  if (rows->missing > 0) {
    board.notes.push_back(fmt::format(
        "{} votes lack a feature controlled for and are left out of the controlled scores "
        "(the raw scores use them).",
        rows->missing));
  }
  for (std::size_t k = 0; k < rows->covariates; ++k) {
    board.covariates.push_back({options.control[k], kPointsPerNatural * fit.beta[k], std::nan(""),
                                std::nan(""), rows->mean[k], rows->sd[k]});
  }
  intervals = no_intervals(cells.models.size());
  if (options.bootstrap_rounds > 0) {
    const ControlledBootstrap boot =
        bootstrap_controlled(*rows, selected.weighting ? &*selected.weighting : nullptr, fit,
                             anchor, options.bootstrap_rounds, options.seed, threads);
    intervals = percentile_intervals(boot.ratings, cells.models.size(), options.ci_level);
    const auto effects = percentile_intervals(boot.effects, rows->covariates, options.ci_level);
    for (std::size_t k = 0; k < rows->covariates; ++k) {
      board.covariates[k].ci_low = effects[k].low;
      board.covariates[k].ci_high = effects[k].high;
    }
    board.bootstrap_prior_rounds = boot.prior_rounds;
  }
  scores = std::move(controlled);
  kept = ControlledModel{std::move(*rows), fit};
  return ok();
}

// ---- 5. rows: preliminary models, ranks among the models shown, pairs ---------------

double rate(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

void assemble_rows(const Cells& cells, const Tallies& t, const Scores& scores,
                   const std::vector<double>& raw_ratings, const std::vector<Interval>& intervals,
                   const std::vector<int>& piece_of, const EloResult& elo,
                   const BoardOptions& options, Board& board) {
  const std::size_t m = cells.models.size();
  const auto& ratings = scores.ratings;
  std::vector<uint32_t> shown;
  int64_t hidden = 0;
  for (uint32_t i = 0; i < m; ++i) {
    const bool preliminary = t.models[i].votes < options.min_votes;
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
  // With pieces, each piece is ranked on its own and listed after the larger ones: ranks
  // across pieces would compare what cannot be compared.
  auto piece = [&](uint32_t i) { return piece_of.empty() ? 0 : piece_of[i]; };
  std::sort(shown.begin(), shown.end(), [&](uint32_t x, uint32_t y) {
    if (piece(x) != piece(y)) return piece(x) < piece(y);
    if (ratings[x] != ratings[y]) return ratings[x] > ratings[y];
    return cells.models[x] < cells.models[y];
  });
  std::vector<RankRange> ranks;
  for (std::size_t begin = 0; begin < shown.size();) {
    std::size_t end = begin;
    std::vector<double> piece_ratings;
    std::vector<Interval> piece_intervals;
    for (; end < shown.size() && piece(shown[end]) == piece(shown[begin]); ++end) {
      piece_ratings.push_back(ratings[shown[end]]);
      piece_intervals.push_back(intervals[shown[end]]);
    }
    const auto piece_ranks = rank_ranges(piece_ratings, piece_intervals);
    ranks.insert(ranks.end(), piece_ranks.begin(), piece_ranks.end());
    begin = end;
  }
  std::vector<char> is_shown(m, 0);
  for (std::size_t k = 0; k < shown.size(); ++k) {
    const uint32_t i = shown[k];
    is_shown[i] = 1;
    const Counts& c = t.models[i];
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
    row.both_bad = c.both_bad;
    row.win_rate = c.votes > 0
                       ? (static_cast<double>(c.wins) + kTieCredit * static_cast<double>(c.ties)) /
                             static_cast<double>(c.votes)
                       : 0.0;
    row.both_bad_rate = rate(c.both_bad, c.votes);
    row.elo = elo.ratings[cells.table_model[i]];
    if (!raw_ratings.empty()) row.raw_rating = raw_ratings[i];
    row.piece = piece_of.empty() ? 0 : piece_of[i];
    row.preliminary = c.votes < options.min_votes;
    board.models.push_back(std::move(row));
  }
  for (std::size_t p = 0; p < cells.first.size(); ++p) {
    const uint32_t i = cells.first[p], j = cells.second[p];
    if (!is_shown[i] || !is_shown[j]) continue;
    const auto& pc = t.pairs[p];
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
}

// Board-level tie figures: how many ties and both-bad votes, and Davidson's parameter.
void tie_summary(const Tallies& t, const Scores& scores, Board& board) {
  for (const auto& pc : t.pairs) {
    board.tie_votes += pc[kTie] + pc[kBothBad];
    board.both_bad_votes += pc[kBothBad];
  }
  board.both_bad_rate = rate(board.both_bad_votes, board.votes);
  if (!std::isnan(scores.nu)) {
    board.tie_parameter = scores.nu;
    board.equal_strength_tie_rate = std::isinf(scores.nu) ? 1.0 : scores.nu / (2.0 + scores.nu);
  }
}

// ---- 6. robustness of the top's adjacent orders -----------------------------------

// Per piece (the whole board when all models met), the adjacent orders among its first
// robustness_top models, on the board's own fit: Bradley-Terry or Davidson on the cells, or
// presentation control on its rows, with the votes' weights and the category weights.
// Only votes of the piece are removed: across pieces the order is not meaningful.
void robustness_rows(const Cells& cells, const Selected& selected, const Scores& scores,
                     const std::vector<int>& piece_of, const ControlledModel* controlled,
                     const BoardOptions& options, Board& board) {
  std::vector<std::vector<std::size_t>> by_piece;
  for (std::size_t k = 0; k < board.models.size(); ++k) {
    const auto p = static_cast<std::size_t>(board.models[k].piece);
    if (by_piece.size() <= p) by_piece.resize(p + 1);
    by_piece[p].push_back(k);
  }
  auto index_of = [&](const std::string& name) {
    return static_cast<uint32_t>(std::lower_bound(cells.models.begin(), cells.models.end(), name) -
                                 cells.models.begin());
  };
  const bool pieces = !piece_of.empty() && !board.pieces.empty();
  auto in_piece = [&](uint32_t model, std::size_t piece) {
    return !pieces || piece_of[model] == static_cast<int>(piece);
  };
  for (std::size_t piece = 0; piece < by_piece.size(); ++piece) {
    const auto& shown = by_piece[piece];
    const std::size_t top =
        std::min(shown.size(), static_cast<std::size_t>(options.robustness_top));
    if (top < 2) continue;
    std::vector<RobustnessOrder> orders;
    for (std::size_t k = 0; k + 1 < top; ++k) {
      orders.push_back(
          {index_of(board.models[shown[k]].model), index_of(board.models[shown[k + 1]].model)});
    }
    RemovableVotes votes;
    if (controlled != nullptr) {
      const CovariateRows& rows = controlled->rows;
      votes.count = rows.count;
      votes.group = rows.group;
      votes.weight = rows.weight;
      if (pieces) {
        for (uint32_t first : rows.first) votes.removable.push_back(in_piece(first, piece));
      }
    } else {
      votes = removable_cells(cells);
      for (std::size_t c = 0; pieces && c < cells.count.size(); ++c) {
        const bool inside = in_piece(cells.first[cells.pair[c]], piece);
        // Bradley-Terry (and Davidson without ties, which is Bradley-Terry) fits each piece
        // on its own: the piece alone is the fit. Davidson's fit is joint (nu, and the
        // prior that places the pieces): every vote stays in it.
        if (options.ties == TieModel::Half || scores.nu == 0) {
          if (!inside) votes.count[c] = 0;
        } else {
          votes.removable.push_back(inside);
        }
      }
    }
    if (selected.weighting) {
      votes.weighting = &*selected.weighting;
      votes.group_counts = selected.groups.counts;
    }
    const std::vector<OrderRobustness> found =
        controlled != nullptr
            ? controlled_robustness(controlled->rows, votes, controlled->fit, orders)
            : cells_robustness(cells, votes, options.ties, scores.theta, orders);
    for (std::size_t k = 0; k < orders.size(); ++k) {
      const OrderRobustness& r = found[k];
      RobustnessRow row;
      row.upper = board.models[shown[k]].model;
      row.lower = board.models[shown[k + 1]].model;
      row.rank = static_cast<int>(k + 1);
      row.piece = static_cast<int>(piece);
      row.votes = r.votes;
      row.approximate = r.approximate;
      row.confirmed = r.confirmed;
      row.refits = r.refits;
      if (r.votes >= 0) row.share = rate(r.votes, board.votes);
      board.robustness.push_back(std::move(row));
    }
  }
  if (pieces && !board.robustness.empty()) {
    board.notes.emplace_back(
        "Robustness is given within each piece, removing only that piece's votes: across "
        "pieces the order is not meaningful.");
  }
}

}  // namespace

Result<Board> compute_board(const VoteTable& votes, const BoardOptions& options) {
  if (auto status = validate(options); !status) return std::unexpected(status.error());
  Stopwatch clock;
  Board board = board_header(options);
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // 1. Filter and group by category, then aggregate into cells.
  auto selected = select_votes(votes, options);
  if (!selected) return std::unexpected(selected.error());

  // Elo needs only the selected votes in order: run it beside everything else. It works on
  // the table's model indices; the rows pick their entries later.
  std::vector<uint32_t> identity(votes.model_count());
  std::iota(identity.begin(), identity.end(), 0u);
  double elo_seconds = 0;
  auto elo_future = std::async(std::launch::async, [&] {
    Stopwatch elo_clock;
    EloResult result = online_elo(votes, selected->selection, identity, votes.model_count());
    elo_seconds = elo_clock.lap();
    return result;
  });
  const Cells cells = aggregate_cells(votes, selected->selection, selected->groups.group_of_set,
                                      selected->group_count);
  board.votes = cells.votes;
  board.down_weighted_votes = cells.down_weighted;
  board.vote_weight_total = cells.weight_total;
  if (cells.down_weighted > 0) {
    board.notes.push_back(
        fmt::format("{} of {} votes carry a weight below 1; the votes weigh {} "
                    "in all (counts on the board are of votes, unweighted).",
                    cells.down_weighted, cells.votes, cells.weight_total));
  }
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
  const auto anchor = find_anchor(cells, options);
  if (!anchor) {
    elo_future.wait();
    return std::unexpected(anchor.error());
  }

  // 2. Pair totals (weighted) and the full fit.
  const Tallies t = tally(cells, *selected);
  if (selected->weighting)
    board.categories = category_shares(*selected->weighting, selected->groups);
  Scores scores = fit_scores(t, options.ties, *anchor);
  std::vector<int> piece_of;
  if (scores.pieces > 1 ||
      (options.ties == TieModel::Davidson && graph_pieces(t.totals).size() > 1)) {
    board.pieces = named_pieces(t.totals, cells.models, piece_of);
  }
  board.prior_used = scores.prior_used;
  if (scores.prior_used) board.notes.push_back(prior_note(t.totals, cells.models));
  if (!board.pieces.empty()) board.notes.push_back(pieces_note(board.pieces));
  if (!scores.converged) {
    board.notes.push_back(fmt::format(
        "The fit stopped after {} Newton steps without meeting its tolerance.", scores.iterations));
  }
  tie_summary(t, scores, board);
  board.timings.fit = clock.lap();

  // 3. Intervals (with presentation control: the controlled scores and theirs).
  std::vector<Interval> intervals;
  std::vector<double> raw_ratings;
  std::optional<ControlledModel> controlled;
  if (!options.control.empty()) {
    raw_ratings = scores.ratings;  // shown beside the controlled scores
    if (auto status = controlled_scores(votes, *selected, cells, *anchor, options, threads, scores,
                                        intervals, controlled, board);
        !status) {
      elo_future.wait();
      return std::unexpected(status.error());
    }
  } else {
    intervals = interval_step(cells, *selected, t, scores, *anchor, options, threads, board);
  }
  board.timings.bootstrap = clock.lap();

  // 4. Elo in tstamp order (computed meanwhile).
  const EloResult elo = elo_future.get();
  board.timings.elo = elo_seconds;
  if (elo.table_order) {
    board.notes.emplace_back(
        "Some votes have no tstamp, so Elo took the votes in the order of the log.");
  }
  clock.lap();  // waiting for Elo: counted in its own time

  // 5. Rows.
  assemble_rows(cells, t, scores, raw_ratings, intervals, piece_of, elo, options, board);
  board.timings.assemble = clock.lap();

  // 6. Robustness of the top.
  if (options.robustness_top > 1) {
    robustness_rows(cells, *selected, scores, piece_of, controlled ? &*controlled : nullptr,
                    options, board);
    board.timings.robustness = clock.lap();
  }
  return board;
}

}  // namespace paddock::rating
