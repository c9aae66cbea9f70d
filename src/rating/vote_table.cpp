#include <algorithm>

#include "rating/rating.hpp"

namespace paddock::rating {

std::string_view winner_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::AWins:
      return "model_a";
    case Outcome::BWins:
      return "model_b";
    case Outcome::Tie:
      return "tie";
    case Outcome::BothBad:
      return "tie (bothbad)";
  }
  return "tie";
}

std::optional<Outcome> parse_winner(std::string_view winner) {
  if (winner == "model_a") return Outcome::AWins;
  if (winner == "model_b") return Outcome::BWins;
  if (winner == "tie") return Outcome::Tie;
  if (winner == "tie (bothbad)") return Outcome::BothBad;
  return std::nullopt;
}

VoteTable::VoteTable() {
  category_sets_.emplace_back();
  category_set_index_.emplace(std::string(), kNoCategories);
}

uint32_t VoteTable::intern_model(std::string_view name) {
  if (auto it = model_index_.find(name); it != model_index_.end()) return it->second;
  const auto id = static_cast<uint32_t>(models_.size());
  models_.emplace_back(name);
  model_index_.emplace(models_.back(), id);
  return id;
}

std::optional<uint32_t> VoteTable::find_model(std::string_view name) const {
  if (auto it = model_index_.find(name); it != model_index_.end()) return it->second;
  return std::nullopt;
}

uint32_t VoteTable::intern_category(std::string_view name) {
  if (auto it = category_index_.find(name); it != category_index_.end()) return it->second;
  const auto id = static_cast<uint32_t>(categories_.size());
  categories_.emplace_back(name);
  category_index_.emplace(categories_.back(), id);
  return id;
}

uint32_t VoteTable::intern_category_set(std::span<const std::string_view> categories) {
  std::vector<std::string_view> names;
  names.reserve(categories.size());
  for (auto c : categories) {
    if (!c.empty()) names.push_back(c);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.empty()) return kNoCategories;

  std::string key;
  for (auto n : names) {
    key.append(n);
    key.push_back('\n');
  }
  if (auto it = category_set_index_.find(key); it != category_set_index_.end()) {
    return it->second;
  }
  std::vector<uint32_t> members;
  members.reserve(names.size());
  for (auto n : names) members.push_back(intern_category(n));  // sorted by name
  const auto id = static_cast<uint32_t>(category_sets_.size());
  category_sets_.push_back(std::move(members));
  category_set_index_.emplace(std::move(key), id);
  return id;
}

uint32_t VoteTable::intern_category_set(const std::vector<std::string>& categories) {
  std::vector<std::string_view> views(categories.begin(), categories.end());
  return intern_category_set(std::span<const std::string_view>(views));
}

void VoteTable::reserve(std::size_t votes) {
  a_.reserve(votes);
  b_.reserve(votes);
  outcome_.reserve(votes);
  category_set_.reserve(votes);
  tstamp_.reserve(votes);
}

void VoteTable::clear() {
  models_.clear();
  model_index_.clear();
  categories_.clear();
  category_index_.clear();
  category_sets_.resize(1);
  category_set_index_.clear();
  category_set_index_.emplace(std::string(), kNoCategories);
  a_.clear();
  b_.clear();
  outcome_.clear();
  category_set_.clear();
  tstamp_.clear();
}

void VoteTable::append(const VoteTable& other) {
  std::vector<uint32_t> model_map(other.models_.size());
  for (std::size_t i = 0; i < other.models_.size(); ++i) {
    model_map[i] = intern_model(other.models_[i]);
  }
  std::vector<uint32_t> set_map(other.category_sets_.size());
  for (std::size_t s = 0; s < other.category_sets_.size(); ++s) {
    std::vector<std::string_view> names;
    for (uint32_t c : other.category_sets_[s]) names.push_back(other.categories_[c]);
    set_map[s] = intern_category_set(std::span<const std::string_view>(names));
  }
  const std::size_t n = other.size();
  if (a_.capacity() < size() + n) reserve(std::max(size() + n, 2 * size()));
  for (std::size_t i = 0; i < n; ++i) {
    a_.push_back(model_map[other.a_[i]]);
    b_.push_back(model_map[other.b_[i]]);
    category_set_.push_back(set_map[other.category_set_[i]]);
  }
  outcome_.insert(outcome_.end(), other.outcome_.begin(), other.outcome_.end());
  tstamp_.insert(tstamp_.end(), other.tstamp_.begin(), other.tstamp_.end());
}

}  // namespace paddock::rating
