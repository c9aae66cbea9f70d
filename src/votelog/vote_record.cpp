#include "votelog/vote_record.hpp"

#include <algorithm>

#include "fmt/core.h"

namespace paddock::votelog {

std::string_view reason_of(ProblemKind kind) {
  switch (kind) {
    case ProblemKind::MalformedJson:
      return "malformed JSON";
    case ProblemKind::MalformedCsv:
      return "malformed CSV";
    case ProblemKind::NotAnObject:
      return "not an object";
    case ProblemKind::MissingField:
      return "missing field";
    case ProblemKind::WrongType:
      return "wrong field type";
    case ProblemKind::EmptyModel:
      return "empty model name";
    case ProblemKind::UnknownWinner:
      return "unknown winner";
    case ProblemKind::SelfMatch:
      return "self-match";
    case ProblemKind::BadWeight:
      return "bad weight";
  }
  return "invalid";
}

void RawVote::clear() {
  model_a.reset();
  model_b.reset();
  winner.reset();
  track.reset();
  language.reset();
  features_a.clear();
  features_b.clear();
  categories.clear();
  category_text = {};
  tstamp = rating::kNoTstamp;
  weight = kNoWeight;
}

VoteSink::VoteSink(const ReadOptions& options, rating::VoteTable& table)
    : options_(options), table_(table) {
  time_filter_ = options.filter.since.has_value() || options.filter.until.has_value();
}

uint32_t VoteSink::category_set(const std::vector<std::string_view>& categories) {
  if (categories.empty()) return rating::VoteTable::kNoCategories;
  key_.clear();
  for (auto c : categories) {
    key_.append(c);
    key_.push_back('\n');
  }
  return category_sets_.get(key_, [&] { return table_.intern_category_set(categories); });
}

std::optional<Problem> VoteSink::accept(const RawVote& v) {
  for (const auto* field : {&v.model_a, &v.model_b, &v.winner}) {
    if (!field->has_value()) {
      const char* name = field == &v.model_a   ? "model_a"
                         : field == &v.model_b ? "model_b"
                                               : "winner";
      return Problem{ProblemKind::MissingField, fmt::format("missing \"{}\"", name)};
    }
  }
  if (v.model_a->empty() || v.model_b->empty()) {
    return Problem{ProblemKind::EmptyModel,
                   fmt::format("empty \"{}\"", v.model_a->empty() ? "model_a" : "model_b")};
  }
  const auto outcome = rating::parse_winner(*v.winner);
  if (!outcome) {
    return Problem{ProblemKind::UnknownWinner,
                   fmt::format("unknown winner \"{}\" (expected model_a, model_b, tie or "
                               "tie (bothbad))",
                               *v.winner)};
  }
  if (same_text(*v.model_a, *v.model_b)) {
    return Problem{ProblemKind::SelfMatch,
                   fmt::format("self-match: model_a and model_b are both \"{}\"", *v.model_a)};
  }
  if (!std::isnan(v.weight) && !rating::is_vote_weight(v.weight)) {
    return Problem{
        ProblemKind::BadWeight,
        fmt::format("weight {} is not in (0, 1] (a vote counts at most once)", v.weight)};
  }

  // Valid. Now the filters.
  if (options_.track && (!v.track || *v.track != *options_.track)) {
    ++filtered;
    return std::nullopt;
  }
  if (time_filter_) {
    const double t = v.tstamp;
    if (std::isnan(t) || (options_.filter.since && t < *options_.filter.since) ||
        (options_.filter.until && !(t < *options_.filter.until))) {
      ++filtered;
      return std::nullopt;
    }
  }
  if (!options_.filter.categories.empty()) {
    const auto& wanted = options_.filter.categories;
    bool any = false;
    for (auto c : v.categories) {
      any = any || std::find(wanted.begin(), wanted.end(), c) != wanted.end();
    }
    const bool uncategorized =
        std::all_of(v.categories.begin(), v.categories.end(), [](auto c) { return c.empty(); });
    if (uncategorized) {
      any = std::find(wanted.begin(), wanted.end(), rating::kUncategorized) != wanted.end();
    }
    if (!any) {
      ++filtered;
      return std::nullopt;
    }
  }
  if (!options_.filter.languages.empty()) {
    const auto& wanted = options_.filter.languages;
    if (!v.language || std::find(wanted.begin(), wanted.end(), *v.language) == wanted.end()) {
      ++filtered;
      return std::nullopt;
    }
  }
  const uint32_t a = models_.get(*v.model_a, [&] { return table_.intern_model(*v.model_a); });
  const uint32_t b = models_.get(*v.model_b, [&] { return table_.intern_model(*v.model_b); });
  const uint32_t set =
      v.category_text.empty()
          ? category_set(v.categories)
          : category_texts_.get(v.category_text, [&] { return category_set(v.categories); });
  table_.add(a, b, *outcome, set, v.tstamp);
  if (!std::isnan(v.weight) && v.weight != 1) table_.set_weight(v.weight);
  if (v.language && !v.language->empty()) {
    table_.set_language(
        languages_.get(*v.language, [&] { return table_.intern_language(*v.language); }));
  }
  auto feature = [&](std::string_view name) {
    return features_.get(name, [&] { return table_.intern_feature(name); });
  };
  // A feature given for one side only is kept with the other side absent.
  for (const auto& [name, value] : v.features_a) {
    double other = rating::kNoFeature;
    for (const auto& [n, x] : v.features_b) {
      if (n == name) other = x;
    }
    table_.set_feature(feature(name), value, other);
  }
  for (const auto& [name, value] : v.features_b) {
    bool paired = false;
    for (const auto& [n, x] : v.features_a) paired = paired || n == name;
    if (!paired) table_.set_feature(feature(name), rating::kNoFeature, value);
  }
  ++added;
  return std::nullopt;
}

}  // namespace paddock::votelog
