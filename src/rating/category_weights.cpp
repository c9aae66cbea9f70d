#include "rating/category_weights.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "base/text.hpp"
#include "fmt/core.h"
#include "rating/vote_selection.hpp"

namespace paddock::rating {

Result<CategoryWeights> parse_category_weights(std::string_view text) {
  CategoryWeights weights;
  text = trim(text);
  if (text == "balanced") {
    weights.balanced = true;
    return weights;
  }
  if (text.empty())
    return fail("bad_weights", "weights are empty: give \"balanced\" or C=SHARE,...");
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const auto eq = item.rfind('=');
    if (eq == std::string_view::npos) {
      return fail("bad_weights", fmt::format("weight \"{}\" is not CATEGORY=SHARE", item));
    }
    const auto name = trim(item.substr(0, eq));
    const auto value = trim(item.substr(eq + 1));
    double share = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), share);
    if (name.empty() || ec != std::errc() || end != value.data() + value.size() ||
        !std::isfinite(share) || share < 0) {
      return fail("bad_weights", fmt::format("weight \"{}\" is not CATEGORY=SHARE with a "
                                             "non-negative number",
                                             item));
    }
    if (!weights.shares.emplace(std::string(name), share).second) {
      return fail("bad_weights", fmt::format("category \"{}\" is weighted twice", name));
    }
  }
  double total = 0;
  for (const auto& [name, share] : weights.shares) total += share;
  if (!(total > 0)) return fail("bad_weights", "no category has a positive share");
  return weights;
}

std::string describe_weights(const std::optional<CategoryWeights>& weights) {
  if (!weights) return "as_voted";
  if (weights->balanced) return "balanced";
  std::string out;
  for (const auto& [name, share] : weights->shares) {
    if (!out.empty()) out += ',';
    out += fmt::format("{}={}", name, share);
  }
  return out;
}

Result<std::optional<CategoryWeights>> parse_weights_option(std::string_view text) {
  if (trim(text).empty() || trim(text) == "as_voted") return std::optional<CategoryWeights>();
  auto weights = parse_category_weights(text);
  if (!weights) return std::unexpected(weights.error());
  return std::optional<CategoryWeights>(std::move(*weights));
}

Status check_weights_have_votes(const CategoryWeights& weights, const VoteTable& votes,
                                const VoteFilter& filter) {
  if (weights.balanced) return ok();
  // The category sets of the votes a board would rate (a model against another).
  const VoteSelection selection(votes, filter);
  std::vector<char> set_used(votes.category_set_count(), 0);
  bool any = false;
  for (std::size_t v = 0; v < votes.size(); ++v) {
    if (selection.contains(v) && votes.model_a()[v] != votes.model_b()[v]) {
      set_used[votes.category_set()[v]] = 1;
      any = true;
    }
  }
  if (!any) return ok();
  std::set<std::string_view> present;
  for (uint32_t s = 0; s < set_used.size(); ++s) {
    if (!set_used[s]) continue;
    const auto members = votes.category_set_members(s);
    if (members.empty()) present.insert(kUncategorized);
    for (uint32_t c : members) present.insert(votes.category_names()[c]);
  }
  for (const auto& [name, share] : weights.shares) {
    if (share > 0 && !present.contains(name)) {
      return fail("bad_weights", fmt::format("category \"{}\" has a share but no votes", name));
    }
  }
  return ok();
}

Result<CategoryWeighting> CategoryWeighting::make(
    const CategoryWeights& weights, const std::vector<std::vector<std::string>>& groups,
    std::span<const int64_t> counts) {
  CategoryWeighting w;
  for (const auto& g : groups) {
    if (g.empty()) w.categories_.emplace_back(kUncategorized);
    for (const auto& c : g) w.categories_.push_back(c);
  }
  std::sort(w.categories_.begin(), w.categories_.end());
  w.categories_.erase(std::unique(w.categories_.begin(), w.categories_.end()), w.categories_.end());
  auto index_of = [&](std::string_view name) {
    return static_cast<uint32_t>(
        std::lower_bound(w.categories_.begin(), w.categories_.end(), name) - w.categories_.begin());
  };
  for (const auto& g : groups) {
    std::vector<uint32_t> members;
    if (g.empty()) members.push_back(index_of(kUncategorized));
    for (const auto& c : g) members.push_back(index_of(c));
    w.group_members_.push_back(std::move(members));
  }

  w.target_.assign(w.categories_.size(), 0.0);
  if (weights.balanced) {
    std::fill(w.target_.begin(), w.target_.end(), 1.0);
  } else {
    for (const auto& [name, share] : weights.shares) {
      const auto it = std::lower_bound(w.categories_.begin(), w.categories_.end(), name);
      if (it == w.categories_.end() || *it != name) {
        if (share == 0) continue;
        return fail("bad_weights", fmt::format("category \"{}\" has a share but no votes", name));
      }
      w.target_[static_cast<std::size_t>(it - w.categories_.begin())] = share;
    }
  }
  // Categories that only appear in groups without votes cannot hold a share.
  const auto m = w.memberships(counts);
  double total = 0;
  for (std::size_t c = 0; c < m.size(); ++c) {
    if (m[c] > 0) total += w.target_[c];
  }
  if (!(total > 0)) {
    return fail("bad_weights", "no category with votes has a positive share");
  }
  for (std::size_t c = 0; c < m.size(); ++c) w.target_[c] = m[c] > 0 ? w.target_[c] / total : 0;
  return w;
}

std::vector<double> CategoryWeighting::memberships(std::span<const int64_t> counts) const {
  std::vector<double> m(categories_.size(), 0.0);
  for (std::size_t g = 0; g < group_members_.size(); ++g) {
    const double per_member =
        static_cast<double>(counts[g]) / static_cast<double>(group_members_[g].size());
    for (uint32_t c : group_members_[g]) m[c] += per_member;
  }
  return m;
}

void CategoryWeighting::weights(std::span<const int64_t> counts, std::span<double> out) const {
  const auto m = memberships(counts);
  double n = 0, share_present = 0;
  for (std::size_t g = 0; g < counts.size(); ++g) n += static_cast<double>(counts[g]);
  for (std::size_t c = 0; c < m.size(); ++c) {
    if (m[c] > 0) share_present += target_[c];
  }
  for (std::size_t g = 0; g < group_members_.size(); ++g) {
    double w = 0;
    if (share_present > 0) {
      const double fraction = 1.0 / static_cast<double>(group_members_[g].size());
      for (uint32_t c : group_members_[g]) {
        if (m[c] > 0) w += fraction * (target_[c] / share_present) * n / m[c];
      }
    }
    out[g] = w;
  }
}

}  // namespace paddock::rating
