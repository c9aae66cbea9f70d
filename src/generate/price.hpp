#pragma once
// A provider's prices, from the operator's configuration (docs/providers.md, "Price
// tables"; docs/generate.md, "Prices and budgets"): what one clip of a model costs,
// estimated before it is paid for (the plan, the budget) and computed from the provider's
// reported usage once it is made. One table for every provider, native or declarative:
//
//   [providers.NAME.prices."MODEL-ID"]        # "*" applies to every model not listed
//   currency = "USD"                          # the default; or "CNY", "credits", ...
//   per_second = 0.40                         # or by resolution: { "720P" = 0.14, "1080P" = 0.24 }
//   # or: per_clip = 0.35                     (or by resolution)
//   # or: per_unit = 0.14, estimate_units = 1.0 | estimate_units_per_second = 0.2
//   # or: per_million_tokens = 1.2, estimate_tokens = "width * height * 24 * duration / 1024"
//   # usage_field = "usage.units": where the vendor's usage object counts the units or
//   #   tokens, for providers whose protocol does not say (DashScope)
//
// Resolution keys are matched without regard to case against the value sent to the
// provider ("768P") and then the track's tier ("720p"). The token formula may use width,
// height and duration (seconds), numbers, + - * / and parentheses.

#include <toml++/toml.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "generate/provider.hpp"

namespace paddock::generate {

enum class PriceBasis { PerSecond, PerClip, PerUnit, PerToken };

struct Price {
  std::string currency = "USD";
  PriceBasis basis = PriceBasis::PerClip;
  // The price of one second, clip, unit or token: by resolution key (lower case), or flat
  // under "".
  std::map<std::string, double> amounts;
  std::optional<double> estimate_units;             // PerUnit: units one clip takes
  std::optional<double> estimate_units_per_second;  // PerUnit: or units per second
  std::string estimate_tokens;                      // PerToken: the formula
  std::string usage_field;  // PerUnit, PerToken: a dotted path into the usage object
};

// What a clip is, for pricing: the settings sent.
struct PricedClip {
  double duration_s = 0;
  int width = 0;
  int height = 0;
  std::string resolution;  // the value sent to the provider ("720P"), "" if none
  std::string tier;        // the track's tier ("720p")
};

// The amounts a provider reported for one finished task (each if its protocol says where).
struct ReportedUsage {
  std::optional<double> seconds{};
  std::optional<double> tokens{};
  std::optional<double> units{};
};

class PriceTable {
 public:
  PriceTable() = default;

  // Reads [providers.NAME.prices]. `where` names the table in messages
  // ("providers.kling.prices"). Errors: "bad_config" naming the field.
  static Result<PriceTable> from_toml(const toml::table& prices, std::string_view where);

  // The price of `model`, or of "*", or nullptr.
  const Price* find(std::string_view model) const;
  bool empty() const { return prices_.empty(); }

 private:
  std::map<std::string, Price, std::less<>> prices_;
};

// The cost of a clip before it is made, or nullopt when the price has no amount for its
// resolution (or no way to estimate its units).
std::optional<Cost> estimate_cost(const Price& price, const PricedClip& clip);

// The cost of a finished clip from the provider's reported usage; where the provider
// reported nothing that counts, the estimate.
std::optional<Cost> reported_cost(const Price& price, const PricedClip& clip,
                                  const ReportedUsage& usage);

// What a usage object reports for `price`: the units or tokens at its usage_field (when it
// has one and a number is there); `seconds` as given.
ReportedUsage usage_of(const Price& price, const nlohmann::json& usage,
                       std::optional<double> seconds);

// Evaluates a token formula. Errors: "bad_config" naming what is wrong.
Result<double> evaluate_formula(std::string_view formula, const PricedClip& clip);

}  // namespace paddock::generate
