#pragma once
// A provider's price table (docs/generate.md, "Prices and budgets"): what one clip of a
// provider model costs, by the second of output (flat, or per resolution tier such as
// "720P"), by the clip, or by the unit a usage field counts (tokens, credits).

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "generate/provider.hpp"

namespace paddock::generate {

struct Price {
  std::string currency = "USD";
  std::optional<double> per_clip{};
  std::optional<double> per_second{};                  // any resolution
  std::map<std::string, double> per_second_by_tier{};  // "720P" -> 0.14
  std::optional<double> per_unit{};                    // times the number at usage_field
  std::string usage_field{};                           // "usage.total_tokens": a dotted path
  std::optional<double> units_per_second{};            // estimate of units before usage is known
};

// The estimated cost of a clip of `seconds` at resolution `tier`, before anything is sent.
// nullopt when the price does not say (no entry for the tier, a per-unit price without an
// estimate of units).
std::optional<Cost> estimate_cost(const Price& price, std::string_view tier, double seconds);

// The cost of a finished task: per-unit prices read the vendor's usage object (`usage`
// holds it, or the whole reply when usage_field is a path into it), the others as
// estimate_cost with the seconds the vendor reports (`seconds` <= 0: none reported).
std::optional<Cost> charged_cost(const Price& price, std::string_view tier, double seconds,
                                 const nlohmann::json& usage);

}  // namespace paddock::generate
