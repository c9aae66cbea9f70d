#pragma once
// Percent-decoding and query strings (RFC 3986), strict: a malformed escape is an error,
// never passed through.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paddock::http {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). Returns nullopt for a '%'
// not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

class QueryParams {
 public:
  // Parses "a=1&b=x%20y&a=2". Returns nullopt if an escape is malformed.
  static std::optional<QueryParams> parse(std::string_view query);

  // The first value of `name`, or nullopt.
  std::optional<std::string> get(std::string_view name) const;
  // Every value of `name`, in order.
  std::vector<std::string> all(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace paddock::http
