// compute_history: Bradley-Terry scores at checkpoints along the votes, for a chart.

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "fmt/core.h"
#include "rating/anchor.hpp"
#include "rating/bradley_terry.hpp"
#include "rating/rating.hpp"
#include "rating/scale.hpp"
#include "rating/vote_selection.hpp"

namespace paddock::rating {

Result<History> compute_history(const VoteTable& votes, const HistoryOptions& options) {
  if (options.every_votes < 0) return fail("bad_option", "every_votes must not be negative");
  if (!(options.bucket_seconds >= 0) || !std::isfinite(options.bucket_seconds)) {
    return fail("bad_option", "bucket_seconds must be a non-negative number");
  }
  const bool buckets = options.every_votes == 0 && options.bucket_seconds > 0;
  const VoteSelection selection(votes, options.filter);
  const auto a = votes.model_a();
  const auto b = votes.model_b();
  const auto o = votes.outcome();
  const auto t = votes.tstamp();

  std::vector<uint32_t> order;
  for (std::size_t v = 0; v < votes.size(); ++v) {
    if (!selection.contains(v) || a[v] == b[v]) continue;
    if (buckets && std::isnan(t[v])) continue;
    order.push_back(static_cast<uint32_t>(v));
  }
  if (buckets) {
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t x, uint32_t y) { return t[x] < t[y]; });
  }

  History history;
  std::vector<uint32_t> table_models;
  {
    std::vector<char> present(votes.model_count(), 0);
    for (uint32_t v : order) present[a[v]] = present[b[v]] = 1;
    for (uint32_t m = 0; m < present.size(); ++m) {
      if (present[m]) table_models.push_back(m);
    }
    std::sort(table_models.begin(), table_models.end(),
              [&](uint32_t x, uint32_t y) { return votes.model_name(x) < votes.model_name(y); });
  }
  const std::size_t m = table_models.size();
  std::vector<uint32_t> index(votes.model_count(), 0);
  for (uint32_t i = 0; i < m; ++i) {
    index[table_models[i]] = i;
    history.models.push_back(votes.model_name(table_models[i]));
  }
  if (order.empty()) return history;

  std::optional<uint32_t> anchor_model;
  if (options.anchor_model) {
    const auto it = std::find(history.models.begin(), history.models.end(), *options.anchor_model);
    if (it != history.models.end())
      anchor_model = static_cast<uint32_t>(it - history.models.begin());
  }

  const auto n = static_cast<int64_t>(order.size());
  const int64_t every =
      options.every_votes > 0
          ? options.every_votes
          : std::max<int64_t>(1, (n + kDefaultHistoryPoints - 1) / kDefaultHistoryPoints);

  PairTotals totals;
  totals.models = m;
  std::unordered_map<uint64_t, uint32_t> pair_index;
  BradleyTerrySolver solver;
  std::vector<double> theta(m, std::nan(""));

  for (int64_t k = 0; k < n; ++k) {
    const uint32_t v = order[static_cast<std::size_t>(k)];
    uint32_t i = index[a[v]], j = index[b[v]];
    double credit = o[v] == Outcome::AWins ? kWinCredit : o[v] == Outcome::BWins ? 0.0 : kTieCredit;
    if (i > j) {
      std::swap(i, j);
      credit = kWinCredit - credit;
    }
    const uint64_t key = (static_cast<uint64_t>(i) << 32) | j;
    auto [it, inserted] = pair_index.emplace(key, static_cast<uint32_t>(totals.size()));
    if (inserted) {
      totals.first.push_back(i);
      totals.second.push_back(j);
      totals.games.push_back(0);
      totals.credit.push_back(0);
    }
    const double weight = votes.weight(v);
    totals.games[it->second] += weight;
    totals.credit[it->second] += weight * credit;

    bool checkpoint = k + 1 == n;
    double stamp = t[v];
    if (buckets) {
      const double bucket = std::floor(t[v] / options.bucket_seconds);
      const bool last_of_bucket =
          k + 1 == n ||
          std::floor(t[order[static_cast<std::size_t>(k + 1)]] / options.bucket_seconds) != bucket;
      checkpoint = last_of_bucket;
      stamp = (bucket + 1) * options.bucket_seconds;
    } else if ((k + 1) % every == 0) {
      checkpoint = true;
    }
    if (!checkpoint) continue;

    const BradleyTerryFit fit = solver.fit(totals, theta);
    theta = fit.theta;
    HistoryPoint point;
    point.votes = k + 1;
    point.last_index = v;
    point.tstamp = stamp;
    point.prior_used = fit.prior_used;
    point.ratings.resize(m);
    Anchor anchor{anchor_model, options.anchor_value};
    if (anchor.model && std::isnan(theta[*anchor.model])) anchor.model.reset();
    anchor_scores(theta, anchor, point.ratings);
    history.points.push_back(std::move(point));
  }
  return history;
}

}  // namespace paddock::rating
