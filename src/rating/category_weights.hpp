#pragma once
// Category re-weighting: the weight of a vote so that each category holds a chosen share of
// the total weight, whatever share the voters happened to produce.
//
// A vote whose prompt has k categories counts 1/k in each (a vote without category counts
// in kUncategorized). With m_c the memberships in category c over the N votes used and s_c
// the target share (normalized over the categories present), a vote of category set g gets
//     w_g = sum over c in g of (1/|g|) * s_c * N / m_c,
// so the weights add up to N and category c's votes add up to s_c * N.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "rating/rating.hpp"

namespace paddock::rating {

class CategoryWeighting {
 public:
  // `groups[g]` lists the category names of group g (empty: uncategorized); `counts[g]` its
  // number of votes. Errors "bad_weights": a share for a category that has no vote, or no
  // category with votes has a positive share.
  static Result<CategoryWeighting> make(const CategoryWeights& weights,
                                        const std::vector<std::vector<std::string>>& groups,
                                        std::span<const int64_t> counts);

  // Weight per group for the given per-group counts (the full log, or one bootstrap draw).
  // Groups whose categories all have share 0 get weight 0. Categories with share > 0 but
  // no vote in `counts` are left out and the other shares renormalized.
  void weights(std::span<const int64_t> counts, std::span<double> out) const;

  // Sorted category names (with kUncategorized when some group is empty) and their
  // target shares (normalized over the categories with votes in the full log).
  const std::vector<std::string>& categories() const { return categories_; }
  const std::vector<double>& target_shares() const { return target_; }
  // Memberships of each category for the given counts.
  std::vector<double> memberships(std::span<const int64_t> counts) const;

 private:
  std::vector<std::string> categories_;
  std::vector<double> target_;                        // per category, sums to 1
  std::vector<std::vector<uint32_t>> group_members_;  // category indices per group
};

}  // namespace paddock::rating
