#pragma once
// The rating scale every part of the layer shares: Elo's 400-point logistic scale.
//   P(i beats j) = 1 / (1 + 10^((R_j - R_i) / kScale))
// Internally the fit works in natural units theta, with P(i beats j) = sigmoid(theta_i -
// theta_j); a score is R = anchor + kPointsPerNatural * theta.

#include <cmath>

namespace paddock::rating {

inline constexpr double kScale = 400;  // points per factor kBase in the odds
inline constexpr double kBase = 10;
inline constexpr double kLnBase = 2.302585092994045684;  // ln(kBase)
inline constexpr double kPointsPerNatural = kScale / kLnBase;
inline constexpr double kDefaultAnchorValue = 1000;

// Credit a side gets from one vote: a win 1, a tie or both-bad 1/2, a loss 0.
inline constexpr double kWinCredit = 1.0;
inline constexpr double kTieCredit = 0.5;

// sigmoid(x) = 1 / (1 + e^-x), without overflow for large |x|.
inline double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

// log(sigmoid(x)) = -log(1 + e^-x), accurate for large |x|.
inline double log_sigmoid(double x) {
  if (x >= 0) return -std::log1p(std::exp(-x));
  return x - std::log1p(std::exp(x));
}

// P(a beats b) for scores on the point scale.
inline double win_probability(double rating_a, double rating_b) {
  return sigmoid((rating_a - rating_b) / kPointsPerNatural);
}

}  // namespace paddock::rating
