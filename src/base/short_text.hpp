#pragma once
// Short strings (model names, JSON keys, winners) compared and hashed by whole words instead
// of memcmp: reading a vote log does a handful of these per line, and a call to memcmp each
// was a tenth of the parse time.

#include <cstdint>
#include <cstring>
#include <string_view>

namespace paddock {

// Strings up to this length are identified by their size and ShortText's two words.
inline constexpr std::size_t kShortTextMax = 16;

// Two words that, with the size, identify a string of at most kShortTextMax bytes: its
// first and last eight bytes (overlapping below 16), four below eight, and below four its
// first, middle and last byte. Every load stays inside the string.
struct ShortText {
  uint64_t head = 0;
  uint64_t tail = 0;
  friend bool operator==(const ShortText&, const ShortText&) = default;
};

[[gnu::always_inline]] inline ShortText short_text(std::string_view s) {
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n >= 8) {
    uint64_t head = 0, tail = 0;
    std::memcpy(&head, p, 8);
    std::memcpy(&tail, p + n - 8, 8);
    return {head, tail};
  }
  if (n >= 4) {
    uint32_t head = 0, tail = 0;
    std::memcpy(&head, p, 4);
    std::memcpy(&tail, p + n - 4, 4);
    return {head, tail};
  }
  if (n == 0) return {};
  const auto byte = [](char c) { return static_cast<uint64_t>(static_cast<unsigned char>(c)); };
  return {byte(p[0]) | byte(p[n / 2]) << 8 | byte(p[n - 1]) << 16, 0};
}

// a == b, by words when they are short (with a literal, its words fold to constants).
[[gnu::always_inline]] inline bool same_text(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.size() <= kShortTextMax) return short_text(a) == short_text(b);
  return a == b;
}

}  // namespace paddock
