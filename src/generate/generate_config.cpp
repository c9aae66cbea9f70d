#include "generate/generate_config.hpp"

#include <fmt/core.h>
#include <toml++/toml.h>

#include <fstream>
#include <sstream>

namespace paddock::generate {
namespace {

using nlohmann::json;

json to_json(const toml::node& node) {
  if (const auto* t = node.as_table()) {
    json out = json::object();
    for (const auto& [key, value] : *t) out[std::string(key.str())] = to_json(value);
    return out;
  }
  if (const auto* a = node.as_array()) {
    json out = json::array();
    for (const auto& value : *a) out.push_back(to_json(value));
    return out;
  }
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (node.is_integer()) return node.value<int64_t>().value_or(0);
  if (node.is_floating_point()) return node.value<double>().value_or(0);
  if (node.is_boolean()) return node.value<bool>().value_or(false);
  return nullptr;  // dates and times: no provider field takes one
}

class Reader {
 public:
  Reader(const json& table, std::string where) : t_(table), where_(std::move(where)) {}

  Status text(const char* key, std::string& out, bool required = false) {
    auto it = t_.find(key);
    if (it == t_.end()) {
      if (required) return problem(key, "is missing");
      return ok();
    }
    if (!it->is_string()) return problem(key, "must be a string");
    out = it->get<std::string>();
    return ok();
  }
  Status number(const char* key, double& out, double min, double max) {
    auto it = t_.find(key);
    if (it == t_.end()) return ok();
    if (!it->is_number() || it->get<double>() < min || it->get<double>() > max) {
      return problem(key, fmt::format("must be a number from {} to {}", min, max));
    }
    out = it->get<double>();
    return ok();
  }
  Status integer(const char* key, int& out, int min, int max) {
    auto it = t_.find(key);
    if (it == t_.end()) return ok();
    if (!it->is_number_integer() || it->get<int64_t>() < min || it->get<int64_t>() > max) {
      return problem(key, fmt::format("must be a whole number from {} to {}", min, max));
    }
    out = static_cast<int>(it->get<int64_t>());
    return ok();
  }
  Status texts(const char* key, std::vector<std::string>& out) {
    auto it = t_.find(key);
    if (it == t_.end()) return ok();
    if (!it->is_array()) return problem(key, "must be an array of strings");
    for (const json& v : *it) {
      if (!v.is_string()) return problem(key, "must be an array of strings");
      out.push_back(v.get<std::string>());
    }
    return ok();
  }
  std::unexpected<Error> problem(std::string_view key, std::string_view what) const {
    return fail("bad_config", fmt::format("{}: \"{}\" {}", where_, key, what));
  }

 private:
  const json& t_;
  std::string where_;
};

// `table` is the provider's TOML table; `t` the same as JSON.
Result<ProviderConfig> parse_provider(const std::string& name, const toml::table& table,
                                      const json& t, std::string_view origin) {
  const std::string where = fmt::format("{}: [providers.{}]", origin, name);
  if (!t.is_object()) return fail("bad_config", where + " must be a table");
  ProviderConfig c;
  c.name = name;
  c.raw = t;
  Reader r(t, where);
  for (Status s : {r.text("protocol", c.protocol, true), r.text("base_url", c.base_url),
                   r.text("key_env", c.key_env), r.text("proxy", c.proxy),
                   r.integer("concurrency", c.concurrency, 1, 1000),
                   r.number("requests_per_second", c.requests_per_second, 0, 10000),
                   r.number("poll_interval_s", c.poll_interval_s, 0.001, 3600),
                   r.texts("allow_addresses", c.allow_addresses),
                   r.integer("max_attempts", c.max_attempts, 1, 100),
                   r.number("retry_base_delay_s", c.retry_base_delay_s, 0.001, 3600),
                   r.number("retry_max_delay_s", c.retry_max_delay_s, 0.001, 86400)}) {
    if (!s) return std::unexpected(s.error());
  }
  double max_mb = static_cast<double>(c.max_download_bytes) / (1024 * 1024);
  if (auto s = r.number("max_download_mb", max_mb, 1, 1024 * 1024); !s) {
    return std::unexpected(s.error());
  }
  c.max_download_bytes = static_cast<std::int64_t>(max_mb * 1024 * 1024);
  if (c.protocol.empty()) return r.problem("protocol", "is empty");
  // The local renderer has nothing to wait for.
  if (c.protocol == "placeholder" && !t.contains("poll_interval_s")) c.poll_interval_s = 0.001;
  if (const toml::node* prices = table.get("prices")) {
    if (!prices->is_table()) return r.problem("prices", "must be a table of provider model ids");
    auto read = PriceTable::from_toml(*prices->as_table(),
                                      fmt::format("{}: providers.{}.prices", origin, name));
    if (!read) return std::unexpected(read.error());
    c.prices = std::move(*read);
  }
  return c;
}

}  // namespace

const Price* ProviderConfig::price_of(std::string_view provider_model) const {
  return prices.find(provider_model);
}

const ProviderConfig* GenerateConfig::find(std::string_view name) const {
  for (const auto& p : providers) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Result<GenerateConfig> parse_generate_config(std::string_view toml_text, std::string_view origin) {
  toml::table table;
  try {
    table = toml::parse(toml_text, std::string(origin));
  } catch (const toml::parse_error& e) {
    return fail("bad_config", fmt::format("{}:{}:{}: {}", origin, e.source().begin.line,
                                          e.source().begin.column, e.description()));
  }
  GenerateConfig out;
  for (const auto& [key, value] : table) {
    if (key.str() != "providers") {
      return fail("bad_config",
                  fmt::format("{}: unknown table or key \"{}\" (only [providers.NAME])", origin,
                              key.str()));
    }
  }
  const toml::table* providers = table["providers"].as_table();
  if (!providers) return fail("bad_config", fmt::format("{}: no [providers.NAME] table", origin));
  // toml++ keeps a table's keys ordered by name.
  for (const auto& [key, value] : *providers) {
    const toml::table* provider = value.as_table();
    if (!provider) {
      return fail("bad_config",
                  fmt::format("{}: [providers.{}] must be a table", origin, key.str()));
    }
    auto parsed = parse_provider(std::string(key.str()), *provider, to_json(value), origin);
    if (!parsed) return std::unexpected(parsed.error());
    out.providers.push_back(std::move(*parsed));
  }
  return out;
}

Result<GenerateConfig> load_generate_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return fail("not_found", file.string() + ": no such configuration file (see docs/generate.md)");
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_generate_config(text.str(), file.string());
}

}  // namespace paddock::generate
