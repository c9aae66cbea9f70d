#pragma once
// rating: pure statistics on pairwise votes. No I/O.
//
// The whole pipeline a board goes through is `compute_board`: filter -> aggregate into
// distinct (pair, outcome, category-set) cells -> Bradley-Terry fit (each piece of the
// comparison graph on its own; ties as half wins or Davidson's) -> intervals (bootstrap over
// the cells, or the sandwich covariance) -> rank ranges -> head-to-head table, plus online
// Elo as a reference column. With presentation control the scores come from a fit with the
// clips' feature differences as covariates (presentation_control.hpp), raw scores beside.
// The result depends only on the multiset of votes (and their tstamp order for Elo), the
// options and the seed: models and cells are put in a canonical order first, so the same
// votes in any order, read from any source, give the same board bit for bit, whatever the
// number of threads. docs/rating-method.md gives the formulas.

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "rating/column_allocator.hpp"

namespace paddock::rating {

// Outcome from the point of view of model_a.
enum class Outcome : uint8_t { AWins = 0, BWins = 1, Tie = 2, BothBad = 3 };

// The common arena spelling of an outcome: "model_a", "model_b", "tie", "tie (bothbad)".
std::string_view winner_name(Outcome outcome);
// The outcome a winner string names, or nothing if it names none of the four.
std::optional<Outcome> parse_winner(std::string_view winner);

// tstamp of a vote whose time is unknown.
inline constexpr double kNoTstamp = std::numeric_limits<double>::quiet_NaN();

// The pseudo-category of votes that carry no category (used by weights and `--by category`).
inline constexpr std::string_view kUncategorized = "uncategorized";

// A vote weight the rating layer accepts: 0 < weight <= 1 (a NaN is none).
inline bool is_vote_weight(double weight) {
  return weight > 0 && weight <= 1;
}

// A feature value a vote does not carry (features are optional per vote and per side).
inline constexpr double kNoFeature = std::numeric_limits<double>::quiet_NaN();

// Votes in columnar form with interned names; one entry per vote in every column.
// Adding is cheap (five appends); names and category sets are stored once.
// Not thread-safe: one writer, or readers only.
class VoteTable {
 public:
  // The empty category set; every table has it.
  static constexpr uint32_t kNoCategories = 0;

  VoteTable();

  // Index of a model name, added if new. Indices are dense, in order of first appearance.
  uint32_t intern_model(std::string_view name);
  // Index of a set of category names; order and duplicates do not matter, empty names are
  // ignored, and the empty set is kNoCategories.
  uint32_t intern_category_set(std::span<const std::string_view> categories);
  uint32_t intern_category_set(const std::vector<std::string>& categories);

  // The empty language (a vote whose prompt language is unknown); every table has it.
  static constexpr uint32_t kNoLanguage = 0;

  // Appends one vote. REQUIRES: model_a != model_b, both from intern_model and category_set
  // from intern_category_set of this table. tstamp is seconds, or kNoTstamp.
  // Flattened: once per vote read, and the compiler would otherwise call out for each
  // column's push_back.
  [[gnu::flatten]] void add(uint32_t model_a, uint32_t model_b, Outcome outcome,
                            uint32_t category_set, double tstamp = kNoTstamp) {
    a_.push_back(model_a);
    b_.push_back(model_b);
    outcome_.push_back(outcome);
    category_set_.push_back(category_set);
    tstamp_.push_back(tstamp);
  }
  void reserve(std::size_t votes);

  // Optional per-vote columns, kept apart so that logs without them cost nothing: a column
  // is filled only up to the last vote that has a value, and reads past that give the
  // "absent" value (kNoLanguage, kNoFeature).
  //
  // Index of a prompt language ("en", "de", ...), added if new; "" is kNoLanguage.
  uint32_t intern_language(std::string_view name);
  // Index of a per-clip feature name ("duration", "motion", ...), added if new.
  uint32_t intern_feature(std::string_view name);
  // Sets the language / one feature of the last vote added. REQUIRES: !empty().
  void set_language(uint32_t language);
  void set_feature(uint32_t feature, double value_a, double value_b);
  // Sets the weight of the last vote: how much it counts in the fit, the bootstrap and the
  // intervals (docs/rating-method.md, "Vote weights"). REQUIRES: !empty(), is_vote_weight(w).
  void set_weight(double weight);

