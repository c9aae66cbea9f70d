#include "generate/price.hpp"

#include <cctype>
#include <cmath>

#include "base/text.hpp"

namespace paddock::generate {
namespace {

Error bad(std::string message) {
  return Error{"bad_config", std::move(message)};
}

// An amount: a number, or a table of numbers by resolution.
Result<std::map<std::string, double>> read_amounts(const toml::node& node,
                                                   const std::string& where) {
  std::map<std::string, double> amounts;
  if (auto value = node.value<double>()) {
    if (!std::isfinite(*value) || *value < 0) {
      return std::unexpected(bad(where + ": must be a number >= 0"));
    }
    amounts[""] = *value;
    return amounts;
  }
  const toml::table* table = node.as_table();
  if (table == nullptr || table->empty()) {
    return std::unexpected(bad(where +
                               ": expected a number or a table of numbers by resolution, e.g. " +
                               "{ \"720p\" = 0.14, \"1080p\" = 0.24 }"));
  }
  for (const auto& [key, value] : *table) {
    const auto amount = value.value<double>();
    if (!amount || !std::isfinite(*amount) || *amount < 0) {
      return std::unexpected(bad(where + "." + std::string(key.str()) + ": must be a number >= 0"));
    }
    amounts[ascii_lower(key.str())] = *amount;
  }
  return amounts;
}

Result<Price> read_price(const toml::table& table, const std::string& where) {
  Price price;
  int bases = 0;
  // Resolution keys are written as the vendor spells them ("720P"); matched in lower case.
  for (const auto& [key, value] : table) {
    const std::string name(key.str());
    const std::string at = where + "." + name;
    auto positive = [&](std::optional<double>& out) -> Status {
      const auto number = value.value<double>();
      if (!number || !std::isfinite(*number) || *number <= 0) {
        return std::unexpected(bad(at + ": must be a number > 0"));
      }
      out = *number;
      return ok();
    };
    if (name == "currency") {
      const auto text = value.value<std::string>();
      if (!text || text->empty()) return std::unexpected(bad(at + ": must be a non-empty string"));
      price.currency = *text;
    } else if (name == "per_second" || name == "per_clip" || name == "per_unit" ||
               name == "per_million_tokens") {
      ++bases;
      auto amounts = read_amounts(value, at);
      if (!amounts) return std::unexpected(amounts.error());
      price.amounts = std::move(*amounts);
      if (name == "per_second") price.basis = PriceBasis::PerSecond;
      if (name == "per_clip") price.basis = PriceBasis::PerClip;
      if (name == "per_unit") price.basis = PriceBasis::PerUnit;
      if (name == "per_million_tokens") {
        price.basis = PriceBasis::PerToken;
        for (auto& [resolution, amount] : price.amounts) amount /= 1e6;
      }
    } else if (name == "estimate_units") {
      if (auto status = positive(price.estimate_units); !status) {
        return std::unexpected(status.error());
      }
    } else if (name == "estimate_units_per_second") {
      if (auto status = positive(price.estimate_units_per_second); !status) {
        return std::unexpected(status.error());
      }
    } else if (name == "usage_field") {
      const auto text = value.value<std::string>();
      if (!text || text->empty()) {
        return std::unexpected(bad(at + ": must be a dotted path, e.g. \"usage.units\""));
      }
      price.usage_field = *text;
    } else if (name == "estimate_tokens") {
      const auto text = value.value<std::string>();
      if (!text) return std::unexpected(bad(at + ": must be a formula in a string"));
      // Checked once here with a plausible clip, so a typo fails at load, not at the bill.
      if (auto checked = evaluate_formula(*text, {5, 1280, 720, "", ""}); !checked) {
        return std::unexpected(bad(at + ": " + checked.error().message));
      }
      price.estimate_tokens = *text;
    } else {
      return std::unexpected(bad(at + ": unknown field (currency, per_second, per_clip, " +
                                 "per_unit, per_million_tokens, estimate_units, " +
                                 "estimate_units_per_second, estimate_tokens, usage_field)"));
    }
  }
  if (bases != 1) {
    return std::unexpected(
        bad(where + ": give exactly one of per_second, per_clip, per_unit, per_million_tokens"));
  }
  if (price.basis != PriceBasis::PerUnit &&
      (price.estimate_units || price.estimate_units_per_second)) {
    return std::unexpected(bad(where + ": estimate_units goes with per_unit only"));
  }
  if (price.basis != PriceBasis::PerToken && !price.estimate_tokens.empty()) {
    return std::unexpected(bad(where + ": estimate_tokens goes with per_million_tokens only"));
  }
  if ((price.basis == PriceBasis::PerSecond || price.basis == PriceBasis::PerClip) &&
      !price.usage_field.empty()) {
    return std::unexpected(bad(where + ": usage_field goes with per_unit or per_million_tokens"));
  }
  return price;
}

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

std::optional<double> amount_for(const Price& price, const PricedClip& clip) {
  if (const auto flat = price.amounts.find(""); flat != price.amounts.end()) return flat->second;
  for (const std::string& key : {ascii_lower(clip.resolution), ascii_lower(clip.tier)}) {
    if (key.empty()) continue;
    if (const auto it = price.amounts.find(key); it != price.amounts.end()) return it->second;
  }
  return std::nullopt;
}

std::optional<double> estimated_quantity(const Price& price, const PricedClip& clip) {
  switch (price.basis) {
    case PriceBasis::PerSecond:
      return clip.duration_s;
    case PriceBasis::PerClip:
      return 1.0;
    case PriceBasis::PerUnit:
      if (price.estimate_units) return *price.estimate_units;
      if (price.estimate_units_per_second)
        return *price.estimate_units_per_second * clip.duration_s;
      return std::nullopt;
    case PriceBasis::PerToken:
      if (price.estimate_tokens.empty()) return std::nullopt;
      if (auto tokens = evaluate_formula(price.estimate_tokens, clip)) return *tokens;
      return std::nullopt;
  }
  return std::nullopt;
}

// A recursive-descent reader of + - * / ( ) over numbers and the clip's variables.
class Formula {
 public:
  Formula(std::string_view text, const PricedClip& clip) : text_(text), clip_(clip) {}

