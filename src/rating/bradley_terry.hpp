#pragma once
// Bradley-Terry maximum likelihood on aggregated pair totals.
//
// With theta the scores in natural units and p_ij = sigmoid(theta_i - theta_j), the
// log-likelihood of the votes (a tie or both-bad is half a win to each side) is
//     L(theta) = sum over pairs of  s_ij log p_ij + (n_ij - s_ij) log(1 - p_ij),
// its gradient  g_i = sum over j of (s_ij - n_ij p_ij)  (s_ji = n_ij - s_ij),
// and minus its Hessian the weighted graph Laplacian with edge weights n_ij p_ij (1 - p_ij).
// Newton's method with step halving maximizes it; L is concave, so it converges to the
// maximum in a few steps from a warm start. L only sees differences, so one model is held
// fixed while solving; anchoring happens later.
//
// When the maximum does not exist (the comparison graph is not strongly connected: some
// model never lost, never won, or groups never met), every model also plays
// kPriorVirtualGames virtual games against a fixed reference at theta = 0, each a tie. That
// weak prior keeps every score finite; the board says so in its notes.
//
// When the models fall into pieces that never met, each piece is fitted on its own (so a
// piece whose maximum exists gets exactly that maximum, untouched by the prior), and only
// the level of each piece comes from the prior: the shift c that maximizes the piece's
// virtual games,  sum over its models of  1/2 log sigmoid(theta_i + c) + 1/2 log
// sigmoid(-theta_i - c).

#include <Eigen/Dense>
#include <cstdint>
#include <span>
#include <vector>

#include "rating/comparison_graph.hpp"
#include "rating/pair_totals.hpp"

namespace paddock::rating {

inline constexpr double kPriorVirtualGames = 1.0;
inline constexpr int kMaxNewtonIterations = 100;
inline constexpr double kNewtonStepTolerance = 1e-7;  // natural units; after a step this
                                                      // small the error is ~1e-14 (quadratic)
inline constexpr int kMaxStepHalvings = 40;
inline constexpr double kChordContraction = 4;  // set_chord_steps

struct BradleyTerryFit {
  std::vector<double> theta;  // per model, natural units; NaN for a model without games
  bool prior_used = false;    // within some piece, or for placing the pieces
  int pieces = 1;             // pieces of the comparison graph (models that met, directly
                              // or through others)
  bool converged = false;
  int iterations = 0;
};

enum class PriorUse { WhenNeeded, Always };

// Holds the work space of the fit so repeated fits (bootstrap rounds) do not allocate.
// One per thread.
class BradleyTerrySolver {
 public:
  // Fits the scores. `start`, if not empty, has one entry per model (NaN allowed) and is
  // the starting point (a warm start converges in two or three steps).
  BradleyTerryFit fit(const PairTotals& pairs, std::span<const double> start = {},
                      PriorUse prior = PriorUse::WhenNeeded);

  // Bootstrap rounds: after a Newton step, the next steps reuse its factorization of the
  // information matrix (chord steps) for as long as each shrinks at least kChordContraction-
  // fold; a step that shrinks less, or had to be shortened, is followed by a Newton step. A
  // round starts at the full fit, close to its own maximum, so it typically factors once
  // instead of twice or three times, and a chord step's gradient needs no information
  // matrix. Chord steps converge linearly (rate r <= 1 / kChordContraction), so the last step
  // below kNewtonStepTolerance leaves an error of at most r / (1 - r) times it, 1/3 of the
  // tolerance, instead of Newton's ~1e-14 — far below the bootstrap's Monte Carlo noise.
  void set_chord_steps(bool on) { chord_steps_ = on; }

  // The information matrix (minus the Hessian of L, with the prior when `prior`) over the
  // models with games, in the order of their indices, at `theta`. For closed-form intervals.
  Eigen::MatrixXd information(const PairTotals& pairs, std::span<const double> theta, bool prior);

 private:
  // Fits one piece (all models with games connected), with or without the prior.
  void fit_connected(const PairTotals& pairs, std::span<const double> start, bool prior,
                     BradleyTerryFit& result);
  // Fits each piece on its own, then places the pieces by the prior.
  void fit_pieces(const PairTotals& pairs, std::span<const double> start,
                  const std::vector<std::vector<uint32_t>>& pieces, BradleyTerryFit& result);
  // Marks the models with games in compact_ and returns how many there are.
  int compact(const PairTotals& pairs);
  // Fills gradient_ and, when `with_information`, information_ (minus the Hessian) at theta_.
  void evaluate(const PairTotals& pairs, bool prior, bool with_information);
  // The log-likelihood at theta_ (only needed when a step may have overshot).
  double log_likelihood(const PairTotals& pairs, bool prior) const;

  GraphCheck graph_;
  bool chord_steps_ = false;
  std::vector<int> compact_;  // model -> active index, -1 when without games
  Eigen::VectorXd theta_, trial_, gradient_, step_, strength_;
  Eigen::MatrixXd information_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
};

}  // namespace paddock::rating
