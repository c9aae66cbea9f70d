#include "rating/vote_selection.hpp"

#include <algorithm>
#include <limits>

namespace paddock::rating {

VoteSelection::VoteSelection(const VoteTable& votes, const VoteFilter& filter)
    : set_ok_(votes.category_set_count(), 1),
      votes_(&votes),
      set_(votes.category_set().data()),
      tstamp_(votes.tstamp().data()) {
  if (!filter.categories.empty()) {
    const auto names = votes.category_names();
    std::vector<char> wanted(names.size(), 0);
    bool want_uncategorized = false;
    for (const auto& c : filter.categories) {
      if (c == kUncategorized) want_uncategorized = true;
      const auto it = std::find(names.begin(), names.end(), c);
      if (it != names.end()) wanted[static_cast<std::size_t>(it - names.begin())] = 1;
    }
    for (uint32_t s = 0; s < set_ok_.size(); ++s) {
      const auto members = votes.category_set_members(s);
      bool any = members.empty() && want_uncategorized;
      for (uint32_t c : members) any = any || wanted[c] != 0;
      set_ok_[s] = any ? 1 : 0;
    }
  }
  if (!filter.languages.empty()) {
    const auto names = votes.language_names();
    language_ok_.assign(names.size(), 0);
    for (std::size_t l = 1; l < names.size(); ++l) {
      language_ok_[l] = std::find(filter.languages.begin(), filter.languages.end(), names[l]) !=
                                filter.languages.end()
                            ? 1
                            : 0;
    }
  }
  if (filter.since || filter.until) {
    time_filter_ = true;
    since_ = filter.since.value_or(-std::numeric_limits<double>::infinity());
    until_ = filter.until.value_or(std::numeric_limits<double>::infinity());
  }
}

}  // namespace paddock::rating