  Result<double> evaluate() {
    auto value = sum();
    if (!value) return value;
    skip_space();
    if (at_ < text_.size()) return problem("unexpected '" + std::string(1, text_[at_]) + "'");
    if (!std::isfinite(*value)) return problem("the result is not a finite number");
    return value;
  }

 private:
  Result<double> problem(std::string what) const {
    return fail("bad_config", "formula \"" + std::string(text_) + "\": " + what);
  }
  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t')) ++at_;
  }
  bool take(char c) {
    skip_space();
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  Result<double> sum() {
    auto left = product();
    while (left) {
      if (take('+')) {
        auto right = product();
        if (!right) return right;
        *left += *right;
      } else if (take('-')) {
        auto right = product();
        if (!right) return right;
        *left -= *right;
      } else {
        break;
      }
    }
    return left;
  }
  Result<double> product() {
    auto left = factor();
    while (left) {
      if (take('*')) {
        auto right = factor();
        if (!right) return right;
        *left *= *right;
      } else if (take('/')) {
        auto right = factor();
        if (!right) return right;
        if (*right == 0) return problem("division by zero");
        *left /= *right;
      } else {
        break;
      }
    }
    return left;
  }
  Result<double> factor() {
    skip_space();
    if (take('(')) {
      auto inner = sum();
      if (!inner) return inner;
      if (!take(')')) return problem("missing ')'");
      return inner;
    }
    if (at_ >= text_.size()) return problem("ends where a number or name is expected");
    const char c = text_[at_];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      std::size_t end = at_;
      while (end < text_.size() &&
             (std::isdigit(static_cast<unsigned char>(text_[end])) || text_[end] == '.')) {
        ++end;
      }
      const std::string number(text_.substr(at_, end - at_));
      at_ = end;
      char* stop = nullptr;
      const double value = std::strtod(number.c_str(), &stop);
      if (stop != number.c_str() + number.size()) return problem("bad number " + number);
      return value;
    }
    if (std::isalpha(static_cast<unsigned char>(c))) {
      std::size_t end = at_;
      while (end < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) {
        ++end;
      }
      const std::string_view name = text_.substr(at_, end - at_);
      at_ = end;
      if (name == "width") return static_cast<double>(clip_.width);
      if (name == "height") return static_cast<double>(clip_.height);
      if (name == "duration") return clip_.duration_s;
      return problem("unknown name " + std::string(name) + " (width, height, duration)");
    }
    return problem("unexpected '" + std::string(1, c) + "'");
  }

  std::string_view text_;
  const PricedClip& clip_;
  std::size_t at_ = 0;
};

}  // namespace

Result<PriceTable> PriceTable::from_toml(const toml::table& prices, std::string_view where) {
  PriceTable table;
  for (const auto& [key, value] : prices) {
    const std::string at = std::string(where) + ".\"" + std::string(key.str()) + "\"";
    const toml::table* entry = value.as_table();
    if (entry == nullptr) {
      return std::unexpected(bad(at + ": expected a table (currency and a price)"));
    }
    auto price = read_price(*entry, at);
    if (!price) return std::unexpected(price.error());
    table.prices_.emplace(std::string(key.str()), std::move(*price));
  }
  return table;
}

const Price* PriceTable::find(std::string_view model) const {
  if (const auto it = prices_.find(model); it != prices_.end()) return &it->second;
  if (const auto it = prices_.find(std::string_view("*")); it != prices_.end()) return &it->second;
  return nullptr;
}

std::optional<Cost> estimate_cost(const Price& price, const PricedClip& clip) {
  const auto amount = amount_for(price, clip);
  const auto quantity = estimated_quantity(price, clip);
  if (!amount || !quantity) return std::nullopt;
  return Cost{*amount * *quantity, price.currency};
}

std::optional<Cost> reported_cost(const Price& price, const PricedClip& clip,
                                  const ReportedUsage& usage) {
  const auto amount = amount_for(price, clip);
  if (!amount) return std::nullopt;
  std::optional<double> quantity;
  switch (price.basis) {
    case PriceBasis::PerSecond:
      quantity = usage.seconds;
      break;
    case PriceBasis::PerClip:
      quantity = 1.0;
      break;
    case PriceBasis::PerUnit:
      quantity = usage.units;
      break;
    case PriceBasis::PerToken:
      quantity = usage.tokens;
      break;
  }
  if (!quantity) quantity = estimated_quantity(price, clip);
  if (!quantity) return std::nullopt;
  return Cost{*amount * *quantity, price.currency};
}

ReportedUsage usage_of(const Price& price, const nlohmann::json& usage,
                       std::optional<double> seconds) {
  ReportedUsage reported{.seconds = seconds};
  if (price.usage_field.empty()) return reported;
  const std::optional<double> counted = number_at(usage, price.usage_field);
  if (price.basis == PriceBasis::PerUnit) reported.units = counted;
  if (price.basis == PriceBasis::PerToken) reported.tokens = counted;
  return reported;
}

Result<double> evaluate_formula(std::string_view formula, const PricedClip& clip) {
  return Formula(formula, clip).evaluate();
}

}  // namespace paddock::generate
