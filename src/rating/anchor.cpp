#include "rating/anchor.hpp"

#include <cmath>

#include "rating/scale.hpp"

namespace paddock::rating {

void anchor_scores(std::span<const double> theta, const Anchor& anchor, std::span<double> out) {
  double reference = 0;
  if (anchor.model) {
    reference = theta[*anchor.model];
  } else {
    double sum = 0;
    std::size_t count = 0;
    for (double t : theta) {
      if (!std::isnan(t)) {
        sum += t;
        ++count;
      }
    }
    reference = count > 0 ? sum / static_cast<double>(count) : 0.0;
  }
  for (std::size_t i = 0; i < theta.size(); ++i) {
    out[i] = anchor.value + kPointsPerNatural * (theta[i] - reference);
  }
}

}  // namespace paddock::rating
