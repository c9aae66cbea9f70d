// A header's value on a response the dispatcher made, for the checks of the HTTP fuzz targets
// (the product itself never reads back the headers it set).
#pragma once

#include <string>
#include <string_view>

#include "base/text.hpp"
#include "http/message.hpp"

namespace paddock::fuzz {

inline const std::string* response_header(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (equals_ignoring_case(key, name)) return &value;
  }
  return nullptr;
}

}  // namespace paddock::fuzz
