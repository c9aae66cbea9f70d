#pragma once
// Reading header values: the optional whitespace around list elements and parameters, and
// the case-insensitive tokens (content codings, media types) that HTTP compares in ASCII.

#include <cctype>
#include <string_view>

namespace paddock::http {

// `s` without the spaces and tabs (HTTP's OWS) at either end.
inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True if `a` and `b` are equal ignoring ASCII case.
inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace paddock::http
