#pragma once
// Newton's method with step halving for a smooth concave function of a few hundred
// parameters, with a dense Hessian: the fits beyond plain Bradley-Terry (the Davidson tie
// model, presentation control) use it. Plain Bradley-Terry has its own solver
// (bradley_terry.hpp), which exploits the Laplacian's structure and is on the hot path.

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "rating/bradley_terry.hpp"
#include "rating/scale.hpp"

namespace paddock::rating {

// The weak prior of bradley_terry.hpp for the dense fits: each of the first `models`
// parameters (natural-unit scores) plays kPriorVirtualGames tie games against theta = 0.
// Adds its gradient and Hessian and returns its log-likelihood,
//     sum of  kPriorVirtualGames * (1/2 log sigmoid(t) + 1/2 log sigmoid(-t)).
inline double add_prior_games(const Eigen::VectorXd& theta, Eigen::Index models,
                              Eigen::VectorXd& gradient, Eigen::MatrixXd& hessian) {
  double f = 0;
  for (Eigen::Index i = 0; i < models; ++i) {
    const double p = sigmoid(theta[i]);
    f += kPriorVirtualGames * kTieCredit * (2 * log_sigmoid(theta[i]) - theta[i]);
    gradient[i] += kPriorVirtualGames * (kTieCredit - p);
    hessian(i, i) -= kPriorVirtualGames * p * (1.0 - p);
  }
  return f;
}

// Runs `work` on `threads` threads (this one included), at most one per round: the
// bootstraps' workers take rounds from a shared counter until none is left.
template <typename Work>
void run_workers(int threads, int rounds, Work&& work) {
  const int workers = std::max(1, std::min(threads, rounds));
  std::vector<std::thread> pool;
  for (int t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

struct NewtonOutcome {
  bool converged = false;
  int iterations = 0;
};

// Maximizes f from `x` (updated in place). `evaluate(x, gradient, hessian)` returns f(x) and
// fills its gradient and Hessian (negative semi-definite; both already sized). The first
// `held` parameters stay where they are (to fix a level f does not see). Stops when a step
// moves no parameter by more than kNewtonStepTolerance, or when halving finds no step that
// does not lower f (then f is at its maximum to rounding).
template <typename Evaluate>
NewtonOutcome maximize_concave(Eigen::VectorXd& x, Eigen::Index held, Evaluate&& evaluate) {
  constexpr double kSlack = 1e-13;  // relative: rounding makes equal values differ slightly
  const Eigen::Index n = x.size(), free = n - held;
  Eigen::VectorXd gradient(n), trial_gradient(n), step(n), trial(n);
  Eigen::MatrixXd hessian(n, n), trial_hessian(n, n);
  Eigen::LLT<Eigen::MatrixXd> llt;
  NewtonOutcome outcome;
  double f = evaluate(x, gradient, hessian);
  for (int iteration = 0; iteration < kMaxNewtonIterations; ++iteration) {
    outcome.iterations = iteration + 1;
    llt.compute(-hessian.bottomRightCorner(free, free));
    if (llt.info() != Eigen::Success) break;
    step.setZero();
    step.tail(free) = llt.solve(gradient.tail(free));
    if (step.cwiseAbs().maxCoeff() < kNewtonStepTolerance) {
      x += step;
      outcome.converged = true;
      break;
    }
    double scale = 1.0;
    bool accepted = false;
    for (int halving = 0; halving <= kMaxStepHalvings; ++halving) {
      trial = x + scale * step;
      const double g = evaluate(trial, trial_gradient, trial_hessian);
      if (std::isfinite(g) && g >= f - kSlack * (1.0 + std::abs(f))) {
        accepted = true;
        x.swap(trial);
        f = g;
        gradient.swap(trial_gradient);
        hessian.swap(trial_hessian);
        break;
      }
      scale *= 0.5;
    }
    if (!accepted) {
      outcome.converged = true;  // no representable improvement left
      break;
    }
  }
  return outcome;
}

}  // namespace paddock::rating
