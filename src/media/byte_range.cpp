// decide_range(): the Range header arithmetic of RFC 9110 §14, single ranges only.
#include <limits>

#include "base/text.hpp"
#include "media/media.hpp"

namespace paddock::media {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Decimal digits only; saturates at INT64_MAX (a huge position is simply past the end).
std::optional<int64_t> parse_position(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const int d = c - '0';
    v = v > (kMax - d) / 10 ? kMax : v * 10 + d;
  }
  return v;
}

}  // namespace

RangeDecision decide_range(std::optional<std::string_view> header, int64_t size) {
  const RangeDecision whole{};
  if (!header) return whole;
  std::string_view h = trim(*header);
  const size_t eq = h.find('=');
  if (eq == std::string_view::npos || !equals_ignoring_case(trim(h.substr(0, eq)), "bytes"))
    return whole;
  std::string_view spec = trim(h.substr(eq + 1));
  if (spec.find(',') != std::string_view::npos) return whole;  // multipart is not offered
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  std::string_view first_text = spec.substr(0, dash);
  std::string_view last_text = spec.substr(dash + 1);

  if (first_text.empty()) {  // suffix range: the last N bytes
    auto n = parse_position(last_text);
    if (!n) return whole;
    if (*n == 0 || size <= 0) return {RangeKind::Unsatisfiable, {}};
    return {RangeKind::Partial, {size - std::min(*n, size), size - 1}};
  }
  auto first = parse_position(first_text);
  if (!first) return whole;
  std::optional<int64_t> last;
  if (!last_text.empty()) {
    last = parse_position(last_text);
    if (!last || *last < *first) return whole;  // invalid range-spec: ignore the header
  }
  if (*first >= size) return {RangeKind::Unsatisfiable, {}};
  const int64_t end = last ? std::min(*last, size - 1) : size - 1;
  return {RangeKind::Partial, {*first, end}};
}

}  // namespace paddock::media
