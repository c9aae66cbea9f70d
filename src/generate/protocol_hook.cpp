// The declarative task protocol plugs in here (provider_factory.hpp): until ProtocolProvider
// and its presets are built into this binary, every protocol other than "dashscope" and
// "placeholder" is refused by name.
#include <fmt/core.h>

#include "generate/provider_factory.hpp"

namespace paddock::generate {

Result<std::unique_ptr<Provider>> make_protocol_provider(const ProviderConfig& config) {
  return fail("bad_config", fmt::format("[providers.{}]: protocol \"{}\" is not built in (this "
                                        "paddock knows \"dashscope\" and \"placeholder\")",
                                        config.name, config.protocol));
}

}  // namespace paddock::generate
