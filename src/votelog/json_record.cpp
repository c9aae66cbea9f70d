#include "votelog/json_record.hpp"

#include <charconv>
#include <cmath>

#include "fmt/core.h"

namespace paddock::votelog {

namespace {

using simdjson::ondemand::json_type;

Problem wrong_type(std::string_view field, std::string_view expected) {
  return Problem{ProblemKind::WrongType, fmt::format("\"{}\" is not {}", field, expected)};
}

// A string field: missing stays nullopt, null counts as missing.
std::optional<Problem> read_string(simdjson::ondemand::value value, std::string_view field,
                                   std::optional<std::string_view>& out) {
  json_type type;
  if (auto e = value.type().get(type)) return json_problem(e);
  if (type == json_type::null) return std::nullopt;
  if (type != json_type::string) return wrong_type(field, "a string");
  std::string_view s;
  if (auto e = value.get_string().get(s)) return json_problem(e);
  out = s;
  return std::nullopt;
}

std::optional<Problem> read_category(simdjson::ondemand::value value, RawVote& out) {
  json_type type;
  if (auto e = value.type().get(type)) return json_problem(e);
  if (type == json_type::null) return std::nullopt;
  if (type == json_type::string) {
    std::string_view s;
    if (auto e = value.get_string().get(s)) return json_problem(e);
    out.categories.push_back(s);
    return std::nullopt;
  }
  if (type != json_type::array) return wrong_type("category", "a string or a list of strings");
  simdjson::ondemand::array array;
  if (auto e = value.get_array().get(array)) return json_problem(e);
  for (auto element : array) {
    simdjson::ondemand::value item;
    if (auto e = element.get(item)) return json_problem(e);
    json_type item_type;
    if (auto e = item.type().get(item_type)) return json_problem(e);
    if (item_type != json_type::string) {
      return wrong_type("category", "a string or a list of strings");
    }
    std::string_view s;
    if (auto e = item.get_string().get(s)) return json_problem(e);
    out.categories.push_back(s);
  }
  return std::nullopt;
}

std::optional<Problem> read_weight(simdjson::ondemand::value value, RawVote& out) {
  json_type type;
  if (auto e = value.type().get(type)) return json_problem(e);
  if (type == json_type::null) return std::nullopt;
  if (type != json_type::number) return wrong_type("weight", "a number in (0, 1]");
  if (auto e = value.get_double().get(out.weight)) return json_problem(e);
  return std::nullopt;
}

std::optional<Problem> read_tstamp(simdjson::ondemand::value value, RawVote& out) {
  json_type type;
  if (auto e = value.type().get(type)) return json_problem(e);
  if (type == json_type::null) return std::nullopt;
  if (type == json_type::number) {
    double t = 0;
    if (auto e = value.get_double().get(t)) return json_problem(e);
    out.tstamp = t;
    return std::nullopt;
  }
  if (type == json_type::string) {  // some exports quote their numbers
    std::string_view s;
    if (auto e = value.get_string().get(s)) return json_problem(e);
    double t = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), t);
    if (ec == std::errc() && end == s.data() + s.size() && std::isfinite(t)) {
      out.tstamp = t;
      return std::nullopt;
    }
  }
  return wrong_type("tstamp", "a number of seconds");
}

// "features_a" / "features_b": an object of feature name -> number (null: not measured).
std::optional<Problem> read_features(simdjson::ondemand::value value, std::string_view field,
                                     std::vector<std::pair<std::string_view, double>>& out) {
  json_type type;
  if (auto e = value.type().get(type)) return json_problem(e);
  if (type == json_type::null) return std::nullopt;
  if (type != json_type::object) return wrong_type(field, "an object of numbers");
  simdjson::ondemand::object object;
  if (auto e = value.get_object().get(object)) return json_problem(e);
  for (auto entry : object) {
    std::string_view name;
    if (auto e = entry.unescaped_key().get(name)) return json_problem(e);
    simdjson::ondemand::value item;
    if (auto e = entry.value().get(item)) return json_problem(e);
    json_type item_type;
    if (auto e = item.type().get(item_type)) return json_problem(e);
    if (item_type == json_type::null) continue;
    double x = 0;
    if (item_type != json_type::number || item.get_double().get(x) || !std::isfinite(x)) {
      return wrong_type(field, "an object of numbers");
    }
    out.emplace_back(name, x);
  }
  return std::nullopt;
}

std::optional<Problem> dom_features(simdjson::dom::element value, std::string_view field,
                                    std::vector<std::pair<std::string_view, double>>& out) {
  if (value.is_null()) return std::nullopt;
  simdjson::dom::object object;
  if (value.get_object().get(object)) return wrong_type(field, "an object of numbers");
  for (auto [name, item] : object) {
    if (item.is_null()) continue;
    double x = 0;
    if (item.get_double().get(x) || !std::isfinite(x)) {
      return wrong_type(field, "an object of numbers");
    }
    out.emplace_back(name, x);
  }
  return std::nullopt;
}