  // Removes every vote and name, keeping the allocated memory for reuse.
  void clear();
  // Appends every vote of `other` after this table's votes, re-interning its names, so
  // tables filled by separate threads can be joined.
  void append(const VoteTable& other);

  std::size_t size() const { return a_.size(); }
  bool empty() const { return a_.empty(); }

  // Columns, one entry per vote, in the order the votes were added.
  std::span<const uint32_t> model_a() const { return a_; }
  std::span<const uint32_t> model_b() const { return b_; }
  std::span<const Outcome> outcome() const { return outcome_; }
  std::span<const uint32_t> category_set() const { return category_set_; }
  std::span<const double> tstamp() const { return tstamp_; }

  std::size_t model_count() const { return models_.size(); }
  const std::string& model_name(uint32_t model) const { return models_[model]; }
  std::optional<uint32_t> find_model(std::string_view name) const;

  uint32_t language(std::size_t vote) const {
    return vote < language_.size() ? language_[vote] : kNoLanguage;
  }
  std::span<const std::string> language_names() const { return languages_; }  // [0] is ""
  bool has_languages() const { return !language_.empty(); }

  // Vote weights: each distinct weight is kept once (its class); class 0 is weight 1, which
  // every vote without a weight has.
  uint32_t weight_class(std::size_t vote) const {
    return vote < weight_.size() ? weight_[vote] : 0;
  }
  double weight(std::size_t vote) const { return weight_values_[weight_class(vote)]; }
  std::span<const double> weight_values() const { return weight_values_; }  // [0] is 1
  bool has_weights() const { return !weight_.empty(); }

  std::span<const std::string> feature_names() const { return features_; }
  std::optional<uint32_t> find_feature(std::string_view name) const;
  // The feature of model_a's / model_b's clip in a vote, or kNoFeature.
  double feature_a(uint32_t feature, std::size_t vote) const {
    const auto& c = feature_a_[feature];
    return vote < c.size() ? c[vote] : kNoFeature;
  }
  double feature_b(uint32_t feature, std::size_t vote) const {
    const auto& c = feature_b_[feature];
    return vote < c.size() ? c[vote] : kNoFeature;
  }

  std::span<const std::string> category_names() const { return categories_; }
  std::size_t category_set_count() const { return category_sets_.size(); }
  // The categories of a set, as indices into category_names(), sorted by name.
  std::span<const uint32_t> category_set_members(uint32_t set) const { return category_sets_[set]; }

 private:
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using NameIndex = std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>>;

  uint32_t intern_category(std::string_view name);

  std::vector<std::string> models_;
  NameIndex model_index_;
  std::vector<std::string> categories_;
  NameIndex category_index_;
  std::vector<std::vector<uint32_t>> category_sets_;
  NameIndex category_set_index_;  // key: member names, sorted, joined by '\n'

  template <typename T>
  using Column = std::vector<T, ColumnAllocator<T>>;
  Column<uint32_t> a_, b_, category_set_;
  Column<Outcome> outcome_;
  Column<double> tstamp_;

