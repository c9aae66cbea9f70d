#include "rating/elo.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rating/scale.hpp"

namespace paddock::rating {

namespace {

double score_of(Outcome outcome) {
  switch (outcome) {
    case Outcome::AWins:
      return kWinCredit;
    case Outcome::BWins:
      return 0.0;
    case Outcome::Tie:
    case Outcome::BothBad:
      return kTieCredit;
  }
  return kTieCredit;
}

}  // namespace

EloResult online_elo(const VoteTable& votes, const VoteSelection& selection,
                     std::span<const uint32_t> model_index, std::size_t models) {
  EloResult result;
  result.ratings.assign(models, kEloStart);
  const auto a = votes.model_a();
  const auto b = votes.model_b();
  const auto o = votes.outcome();
  const auto t = votes.tstamp();
  const std::size_t n = votes.size();

  // Is the table already in tstamp order (the usual case for logs and the server)?
  bool sorted = true;
  double last = -std::numeric_limits<double>::infinity();
  for (std::size_t v = 0; v < n; ++v) {
    if (!selection.contains(v) || a[v] == b[v]) continue;
    if (std::isnan(t[v])) {
      result.table_order = true;
      break;
    }
    if (t[v] < last) sorted = false;
    last = t[v];
  }

  auto play = [&](std::size_t v) {
    double& ra = result.ratings[model_index[a[v]]];
    double& rb = result.ratings[model_index[b[v]]];
    // kBase^((rb - ra) / kScale) = e^((rb - ra) / kPointsPerNatural)
    const double expected = 1.0 / (1.0 + std::exp((rb - ra) / kPointsPerNatural));
    // A vote of weight w moves the ratings w times as far (w = 1: the plain update).
    const double update = kEloK * votes.weight(v) * (score_of(o[v]) - expected);
    ra += update;
    rb -= update;
  };

  if (sorted || result.table_order) {
    for (std::size_t v = 0; v < n; ++v) {
      if (selection.contains(v) && a[v] != b[v]) play(v);
    }
    return result;
  }
  std::vector<uint32_t> order;
  for (std::size_t v = 0; v < n; ++v) {
    if (selection.contains(v) && a[v] != b[v]) order.push_back(static_cast<uint32_t>(v));
  }
  std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) { return t[x] < t[y]; });
  for (uint32_t v : order) play(v);
  return result;
}

}  // namespace paddock::rating
