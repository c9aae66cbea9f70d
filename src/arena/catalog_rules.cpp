#include "arena/catalog_rules.hpp"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
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
  if (t.id == kReservedTrackId) {
    return fail("invalid",
                "track id \"sources\" is reserved: a catalog folder keeps its prompt "
                "sources in sources/");
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
  if (auto s = validate_seed_policy(t.seed); !s) {
    return fail("invalid", "track " + t.id + ": " + s.error().message);
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
  if (!m.generation.empty()) {
    if (auto g = canonical_generation(m.generation); !g) {
      return fail("invalid", "model " + m.id + ": " + g.error().message);
    }
  }
  return ok();
}

Result<store::ModelStatus> parse_status(std::string_view text) {
  if (auto status = store::parse_model_status(text)) return *status;
  return fail("invalid",
              "status \"" + std::string(text) + "\" is not hidden, anonymous, public or retired");
}

Status validate_seed_policy(std::string_view policy) {
  if (policy == "none" || policy == "per-prompt") return ok();
  if (policy.starts_with("fixed:")) {
    const std::string_view digits = policy.substr(6);
    int64_t n = -1;
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (!digits.empty() && r.ec == std::errc() && r.ptr == digits.data() + digits.size() &&
        n >= 0 && n <= 2147483647) {
      return ok();
    }
  }
  return fail("invalid", "seed policy \"" + std::string(policy) +
                             "\" is not \"none\", \"per-prompt\" or \"fixed:N\" (N from 0 to "
                             "2147483647)");
}

Result<std::string> canonical_generation(std::string_view json_text) {
  using nlohmann::json;
  json g = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (g.is_discarded()) return fail("invalid", "\"generation\" is not valid JSON");
  if (!g.is_object()) return fail("invalid", "\"generation\" must be an object");
  for (const auto& [key, value] : g.items()) {
    if (key != "provider" && key != "model" && key != "parameters") {
      return fail("invalid", "\"generation\" has an unknown field \"" + key +
                                 "\" (provider, model, parameters)");
    }
  }
  auto provider = g.find("provider");
  if (provider == g.end() || !provider->is_string() || !is_valid_id(provider->get<std::string>())) {
    return fail("invalid",
                "\"generation\" needs \"provider\": the name of a provider in the generate "
                "configuration (1-64 characters of A-Z a-z 0-9 . _ -)");
  }
  auto model = g.find("model");
  if (model == g.end() || !model->is_object() || model->empty()) {
    return fail("invalid",
                "\"generation\" needs \"model\": the provider's model id per task, e.g. "
                "{\"text-to-video\": \"happyhorse-1.0-t2v\"}");
  }
  for (const auto& [task, id] : model->items()) {
    if (!store::parse_task(task)) {
      return fail("invalid", "\"generation\".\"model\" names task \"" + task +
                                 "\", not text-to-video, image-to-video or video-edit");
    }
    if (!id.is_string() || id.get<std::string>().empty()) {
      return fail("invalid", "\"generation\".\"model\".\"" + task +
                                 "\" must be a non-empty string (the provider's model id)");
    }
  }
  auto parameters = g.find("parameters");
  if (parameters != g.end() && !parameters->is_object()) {
    return fail("invalid", "\"generation\".\"parameters\" must be an object");
  }
  return g.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace paddock::arena
