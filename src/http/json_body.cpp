#include "http/json_body.hpp"

#include <cmath>

#include "base/escaping.hpp"

namespace paddock::http {
namespace {

constexpr int kMaxDepth = 16;

// Checks nesting before parsing, so a body of 60,000 brackets never reaches the parser.
bool shallow(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

}  // namespace

Result<nlohmann::json> parse_json_object(std::string_view body) {
  if (!shallow(body)) return fail("invalid_json", "the JSON body is nested too deeply");
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return fail("invalid_json", "the body is not valid JSON");
  if (!j.is_object()) return fail("invalid_json", "the body must be a JSON object");
  return j;
}

Status only_fields(const nlohmann::json& object, std::span<const std::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || name == key;
    if (known) continue;
    std::string names;
    for (std::string_view name : allowed) {
      names += names.empty() ? "" : ", ";
      names += name;
    }
    return fail("bad_request",
                "unknown field " + quoted_excerpt(key) + " (this request takes " + names + ")");
  }
  return ok();
}

Result<std::optional<std::string>> string_field(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return fail("bad_request", std::string("\"") + name + "\" must be a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<int64_t> count_field(const nlohmann::json& object, const char* name, int64_t fallback,
                            int64_t max) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return fallback;
  auto bad = [&] {
    return fail("bad_request", std::string("\"") + name + "\" must be a whole number from 0 to " +
                                   std::to_string(max));
  };
  if (it->is_number_unsigned()) {
    auto v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(max)) return bad();
    return static_cast<int64_t>(v);
  }
  if (it->is_number_integer()) {
    auto v = it->get<int64_t>();
    if (v < 0 || v > max) return bad();
    return v;
  }
  if (it->is_number_float()) {  // 1500.0 is a whole number; 1.5 is not (it is refused)
    double v = it->get<double>();
    if (!std::isfinite(v) || v < 0 || v > static_cast<double>(max) || std::floor(v) != v) {
      return bad();
    }
    return static_cast<int64_t>(v);
  }
  return bad();
}

}  // namespace paddock::http
