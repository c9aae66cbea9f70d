#pragma once
// rating: pure statistics on pairwise votes. No I/O.
//
// The whole pipeline a board goes through is `compute_board`: filter -> aggregate into
// distinct (pair, outcome, category-set) cells -> Bradley-Terry fit -> bootstrap over the
// cells -> rank ranges -> head-to-head table, plus online Elo as a reference column.
// The result depends only on the multiset of votes (and their tstamp order for Elo), the
// options and the seed: models and cells are put in a canonical order first, so the same
// votes in any order, read from any source, give the same board bit for bit.
// docs/rating-method.md gives the formulas.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace paddock::rating {

// Outcome from the point of view of model_a.
enum class Outcome : uint8_t { AWins = 0, BWins = 1, Tie = 2, BothBad = 3 };

// Votes in columnar form with interned names; one entry per vote in every column.
class VoteTable {
 public:
  // Index of a model name, added if new.
  uint32_t intern_model(std::string_view name);
  // Index of a set of category names (order and duplicates do not matter); 0 is the empty set.
  uint32_t intern_category_set(std::vector<std::string> categories);

  void add(uint32_t model_a, uint32_t model_b, Outcome outcome, uint32_t category_set,
           double tstamp);
  std::size_t size() const { return a_.size(); }
  // ... accessors for columns, names and category sets; appending another table
  // (re-interning its names) so per-thread tables can be merged.

 private:
  std::vector<std::string> models_;
  std::vector<std::string> categories_;
  std::vector<std::vector<uint32_t>> category_sets_;
  std::vector<uint32_t> a_, b_, category_set_;
  std::vector<Outcome> outcome_;
  std::vector<double> tstamp_;
};

// Which votes a board uses.
struct VoteFilter {
  std::vector<std::string> categories;  // any of these (empty: all)
  std::optional<double> since;          // tstamp >= since
  std::optional<double> until;          // tstamp < until
};

// How votes are weighted by category.
struct CategoryWeights {
  bool balanced = false;                 // every category present gets an equal share
  std::map<std::string, double> shares;  // explicit shares (normalized to sum 1)
};

struct BoardOptions {
  VoteFilter filter;
  std::optional<CategoryWeights> weights;
  int bootstrap_rounds = 1000;
  double ci_level = 0.95;
  uint64_t seed = 1;
  // Anchor: mean of all scores = anchor_value, or the named model = anchor_value.
  std::optional<std::string> anchor_model;
  double anchor_value = 1000;
  int min_votes = 0;  // fewer votes: preliminary
  bool hide_preliminary = false;
  int threads = 0;  // 0 = hardware concurrency
};

struct ModelRow {
  std::string model;
  double rating = 0, ci_low = 0, ci_high = 0;
  int rank = 0, rank_best = 0, rank_worst = 0;
  int64_t votes = 0, wins = 0, losses = 0, ties = 0;  // ties include both-bad
  double win_rate = 0;                                // (wins + ties/2) / votes
  double elo = 0;
  bool preliminary = false;
};

struct PairRow {
  std::string model_a, model_b;  // model_a < model_b by name
  int64_t votes = 0, a_wins = 0, b_wins = 0, ties = 0;
  double predicted_a_win = 0;
};

struct Board {
  std::string method = "bradley-terry";
  double scale = 400;
  std::string anchor;  // "mean=1000" or "MODEL=VALUE"
  int64_t votes = 0;   // votes used after filtering
  uint64_t seed = 0;
  int bootstrap = 0;
  double ci = 0;
  std::vector<ModelRow> models;    // sorted by rating, best first
  std::vector<PairRow> pairs;      // sorted by (model_a, model_b)
  std::vector<std::string> notes;  // how edge cases were handled (undefeated models, ...)
};

Board compute_board(const VoteTable& votes, const BoardOptions& options);

}  // namespace paddock::rating
