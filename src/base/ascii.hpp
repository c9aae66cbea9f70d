#pragma once
// ASCII case rules for protocol tokens (HTTP header names, URL schemes and hosts, query
// parameter names), which compare without regard to case and never by locale.

#include <cstddef>
#include <string>
#include <string_view>

namespace paddock {

inline char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// `s` with A-Z turned into a-z; every other byte as it is.
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// True if `a` and `b` are equal ignoring ASCII case.
inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// True if `s` begins with `prefix`, ignoring ASCII case.
inline bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equals_ignoring_case(s.substr(0, prefix.size()), prefix);
}

}  // namespace paddock