std::optional<Problem> dom_string(simdjson::dom::element value, std::string_view field,
                                  std::optional<std::string_view>& out) {
  if (value.is_null()) return std::nullopt;
  std::string_view s;
  if (value.get_string().get(s)) return wrong_type(field, "a string");
  out = s;
  return std::nullopt;
}

std::optional<Problem> dom_category(simdjson::dom::element value, RawVote& out) {
  out.categories.clear();
  if (value.is_null()) return std::nullopt;
  std::string_view s;
  if (!value.get_string().get(s)) {
    out.categories.push_back(s);
    return std::nullopt;
  }
  simdjson::dom::array array;
  if (value.get_array().get(array)) return wrong_type("category", "a string or a list of strings");
  for (auto item : array) {
    if (item.get_string().get(s)) return wrong_type("category", "a string or a list of strings");
    out.categories.push_back(s);
  }
  return std::nullopt;
}

std::optional<Problem> dom_weight(simdjson::dom::element value, RawVote& out) {
  if (value.is_null()) return std::nullopt;
  if (value.get_double().get(out.weight)) return wrong_type("weight", "a number in (0, 1]");
  return std::nullopt;
}

std::optional<Problem> dom_tstamp(simdjson::dom::element value, RawVote& out) {
  if (value.is_null()) return std::nullopt;
  double t = 0;
  if (!value.get_double().get(t)) {
    out.tstamp = t;
    return std::nullopt;
  }
  std::string_view s;
  if (!value.get_string().get(s)) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), t);
    if (ec == std::errc() && end == s.data() + s.size() && std::isfinite(t)) {
      out.tstamp = t;
      return std::nullopt;
    }
  }
  return wrong_type("tstamp", "a number of seconds");
}

}  // namespace

bool at_end(simdjson::ondemand::document& doc) {
  const char* location = nullptr;
  return doc.current_location().get(location) == simdjson::OUT_OF_BOUNDS;
}

std::optional<Problem> read_dom_record(simdjson::dom::element element, RawVote& out) {
  out.clear();
  simdjson::dom::object object;
  if (element.get_object().get(object)) {
    return Problem{ProblemKind::NotAnObject, "record is not a JSON object"};
  }
  for (auto [key, value] : object) {
    std::optional<Problem> problem;
    if (key == "model_a") {
      problem = dom_string(value, key, out.model_a);
    } else if (key == "model_b") {
      problem = dom_string(value, key, out.model_b);
    } else if (key == "winner") {
      problem = dom_string(value, key, out.winner);
    } else if (key == "category") {
      problem = dom_category(value, out);
    } else if (key == "tstamp") {
      problem = dom_tstamp(value, out);
    } else if (key == "weight") {
      problem = dom_weight(value, out);
    } else if (key == "track") {
      problem = dom_string(value, key, out.track);
    } else if (key == "language") {
      problem = dom_string(value, key, out.language);
    } else if (key == "features_a") {
      problem = dom_features(value, key, out.features_a);
    } else if (key == "features_b") {
      problem = dom_features(value, key, out.features_b);
    }
    if (problem) return problem;
  }
  return std::nullopt;
}

Problem json_problem(simdjson::error_code error) {
  return Problem{ProblemKind::MalformedJson,
                 fmt::format("malformed JSON ({})", simdjson::error_message(error))};
}

std::optional<Problem> read_json_record(simdjson::ondemand::object object, RawVote& out) {
  out.clear();
  for (auto field : object) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return json_problem(e);
    simdjson::ondemand::value value;
    if (auto e = field.value().get(value)) return json_problem(e);
    std::optional<Problem> problem;
    if (key == "model_a") {
      problem = read_string(value, key, out.model_a);
    } else if (key == "model_b") {
      problem = read_string(value, key, out.model_b);
    } else if (key == "winner") {
      problem = read_string(value, key, out.winner);
    } else if (key == "category") {
      out.categories.clear();
      problem = read_category(value, out);
    } else if (key == "tstamp") {
      problem = read_tstamp(value, out);
    } else if (key == "weight") {
      problem = read_weight(value, out);
    } else if (key == "track") {
      problem = read_string(value, key, out.track);
    } else if (key == "language") {
      problem = read_string(value, key, out.language);
    } else if (key == "features_a") {
      problem = read_features(value, key, out.features_a);
    } else if (key == "features_b") {
      problem = read_features(value, key, out.features_b);
    }
    if (problem) return problem;
  }
  return std::nullopt;
}

}  // namespace paddock::votelog
