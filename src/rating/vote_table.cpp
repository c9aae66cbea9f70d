#include <algorithm>

#include "base/short_text.hpp"
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

std::optional<TieModel> parse_tie_model(std::string_view name) {
  if (name == "half") return TieModel::Half;
  if (name == "davidson") return TieModel::Davidson;
  return std::nullopt;
}

std::string_view tie_model_name(TieModel model) {
  return model == TieModel::Davidson ? "davidson" : "half";
}

std::optional<IntervalMethod> parse_interval_method(std::string_view name) {
  if (name == "bootstrap") return IntervalMethod::Bootstrap;
  if (name == "sandwich") return IntervalMethod::Sandwich;
  return std::nullopt;
}

std::string_view interval_method_name(IntervalMethod method) {
  return method == IntervalMethod::Sandwich ? "sandwich" : "bootstrap";
}

std::optional<Outcome> parse_winner(std::string_view winner) {
  // Once per vote read: by whole words, not memcmp.
  if (same_text(winner, "model_a")) return Outcome::AWins;
  if (same_text(winner, "model_b")) return Outcome::BWins;
  if (same_text(winner, "tie")) return Outcome::Tie;
  if (same_text(winner, "tie (bothbad)")) return Outcome::BothBad;
  return std::nullopt;
}

VoteTable::VoteTable() {
  category_sets_.emplace_back();
  category_set_index_.emplace(std::string(), kNoCategories);
  languages_.emplace_back();
  language_index_.emplace(std::string(), kNoLanguage);
}

uint32_t VoteTable::intern_language(std::string_view name) {
  if (auto it = language_index_.find(name); it != language_index_.end()) return it->second;
  const auto id = static_cast<uint32_t>(languages_.size());
  languages_.emplace_back(name);
  language_index_.emplace(languages_.back(), id);
  return id;
}

uint32_t VoteTable::intern_feature(std::string_view name) {
  if (auto it = feature_index_.find(name); it != feature_index_.end()) return it->second;
  const auto id = static_cast<uint32_t>(features_.size());
  features_.emplace_back(name);
  feature_index_.emplace(features_.back(), id);
  feature_a_.emplace_back();
  feature_b_.emplace_back();
  return id;
}

std::optional<uint32_t> VoteTable::find_feature(std::string_view name) const {
  if (auto it = feature_index_.find(name); it != feature_index_.end()) return it->second;
  return std::nullopt;
}

void VoteTable::set_language(uint32_t language) {
  const std::size_t vote = size() - 1;
  if (language == kNoLanguage && language_.size() <= vote) return;
  language_.resize(vote + 1, kNoLanguage);
  language_[vote] = language;
}

void VoteTable::set_feature(uint32_t feature, double value_a, double value_b) {
  const std::size_t vote = size() - 1;
  auto& a = feature_a_[feature];
  auto& b = feature_b_[feature];
  a.resize(vote + 1, kNoFeature);
  b.resize(vote + 1, kNoFeature);
  a[vote] = value_a;
  b[vote] = value_b;
}

void VoteTable::set_weight(double weight) {
  const std::size_t vote = size() - 1;
  auto [it, added] = weight_index_.emplace(weight, static_cast<uint32_t>(weight_values_.size()));
  if (added) weight_values_.push_back(weight);
  if (it->second == 0 && weight_.size() <= vote) return;
  weight_.resize(vote + 1, 0);
  weight_[vote] = it->second;
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
  languages_.resize(1);
  language_index_.clear();
  language_index_.emplace(std::string(), kNoLanguage);
  language_.clear();
  features_.clear();
  feature_index_.clear();
  feature_a_.clear();
  feature_b_.clear();
  weight_values_.resize(1);
  weight_index_ = {{1.0, 0}};
  weight_.clear();
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
  const std::size_t before = size();
  if (a_.capacity() < size() + n) reserve(std::max(size() + n, 2 * size()));
  for (std::size_t i = 0; i < n; ++i) {
    a_.push_back(model_map[other.a_[i]]);
    b_.push_back(model_map[other.b_[i]]);
    category_set_.push_back(set_map[other.category_set_[i]]);
  }
  outcome_.insert(outcome_.end(), other.outcome_.begin(), other.outcome_.end());
  tstamp_.insert(tstamp_.end(), other.tstamp_.begin(), other.tstamp_.end());

  if (!other.language_.empty()) {
    language_.resize(before + other.language_.size(), kNoLanguage);
    for (std::size_t i = 0; i < other.language_.size(); ++i) {
      language_[before + i] = intern_language(other.languages_[other.language_[i]]);
    }
  }
  if (!other.weight_.empty()) {
    weight_.resize(before + other.weight_.size(), 0);
    for (std::size_t i = 0; i < other.weight_.size(); ++i) {
      const double w = other.weight_values_[other.weight_[i]];
      auto [it, added] = weight_index_.emplace(w, static_cast<uint32_t>(weight_values_.size()));
      if (added) weight_values_.push_back(w);
      weight_[before + i] = it->second;
    }
  }
  for (std::size_t f = 0; f < other.features_.size(); ++f) {
    const uint32_t mine = intern_feature(other.features_[f]);
    const auto& from_a = other.feature_a_[f];
    const auto& from_b = other.feature_b_[f];
    if (from_a.empty()) continue;
    feature_a_[mine].resize(before + from_a.size(), kNoFeature);
    feature_b_[mine].resize(before + from_b.size(), kNoFeature);
    std::copy(from_a.begin(), from_a.end(), feature_a_[mine].begin() + static_cast<long>(before));
    std::copy(from_b.begin(), from_b.end(), feature_b_[mine].begin() + static_cast<long>(before));
  }
}

}  // namespace paddock::rating