  std::vector<std::string> languages_;  // [0] is "" (kNoLanguage)
  NameIndex language_index_;
  std::vector<uint32_t> language_;          // per vote, up to the last vote with a language
  std::vector<double> weight_values_{1.0};  // per weight class; [0] is 1
  std::map<double, uint32_t> weight_index_{{1.0, 0}};
  std::vector<uint32_t> weight_;  // per vote, up to the last vote with a weight below 1
  std::vector<std::string> features_;
  NameIndex feature_index_;
  std::vector<std::vector<double>> feature_a_, feature_b_;  // per feature, then per vote
};

// Which votes a board uses.
struct VoteFilter {
  std::vector<std::string> categories;  // any of these (empty: all); kUncategorized matches
                                        // votes without a category
  std::optional<double> since;          // tstamp >= since (votes without tstamp are dropped)
  std::optional<double> until;          // tstamp < until (likewise)
  std::vector<std::string> languages;   // prompt language any of these (empty: all); votes
                                        // without a language are then dropped
};

// How votes are weighted by category. A vote with k categories counts 1/k in each; a vote
// without one counts in kUncategorized. Each category c then gets weight share_c * N / m_c
// per unit of membership (N votes, m_c memberships in c), so the categories hold exactly
// the given shares of the total weight N. See docs/rating-method.md.
struct CategoryWeights {
  bool balanced = false;                 // every category present gets an equal share
  std::map<std::string, double> shares;  // explicit shares (normalized to sum 1); categories
                                         // not named get share 0, i.e. their votes drop out
};

// "balanced", or "name=share,name=share,..." with non-negative finite shares.
// Errors: "bad_weights".
Result<CategoryWeights> parse_category_weights(std::string_view text);
// The spelling parse_category_weights reads back ("as_voted" when there are no weights).
std::string describe_weights(const std::optional<CategoryWeights>& weights);
// A weights option as `paddock rate --weights` and the HTTP API's `weights=` take it:
// "as_voted" (or nothing) for no weighting, else parse_category_weights. Errors: "bad_weights".
Result<std::optional<CategoryWeights>> parse_weights_option(std::string_view text);

class VoteTable;
// Refuses weights that give a positive share to a category none of the votes a board with
// `filter` would use has: named alone, such a weight would leave no vote to rate. Error
// "bad_weights" naming the category. No votes at all is no error (the board is empty).
Status check_weights_have_votes(const CategoryWeights& weights, const VoteTable& votes,
                                const VoteFilter& filter);

// How a tie or both-bad vote enters the fit (docs/rating-method.md, "Ties").
enum class TieModel {
  Half,      // half a win to each side (the common convention; the default)
  Davidson,  // its own outcome, P(tie) = nu sqrt(pi_i pi_j) / (pi_i + pi_j + nu sqrt(pi_i pi_j))
};
// "half" or "davidson".
std::optional<TieModel> parse_tie_model(std::string_view name);
std::string_view tie_model_name(TieModel model);

// How the intervals are computed (docs/rating-method.md, "Confidence intervals").
enum class IntervalMethod {
  Bootstrap,  // percentiles of refits on resampled votes (the default)
  Sandwich,   // closed form: normal intervals from the robust (sandwich) covariance
};
// "bootstrap" or "sandwich".
std::optional<IntervalMethod> parse_interval_method(std::string_view name);
std::string_view interval_method_name(IntervalMethod method);

struct BoardOptions {
  VoteFilter filter;
  TieModel ties = TieModel::Half;
  IntervalMethod intervals = IntervalMethod::Bootstrap;
  // Presentation control: per-clip features (names as the votes carry them) whose
  // standardized differences enter the fit as covariates. Empty: no control.
  std::vector<std::string> control;
  std::optional<CategoryWeights> weights;
  int bootstrap_rounds = 1000;  // 0: no intervals (with sandwich intervals: unused)
  double ci_level = 0.95;       // in (0, 1)
  uint64_t seed = 1;
  // Anchor: mean of all scores = anchor_value, or the named model = anchor_value.
  std::optional<std::string> anchor_model;
  double anchor_value = 1000;
  int64_t min_votes = 0;  // fewer votes: preliminary
  bool hide_preliminary = false;
  // Robustness of the top (Board::robustness): each adjacent order among the first this many
  // models of the board (the #1 against the #2, the #2 against the #3, ...). 0: none.
  int robustness_top = 0;
  int threads = 0;  // 0 = hardware concurrency; never changes the result
};

struct ModelRow {
  std::string model;
  double rating = 0;
  double ci_low = 0, ci_high = 0;  // NaN when bootstrap_rounds == 0
  int rank = 0, rank_best = 0, rank_worst = 0;
  int64_t votes = 0, wins = 0, losses = 0, ties = 0;  // ties include both-bad
  int64_t both_bad = 0;                               // of the ties, votes "both bad"
  double win_rate = 0;                                // (wins + ties/2) / votes
  double both_bad_rate = 0;                           // both_bad / votes
  double elo = 0;
  // With presentation control: the score of the same fit without covariates (NaN without
  // control), so the controlled and the raw board can be shown side by side.
  double raw_rating = std::numeric_limits<double>::quiet_NaN();
  int piece = 0;  // which piece of the comparison graph (Board::pieces); 0 when one piece
  bool preliminary = false;
};

struct PairRow {
  std::string model_a, model_b;  // model_a < model_b by name
  int64_t votes = 0, a_wins = 0, b_wins = 0, ties = 0;
  double predicted_a_win = 0;  // P(model_a beats model_b) from the fitted scores
};

// What weighting did to one category (only when weights are given).
struct CategoryShare {
  std::string category;
  double votes = 0;         // memberships: a vote in k categories counts 1/k in each
  double voted_share = 0;   // votes / total
  double target_share = 0;  // the share the board gives it
};

// One covariate of presentation control: the fitted effect of one standard deviation of the
// (relative) feature difference between the two clips, in points, with its interval.
struct CovariateRow {
  std::string feature;
  double effect = 0;               // points per standard deviation of the difference
  double ci_low = 0, ci_high = 0;  // NaN without intervals
  double mean = 0, sd = 0;         // of the relative difference (a - b) / (a + b) over the
                                   // votes used, as standardized
};

// How firmly one adjacent order of the board holds: the smallest number of votes whose
// removal would put `lower` above `upper`, found by the influence approximation and
// confirmed by refitting without them (docs/rating-method.md, "Robustness").
struct RobustnessRow {
  std::string upper, lower;  // adjacent on the board, upper ranked above
  int rank = 0;              // upper's place on the board, within its piece (1: the #1
                             // against the #2)
  int piece = 0;             // the piece of both (Board::pieces; 0 when one piece)
  int64_t votes = -1;        // the smallest number found; -1: no removal of the votes that
                             // hold the order up flips it
  double share = std::numeric_limits<double>::quiet_NaN();  // votes / Board::votes
  int64_t approximate = -1;  // what the influence approximation alone said (-1: no flip)
  bool confirmed = false;    // a refit without `votes` votes puts lower above upper
  int refits = 0;
};

// Seconds spent in each phase of compute_board (for --timings; not part of the result).
struct BoardTimings {
  double aggregate = 0, fit = 0, bootstrap = 0, elo = 0, assemble = 0, robustness = 0;
};

struct Board {
  std::string method = "bradley-terry";
  double scale = 400;
  std::string anchor;  // "mean=1000" or "MODEL=VALUE"
  int64_t votes = 0;   // votes used after filtering (and weights of 0)
  // Per-vote weights (VoteTable::set_weight): how many of the votes used weigh less than 1,
  // and the sum of the weights of all votes used (= votes when none does).
  int64_t down_weighted_votes = 0;
  double vote_weight_total = 0;
  uint64_t seed = 0;
  int bootstrap = 0;
  double ci = 0;
  std::string weights = "as_voted";       // describe_weights of the options
  bool prior_used = false;                // the weak prior kept the full fit finite
  int bootstrap_prior_rounds = 0;         // bootstrap rounds that needed the prior
  std::vector<ModelRow> models;           // sorted by rating, best first (then by name);
                                          // with pieces, piece by piece, each ranked alone
  std::vector<PairRow> pairs;             // sorted by (model_a, model_b)
  std::vector<CategoryShare> categories;  // only with weights, sorted by name
  std::vector<std::string> notes;         // how edge cases were handled, in words

