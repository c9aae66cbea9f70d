#pragma once
// The configuration of paddock generate (TOML, docs/generate.md): one table per provider
// under [providers.NAME] with its protocol, base URL, the environment variables its keys
// are read from, its limits, its network exemptions and its price table. Keys themselves
// are never in the file.
//
//   [providers.dashscope]
//   protocol = "dashscope"          # "dashscope" | "placeholder" | a preset | "custom"
//   base_url = "https://dashscope-intl.aliyuncs.com"
//   key_env = "DASHSCOPE_API_KEY"
//   concurrency = 2
//   requests_per_second = 1
//   poll_interval_s = 15
//   allow_addresses = []
//   [providers.dashscope.prices."happyhorse-1.0-t2v"]   # one price table for every
//   per_second = { "720P" = 0.14, "1080P" = 0.24 }        # protocol (price.hpp)
//   currency = "USD"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "generate/price.hpp"

namespace paddock::generate {

struct ProviderConfig {
  std::string name;  // the table's name: what models' generation config calls it
  std::string protocol;
  std::string base_url;
  std::string key_env;             // the variable holding the API key (Kling: access_key_env and
                                   // secret_key_env, read by its protocol from `raw`)
  int concurrency = 2;             // tasks in flight at this provider
  double requests_per_second = 1;  // API calls started per second (0: unlimited)
  double poll_interval_s = 15;
  std::vector<std::string> allow_addresses;  // address-policy exemptions (http_client.hpp)
  std::string proxy;
  int max_attempts = 5;           // per step (submit, poll, download), the first included
  double retry_base_delay_s = 1;  // backoff (retry.hpp)
  double retry_max_delay_s = 60;
  std::int64_t max_download_bytes = 1024LL * 1024 * 1024;
  PriceTable prices;  // [providers.NAME.prices], by the provider's model id (price.hpp)
  // The whole table as JSON, for protocols with fields of their own (presets, "custom").
  nlohmann::json raw = nlohmann::json::object();

  const Price* price_of(std::string_view provider_model) const;  // or "*"'s, or nullptr
};

struct GenerateConfig {
  std::vector<ProviderConfig> providers;  // ordered by name

  const ProviderConfig* find(std::string_view name) const;
};

// Parses the configuration; `origin` names it in messages. Fields this file does not know
// are kept in ProviderConfig::raw for the protocol to read (and refuse).
// Errors: "bad_config" naming the origin, the provider and the field.
Result<GenerateConfig> parse_generate_config(std::string_view toml_text, std::string_view origin);

// Reads and parses `file`. Errors: "not_found" (no such file), "bad_config".
Result<GenerateConfig> load_generate_config(const std::filesystem::path& file);

}  // namespace paddock::generate
