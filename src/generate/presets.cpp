#include "generate/presets.hpp"

namespace paddock::generate {

std::optional<ProtocolPreset> find_protocol_preset(std::string_view name) {
  for (const ProtocolPreset& preset : protocol_presets()) {
    if (preset.name == name) return preset;
  }
  return std::nullopt;
}

}  // namespace paddock::generate
