#include "generate/price.hpp"

namespace paddock::generate {
namespace {

// The number at a dotted path ("usage.total_tokens") of `j`, if there is one.
std::optional<double> number_at(const nlohmann::json& j, std::string_view path) {
  const nlohmann::json* at = &j;
  while (!path.empty()) {
    const size_t dot = path.find('.');
    const std::string key(path.substr(0, dot));
    if (!at->is_object()) return std::nullopt;
    auto it = at->find(key);
    if (it == at->end()) return std::nullopt;
    at = &*it;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  if (!at->is_number()) return std::nullopt;
  return at->get<double>();
}

}  // namespace

std::optional<Cost> estimate_cost(const Price& price, std::string_view tier, double seconds) {
  if (price.per_clip) return Cost{*price.per_clip, price.currency};
  if (auto it = price.per_second_by_tier.find(std::string(tier));
      it != price.per_second_by_tier.end()) {
    return Cost{it->second * seconds, price.currency};
  }
  if (price.per_second) return Cost{*price.per_second * seconds, price.currency};
  if (price.per_unit && price.units_per_second) {
    return Cost{*price.per_unit * *price.units_per_second * seconds, price.currency};
  }
  return std::nullopt;
}

std::optional<Cost> charged_cost(const Price& price, std::string_view tier, double seconds,
                                 const nlohmann::json& usage) {
  if (price.per_unit && !price.usage_field.empty()) {
    if (auto units = number_at(usage, price.usage_field)) {
      return Cost{*price.per_unit * *units, price.currency};
    }
  }
  return estimate_cost(price, tier, seconds);
}

}  // namespace paddock::generate
