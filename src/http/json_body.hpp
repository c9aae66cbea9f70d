#pragma once
// Reading JSON request bodies (nlohmann-json), strictly: the body must be one JSON object,
// nested at most a few levels, with fields of the expected types.

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace paddock::http {

// The body as a JSON object. Errors: "invalid_json" naming the problem (not JSON, not an
// object, nested deeper than 16 levels).
Result<nlohmann::json> parse_json_object(std::string_view body);

// Refuses a field not in `allowed` (a typo would otherwise be ignored). Error "bad_request"
// naming the field and the ones the request takes.
Status only_fields(const nlohmann::json& object, std::span<const std::string_view> allowed);

// A string field: nullopt if absent or null; Error "bad_request" if present with another type.
Result<std::optional<std::string>> string_field(const nlohmann::json& object, const char* name);
// A non-negative whole-number field (absent or null: `fallback`); 5.0 counts as 5, 1.5 is
// refused. Errors: "bad_request".
Result<int64_t> count_field(const nlohmann::json& object, const char* name, int64_t fallback,
                            int64_t max);

}  // namespace paddock::http
