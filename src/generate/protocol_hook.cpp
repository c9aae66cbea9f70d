// The declarative task protocol behind the provider factory (provider_factory.hpp): every
// protocol other than "dashscope" and "placeholder" is a preset's name or "custom", run by
// ProtocolProvider from the [providers.NAME] table as written.
#include <fmt/core.h>

#include "generate/presets.hpp"
#include "generate/protocol_provider.hpp"
#include "generate/provider_factory.hpp"

namespace paddock::generate {
namespace {

// The configuration keeps each provider's table as JSON (ProviderConfig::raw); the protocol
// reads TOML. TOML has no null, and the configuration came from TOML, so there is none here.
toml::array to_toml_array(const nlohmann::json& value);

toml::table to_toml_table(const nlohmann::json& object) {
  toml::table out;
  for (const auto& [key, value] : object.items()) {
    if (value.is_object()) {
      out.insert_or_assign(key, to_toml_table(value));
    } else if (value.is_array()) {
      out.insert_or_assign(key, to_toml_array(value));
    } else if (value.is_boolean()) {
      out.insert_or_assign(key, value.get<bool>());
    } else if (value.is_number_integer()) {
      out.insert_or_assign(key, value.get<int64_t>());
    } else if (value.is_number()) {
      out.insert_or_assign(key, value.get<double>());
    } else if (value.is_string()) {
      out.insert_or_assign(key, value.get<std::string>());
    }
  }
  return out;
}

toml::array to_toml_array(const nlohmann::json& value) {
  toml::array out;
  for (const nlohmann::json& item : value) {
    if (item.is_object()) {
      out.push_back(to_toml_table(item));
    } else if (item.is_array()) {
      out.push_back(to_toml_array(item));
    } else if (item.is_boolean()) {
      out.push_back(item.get<bool>());
    } else if (item.is_number_integer()) {
      out.push_back(item.get<int64_t>());
    } else if (item.is_number()) {
      out.push_back(item.get<double>());
    } else if (item.is_string()) {
      out.push_back(item.get<std::string>());
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Provider>> make_protocol_provider(const ProviderConfig& config) {
  if (!is_protocol_provider(config.protocol)) {
    std::string presets;
    for (const ProtocolPreset& p : protocol_presets())
      presets += ", \"" + std::string(p.name) + "\"";
    return fail("bad_config", fmt::format("[providers.{}]: protocol \"{}\" is not \"dashscope\", "
                                          "\"placeholder\", \"custom\" nor a preset{}",
                                          config.name, config.protocol, presets));
  }
  ProtocolProviderOptions options;
  // The runner's own fields (generate_config.hpp), read there.
  options.caller_fields.insert(
      {"max_attempts", "retry_base_delay_s", "retry_max_delay_s", "max_download_mb"});
  auto made = make_protocol_provider(config.name, to_toml_table(config.raw), options);
  if (!made) return std::unexpected(made.error());
  return std::unique_ptr<Provider>(std::move(*made));
}

}  // namespace paddock::generate
