#pragma once
// Making Providers from the configuration: one per [providers.NAME] table, by its protocol:
//   "dashscope"    DashScopeProvider (native code)
//   "placeholder"  PlaceholderProvider (local renderer)
//   anything else  the declarative task protocol (a preset's name, or "custom"), through
//                  make_protocol_provider() below.

#include <memory>

#include "generate/generate_config.hpp"
#include "generate/placeholder_provider.hpp"
#include "generate/provider.hpp"

namespace paddock::generate {

struct ProviderOptions {
  PlaceholderRecipe placeholder_recipe{};  // empty: default_placeholder_recipe
};

// Errors: "bad_config" (e.g. an unknown protocol), "missing_secret" (a key variable is not
// set), each naming the provider.
Result<std::unique_ptr<Provider>> make_provider(const ProviderConfig& config,
                                                const ProviderOptions& options = {});

// THE HOOK for the declarative task protocol (ProtocolProvider, its presets and "custom"):
// returns a Provider for `config` when its protocol is one the declarative engine knows,
// or Error "bad_config" "protocol X is not built in". Defined in protocol_hook.cpp, which
// the protocol engine replaces.
Result<std::unique_ptr<Provider>> make_protocol_provider(const ProviderConfig& config);

}  // namespace paddock::generate