  std::string intervals = "bootstrap";  // interval_method_name of the options
  std::string ties_model = "half";      // tie_model_name of the options
  // Davidson's tie parameter nu (NaN with half-win ties), and what it implies: the tie
  // probability of two equally strong models, nu / (2 + nu).
  double tie_parameter = std::numeric_limits<double>::quiet_NaN();
  double equal_strength_tie_rate = std::numeric_limits<double>::quiet_NaN();
  int64_t tie_votes = 0;       // ties of either kind among the votes used
  int64_t both_bad_votes = 0;  // of those, "both bad"
  double both_bad_rate = 0;    // both_bad_votes / votes
  // When the comparison graph falls apart: its pieces (model names, sorted), the largest
  // first. Scores within a piece are comparable; across pieces they are not (set by the
  // prior alone). Empty when all models met, directly or through others.
  std::vector<std::vector<std::string>> pieces;
  std::vector<std::string> control;      // the covariates of presentation control
  std::vector<CovariateRow> covariates;  // their effects, in the order of `control`
  // With BoardOptions::robustness_top: one row per adjacent pair of the top, best first, on
  // the board's own fit (weights, Davidson ties, presentation control); with pieces, piece
  // by piece (the first robustness_top models of each).
  std::vector<RobustnessRow> robustness;
  BoardTimings timings;
};

// Computes the leaderboard of `votes` under `options`.
// Returns the board (with no models when no vote passes the filter), or an error:
// "bad_option" (ci_level outside (0,1), negative rounds, Davidson ties with control, ...),
// "bad_control" (a control feature no vote carries, or one that does not vary), "bad_weights" (a
// share for a category without votes, no positive share), "unknown_anchor" (anchor model has no
// vote). Deterministic: the same multiset of votes, options and seed give the same board (Elo also
// depends on the tstamp order, equal tstamps keeping table order), whatever `threads` is.
// Only reads `votes`; it must not be appended to meanwhile (compute on a copy or snapshot).
// To be reproduced by `paddock rate` on an export, a table must hold exactly what the export
// writes: the same names, categories and tstamp doubles (the writer prints them round-trip).
Result<Board> compute_board(const VoteTable& votes, const BoardOptions& options);

// ---- score over time ----------------------------------------------------------------

struct HistoryOptions {
  VoteFilter filter;
  // Checkpoints: after every `every_votes` votes in table order; or, if bucket_seconds > 0,
  // at the end of each tstamp bucket of that length (votes in tstamp order, those without
  // tstamp left out); if both are 0, every ceil(N / kDefaultHistoryPoints) votes. The last
  // vote is always a checkpoint.
  int64_t every_votes = 0;
  double bucket_seconds = 0;
  std::optional<std::string> anchor_model;  // as in BoardOptions; a point where the anchor
  double anchor_value = 1000;               // model has no vote yet is anchored on the mean
};

inline constexpr int64_t kDefaultHistoryPoints = 100;

struct HistoryPoint {
  int64_t votes = 0;            // votes included so far
  int64_t last_index = 0;       // table index of the last vote included
  double tstamp = kNoTstamp;    // tstamp of that vote (bucket mode: the bucket's end)
  std::vector<double> ratings;  // per History::models entry; NaN: no vote yet
  bool prior_used = false;
};

struct History {
  std::vector<std::string> models;  // sorted by name
  std::vector<HistoryPoint> points;
};

// Bradley-Terry scores (no bootstrap) at a series of checkpoints, for a score-over-time
// chart. Errors: "bad_option" (negative every_votes or bucket_seconds).
Result<History> compute_history(const VoteTable& votes, const HistoryOptions& options);

}  // namespace paddock::rating
