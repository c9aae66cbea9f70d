#pragma once
// The task-protocol presets compiled into paddock: the TOML files of src/generate/presets/,
// embedded at build time (cmake/EmbedPresets.cmake), one per vendor API. docs/generate.md
// documents each.

#include <optional>
#include <span>
#include <string_view>

namespace paddock::generate {

struct ProtocolPreset {
  std::string_view name;  // the file's name without ".toml": "seedance", "kling", ...
  std::string_view text;  // its TOML
};

// Every preset, by name.
std::span<const ProtocolPreset> protocol_presets();

// The preset called `name`, or nullopt.
std::optional<ProtocolPreset> find_protocol_preset(std::string_view name);

}  // namespace paddock::generate
