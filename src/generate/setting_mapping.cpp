#include "generate/setting_mapping.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace paddock::generate {
namespace {

using nlohmann::json;

std::string seconds(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string with_note(std::string text, const std::string& note) {
  if (!note.empty()) text += " (" + note + ")";
  return text;
}

std::string list_of(const std::vector<double>& values) {
  std::string out;
  for (const double value : values) out += (out.empty() ? "" : ", ") + seconds(value);
  return out;
}

std::string list_of(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) out += (out.empty() ? "" : ", ") + value;
  return out;
}

// The value nearest `wanted`; of two equally near, the longer.
double nearest(const std::vector<double>& allowed, double wanted) {
  double best = allowed.front();
  for (const double value : allowed) {
    const double gap = std::abs(value - wanted);
    const double best_gap = std::abs(best - wanted);
    if (gap < best_gap - 1e-9 || (std::abs(gap - best_gap) <= 1e-9 && value > best)) best = value;
  }
  return best;
}

json duration_value(const DurationSetting& setting, double value) {
  switch (setting.type) {
    case ValueType::Integer:
      return static_cast<std::int64_t>(std::llround(value));
    case ValueType::String:
      return std::to_string(std::llround(value));
    case ValueType::Number:
      return value;
  }
  return value;
}

Status map_resolution(const ResolutionSetting& setting, const GenerationRequest& request,
                      const std::set<std::string>& used, std::string_view vendor,
                      MappedSettings& out) {
  const std::string& tier = out.clip.tier;
  if (!setting.sent) {
    out.deviations.push_back(
        with_note("resolution " + (tier.empty() ? std::string("(none set)") : tier) +
                      " not sent: " + std::string(vendor) + " takes no resolution",
                  setting.note));
    return ok();
  }
  if (!used.contains("resolution")) return ok();
  if (tier.empty()) {
    out.deviations.push_back("resolution not sent: the track has no size, so " +
                             std::string(vendor) + "'s default applies");
    return ok();
  }
  const auto value = setting.values.find(tier);
  if (value == setting.values.end()) {
    std::vector<std::string> tiers;
    for (const auto& [t, v] : setting.values) tiers.push_back(t);
    return fail("unsupported", "resolution " + tier + " (" + std::to_string(request.width) + "x" +
                                   std::to_string(request.height) + "): " + std::string(vendor) +
                                   " takes " + list_of(tiers));
  }
  out.vars["resolution"] = value->second;
  out.clip.resolution = value->second;
  if (const auto note = setting.notes.find(tier); note != setting.notes.end()) {
    out.deviations.push_back("resolution " + tier + " sent as " + value->second + " (" +
                             note->second + ")");
  }
  return ok();
}

Status map_duration(const DurationSetting& setting, const GenerationRequest& request,
                    const std::set<std::string>& used, std::string_view vendor,
                    MappedSettings& out) {
  const double wanted = request.duration_s;
  out.clip.duration_s = wanted;
  if (!setting.sent) {
    out.deviations.push_back(with_note("duration " + seconds(wanted) + " s not sent: " +
                                           std::string(vendor) + " takes no duration",
                                       setting.note));
    return ok();
  }
  if (!used.contains("duration")) return ok();

  std::vector<double> allowed = setting.values;
  std::string scope;
  if (const auto by = setting.by_resolution.find(out.clip.resolution);
      by != setting.by_resolution.end()) {
    allowed = by->second;
    std::sort(allowed.begin(), allowed.end());
    scope = " at " + out.clip.resolution;
  }
  double chosen = wanted;
  std::string takes;
  if (!allowed.empty()) {
    takes = list_of(allowed) + " s" + scope;
    chosen = nearest(allowed, wanted);
  } else {
    takes = seconds(*setting.min) + " to " + seconds(*setting.max) + " s";
    if (setting.type != ValueType::Number) chosen = std::round(wanted);
    chosen = std::clamp(chosen, *setting.min, *setting.max);
  }
  if (std::abs(chosen - wanted) > 1e-9) {
    if (!setting.round) {
      return fail("unsupported", with_note("duration " + seconds(wanted) +
                                               " s: " + std::string(vendor) + " takes " + takes,
                                           setting.note));
    }
    out.deviations.push_back(with_note("duration " + seconds(wanted) + " s sent as " +
                                           seconds(chosen) + " s (" + std::string(vendor) +
                                           " takes " + takes + ")",
                                       setting.note));
  }
  out.vars["duration"] = duration_value(setting, chosen);
  out.clip.duration_s = chosen;
  return ok();
}

std::pair<long, long> reduced(long w, long h) {
  const long g = std::gcd(w, h);
  return g == 0 ? std::pair{w, h} : std::pair{w / g, h / g};
}

// "1280:720" -> (1280, 720) with the given separator; (0, 0) when it does not read.
std::pair<long, long> parse_size(const std::string& text, const std::string& separator) {
  const auto at = text.find(separator);
  if (at == std::string::npos) return {0, 0};
  try {
    std::size_t used_w = 0;
    std::size_t used_h = 0;
    const std::string w = text.substr(0, at);
    const std::string h = text.substr(at + separator.size());
    const long width = std::stol(w, &used_w);
    const long height = std::stol(h, &used_h);
    if (used_w != w.size() || used_h != h.size()) return {0, 0};
    return {width, height};
  } catch (const std::exception&) {
    return {0, 0};
  }
}

Status map_aspect(const AspectSetting& setting, const GenerationRequest& request,
                  const std::set<std::string>& used, std::string_view vendor, MappedSettings& out) {
  std::string ratio = request.aspect;
  if (ratio.empty() && request.width > 0 && request.height > 0) {
    const auto [w, h] = reduced(request.width, request.height);
    ratio = std::to_string(w) + ":" + std::to_string(h);
  }
  if (setting.form == AspectForm::None) {
    out.deviations.push_back(with_note("aspect ratio " + (ratio.empty() ? "(none set)" : ratio) +
                                           " not sent: " + std::string(vendor) + " takes none",
                                       setting.note));
    return ok();
  }
  if (!used.contains("aspect")) return ok();
  if (setting.form == AspectForm::Ratio) {
    if (ratio.empty()) {
      out.deviations.push_back("aspect ratio not sent: the track has none, so " +
                               std::string(vendor) + "'s default applies");
      return ok();
    }
    if (!setting.values.empty() &&
        std::find(setting.values.begin(), setting.values.end(), ratio) == setting.values.end()) {
      return fail("unsupported", with_note("aspect ratio " + ratio + ": " + std::string(vendor) +
                                               " takes " + list_of(setting.values),
                                           setting.note));
    }
    out.vars["aspect"] = ratio;
    return ok();
  }
  // Pixels.
  if (request.width <= 0 || request.height <= 0) {
    return fail("unsupported",
                "size: " + std::string(vendor) + " takes a pixel size and the track has none");
  }
  const std::string size =
      std::to_string(request.width) + setting.separator + std::to_string(request.height);
  if (setting.values.empty() ||
      std::find(setting.values.begin(), setting.values.end(), size) != setting.values.end()) {
    out.vars["aspect"] = size;
    return ok();
  }
  // The allowed size of the same shape nearest in area.
  const auto shape = reduced(request.width, request.height);
  const double area = static_cast<double>(request.width) * request.height;
  std::string best;
  std::pair<long, long> best_size{0, 0};
  for (const std::string& candidate : setting.values) {
    const auto [w, h] = parse_size(candidate, setting.separator);
    if (w <= 0 || h <= 0 || reduced(w, h) != shape) continue;
    const double gap = std::abs(static_cast<double>(w) * h - area);
    if (best.empty() ||
        gap < std::abs(static_cast<double>(best_size.first) * best_size.second - area)) {
      best = candidate;
      best_size = {w, h};
    }
  }
  if (best.empty()) {
    return fail("unsupported", with_note("size " + size + ": " + std::string(vendor) + " takes " +
                                             list_of(setting.values),
                                         setting.note));
  }
  out.deviations.push_back(with_note("size " + size + " sent as " + best + " (" +
                                         std::string(vendor) + " takes " + list_of(setting.values) +
                                         ")",
                                     setting.note));
  out.vars["aspect"] = best;
  out.clip.width = static_cast<int>(best_size.first);
  out.clip.height = static_cast<int>(best_size.second);
  return ok();
}

void map_audio(const SwitchSetting& setting, const GenerationRequest& request,
               const std::set<std::string>& used, std::string_view vendor, MappedSettings& out) {
  switch (setting.form) {
    case SwitchForm::Boolean:
      if (used.contains("audio")) out.vars["audio"] = request.audio;
      break;
    case SwitchForm::Values:
      if (used.contains("audio"))
        out.vars["audio"] = request.audio ? setting.on_value : setting.off_value;
      break;
    case SwitchForm::AlwaysOn:
      if (!request.audio) {
        out.deviations.push_back(with_note(
            "audio always on: " + std::string(vendor) + " cannot make silent clips", setting.note));
      }
      break;
    case SwitchForm::AlwaysOff:
      if (request.audio) {
        out.deviations.push_back(
            with_note("no audio: " + std::string(vendor) + " makes silent clips", setting.note));
      }
      break;
    case SwitchForm::NotSent:
      out.deviations.push_back(with_note(std::string("audio ") + (request.audio ? "on" : "off") +
                                             " not sent: " + std::string(vendor) +
                                             "'s default applies",
                                         setting.note));
      break;
  }
}

void map_watermark(const SwitchSetting& setting, const std::set<std::string>& used,
                   std::string_view vendor, MappedSettings& out) {
  switch (setting.form) {
    case SwitchForm::Boolean:
      if (used.contains("watermark")) out.vars["watermark"] = false;
      break;
    case SwitchForm::Values:
      if (used.contains("watermark")) out.vars["watermark"] = setting.off_value;
      break;
    case SwitchForm::AlwaysOn:
      out.deviations.push_back(with_note(
          "watermark cannot be turned off: " + std::string(vendor) + " always marks its clips",
          setting.note));
      break;
    case SwitchForm::AlwaysOff:
      break;
    case SwitchForm::NotSent:
      out.deviations.push_back(with_note(
          "watermark off not sent: " + std::string(vendor) + "'s default applies", setting.note));
      break;
  }
}

void map_seed(const SeedSetting& setting, const GenerationRequest& request,
              const std::set<std::string>& used, std::string_view vendor, MappedSettings& out) {
  if (!request.seed) return;
  if (!setting.sent) {
    out.deviations.push_back(with_note("no seed: " + std::string(vendor) + " takes none, so seed " +
                                           std::to_string(*request.seed) + " is not sent",
                                       setting.note));
    return;
  }
  if (!used.contains("seed")) return;
  std::int64_t seed = *request.seed;
  if (seed < setting.min || seed > setting.max) {
    // Folded into the range the same way for every model with that range, so models that
    // share a range still share a seed.
    // Residues first, so nothing overflows for any 64-bit seed (ranges are far below 2^62).
    const std::int64_t span = setting.max - setting.min + 1;
    auto residue = [span](std::int64_t v) { return ((v % span) + span) % span; };
    const std::int64_t offset = residue(residue(seed) - residue(setting.min));
    const std::int64_t folded = setting.min + offset;
    out.deviations.push_back("seed " + std::to_string(seed) + " sent as " + std::to_string(folded) +
                             " (" + std::string(vendor) + " takes " + std::to_string(setting.min) +
                             " to " + std::to_string(setting.max) + ")");
    seed = folded;
  }
  out.vars["seed"] = seed;
}

}  // namespace

std::string resolution_tier(int width, int height) {
  if (width <= 0 || height <= 0) return {};
  const int shorter = std::min(width, height);
  if (shorter == 2160) return "4k";
  return std::to_string(shorter) + "p";
}

Result<MappedSettings> map_settings(const SettingsSpec& settings, const GenerationRequest& request,
                                    const std::set<std::string>& used, std::string_view vendor) {
  MappedSettings out;
  out.clip.width = request.width;
  out.clip.height = request.height;
  out.clip.tier = resolution_tier(request.width, request.height);
  if (auto s = map_resolution(settings.resolution, request, used, vendor, out); !s) {
    return std::unexpected(s.error());
  }
  if (auto s = map_duration(settings.duration, request, used, vendor, out); !s) {
    return std::unexpected(s.error());
  }
  if (auto s = map_aspect(settings.aspect, request, used, vendor, out); !s) {
    return std::unexpected(s.error());
  }
  map_audio(settings.audio, request, used, vendor, out);
  map_watermark(settings.watermark, used, vendor, out);
  map_seed(settings.seed, request, used, vendor, out);
  return out;
}

}  // namespace paddock::generate
