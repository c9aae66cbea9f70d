#include "arena/catalog_rules.hpp"

#include <charconv>
#include <cmath>
#include <numeric>

namespace paddock::arena {
namespace {

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// "16:9" -> 16/9; nullopt if not two positive integers around a colon.
std::optional<double> parse_aspect(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  int w = 0, h = 0;
  auto a = std::from_chars(s.data(), s.data() + colon, w);
  auto b = std::from_chars(s.data() + colon + 1, s.data() + s.size(), h);
  if (a.ec != std::errc() || a.ptr != s.data() + colon || b.ec != std::errc() ||
      b.ptr != s.data() + s.size() || w <= 0 || h <= 0) {
    return std::nullopt;
  }
  return static_cast<double>(w) / h;
}

}  // namespace

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || id.front() == '.' || id.front() == '_' || id.front() == '-') {
    return false;
  }
  for (char c : id) {
    if (!id_char(c)) return false;
  }
  return true;
}

std::string aspect_of(int width, int height) {
  const int g = std::gcd(width, height);
  return std::to_string(width / g) + ":" + std::to_string(height / g);
}

Status validate_track(const store::Track& t) {
  if (!is_valid_id(t.id)) {
    return fail("invalid", "track id \"" + t.id + "\" is not 1-64 characters of A-Z a-z 0-9 . _ -");
  }
  if (t.name.empty()) return fail("invalid", "track " + t.id + " has an empty name");
  if (!(t.duration_s > 0)) return fail("invalid", "track " + t.id + ": duration_s must be > 0");
  if (t.width <= 0 || t.height <= 0) {
    return fail("invalid", "track " + t.id + ": width and height must be > 0");
  }
  if (!(t.fps >= 0 && t.fps <= kMaxTrackFps)) {
    return fail("invalid", "track " + t.id + ": fps must be between 0 (chosen by the import) and " +
                               std::to_string(static_cast<int>(kMaxTrackFps)));
  }
  auto aspect = parse_aspect(t.aspect);
  if (!aspect) {
    return fail("invalid", "track " + t.id + ": aspect \"" + t.aspect + "\" is not W:H");
  }
  const double size_aspect = static_cast<double>(t.width) / t.height;
  if (std::abs(*aspect - size_aspect) > 0.01 * size_aspect) {
    return fail("invalid", "track " + t.id + ": aspect " + t.aspect + " does not match " +
                               std::to_string(t.width) + "x" + std::to_string(t.height));
  }
  return ok();
}

Status validate_model(const store::Model& m) {
  if (!is_valid_id(m.id)) {
    return fail("invalid", "model id \"" + m.id + "\" is not 1-64 characters of A-Z a-z 0-9 . _ -");
  }
  if (m.display_name.empty())
    return fail("invalid", "model " + m.id + " has an empty display name");
  if (m.status == store::ModelStatus::Anonymous && m.codename.empty()) {
    return fail("invalid", "model " + m.id + " is anonymous but has no codename");
  }
  return ok();
}

}  // namespace paddock::arena
