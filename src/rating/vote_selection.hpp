#pragma once
// Which votes of a table a board uses: the VoteFilter (categories and languages any-of,
// since/until),
// decided per category set once so the per-vote test is two lookups.

#include <cstdint>
#include <vector>

#include "rating/rating.hpp"

namespace paddock::rating {

class VoteSelection {
 public:
  VoteSelection(const VoteTable& votes, const VoteFilter& filter);

  bool contains(std::size_t vote) const {
    if (!set_ok_[set_[vote]]) return false;
    if (!language_ok_.empty() && !language_ok_[votes_->language(vote)]) return false;
    if (!time_filter_) return true;
    const double t = tstamp_[vote];  // NaN fails both comparisons: unknown time is dropped
    return t >= since_ && t < until_;
  }
  // Leaves out every vote of a category set (used for sets whose weight is 0).
  void exclude_set(uint32_t set) { set_ok_[set] = 0; }

 private:
  std::vector<char> set_ok_;       // per category set of the table
  std::vector<char> language_ok_;  // per language of the table; empty: no language filter
  const VoteTable* votes_;
  const uint32_t* set_;
  const double* tstamp_;
  bool time_filter_ = false;
  double since_ = 0, until_ = 0;
};

}  // namespace paddock::rating
