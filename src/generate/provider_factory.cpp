#include "generate/provider_factory.hpp"

#include "generate/dashscope_provider.hpp"

namespace paddock::generate {

Result<std::unique_ptr<Provider>> make_provider(const ProviderConfig& config,
                                                const ProviderOptions& options) {
  if (config.protocol == "placeholder") {
    return std::make_unique<PlaceholderProvider>(config, options.placeholder_recipe);
  }
  if (config.protocol == "dashscope") {
    auto p = DashScopeProvider::create(config);
    if (!p) return std::unexpected(p.error());
    return std::unique_ptr<Provider>(std::move(*p));
  }
  return make_protocol_provider(config);
}

}  // namespace paddock::generate
